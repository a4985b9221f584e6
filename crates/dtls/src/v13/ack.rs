//! The ACK message (RFC 9147 §7): the record numbers (epoch and sequence
//! number, 64 bits each) of handshake records received, sent as content
//! type ack (26).
//!
//! ```text
//! struct { uint64 epoch; uint64 sequence_number; } RecordNumber;
//! struct { RecordNumber record_numbers<0..2^16-1>; } ACK;
//! ```

use super::error::Dtls13Error;
use crate::codec::{put_vec16, Reader};

/// The bytes of one RecordNumber.
const RECORD_NUMBER_LEN: usize = 16;
/// The most record numbers one ACK holds (the vector's 2^16 − 1 bytes).
pub(crate) const MAX_RECORD_NUMBERS: usize = u16::MAX as usize / RECORD_NUMBER_LEN;

/// A record's epoch and sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RecordNumber {
    /// The full epoch.
    pub(crate) epoch: u64,
    /// The full sequence number.
    pub(crate) sequence_number: u64,
}

/// Appends an ACK body. RFC 9147 §7 has the list in ascending order; the
/// caller's order is kept (sort before if needed).
pub(crate) fn encode_ack(
    record_numbers: &[RecordNumber],
    out: &mut Vec<u8>,
) -> Result<(), Dtls13Error> {
    if record_numbers.len() > MAX_RECORD_NUMBERS {
        return Err(Dtls13Error::TooLarge("ACK"));
    }
    let mut body = Vec::with_capacity(record_numbers.len() * RECORD_NUMBER_LEN);
    for rn in record_numbers {
        body.extend_from_slice(&rn.epoch.to_be_bytes());
        body.extend_from_slice(&rn.sequence_number.to_be_bytes());
    }
    put_vec16(out, &body);
    Ok(())
}

/// Parses an ACK body: a length that is not a multiple of 16 or trailing
/// bytes are errors; an empty list is allowed.
pub(crate) fn parse_ack(body: &[u8]) -> Result<Vec<RecordNumber>, Dtls13Error> {
    let mut r = Reader::new(body, "ACK");
    let list = r.vec16()?;
    r.finish()?;
    if list.len() % RECORD_NUMBER_LEN != 0 {
        return Err(Dtls13Error::Decode("ACK"));
    }
    Ok(list
        .chunks_exact(RECORD_NUMBER_LEN)
        .map(|c| {
            let mut epoch = [0u8; 8];
            let mut seq = [0u8; 8];
            epoch.copy_from_slice(&c[..8]);
            seq.copy_from_slice(&c[8..]);
            RecordNumber {
                epoch: u64::from_be_bytes(epoch),
                sequence_number: u64::from_be_bytes(seq),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_the_rfc_layout() {
        let numbers = [
            RecordNumber {
                epoch: 2,
                sequence_number: 0,
            },
            RecordNumber {
                epoch: 2,
                sequence_number: 1,
            },
            RecordNumber {
                epoch: 3,
                sequence_number: 0x0102_0304_0506,
            },
        ];
        let mut body = Vec::new();
        encode_ack(&numbers, &mut body).unwrap();
        assert_eq!(body.len(), 2 + 48);
        assert_eq!(body[..2], [0, 48]);
        assert_eq!(
            body[2..18],
            [0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(parse_ack(&body).unwrap(), numbers);
        let mut empty = Vec::new();
        encode_ack(&[], &mut empty).unwrap();
        assert_eq!(empty, [0, 0]);
        assert_eq!(parse_ack(&empty).unwrap(), []);
    }

    #[test]
    fn hostile_bodies_are_errors() {
        let mut body = Vec::new();
        encode_ack(
            &[RecordNumber {
                epoch: 2,
                sequence_number: 9,
            }],
            &mut body,
        )
        .unwrap();
        for cut in 0..body.len() {
            assert!(parse_ack(&body[..cut]).is_err(), "cut {cut}");
        }
        let mut trailing = body.clone();
        trailing.push(0);
        assert!(parse_ack(&trailing).is_err());
        let mut not_multiple = vec![0, 15];
        not_multiple.extend([0u8; 15]);
        assert_eq!(parse_ack(&not_multiple), Err(Dtls13Error::Decode("ACK")));
        let many = vec![
            RecordNumber {
                epoch: 0,
                sequence_number: 0
            };
            MAX_RECORD_NUMBERS + 1
        ];
        assert!(encode_ack(&many, &mut Vec::new()).is_err());
        let mut max = Vec::new();
        encode_ack(&many[..MAX_RECORD_NUMBERS], &mut max).unwrap();
        assert_eq!(parse_ack(&max).unwrap().len(), MAX_RECORD_NUMBERS);
    }
}
