//! The TLS 1.3 Certificate message (RFC 8446 §4.4.2), which DTLS 1.3 uses
//! unchanged: a request context and a list of entries, each a DER
//! certificate with its own extensions (OCSP, SCT: none from WebRTC).
//!
//! ```text
//! opaque certificate_request_context<0..2^8-1>;
//! CertificateEntry certificate_list<0..2^24-1>;
//!   CertificateEntry = opaque cert_data<1..2^24-1> ‖ Extension extensions<0..2^16-1>
//! ```

use super::error::Dtls13Error;
use crate::codec::{put_vec16, put_vec24, put_vec8, Reader};

/// The most certificates we read from one message (a WebRTC peer sends
/// one self-signed certificate).
pub(crate) const MAX_CERTIFICATES: usize = 16;

/// A Certificate message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CertificateMessage {
    /// certificate_request_context (empty in a server's Certificate).
    pub(crate) request_context: Vec<u8>,
    /// The DER certificates, leaf first.
    pub(crate) certificates: Vec<Vec<u8>>,
}

impl CertificateMessage {
    /// The message body (each entry with empty extensions).
    pub(crate) fn encode(&self) -> Result<Vec<u8>, Dtls13Error> {
        if self.request_context.len() > 255 {
            return Err(Dtls13Error::TooLarge("certificate_request_context"));
        }
        let mut list = Vec::new();
        for cert in &self.certificates {
            if cert.is_empty() || cert.len() >= 1 << 24 {
                return Err(Dtls13Error::TooLarge("cert_data"));
            }
            put_vec24(&mut list, cert);
            put_vec16(&mut list, &[]);
        }
        if list.len() >= 1 << 24 {
            return Err(Dtls13Error::TooLarge("certificate_list"));
        }
        let mut body = Vec::with_capacity(4 + self.request_context.len() + list.len());
        put_vec8(&mut body, &self.request_context);
        put_vec24(&mut body, &list);
        Ok(body)
    }

    /// Parses a message body. Empty cert_data, more than
    /// [`MAX_CERTIFICATES`] entries, malformed entry extensions and
    /// trailing bytes are errors; an empty list is allowed (a client
    /// without a certificate), the caller decides.
    pub(crate) fn parse(body: &[u8]) -> Result<Self, Dtls13Error> {
        let mut r = Reader::new(body, "Certificate");
        let request_context = r.vec8()?.to_vec();
        let mut list = Reader::new(r.vec24()?, "Certificate");
        r.finish()?;
        let mut certificates = Vec::new();
        while !list.is_empty() {
            if certificates.len() == MAX_CERTIFICATES {
                return Err(Dtls13Error::TooLarge("certificate_list"));
            }
            let cert = list.vec24()?;
            if cert.is_empty() {
                return Err(Dtls13Error::Decode("empty cert_data"));
            }
            let mut extensions = list.sub16()?;
            while !extensions.is_empty() {
                extensions.u16()?;
                extensions.vec16()?;
            }
            certificates.push(cert.to_vec());
        }
        Ok(CertificateMessage {
            request_context,
            certificates,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v13::test_support::Vectors;

    /// RFC 8448 §3's server Certificate message parses to its one RSA
    /// certificate and encodes back to the same bytes.
    #[test]
    fn rfc8448_certificate_message() {
        let v = Vectors::parse(include_str!(
            "../../tests/data/tls13-rfc8448-handshake-messages.json"
        ));
        let message = v.get("certificate_message");
        let parsed = CertificateMessage::parse(&message[4..]).unwrap();
        assert_eq!(parsed.request_context, b"");
        assert_eq!(parsed.certificates, [v.get("server_certificate_der")]);
        assert_eq!(parsed.encode().unwrap(), message[4..]);
    }

    #[test]
    fn round_trips_and_hostile_bodies_fail() {
        let msg = CertificateMessage {
            request_context: vec![1, 2],
            certificates: vec![vec![0x30; 100], vec![0x31; 5]],
        };
        let body = msg.encode().unwrap();
        assert_eq!(CertificateMessage::parse(&body).unwrap(), msg);
        for cut in 0..body.len() {
            assert!(
                CertificateMessage::parse(&body[..cut]).is_err(),
                "cut {cut}"
            );
        }
        let mut trailing = body.clone();
        trailing.push(0);
        assert!(CertificateMessage::parse(&trailing).is_err());
        // An entry with extensions is read past.
        let with_ext = [0u8, 0, 0, 12, 0, 0, 2, 0x30, 0x00, 0, 5, 0, 5, 0, 1, 9];
        let parsed = CertificateMessage::parse(&with_ext[..]).unwrap();
        assert_eq!(parsed.certificates, [vec![0x30, 0x00]]);
        // Empty cert_data; too many certificates; an empty list is fine.
        assert!(CertificateMessage::parse(&[0, 0, 0, 5, 0, 0, 0, 0, 0]).is_err());
        let many = CertificateMessage {
            request_context: vec![],
            certificates: vec![vec![1]; MAX_CERTIFICATES + 1],
        };
        assert!(CertificateMessage::parse(&many.encode().unwrap()).is_err());
        let empty = CertificateMessage::default();
        assert_eq!(
            CertificateMessage::parse(&empty.encode().unwrap()).unwrap(),
            empty
        );
        assert!(CertificateMessage {
            request_context: vec![],
            certificates: vec![vec![]]
        }
        .encode()
        .is_err());
    }
}
