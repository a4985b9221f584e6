//! The driver's UDP sockets, one per local address, and how a transmit's
//! `source` picks one.

use std::net::SocketAddr;

use tokio::net::UdpSocket;

/// A socket with the local address it reported when it was added.
pub(crate) struct BoundSocket {
    pub(crate) local: SocketAddr,
    pub(crate) socket: UdpSocket,
}

/// The socket for a transmit from `source`: the one bound to exactly that
/// address, else one bound to the unspecified address of the same family
/// on the same port (`0.0.0.0:p` or `[::]:p` sends from any local IP).
pub(crate) fn socket_for(sockets: &[BoundSocket], source: SocketAddr) -> Option<&BoundSocket> {
    sockets.iter().find(|s| s.local == source).or_else(|| {
        sockets.iter().find(|s| {
            s.local.ip().is_unspecified()
                && s.local.is_ipv4() == source.is_ipv4()
                && s.local.port() == source.port()
        })
    })
}
