//! The multicast sockets mDNS runs on (RFC 6762 §3, §11), built the same
//! way for both runtimes; each adapter wraps the returned std socket in its
//! own type. Building a socket is the only I/O call in this crate: nothing
//! here reads or writes one.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use socket2::{Domain, Protocol, Socket, Type};

/// The mDNS port.
pub const MDNS_PORT: u16 = 5353;
/// The IPv4 mDNS group, 224.0.0.251.
pub const MDNS_GROUP_V4: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 251);
/// The IPv6 link-local mDNS group, ff02::fb.
pub const MDNS_GROUP_V6: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0xfb);

/// A UDP socket on port 5353 of every IPv4 interface, in the mDNS group
/// on `interface` (one of the host's IPv4 addresses; `127.0.0.1` for
/// loopback), sending there: address and port shared with other mDNS
/// sockets of the host (`SO_REUSEADDR`, `SO_REUSEPORT`), multicast
/// loopback on (two peers on one host hear each other), TTL 255 (§11),
/// only the groups joined by this socket received (`IP_MULTICAST_ALL`
/// off, Linux), non-blocking.
pub fn bind_mdns_v4(interface: Ipv4Addr) -> io::Result<std::net::UdpSocket> {
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    socket.set_reuse_address(true)?;
    #[cfg(unix)]
    socket.set_reuse_port(true)?;
    socket.bind(&SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, MDNS_PORT).into())?;
    socket.join_multicast_v4(&MDNS_GROUP_V4, &interface)?;
    #[cfg(target_os = "linux")]
    socket.set_multicast_all_v4(false)?;
    socket.set_multicast_if_v4(&interface)?;
    socket.set_multicast_loop_v4(true)?;
    socket.set_multicast_ttl_v4(255)?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

/// The IPv6 socket on port 5353, in ff02::fb on the interface with index
/// `scope_id`, sending there; the other options as [`bind_mdns_v4`].
pub fn bind_mdns_v6(scope_id: u32) -> io::Result<std::net::UdpSocket> {
    let socket = Socket::new(Domain::IPV6, Type::DGRAM, Some(Protocol::UDP))?;
    socket.set_only_v6(true)?;
    socket.set_reuse_address(true)?;
    #[cfg(unix)]
    socket.set_reuse_port(true)?;
    socket.bind(&SocketAddrV6::new(Ipv6Addr::UNSPECIFIED, MDNS_PORT, 0, 0).into())?;
    socket.join_multicast_v6(&MDNS_GROUP_V6, scope_id)?;
    socket.set_multicast_if_v6(scope_id)?;
    socket.set_multicast_loop_v6(true)?;
    socket.set_multicast_hops_v6(255)?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

/// The source address an mDNS machine is configured with for an
/// interface: its address on port 5353 (the socket itself is bound to the
/// unspecified address, which [`crate::SocketTable::for_source`] matches).
pub fn mdns_source(interface: IpAddr) -> SocketAddr {
    SocketAddr::new(interface, MDNS_PORT)
}
