//! The DTLS 1.3 key shares (RFC 8446 §4.2.8): X25519 and secp256r1 through
//! the 1.2 code's [`crate::ecdhe::EphemeralKey`] (same RNG injection, same
//! point checks: 32-byte X25519 with the all-zero check, 65-byte
//! uncompressed P-256 only, RFC 8446 §4.2.8.2), and X25519MLKEM768 through
//! [`super::hybrid_kem`].

use rand_core::CryptoRngCore;

use super::error::Dtls13Error;
use super::hybrid_kem::{self, HybridClientKey};
use crate::ecdhe::EphemeralKey;
use crate::suite::NamedGroup;

/// A key exchange group: of DTLS 1.3's key shares, and (X25519 and
/// secp256r1) of DTLS 1.2's ECDHE, as [`crate::Connected::group`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyShareGroup {
    /// X25519MLKEM768 (0x11EC): Chromium's first choice.
    X25519MlKem768,
    /// x25519 (0x001D).
    X25519,
    /// secp256r1 (0x0017).
    Secp256r1,
}

impl KeyShareGroup {
    /// Every group, in our preference order (the hybrid first, as
    /// Chromium).
    pub const ALL: [KeyShareGroup; 3] = [
        KeyShareGroup::X25519MlKem768,
        KeyShareGroup::X25519,
        KeyShareGroup::Secp256r1,
    ];

    /// The name `getStats()`-style reports use (IANA's, as Chromium
    /// logs it).
    pub fn name(self) -> &'static str {
        match self {
            KeyShareGroup::X25519MlKem768 => "X25519MLKEM768",
            KeyShareGroup::X25519 => "x25519",
            KeyShareGroup::Secp256r1 => "secp256r1",
        }
    }

    /// The NamedGroup code point.
    pub fn code(self) -> u16 {
        match self {
            KeyShareGroup::X25519MlKem768 => hybrid_kem::X25519_MLKEM768,
            KeyShareGroup::X25519 => NamedGroup::X25519.id(),
            KeyShareGroup::Secp256r1 => NamedGroup::Secp256r1.id(),
        }
    }

    /// The group with code point `code`, if we implement it.
    pub(crate) fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.code() == code)
    }

    /// The same group as a DTLS 1.2 ECDHE group.
    pub(crate) fn from_named_group(group: NamedGroup) -> Self {
        match group {
            NamedGroup::X25519 => KeyShareGroup::X25519,
            NamedGroup::Secp256r1 => KeyShareGroup::Secp256r1,
        }
    }

    /// The length of the client's key_exchange for this group.
    pub(crate) fn client_share_len(self) -> usize {
        match self {
            KeyShareGroup::X25519MlKem768 => hybrid_kem::CLIENT_SHARE_LEN,
            KeyShareGroup::X25519 => 32,
            KeyShareGroup::Secp256r1 => 65,
        }
    }
}

impl From<NamedGroup> for KeyShareGroup {
    fn from(group: NamedGroup) -> Self {
        Self::from_named_group(group)
    }
}

impl PartialEq<NamedGroup> for KeyShareGroup {
    fn eq(&self, other: &NamedGroup) -> bool {
        *self == Self::from_named_group(*other)
    }
}

/// The client's private key for one offered group.
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) enum ClientKeyShare {
    /// X25519 or secp256r1.
    Ecdhe(KeyShareGroup, EcdheKey),
    /// X25519MLKEM768 (boxed: the ML-KEM decapsulation key is 3 KB).
    Hybrid(Box<HybridClientKey>),
}

/// [`EphemeralKey`] with a `Debug` that shows nothing.
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct EcdheKey(EphemeralKey);

impl std::fmt::Debug for EcdheKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EcdheKey(..)")
    }
}

fn named_group(group: KeyShareGroup) -> Option<NamedGroup> {
    match group {
        KeyShareGroup::X25519 => Some(NamedGroup::X25519),
        KeyShareGroup::Secp256r1 => Some(NamedGroup::Secp256r1),
        KeyShareGroup::X25519MlKem768 => None,
    }
}

impl ClientKeyShare {
    /// A fresh key for `group` from `rng`, and its key_exchange bytes.
    pub(crate) fn generate(group: KeyShareGroup, rng: &mut impl CryptoRngCore) -> (Self, Vec<u8>) {
        match named_group(group) {
            Some(named) => {
                let (key, public) = EphemeralKey::generate(named, rng);
                (ClientKeyShare::Ecdhe(group, EcdheKey(key)), public)
            }
            None => {
                let (key, share) = HybridClientKey::generate(rng);
                (ClientKeyShare::Hybrid(Box::new(key)), share)
            }
        }
    }

    /// The group.
    pub(crate) fn group(&self) -> KeyShareGroup {
        match self {
            ClientKeyShare::Ecdhe(group, _) => *group,
            ClientKeyShare::Hybrid(_) => KeyShareGroup::X25519MlKem768,
        }
    }

    /// The shared secret from the server's key_exchange bytes.
    pub(crate) fn shared_secret(self, server_share: &[u8]) -> Result<Vec<u8>, Dtls13Error> {
        match self {
            ClientKeyShare::Ecdhe(_, EcdheKey(key)) => key
                .agree(server_share)
                .map_err(|_| Dtls13Error::KeyShare("ECDHE public key")),
            ClientKeyShare::Hybrid(key) => key.shared_secret(server_share),
        }
    }
}

/// The server's side for `group`: its key_exchange bytes and the shared
/// secret, from the client's key_exchange bytes.
pub(crate) fn server_key_share(
    group: KeyShareGroup,
    client_share: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<(Vec<u8>, Vec<u8>), Dtls13Error> {
    match named_group(group) {
        Some(named) => {
            if client_share.len() != group.client_share_len() {
                return Err(Dtls13Error::KeyShare("ECDHE public key length"));
            }
            let (key, public) = EphemeralKey::generate(named, rng);
            let secret = key
                .agree(client_share)
                .map_err(|_| Dtls13Error::KeyShare("ECDHE public key"))?;
            Ok((public, secret))
        }
        None => hybrid_kem::server_encapsulate(client_share, rng),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;

    #[test]
    fn every_group_agrees() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(11);
        for group in KeyShareGroup::ALL {
            assert_eq!(KeyShareGroup::from_code(group.code()), Some(group));
            let (client, share) = ClientKeyShare::generate(group, &mut rng);
            assert_eq!(client.group(), group);
            assert_eq!(share.len(), group.client_share_len(), "{group:?}");
            let (server_share, server_secret) = server_key_share(group, &share, &mut rng).unwrap();
            assert_eq!(
                client.shared_secret(&server_share).unwrap(),
                server_secret,
                "{group:?}"
            );
        }
        assert_eq!(
            KeyShareGroup::from_code(0x11ec),
            Some(KeyShareGroup::X25519MlKem768)
        );
        assert_eq!(
            KeyShareGroup::from_code(0x001d),
            Some(KeyShareGroup::X25519)
        );
        assert_eq!(
            KeyShareGroup::from_code(0x0017),
            Some(KeyShareGroup::Secp256r1)
        );
        assert_eq!(
            KeyShareGroup::from_code(0x6399),
            None,
            "the draft Kyber codepoint"
        );
    }

    #[test]
    fn malformed_client_shares_are_errors_not_panics() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(12);
        for group in KeyShareGroup::ALL {
            let len = group.client_share_len();
            for bad in [
                vec![],
                vec![0u8; len - 1],
                vec![0u8; len + 1],
                vec![0u8; len],
            ] {
                assert!(
                    server_key_share(group, &bad, &mut rng).is_err(),
                    "{group:?} {}",
                    bad.len()
                );
            }
        }
        // A compressed P-256 point is not accepted in TLS 1.3.
        let (_, share) = ClientKeyShare::generate(KeyShareGroup::Secp256r1, &mut rng);
        let point = p256::PublicKey::from_sec1_bytes(&share).unwrap();
        let compressed = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&point, true);
        assert!(
            server_key_share(KeyShareGroup::Secp256r1, compressed.as_bytes(), &mut rng).is_err()
        );
        // An off-curve uncompressed point.
        let mut off_curve = share.clone();
        off_curve[64] ^= 1;
        assert!(server_key_share(KeyShareGroup::Secp256r1, &off_curve, &mut rng).is_err());
    }

    #[test]
    fn malformed_server_shares_are_errors() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(13);
        for group in KeyShareGroup::ALL {
            let (client, _) = ClientKeyShare::generate(group, &mut rng);
            assert!(client.shared_secret(&[0u8; 7]).is_err(), "{group:?}");
        }
    }
}
