//! What the driver keeps with each of its UDP sockets (the table of
//! sockets and how a transmit's `source` picks one are
//! `sansrtc_adapter_core::SocketTable`).

use mio::net::UdpSocket;

/// A socket registered with the driver's poll.
pub(crate) struct RegisteredSocket {
    pub(crate) udp: UdpSocket,
    /// mio reported it readable and it has not yet returned `WouldBlock`
    /// (mio is edge-triggered: a socket must be read until it does).
    pub(crate) readable: bool,
}
