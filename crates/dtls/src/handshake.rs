//! The DTLS handshake header and fragments (RFC 6347 §4.2.2–4.2.3).

use crate::codec::{put_u16, put_u24, Reader};
use crate::error::DtlsError;

/// The DTLS handshake header length.
pub(crate) const HEADER_LEN: usize = 12;

/// Handshake message types (RFC 5246 §7.4, RFC 6347 §4.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HandshakeType {
    HelloRequest = 0,
    ClientHello = 1,
    ServerHello = 2,
    HelloVerifyRequest = 3,
    Certificate = 11,
    ServerKeyExchange = 12,
    CertificateRequest = 13,
    ServerHelloDone = 14,
    CertificateVerify = 15,
    ClientKeyExchange = 16,
    Finished = 20,
}

impl HandshakeType {
    pub(crate) fn from_u8(v: u8) -> Option<Self> {
        use HandshakeType::*;
        Some(match v {
            0 => HelloRequest,
            1 => ClientHello,
            2 => ServerHello,
            3 => HelloVerifyRequest,
            11 => Certificate,
            12 => ServerKeyExchange,
            13 => CertificateRequest,
            14 => ServerHelloDone,
            15 => CertificateVerify,
            16 => ClientKeyExchange,
            20 => Finished,
            _ => return None,
        })
    }
}

/// One handshake fragment as it appears in a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fragment<'a> {
    pub(crate) msg_type: u8,
    pub(crate) length: u32,
    pub(crate) message_seq: u16,
    pub(crate) offset: u32,
    pub(crate) body: &'a [u8],
}

/// Every fragment in a handshake record (a record may carry several).
pub(crate) fn parse_fragments(payload: &[u8]) -> Result<Vec<Fragment<'_>>, DtlsError> {
    let mut r = Reader::new(payload, "handshake fragment");
    let mut out = Vec::new();
    while !r.is_empty() {
        let msg_type = r.u8()?;
        let length = r.u24()?;
        let message_seq = r.u16()?;
        let offset = r.u24()?;
        let body = r.vec24()?;
        if u64::from(offset) + body.len() as u64 > u64::from(length) {
            return Err(DtlsError::Decode("handshake fragment range"));
        }
        out.push(Fragment {
            msg_type,
            length,
            message_seq,
            offset,
            body,
        });
    }
    Ok(out)
}

/// Appends one fragment (header + body) to `out`.
pub(crate) fn encode_fragment(
    out: &mut Vec<u8>,
    msg_type: u8,
    length: usize,
    message_seq: u16,
    offset: usize,
    body: &[u8],
) {
    out.push(msg_type);
    put_u24(out, length as u32);
    put_u16(out, message_seq);
    put_u24(out, offset as u32);
    put_u24(out, body.len() as u32);
    out.extend_from_slice(body);
}

/// A whole message as the transcript hashes it: a single fragment with
/// offset 0 and fragment_length = length (RFC 6347 §4.2.6).
pub(crate) fn full_message(msg_type: HandshakeType, message_seq: u16, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    encode_fragment(&mut out, msg_type as u8, body.len(), message_seq, 0, body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_round_trip_and_bad_ranges_fail() {
        let mut rec = Vec::new();
        encode_fragment(&mut rec, 11, 10, 3, 4, b"abcd");
        encode_fragment(&mut rec, 11, 10, 3, 0, b"wxyz");
        let f = parse_fragments(&rec).unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].msg_type, f[0].length, f[0].message_seq), (11, 10, 3));
        assert_eq!((f[0].offset, f[0].body), (4, &b"abcd"[..]));
        let mut bad = Vec::new();
        encode_fragment(&mut bad, 11, 5, 3, 4, b"abcd");
        assert!(parse_fragments(&bad).is_err());
        assert!(parse_fragments(&rec[..rec.len() - 1]).is_err());
        assert_eq!(full_message(HandshakeType::Finished, 5, b"x").len(), 13);
    }
}
