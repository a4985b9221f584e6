//! The ClientHello as a DTLS 1.3 endpoint reads and writes it (RFC 8446
//! §4.1.2, RFC 9147 §5.3): the DTLS form (with legacy_cookie) and the
//! extensions the 1.3 handshake and the version negotiation use.
//!
//! ```text
//! legacy_version (2) ‖ random (32) ‖ legacy_session_id<0..32> ‖ legacy_cookie<0..2^8-1>
//!   ‖ cipher_suites<2..2^16-2> ‖ legacy_compression_methods<1..2^8-1> ‖ extensions<8..2^16-1>
//! ```

use super::error::Dtls13Error;
use super::hello_retry_request::{encode_cookie, parse_cookie, COOKIE_EXTENSION_TYPE};
use super::key_share_extension::{self, KeyShareEntry};
use super::supported_versions;
use crate::codec::{put_u16, put_vec16, put_vec8, Reader};

/// supported_groups (RFC 8446 §4.2.7).
pub(crate) const SUPPORTED_GROUPS: u16 = 10;
/// signature_algorithms (RFC 8446 §4.2.3).
pub(crate) const SIGNATURE_ALGORITHMS: u16 = 13;
/// use_srtp (RFC 5764 §4.1.1).
pub(crate) const USE_SRTP: u16 = 14;
/// pre_shared_key (RFC 8446 §4.2.11), which must come last.
pub(crate) const PRE_SHARED_KEY: u16 = 41;

/// A ClientHello's fields and the extensions a DTLS 1.3 server reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ClientHello13 {
    /// legacy_version ({254, 253} from a 1.3 client).
    pub(crate) legacy_version: u16,
    /// ClientHello.random.
    pub(crate) random: [u8; 32],
    /// legacy_session_id (echoed by the server).
    pub(crate) legacy_session_id: Vec<u8>,
    /// legacy_cookie: empty in DTLS 1.3 (a 1.2 HelloVerifyRequest cookie
    /// otherwise).
    pub(crate) legacy_cookie: Vec<u8>,
    /// The offered cipher suites.
    pub(crate) cipher_suites: Vec<u16>,
    /// supported_versions.
    pub(crate) supported_versions: Option<Vec<u16>>,
    /// supported_groups.
    pub(crate) supported_groups: Option<Vec<u16>>,
    /// key_share (ClientHello form).
    pub(crate) key_shares: Option<Vec<KeyShareEntry>>,
    /// signature_algorithms.
    pub(crate) signature_algorithms: Option<Vec<u16>>,
    /// use_srtp: the offered profiles and the MKI.
    pub(crate) use_srtp: Option<(Vec<u16>, Vec<u8>)>,
    /// cookie (ClientHello2 after a HelloRetryRequest).
    pub(crate) cookie: Option<Vec<u8>>,
    /// The other extensions (type, data), in order, written by encode
    /// after the known ones: a client offering 1.2 too keeps its 1.2-only
    /// extensions (extended_master_secret, renegotiation_info,
    /// ec_point_formats) in a ClientHello2.
    pub(crate) other_extensions: Vec<(u16, Vec<u8>)>,
}

/// A nonempty even-length list of u16s from `bytes`.
fn u16_list(bytes: &[u8], what: &'static str) -> Result<Vec<u16>, Dtls13Error> {
    if bytes.is_empty() || bytes.len() % 2 != 0 {
        return Err(Dtls13Error::Decode(what));
    }
    Ok(bytes
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect())
}

/// Appends `items` as a vector of u16s with a 16-bit length.
fn put_u16_list(out: &mut Vec<u8>, items: &[u16]) -> Result<(), Dtls13Error> {
    if items.is_empty() || items.len() > 32_767 {
        return Err(Dtls13Error::TooLarge("u16 list"));
    }
    let body: Vec<u8> = items.iter().flat_map(|v| v.to_be_bytes()).collect();
    put_vec16(out, &body);
    Ok(())
}

/// Appends one extension.
fn put_extension(out: &mut Vec<u8>, ext_type: u16, data: &[u8]) -> Result<(), Dtls13Error> {
    if data.len() > usize::from(u16::MAX) {
        return Err(Dtls13Error::TooLarge("extension"));
    }
    put_u16(out, ext_type);
    put_vec16(out, data);
    Ok(())
}

impl ClientHello13 {
    /// Whether supported_versions offers DTLS 1.3.
    pub(crate) fn offers_dtls13(&self) -> bool {
        self.supported_versions
            .as_ref()
            .is_some_and(|v| v.contains(&supported_versions::DTLS_1_3))
    }

    /// The message body (compression methods: null only).
    pub(crate) fn encode(&self) -> Result<Vec<u8>, Dtls13Error> {
        if self.legacy_session_id.len() > 32 || self.legacy_cookie.len() > 255 {
            return Err(Dtls13Error::TooLarge("ClientHello legacy field"));
        }
        let mut extensions = Vec::new();
        if let Some(versions) = &self.supported_versions {
            let mut data = Vec::new();
            supported_versions::encode_client(versions, &mut data)?;
            put_extension(&mut extensions, supported_versions::EXTENSION_TYPE, &data)?;
        }
        if let Some(groups) = &self.supported_groups {
            let mut data = Vec::new();
            put_u16_list(&mut data, groups)?;
            put_extension(&mut extensions, SUPPORTED_GROUPS, &data)?;
        }
        if let Some(shares) = &self.key_shares {
            let mut data = Vec::new();
            key_share_extension::encode_client(shares, &mut data)?;
            put_extension(&mut extensions, key_share_extension::EXTENSION_TYPE, &data)?;
        }
        if let Some(schemes) = &self.signature_algorithms {
            let mut data = Vec::new();
            put_u16_list(&mut data, schemes)?;
            put_extension(&mut extensions, SIGNATURE_ALGORITHMS, &data)?;
        }
        if let Some((profiles, mki)) = &self.use_srtp {
            if mki.len() > 255 {
                return Err(Dtls13Error::TooLarge("srtp_mki"));
            }
            let mut data = Vec::new();
            put_u16_list(&mut data, profiles)?;
            put_vec8(&mut data, mki);
            put_extension(&mut extensions, USE_SRTP, &data)?;
        }
        for (ext_type, data) in &self.other_extensions {
            put_extension(&mut extensions, *ext_type, data)?;
        }
        if let Some(cookie) = &self.cookie {
            let mut data = Vec::new();
            encode_cookie(cookie, &mut data)?;
            put_extension(&mut extensions, COOKIE_EXTENSION_TYPE, &data)?;
        }
        if extensions.len() > usize::from(u16::MAX) {
            return Err(Dtls13Error::TooLarge("extensions"));
        }
        let mut body = Vec::with_capacity(64 + extensions.len());
        put_u16(&mut body, self.legacy_version);
        body.extend_from_slice(&self.random);
        put_vec8(&mut body, &self.legacy_session_id);
        put_vec8(&mut body, &self.legacy_cookie);
        put_u16_list(&mut body, &self.cipher_suites)?;
        put_vec8(&mut body, &[0]);
        put_vec16(&mut body, &extensions);
        Ok(body)
    }

    /// Parses a ClientHello body. Framing errors, a session id over 32
    /// bytes, no cipher suite, no null compression, a duplicate extension,
    /// a malformed known extension and a pre_shared_key that is not last
    /// are errors. Without extensions it is a pre-1.3 hello: all options
    /// stay `None`.
    pub(crate) fn parse(body: &[u8]) -> Result<Self, Dtls13Error> {
        let mut r = Reader::new(body, "ClientHello");
        let legacy_version = r.u16()?;
        let random: [u8; 32] = r
            .bytes(32)?
            .try_into()
            .map_err(|_| Dtls13Error::Decode("ClientHello"))?;
        let legacy_session_id = r.vec8()?;
        if legacy_session_id.len() > 32 {
            return Err(Dtls13Error::Decode("legacy_session_id"));
        }
        let legacy_cookie = r.vec8()?.to_vec();
        let cipher_suites = u16_list(r.vec16()?, "cipher_suites")?;
        if !r.vec8()?.contains(&0) {
            return Err(Dtls13Error::Decode("no null compression method"));
        }
        let mut hello = ClientHello13 {
            legacy_version,
            random,
            legacy_session_id: legacy_session_id.to_vec(),
            legacy_cookie,
            cipher_suites,
            ..ClientHello13::default()
        };
        if r.is_empty() {
            return Ok(hello);
        }
        let mut extensions = r.sub16()?;
        r.finish()?;
        let mut seen: Vec<u16> = Vec::new();
        while !extensions.is_empty() {
            let ext_type = extensions.u16()?;
            let data = extensions.vec16()?;
            if seen.contains(&ext_type) {
                return Err(Dtls13Error::Decode("duplicate extension"));
            }
            if seen.contains(&PRE_SHARED_KEY) {
                return Err(Dtls13Error::IllegalParameter("pre_shared_key is not last"));
            }
            seen.push(ext_type);
            match ext_type {
                supported_versions::EXTENSION_TYPE => {
                    hello.supported_versions = Some(supported_versions::parse_client(data)?);
                }
                key_share_extension::EXTENSION_TYPE => {
                    hello.key_shares = Some(key_share_extension::parse_client(data)?);
                }
                COOKIE_EXTENSION_TYPE => hello.cookie = Some(parse_cookie(data)?.to_vec()),
                SUPPORTED_GROUPS | SIGNATURE_ALGORITHMS => {
                    let mut d = Reader::new(data, "ClientHello extension");
                    let list = u16_list(d.vec16()?, "ClientHello extension")?;
                    d.finish()?;
                    if ext_type == SUPPORTED_GROUPS {
                        hello.supported_groups = Some(list);
                    } else {
                        hello.signature_algorithms = Some(list);
                    }
                }
                USE_SRTP => {
                    let mut d = Reader::new(data, "use_srtp");
                    let profiles = u16_list(d.vec16()?, "use_srtp")?;
                    let mki = d.vec8()?.to_vec();
                    d.finish()?;
                    hello.use_srtp = Some((profiles, mki));
                }
                other => hello.other_extensions.push((other, data.to_vec())),
            }
        }
        Ok(hello)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v13::supported_versions::{DTLS_1_2, DTLS_1_3};

    /// Shaped like Chromium's DTLS 1.3 offer: versions 1.3 and 1.2, an
    /// X25519MLKEM768 share and an x25519 share, so the body exceeds one
    /// 1200-byte datagram.
    fn chromium_like() -> ClientHello13 {
        ClientHello13 {
            legacy_version: DTLS_1_2,
            random: [0x42; 32],
            legacy_session_id: vec![],
            legacy_cookie: vec![],
            cipher_suites: vec![0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f],
            supported_versions: Some(vec![DTLS_1_3, DTLS_1_2]),
            supported_groups: Some(vec![0x11ec, 0x001d, 0x0017]),
            key_shares: Some(vec![
                KeyShareEntry {
                    group: 0x11ec,
                    key_exchange: vec![1; 1216],
                },
                KeyShareEntry {
                    group: 0x001d,
                    key_exchange: vec![2; 32],
                },
            ]),
            signature_algorithms: Some(vec![0x0403, 0x0804, 0x0401]),
            use_srtp: Some((vec![0x0007, 0x0008, 0x0001], vec![])),
            cookie: None,
            other_extensions: vec![],
        }
    }

    #[test]
    fn chromium_like_offer_round_trips() {
        let hello = chromium_like();
        let body = hello.encode().unwrap();
        assert!(body.len() > 1200, "{} bytes", body.len());
        let parsed = ClientHello13::parse(&body).unwrap();
        assert_eq!(parsed, hello);
        assert!(parsed.offers_dtls13());
        let mut retry = hello.clone();
        retry.cookie = Some(vec![3; 60]);
        retry.key_shares = Some(vec![KeyShareEntry {
            group: 0x0017,
            key_exchange: vec![4; 65],
        }]);
        assert_eq!(
            ClientHello13::parse(&retry.encode().unwrap()).unwrap(),
            retry
        );
    }

    #[test]
    fn a_dtls12_hello_parses_without_1_3_extensions() {
        let mut hello = chromium_like();
        hello.supported_versions = None;
        hello.key_shares = None;
        hello.legacy_cookie = vec![9; 32];
        let parsed = ClientHello13::parse(&hello.encode().unwrap()).unwrap();
        assert!(!parsed.offers_dtls13());
        assert_eq!(parsed.legacy_cookie, vec![9; 32]);
        // No extensions at all.
        let bare = [&hello.encode().unwrap()[..2 + 32 + 1 + 33 + 12 + 2], &[]].concat();
        let parsed = ClientHello13::parse(&bare).unwrap();
        assert_eq!(parsed.cipher_suites.len(), 5);
        assert_eq!(parsed.supported_versions, None);
    }

    #[test]
    fn hostile_bodies_are_errors() {
        let mut small = chromium_like();
        small.key_shares = Some(vec![KeyShareEntry {
            group: 0x001d,
            key_exchange: vec![2; 32],
        }]);
        let good = small.encode().unwrap();
        let fixed = 2 + 32 + 1 + 1 + 12 + 2;
        // Truncations inside the fixed part or the extensions (cutting
        // exactly before the extensions leaves a valid pre-1.3 hello).
        for cut in (0..good.len()).filter(|&c| c != fixed) {
            assert!(ClientHello13::parse(&good[..cut]).is_err(), "cut {cut}");
        }
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(ClientHello13::parse(&trailing).is_err());
        // No null compression method.
        let mut no_null = good.clone();
        no_null[fixed - 1] = 1;
        assert_eq!(
            ClientHello13::parse(&no_null),
            Err(Dtls13Error::Decode("no null compression method"))
        );
        // A session id of 33 bytes.
        let mut long_id = chromium_like();
        long_id.legacy_session_id = vec![0; 33];
        assert!(long_id.encode().is_err());
        // Extensions appended: a duplicate, pre_shared_key not last, a bad
        // supported_groups list.
        let with = |extra: &[u8]| {
            let ext_len = u16::from_be_bytes([good[fixed], good[fixed + 1]]) as usize + extra.len();
            let mut b = good[..fixed].to_vec();
            b.extend_from_slice(&(ext_len as u16).to_be_bytes());
            b.extend_from_slice(&good[fixed + 2..]);
            b.extend_from_slice(extra);
            b
        };
        assert_eq!(
            ClientHello13::parse(&with(&[0, 10, 0, 4, 0, 2, 0, 29])),
            Err(Dtls13Error::Decode("duplicate extension"))
        );
        assert_eq!(
            ClientHello13::parse(&with(&[0, 41, 0, 0, 0, 99, 0, 0])),
            Err(Dtls13Error::IllegalParameter("pre_shared_key is not last"))
        );
        assert!(
            ClientHello13::parse(&with(&[0, 41, 0, 0])).is_ok(),
            "pre_shared_key last"
        );
        let mut bad_groups = chromium_like();
        bad_groups.supported_groups = None;
        let base = bad_groups.encode().unwrap();
        let ext_len = u16::from_be_bytes([base[fixed], base[fixed + 1]]) as usize;
        let mut b = base[..fixed].to_vec();
        b.extend_from_slice(&((ext_len + 7) as u16).to_be_bytes());
        b.extend_from_slice(&base[fixed + 2..]);
        b.extend_from_slice(&[0, 10, 0, 3, 0, 1, 29]);
        assert!(ClientHello13::parse(&b).is_err());
    }
}
