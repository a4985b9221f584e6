//! The SCTP checksum (RFC 9260 Appendix A): CRC-32c over the whole packet
//! with the checksum field zeroed, written least significant byte first.

/// Offset of the checksum field in the common header.
const CHECKSUM_OFFSET: usize = 8;

/// Computes the CRC-32c of `packet` as if its checksum field were zero.
/// `packet` must hold at least the 12-byte common header.
pub(crate) fn packet_checksum(packet: &[u8]) -> u32 {
    // The common header with the field zeroed, then the rest: two passes.
    let mut header = [0u8; 12];
    let n = packet.len().min(12);
    header[..n].copy_from_slice(&packet[..n]);
    header[CHECKSUM_OFFSET..CHECKSUM_OFFSET + 4].fill(0);
    let mut digest = crc_fast::Digest::new(crc_fast::CrcAlgorithm::Crc32Iscsi);
    digest.update(&header[..n]);
    digest.update(packet.get(12..).unwrap_or(&[]));
    digest.finalize() as u32
}

/// Reads the checksum field as transmitted (little-endian).
pub(crate) fn stored_checksum(packet: &[u8]) -> Option<u32> {
    let field = packet.get(CHECKSUM_OFFSET..CHECKSUM_OFFSET + 4)?;
    Some(u32::from_le_bytes([field[0], field[1], field[2], field[3]]))
}

/// Writes the checksum of `packet` into its header. With `zero` the field
/// is left at zero (RFC 9653 alternate error detection).
pub(crate) fn seal(packet: &mut [u8], zero: bool) {
    if let Some(field) = packet.get_mut(CHECKSUM_OFFSET..CHECKSUM_OFFSET + 4) {
        field.fill(0);
    }
    // The field is zero now: one pass over the whole packet.
    let value = if zero { 0 } else { crc32c_of(packet) };
    if let Some(field) = packet.get_mut(CHECKSUM_OFFSET..CHECKSUM_OFFSET + 4) {
        field.copy_from_slice(&value.to_le_bytes());
    }
}

/// Checks the checksum of a received packet. With `accept_zero`, a zero
/// field is accepted without computing anything (RFC 9653).
pub(crate) fn verify(packet: &[u8], accept_zero: bool) -> bool {
    match stored_checksum(packet) {
        None => false,
        Some(0) if accept_zero => true,
        Some(stored) => stored == packet_checksum(packet),
    }
}

/// Checks the checksum of a received packet that may be changed: the
/// field is zeroed in place, so the CRC is one pass over the packet. With
/// `accept_zero`, a zero field is accepted without computing anything.
pub(crate) fn verify_in_place(packet: &mut [u8], accept_zero: bool) -> bool {
    let Some(stored) = stored_checksum(packet) else {
        return false;
    };
    if stored == 0 && accept_zero {
        return true;
    }
    if let Some(field) = packet.get_mut(CHECKSUM_OFFSET..CHECKSUM_OFFSET + 4) {
        field.fill(0);
    }
    stored == crc32c_of(packet)
}

/// CRC-32c (Castagnoli, as iSCSI uses it) of `bytes`.
fn crc32c_of(bytes: &[u8]) -> u32 {
    crc_fast::checksum(crc_fast::CrcAlgorithm::Crc32Iscsi, bytes) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared vectors (`../shared/conformance/vectors/sctp-crc32c.json`,
    /// copied into the crate): the catalogue check value and RFC 3720 B.4.
    fn vectors() -> Vec<(Vec<u8>, u32, Vec<u8>)> {
        let v: serde_json::Value =
            serde_json::from_str(include_str!("../tests/data/sctp-crc32c.json")).unwrap();
        let hex32 = |s: &str| u32::from_str_radix(s.trim_start_matches("0x"), 16).unwrap();
        let check = hex32(v["checkValue"]["crc32c"].as_str().unwrap());
        let mut out = vec![(b"123456789".to_vec(), check, check.to_le_bytes().to_vec())];
        for case in v["rfc3720B4"].as_array().unwrap() {
            out.push((
                hex::decode(case["inputHex"].as_str().unwrap()).unwrap(),
                hex32(case["crc32cValue"].as_str().unwrap()),
                hex::decode(case["bytesAsTransmitted"].as_str().unwrap()).unwrap(),
            ));
        }
        out
    }

    #[test]
    fn known_answers() {
        let cases = vectors();
        assert_eq!(cases.len(), 5);
        for (input, value, wire) in cases {
            assert_eq!(crc32c_of(&input), value, "{input:02x?}");
            assert_eq!(value.to_le_bytes().to_vec(), wire);
        }
    }

    /// An independent implementation (the `crc32c` crate, SSE 4.2 or
    /// software) agrees on every length up to a few packets, at every
    /// alignment the SIMD paths split on.
    #[test]
    fn agrees_with_the_crc32c_crate() {
        let buf: Vec<u8> = (0..9000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for start in 0..8 {
            for len in (0..3000).chain([4096, 8191, 8192, 8993 - start]) {
                let b = &buf[start..start + len];
                assert_eq!(crc32c_of(b), crc32c::crc32c(b), "start {start} len {len}");
            }
        }
    }

    /// A packet whose checksum field holds something, for the three paths.
    fn sample_packet(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + 3) as u8).collect()
    }

    #[test]
    fn the_field_is_zeroed_and_written_least_significant_byte_first() {
        for len in [12, 13, 16, 40, 1228, 4096 + 5] {
            let p = sample_packet(len);
            let mut zeroed = p.clone();
            zeroed[8..12].fill(0);
            let expected = crc32c_of(&zeroed);
            assert_eq!(packet_checksum(&p), expected, "len {len}");
            let mut sealed = p.clone();
            seal(&mut sealed, false);
            assert_eq!(sealed[8..12], expected.to_le_bytes());
            assert_eq!(sealed[..8], p[..8]);
            assert_eq!(sealed[12..], p[12..]);
        }
    }

    #[test]
    fn seal_then_verify_both_ways_and_detect_a_flipped_bit() {
        for len in [12, 40, 1228] {
            let mut p = sample_packet(len);
            seal(&mut p, false);
            assert!(verify(&p, false));
            assert!(verify_in_place(&mut p.clone(), false));
            for bit in [0, 9 * 8 + 3, len * 8 - 1] {
                let mut q = p.clone();
                q[bit / 8] ^= 1 << (bit % 8);
                assert!(!verify(&q, false), "len {len} bit {bit}");
                assert!(!verify_in_place(&mut q, false), "len {len} bit {bit}");
            }
        }
    }

    #[test]
    fn zero_checksum_only_when_accepted() {
        let mut p = vec![1u8; 16];
        seal(&mut p, true);
        assert_eq!(stored_checksum(&p), Some(0));
        assert!(verify(&p, true));
        assert!(!verify(&p, false));
        assert!(verify_in_place(&mut p.clone(), true));
        assert!(!verify_in_place(&mut p.clone(), false));
        assert!(!verify(&p[..10], true));
        assert!(!verify_in_place(&mut p[..10].to_vec(), true));
        assert!(!verify_in_place(&mut Vec::new(), false));
    }
}
