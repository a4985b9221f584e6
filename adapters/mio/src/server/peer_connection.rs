//! `sansrtc::RtcPeerConnection` as a [`ServerConnection`].

use std::net::SocketAddr;
use std::time::Instant;

use sansrtc::RtcPeerConnection;

use super::connection::ServerConnection;

impl ServerConnection for RtcPeerConnection {
    /// `add_local_address`. Its errors are ignored: the connection is
    /// closed (it sends nothing any more), or it already has the address
    /// (the application added it before handing the connection over).
    fn add_server_address(&mut self, now: Instant, local: SocketAddr) {
        let _ = self.add_local_address(now, local);
    }

    /// `transport_ufrags()`.
    fn local_ufrags(&self) -> Vec<String> {
        self.transport_ufrags()
    }
}
