//! What the agent tells the application: W3C states, trickled candidates,
//! selected pairs, resolve requests and candidate errors.

use std::net::SocketAddr;

use sansrtc_sdp::{Candidate, CandidateKind};

/// `RTCIceConnectionState` (webrtc-pc §5.6), as this agent derives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IceConnectionState {
    /// Nothing to check yet.
    New,
    /// Checks are running, no component has a selected pair yet.
    Checking,
    /// Every component has a selected pair; checks may still run.
    Connected,
    /// Connected, gathering complete, end-of-candidates received, no check left.
    Completed,
    /// A selected pair has gone without a response for `disconnected_timeout`.
    Disconnected,
    /// Every pair failed after end-of-candidates, or consent was lost.
    Failed,
    /// The agent was closed.
    Closed,
}

impl IceConnectionState {
    /// The W3C spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            IceConnectionState::New => "new",
            IceConnectionState::Checking => "checking",
            IceConnectionState::Connected => "connected",
            IceConnectionState::Completed => "completed",
            IceConnectionState::Disconnected => "disconnected",
            IceConnectionState::Failed => "failed",
            IceConnectionState::Closed => "closed",
        }
    }
}

/// `RTCIceGatheringState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IceGatheringState {
    /// Not started.
    New,
    /// Gathering candidates.
    Gathering,
    /// Done: this is the local end-of-candidates.
    Complete,
}

impl IceGatheringState {
    /// The W3C spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            IceGatheringState::New => "new",
            IceGatheringState::Gathering => "gathering",
            IceGatheringState::Complete => "complete",
        }
    }
}

/// The id of a name the application is asked to resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResolveId(pub u64);

/// A selected candidate pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelectedPair {
    /// Component id.
    pub component: u16,
    /// The local candidate's address (for relay: the relayed address).
    pub local: SocketAddr,
    /// The local base data is sent from (for relay: the relayed address).
    pub local_base: SocketAddr,
    /// The local candidate type.
    pub local_kind: CandidateKind,
    /// The remote candidate's address.
    pub remote: SocketAddr,
    /// The remote candidate type.
    pub remote_kind: CandidateKind,
}

/// An event of the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IceEvent {
    /// A new local candidate to signal to the peer (trickle, RFC 8838).
    LocalCandidate(Candidate),
    /// The gathering state changed; `Complete` is the local end-of-candidates.
    GatheringState(IceGatheringState),
    /// The connection state changed.
    ConnectionState(IceConnectionState),
    /// A pair was selected (or replaced) on a component.
    Selected(SelectedPair),
    /// The agent changed role (after a 487 or a peer's conflicting check).
    RoleChanged {
        /// Whether it is now controlling.
        controlling: bool,
    },
    /// Resolve `name` (an ICE server host or an mDNS candidate) and answer with
    /// [`crate::Agent::resolved`]; the agent cannot do DNS.
    Resolve {
        /// Quote it in the answer.
        id: ResolveId,
        /// The name to resolve.
        name: String,
    },
    /// A STUN or TURN server failed (the browser's `icecandidateerror`).
    CandidateError {
        /// The server URL as configured.
        url: String,
        /// The local address the request was sent from, if any.
        address: Option<SocketAddr>,
        /// STUN error code, or 701 when the server could not be reached / resolved.
        code: u16,
        /// The reason text.
        text: String,
    },
    /// Application data that arrived through a TURN relay (direct data is
    /// returned by [`crate::Agent::handle_receive`] without a copy).
    Data {
        /// Component id.
        component: u16,
        /// The bytes.
        data: Vec<u8>,
    },
}
