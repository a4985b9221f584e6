//! The run loop and the path of a datagram: host → access link → zone →
//! (NAT → NAT link → outer zone …) → access link → host.

use std::time::{Duration, Instant};

use sansrtc_proto::{Protocol, Receive, Transmit};

use crate::event::{EventKind, Hop, Packet};
use crate::link::{Direction, LinkDrop};
use crate::nat::NatDrop;
use crate::network::{Network, RunOutcome};
use crate::topology::{HostId, LinkId, Owner};
use crate::trace::{Fate, TraceRecord};

/// Most zones a packet may cross (guards against a mis-built topology).
const MAX_ZONE_HOPS: u32 = 16;

impl Network {
    /// Runs until `goal` holds (checked before the first event and after
    /// every event), the clock would pass `deadline`, or the event limit.
    pub fn run_until<F>(&mut self, deadline: Instant, mut goal: F) -> RunOutcome
    where
        F: FnMut(&Network) -> bool,
    {
        let mut budget = self.event_limit;
        loop {
            self.drain_dirty();
            if goal(self) {
                return RunOutcome::GoalReached(self.now);
            }
            match self.queue.peek_time() {
                Some(at) if at <= deadline => {}
                _ => {
                    self.now = self.now.max(deadline);
                    return RunOutcome::DeadlineReached;
                }
            }
            if budget == 0 {
                return RunOutcome::EventLimit;
            }
            budget -= 1;
            self.process_next();
        }
    }

    /// Runs for `duration` of simulated time.
    pub fn run_for(&mut self, duration: Duration) -> RunOutcome {
        let deadline = self.now + duration;
        self.run_until(deadline, |_| false)
    }

    /// Processes the next event (after draining nodes that were touched);
    /// returns false if there was none.
    pub fn step(&mut self) -> bool {
        self.drain_dirty();
        if self.queue.peek_time().is_none() {
            return false;
        }
        self.process_next();
        self.drain_dirty();
        true
    }

    /// Sends a datagram from `host` as if its node had sent it (for tests
    /// that need a packet no machine would produce).
    pub fn inject(&mut self, host: HostId, transmit: Transmit) {
        self.transmit(host.0, transmit);
    }

    fn process_next(&mut self) {
        let Some(event) = self.queue.pop() else {
            return;
        };
        self.now = self.now.max(event.at);
        self.counters.events += 1;
        match event.kind {
            EventKind::Arrive { packet, hop } => match hop {
                Hop::Zone(zone) => self.arrive_zone(zone, packet, 0),
                Hop::Host(host) => self.arrive_host(host, packet),
                Hop::NatInbound(nat) => self.nat_inbound(nat, packet, 0),
            },
            EventKind::Timeout { host, generation } => {
                let h = &mut self.hosts[host];
                if h.timeout_generation == generation {
                    h.timeout = None;
                    h.node.timeout(self.now);
                    self.drain(host);
                }
            }
            EventKind::LinkState { link, up } => self.links[link.0].up = up,
            EventKind::LinkConfig {
                link,
                direction,
                config,
            } => self.set_link_config(link, direction, *config),
        }
    }

    fn drain_dirty(&mut self) {
        for host in 0..self.hosts.len() {
            if self.hosts[host].dirty {
                self.hosts[host].dirty = false;
                self.drain(host);
            }
        }
    }

    /// Drains a node: sends its transmits, keeps its events, arms its timer.
    fn drain(&mut self, host: usize) {
        let mut out = Vec::new();
        let drained = self.hosts[host].node.drain(&mut out);
        if drained.runaway {
            self.counters.runaway_drains += 1;
        }
        let now = self.now;
        let h = &mut self.hosts[host];
        let wanted = drained.timeout.map(|t| t.max(now));
        if wanted != h.timeout {
            h.timeout_generation += 1;
            h.timeout = wanted;
            if let Some(at) = wanted {
                let generation = h.timeout_generation;
                self.queue.push(at, EventKind::Timeout { host, generation });
            }
        }
        for t in out {
            self.transmit(host, t);
        }
    }

    fn fate(&mut self, packet: &Packet, fate: Fate) {
        self.counters.count(fate, packet.data.len());
        self.trace.push(TraceRecord {
            id: packet.id,
            sent: packet.sent_at - self.start,
            at: self.now - self.start,
            from: packet.from,
            to: packet.to,
            seen_from: packet.src,
            seen_to: packet.dst,
            size: packet.data.len(),
            fate,
        });
    }

    fn capture(&mut self, packet: &Packet) {
        if let Some(c) = self.capture.as_mut() {
            c.record(self.now - self.start, packet.src, packet.dst, &packet.data);
        }
    }

    fn transmit(&mut self, host: usize, t: Transmit) {
        self.next_packet += 1;
        self.counters.sent += 1;
        self.hosts[host].counters.sent += 1;
        let packet = Packet {
            id: self.next_packet,
            sent_at: self.now,
            from: t.source,
            to: t.destination,
            src: t.source,
            dst: t.destination,
            data: t.contents,
        };
        let h = &self.hosts[host];
        if t.protocol != Protocol::Udp {
            return self.fate(&packet, Fate::UnsupportedProtocol);
        }
        if !h.addresses.contains(&packet.src.ip()) {
            return self.fate(&packet, Fate::BadSource);
        }
        if packet.src.is_ipv4() != packet.dst.is_ipv4() {
            return self.fate(&packet, Fate::NoRoute);
        }
        let (link, zone) = (h.link, h.zone.0);
        self.capture(&packet);
        self.enter_link(link, Direction::Up, packet, Hop::Zone(zone));
    }

    fn enter_link(&mut self, link: LinkId, direction: Direction, packet: Packet, hop: Hop) {
        let now = self.now;
        let l = &mut self.links[link.0];
        if !l.up {
            return self.fate(&packet, Fate::DroppedLinkDown);
        }
        let carried = l
            .lane_mut(direction)
            .carry(now, packet.ip_size(), &mut self.rng);
        match carried {
            Err(drop) => {
                let fate = match drop {
                    LinkDrop::Mtu => Fate::DroppedMtu,
                    LinkDrop::Queue => Fate::DroppedQueue,
                    LinkDrop::Lost => Fate::Lost,
                };
                self.fate(&packet, fate);
            }
            Ok(c) => {
                if c.reordered {
                    self.counters.reordered += 1;
                }
                if let Some(at) = c.duplicate_arrival {
                    self.counters.duplicated += 1;
                    let copy = packet.clone();
                    self.queue.push(at, EventKind::Arrive { packet: copy, hop });
                }
                self.queue
                    .push(c.arrival, EventKind::Arrive { packet, hop });
            }
        }
    }

    fn arrive_zone(&mut self, zone: usize, packet: Packet, depth: u32) {
        if depth > MAX_ZONE_HOPS {
            return self.fate(&packet, Fate::NoRoute);
        }
        match self.owners.get(&(zone, packet.dst.ip())).copied() {
            Some(Owner::Host(host)) => {
                let link = self.hosts[host].link;
                self.enter_link(link, Direction::Down, packet, Hop::Host(host));
            }
            Some(Owner::Nat(nat)) => {
                let link = self.nats[nat].link;
                self.enter_link(link, Direction::Down, packet, Hop::NatInbound(nat));
            }
            None => match self.zones[zone].behind {
                Some(nat) => self.nat_outbound(nat, packet, depth),
                None => self.fate(&packet, Fate::NoRoute),
            },
        }
    }

    fn nat_fate(drop: NatDrop) -> Fate {
        match drop {
            NatDrop::NoPublicAddress => Fate::NoRoute,
            NatDrop::TableFull => Fate::DroppedNatTableFull,
            NatDrop::NoMapping => Fate::DroppedNatNoMapping,
            NatDrop::Filtered => Fate::DroppedNatFiltered,
        }
    }

    fn nat_outbound(&mut self, nat: usize, mut packet: Packet, depth: u32) {
        let now = self.now;
        let n = &mut self.nats[nat];
        match n.table.outbound(now, packet.src, packet.dst, &mut self.rng) {
            Err(drop) => return self.fate(&packet, Self::nat_fate(drop)),
            Ok(external) => packet.src = external,
        }
        if n.table.owns(packet.dst.ip()) {
            if !n.table.config.hairpinning {
                n.table.counters.hairpin_refused += 1;
                return self.fate(&packet, Fate::DroppedNatHairpin);
            }
            n.table.counters.hairpinned += 1;
            return self.nat_inbound(nat, packet, depth + 1);
        }
        let (link, outside) = (n.link, n.outside.0);
        self.capture(&packet);
        self.enter_link(link, Direction::Up, packet, Hop::Zone(outside));
    }

    fn nat_inbound(&mut self, nat: usize, mut packet: Packet, depth: u32) {
        let now = self.now;
        let n = &mut self.nats[nat];
        match n.table.inbound(now, packet.src, packet.dst) {
            Err(drop) => return self.fate(&packet, Self::nat_fate(drop)),
            Ok(internal) => packet.dst = internal,
        }
        let inside = n.inside.0;
        self.capture(&packet);
        self.arrive_zone(inside, packet, depth + 1);
    }

    fn arrive_host(&mut self, host: usize, packet: Packet) {
        self.fate(&packet, Fate::Delivered);
        let now = self.now;
        let h = &mut self.hosts[host];
        h.counters.received += 1;
        h.counters.received_bytes += packet.data.len() as u64;
        h.node.receive(
            now,
            Receive {
                protocol: Protocol::Udp,
                source: packet.src,
                destination: packet.dst,
                contents: &packet.data,
            },
        );
        self.drain(host);
    }
}
