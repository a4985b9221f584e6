//! The DTLS 1.2 record header (RFC 6347 §4.1) and splitting a datagram into
//! records.

use crate::codec::Reader;
use crate::error::DtlsError;

/// The record header length.
pub(crate) const HEADER_LEN: usize = 13;
/// DTLS 1.2 on the wire.
pub(crate) const DTLS12: u16 = 0xFEFD;
/// DTLS 1.0 on the wire (allowed in the record version of a ClientHello).
pub(crate) const DTLS10: u16 = 0xFEFF;
/// The largest sequence number (2^48 - 1).
pub(crate) const MAX_SEQ: u64 = (1 << 48) - 1;
/// The largest record payload we accept: 2^14 plaintext + 2048 (RFC 5246 §6.2.3).
pub(crate) const MAX_RECORD_PAYLOAD: usize = (1 << 14) + 2048;

/// Record content types (RFC 5246 §6.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContentType {
    ChangeCipherSpec = 20,
    Alert = 21,
    Handshake = 22,
    ApplicationData = 23,
}

impl ContentType {
    pub(crate) fn from_u8(v: u8) -> Option<Self> {
        Some(match v {
            20 => ContentType::ChangeCipherSpec,
            21 => ContentType::Alert,
            22 => ContentType::Handshake,
            23 => ContentType::ApplicationData,
            _ => return None,
        })
    }
}

/// A parsed record header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordHeader {
    pub(crate) content_type: ContentType,
    pub(crate) version: u16,
    pub(crate) epoch: u16,
    pub(crate) seq: u64,
}

impl RecordHeader {
    /// The 13-byte header for a payload of `len` bytes.
    pub(crate) fn encode(&self, len: usize, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.wire_bytes(len));
    }

    /// [`Self::encode`]'s bytes.
    pub(crate) fn wire_bytes(&self, len: usize) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0] = self.content_type as u8;
        b[1..3].copy_from_slice(&self.version.to_be_bytes());
        b[3..5].copy_from_slice(&self.epoch.to_be_bytes());
        b[5..11].copy_from_slice(&self.seq.to_be_bytes()[2..]);
        b[11..].copy_from_slice(&(len as u16).to_be_bytes());
        b
    }

    /// The AEAD additional data (RFC 5246 §6.2.3.3): seq_num(8) ‖ type ‖
    /// version ‖ plaintext length.
    pub(crate) fn aad(&self, plaintext_len: usize) -> [u8; 13] {
        let mut aad = [0u8; 13];
        aad[..8].copy_from_slice(&self.epoch_seq().to_be_bytes());
        aad[8] = self.content_type as u8;
        aad[9..11].copy_from_slice(&self.version.to_be_bytes());
        aad[11..].copy_from_slice(&(plaintext_len as u16).to_be_bytes());
        aad
    }

    /// epoch ‖ 48-bit sequence number, the 64-bit "sequence number" of TLS.
    pub(crate) fn epoch_seq(&self) -> u64 {
        (u64::from(self.epoch) << 48) | self.seq
    }
}

/// The records of a datagram, framed one at a time as they are asked for
/// (no list is made: a datagram on the data path is one record). A
/// malformed record ends the datagram (the rest cannot be framed): it is
/// yielded as the error, and nothing follows it.
#[derive(Debug, Clone)]
pub(crate) struct Records<'a> {
    r: Reader<'a>,
    failed: bool,
}

impl<'a> Records<'a> {
    pub(crate) fn new(datagram: &'a [u8]) -> Self {
        Self {
            r: Reader::new(datagram, "record"),
            failed: false,
        }
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<(RecordHeader, &'a [u8]), DtlsError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.r.is_empty() {
            return None;
        }
        let rec = parse_one(&mut self.r);
        self.failed = rec.is_err();
        Some(rec)
    }
}

/// Splits a datagram into records. A malformed record ends the datagram
/// (the rest cannot be framed); what was framed before it is returned.
#[cfg(test)]
pub(crate) fn split_records(datagram: &[u8]) -> (Vec<(RecordHeader, &[u8])>, Option<DtlsError>) {
    let mut out = Vec::new();
    for rec in Records::new(datagram) {
        match rec {
            Ok(rec) => out.push(rec),
            Err(e) => return (out, Some(e)),
        }
    }
    (out, None)
}

fn parse_one<'a>(r: &mut Reader<'a>) -> Result<(RecordHeader, &'a [u8]), DtlsError> {
    let ct = r.u8()?;
    let content_type = ContentType::from_u8(ct).ok_or(DtlsError::Decode("record content type"))?;
    let version = r.u16()?;
    if version != DTLS12 && version != DTLS10 {
        return Err(DtlsError::Decode("record version"));
    }
    let epoch = r.u16()?;
    let seq = r.u48()?;
    let payload = r.vec16()?;
    if payload.len() > MAX_RECORD_PAYLOAD {
        return Err(DtlsError::TooLarge("record payload"));
    }
    Ok((
        RecordHeader {
            content_type,
            version,
            epoch,
            seq,
        },
        payload,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips_and_several_records_split() {
        let h = RecordHeader {
            content_type: ContentType::Handshake,
            version: DTLS12,
            epoch: 1,
            seq: 0x0000_1234_5678,
        };
        let mut dgram = Vec::new();
        h.encode(3, &mut dgram);
        dgram.extend_from_slice(b"abc");
        let h2 = RecordHeader {
            content_type: ContentType::ApplicationData,
            seq: MAX_SEQ,
            ..h
        };
        h2.encode(0, &mut dgram);
        let (recs, err) = split_records(&dgram);
        assert!(err.is_none());
        assert_eq!(recs, vec![(h, &b"abc"[..]), (h2, &b""[..])]);
        assert_eq!(h.epoch_seq(), (1 << 48) | 0x1234_5678);
    }

    #[test]
    fn truncated_or_unknown_records_stop_the_split() {
        let h = RecordHeader {
            content_type: ContentType::Alert,
            version: DTLS12,
            epoch: 0,
            seq: 1,
        };
        let mut dgram = Vec::new();
        h.encode(2, &mut dgram);
        dgram.extend_from_slice(&[1, 0]);
        let mut bad = dgram.clone();
        bad.extend_from_slice(&[22, 0xfe, 0xfd, 0, 0]); // truncated header
        let (recs, err) = split_records(&bad);
        assert_eq!(recs.len(), 1);
        assert!(err.is_some());
        let mut wrong_type = vec![99];
        wrong_type.extend_from_slice(&dgram[1..]);
        let (recs, err) = split_records(&wrong_type);
        assert!(recs.is_empty());
        assert_eq!(err, Some(DtlsError::Decode("record content type")));
        let mut wrong_version = dgram.clone();
        wrong_version[1..3].copy_from_slice(&[3, 3]);
        assert!(split_records(&wrong_version).1.is_some());
        let mut long = dgram.clone();
        long[11..13].copy_from_slice(&[0xff, 0xff]);
        assert!(split_records(&long).1.is_some());
        // The iterator stops at the first malformed record: one error, then
        // nothing, even if well-formed bytes follow it.
        let mut bad_then_good = vec![99];
        bad_then_good.extend_from_slice(&dgram[1..]);
        bad_then_good.extend_from_slice(&dgram);
        let items: Vec<_> = Records::new(&bad_then_good).collect();
        assert_eq!(items, vec![Err(DtlsError::Decode("record content type"))]);
        assert_eq!(Records::new(&[]).count(), 0);
        // A record whose payload is over the limit is refused, not framed.
        let mut oversized = Vec::new();
        h.encode(MAX_RECORD_PAYLOAD + 1, &mut oversized);
        oversized.resize(HEADER_LEN + MAX_RECORD_PAYLOAD + 1, 0);
        assert_eq!(
            Records::new(&oversized).collect::<Vec<_>>(),
            vec![Err(DtlsError::TooLarge("record payload"))]
        );
    }
}
