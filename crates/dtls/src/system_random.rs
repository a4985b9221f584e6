//! The one place this crate takes randomness that the caller does not
//! inject: ring's ECDHE key generation, ECDSA signing (the nonce), RSA-PSS
//! signing (the salt) and ECDSA key loading accept only ring's sealed
//! `SecureRandom`. Everything else random (hello randoms, the cookie
//! secret) comes from the injected `RngCore + CryptoRng`. See docs/dtls.md
//! ("Determinism") for what this means for traces.

use ring::agreement::{self, EphemeralPrivateKey};
use ring::signature::{self, EcdsaKeyPair, RsaKeyPair};

use crate::error::DtlsError;

fn rng() -> ring::rand::SystemRandom {
    ring::rand::SystemRandom::new() // sansio-allow: ring's ECDHE, ECDSA and RSA-PSS accept only its sealed SecureRandom
}

/// A fresh ephemeral key for `alg` and its public value.
pub(crate) fn ephemeral_key(
    alg: &'static agreement::Algorithm,
) -> Result<(EphemeralPrivateKey, Vec<u8>), DtlsError> {
    let key = EphemeralPrivateKey::generate(alg, &rng()).map_err(|_| DtlsError::KeyAgreement)?;
    let public = key
        .compute_public_key()
        .map_err(|_| DtlsError::KeyAgreement)?
        .as_ref()
        .to_vec();
    Ok((key, public))
}

/// Loads an ECDSA P-256 key pair from PKCS#8.
pub(crate) fn ecdsa_from_pkcs8(pkcs8: &[u8]) -> Result<EcdsaKeyPair, DtlsError> {
    EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8, &rng())
        .map_err(|_| DtlsError::InvalidIdentity("not an ECDSA P-256 PKCS#8 key"))
}

/// An ECDSA signature (ASN.1 DER) of `msg`.
pub(crate) fn ecdsa_sign(key: &EcdsaKeyPair, msg: &[u8]) -> Result<Vec<u8>, DtlsError> {
    key.sign(&rng(), msg)
        .map(|s| s.as_ref().to_vec())
        .map_err(|_| DtlsError::Signing)
}

/// An RSA signature of `msg` (PKCS#1 v1.5 or PSS, both with SHA-256).
pub(crate) fn rsa_sign(key: &RsaKeyPair, pss: bool, msg: &[u8]) -> Result<Vec<u8>, DtlsError> {
    let mut sig = vec![0u8; key.public().modulus_len()];
    let pad: &'static dyn signature::RsaEncoding = if pss {
        &signature::RSA_PSS_SHA256
    } else {
        &signature::RSA_PKCS1_SHA256
    };
    key.sign(pad, &rng(), msg, &mut sig)
        .map_err(|_| DtlsError::Signing)?;
    Ok(sig)
}
