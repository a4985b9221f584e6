//! The HelloRetryRequest cookie of a stateless DTLS 1.3 server (RFC 8446
//! §4.2.2, RFC 9147 §5.1): everything the server needs to continue after
//! ClientHello2 — the hash of ClientHello1 (for the message_hash of the
//! transcript), the cipher suite and the group it asked for — sealed with
//! an AEAD under a secret only the server knows, bound to the client's
//! transport address and stamped with the time it was issued.
//!
//! ```text
//! cookie = nonce (12) ‖ ChaCha20-Poly1305(secret, nonce, aad = client address,
//!              version (1) ‖ issued_at_ms (8) ‖ suite (2) ‖ group (2) ‖ hash_len (1) ‖ Hash(ClientHello1))
//! ```
//!
//! The nonce and the secret come from the injected RNG; the time from the
//! caller (milliseconds on any clock the server keeps monotonic).

use rand_core::CryptoRngCore;
use ring::aead;

use super::error::Dtls13Error;

/// The cookie format version.
const FORMAT_VERSION: u8 = 1;
/// The AEAD nonce length.
const NONCE_LEN: usize = 12;
/// The AEAD tag length.
const TAG_LEN: usize = 16;
/// The longest ClientHello1 hash (SHA-384).
const MAX_HASH_LEN: usize = 48;

/// What the cookie carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CookieContents {
    /// When the server issued it (caller's milliseconds).
    pub(crate) issued_at_ms: u64,
    /// The cipher suite code point the HelloRetryRequest named.
    pub(crate) cipher_suite: u16,
    /// The group the HelloRetryRequest asked for.
    pub(crate) selected_group: u16,
    /// `Hash(ClientHello1)` under the suite's hash.
    pub(crate) client_hello1_hash: Vec<u8>,
}

/// The server's cookie key.
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct CookieKey(aead::LessSafeKey);

impl std::fmt::Debug for CookieKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CookieKey(..)")
    }
}

impl CookieKey {
    /// A fresh key from the injected RNG.
    pub(crate) fn generate(rng: &mut impl CryptoRngCore) -> Result<Self, Dtls13Error> {
        let mut secret = [0u8; 32];
        rng.fill_bytes(&mut secret);
        let key = aead::UnboundKey::new(&aead::CHACHA20_POLY1305, &secret)
            .map_err(|_| Dtls13Error::Crypto("cookie key"))?;
        Ok(CookieKey(aead::LessSafeKey::new(key)))
    }

    /// Seals `contents` for the client at `client_address` (any stable
    /// encoding of its transport address).
    pub(crate) fn seal(
        &self,
        contents: &CookieContents,
        client_address: &[u8],
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<u8>, Dtls13Error> {
        if contents.client_hello1_hash.len() > MAX_HASH_LEN {
            return Err(Dtls13Error::TooLarge("ClientHello1 hash"));
        }
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        let mut payload = Vec::with_capacity(14 + contents.client_hello1_hash.len() + TAG_LEN);
        payload.push(FORMAT_VERSION);
        payload.extend_from_slice(&contents.issued_at_ms.to_be_bytes());
        payload.extend_from_slice(&contents.cipher_suite.to_be_bytes());
        payload.extend_from_slice(&contents.selected_group.to_be_bytes());
        payload.push(contents.client_hello1_hash.len() as u8);
        payload.extend_from_slice(&contents.client_hello1_hash);
        self.0
            .seal_in_place_append_tag(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(client_address),
                &mut payload,
            )
            .map_err(|_| Dtls13Error::Crypto("cookie seal"))?;
        let mut cookie = nonce.to_vec();
        cookie.extend(payload);
        Ok(cookie)
    }

    /// Opens a cookie from ClientHello2: fails unless it was sealed by
    /// this key for this address, in this format, issued no later than
    /// `now_ms` and no more than `max_age_ms` before it.
    pub(crate) fn open(
        &self,
        cookie: &[u8],
        client_address: &[u8],
        now_ms: u64,
        max_age_ms: u64,
    ) -> Result<CookieContents, Dtls13Error> {
        if cookie.len() < NONCE_LEN + TAG_LEN {
            return Err(Dtls13Error::Decode("cookie"));
        }
        let (nonce, sealed) = cookie.split_at(NONCE_LEN);
        let nonce = aead::Nonce::try_assume_unique_for_key(nonce)
            .map_err(|_| Dtls13Error::Decode("cookie"))?;
        let mut sealed = sealed.to_vec();
        let payload = self
            .0
            .open_in_place(nonce, aead::Aad::from(client_address), &mut sealed)
            .map_err(|_| Dtls13Error::Decode("cookie authentication"))?;
        if payload.len() < 14 || payload[0] != FORMAT_VERSION {
            return Err(Dtls13Error::Decode("cookie format"));
        }
        let issued_at_ms = u64::from_be_bytes(
            payload[1..9]
                .try_into()
                .map_err(|_| Dtls13Error::Decode("cookie"))?,
        );
        let cipher_suite = u16::from_be_bytes([payload[9], payload[10]]);
        let selected_group = u16::from_be_bytes([payload[11], payload[12]]);
        let hash_len = usize::from(payload[13]);
        if payload.len() != 14 + hash_len {
            return Err(Dtls13Error::Decode("cookie format"));
        }
        if issued_at_ms > now_ms || now_ms - issued_at_ms > max_age_ms {
            return Err(Dtls13Error::Decode("cookie expired"));
        }
        Ok(CookieContents {
            issued_at_ms,
            cipher_suite,
            selected_group,
            client_hello1_hash: payload[14..].to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;

    fn contents() -> CookieContents {
        CookieContents {
            issued_at_ms: 10_000,
            cipher_suite: 0x1301,
            selected_group: 0x11ec,
            client_hello1_hash: vec![7; 32],
        }
    }

    #[test]
    fn round_trip_and_binding() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let key = CookieKey::generate(&mut rng).unwrap();
        let cookie = key.seal(&contents(), b"192.0.2.1:5000", &mut rng).unwrap();
        assert_eq!(cookie.len(), 12 + 14 + 32 + 16);
        assert_eq!(
            key.open(&cookie, b"192.0.2.1:5000", 10_500, 1_000).unwrap(),
            contents()
        );
        // Another address, another server key.
        assert!(key.open(&cookie, b"192.0.2.1:5001", 10_500, 1_000).is_err());
        let other = CookieKey::generate(&mut rng).unwrap();
        assert!(other
            .open(&cookie, b"192.0.2.1:5000", 10_500, 1_000)
            .is_err());
        // Expired, or issued in the future.
        assert_eq!(
            key.open(&cookie, b"192.0.2.1:5000", 11_001, 1_000),
            Err(Dtls13Error::Decode("cookie expired"))
        );
        assert!(key.open(&cookie, b"192.0.2.1:5000", 9_999, 1_000).is_err());
        assert!(key.open(&cookie, b"192.0.2.1:5000", 11_000, 1_000).is_ok());
        // Two cookies for the same contents differ (fresh nonce).
        let again = key.seal(&contents(), b"192.0.2.1:5000", &mut rng).unwrap();
        assert_ne!(again, cookie);
        // SHA-384 hashes fit; longer ones are refused.
        let mut long = contents();
        long.client_hello1_hash = vec![1; 48];
        let c = key.seal(&long, b"a", &mut rng).unwrap();
        assert_eq!(key.open(&c, b"a", 10_000, 0).unwrap(), long);
        long.client_hello1_hash = vec![1; 49];
        assert!(key.seal(&long, b"a", &mut rng).is_err());
    }

    #[test]
    fn same_rng_same_cookie() {
        let make = || {
            let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
            let key = CookieKey::generate(&mut rng).unwrap();
            key.seal(&contents(), b"x", &mut rng).unwrap()
        };
        assert_eq!(make(), make());
    }

    #[test]
    fn tampered_and_truncated_cookies_fail() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2);
        let key = CookieKey::generate(&mut rng).unwrap();
        let cookie = key.seal(&contents(), b"addr", &mut rng).unwrap();
        for i in 0..cookie.len() {
            let mut bad = cookie.clone();
            bad[i] ^= 0x80;
            assert!(key.open(&bad, b"addr", 10_000, 10).is_err(), "byte {i}");
        }
        for cut in 0..cookie.len() {
            assert!(
                key.open(&cookie[..cut], b"addr", 10_000, 10).is_err(),
                "cut {cut}"
            );
        }
        assert!(key.open(&[], b"addr", 10_000, 10).is_err());
    }
}
