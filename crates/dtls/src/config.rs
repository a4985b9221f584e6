//! What a DTLS endpoint is configured with.

use std::sync::Arc;
use std::time::Duration;

use crate::error::DtlsError;
use crate::identity::Identity;
use crate::suite::{CipherSuite, NamedGroup, SignatureScheme, SrtpProfile, SRTP_PREFERENCE};
use crate::v13::cipher_suite::Tls13CipherSuite;
use crate::v13::key_share::KeyShareGroup;
use crate::version::DtlsVersion;
use crate::Fingerprint;

/// Which side of the handshake an endpoint plays: the workspace's one
/// DTLS role type ([`sansrtc_proto::DtlsRole`]), named `Role` here.
pub use sansrtc_proto::DtlsRole as Role;

/// The configuration of one endpoint. [`DtlsConfig::new`] gives the
/// WebRTC defaults; fields may be changed before building the endpoint.
#[derive(Debug, Clone)]
pub struct DtlsConfig {
    /// Our certificate and key; with [`DtlsConfig::additional_identities`],
    /// the first (most preferred) of our identities, index 0.
    pub identity: Arc<Identity>,
    /// Further identities after [`DtlsConfig::identity`], in preference
    /// order (indices 1, 2, …), as the W3C `certificates` list allows
    /// several. The handshake uses the first one the peer accepts: a server
    /// the first whose key type fits a suite both sides support and that
    /// signs with a scheme the client offers; a client the first whose
    /// certificate type and a signature scheme the server's
    /// CertificateRequest asks for. [`crate::Connected::local_certificate_index`]
    /// reports which. Empty by default.
    pub additional_identities: Vec<Arc<Identity>>,
    /// The peer's expected fingerprints (from its SDP). The leaf certificate
    /// must match at least one, else the handshake fails with
    /// [`DtlsError::FingerprintMismatch`] (alert `bad_certificate`). Empty is
    /// a configuration error ([`DtlsError::NoExpectedFingerprints`] from
    /// [`crate::DtlsEndpoint::new`]) unless the configuration was built with
    /// [`DtlsConfig::dangerously_accept_any_peer_certificate`].
    pub expected_fingerprints: Vec<Fingerprint>,
    /// Cipher suites in preference order (the server picks by its own order).
    pub cipher_suites: Vec<CipherSuite>,
    /// ECDHE groups in preference order.
    pub groups: Vec<NamedGroup>,
    /// Signature schemes in preference order.
    pub signature_schemes: Vec<SignatureScheme>,
    /// SRTP profiles in preference order; empty: do not negotiate use_srtp.
    /// The server picks the first of its own list that the client offers.
    pub srtp_profiles: Vec<SrtpProfile>,
    /// Fail the handshake if the peer lacks extended_master_secret (RFC 7627).
    pub require_extended_master_secret: bool,
    /// Server: ask for, and require, a client certificate (WebRTC does).
    pub require_client_certificate: bool,
    /// Server: answer a ClientHello without a valid cookie with a
    /// HelloVerifyRequest (RFC 6347 §4.2.1).
    pub hello_verify_request: bool,
    /// The largest datagram we send (records are packed and handshake
    /// messages fragmented under it). At least 256.
    pub mtu: usize,
    /// The first retransmission timeout (RFC 6347 §4.2.4.1 suggests 1 s).
    pub initial_retransmit_timeout: Duration,
    /// The cap of the doubling timeout (RFC 6347 suggests 60 s).
    pub max_retransmit_timeout: Duration,
    /// Retransmissions of one flight before the handshake fails.
    pub max_retransmissions: u32,
    /// Wall-clock time (seconds since the UNIX epoch) at which to check the
    /// peer certificate's validity period; `None` skips the check (a
    /// Sans-IO machine has no wall clock: the caller supplies it).
    pub unix_time: Option<u64>,
    /// The largest handshake message we accept.
    pub max_handshake_message: usize,
    /// The largest certificate chain (total DER bytes) we accept.
    pub max_certificate_chain: usize,
    /// Bytes of handshake fragments we buffer for reassembly.
    pub max_reassembly_bytes: usize,
    /// Records we buffer that cannot be processed yet (a future epoch,
    /// application data before Finished).
    pub max_buffered_records: usize,
    /// The DTLS 1.3 cipher suites, in preference order (default: all of
    /// [`Tls13CipherSuite::ALL`], AES-128-GCM first).
    pub dtls13_cipher_suites: Vec<Tls13CipherSuite>,
    /// The DTLS 1.3 key exchange groups, in preference order (default:
    /// X25519MLKEM768, x25519, secp256r1). A client sends key shares for
    /// the first two, as Chromium does; a server answers the first of its
    /// groups the client sent a share for, or asks for one with a
    /// HelloRetryRequest.
    pub dtls13_groups: Vec<KeyShareGroup>,
    /// The oldest version we accept (default DTLS 1.2).
    pub min_version: DtlsVersion,
    /// The newest version we offer or accept (default DTLS 1.3: a client
    /// offers 1.3 and 1.2, a server picks 1.3 when the client offers it,
    /// see docs/dtls.md "DTLS 1.3").
    pub max_version: DtlsVersion,
    /// Set only by [`DtlsConfig::dangerously_accept_any_peer_certificate`].
    accept_any_peer_certificate: bool,
}

impl DtlsConfig {
    /// The WebRTC defaults around `identity`: all suites, groups, schemes
    /// and SRTP profiles, EMS required, client certificate required,
    /// HelloVerifyRequest on, MTU 1200, 1 s initial timeout, 60 s cap,
    /// 8 retransmissions. No expected fingerprints yet: set
    /// [`DtlsConfig::expected_fingerprints`] before building the endpoint
    /// (the endpoint refuses to start without them, see
    /// [`DtlsConfig::dangerously_accept_any_peer_certificate`]).
    pub fn new(identity: Arc<Identity>) -> Self {
        Self {
            identity,
            additional_identities: Vec::new(),
            expected_fingerprints: Vec::new(),
            cipher_suites: CipherSuite::ALL.to_vec(),
            groups: NamedGroup::ALL.to_vec(),
            signature_schemes: SignatureScheme::ALL.to_vec(),
            srtp_profiles: SRTP_PREFERENCE.to_vec(),
            require_extended_master_secret: true,
            require_client_certificate: true,
            hello_verify_request: true,
            mtu: 1200,
            initial_retransmit_timeout: Duration::from_secs(1),
            max_retransmit_timeout: Duration::from_secs(60),
            max_retransmissions: 8,
            unix_time: None,
            max_handshake_message: 32 * 1024,
            max_certificate_chain: 24 * 1024,
            max_reassembly_bytes: 64 * 1024,
            max_buffered_records: 32,
            dtls13_cipher_suites: Tls13CipherSuite::ALL.to_vec(),
            dtls13_groups: KeyShareGroup::ALL.to_vec(),
            min_version: DtlsVersion::Dtls12,
            max_version: DtlsVersion::Dtls13,
            accept_any_peer_certificate: false,
        }
    }

    /// **Turns peer authentication off**: with no
    /// [`DtlsConfig::expected_fingerprints`], any certificate the peer
    /// presents is accepted, so anyone who can reach the endpoint can
    /// impersonate the peer. For tests, fuzzing and debugging only (a
    /// caller that learns the fingerprint afterwards must check
    /// [`crate::Connected::peer_fingerprint`] itself); WebRTC always has
    /// the peer's fingerprints from its SDP. Without this call an empty
    /// list is refused by [`crate::DtlsEndpoint::new`]. Fingerprints that
    /// are configured are still enforced.
    #[must_use]
    pub fn dangerously_accept_any_peer_certificate(mut self) -> Self {
        self.accept_any_peer_certificate = true;
        self
    }

    /// Whether [`DtlsConfig::dangerously_accept_any_peer_certificate`] was
    /// called.
    pub fn accepts_any_peer_certificate(&self) -> bool {
        self.accept_any_peer_certificate
    }

    /// Fail closed: an error unless the peer will be authenticated by an
    /// expected fingerprint or the caller explicitly opted out.
    pub(crate) fn check_peer_authentication(&self) -> Result<(), DtlsError> {
        if self.expected_fingerprints.is_empty() && !self.accept_any_peer_certificate {
            return Err(DtlsError::NoExpectedFingerprints);
        }
        Ok(())
    }

    /// Whether a peer leaf certificate (DER) is acceptable: it matches an
    /// expected fingerprint, or none is configured and the caller opted out.
    /// Whether `version` is within [`Self::min_version`]..=[`Self::max_version`].
    pub fn allows(&self, version: DtlsVersion) -> bool {
        (self.min_version..=self.max_version).contains(&version)
    }

    pub(crate) fn accepts_peer_leaf(&self, leaf: &[u8]) -> bool {
        if self.expected_fingerprints.is_empty() {
            return self.accept_any_peer_certificate;
        }
        self.expected_fingerprints
            .iter()
            .any(|fp| crate::fingerprint_matches(fp, leaf))
    }

    /// The WebRTC defaults (as [`DtlsConfig::new`]) around several
    /// identities in preference order: the first becomes
    /// [`DtlsConfig::identity`], the rest [`DtlsConfig::additional_identities`].
    /// An empty list is an [`DtlsError::InvalidIdentity`].
    pub fn with_identities(
        identities: impl IntoIterator<Item = Arc<Identity>>,
    ) -> Result<Self, DtlsError> {
        let mut identities = identities.into_iter();
        let first = identities
            .next()
            .ok_or(DtlsError::InvalidIdentity("no identity"))?;
        let mut config = Self::new(first);
        config.additional_identities = identities.collect();
        Ok(config)
    }

    /// Every identity in preference order: [`DtlsConfig::identity`]
    /// (index 0), then [`DtlsConfig::additional_identities`]. The index is
    /// the one [`crate::Connected::local_certificate_index`] reports.
    pub fn identities(&self) -> impl Iterator<Item = &Arc<Identity>> + '_ {
        std::iter::once(&self.identity).chain(&self.additional_identities)
    }
}
