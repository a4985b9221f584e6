//! The supported_versions extension (RFC 8446 §4.2.1) with DTLS's version
//! numbers (RFC 9147 §5.3): a list in the ClientHello, the selected
//! version in the ServerHello and HelloRetryRequest.

use super::error::Dtls13Error;
use crate::codec::{put_vec8, Reader};

/// The extension type.
pub(crate) const EXTENSION_TYPE: u16 = 43;
/// DTLS 1.3 on the wire ({254, 252}).
pub(crate) const DTLS_1_3: u16 = 0xfefc;
/// DTLS 1.2 on the wire ({254, 253}).
pub(crate) const DTLS_1_2: u16 = 0xfefd;

/// Appends the ClientHello form: `ProtocolVersion versions<2..254>`.
pub(crate) fn encode_client(versions: &[u16], out: &mut Vec<u8>) -> Result<(), Dtls13Error> {
    if versions.is_empty() || versions.len() > 127 {
        return Err(Dtls13Error::TooLarge("supported_versions list"));
    }
    let body: Vec<u8> = versions.iter().flat_map(|v| v.to_be_bytes()).collect();
    put_vec8(out, &body);
    Ok(())
}

/// Parses the ClientHello form. An empty or odd-length list, or trailing
/// bytes, are errors.
pub(crate) fn parse_client(body: &[u8]) -> Result<Vec<u16>, Dtls13Error> {
    let mut r = Reader::new(body, "supported_versions");
    let list = r.vec8()?;
    r.finish()?;
    if list.is_empty() || list.len() % 2 != 0 {
        return Err(Dtls13Error::Decode("supported_versions"));
    }
    Ok(list
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect())
}

/// Appends the ServerHello / HelloRetryRequest form: `selected_version`.
pub(crate) fn encode_server(version: u16, out: &mut Vec<u8>) {
    out.extend_from_slice(&version.to_be_bytes());
}

/// Parses the ServerHello / HelloRetryRequest form.
pub(crate) fn parse_server(body: &[u8]) -> Result<u16, Dtls13Error> {
    let mut r = Reader::new(body, "supported_versions");
    let version = r.u16()?;
    r.finish()?;
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chromium's offer: DTLS 1.3 then DTLS 1.2.
    #[test]
    fn chromium_offer_round_trips() {
        let mut out = Vec::new();
        encode_client(&[DTLS_1_3, DTLS_1_2], &mut out).unwrap();
        assert_eq!(out, [4, 0xfe, 0xfc, 0xfe, 0xfd]);
        assert_eq!(parse_client(&out).unwrap(), [DTLS_1_3, DTLS_1_2]);
        let mut out = Vec::new();
        encode_server(DTLS_1_3, &mut out);
        assert_eq!(parse_server(&out).unwrap(), DTLS_1_3);
    }

    /// RFC 8448 §3's ClientHello and ServerHello carry TLS 1.3 (0x0304):
    /// `00 2b 00 03 02 03 04` and `00 2b 00 02 03 04`.
    #[test]
    fn rfc8448_bodies() {
        assert_eq!(parse_client(&[0x02, 0x03, 0x04]).unwrap(), [0x0304]);
        assert_eq!(parse_server(&[0x03, 0x04]).unwrap(), 0x0304);
    }

    #[test]
    fn hostile_bodies_are_errors() {
        for bad in [
            &[][..],
            &[0],
            &[1, 0xfe],
            &[3, 0xfe, 0xfc, 0xfe],
            &[4, 0xfe, 0xfc],
            &[2, 0xfe, 0xfc, 0],
        ] {
            assert!(parse_client(bad).is_err(), "{bad:?}");
        }
        for bad in [&[][..], &[0xfe], &[0xfe, 0xfc, 0]] {
            assert!(parse_server(bad).is_err(), "{bad:?}");
        }
        assert!(encode_client(&[], &mut Vec::new()).is_err());
        assert!(encode_client(&[DTLS_1_3; 128], &mut Vec::new()).is_err());
        let mut max = Vec::new();
        encode_client(&[DTLS_1_3; 127], &mut max).unwrap();
        assert_eq!(parse_client(&max).unwrap().len(), 127);
    }
}
