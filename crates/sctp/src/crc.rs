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
    let crc = crc32c::crc32c(&header[..n]);
    crc32c::crc32c_append(crc, packet.get(12..).unwrap_or(&[]))
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
    let value = if zero { 0 } else { crc32c::crc32c(packet) };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value() {
        assert_eq!(crc32c::crc32c(b"123456789"), 0xe306_9283);
    }

    #[test]
    fn seal_then_verify_and_detect_a_flipped_bit() {
        let mut p = vec![0u8; 40];
        p[0] = 0x13;
        p[20] = 7;
        seal(&mut p, false);
        assert!(verify(&p, false));
        p[30] ^= 1;
        assert!(!verify(&p, false));
    }

    #[test]
    fn zero_checksum_only_when_accepted() {
        let mut p = vec![1u8; 16];
        seal(&mut p, true);
        assert_eq!(stored_checksum(&p), Some(0));
        assert!(verify(&p, true));
        assert!(!verify(&p, false));
        assert!(!verify(&p[..10], true));
    }
}
