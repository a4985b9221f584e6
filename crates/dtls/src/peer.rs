//! The peer's certificate: its public key and validity (via x509-parser),
//! and verifying handshake signatures with it (via ring).

use ring::signature::{self, UnparsedPublicKey};
use x509_parser::oid_registry::{OID_KEY_TYPE_EC_PUBLIC_KEY, OID_PKCS1_RSAENCRYPTION};

use crate::error::DtlsError;
use crate::suite::SignatureScheme;

/// A public key we can verify with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PeerKey {
    /// An uncompressed P-256 point.
    EcdsaP256(Vec<u8>),
    /// A DER RSAPublicKey.
    Rsa(Vec<u8>),
}

/// What we keep of a peer (or our own) leaf certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PeerCertificate {
    pub(crate) key: PeerKey,
    /// Validity, seconds since the UNIX epoch.
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
}

impl PeerCertificate {
    pub(crate) fn parse(der: &[u8]) -> Result<Self, DtlsError> {
        let (rest, cert) = x509_parser::parse_x509_certificate(der)
            .map_err(|_| DtlsError::BadCertificate("does not parse as X.509"))?;
        if !rest.is_empty() {
            return Err(DtlsError::BadCertificate("trailing bytes"));
        }
        let spki = cert.public_key();
        let bits = spki.subject_public_key.data.to_vec();
        let oid = &spki.algorithm.algorithm;
        let key = if *oid == OID_KEY_TYPE_EC_PUBLIC_KEY {
            if bits.len() != 65 || bits[0] != 4 {
                return Err(DtlsError::BadCertificate(
                    "EC key is not an uncompressed P-256 point",
                ));
            }
            PeerKey::EcdsaP256(bits)
        } else if *oid == OID_PKCS1_RSAENCRYPTION {
            PeerKey::Rsa(bits)
        } else {
            return Err(DtlsError::BadCertificate(
                "unsupported public key algorithm",
            ));
        };
        let validity = cert.validity();
        Ok(Self {
            key,
            not_before: validity.not_before.timestamp(),
            not_after: validity.not_after.timestamp(),
        })
    }

    /// Checks the validity period at `unix_time` (seconds).
    pub(crate) fn check_validity(&self, unix_time: u64) -> Result<(), DtlsError> {
        let now = i64::try_from(unix_time).unwrap_or(i64::MAX);
        if now < self.not_before {
            Err(DtlsError::CertificateNotYetValid)
        } else if now > self.not_after {
            Err(DtlsError::CertificateExpired)
        } else {
            Ok(())
        }
    }

    pub(crate) fn is_ecdsa(&self) -> bool {
        matches!(self.key, PeerKey::EcdsaP256(_))
    }

    /// Verifies `sig` over `msg` with `scheme`.
    pub(crate) fn verify(
        &self,
        scheme: SignatureScheme,
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), DtlsError> {
        let (alg, key): (&'static dyn signature::VerificationAlgorithm, &[u8]) =
            match (&self.key, scheme) {
                (PeerKey::EcdsaP256(k), SignatureScheme::EcdsaSecp256r1Sha256) => {
                    (&signature::ECDSA_P256_SHA256_ASN1, k)
                }
                (PeerKey::Rsa(k), SignatureScheme::RsaPkcs1Sha256) => {
                    (&signature::RSA_PKCS1_2048_8192_SHA256, k)
                }
                (PeerKey::Rsa(k), SignatureScheme::RsaPssRsaeSha256) => {
                    (&signature::RSA_PSS_2048_8192_SHA256, k)
                }
                _ => return Err(DtlsError::IllegalParameter("signature scheme for the key")),
            };
        UnparsedPublicKey::new(alg, key)
            .verify(msg, sig)
            .map_err(|_| DtlsError::BadSignature)
    }
}
