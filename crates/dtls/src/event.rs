//! What an endpoint tells its application.

use crate::error::DtlsError;
use crate::suite::{CipherSuite, NamedGroup, SrtpProfile};
use crate::Fingerprint;

/// The negotiated parameters, reported once the handshake completes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connected {
    /// The cipher suite.
    pub cipher_suite: CipherSuite,
    /// The ECDHE group.
    pub group: NamedGroup,
    /// The SRTP profile, if use_srtp was negotiated.
    pub srtp_profile: Option<SrtpProfile>,
    /// Whether the extended master secret (RFC 7627) is in use.
    pub extended_master_secret: bool,
    /// The peer's certificate chain (DER, leaf first).
    pub peer_certificate_chain: Vec<Vec<u8>>,
    /// The sha-256 fingerprint of the peer's leaf certificate.
    pub peer_fingerprint: Fingerprint,
    /// Which of our identities we authenticated with: its index in
    /// [`crate::DtlsConfig::identities`] (0 is [`crate::DtlsConfig::identity`]).
    /// `None` only for a client whose server asked for no certificate.
    pub local_certificate_index: Option<usize>,
}

/// An event from [`crate::DtlsEndpoint::poll_output`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DtlsEvent {
    /// The handshake completed and the peer is authenticated; keying
    /// material can now be exported.
    Connected(Connected),
    /// Application data from the peer (one record).
    ApplicationData(Vec<u8>),
    /// The peer sent close_notify; we answered with ours. Nothing more is sent.
    Closed,
    /// The connection failed (we sent a fatal alert where we could).
    /// Nothing more is sent or delivered.
    Failed(DtlsError),
}
