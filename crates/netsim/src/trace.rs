//! The per-packet trace and the network-wide counters.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

/// What finally happened to a packet (one record per packet copy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fate {
    /// Handed to the destination host's node.
    Delivered,
    /// Lost on a link (loss model).
    Lost,
    /// Larger than a link's MTU.
    DroppedMtu,
    /// A bandwidth-capped link's queue was full.
    DroppedQueue,
    /// The link was down.
    DroppedLinkDown,
    /// A NAT had no mapping for the destination.
    DroppedNatNoMapping,
    /// A NAT's filtering refused the source.
    DroppedNatFiltered,
    /// A NAT's table was full.
    DroppedNatTableFull,
    /// Sent to a NAT's own public address from inside, hairpinning off.
    DroppedNatHairpin,
    /// No host or NAT owns the destination address (or no address of the
    /// family on the way).
    NoRoute,
    /// The source address is not one of the sending host's.
    BadSource,
    /// Not UDP: the simulator carries only datagrams.
    UnsupportedProtocol,
}

impl Fate {
    /// A short lower-case name, used in the text trace.
    pub fn name(self) -> &'static str {
        match self {
            Fate::Delivered => "delivered",
            Fate::Lost => "lost",
            Fate::DroppedMtu => "dropped-mtu",
            Fate::DroppedQueue => "dropped-queue",
            Fate::DroppedLinkDown => "dropped-link-down",
            Fate::DroppedNatNoMapping => "dropped-nat-no-mapping",
            Fate::DroppedNatFiltered => "dropped-nat-filtered",
            Fate::DroppedNatTableFull => "dropped-nat-table-full",
            Fate::DroppedNatHairpin => "dropped-nat-hairpin",
            Fate::NoRoute => "no-route",
            Fate::BadSource => "bad-source",
            Fate::UnsupportedProtocol => "unsupported-protocol",
        }
    }
}

/// One packet's story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceRecord {
    /// Sequence number of the datagram (a duplicate shares its original's).
    pub id: u64,
    /// When the node sent it, since the network's start.
    pub sent: Duration,
    /// When its fate was decided, since the network's start.
    pub at: Duration,
    /// Source as sent.
    pub from: SocketAddr,
    /// Destination as sent.
    pub to: SocketAddr,
    /// Source where its fate was decided (after NAT translation).
    pub seen_from: SocketAddr,
    /// Destination where its fate was decided (after NAT translation).
    pub seen_to: SocketAddr,
    /// UDP payload size in bytes.
    pub size: usize,
    /// What happened.
    pub fate: Fate,
}

impl fmt::Display for TraceRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} #{} {} -> {} [{} -> {}] {}B {}",
            self.sent.as_nanos(),
            self.at.as_nanos(),
            self.id,
            self.from,
            self.to,
            self.seen_from,
            self.seen_to,
            self.size,
            self.fate.name()
        )
    }
}

/// Most trace records kept by default; later ones are counted only.
pub const DEFAULT_TRACE_LIMIT: usize = 250_000;

/// The per-packet trace, bounded.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    records: Vec<TraceRecord>,
    limit: usize,
    overflow: u64,
}

impl Trace {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            records: Vec::new(),
            limit,
            overflow: 0,
        }
    }

    pub(crate) fn push(&mut self, record: TraceRecord) {
        if self.records.len() < self.limit {
            self.records.push(record);
        } else {
            self.overflow += 1;
        }
    }

    /// The records, in the order fates were decided.
    pub fn records(&self) -> &[TraceRecord] {
        &self.records
    }

    /// Records not kept because the trace was full.
    pub fn overflow(&self) -> u64 {
        self.overflow
    }

    /// The trace as text, one record per line: the canonical bytes the
    /// determinism test compares.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for r in &self.records {
            out.push_str(&r.to_string());
            out.push('\n');
        }
        out
    }
}

/// Network-wide counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Datagrams nodes handed to the network.
    pub sent: u64,
    /// Copies handed to a node.
    pub delivered: u64,
    /// UDP payload bytes handed to nodes.
    pub delivered_bytes: u64,
    /// Lost by a link's loss model.
    pub lost: u64,
    /// Dropped for exceeding an MTU.
    pub dropped_mtu: u64,
    /// Dropped by a full link queue.
    pub dropped_queue: u64,
    /// Dropped by a down link.
    pub dropped_link_down: u64,
    /// Dropped by a NAT (no mapping, filtered, table full, hairpin off).
    pub dropped_nat: u64,
    /// No route / bad source / unsupported protocol.
    pub unroutable: u64,
    /// Extra copies made by duplication.
    pub duplicated: u64,
    /// Packets held back for reordering.
    pub reordered: u64,
    /// Drains cut off because a node never returned a timeout.
    pub runaway_drains: u64,
    /// Events processed by the run loop.
    pub events: u64,
}

impl Counters {
    pub(crate) fn count(&mut self, fate: Fate, size: usize) {
        match fate {
            Fate::Delivered => {
                self.delivered += 1;
                self.delivered_bytes += size as u64;
            }
            Fate::Lost => self.lost += 1,
            Fate::DroppedMtu => self.dropped_mtu += 1,
            Fate::DroppedQueue => self.dropped_queue += 1,
            Fate::DroppedLinkDown => self.dropped_link_down += 1,
            Fate::DroppedNatNoMapping
            | Fate::DroppedNatFiltered
            | Fate::DroppedNatTableFull
            | Fate::DroppedNatHairpin => self.dropped_nat += 1,
            Fate::NoRoute | Fate::BadSource | Fate::UnsupportedProtocol => self.unroutable += 1,
        }
    }
}
