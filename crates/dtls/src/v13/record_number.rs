//! Sequence number and epoch reconstruction (RFC 9147 §4.2.2): the unified
//! header carries only the low 8 or 16 bits of the sequence number and the
//! low 2 bits of the epoch; the receiver picks the full value closest to
//! what it expects (the same rule as QUIC's packet numbers, RFC 9000
//! §A.3).

use super::record_header::SequenceNumberBits;

/// The largest DTLS 1.3 record sequence number we send or accept: the
/// 48 bits a DTLSPlaintext carries, kept for ciphertext too (keys must be
/// updated long before, RFC 9147 §4.5.3).
pub(crate) const MAX_SEQUENCE_NUMBER: u64 = (1 << 48) - 1;

/// The value with low `width` bits `truncated` closest to `expected`,
/// within `0..=max`.
fn closest(expected: u64, truncated: u64, width: u32, max: u64) -> u64 {
    let window = 1u64 << width;
    let half = window / 2;
    let mask = window - 1;
    let candidate = (expected & !mask) | (truncated & mask);
    let forward = candidate.checked_add(window).filter(|&c| c <= max);
    if let (true, Some(forward)) = (candidate.saturating_add(half) <= expected, forward) {
        forward
    } else if candidate > expected.saturating_add(half) && candidate >= window {
        candidate - window
    } else {
        candidate
    }
}

/// The full sequence number of a record whose header carries `bits`, when
/// the next expected number is one above the highest successfully
/// deprotected record of its epoch (0 before any).
pub(crate) fn reconstruct_sequence_number(next_expected: u64, bits: SequenceNumberBits) -> u64 {
    closest(
        next_expected.min(MAX_SEQUENCE_NUMBER),
        bits.value(),
        bits.width(),
        MAX_SEQUENCE_NUMBER,
    )
}

/// The full epoch of a record whose header carries the epoch's low two
/// bits: the epoch with those bits closest to `current_epoch` (during the
/// handshake the peer moves at most one epoch ahead or stays one behind).
pub(crate) fn reconstruct_epoch(current_epoch: u64, low_bits: u8) -> u64 {
    closest(current_epoch, u64::from(low_bits & 3), 2, u64::MAX >> 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eight(v: u8) -> SequenceNumberBits {
        SequenceNumberBits::Eight(v)
    }

    fn sixteen(v: u16) -> SequenceNumberBits {
        SequenceNumberBits::Sixteen(v)
    }

    /// RFC 9000 §A.3's example: largest 0xa82f30ea, 16 bits 0x9b32 →
    /// 0xa82f9b32.
    #[test]
    fn rfc9000_example() {
        assert_eq!(
            reconstruct_sequence_number(0xa82f_30eb, sixteen(0x9b32)),
            0xa82f_9b32
        );
    }

    #[test]
    fn picks_the_closest_value() {
        // Start of an epoch.
        assert_eq!(reconstruct_sequence_number(0, eight(0)), 0);
        assert_eq!(reconstruct_sequence_number(0, eight(5)), 5);
        assert_eq!(reconstruct_sequence_number(0, eight(200)), 200);
        // Just past a wrap of the low byte, forwards and backwards.
        assert_eq!(reconstruct_sequence_number(0x1fe, eight(0x02)), 0x202);
        assert_eq!(reconstruct_sequence_number(0x202, eight(0xfe)), 0x1fe);
        assert_eq!(
            reconstruct_sequence_number(0x1_0000, sixteen(0xffff)),
            0xffff
        );
        assert_eq!(
            reconstruct_sequence_number(0xfff0, sixteen(0x0005)),
            0x1_0005
        );
        // A late record far behind within half a window.
        assert_eq!(
            reconstruct_sequence_number(1000, eight((1000u64 - 127) as u8)),
            873
        );
        // Never beyond the 48-bit limit.
        assert_eq!(
            reconstruct_sequence_number(MAX_SEQUENCE_NUMBER, sixteen(0x0001)),
            MAX_SEQUENCE_NUMBER - 0xfffe
        );
        assert!(reconstruct_sequence_number(u64::MAX, eight(0)) <= MAX_SEQUENCE_NUMBER);
    }

    /// Every value within half a window of the expected one comes back.
    #[test]
    fn round_trips_near_the_expected_value() {
        for expected in [0u64, 1, 127, 128, 255, 256, 1000, 65_535, 65_536, 1 << 40] {
            for offset in -100i64..100 {
                let actual = expected as i64 + offset;
                if actual < 0 {
                    continue;
                }
                let actual = actual as u64;
                assert_eq!(
                    reconstruct_sequence_number(
                        expected,
                        SequenceNumberBits::truncate(actual, true)
                    ),
                    actual
                );
                if offset.abs() < 127 {
                    assert_eq!(
                        reconstruct_sequence_number(
                            expected,
                            SequenceNumberBits::truncate(actual, false)
                        ),
                        actual,
                        "{expected} {offset}"
                    );
                }
            }
        }
    }

    #[test]
    fn epochs_near_the_current_one() {
        // Handshake: epoch 2 (handshake) while current is 2; next is 3.
        assert_eq!(reconstruct_epoch(2, 2), 2);
        assert_eq!(reconstruct_epoch(2, 3), 3);
        assert_eq!(reconstruct_epoch(3, 2), 2, "a handshake retransmission");
        // Key updates past epoch 3.
        assert_eq!(reconstruct_epoch(3, 0), 4);
        assert_eq!(reconstruct_epoch(4, 3), 3);
        assert_eq!(reconstruct_epoch(4, 1), 5);
        assert_eq!(reconstruct_epoch(1001, 2), 1002);
        assert_eq!(reconstruct_epoch(1001, 0), 1000);
        assert_eq!(reconstruct_epoch(0, 3), 3);
    }
}
