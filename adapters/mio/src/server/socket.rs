//! A server socket: a mio UDP socket and whether it may have datagrams.

use mio::net::UdpSocket;

/// A socket registered with the server's poll.
pub(crate) struct ServerSocket {
    pub(crate) udp: UdpSocket,
    /// mio reported it readable and it has not yet returned `WouldBlock`
    /// (mio is edge-triggered: a socket must be read until it does).
    pub(crate) readable: bool,
}
