//! What the driver keeps with each of its UDP sockets (the table of
//! sockets and how a transmit's `source` picks one are
//! `sansrtc_adapter_core::SocketTable`).

use std::net::SocketAddr;

use mio::net::UdpSocket;
use mio::{Interest, Registry, Token};
use sansrtc_adapter_core::SocketTable;

use crate::driver::FIRST_SOCKET_TOKEN;
use crate::error::DriverError;

/// A socket registered with the driver's poll.
pub(crate) struct RegisteredSocket {
    pub(crate) udp: UdpSocket,
    /// mio reported it readable and it has not yet returned `WouldBlock`
    /// (mio is edge-triggered: a socket must be read until it does).
    pub(crate) readable: bool,
}

/// Makes `socket` non-blocking, registers it with `registry` under the
/// next socket token and adds it to `sockets` (refusing a second socket on
/// the same local address); returns its local address. What the driver
/// and the server do with a socket the application hands them.
pub(crate) fn register_socket(
    registry: &Registry,
    sockets: &mut SocketTable<RegisteredSocket>,
    socket: std::net::UdpSocket,
) -> Result<SocketAddr, DriverError> {
    let local = socket.local_addr().map_err(DriverError::LocalAddress)?;
    if sockets.contains(local) {
        return Err(DriverError::DuplicateAddress(local));
    }
    socket
        .set_nonblocking(true)
        .map_err(DriverError::Register)?;
    let mut socket = UdpSocket::from_std(socket);
    let token = Token(FIRST_SOCKET_TOKEN + sockets.len());
    registry
        .register(&mut socket, token, Interest::READABLE | Interest::WRITABLE)
        .map_err(DriverError::Register)?;
    sockets.push(
        local,
        RegisteredSocket {
            udp: socket,
            // Datagrams may have arrived before registration.
            readable: true,
        },
    );
    Ok(local)
}
