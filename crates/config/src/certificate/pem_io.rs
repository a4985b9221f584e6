//! PEM export and import: a `CERTIFICATE` block and a `PRIVATE KEY` (PKCS#8)
//! block, so that a caller can keep its DTLS identity across runs.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use sansrtc_dtls::Identity;

use x509_parser::oid_registry::{OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_PKCS1_RSAENCRYPTION};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::signer::public_key_of_pkcs8;
use super::{KeyKind, RtcCertificate};
use crate::error::ConfigError;

const CERTIFICATE_TAG: &str = "CERTIFICATE";
const PRIVATE_KEY_TAG: &str = "PRIVATE KEY";

impl RtcCertificate {
    /// The certificate and its private key as two PEM blocks
    /// (`CERTIFICATE`, then `PRIVATE KEY`).
    pub fn to_pem(&self) -> String {
        let blocks = [
            pem::Pem::new(CERTIFICATE_TAG, self.certificate_der.clone()),
            pem::Pem::new(PRIVATE_KEY_TAG, self.private_key_pkcs8_der.clone()),
        ];
        pem::encode_many(&blocks)
    }

    /// Reads what [`RtcCertificate::to_pem`] writes (block order does not
    /// matter; other blocks are ignored). The key must be ECDSA P-256 or RSA
    /// PKCS#8 and must belong to the certificate; `expires` is the
    /// certificate's `notAfter`.
    pub fn from_pem(text: &str) -> Result<Self, ConfigError> {
        let blocks = pem::parse_many(text).map_err(|_| ConfigError::PemMalformed)?;
        let certificate_der = blocks
            .iter()
            .find(|b| b.tag() == CERTIFICATE_TAG)
            .ok_or(ConfigError::PemMissingCertificate)?
            .contents()
            .to_vec();
        let private_key_pkcs8_der = blocks
            .iter()
            .find(|b| b.tag() == PRIVATE_KEY_TAG)
            .ok_or(ConfigError::PemMissingPrivateKey)?
            .contents()
            .to_vec();
        Self::from_der(certificate_der, private_key_pkcs8_der)
    }

    /// Builds a certificate from its DER and its PKCS#8 DER private key,
    /// checking that they belong together.
    pub fn from_der(
        certificate_der: Vec<u8>,
        private_key_pkcs8_der: Vec<u8>,
    ) -> Result<Self, ConfigError> {
        let (rest, cert) = X509Certificate::from_der(&certificate_der)
            .map_err(|_| ConfigError::CertificateMalformed)?;
        if !rest.is_empty() {
            return Err(ConfigError::CertificateMalformed);
        }
        let spki = &cert.tbs_certificate.subject_pki;
        let algorithm = &spki.algorithm;
        let key_kind = if algorithm.algorithm == OID_KEY_TYPE_EC_PUBLIC_KEY {
            let curve = algorithm.parameters.as_ref().and_then(|p| p.as_oid().ok());
            if curve != Some(OID_EC_P256) {
                return Err(ConfigError::UnsupportedPrivateKey);
            }
            KeyKind::EcdsaP256Sha256
        } else if algorithm.algorithm == OID_PKCS1_RSAENCRYPTION {
            KeyKind::RsaPkcs1Sha256
        } else {
            return Err(ConfigError::UnsupportedPrivateKey);
        };
        let public = public_key_of_pkcs8(&private_key_pkcs8_der)
            .ok_or(ConfigError::UnsupportedPrivateKey)?;
        if public != spki.subject_public_key.data.as_ref() {
            return Err(ConfigError::KeyMismatch);
        }
        let not_after = cert.tbs_certificate.validity.not_after.timestamp();
        let expires = if not_after >= 0 {
            UNIX_EPOCH + Duration::from_secs(not_after.unsigned_abs())
        } else {
            UNIX_EPOCH - Duration::from_secs(not_after.unsigned_abs())
        };
        let identity = Identity::from_der(vec![certificate_der.clone()], &private_key_pkcs8_der)
            .map_err(|_| ConfigError::UnsupportedPrivateKey)?;
        Ok(RtcCertificate {
            key_kind,
            certificate_der,
            private_key_pkcs8_der,
            expires,
            origin: None,
            identity: Arc::new(identity),
        })
    }
}
