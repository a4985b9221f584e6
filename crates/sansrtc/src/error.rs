//! `RtcError`: every failure of the peer connection's API, each with the
//! DOM exception name a browser would reject or throw with.

use sansrtc_config::ConfigError;
use sansrtc_datachannel::DataChannelError;
use sansrtc_ice::IceError;
use sansrtc_sdp::SdpError;

use crate::signaling::{SdpType, SignalingState};

/// What an API call of [`crate::RtcPeerConnection`] failed with. Nothing
/// changed when a call returns an error (the W3C "reject and abort").
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RtcError {
    /// The connection was closed (`InvalidStateError`).
    #[error("the peer connection is closed")]
    Closed,
    /// The method is not allowed in this signaling state (`InvalidStateError`).
    #[error("{method} is not allowed in signaling state {state}")]
    WrongSignalingState {
        /// The method (`createAnswer`, `setLocalDescription(answer)`, …).
        method: &'static str,
        /// The state it was called in.
        state: SignalingState,
    },
    /// `addIceCandidate` before a remote description (`InvalidStateError`).
    #[error("no remote description to add a candidate to")]
    NoRemoteDescription,
    /// `setLocalDescription` with an offer or answer other than the last
    /// one created (`InvalidModificationError`).
    #[error("the {0} given to setLocalDescription is not the one last created")]
    ModifiedDescription(SdpType),
    /// `setLocalDescription(answer)` with no answer created, or an offer
    /// with none created (`InvalidModificationError`).
    #[error("no {0} was created to set")]
    NothingCreated(SdpType),
    /// The configuration (constructor or `setConfiguration`).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The SDP could not be read or written.
    #[error("SDP: {0}")]
    Sdp(#[from] SdpError),
    /// The remote description lacks something every WebRTC description
    /// must have, or has it in a form we refuse (`InvalidAccessError`).
    #[error("remote description: {0}")]
    RemoteDescription(RemoteDescriptionError),
    /// A candidate could not be added (`OperationError`, or
    /// `InvalidStateError` when the agent is closed).
    #[error("ICE: {0}")]
    Ice(#[from] IceError),
    /// The candidate names an `sdpMid` or `sdpMLineIndex` that is not in
    /// the remote description (`OperationError`).
    #[error("no media section {0} in the remote description")]
    UnknownMediaSection(String),
    /// `createDataChannel` or a channel method (its own DOM names).
    #[error("data channel: {0}")]
    DataChannel(#[from] DataChannelError),
    /// No channel with this handle.
    #[error("no such data channel")]
    UnknownChannel,
    /// A certificate or key could not be used by DTLS (`InvalidAccessError`).
    #[error("certificate: {0}")]
    Certificate(String),
    /// No identity assertion or validation with this id is pending
    /// (`InvalidStateError`).
    #[error("no identity request {0} is pending")]
    UnknownIdentityRequest(u64),
    /// The remote identity did not validate, or is not the configured
    /// `peerIdentity` (`InvalidModificationError`; the connection fails).
    #[error("peer identity: {0}")]
    Identity(String),
    /// An argument is not acceptable (`TypeError`).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The object is not in a state that allows the call
    /// (`InvalidStateError`).
    #[error("invalid state: {0}")]
    InvalidState(String),
    /// The call would break an invariant (`InvalidAccessError`).
    #[error("invalid access: {0}")]
    InvalidAccess(String),
    /// A modification that is not allowed (`InvalidModificationError`).
    #[error("invalid modification: {0}")]
    InvalidModification(String),
    /// Media cannot be sent or received now (`InvalidStateError`): not
    /// negotiated, not sending, no SRTP keys yet, or an unusable packet.
    #[error("media: {0}")]
    Media(String),
}

/// Why a remote description was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RemoteDescriptionError {
    /// No `a=fingerprint` usable for DTLS (RFC 8122, RFC 8827 §6.5).
    #[error("no a=fingerprint with a hash function we support")]
    MissingFingerprint,
    /// No `a=ice-ufrag` / `a=ice-pwd`, or ones that break RFC 8839.
    #[error("missing or invalid ICE credentials")]
    MissingIceCredentials,
    /// An `a=setup` that cannot be used here (an answer with `actpass`,
    /// `holdconn`, or the same role as ours).
    #[error("unusable a=setup")]
    BadSetup,
    /// Sections of one transport carry different ufrags.
    #[error("conflicting ICE credentials within one BUNDLE transport")]
    ConflictingIceCredentials,
    /// More candidates than the agent keeps.
    #[error("too many candidates")]
    TooManyCandidates,
    /// An answer's sections do not match our offer (count or mids).
    #[error("the answer's media sections do not match the offer")]
    AnswerMismatch,
    /// A new remote fingerprint or setup for an established DTLS
    /// association (we do not renegotiate DTLS).
    #[error("the DTLS fingerprint or role changed mid-session")]
    DtlsChanged,
}

impl RtcError {
    /// The DOM exception name (`InvalidStateError`, `InvalidAccessError`,
    /// `InvalidModificationError`, `OperationError`, `TypeError`,
    /// `SyntaxError`, `NotSupportedError`).
    pub fn dom_name(&self) -> &'static str {
        match self {
            RtcError::Closed
            | RtcError::WrongSignalingState { .. }
            | RtcError::NoRemoteDescription
            | RtcError::UnknownChannel
            | RtcError::UnknownIdentityRequest(_)
            | RtcError::InvalidState(_)
            | RtcError::Media(_) => "InvalidStateError",
            RtcError::InvalidArgument(_) => "TypeError",
            RtcError::InvalidAccess(_) => "InvalidAccessError",
            RtcError::InvalidModification(_) => "InvalidModificationError",
            RtcError::ModifiedDescription(_)
            | RtcError::NothingCreated(_)
            | RtcError::Identity(_) => "InvalidModificationError",
            RtcError::Config(e) => e.dom_name(),
            RtcError::Sdp(_) => "OperationError",
            RtcError::RemoteDescription(_) => "InvalidAccessError",
            RtcError::Ice(e) => e.dom_name(),
            RtcError::UnknownMediaSection(_) => "OperationError",
            RtcError::DataChannel(e) => e.dom_name(),
            RtcError::Certificate(_) => "InvalidAccessError",
        }
    }
}

impl From<RemoteDescriptionError> for RtcError {
    fn from(e: RemoteDescriptionError) -> Self {
        RtcError::RemoteDescription(e)
    }
}
