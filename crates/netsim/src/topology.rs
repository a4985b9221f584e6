//! Identifiers and the plain records of the simulated topology: zones
//! (address realms), hosts, NATs between zones, links.

use std::net::IpAddr;
use std::time::Instant;

use crate::nat::NatTable;
use crate::node::Driven;

/// An address realm: the public internet ([`crate::Network::internet`]) or
/// the private side of a NAT ([`NatId::inside`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ZoneId(pub(crate) usize);

/// A host: one node, its addresses and its access link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HostId(pub(crate) usize);

/// A NAT added with [`crate::Network::add_nat`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NatId {
    pub(crate) index: usize,
    pub(crate) inside: ZoneId,
}

impl NatId {
    /// The private zone behind the NAT, where its hosts are added.
    pub fn inside(&self) -> ZoneId {
        self.inside
    }
}

/// A link: a host's access link or a NAT's link to its outside zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LinkId(pub(crate) usize);

/// Per-host counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HostCounters {
    /// Datagrams the node sent.
    pub sent: u64,
    /// Datagrams delivered to the node.
    pub received: u64,
    /// UDP payload bytes delivered to the node.
    pub received_bytes: u64,
    /// Events dropped because the node's event queue was full.
    pub events_dropped: u64,
}

pub(crate) struct Zone {
    /// The NAT this zone sits behind, if any.
    pub(crate) behind: Option<usize>,
}

pub(crate) struct Host {
    pub(crate) zone: ZoneId,
    pub(crate) addresses: Vec<IpAddr>,
    pub(crate) link: LinkId,
    pub(crate) node: Box<dyn Driven>,
    pub(crate) dirty: bool,
    /// The timeout currently scheduled and its generation.
    pub(crate) timeout: Option<Instant>,
    pub(crate) timeout_generation: u64,
    pub(crate) counters: HostCounters,
}

pub(crate) struct Nat {
    pub(crate) outside: ZoneId,
    pub(crate) inside: ZoneId,
    pub(crate) link: LinkId,
    pub(crate) table: NatTable,
}

/// Who owns an address in a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    Host(usize),
    Nat(usize),
}
