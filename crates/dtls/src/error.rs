//! The crate's single error type.

/// Everything that can go wrong in a DTLS connection. One variant per cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DtlsError {
    /// A record, handshake message or extension is malformed.
    #[error("malformed {0}")]
    Decode(&'static str),
    /// The local certificate or private key cannot be used.
    #[error("invalid identity: {0}")]
    InvalidIdentity(&'static str),
    /// A handshake message arrived that the state does not allow.
    #[error("unexpected handshake message: {0}")]
    UnexpectedMessage(&'static str),
    /// The peer offers or picks no version we accept
    /// ([`crate::DtlsConfig::min_version`]..=[`crate::DtlsConfig::max_version`]).
    #[error("peer offers no DTLS version we accept")]
    ProtocolVersion,
    /// The version range is empty (`min_version` above `max_version`).
    #[error("empty DTLS version range")]
    EmptyVersionRange,
    /// A DTLS 1.2 ServerHello answered our DTLS 1.3 offer with RFC 8446
    /// §4.1.3's downgrade sentinel: something removed 1.3 on the way.
    #[error("downgrade to DTLS 1.2 detected")]
    Downgrade,
    /// No cipher suite both sides support that one of our identities'
    /// key types authenticates.
    #[error("no common cipher suite")]
    NoCommonCipherSuite,
    /// No ECDHE group both sides support.
    #[error("no common ECDHE group")]
    NoCommonGroup,
    /// No signature scheme both sides support (with an identity that fits
    /// the suites and certificate types the peer accepts).
    #[error("no common signature scheme")]
    NoCommonSignatureScheme,
    /// The peer picked a parameter we did not offer (cipher suite, group,
    /// signature scheme, SRTP profile, compression, extension).
    #[error("peer chose a parameter we did not offer: {0}")]
    IllegalParameter(&'static str),
    /// The peer does not support the extended master secret (RFC 7627).
    #[error("peer does not support extended_master_secret")]
    ExtendedMasterSecretRequired,
    /// The peer sent a non-empty renegotiation_info in the initial handshake.
    #[error("renegotiation_info is not empty in an initial handshake")]
    BadRenegotiationInfo,
    /// The peer sent no certificate although we require one.
    #[error("peer sent no certificate")]
    MissingCertificate,
    /// The peer certificate cannot be parsed or has an unusable key.
    #[error("bad peer certificate: {0}")]
    BadCertificate(&'static str),
    /// The peer certificate's validity period has ended.
    #[error("peer certificate has expired")]
    CertificateExpired,
    /// The peer certificate's validity period has not started.
    #[error("peer certificate is not yet valid")]
    CertificateNotYetValid,
    /// The peer certificate matches none of the expected fingerprints.
    #[error("peer certificate fingerprint matches none of the expected fingerprints")]
    FingerprintMismatch,
    /// The configuration has no expected peer fingerprints, so the peer
    /// could not be authenticated: set [`crate::DtlsConfig::expected_fingerprints`]
    /// (or, for tests only,
    /// [`crate::DtlsConfig::dangerously_accept_any_peer_certificate`]).
    #[error("no expected peer fingerprints configured: the peer cannot be authenticated")]
    NoExpectedFingerprints,
    /// A handshake signature does not verify with the peer's key.
    #[error("handshake signature does not verify")]
    BadSignature,
    /// The peer's Finished does not match the transcript.
    #[error("Finished verify_data does not match")]
    BadFinished,
    /// The ECDHE key agreement failed (invalid peer public key).
    #[error("ECDHE key agreement failed")]
    KeyAgreement,
    /// Signing failed in the crypto library.
    #[error("signing failed")]
    Signing,
    /// The peer sent a fatal alert (its description code).
    #[error("peer sent fatal alert {0}")]
    PeerAlert(u8),
    /// The handshake did not complete within the retransmission budget.
    #[error("handshake timed out")]
    HandshakeTimeout,
    /// A peer-controlled size exceeds a bound.
    #[error("{0} exceeds its bound")]
    TooLarge(&'static str),
    /// The application called something that needs a connection first.
    #[error("not connected")]
    NotConnected,
    /// The connection is closed or failed: nothing more is sent.
    #[error("connection closed")]
    Closed,
    /// The call needs a DTLS 1.3 connection (a key update).
    #[error("needs DTLS 1.3")]
    RequiresDtls13,
    /// A role-specific call was made on the other role.
    #[error("wrong role for this call")]
    WrongRole,
    /// An SDP fingerprint line cannot be parsed or names an unsupported hash.
    #[error("invalid fingerprint: {0}")]
    InvalidFingerprint(&'static str),
}
