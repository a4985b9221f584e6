//! What an endpoint tells its application.

use crate::error::DtlsError;
use crate::suite::SrtpProfile;
use crate::v13::key_share::KeyShareGroup;
use crate::version::{DtlsVersion, NegotiatedCipherSuite};
use crate::Fingerprint;

/// The negotiated parameters, reported once the handshake completes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connected {
    /// The protocol version.
    pub version: DtlsVersion,
    /// The cipher suite.
    pub cipher_suite: NegotiatedCipherSuite,
    /// The key exchange group (ECDHE in 1.2; a 1.3 key share group, maybe
    /// the hybrid X25519MLKEM768).
    pub group: KeyShareGroup,
    /// The SRTP profile, if use_srtp was negotiated.
    pub srtp_profile: Option<SrtpProfile>,
    /// Whether the extended master secret (RFC 7627) is in use; always
    /// true in DTLS 1.3, whose key schedule binds the whole transcript.
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
