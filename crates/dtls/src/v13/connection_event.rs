//! What a DTLS 1.3 connection tells its application.

use super::cipher_suite::Tls13CipherSuite;
use super::key_share::KeyShareGroup;
use crate::error::DtlsError;
use crate::suite::SrtpProfile;
use crate::Fingerprint;

/// The negotiated parameters, reported once the handshake completes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dtls13Connected {
    /// The cipher suite.
    pub(crate) cipher_suite: Tls13CipherSuite,
    /// The key exchange group.
    pub(crate) group: KeyShareGroup,
    /// The SRTP profile, if use_srtp was negotiated.
    pub(crate) srtp_profile: Option<SrtpProfile>,
    /// The peer's certificate chain (DER, leaf first).
    pub(crate) peer_certificate_chain: Vec<Vec<u8>>,
    /// The sha-256 fingerprint of the peer's leaf certificate.
    pub(crate) peer_fingerprint: Fingerprint,
}

/// An event from `Dtls13Connection::poll_output`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Dtls13Event {
    /// The handshake completed and the peer is authenticated.
    Connected(Dtls13Connected),
    /// Application data from the peer (one record).
    ApplicationData(Vec<u8>),
    /// The peer sent close_notify.
    Closed,
    /// The connection failed (we sent a fatal alert where we could).
    Failed(DtlsError),
}
