//! The connection's UDP sockets: one per local address, each with a
//! receive buffer for SCTP's window.

use std::net::{IpAddr, SocketAddr};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;

use sansrtc::RtcPeerConnection;

use super::error::Error;
use super::options::PeerConnectionOptions;
use super::task::now;
use crate::Driver;

/// The addresses to bind when none are given: every interface address,
/// IPv4 and IPv6, except IPv6 link-local (a socket there needs a scope id
/// the candidates do not carry).
pub(crate) fn interface_addresses() -> Result<Vec<IpAddr>, Error> {
    let interfaces = if_addrs::get_if_addrs().map_err(Error::Interfaces)?;
    let mut addresses: Vec<IpAddr> = interfaces
        .iter()
        .map(|i| i.ip())
        .filter(|ip| match ip {
            IpAddr::V4(_) => true,
            IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) != 0xfe80,
        })
        .collect();
    addresses.sort();
    addresses.dedup();
    Ok(addresses)
}

/// A non-blocking UDP socket on `ip`, port chosen by the OS, with a kernel
/// receive buffer of `receive_buffer` bytes (as far as the OS allows).
pub(crate) fn udp_socket(ip: IpAddr, receive_buffer: usize) -> Result<UdpSocket, Error> {
    let address = SocketAddr::new(ip, 0);
    let bind_error = |source| Error::Bind {
        address: ip,
        source,
    };
    let socket = Socket::new(
        Domain::for_address(address),
        Type::DGRAM,
        Some(Protocol::UDP),
    )
    .map_err(bind_error)?;
    if let Err(error) = socket.set_recv_buffer_size(receive_buffer) {
        tracing::debug!(%error, receive_buffer, "SO_RCVBUF not set");
    }
    if ip.is_ipv6() {
        socket.set_only_v6(true).map_err(bind_error)?;
    }
    socket.bind(&address.into()).map_err(bind_error)?;
    socket.set_nonblocking(true).map_err(bind_error)?;
    UdpSocket::from_std(socket.into()).map_err(bind_error)
}

/// Binds the sockets of the connection and reports their addresses to the
/// machine. An address given explicitly must bind; of the interfaces found
/// automatically, those that do not are skipped (logged).
pub(crate) fn bind_sockets(
    driver: &mut Driver<RtcPeerConnection>,
    options: &PeerConnectionOptions,
) -> Result<Vec<SocketAddr>, Error> {
    let explicit = !options.local_addresses.is_empty();
    let addresses = if explicit {
        options.local_addresses.clone()
    } else {
        interface_addresses()?
    };
    let mut bound = Vec::new();
    for ip in addresses {
        let socket = match udp_socket(ip, options.socket_receive_buffer) {
            Ok(socket) => socket,
            Err(error) if !explicit => {
                tracing::debug!(%error, "interface address skipped");
                continue;
            }
            Err(error) => return Err(error),
        };
        let local = driver.add_socket(socket)?;
        driver.with_machine(|pc| pc.add_local_address(now(), local))?;
        bound.push(local);
    }
    if bound.is_empty() {
        return Err(Error::NoLocalAddress);
    }
    Ok(bound)
}
