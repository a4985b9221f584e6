//! Where mDNS messages go (RFC 6762 §3, §5): UDP port 5353 on the
//! link-local groups 224.0.0.251 and ff02::fb.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// The mDNS UDP port.
pub const MDNS_PORT: u16 = 5353;
/// The IPv4 mDNS group.
pub const MDNS_IPV4: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 251);
/// The IPv6 mDNS group (link-local scope).
pub const MDNS_IPV6: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0xfb);

/// The mDNS group and port to send to from `source`: 224.0.0.251:5353 for
/// an IPv4 source, `[ff02::fb]:5353` for IPv6 with the source's scope ID (the
/// interface a link-local group is reached on).
pub fn group_for(source: SocketAddr) -> SocketAddr {
    match source {
        SocketAddr::V4(_) => SocketAddr::V4(SocketAddrV4::new(MDNS_IPV4, MDNS_PORT)),
        SocketAddr::V6(s) => {
            SocketAddr::V6(SocketAddrV6::new(MDNS_IPV6, MDNS_PORT, 0, s.scope_id()))
        }
    }
}

/// Whether `address` can be a host's own unicast address: not unspecified,
/// not multicast, not the IPv4 broadcast address.
pub(crate) fn is_unicast(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(a) => !(a.is_unspecified() || a.is_multicast() || a.is_broadcast()),
        IpAddr::V6(a) => !(a.is_unspecified() || a.is_multicast()),
    }
}
