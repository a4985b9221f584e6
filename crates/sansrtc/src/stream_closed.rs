//! A TCP/TLS stream to a TURN server, opened by the driver, closed: the
//! pass-through to the ICE agents of the transports.

use std::net::SocketAddr;
use std::time::Instant;

use crate::RtcPeerConnection;

impl RtcPeerConnection {
    /// The driver's TCP or TLS stream from our local address `local` (the
    /// `source` of the transmits that opened it) to the TURN server
    /// `server` closed, failed, or could not be opened. Every transport's
    /// ICE agent drops the relay that used it (an `icecandidateerror` with
    /// code 701 follows while gathering); other streams and UDP are not
    /// touched. The drivers call it through
    /// [`sansrtc_proto::Machine::handle_stream_closed`].
    pub fn handle_stream_closed(&mut self, now: Instant, local: SocketAddr, server: SocketAddr) {
        for t in &mut self.transports {
            t.agent.handle_stream_closed(now, local, server);
            t.pump(now);
        }
        self.drain(now);
    }
}
