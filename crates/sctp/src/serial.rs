//! Serial number arithmetic (RFC 1982) for 32-bit TSNs and 16-bit SSNs, and
//! the unwrapping of wire TSNs into monotonically growing 64-bit values used
//! internally, so that maps and ranges never see a wrap.

/// Unwraps a 32-bit wire value into the 64-bit space nearest `reference`.
pub(crate) fn unwrap_tsn(reference: u64, wire: u32) -> u64 {
    let delta = wire.wrapping_sub(reference as u32) as i32;
    reference.wrapping_add_signed(i64::from(delta))
}

/// `a < b` in 16-bit serial arithmetic.
pub(crate) fn ssn_lt(a: u16, b: u16) -> bool {
    a != b && b.wrapping_sub(a) < 0x8000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwraps_across_the_32_bit_boundary() {
        let reference = (1u64 << 32) + u64::from(u32::MAX) - 2;
        assert_eq!(unwrap_tsn(reference, u32::MAX), reference + 2);
        assert_eq!(unwrap_tsn(reference, 3), reference + 6);
        assert_eq!(unwrap_tsn(reference, u32::MAX - 10), reference - 8);
    }

    #[test]
    fn ssn_order_wraps() {
        assert!(ssn_lt(65535, 0));
        assert!(ssn_lt(1, 2));
        assert!(!ssn_lt(2, 1));
        assert!(!ssn_lt(5, 5));
    }
}
