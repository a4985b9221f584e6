//! Our certificate chain and private key, and signing with it.

use ring::signature::{EcdsaKeyPair, KeyPair, RsaKeyPair};

use crate::error::DtlsError;
use crate::fingerprint::{fingerprint_of, sha256_fingerprint};
use crate::peer::{PeerCertificate, PeerKey};
use crate::suite::SignatureScheme;
use crate::system_random;
use crate::{Fingerprint, HashAlgorithm};

enum SigningKey {
    Ecdsa(EcdsaKeyPair),
    Rsa(RsaKeyPair),
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
                let pair = system_random::ecdsa_from_pkcs8(private_key_der)?;
                if pair.public_key().as_ref() != public.as_slice() {
                    return Err(DtlsError::InvalidIdentity("key does not match certificate"));
                }
                SigningKey::Ecdsa(pair)
            }
            PeerKey::Rsa(ref public) => {
                let pair = RsaKeyPair::from_pkcs8(private_key_der)
                    .or_else(|_| RsaKeyPair::from_der(private_key_der))
                    .map_err(|_| DtlsError::InvalidIdentity("not an RSA private key"))?;
                if pair.public().as_ref() != public.as_slice() {
                    return Err(DtlsError::InvalidIdentity("key does not match certificate"));
                }
                SigningKey::Rsa(pair)
            }
        };
        Ok(Self { chain, key })
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

    /// Signs `msg` with `scheme`.
    pub(crate) fn sign(&self, scheme: SignatureScheme, msg: &[u8]) -> Result<Vec<u8>, DtlsError> {
        match (&self.key, scheme) {
            (SigningKey::Ecdsa(k), SignatureScheme::EcdsaSecp256r1Sha256) => {
                system_random::ecdsa_sign(k, msg)
            }
            (SigningKey::Rsa(k), SignatureScheme::RsaPkcs1Sha256) => {
                system_random::rsa_sign(k, false, msg)
            }
            (SigningKey::Rsa(k), SignatureScheme::RsaPssRsaeSha256) => {
                system_random::rsa_sign(k, true, msg)
            }
            _ => Err(DtlsError::NoCommonSignatureScheme),
        }
    }
}
