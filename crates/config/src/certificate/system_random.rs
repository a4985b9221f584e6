//! The one place this crate takes randomness that the caller does not inject:
//! ring generates ECDSA keys only from its own (sealed) `SecureRandom`.

use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};

use crate::error::ConfigError;

/// A fresh ECDSA P-256 private key as PKCS#8 v1 DER.
pub(crate) fn generate_p256_pkcs8() -> Result<Vec<u8>, ConfigError> {
    let rng = ring::rand::SystemRandom::new(); // sansio-allow: ring's ECDSA key generation accepts only its sealed SecureRandom
    EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
        .map(|doc| doc.as_ref().to_vec())
        .map_err(|_| ConfigError::CertificateGeneration)
}
