//! What the peer connection tells its application: the W3C events, and the
//! requests it cannot serve itself (name resolution, identity assertions).

use std::fmt;
use std::net::SocketAddr;

use sansrtc_datachannel::DataChannelEvent;
use sansrtc_ice::{IceConnectionState, IceGatheringState, ResolveId};

use crate::identity::IdentityRequest;
use crate::signaling::SignalingState;

/// `RTCIceCandidateInit`: a candidate line and the section it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceCandidateInit {
    /// `candidate:…` (without `a=`); empty means end of candidates.
    pub candidate: String,
    /// The media section's mid.
    pub sdp_mid: Option<String>,
    /// The media section's index.
    pub sdp_m_line_index: Option<u16>,
    /// The ICE ufrag the candidate belongs to.
    pub username_fragment: Option<String>,
}

impl IceCandidateInit {
    /// A candidate for the section `mid`.
    pub fn new(candidate: impl Into<String>, sdp_mid: impl Into<String>) -> Self {
        Self {
            candidate: candidate.into(),
            sdp_mid: Some(sdp_mid.into()),
            sdp_m_line_index: None,
            username_fragment: None,
        }
    }

    /// The end-of-candidates marker (an empty candidate).
    pub fn end_of_candidates() -> Self {
        Self {
            candidate: String::new(),
            sdp_mid: None,
            sdp_m_line_index: None,
            username_fragment: None,
        }
    }
}

/// `RTCPeerConnectionState`: the aggregate of the ICE and DTLS transports
/// (webrtc-pc §4.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeerConnectionState {
    /// Nothing has started.
    New,
    /// ICE checks or the DTLS handshake are under way.
    Connecting,
    /// ICE and DTLS are up.
    Connected,
    /// ICE lost connectivity for now.
    Disconnected,
    /// ICE or DTLS failed (or the remote identity was refused).
    Failed,
    /// `close()` was called.
    Closed,
}

impl PeerConnectionState {
    /// The W3C spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PeerConnectionState::New => "new",
            PeerConnectionState::Connecting => "connecting",
            PeerConnectionState::Connected => "connected",
            PeerConnectionState::Disconnected => "disconnected",
            PeerConnectionState::Failed => "failed",
            PeerConnectionState::Closed => "closed",
        }
    }
}

impl fmt::Display for PeerConnectionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `RTCPeerConnectionIceErrorEvent`: a STUN or TURN server failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceCandidateErrorEvent {
    /// The local address the request was sent from.
    pub address: Option<SocketAddr>,
    /// The server URL as configured.
    pub url: String,
    /// The STUN error code, or 701 when the server could not be reached.
    pub error_code: u16,
    /// The reason text.
    pub error_text: String,
}

/// An event of [`crate::RtcPeerConnection`], taken from `poll_output`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PeerEvent {
    /// `icecandidate`: a new local candidate to signal, or `None` at the
    /// end of gathering (the browser's null candidate).
    IceCandidate(Option<IceCandidateInit>),
    /// `icecandidateerror`.
    IceCandidateError(IceCandidateErrorEvent),
    /// `iceconnectionstatechange`.
    IceConnectionStateChange(IceConnectionState),
    /// `icegatheringstatechange`.
    IceGatheringStateChange(IceGatheringState),
    /// `connectionstatechange`.
    ConnectionStateChange(PeerConnectionState),
    /// `signalingstatechange`.
    SignalingStateChange(SignalingState),
    /// `negotiationneeded`.
    NegotiationNeeded,
    /// A data channel event: `datachannel` for channels the remote opened,
    /// and every channel's `open`, `message`, `bufferedamountlow`,
    /// `closing`, `close` and `error`.
    DataChannel(DataChannelEvent),
    /// Resolve `name` (an ICE server host or a remote mDNS `.local`
    /// candidate) and answer with [`crate::RtcPeerConnection::resolved`].
    Resolve {
        /// Quote it in the answer.
        id: ResolveId,
        /// The name.
        name: String,
    },
    /// An identity provider must generate or validate an assertion;
    /// answer with [`crate::RtcPeerConnection::identity_assertion`] or
    /// [`crate::RtcPeerConnection::identity_validated`].
    Identity(IdentityRequest),
    /// The remote identity was validated (`peerIdentity` resolves).
    PeerIdentity(String),
    /// `track`: the remote sends media on a transceiver.
    Track(crate::media::TrackEvent),
    /// Received media, and the remote's keyframe requests.
    Media(crate::media::MediaEvent),
    /// Host addresses are hidden
    /// ([`crate::RtcPeerConnection::hide_host_addresses`]): `name` stands
    /// for `address` in our host candidates from now on. Register it with
    /// an mDNS responder (`sansrtc_mdns::MdnsResponder::register`) so that
    /// peers on the link can resolve it; unregister it when the connection
    /// ends.
    HostName {
        /// The `<uuid-v4>.local` name.
        name: String,
        /// The local address it stands for.
        address: std::net::IpAddr,
    },
}
