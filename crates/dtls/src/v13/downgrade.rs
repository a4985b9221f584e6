//! Downgrade protection (RFC 8446 §4.1.3, which DTLS 1.3 keeps, RFC 9147
//! §5.3): a server that supports DTLS 1.3 but negotiates DTLS 1.2 ends its
//! ServerHello.random with "DOWNGRD" and 0x01; a DTLS 1.3 client that gets
//! a 1.2 ServerHello with that ending aborts (illegal_parameter).

/// The last 8 bytes of ServerHello.random when a 1.3-capable server
/// negotiates (D)TLS 1.2.
pub(crate) const DOWNGRADE_TO_1_2: [u8; 8] = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01];
/// The same for TLS 1.1 and below (never negotiated here; recognized so a
/// client can abort on it too).
pub(crate) const DOWNGRADE_TO_1_1: [u8; 8] = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00];

/// Writes the DTLS 1.2 sentinel into a server random.
pub(crate) fn mark_downgrade_to_1_2(server_random: &mut [u8; 32]) {
    server_random[24..].copy_from_slice(&DOWNGRADE_TO_1_2);
}

/// Whether a server random carries either downgrade sentinel.
pub(crate) fn has_downgrade_sentinel(server_random: &[u8; 32]) -> bool {
    server_random[24..] == DOWNGRADE_TO_1_2 || server_random[24..] == DOWNGRADE_TO_1_1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentinel_spells_downgrd_and_is_recognized() {
        assert_eq!(&DOWNGRADE_TO_1_2[..7], b"DOWNGRD");
        let mut random = [0x5a; 32];
        assert!(!has_downgrade_sentinel(&random));
        mark_downgrade_to_1_2(&mut random);
        assert!(has_downgrade_sentinel(&random));
        assert_eq!(random[..24], [0x5a; 24], "the first 24 bytes stay random");
        random[31] = 0x00;
        assert!(has_downgrade_sentinel(&random));
        random[31] = 0x02;
        assert!(!has_downgrade_sentinel(&random));
    }
}
