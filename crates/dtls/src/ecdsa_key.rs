//! An ECDSA P-256 private key with its public key, made and read without
//! RustCrypto's generic scalar multiplication.
//!
//! `p256` 0.13 computes a key's public point with its generic `k·P`
//! whenever a key is generated, decoded from PKCS#8 (which also checks the
//! embedded public key by recomputing it), encoded to PKCS#8, or turned
//! into a `SigningKey`: each about 0.2 ms here, four or five of them per
//! generated certificate and one per identity read. This key computes its
//! public point once, with the fixed-base table of [`crate::ecdsa_sign`]
//! (several times faster), and keeps it.

use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::der::{Decode, Encode};
use p256::pkcs8::{AlgorithmIdentifierRef, ObjectIdentifier, PrivateKeyInfo};
use p256::{NonZeroScalar, SecretKey};
use rand_core::CryptoRngCore;

use crate::ecdsa_sign::mul_base;
use crate::error::DtlsError;

/// `id-ecPublicKey` (RFC 5480 §2.1.1).
const EC_PUBLIC_KEY_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `secp256r1` (RFC 5480 §2.1.1.1).
const SECP256R1_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

/// Length of an uncompressed SEC1 P-256 point.
const PUBLIC_KEY_LEN: usize = 65;

/// An ECDSA P-256 private key and its public key (an uncompressed SEC1
/// point, as a certificate's SubjectPublicKeyInfo carries it).
#[derive(Clone)]
pub struct EcdsaP256Key {
    secret: NonZeroScalar,
    public: [u8; PUBLIC_KEY_LEN],
}

impl std::fmt::Debug for EcdsaP256Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EcdsaP256Key")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl EcdsaP256Key {
    /// A fresh key whose secret is drawn from `rng` (the same draw as
    /// `p256::SecretKey::random`, so the same RNG state gives the same key).
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        Self::from_secret(NonZeroScalar::random(rng))
    }

    fn from_secret(secret: NonZeroScalar) -> Self {
        let point = mul_base(secret.as_ref())
            .to_affine()
            .to_encoded_point(false);
        let mut public = [0u8; PUBLIC_KEY_LEN];
        public.copy_from_slice(point.as_bytes());
        EcdsaP256Key { secret, public }
    }

    /// Reads a PKCS#8 `PrivateKeyInfo` holding a SEC1 `ECPrivateKey` on
    /// P-256 (RFC 5208, RFC 5915). An embedded public key must match the
    /// private one.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, DtlsError> {
        const NOT_P256: DtlsError = DtlsError::InvalidIdentity("not an ECDSA P-256 PKCS#8 key");
        let info = PrivateKeyInfo::from_der(der).map_err(|_| NOT_P256)?;
        if info.algorithm.oid != EC_PUBLIC_KEY_OID
            || info.algorithm.parameters_oid().ok() != Some(SECP256R1_OID)
        {
            return Err(NOT_P256);
        }
        let inner = sec1::EcPrivateKey::from_der(info.private_key).map_err(|_| NOT_P256)?;
        if let Some(parameters) = inner.parameters {
            if parameters.named_curve() != Some(SECP256R1_OID) {
                return Err(NOT_P256);
            }
        }
        // Accepts 24 to 32 bytes, left-padded (SEC1 allows leading zeros
        // to be dropped); rejects zero and values ≥ n.
        let secret = SecretKey::from_slice(inner.private_key).map_err(|_| NOT_P256)?;
        let key = Self::from_secret(secret.to_nonzero_scalar());
        if let Some(embedded) = inner.public_key {
            if embedded != key.public.as_slice() {
                return Err(DtlsError::InvalidIdentity(
                    "PKCS#8 public key does not match its private key",
                ));
            }
        }
        Ok(key)
    }

    /// The key as PKCS#8 DER, byte for byte what `p256`'s
    /// `to_pkcs8_der` writes (the curve in the algorithm identifier, the
    /// public key inside the `ECPrivateKey`).
    pub fn to_pkcs8_der(&self) -> Vec<u8> {
        let secret = self.secret.to_bytes();
        let inner = sec1::EcPrivateKey {
            private_key: &secret,
            parameters: None,
            public_key: Some(&self.public),
        }
        .to_der()
        .expect("a P-256 ECPrivateKey always encodes");
        let info = PrivateKeyInfo::new(
            AlgorithmIdentifierRef {
                oid: EC_PUBLIC_KEY_OID,
                parameters: Some((&SECP256R1_OID).into()),
            },
            &inner,
        );
        info.to_der()
            .expect("a P-256 PrivateKeyInfo always encodes")
    }

    /// The public key: an uncompressed SEC1 point (65 bytes, `04‖x‖y`).
    pub fn public_key(&self) -> &[u8] {
        &self.public
    }

    /// An ECDSA signature of SHA-256(`msg`), ASN.1 DER, with the RFC 6979
    /// deterministic nonce: the bytes `p256::ecdsa::SigningKey` would give.
    pub fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, DtlsError> {
        crate::ecdsa_sign::sign(&self.secret, msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};
    use rand_chacha::rand_core::SeedableRng;

    #[test]
    fn generation_draws_like_p256_and_encodes_the_same_pkcs8() {
        for seed in 0..8 {
            let ours = EcdsaP256Key::generate(&mut rand_chacha::ChaCha20Rng::seed_from_u64(seed));
            let theirs = SecretKey::random(&mut rand_chacha::ChaCha20Rng::seed_from_u64(seed));
            assert_eq!(
                ours.public_key(),
                theirs.public_key().to_encoded_point(false).as_bytes()
            );
            assert_eq!(
                ours.to_pkcs8_der(),
                theirs.to_pkcs8_der().unwrap().as_bytes().to_vec()
            );
        }
    }

    #[test]
    fn reads_back_what_it_and_p256_write() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
        let key = EcdsaP256Key::generate(&mut rng);
        let again = EcdsaP256Key::from_pkcs8_der(&key.to_pkcs8_der()).unwrap();
        assert_eq!(again.public_key(), key.public_key());
        let theirs = SecretKey::from_pkcs8_der(&key.to_pkcs8_der()).unwrap();
        assert_eq!(
            theirs.public_key().to_encoded_point(false).as_bytes(),
            key.public_key()
        );
    }

    #[test]
    fn rejects_a_mismatched_embedded_public_key() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(10);
        let key = EcdsaP256Key::generate(&mut rng);
        let mut der = key.to_pkcs8_der();
        // The public key is the last 64 bytes (after the 0x04 prefix): flip one.
        let last = der.len() - 1;
        der[last] ^= 1;
        assert!(matches!(
            EcdsaP256Key::from_pkcs8_der(&der),
            Err(DtlsError::InvalidIdentity(_))
        ));
    }

    #[test]
    fn rejects_truncations_garbage_and_other_keys() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(11);
        let der = EcdsaP256Key::generate(&mut rng).to_pkcs8_der();
        for len in 0..der.len() {
            assert!(EcdsaP256Key::from_pkcs8_der(&der[..len]).is_err(), "{len}");
        }
        assert!(EcdsaP256Key::from_pkcs8_der(&[0x30, 0x80, 0, 0]).is_err());
        let rsa = rsa::RsaPrivateKey::new(&mut rng, 1024).unwrap();
        let rsa_der = rsa.to_pkcs8_der().unwrap();
        assert!(EcdsaP256Key::from_pkcs8_der(rsa_der.as_bytes()).is_err());
    }

    #[test]
    fn signatures_verify_with_ring() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(12);
        let key = EcdsaP256Key::generate(&mut rng);
        let sig = key.sign(b"hello").unwrap();
        ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_ASN1,
            key.public_key(),
        )
        .verify(b"hello", &sig)
        .unwrap();
    }
}
