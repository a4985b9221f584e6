//! Our certificate chain and private key, and signing with it.

use p256::ecdsa::signature::{RandomizedSigner, SignatureEncoding};
use p256::pkcs8::DecodePrivateKey;
use rand_core::CryptoRngCore;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPublicKey};
use sha2::Sha256;

use crate::ecdsa_key::EcdsaP256Key;
use crate::error::DtlsError;
use crate::fingerprint::{fingerprint_of, sha256_fingerprint};
use crate::peer::{PeerCertificate, PeerKey};
use crate::suite::SignatureScheme;
use crate::{Fingerprint, HashAlgorithm};

/// The private key, ready to sign. ECDSA signatures are deterministic
/// (RFC 6979); the RSA signers blind with, and PSS salts come from, the
/// endpoint's RNG. Nothing here draws randomness of its own.
enum SigningKey {
    Ecdsa(EcdsaP256Key),
    Rsa(Box<RsaSigningKeys>),
}

/// An RSA key as its two signers.
struct RsaSigningKeys {
    pkcs1: rsa::pkcs1v15::SigningKey<Sha256>,
    pss: rsa::pss::BlindedSigningKey<Sha256>,
}

/// A DTLS identity: a DER certificate chain (leaf first) and the leaf's
/// private key (ECDSA P-256 PKCS#8, or RSA PKCS#8 / PKCS#1).
pub struct Identity {
    chain: Vec<Vec<u8>>,
    key: SigningKey,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field(
                "fingerprint",
                &sha256_fingerprint(&self.chain[0]).to_string(),
            )
            .field("ecdsa", &self.is_ecdsa())
            .finish()
    }
}

impl Identity {
    /// An identity from DER: the certificate chain (leaf first) and the
    /// private key. The key must match the leaf certificate's public key.
    pub fn from_der(chain: Vec<Vec<u8>>, private_key_der: &[u8]) -> Result<Self, DtlsError> {
        let leaf = chain
            .first()
            .ok_or(DtlsError::InvalidIdentity("empty certificate chain"))?;
        let cert = PeerCertificate::parse(leaf)
            .map_err(|_| DtlsError::InvalidIdentity("leaf certificate does not parse"))?;
        let key = match cert.key {
            PeerKey::EcdsaP256(ref public) => {
                let key = EcdsaP256Key::from_pkcs8_der(private_key_der)?;
                if key.public_key() != public.as_slice() {
                    return Err(DtlsError::InvalidIdentity("key does not match certificate"));
                }
                SigningKey::Ecdsa(key)
            }
            PeerKey::Rsa(ref public) => {
                let key = rsa::RsaPrivateKey::from_pkcs8_der(private_key_der)
                    .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_der(private_key_der))
                    .map_err(|_| DtlsError::InvalidIdentity("not an RSA private key"))?;
                let ours = key
                    .to_public_key()
                    .to_pkcs1_der()
                    .map_err(|_| DtlsError::InvalidIdentity("not an RSA private key"))?;
                if ours.as_bytes() != public.as_slice() {
                    return Err(DtlsError::InvalidIdentity("key does not match certificate"));
                }
                SigningKey::Rsa(Box::new(RsaSigningKeys {
                    pkcs1: rsa::pkcs1v15::SigningKey::new(key.clone()),
                    pss: rsa::pss::BlindedSigningKey::new(key),
                }))
            }
        };
        Ok(Self { chain, key })
    }

    /// An identity from a DER certificate chain (leaf first) and the
    /// ECDSA P-256 key of its leaf, already read: no PKCS#8 to parse, no
    /// point to compute. The key must match the leaf's public key.
    pub fn from_ecdsa_p256(chain: Vec<Vec<u8>>, key: EcdsaP256Key) -> Result<Self, DtlsError> {
        let leaf = chain
            .first()
            .ok_or(DtlsError::InvalidIdentity("empty certificate chain"))?;
        let cert = PeerCertificate::parse(leaf)
            .map_err(|_| DtlsError::InvalidIdentity("leaf certificate does not parse"))?;
        match cert.key {
            PeerKey::EcdsaP256(ref public) if key.public_key() == public.as_slice() => {}
            _ => return Err(DtlsError::InvalidIdentity("key does not match certificate")),
        }
        Ok(Self {
            chain,
            key: SigningKey::Ecdsa(key),
        })
    }

    /// An identity from PEM text as `openssl req -x509` writes it: one or
    /// more `CERTIFICATE` blocks and a `PRIVATE KEY` (or `RSA PRIVATE KEY`) block.
    pub fn from_pem(certificate_pem: &str, private_key_pem: &str) -> Result<Self, DtlsError> {
        let certs = pem::parse_many(certificate_pem)
            .map_err(|_| DtlsError::InvalidIdentity("certificate PEM does not parse"))?;
        let chain: Vec<Vec<u8>> = certs
            .into_iter()
            .filter(|p| p.tag() == "CERTIFICATE")
            .map(|p| p.into_contents())
            .collect();
        let keys = pem::parse_many(private_key_pem)
            .map_err(|_| DtlsError::InvalidIdentity("key PEM does not parse"))?;
        let key = keys
            .into_iter()
            .find(|p| p.tag() == "PRIVATE KEY" || p.tag() == "RSA PRIVATE KEY")
            .ok_or(DtlsError::InvalidIdentity("no PRIVATE KEY block"))?;
        Self::from_der(chain, key.contents())
    }

    /// The certificate chain, leaf first.
    pub fn certificate_chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    /// The leaf certificate's fingerprint (for the local SDP), or `None`
    /// for a hash function we do not compute (see [`crate::is_supported`]).
    pub fn fingerprint(&self, algorithm: HashAlgorithm) -> Option<Fingerprint> {
        fingerprint_of(algorithm, &self.chain[0])
    }

    /// Whether the key is ECDSA (else RSA).
    pub fn is_ecdsa(&self) -> bool {
        matches!(self.key, SigningKey::Ecdsa(_))
    }

    /// Whether we can sign with `scheme`.
    pub(crate) fn can_sign(&self, scheme: SignatureScheme) -> bool {
        scheme.is_ecdsa() == self.is_ecdsa()
    }

    /// Signs `msg` with `scheme`: ECDSA (ASN.1 DER) with an RFC 6979
    /// nonce, RSA with blinding and (PSS) a salt drawn from `rng`.
    pub(crate) fn sign(
        &self,
        scheme: SignatureScheme,
        msg: &[u8],
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<u8>, DtlsError> {
        match (&self.key, scheme) {
            (SigningKey::Ecdsa(k), SignatureScheme::EcdsaSecp256r1Sha256) => k.sign(msg),
            (SigningKey::Rsa(k), SignatureScheme::RsaPkcs1Sha256) => k
                .pkcs1
                .try_sign_with_rng(rng, msg)
                .map(|s| s.to_vec())
                .map_err(|_| DtlsError::Signing),
            (SigningKey::Rsa(k), SignatureScheme::RsaPssRsaeSha256) => k
                .pss
                .try_sign_with_rng(rng, msg)
                .map(|s| s.to_vec())
                .map_err(|_| DtlsError::Signing),
            _ => Err(DtlsError::NoCommonSignatureScheme),
        }
    }
}
