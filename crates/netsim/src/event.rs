//! The event queue: ordered by time, then by scheduling order, so that the
//! run is the same for the same seed.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::net::SocketAddr;
use std::time::Instant;

use crate::link::{Direction, LinkConfig};
use crate::topology::LinkId;

/// A datagram in flight.
#[derive(Debug, Clone)]
pub(crate) struct Packet {
    pub(crate) id: u64,
    pub(crate) sent_at: Instant,
    /// Addresses as the node sent it.
    pub(crate) from: SocketAddr,
    pub(crate) to: SocketAddr,
    /// Addresses now (after NAT translation).
    pub(crate) src: SocketAddr,
    pub(crate) dst: SocketAddr,
    pub(crate) data: Vec<u8>,
}

impl Packet {
    /// Size of the IP packet carrying it (for MTU and bandwidth).
    pub(crate) fn ip_size(&self) -> usize {
        let ip_header = if self.dst.is_ipv4() { 20 } else { 40 };
        self.data.len() + 8 + ip_header
    }
}

/// Where a packet leaving a link arrives.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Hop {
    /// Into a zone, to be routed.
    Zone(usize),
    /// To a host's node.
    Host(usize),
    /// To a NAT's outside interface.
    NatInbound(usize),
}

#[derive(Debug)]
pub(crate) enum EventKind {
    Arrive {
        packet: Packet,
        hop: Hop,
    },
    Timeout {
        host: usize,
        generation: u64,
    },
    LinkState {
        link: LinkId,
        up: bool,
    },
    LinkConfig {
        link: LinkId,
        direction: Option<Direction>,
        config: Box<LinkConfig>,
    },
}

#[derive(Debug)]
pub(crate) struct Scheduled {
    pub(crate) at: Instant,
    seq: u64,
    pub(crate) kind: EventKind,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at && self.seq == other.seq
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    /// Reversed: the heap's top is the earliest, first-scheduled event.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

#[derive(Debug, Default)]
pub(crate) struct EventQueue {
    heap: BinaryHeap<Scheduled>,
    seq: u64,
}

impl EventQueue {
    pub(crate) fn push(&mut self, at: Instant, kind: EventKind) {
        self.seq += 1;
        self.heap.push(Scheduled {
            at,
            seq: self.seq,
            kind,
        });
    }

    pub(crate) fn peek_time(&self) -> Option<Instant> {
        self.heap.peek().map(|s| s.at)
    }

    pub(crate) fn pop(&mut self) -> Option<Scheduled> {
        self.heap.pop()
    }

    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }
}
