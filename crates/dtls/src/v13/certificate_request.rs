//! The 1.3 CertificateRequest (RFC 8446 §4.3.2): a request context and
//! extensions, of which signature_algorithms is required.
//!
//! ```text
//! struct {
//!     opaque certificate_request_context<0..2^8-1>;
//!     Extension extensions<2..2^16-1>;
//! } CertificateRequest;
//! ```

use super::client_hello::SIGNATURE_ALGORITHMS;
use super::error::Dtls13Error;
use crate::codec::{put_u16, put_u16s, put_vec16, put_vec8, u16s, Reader};

/// A CertificateRequest as we send and read it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct CertificateRequest {
    /// certificate_request_context (empty in a handshake).
    pub(crate) context: Vec<u8>,
    /// The signature schemes accepted for the peer's CertificateVerify.
    pub(crate) signature_algorithms: Vec<u16>,
}

impl CertificateRequest {
    /// The message body.
    pub(crate) fn encode(&self) -> Result<Vec<u8>, Dtls13Error> {
        if self.context.len() > usize::from(u8::MAX) || self.signature_algorithms.is_empty() {
            return Err(Dtls13Error::TooLarge("CertificateRequest"));
        }
        let mut out = Vec::new();
        put_vec8(&mut out, &self.context);
        let mut schemes = Vec::new();
        put_u16s(&mut schemes, &self.signature_algorithms);
        let mut data = Vec::new();
        put_vec16(&mut data, &schemes);
        let mut extension = Vec::new();
        put_u16(&mut extension, SIGNATURE_ALGORITHMS);
        put_vec16(&mut extension, &data);
        put_vec16(&mut out, &extension);
        Ok(out)
    }

    /// Parses a body; unknown extensions are skipped, duplicates and a
    /// missing signature_algorithms are errors.
    pub(crate) fn parse(body: &[u8]) -> Result<Self, Dtls13Error> {
        let mut r = Reader::new(body, "CertificateRequest");
        let context = r.vec8()?.to_vec();
        let mut extensions = Reader::new(r.vec16()?, "CertificateRequest extensions");
        r.finish()?;
        let mut seen = Vec::new();
        let mut signature_algorithms = None;
        while !extensions.is_empty() {
            let kind = extensions.u16()?;
            let data = extensions.vec16()?;
            if seen.contains(&kind) {
                return Err(Dtls13Error::Decode(
                    "duplicate CertificateRequest extension",
                ));
            }
            seen.push(kind);
            if kind == SIGNATURE_ALGORITHMS {
                let mut inner = Reader::new(data, "signature_algorithms");
                let list = u16s(inner.vec16()?, "signature_algorithms")?;
                inner.finish()?;
                if list.is_empty() {
                    return Err(Dtls13Error::Decode("empty signature_algorithms"));
                }
                signature_algorithms = Some(list);
            }
        }
        Ok(Self {
            context,
            signature_algorithms: signature_algorithms.ok_or(Dtls13Error::Decode(
                "CertificateRequest without signature_algorithms",
            ))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_malformed_bodies() {
        let request = CertificateRequest {
            context: vec![],
            signature_algorithms: vec![0x0403, 0x0804],
        };
        let body = request.encode().unwrap();
        assert_eq!(
            body,
            [0, 0, 10, 0, 13, 0, 6, 0, 4, 4, 3, 8, 4],
            "context, extensions, signature_algorithms"
        );
        assert_eq!(CertificateRequest::parse(&body).unwrap(), request);
        for cut in 0..body.len() {
            assert!(
                CertificateRequest::parse(&body[..cut]).is_err(),
                "cut {cut}"
            );
        }
        let mut trailing = body.clone();
        trailing.push(0);
        assert!(CertificateRequest::parse(&trailing).is_err());
        // No signature_algorithms: only an unknown extension.
        assert!(CertificateRequest::parse(&[0, 0, 4, 0xaa, 0xaa, 0, 0]).is_err());
        // Duplicate signature_algorithms.
        let mut duplicate = vec![0, 0, 20];
        duplicate.extend_from_slice(&body[3..]);
        duplicate.extend_from_slice(&body[3..]);
        assert!(CertificateRequest::parse(&duplicate).is_err());
    }
}
