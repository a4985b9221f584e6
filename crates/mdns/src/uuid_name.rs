//! `<uuid-v4>.local` names (draft-ietf-mmusic-mdns-ice-candidates, its
//! candidate-gathering procedure:
//! a version 4 UUID, RFC 9562 §5.4, so the name reveals nothing and never
//! collides).

use rand_core::{CryptoRng, RngCore};

use crate::Name;

/// A fresh `<uuid-v4>.local` name from the injected RNG, in lower-case hex
/// like browsers use, e.g. `1f6a3b52-8c1e-4f0d-9b7a-2d1e0c4b5a69.local`.
///
/// ```
/// use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
///
/// let name = sansrtc_mdns::generate_name(&mut ChaCha20Rng::seed_from_u64(7));
/// let text = name.to_string();
/// assert_eq!(text.len(), 36 + ".local".len());
/// assert_eq!(&text[14..15], "4"); // the version nibble
/// assert!(name.is_local());
/// ```
pub fn generate_name<R: RngCore + CryptoRng + ?Sized>(rng: &mut R) -> Name {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // variant 10xx
    let hex = |bytes: &[u8]| bytes.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let text = format!(
        "{}-{}-{}-{}-{}",
        hex(&b[0..4]),
        hex(&b[4..6]),
        hex(&b[6..8]),
        hex(&b[8..10]),
        hex(&b[10..16])
    );
    Name::local(&text).expect("a UUID is a valid label")
}

/// Whether the name is `<uuid>.local` with a well-formed UUID (any
/// version, either case), the shape browsers hide addresses behind.
pub fn is_uuid_local(name: &Name) -> bool {
    let mut labels = name.labels();
    let (Some(first), Some(second), None) = (labels.next(), labels.next(), labels.next()) else {
        return false;
    };
    second.eq_ignore_ascii_case(b"local")
        && first.len() == 36
        && first.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}
