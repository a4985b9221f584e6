//! `RTCConfiguration` and `RTCIceServer`.

use std::sync::Arc;

use crate::certificate::RtcCertificate;
use crate::policy::{BundlePolicy, IceTransportPolicy, RtcpMuxPolicy};

/// `RTCIceServer`: one STUN or TURN server.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IceServer {
    /// The server's URLs, exactly as given (a single string becomes a one-element list).
    pub urls: Vec<String>,
    /// TURN username, if given.
    pub username: Option<String>,
    /// TURN credential (password), if given.
    pub credential: Option<String>,
}

impl IceServer {
    /// A server with one URL and no credentials.
    pub fn new(url: impl Into<String>) -> Self {
        IceServer {
            urls: vec![url.into()],
            username: None,
            credential: None,
        }
    }

    /// The same server with a username and a credential.
    pub fn with_credentials(
        mut self,
        username: impl Into<String>,
        credential: impl Into<String>,
    ) -> Self {
        self.username = Some(username.into());
        self.credential = Some(credential.into());
        self
    }
}

/// `RTCConfiguration`: the dictionary of the `RTCPeerConnection()` constructor.
/// [`Default`] gives the spec's defaults.
#[derive(Debug, Clone, Default)]
pub struct RtcConfiguration {
    /// `iceServers` (default empty).
    pub ice_servers: Vec<IceServer>,
    /// `iceTransportPolicy` (default `all`).
    pub ice_transport_policy: IceTransportPolicy,
    /// `bundlePolicy` (default `balanced`).
    pub bundle_policy: BundlePolicy,
    /// `rtcpMuxPolicy` (default `require`).
    pub rtcp_mux_policy: RtcpMuxPolicy,
    /// `certificates` (default empty: the connection generates its own, which
    /// `getConfiguration` does not show). Compared by identity.
    pub certificates: Vec<Arc<RtcCertificate>>,
    /// `iceCandidatePoolSize` (0–255, default 0).
    pub ice_candidate_pool_size: u8,
    /// `peerIdentity` (webrtc-identity), if given.
    pub peer_identity: Option<String>,
}

impl PartialEq for RtcConfiguration {
    /// Equal members, with certificates compared by identity as
    /// `setConfiguration` compares them.
    fn eq(&self, other: &Self) -> bool {
        self.ice_servers == other.ice_servers
            && self.ice_transport_policy == other.ice_transport_policy
            && self.bundle_policy == other.bundle_policy
            && self.rtcp_mux_policy == other.rtcp_mux_policy
            && self.certificates.len() == other.certificates.len()
            && self
                .certificates
                .iter()
                .zip(&other.certificates)
                .all(|(a, b)| Arc::ptr_eq(a, b))
            && self.ice_candidate_pool_size == other.ice_candidate_pool_size
            && self.peer_identity == other.peer_identity
    }
}
