//! `RTCCertificate`: the DTLS identity of a peer connection, generated as
//! `RTCPeerConnection.generateCertificate()` does, with fingerprints and a
//! PEM form that round-trips.

mod fingerprint;
mod generate;
mod pem_io;
mod signer;

use core::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use fingerprint::{fingerprint_of, FINGERPRINT_ALGORITHMS};
pub use generate::RSA_MODULUS_BITS;
use sansrtc_dtls::Identity;
/// The certificate fingerprint: `sansrtc-sdp`'s type, the one definition in
/// the workspace.
pub use sansrtc_sdp::attributes::Fingerprint;
/// The hash function of a fingerprint: `sansrtc-sdp`'s `HashAlgorithm`
/// under the name this crate used.
pub use sansrtc_sdp::attributes::HashAlgorithm as FingerprintAlgorithm;

/// Lifetime of a generated certificate unless asked otherwise (30 days, as browsers do).
pub const DEFAULT_CERTIFICATE_LIFETIME: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// The key algorithms `generateCertificate()` supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum KeyKind {
    /// ECDSA on P-256 with SHA-256 (`{name: "ECDSA", namedCurve: "P-256"}`); the default.
    #[default]
    EcdsaP256Sha256,
    /// RSASSA-PKCS1-v1_5, 2048-bit modulus, public exponent 65537, SHA-256.
    RsaPkcs1Sha256,
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertificateOptions {
    /// The key algorithm.
    pub key_kind: KeyKind,
    /// How long after `now` the certificate expires (rounded down to whole seconds).
    pub lifetime: Duration,
}

impl Default for CertificateOptions {
    fn default() -> Self {
        CertificateOptions {
            key_kind: KeyKind::EcdsaP256Sha256,
            lifetime: DEFAULT_CERTIFICATE_LIFETIME,
        }
    }
}

/// A self-signed certificate and its private key.
///
/// In a configuration, certificates are shared as `Arc<RtcCertificate>`;
/// `setConfiguration` compares them by identity (`Arc::ptr_eq`), not content.
/// Equality (`==`) compares the content, not the DTLS identity built from it.
#[derive(Clone)]
pub struct RtcCertificate {
    key_kind: KeyKind,
    certificate_der: Vec<u8>,
    private_key_pkcs8_der: Vec<u8>,
    expires: SystemTime,
    origin: Option<String>,
    /// The key ready to sign, built once with the certificate: every peer
    /// connection that uses the certificate shares it.
    identity: Arc<Identity>,
}

impl PartialEq for RtcCertificate {
    fn eq(&self, other: &Self) -> bool {
        // The identity is a function of the certificate and key bytes.
        self.key_kind == other.key_kind
            && self.certificate_der == other.certificate_der
            && self.private_key_pkcs8_der == other.private_key_pkcs8_der
            && self.expires == other.expires
            && self.origin == other.origin
    }
}

impl Eq for RtcCertificate {}

impl RtcCertificate {
    /// Which key algorithm the certificate uses.
    pub fn key_kind(&self) -> KeyKind {
        self.key_kind
    }

    /// The X.509 certificate, DER.
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }

    /// The private key, PKCS#8 DER. Keep it secret.
    pub fn private_key_pkcs8_der(&self) -> &[u8] {
        &self.private_key_pkcs8_der
    }

    /// The DTLS identity (the certificate and its key, ready to sign),
    /// shared by every peer connection that uses this certificate.
    pub fn identity(&self) -> &Arc<Identity> {
        &self.identity
    }

    /// When the certificate expires (its X.509 `notAfter`).
    pub fn expires(&self) -> SystemTime {
        self.expires
    }

    /// `expires` in milliseconds since the Unix epoch, as `RTCCertificate.expires`
    /// reports it (negative before 1970).
    pub fn expires_millis(&self) -> i64 {
        match self.expires.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
            Err(e) => i64::try_from(e.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
        }
    }

    /// The fingerprint of the certificate with `algorithm`, or `None` for
    /// an algorithm not in [`FINGERPRINT_ALGORITHMS`].
    pub fn fingerprint(&self, algorithm: FingerprintAlgorithm) -> Option<Fingerprint> {
        fingerprint_of(algorithm, &self.certificate_der)
    }

    /// The SHA-256 fingerprint of the certificate (what browsers put in SDP).
    pub fn sha256_fingerprint(&self) -> Fingerprint {
        fingerprint::sha256_fingerprint(&self.certificate_der)
    }

    /// `getFingerprints()`: the SHA-256 fingerprint (what browsers return).
    pub fn fingerprints(&self) -> Vec<Fingerprint> {
        vec![self.sha256_fingerprint()]
    }

    /// The origin that made the certificate (`[[Origin]]`); `None` is the
    /// local origin. A configuration from another origin is rejected.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// The same certificate marked as made by `origin`.
    pub fn with_origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }
}

impl fmt::Debug for RtcCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RtcCertificate")
            .field("key_kind", &self.key_kind)
            .field("fingerprint", &self.sha256_fingerprint().to_string())
            .field("expires_millis", &self.expires_millis())
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}
