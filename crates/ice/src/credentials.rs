//! ICE credentials (RFC 8445 §5.3, RFC 8839 §5.4): ufrag and password.

use rand_core::RngCore;

/// The 64 ice-chars (`ALPHA / DIGIT / "+" / "/"`).
const ICE_CHARS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// A username fragment and password.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Credentials {
    /// `ice-ufrag` (4–256 ice-chars; we make 8: 48 bits).
    pub ufrag: String,
    /// `ice-pwd` (22–256 ice-chars; we make 24: 144 bits).
    pub pwd: String,
}

impl Credentials {
    /// Fresh random credentials.
    pub fn random(rng: &mut dyn RngCore) -> Self {
        Credentials {
            ufrag: random_ice_string(rng, 8),
            pwd: random_ice_string(rng, 24),
        }
    }

    /// Checks RFC 8839's lengths and alphabet for credentials from the peer.
    pub fn is_valid(ufrag: &str, pwd: &str) -> bool {
        let ok = |s: &str, min: usize| {
            (min..=256).contains(&s.len()) && s.bytes().all(|b| ICE_CHARS.contains(&b))
        };
        ok(ufrag, 4) && ok(pwd, 22)
    }
}

fn random_ice_string(rng: &mut dyn RngCore, len: usize) -> String {
    (0..len)
        .map(|_| ICE_CHARS[(rng.next_u32() & 63) as usize] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};

    #[test]
    fn random_credentials_are_valid_and_seeded() {
        let a = Credentials::random(&mut ChaCha20Rng::seed_from_u64(1));
        let b = Credentials::random(&mut ChaCha20Rng::seed_from_u64(1));
        assert_eq!(a, b);
        assert!(Credentials::is_valid(&a.ufrag, &a.pwd));
        assert!(!Credentials::is_valid("abc", &a.pwd));
        assert!(!Credentials::is_valid(&a.ufrag, "short"));
        assert!(!Credentials::is_valid("abc:d", &a.pwd));
    }
}
