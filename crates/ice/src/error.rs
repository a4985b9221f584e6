//! The one error type of the ICE agent.

use std::net::SocketAddr;

/// What an application command to the [`crate::Agent`] can fail with.
/// Network input never returns an error: bad datagrams are dropped and
/// counted in [`crate::IceStats`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IceError {
    /// The agent was closed.
    #[error("the ICE agent is closed")]
    Closed,
    /// A component id other than 1 (RTP) or 2 (RTCP, only with `rtcpMuxPolicy: negotiate`).
    #[error("component {0} is not a component of this agent")]
    NoSuchComponent(u16),
    /// The local address was added before.
    #[error("local address {0} was already added")]
    DuplicateLocalAddress(SocketAddr),
    /// More local addresses than [`crate::AgentConfig::max_local_addresses`].
    #[error("too many local addresses (at most {0})")]
    TooManyLocalAddresses(usize),
    /// A remote candidate with a transport other than UDP.
    #[error("only UDP candidates are supported")]
    UnsupportedTransport,
    /// The remote candidate belongs to another ICE generation (its `ufrag` differs).
    #[error("the candidate's ufrag does not match the remote credentials")]
    UfragMismatch,
    /// The remote candidate list is full ([`crate::AgentConfig::max_remote_candidates`]).
    #[error("too many remote candidates (at most {0})")]
    TooManyRemoteCandidates(usize),
    /// Pending name resolutions are capped.
    #[error("too many pending name resolutions (at most {0})")]
    TooManyPendingResolutions(usize),
    /// The candidate could not be parsed (the shared `a=candidate` grammar).
    #[error("bad candidate: {0}")]
    BadCandidate(#[from] sansrtc_sdp::CandidateError),
    /// Remote credentials that break RFC 8839 (ufrag 4–256, pwd 22–256 ice-chars).
    #[error("bad remote ICE credentials")]
    BadCredentials,
    /// No pair is selected on that component (yet), so nothing can be sent.
    #[error("no selected candidate pair on component {0}")]
    NotConnected(u16),
    /// The selected pair lost consent (RFC 7675): sending on it is forbidden.
    #[error("consent to send on component {0} was lost")]
    ConsentLost(u16),
    /// The answer names a resolution that is not pending.
    #[error("no pending resolution {0}")]
    UnknownResolution(u64),
    /// An ICE-lite agent cannot be controlling.
    #[error("an ICE-lite agent is always controlled")]
    LiteCannotControl,
}

impl IceError {
    /// The DOM exception a browser throws for this failure (webrtc-pc:
    /// `addIceCandidate` rejects a candidate it cannot parse or use with
    /// `OperationError`, a closed connection with `InvalidStateError`).
    pub fn dom_name(&self) -> &'static str {
        match self {
            IceError::Closed => "InvalidStateError",
            IceError::BadCandidate(_) => "OperationError",
            IceError::BadCredentials => "InvalidAccessError",
            IceError::LiteCannotControl => "InvalidAccessError",
            IceError::NotConnected(_) | IceError::ConsentLost(_) => "InvalidStateError",
            _ => "OperationError",
        }
    }
}
