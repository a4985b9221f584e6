//! Handshake message bodies (RFC 5246 §7.4, RFC 6347 §4.2.1, RFC 8422 §5.4–5.7).

use crate::codec::{put_u16, put_u16s, put_vec16, put_vec24, put_vec8, u16s, Reader};
use crate::error::DtlsError;
use crate::extensions::Extensions;

/// The most certificates we accept in a chain.
pub(crate) const MAX_CHAIN_CERTS: usize = 8;

/// ClientHello (RFC 6347 §4.2.1 adds the cookie).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientHello {
    pub(crate) version: u16,
    pub(crate) random: [u8; 32],
    pub(crate) session_id: Vec<u8>,
    pub(crate) cookie: Vec<u8>,
    pub(crate) cipher_suites: Vec<u16>,
    pub(crate) compression: Vec<u8>,
    pub(crate) extensions: Extensions,
}

fn random(r: &mut Reader<'_>) -> Result<[u8; 32], DtlsError> {
    let mut out = [0u8; 32];
    out.copy_from_slice(r.bytes(32)?);
    Ok(out)
}

/// A hello's session_id: at most 32 bytes (RFC 5246 §7.4.1.2).
fn session_id(r: &mut Reader<'_>, what: &'static str) -> Result<Vec<u8>, DtlsError> {
    let id = r.vec8()?.to_vec();
    if id.len() > 32 {
        return Err(DtlsError::Decode(what));
    }
    Ok(id)
}

impl ClientHello {
    pub(crate) fn parse(body: &[u8]) -> Result<Self, DtlsError> {
        let mut r = Reader::new(body, "ClientHello");
        let version = r.u16()?;
        let random = random(&mut r)?;
        let session_id = session_id(&mut r, "ClientHello session_id")?;
        let cookie = r.vec8()?.to_vec();
        let cipher_suites = u16s(r.vec16()?, "ClientHello cipher_suites")?;
        if cipher_suites.is_empty() {
            return Err(DtlsError::Decode("ClientHello cipher_suites"));
        }
        let compression = r.vec8()?.to_vec();
        let extensions = Extensions::parse(&mut r)?;
        Ok(Self {
            version,
            random,
            session_id,
            cookie,
            cipher_suites,
            compression,
            extensions,
        })
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put_u16(&mut out, self.version);
        out.extend_from_slice(&self.random);
        put_vec8(&mut out, &self.session_id);
        put_vec8(&mut out, &self.cookie);
        let mut suites = Vec::new();
        put_u16s(&mut suites, &self.cipher_suites);
        put_vec16(&mut out, &suites);
        put_vec8(&mut out, &self.compression);
        self.extensions.encode(&mut out);
        out
    }
}

/// ServerHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerHello {
    pub(crate) version: u16,
    pub(crate) random: [u8; 32],
    pub(crate) session_id: Vec<u8>,
    pub(crate) cipher_suite: u16,
    pub(crate) compression: u8,
    pub(crate) extensions: Extensions,
}

impl ServerHello {
    pub(crate) fn parse(body: &[u8]) -> Result<Self, DtlsError> {
        let mut r = Reader::new(body, "ServerHello");
        let version = r.u16()?;
        let random = random(&mut r)?;
        let session_id = session_id(&mut r, "ServerHello session_id")?;
        let cipher_suite = r.u16()?;
        let compression = r.u8()?;
        let extensions = Extensions::parse(&mut r)?;
        Ok(Self {
            version,
            random,
            session_id,
            cipher_suite,
            compression,
            extensions,
        })
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put_u16(&mut out, self.version);
        out.extend_from_slice(&self.random);
        put_vec8(&mut out, &self.session_id);
        put_u16(&mut out, self.cipher_suite);
        out.push(self.compression);
        self.extensions.encode(&mut out);
        out
    }
}

/// HelloVerifyRequest (RFC 6347 §4.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HelloVerifyRequest {
    pub(crate) version: u16,
    pub(crate) cookie: Vec<u8>,
}

impl HelloVerifyRequest {
    pub(crate) fn parse(body: &[u8]) -> Result<Self, DtlsError> {
        let mut r = Reader::new(body, "HelloVerifyRequest");
        let version = r.u16()?;
        let cookie = r.vec8()?.to_vec();
        r.finish()?;
        Ok(Self { version, cookie })
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put_u16(&mut out, self.version);
        put_vec8(&mut out, &self.cookie);
        out
    }
}

/// Certificate: a chain of DER certificates, leaf first.
pub(crate) fn parse_certificate(body: &[u8], max_total: usize) -> Result<Vec<Vec<u8>>, DtlsError> {
    if body.len() > max_total + 3 {
        return Err(DtlsError::TooLarge("certificate chain"));
    }
    let mut r = Reader::new(body, "Certificate");
    let mut list = Reader::new(r.vec24()?, "Certificate");
    r.finish()?;
    let mut chain = Vec::new();
    while !list.is_empty() {
        let cert = list.vec24()?;
        if cert.is_empty() {
            return Err(DtlsError::Decode("Certificate entry"));
        }
        if chain.len() >= MAX_CHAIN_CERTS {
            return Err(DtlsError::TooLarge("certificate count"));
        }
        chain.push(cert.to_vec());
    }
    Ok(chain)
}

pub(crate) fn encode_certificate(chain: &[Vec<u8>]) -> Vec<u8> {
    let mut list = Vec::new();
    for c in chain {
        put_vec24(&mut list, c);
    }
    let mut out = Vec::new();
    put_vec24(&mut out, &list);
    out
}

/// ServerKeyExchange for ECDHE (RFC 8422 §5.4) with a TLS 1.2 signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerKeyExchange {
    pub(crate) group: u16,
    pub(crate) public: Vec<u8>,
    pub(crate) scheme: u16,
    pub(crate) signature: Vec<u8>,
}

impl ServerKeyExchange {
    /// The ServerECDHParams bytes (what is signed after the randoms).
    pub(crate) fn params(group: u16, public: &[u8]) -> Vec<u8> {
        let mut out = vec![3]; // named_curve
        put_u16(&mut out, group);
        put_vec8(&mut out, public);
        out
    }

    pub(crate) fn parse(body: &[u8]) -> Result<Self, DtlsError> {
        let mut r = Reader::new(body, "ServerKeyExchange");
        if r.u8()? != 3 {
            return Err(DtlsError::IllegalParameter("curve type"));
        }
        let group = r.u16()?;
        let public = r.vec8()?.to_vec();
        if public.is_empty() {
            return Err(DtlsError::Decode("ServerKeyExchange public key"));
        }
        let scheme = r.u16()?;
        let signature = r.vec16()?.to_vec();
        r.finish()?;
        Ok(Self {
            group,
            public,
            scheme,
            signature,
        })
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Self::params(self.group, &self.public);
        put_u16(&mut out, self.scheme);
        put_vec16(&mut out, &self.signature);
        out
    }
}

/// CertificateRequest (RFC 5246 §7.4.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CertificateRequest {
    pub(crate) cert_types: Vec<u8>,
    pub(crate) schemes: Vec<u16>,
}

impl CertificateRequest {
    pub(crate) fn parse(body: &[u8]) -> Result<Self, DtlsError> {
        let mut r = Reader::new(body, "CertificateRequest");
        let cert_types = r.vec8()?.to_vec();
        let schemes = u16s(r.vec16()?, "CertificateRequest")?;
        let _authorities = r.vec16()?;
        r.finish()?;
        Ok(Self {
            cert_types,
            schemes,
        })
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put_vec8(&mut out, &self.cert_types);
        let mut s = Vec::new();
        put_u16s(&mut s, &self.schemes);
        put_vec16(&mut out, &s);
        put_vec16(&mut out, &[]);
        out
    }
}

/// ClientKeyExchange for ECDHE: the client's public point (RFC 8422 §5.7).
pub(crate) fn parse_client_key_exchange(body: &[u8]) -> Result<Vec<u8>, DtlsError> {
    let mut r = Reader::new(body, "ClientKeyExchange");
    let public = r.vec8()?.to_vec();
    r.finish()?;
    if public.is_empty() {
        return Err(DtlsError::Decode("ClientKeyExchange"));
    }
    Ok(public)
}

pub(crate) fn encode_client_key_exchange(public: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    put_vec8(&mut out, public);
    out
}

/// A digitally-signed struct: scheme + signature (CertificateVerify body).
pub(crate) fn parse_signed(body: &[u8]) -> Result<(u16, Vec<u8>), DtlsError> {
    let mut r = Reader::new(body, "CertificateVerify");
    let scheme = r.u16()?;
    let sig = r.vec16()?.to_vec();
    r.finish()?;
    Ok((scheme, sig))
}

pub(crate) fn encode_signed(scheme: u16, sig: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    put_u16(&mut out, scheme);
    put_vec16(&mut out, sig);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hellos_round_trip() {
        let ch = ClientHello {
            version: 0xfefd,
            random: [5; 32],
            session_id: vec![],
            cookie: vec![1, 2, 3],
            cipher_suites: vec![0xc02b, 0x00ff],
            compression: vec![0],
            extensions: Extensions {
                extended_master_secret: true,
                ..Default::default()
            },
        };
        assert_eq!(ClientHello::parse(&ch.encode()).unwrap(), ch);
        let sh = ServerHello {
            version: 0xfefd,
            random: [6; 32],
            session_id: vec![],
            cipher_suite: 0xc02b,
            compression: 0,
            extensions: Extensions::default(),
        };
        assert_eq!(ServerHello::parse(&sh.encode()).unwrap(), sh);
        let hvr = HelloVerifyRequest {
            version: 0xfefd,
            cookie: vec![9; 20],
        };
        assert_eq!(HelloVerifyRequest::parse(&hvr.encode()).unwrap(), hvr);
        let ske = ServerKeyExchange {
            group: 29,
            public: vec![1; 32],
            scheme: 0x0403,
            signature: vec![2; 70],
        };
        assert_eq!(ServerKeyExchange::parse(&ske.encode()).unwrap(), ske);
        let cr = CertificateRequest {
            cert_types: vec![64, 1],
            schemes: vec![0x0403],
        };
        assert_eq!(CertificateRequest::parse(&cr.encode()).unwrap(), cr);
        let chain = vec![vec![1, 2], vec![3]];
        assert_eq!(
            parse_certificate(&encode_certificate(&chain), 100).unwrap(),
            chain
        );
        assert!(parse_certificate(&encode_certificate(&chain), 1).is_err());
    }

    #[test]
    fn truncated_bodies_fail() {
        let ch = ClientHello {
            version: 0xfefd,
            random: [5; 32],
            session_id: vec![],
            cookie: vec![],
            cipher_suites: vec![0xc02b],
            compression: vec![0],
            extensions: Extensions::default(),
        }
        .encode();
        for n in 0..ch.len() - 2 {
            assert!(ClientHello::parse(&ch[..n]).is_err(), "prefix {n}");
        }
        assert!(ServerHello::parse(&[0xfe]).is_err());
        assert!(parse_client_key_exchange(&[0]).is_err());
        assert!(parse_signed(&[4, 3, 0, 5, 1]).is_err());
    }
}
