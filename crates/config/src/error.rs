//! The crate's one error type, [`ConfigError`], and the URL syntax causes it carries.

use crate::policy::{BundlePolicy, RtcpMuxPolicy};

/// Why an ICE server URL is a `SyntaxError`, named after the step of the
/// webrtc-pc "validate an ICE server URL" algorithm that rejects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlSyntaxError {
    /// Step 2.a: the WHATWG URL parser fails (no scheme, relative URL, empty string, …).
    #[error("the URL parser fails")]
    Unparseable,
    /// Step 2.b: the scheme is not `stun`, `stuns`, `turn` or `turns`.
    #[error("the scheme is not stun, stuns, turn or turns")]
    SchemeNotIce,
    /// Step 2.c: the URL has an authority or a hierarchical path (`stun://h`, `stun:/h`).
    #[error("the URL has no opaque path")]
    NoOpaquePath,
    /// Step 2.d: the opaque path contains `/` or `@`.
    #[error("the opaque path contains '/' or '@'")]
    PathHasSlashOrAt,
    /// Deviation D1: the opaque path contains `\` (the RFC 3986 host grammar and WPT reject it).
    #[error("the opaque path contains '\\' (deviation D1)")]
    PathHasBackslash,
    /// Step 2.e: the URL has a fragment.
    #[error("the URL has a fragment")]
    Fragment,
    /// Step 2.f: a `stun:`/`stuns:` URL has a query (even an empty one).
    #[error("a stun/stuns URL has a query")]
    QueryOnStun,
    /// Step 5: `https://` + the path does not parse as a host and an optional port.
    #[error("the host or port is invalid")]
    HostAndPort,
    /// Step 6: a `turn:`/`turns:` query that is not exactly `transport=udp` or `transport=tcp`.
    #[error("the query is not transport=udp or transport=tcp")]
    TurnQuery,
}

/// Everything that can go wrong in this crate. Each variant names the member
/// that failed and why; [`ConfigError::dom_name`] gives the DOM exception name a
/// browser would throw.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The text is not JSON (a browser's `JSON.parse` throws `SyntaxError`).
    #[error("the configuration is not valid JSON (line {line}, column {column})")]
    JsonSyntax {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
    },
    /// The configuration is a string, number or boolean, not a dictionary.
    #[error("the configuration is not a dictionary")]
    ConfigurationNotObject,
    /// `iceServers` is not a sequence (null, an object, a string, …).
    #[error("iceServers is not a sequence")]
    IceServersNotSequence,
    /// `iceServers[server]` is a string, number or boolean, not a dictionary.
    #[error("iceServers[{server}] is not a dictionary")]
    IceServerNotDictionary {
        /// Index of the server.
        server: usize,
    },
    /// `iceServers[server].urls` is absent (the required member; `url` is not an alias).
    #[error("iceServers[{server}].urls is required")]
    UrlsMissing {
        /// Index of the server.
        server: usize,
    },
    /// `certificates` is not a sequence.
    #[error("certificates is not a sequence")]
    CertificatesNotSequence,
    /// `certificates[index]` is not an `RTCCertificate` (no known `$cert` reference).
    #[error("certificates[{index}] is not an RTCCertificate")]
    NotACertificate {
        /// Index in `certificates`.
        index: usize,
    },
    /// `iceCandidatePoolSize` converts to NaN or an infinity (`[EnforceRange]`).
    #[error("iceCandidatePoolSize is not a finite number")]
    PoolSizeNotFinite,
    /// `iceCandidatePoolSize` is outside 0–255 after truncation (`[EnforceRange] octet`).
    #[error("iceCandidatePoolSize {value} is outside 0-255")]
    PoolSizeOutOfRange {
        /// The truncated value.
        value: f64,
    },
    /// An enum member holds a string that is not one of its values.
    #[error("{member}: {value:?} is not a valid value")]
    InvalidEnumValue {
        /// The member (`bundlePolicy`, `iceTransportPolicy`, `rtcpMuxPolicy`).
        member: &'static str,
        /// The string after WebIDL conversion (`null` becomes `"null"`).
        value: String,
    },
    /// `iceServers[server].urls` is an empty list.
    #[error("iceServers[{server}].urls is empty")]
    EmptyUrls {
        /// Index of the server.
        server: usize,
    },
    /// An ICE server URL fails validation with `SyntaxError`.
    #[error("iceServers[{server}].urls: {url:?}: {cause}")]
    InvalidUrl {
        /// Index of the server.
        server: usize,
        /// The URL as given.
        url: String,
        /// Which check failed.
        #[source]
        cause: UrlSyntaxError,
    },
    /// A `turn:`/`turns:` URL whose server lacks `username` or `credential`.
    #[error("iceServers[{server}]: {url:?} needs both username and credential")]
    TurnCredentialsMissing {
        /// Index of the server.
        server: usize,
        /// The URL as given.
        url: String,
    },
    /// The TURN username is 509 bytes or longer (RFC 8489 §14.3: fewer than 509 bytes).
    #[error("iceServers[{server}].username is {bytes} bytes; at most 508 are allowed")]
    UsernameTooLong {
        /// Index of the server.
        server: usize,
        /// Its length in UTF-8 bytes.
        bytes: usize,
    },
    /// The TURN username is not an OpaqueString (RFC 8265 §4.2).
    #[error("iceServers[{server}].username is not an OpaqueString")]
    UsernameNotOpaqueString {
        /// Index of the server.
        server: usize,
    },
    /// The TURN credential is empty (RFC 8265 §4.1: passwords are not zero-length).
    #[error("iceServers[{server}].credential is empty")]
    CredentialEmpty {
        /// Index of the server.
        server: usize,
    },
    /// The TURN credential is not an OpaqueString (RFC 8265 §4.2).
    #[error("iceServers[{server}].credential is not an OpaqueString")]
    CredentialNotOpaqueString {
        /// Index of the server.
        server: usize,
    },
    /// Constructor: `certificates[index].expires` is before now.
    #[error("certificates[{index}] has expired")]
    CertificateExpired {
        /// Index in `certificates`.
        index: usize,
    },
    /// Constructor: `certificates[index]` was made in another origin.
    #[error("certificates[{index}] belongs to another origin")]
    CertificateOrigin {
        /// Index in `certificates`.
        index: usize,
    },
    /// `setConfiguration`: `certificates` has a different length.
    #[error("certificates cannot change: {old} certificate(s) before, {new} now")]
    CertificatesLengthChanged {
        /// Length in the current configuration.
        old: usize,
        /// Length in the new configuration.
        new: usize,
    },
    /// `setConfiguration`: `certificates[index]` is another certificate object.
    #[error("certificates[{index}] cannot change")]
    CertificateChanged {
        /// Index in `certificates`.
        index: usize,
    },
    /// `setConfiguration`: `bundlePolicy` differs.
    #[error("bundlePolicy cannot change from {old:?} to {new:?}")]
    BundlePolicyChanged {
        /// Current value.
        old: BundlePolicy,
        /// Requested value.
        new: BundlePolicy,
    },
    /// `setConfiguration`: `rtcpMuxPolicy` differs.
    #[error("rtcpMuxPolicy cannot change from {old:?} to {new:?}")]
    RtcpMuxPolicyChanged {
        /// Current value.
        old: RtcpMuxPolicy,
        /// Requested value.
        new: RtcpMuxPolicy,
    },
    /// `setConfiguration`: `iceCandidatePoolSize` differs after a local description was applied.
    #[error("iceCandidatePoolSize cannot change from {old} to {new} after setLocalDescription")]
    PoolSizeChangedAfterLocalDescription {
        /// Current value.
        old: u8,
        /// Requested value.
        new: u8,
    },
    /// `peerIdentity` differs from the connection's target peer identity (webrtc-identity).
    #[error("peerIdentity cannot change from the target peer identity")]
    PeerIdentityChanged,
    /// The connection is closed.
    #[error("the connection is closed")]
    Closed,
    /// `generateCertificate`: the key or certificate could not be made.
    #[error("certificate generation failed")]
    CertificateGeneration,
    /// PEM import: the text holds no `CERTIFICATE` block.
    #[error("PEM import: no CERTIFICATE block")]
    PemMissingCertificate,
    /// PEM import: the text holds no `PRIVATE KEY` (PKCS#8) block.
    #[error("PEM import: no PRIVATE KEY block")]
    PemMissingPrivateKey,
    /// PEM import: the text is not PEM.
    #[error("PEM import: malformed PEM")]
    PemMalformed,
    /// PEM import: the certificate is not a parseable X.509 certificate.
    #[error("PEM import: the certificate does not parse")]
    CertificateMalformed,
    /// PEM import: the key is neither ECDSA P-256 nor RSA (PKCS#8), or does not parse.
    #[error("PEM import: unsupported or malformed private key")]
    UnsupportedPrivateKey,
    /// PEM import: the private key does not belong to the certificate.
    #[error("PEM import: the private key does not match the certificate")]
    KeyMismatch,
}

impl ConfigError {
    /// The DOM exception name a browser throws for this error: `TypeError`,
    /// `SyntaxError`, `InvalidAccessError`, `NotSupportedError`,
    /// `InvalidModificationError`, `InvalidStateError`, and for certificate
    /// work `OperationError` / `DataError` (as WebCrypto uses them).
    pub fn dom_name(&self) -> &'static str {
        use ConfigError::*;
        match self {
            ConfigurationNotObject
            | IceServersNotSequence
            | IceServerNotDictionary { .. }
            | UrlsMissing { .. }
            | CertificatesNotSequence
            | NotACertificate { .. }
            | PoolSizeNotFinite
            | PoolSizeOutOfRange { .. }
            | InvalidEnumValue { .. } => "TypeError",
            JsonSyntax { .. } | EmptyUrls { .. } | InvalidUrl { .. } => "SyntaxError",
            TurnCredentialsMissing { .. }
            | UsernameTooLong { .. }
            | UsernameNotOpaqueString { .. }
            | CredentialEmpty { .. }
            | CredentialNotOpaqueString { .. }
            | CertificateExpired { .. }
            | CertificateOrigin { .. } => "InvalidAccessError",
            CertificatesLengthChanged { .. }
            | CertificateChanged { .. }
            | BundlePolicyChanged { .. }
            | RtcpMuxPolicyChanged { .. }
            | PoolSizeChangedAfterLocalDescription { .. }
            | PeerIdentityChanged => "InvalidModificationError",
            Closed => "InvalidStateError",
            CertificateGeneration => "OperationError",
            PemMissingCertificate
            | PemMissingPrivateKey
            | PemMalformed
            | CertificateMalformed
            | UnsupportedPrivateKey
            | KeyMismatch => "DataError",
        }
    }
}
