//! Ephemeral ECDHE keys (RFC 8422 §5.4, RFC 7748) whose secrets come from
//! the endpoint's RNG: X25519 through `x25519-dalek`, secp256r1 through
//! RustCrypto `p256`. ring cannot take our RNG (its `SecureRandom` is
//! sealed) nor import an agreement key, so key agreement is not on ring.

use rand_core::CryptoRngCore;

use crate::error::DtlsError;
use crate::suite::NamedGroup;

/// Our ephemeral private key for one handshake.
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) enum EphemeralKey {
    X25519(x25519_dalek::StaticSecret),
    P256(p256::NonZeroScalar),
}

impl EphemeralKey {
    /// A fresh key for `group` drawn from `rng`, and its public value as
    /// it goes on the wire (32 bytes; a 65-byte uncompressed point).
    pub(crate) fn generate(group: NamedGroup, rng: &mut impl CryptoRngCore) -> (Self, Vec<u8>) {
        match group {
            NamedGroup::X25519 => {
                let mut bytes = [0u8; 32];
                rng.fill_bytes(&mut bytes);
                let secret = x25519_dalek::StaticSecret::from(bytes);
                let public = x25519_dalek::PublicKey::from(&secret).as_bytes().to_vec();
                (EphemeralKey::X25519(secret), public)
            }
            NamedGroup::Secp256r1 => {
                let secret = p256::NonZeroScalar::random(rng);
                // The fixed-base table, not `PublicKey::from_secret_scalar`'s
                // generic multiplication: same point, several times faster.
                let public = crate::ecdsa_sign::mul_base(secret.as_ref()).to_affine();
                let point =
                    p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&public, false);
                (EphemeralKey::P256(secret), point.as_bytes().to_vec())
            }
        }
    }

    /// The pre-master secret with the peer's public value (RFC 8422
    /// §5.10). Fails on a malformed point and, for X25519, on an all-zero
    /// result (a low-order peer point), as ring does.
    pub(crate) fn agree(self, peer: &[u8]) -> Result<Vec<u8>, DtlsError> {
        match self {
            EphemeralKey::X25519(secret) => {
                let peer: [u8; 32] = peer.try_into().map_err(|_| DtlsError::KeyAgreement)?;
                let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(peer));
                if !shared.was_contributory() {
                    return Err(DtlsError::KeyAgreement);
                }
                Ok(shared.as_bytes().to_vec())
            }
            EphemeralKey::P256(secret) => {
                // Only the uncompressed form (RFC 8422 §5.1.2; what ring accepted).
                if peer.len() != 65 || peer[0] != 4 {
                    return Err(DtlsError::KeyAgreement);
                }
                let public =
                    p256::PublicKey::from_sec1_bytes(peer).map_err(|_| DtlsError::KeyAgreement)?;
                let shared = p256::ecdh::diffie_hellman(secret, public.as_affine());
                Ok(shared.raw_secret_bytes().to_vec())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;

    #[test]
    fn both_groups_agree_and_match_ring() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        for (group, alg) in [
            (NamedGroup::X25519, &ring::agreement::X25519),
            (NamedGroup::Secp256r1, &ring::agreement::ECDH_P256),
        ] {
            let (ours, our_public) = EphemeralKey::generate(group, &mut rng);
            let theirs = ring::agreement::EphemeralPrivateKey::generate(
                alg,
                &ring::rand::SystemRandom::new(),
            )
            .unwrap();
            let their_public = theirs.compute_public_key().unwrap();
            let a = ours.agree(their_public.as_ref()).unwrap();
            let b = ring::agreement::agree_ephemeral(
                theirs,
                &ring::agreement::UnparsedPublicKey::new(alg, &our_public),
                |k| k.to_vec(),
            )
            .unwrap();
            assert_eq!(a, b, "{group:?}");
        }
    }

    #[test]
    fn same_rng_same_key_and_bad_points_fail() {
        for group in NamedGroup::ALL {
            let (_, p1) =
                EphemeralKey::generate(group, &mut rand_chacha::ChaCha20Rng::seed_from_u64(1));
            let (k, p2) =
                EphemeralKey::generate(group, &mut rand_chacha::ChaCha20Rng::seed_from_u64(1));
            assert_eq!(p1, p2);
            assert!(k.agree(&[0u8; 3]).is_err());
        }
        let (k, _) = EphemeralKey::generate(
            NamedGroup::X25519,
            &mut rand_chacha::ChaCha20Rng::seed_from_u64(2),
        );
        assert!(k.agree(&[0u8; 32]).is_err(), "low-order point");
        let (k, p) = EphemeralKey::generate(
            NamedGroup::Secp256r1,
            &mut rand_chacha::ChaCha20Rng::seed_from_u64(3),
        );
        let point = p256::PublicKey::from_sec1_bytes(&p).unwrap();
        let c = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&point, true);
        assert!(k.agree(c.as_bytes()).is_err(), "compressed point");
    }
}
