//! A server socket: bound with large buffers (registered like the
//! driver's, `crate::sockets`).

use std::io;
use std::net::SocketAddr;

/// The receive and send buffer sizes [`Server::bind`](crate::Server::bind)
/// asks for: 4 MiB, where a single-connection socket's default is about
/// 200 KiB. Every connection shares the socket, so a burst from many peers
/// at once (a thousand messages, a thousand handshakes) must fit; the
/// kernel caps the request (`net.core.rmem_max` / `wmem_max` on Linux).
pub const SERVER_SOCKET_BUFFER: usize = 4 * 1024 * 1024;

/// A UDP socket bound to `address` with [`SERVER_SOCKET_BUFFER`]-byte
/// buffers asked for (an IPv6 one v6-only, so `0.0.0.0:p` and `[::]:p`
/// can both be bound).
pub(crate) fn bind_udp(address: SocketAddr) -> io::Result<std::net::UdpSocket> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(address), Type::DGRAM, None)?;
    if address.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    // Best effort: a smaller buffer is a lossier server, not a broken one.
    let _ = socket.set_recv_buffer_size(SERVER_SOCKET_BUFFER);
    let _ = socket.set_send_buffer_size(SERVER_SOCKET_BUFFER);
    socket.bind(&address.into())?;
    Ok(socket.into())
}
