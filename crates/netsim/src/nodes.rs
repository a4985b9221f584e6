//! Small ready-made nodes for tests and network scenarios: a traffic
//! [`Probe`] that sends a flow and records what it receives, an [`Echo`]
//! and a [`Reflector`] (answers with the source address it saw, a stand-in
//! for a STUN Binding server).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sansrtc_proto::{Output, Protocol, Receive, Transmit};

use crate::node::Node;

/// A datagram a [`Probe`] received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// When it arrived.
    pub at: Instant,
    /// Who sent it (as seen after any NAT).
    pub source: SocketAddr,
    /// The local address it arrived at.
    pub destination: SocketAddr,
    /// Its bytes.
    pub contents: Vec<u8>,
}

/// A periodic flow: `count` datagrams of `size` bytes (at least 8: a
/// big-endian sequence number first), one every `interval` from `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flow {
    /// Where to send.
    pub destination: SocketAddr,
    /// When the first datagram leaves.
    pub start: Instant,
    /// Gap between datagrams (zero: all at once).
    pub interval: Duration,
    /// How many.
    pub count: u64,
    /// Payload size in bytes.
    pub size: usize,
}

/// Sends an optional [`Flow`] and ad-hoc datagrams from one local address,
/// and emits every datagram it receives as a [`Received`] event.
#[derive(Debug, Clone)]
pub struct Probe {
    local: SocketAddr,
    flow: Option<Flow>,
    flow_sent: u64,
    outbox: VecDeque<Transmit>,
    received: VecDeque<Received>,
}

/// Received datagrams a probe holds before the network drains it.
const PROBE_EVENT_LIMIT: usize = 65_536;

impl Probe {
    /// A probe at `local` that only sends on command.
    pub fn new(local: SocketAddr) -> Self {
        Self {
            local,
            flow: None,
            flow_sent: 0,
            outbox: VecDeque::new(),
            received: VecDeque::new(),
        }
    }

    /// A probe at `local` sending `flow`.
    pub fn with_flow(local: SocketAddr, flow: Flow) -> Self {
        Self {
            flow: Some(flow),
            ..Self::new(local)
        }
    }

    /// Queues one datagram (use through [`crate::Network::node_mut`]).
    pub fn send(&mut self, destination: SocketAddr, contents: Vec<u8>) {
        self.send_from(self.local, destination, contents);
    }

    /// Queues one datagram from another of the host's addresses.
    pub fn send_from(&mut self, source: SocketAddr, destination: SocketAddr, contents: Vec<u8>) {
        self.outbox.push_back(Transmit {
            protocol: Protocol::Udp,
            source,
            destination,
            contents,
        });
    }

    /// Datagrams of the flow sent so far.
    pub fn flow_sent(&self) -> u64 {
        self.flow_sent
    }

    /// The local address.
    pub fn local(&self) -> SocketAddr {
        self.local
    }

    fn next_flow_send(&self) -> Option<Instant> {
        let flow = self.flow?;
        if self.flow_sent >= flow.count {
            return None;
        }
        let gaps = u32::try_from(self.flow_sent).unwrap_or(u32::MAX);
        Some(flow.start + flow.interval * gaps)
    }
}

impl Node for Probe {
    type Event = Received;

    fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) {
        if self.received.len() >= PROBE_EVENT_LIMIT {
            self.received.pop_front();
        }
        self.received.push_back(Received {
            at: now,
            source: datagram.source,
            destination: datagram.destination,
            contents: datagram.contents.to_vec(),
        });
    }

    fn handle_timeout(&mut self, now: Instant) {
        while let (Some(flow), Some(due)) = (self.flow, self.next_flow_send()) {
            if due > now {
                break;
            }
            let mut contents = vec![0u8; flow.size.max(8)];
            contents[..8].copy_from_slice(&self.flow_sent.to_be_bytes());
            self.flow_sent += 1;
            self.send(flow.destination, contents);
        }
    }

    fn poll_output(&mut self) -> Output<Transmit, Received> {
        if let Some(t) = self.outbox.pop_front() {
            return Output::Transmit(t);
        }
        if let Some(r) = self.received.pop_front() {
            return Output::Event(r);
        }
        Output::Timeout(self.next_flow_send())
    }
}

/// Answers every datagram with the same bytes, from the address it
/// arrived at, to its source.
#[derive(Debug, Clone, Default)]
pub struct Echo {
    outbox: VecDeque<Transmit>,
    echoed: u64,
}

impl Echo {
    /// A new echo.
    pub fn new() -> Self {
        Self::default()
    }

    /// Datagrams echoed.
    pub fn echoed(&self) -> u64 {
        self.echoed
    }
}

impl Node for Echo {
    type Event = ();

    fn handle_receive(&mut self, _now: Instant, datagram: Receive<'_>) {
        self.echoed += 1;
        self.outbox.push_back(Transmit {
            protocol: Protocol::Udp,
            source: datagram.destination,
            destination: datagram.source,
            contents: datagram.contents.to_vec(),
        });
    }

    fn handle_timeout(&mut self, _now: Instant) {}

    fn poll_output(&mut self) -> Output<Transmit, ()> {
        match self.outbox.pop_front() {
            Some(t) => Output::Transmit(t),
            None => Output::Timeout(None),
        }
    }
}

/// Answers every datagram with the source address it saw, as UTF-8 text
/// (`"203.0.113.7:40000"`), from the address it arrived at: a stand-in for
/// a STUN Binding server in network-only tests.
#[derive(Debug, Clone, Default)]
pub struct Reflector {
    outbox: VecDeque<Transmit>,
}

impl Reflector {
    /// A new reflector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a reflector's answer.
    pub fn parse_answer(contents: &[u8]) -> Option<SocketAddr> {
        std::str::from_utf8(contents).ok()?.parse().ok()
    }
}

impl Node for Reflector {
    type Event = ();

    fn handle_receive(&mut self, _now: Instant, datagram: Receive<'_>) {
        self.outbox.push_back(Transmit {
            protocol: Protocol::Udp,
            source: datagram.destination,
            destination: datagram.source,
            contents: datagram.source.to_string().into_bytes(),
        });
    }

    fn handle_timeout(&mut self, _now: Instant) {}

    fn poll_output(&mut self) -> Output<Transmit, ()> {
        match self.outbox.pop_front() {
            Some(t) => Output::Transmit(t),
            None => Output::Timeout(None),
        }
    }
}
