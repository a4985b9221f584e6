//! The [`Network`]: topology, clock, RNG, and access to nodes, traces and
//! counters. The run loop and routing are in `routing.rs`.

use std::collections::{BTreeMap, VecDeque};
use std::net::IpAddr;
use std::time::{Duration, Instant};

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use crate::error::NetsimError;
use crate::event::{EventKind, EventQueue};
use crate::link::{Direction, Link, LinkConfig};
use crate::nat::{NatConfig, NatCounters, NatTable};
use crate::node::{Hosted, Node, NodeId};
use crate::pcap::{PcapWriter, DEFAULT_CAPTURE_LIMIT};
use crate::topology::{Host, HostCounters, HostId, LinkId, Nat, NatId, Owner, Zone, ZoneId};
use crate::trace::{Counters, Trace, DEFAULT_TRACE_LIMIT};

/// Default bound on events processed by one `run_until` call.
pub const DEFAULT_EVENT_LIMIT: u64 = 50_000_000;

/// How a [`Network::run_until`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// The goal held at this simulated instant.
    GoalReached(Instant),
    /// The deadline came first (the clock now stands at the deadline).
    DeadlineReached,
    /// The event limit was hit (a node that keeps asking for a timeout at
    /// the same instant, or a runaway scenario).
    EventLimit,
}

impl RunOutcome {
    /// Whether the goal was reached.
    pub fn reached(&self) -> bool {
        matches!(self, RunOutcome::GoalReached(_))
    }
}

/// A simulated network: zones joined by NATs, hosts running [`Node`]s,
/// links, an event queue, a simulated clock and one seeded RNG.
///
/// Ids ([`NodeId`], [`HostId`], [`NatId`], [`LinkId`], [`ZoneId`]) are only
/// valid for the network that made them; using one with another network is
/// a programming error and panics.
pub struct Network {
    pub(crate) seed: u64,
    pub(crate) start: Instant,
    pub(crate) now: Instant,
    pub(crate) rng: ChaCha20Rng,
    pub(crate) queue: EventQueue,
    pub(crate) zones: Vec<Zone>,
    pub(crate) hosts: Vec<Host>,
    pub(crate) nats: Vec<Nat>,
    pub(crate) links: Vec<Link>,
    pub(crate) owners: BTreeMap<(usize, IpAddr), Owner>,
    pub(crate) trace: Trace,
    pub(crate) counters: Counters,
    pub(crate) capture: Option<PcapWriter>,
    pub(crate) next_packet: u64,
    pub(crate) event_limit: u64,
}

impl Network {
    /// A network whose clock starts at `start` (taken from the caller: the
    /// simulator never reads the clock) and whose randomness all derives
    /// from `seed`. It has one zone, the internet.
    pub fn new(start: Instant, seed: u64) -> Self {
        Self {
            seed,
            start,
            now: start,
            rng: ChaCha20Rng::seed_from_u64(seed),
            queue: EventQueue::default(),
            zones: vec![Zone { behind: None }],
            hosts: Vec::new(),
            nats: Vec::new(),
            links: Vec::new(),
            owners: BTreeMap::new(),
            trace: Trace::new(DEFAULT_TRACE_LIMIT),
            counters: Counters::default(),
            capture: None,
            next_packet: 0,
            event_limit: DEFAULT_EVENT_LIMIT,
        }
    }

    /// The seed the network was made with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The simulated now.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// The instant the network started at.
    pub fn start(&self) -> Instant {
        self.start
    }

    /// Simulated time since the start.
    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    /// The public internet zone.
    pub fn internet(&self) -> ZoneId {
        ZoneId(0)
    }

    /// A fresh RNG for a machine, derived from the seed and `stream`
    /// (ChaCha20 stream `stream + 1`; the network's own RNG is stream 0).
    /// Taking one does not disturb the network's randomness.
    pub fn rng_for(&self, stream: u64) -> ChaCha20Rng {
        let mut rng = ChaCha20Rng::seed_from_u64(self.seed);
        rng.set_stream(stream.wrapping_add(1));
        rng
    }

    /// Records every datagram as a pcap (see [`Network::pcap`]): as each
    /// node sends it, and again as it leaves a NAT translated. The capture
    /// keeps at most 64 MiB.
    pub fn enable_capture(&mut self) {
        if self.capture.is_none() {
            self.capture = Some(PcapWriter::new(DEFAULT_CAPTURE_LIMIT));
        }
    }

    /// The pcap file, if capture is enabled.
    pub fn pcap(&self) -> Option<&[u8]> {
        self.capture.as_ref().map(PcapWriter::bytes)
    }

    /// Keeps at most `records` trace records (default
    /// [`crate::DEFAULT_TRACE_LIMIT`], about 50 MB); 0 turns tracing off.
    pub fn set_trace_limit(&mut self, records: usize) {
        let mut trace = Trace::new(records);
        for r in self.trace.records() {
            trace.push(r.clone());
        }
        self.trace = trace;
    }

    /// Bounds the events one `run_until` may process.
    pub fn set_event_limit(&mut self, events: u64) {
        self.event_limit = events;
    }

    /// The per-packet trace.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Network-wide counters.
    pub fn counters(&self) -> Counters {
        self.counters
    }

    fn check_zone(&self, zone: ZoneId) -> Result<(), NetsimError> {
        if zone.0 < self.zones.len() {
            Ok(())
        } else {
            Err(NetsimError::UnknownZone)
        }
    }

    fn claim(&mut self, zone: ZoneId, ips: &[IpAddr], owner: Owner) -> Result<(), NetsimError> {
        for (i, ip) in ips.iter().enumerate() {
            if self.owners.contains_key(&(zone.0, *ip)) || ips[..i].contains(ip) {
                return Err(NetsimError::AddressInUse(*ip));
            }
        }
        for ip in ips {
            self.owners.insert((zone.0, *ip), owner);
        }
        Ok(())
    }

    /// Adds a NAT whose public side is in `outside`, joined to it by a link
    /// with `wan`. Returns its id; add hosts to [`NatId::inside`].
    pub fn add_nat(
        &mut self,
        outside: ZoneId,
        config: NatConfig,
        wan: LinkConfig,
    ) -> Result<NatId, NetsimError> {
        self.check_zone(outside)?;
        if config.public.is_empty() {
            return Err(NetsimError::NatWithoutPublicAddress);
        }
        let index = self.nats.len();
        self.claim(outside, &config.public.clone(), Owner::Nat(index))?;
        let inside = ZoneId(self.zones.len());
        self.zones.push(Zone {
            behind: Some(index),
        });
        let link = LinkId(self.links.len());
        self.links.push(Link::new(wan));
        self.nats.push(Nat {
            outside,
            inside,
            link,
            table: NatTable::new(config),
        });
        Ok(NatId { index, inside })
    }

    /// Adds a host in `zone` with `addresses` (any mix of IPv4 and IPv6),
    /// an access link configured with `link`, running `node`. The node
    /// receives every datagram sent to any of the addresses, on any port,
    /// and is drained at the next step (so it may start sending at once).
    pub fn add_host<N>(
        &mut self,
        zone: ZoneId,
        addresses: &[IpAddr],
        link: LinkConfig,
        node: N,
    ) -> Result<NodeId<N>, NetsimError>
    where
        N: Node + 'static,
        N::Event: 'static,
    {
        self.check_zone(zone)?;
        if addresses.is_empty() {
            return Err(NetsimError::NoAddresses);
        }
        let index = self.hosts.len();
        self.claim(zone, addresses, Owner::Host(index))?;
        let link_id = LinkId(self.links.len());
        self.links.push(Link::new(link));
        self.hosts.push(Host {
            zone,
            addresses: addresses.to_vec(),
            link: link_id,
            node: Box::new(Hosted {
                node,
                events: VecDeque::new(),
                events_dropped: 0,
            }),
            dirty: true,
            timeout: None,
            timeout_generation: 0,
            counters: HostCounters::default(),
        });
        Ok(NodeId::new(HostId(index)))
    }

    fn hosted<N: Node + 'static>(&self, id: &NodeId<N>) -> &Hosted<N>
    where
        N::Event: 'static,
    {
        self.hosts
            .get(id.host.0)
            .and_then(|h| h.node.as_any().downcast_ref::<Hosted<N>>())
            .expect("a NodeId is only valid for the Network that made it")
    }

    fn hosted_mut<N: Node + 'static>(&mut self, id: &NodeId<N>) -> &mut Hosted<N>
    where
        N::Event: 'static,
    {
        self.hosts
            .get_mut(id.host.0)
            .and_then(|h| h.node.as_any_mut().downcast_mut::<Hosted<N>>())
            .expect("a NodeId is only valid for the Network that made it")
    }

    /// The node.
    pub fn node<N: Node + 'static>(&self, id: &NodeId<N>) -> &N
    where
        N::Event: 'static,
    {
        &self.hosted(id).node
    }

    /// The node, to issue a command; the network drains it at the next
    /// step, at the current simulated time.
    pub fn node_mut<N: Node + 'static>(&mut self, id: &NodeId<N>) -> &mut N
    where
        N::Event: 'static,
    {
        self.hosted(id); // validates the id with a clear message
        self.hosts[id.host.0].dirty = true;
        &mut self.hosted_mut(id).node
    }

    /// Events the node emitted and nobody took yet, oldest first.
    pub fn events<N: Node + 'static>(&self, id: &NodeId<N>) -> impl Iterator<Item = &N::Event>
    where
        N::Event: 'static,
    {
        self.hosted(id).events.iter()
    }

    /// Takes the node's pending events, oldest first.
    pub fn take_events<N: Node + 'static>(&mut self, id: &NodeId<N>) -> Vec<N::Event>
    where
        N::Event: 'static,
    {
        self.hosted_mut(id).events.drain(..).collect()
    }

    /// The host's addresses.
    pub fn host_addresses(&self, host: HostId) -> &[IpAddr] {
        &self.hosts[host.0].addresses
    }

    /// The host's counters.
    pub fn host_counters(&self, host: HostId) -> HostCounters {
        let h = &self.hosts[host.0];
        HostCounters {
            events_dropped: h.node.events_dropped(),
            ..h.counters
        }
    }

    /// The host's access link.
    pub fn host_link(&self, host: HostId) -> LinkId {
        self.hosts[host.0].link
    }

    /// The link between a NAT and its outside zone.
    pub fn nat_link(&self, nat: NatId) -> LinkId {
        self.nats[nat.index].link
    }

    /// A NAT's counters.
    pub fn nat_counters(&self, nat: NatId) -> NatCounters {
        self.nats[nat.index].table.counters
    }

    /// A NAT's live mappings as (internal, external) address pairs.
    pub fn nat_mappings(&self, nat: NatId) -> Vec<(std::net::SocketAddr, std::net::SocketAddr)> {
        self.nats[nat.index].table.mappings(self.now)
    }

    /// Replaces the configuration of one direction of a link, or of both
    /// (`None`). Packets already in flight keep their timing.
    pub fn set_link_config(
        &mut self,
        link: LinkId,
        direction: Option<Direction>,
        config: LinkConfig,
    ) {
        let l = &mut self.links[link.0];
        match direction {
            Some(d) => l.lane_mut(d).config = config,
            None => {
                for lane in &mut l.lanes {
                    lane.config = config.clone();
                }
            }
        }
    }

    /// Takes a link down or brings it up now. While down it drops every
    /// packet that tries to enter it (packets already on it arrive).
    pub fn set_link_up(&mut self, link: LinkId, up: bool) {
        self.links[link.0].up = up;
    }

    /// Whether a link is up.
    pub fn link_is_up(&self, link: LinkId) -> bool {
        self.links[link.0].up
    }

    /// Takes a link down (`up == false`) or up at simulated instant `at`.
    pub fn schedule_link_state(&mut self, link: LinkId, at: Instant, up: bool) {
        self.queue
            .push(at.max(self.now), EventKind::LinkState { link, up });
    }

    /// Replaces a link's configuration (one direction or both) at simulated
    /// instant `at`: a handover, a congested period, a path change.
    pub fn schedule_link_config(
        &mut self,
        link: LinkId,
        at: Instant,
        direction: Option<Direction>,
        config: LinkConfig,
    ) {
        let config = Box::new(config);
        self.queue.push(
            at.max(self.now),
            EventKind::LinkConfig {
                link,
                direction,
                config,
            },
        );
    }

    /// Forgets every mapping of a NAT now (a NAT reboot; the next outbound
    /// packet of each flow gets a new mapping, usually a new port). Counted
    /// as expired mappings.
    pub fn flush_nat(&mut self, nat: NatId) {
        self.nats[nat.index].table.clear();
    }

    /// Adds an address to a host now (a new interface, a new DHCP lease).
    pub fn add_host_address(&mut self, host: HostId, ip: IpAddr) -> Result<(), NetsimError> {
        let zone = self.hosts[host.0].zone;
        self.claim(zone, &[ip], Owner::Host(host.0))?;
        self.hosts[host.0].addresses.push(ip);
        Ok(())
    }

    /// Removes an address from a host now: datagrams to it have no route
    /// any more and the host can no longer send from it (`bad-source`).
    /// Returns whether the host had it.
    pub fn remove_host_address(&mut self, host: HostId, ip: IpAddr) -> bool {
        let h = &mut self.hosts[host.0];
        let had = h.addresses.contains(&ip);
        if had {
            h.addresses.retain(|a| *a != ip);
            self.owners.remove(&(h.zone.0, ip));
        }
        had
    }

    /// Events waiting in the queue.
    pub fn pending_events(&self) -> usize {
        self.queue.len()
    }
}
