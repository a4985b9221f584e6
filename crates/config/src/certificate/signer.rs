//! The certificate's key as rcgen sees it: a "remote" key pair whose
//! signature we compute, so that generation draws nothing but the injected
//! RNG (rcgen's own key types sign through ring, whose ECDSA nonces come
//! from its sealed system RNG). ECDSA P-256 signs with an RFC 6979 nonce
//! and RSASSA-PKCS1-v1_5 is deterministic, so a seed and a `now` give the
//! same certificate bytes every time.

use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer};
use sansrtc_dtls::EcdsaP256Key;

/// A private key that signs for rcgen.
pub(super) enum CertificateSigner {
    /// ECDSA P-256 with its public key, signing with an RFC 6979 nonce.
    Ecdsa(EcdsaP256Key),
    Rsa {
        key: Box<rsa::pkcs1v15::SigningKey<Sha256>>,
        /// The PKCS#1 `RSAPublicKey` DER (the SubjectPublicKeyInfo's bits).
        public: Vec<u8>,
    },
}

impl CertificateSigner {
    pub(super) fn rsa(key: rsa::RsaPrivateKey) -> Option<Self> {
        let public = key.to_public_key().to_pkcs1_der().ok()?.as_bytes().to_vec();
        Some(CertificateSigner::Rsa {
            key: Box::new(rsa::pkcs1v15::SigningKey::new(key)),
            public,
        })
    }
}

impl rcgen::RemoteKeyPair for CertificateSigner {
    fn public_key(&self) -> &[u8] {
        match self {
            CertificateSigner::Ecdsa(key) => key.public_key(),
            CertificateSigner::Rsa { public, .. } => public,
        }
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        match self {
            CertificateSigner::Ecdsa(key) => {
                key.sign(msg).map_err(|_| rcgen::Error::RemoteKeyError)
            }
            CertificateSigner::Rsa { key, .. } => key
                .try_sign(msg)
                .map(|s| s.to_vec())
                .map_err(|_| rcgen::Error::RemoteKeyError),
        }
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        match self {
            CertificateSigner::Ecdsa(_) => &rcgen::PKCS_ECDSA_P256_SHA256,
            CertificateSigner::Rsa { .. } => &rcgen::PKCS_RSA_SHA256,
        }
    }
}

/// The public key (as the certificate's SubjectPublicKeyInfo carries it)
/// of a PKCS#8 ECDSA P-256 or RSA private key; `None` for anything else.
pub(super) fn public_key_of_pkcs8(pkcs8: &[u8]) -> Option<Vec<u8>> {
    if let Ok(key) = EcdsaP256Key::from_pkcs8_der(pkcs8) {
        return Some(key.public_key().to_vec());
    }
    let key = rsa::RsaPrivateKey::from_pkcs8_der(pkcs8).ok()?;
    Some(key.to_public_key().to_pkcs1_der().ok()?.as_bytes().to_vec())
}
