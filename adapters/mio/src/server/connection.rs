//! What the server needs of a connection ([`ServerConnection`]) and the
//! handle it gives one ([`ConnectionId`]).

use std::fmt;
use std::net::SocketAddr;
use std::time::Instant;

use sansrtc_proto::Machine;

/// A connection the [`Server`](crate::Server) can run: a [`Machine`] that
/// can be told the server's local addresses and says which ICE ufrags are
/// its own.
///
/// The server routes a STUN Binding request by the ufrag its USERNAME
/// names first (`"<ours>:<theirs>"`), so it must know every connection's
/// local ufrags; it reads them when the connection is added and again
/// after every command (a remote offer, an ICE restart may change them).
/// `sansrtc::RtcPeerConnection` implements it (feature `peer-connection`).
pub trait ServerConnection: Machine {
    /// The server has a socket bound to `local`: the connection may send
    /// from it (for an ICE agent: gather a host candidate on it). Called
    /// once per server socket, when the connection is added (before its
    /// first drain) or when the server binds a socket later.
    fn add_server_address(&mut self, now: Instant, local: SocketAddr);

    /// The local ICE ufrags of the connection (one per ICE agent; one with
    /// BUNDLE).
    fn local_ufrags(&self) -> Vec<String>;
}

/// The handle of one connection in a [`Server`](crate::Server). A removed
/// connection's handle never names a later connection (a slot reused for
/// another connection gets a new generation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId {
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

impl ConnectionId {
    /// The slot number: unique among the connections present at one time,
    /// reused after a removal (with another generation).
    pub fn index(self) -> u32 {
        self.index
    }
}

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "connection {}.{}", self.index, self.generation)
    }
}
