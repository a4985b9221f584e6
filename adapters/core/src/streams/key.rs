//! How a stream is named: by the driver (an id) and by the machine (its
//! two addresses and protocol).

use std::net::SocketAddr;

use sansrtc_proto::Protocol;

/// A driver's name for one of its streams: never reused while the driver
/// lives, so a runtime can key its sockets (and, in mio, its tokens) by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StreamId(pub u64);

/// What the machine knows a stream by: the `source` and `destination` of
/// the transmits that go over it, and its protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StreamKey {
    /// The machine's local address (a transmit's `source`, a receive's
    /// `destination`): for TURN, the base of the relayed candidate. The
    /// socket is bound to its IP (port 0) when the IP is specified.
    pub local: SocketAddr,
    /// The far end (a TURN server).
    pub remote: SocketAddr,
    /// [`Protocol::Tcp`] or [`Protocol::Tls`].
    pub protocol: Protocol,
}
