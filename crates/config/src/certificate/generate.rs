//! `generateCertificate()`: a fresh key and a self-signed certificate.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand_core::{CryptoRng, RngCore};
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, SerialNumber};
use rsa::pkcs8::EncodePrivateKey;
use sansrtc_dtls::{EcdsaP256Key, Identity};
use time::OffsetDateTime;

use super::signer::CertificateSigner;
use super::{CertificateOptions, KeyKind, RtcCertificate};
use crate::error::ConfigError;

/// RSA modulus size `generateCertificate()` uses here.
pub const RSA_MODULUS_BITS: usize = 2048;

/// How far before `now` the certificate's `notBefore` lies (tolerates clock skew).
const NOT_BEFORE_SLACK: Duration = Duration::from_secs(24 * 60 * 60);

impl RtcCertificate {
    /// Generates a certificate as `RTCPeerConnection.generateCertificate()`
    /// does: a new key of `options.key_kind`, a self-signed X.509 certificate
    /// with a random common name and serial from `rng`, valid from a day
    /// before `now` until `now + options.lifetime` (whole seconds).
    ///
    /// Every random value (the key, the name, the serial) comes from `rng`
    /// and the signature is deterministic (ECDSA with an RFC 6979 nonce,
    /// RSASSA-PKCS1-v1_5), so the same `rng` state and `now` give the same
    /// certificate and key bytes.
    pub fn generate<R: RngCore + CryptoRng>(
        options: &CertificateOptions,
        now: SystemTime,
        rng: &mut R,
    ) -> Result<Self, ConfigError> {
        let (pkcs8, signer, ecdsa_key) = match options.key_kind {
            KeyKind::EcdsaP256Sha256 => {
                let key = EcdsaP256Key::generate(rng);
                let signer = CertificateSigner::Ecdsa(key.clone());
                (key.to_pkcs8_der(), signer, Some(key))
            }
            KeyKind::RsaPkcs1Sha256 => {
                let key = rsa::RsaPrivateKey::new(rng, RSA_MODULUS_BITS)
                    .map_err(|_| ConfigError::CertificateGeneration)?;
                let pkcs8 = key
                    .to_pkcs8_der()
                    .map_err(|_| ConfigError::CertificateGeneration)?
                    .as_bytes()
                    .to_vec();
                let signer =
                    CertificateSigner::rsa(key).ok_or(ConfigError::CertificateGeneration)?;
                (pkcs8, signer, None)
            }
        };
        let key_pair = KeyPair::from_remote(Box::new(signer))
            .map_err(|_| ConfigError::CertificateGeneration)?;

        let expires = whole_seconds(
            now.checked_add(options.lifetime)
                .ok_or(ConfigError::CertificateGeneration)?,
        );
        let not_before = now.checked_sub(NOT_BEFORE_SLACK).unwrap_or(now);

        let mut params = CertificateParams::default();
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, random_common_name(rng));
        params.distinguished_name = name;
        params.serial_number = Some(random_serial(rng));
        params.not_before = to_offset_date_time(not_before)?;
        params.not_after = to_offset_date_time(expires)?;
        let certificate = params
            .self_signed(&key_pair)
            .map_err(|_| ConfigError::CertificateGeneration)?;
        let certificate_der = certificate.der().to_vec();
        let chain = vec![certificate_der.clone()];
        // The identity the DTLS endpoints sign with, built once here
        // rather than by every peer connection that uses the certificate.
        let identity = match ecdsa_key {
            Some(key) => Identity::from_ecdsa_p256(chain, key),
            None => Identity::from_der(chain, &pkcs8),
        }
        .map_err(|_| ConfigError::CertificateGeneration)?;

        Ok(RtcCertificate {
            key_kind: options.key_kind,
            certificate_der,
            private_key_pkcs8_der: pkcs8,
            expires,
            origin: None,
            identity: Arc::new(identity),
        })
    }
}

/// 16 lower-case hex characters, as Firefox names its certificates.
fn random_common_name<R: RngCore>(rng: &mut R) -> String {
    let mut bytes = [0u8; 8];
    rng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A positive, non-zero 64-bit serial (RFC 5280 §4.1.2.2).
fn random_serial<R: RngCore>(rng: &mut R) -> SerialNumber {
    let mut bytes = [0u8; 8];
    rng.fill_bytes(&mut bytes);
    bytes[0] = (bytes[0] & 0x7F) | 0x01;
    SerialNumber::from_slice(&bytes)
}

/// Rounds down to a whole second, the precision of X.509 times.
pub(super) fn whole_seconds(t: SystemTime) -> SystemTime {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => UNIX_EPOCH + Duration::from_secs(d.as_secs()),
        Err(e) => {
            let before = e.duration();
            let secs = before.as_secs() + u64::from(before.subsec_nanos() > 0);
            UNIX_EPOCH - Duration::from_secs(secs)
        }
    }
}

fn to_offset_date_time(t: SystemTime) -> Result<OffsetDateTime, ConfigError> {
    let secs: i64 = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).map_err(|_| ConfigError::CertificateGeneration)?,
        Err(e) => -i64::try_from(e.duration().as_secs())
            .map_err(|_| ConfigError::CertificateGeneration)?,
    };
    OffsetDateTime::from_unix_timestamp(secs).map_err(|_| ConfigError::CertificateGeneration)
}
