//! Sans-IO machines the adapter tests drive through real sockets. Shared by
//! the tokio and mio adapters' tests (`adapters/mio/tests` include this
//! file with `#[path]`), so both drive exactly the same machines.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sansrtc_netsim::{Node, StunServer};
use sansrtc_proto::{Machine, Output, Protocol, Receive, Transmit};
use sansrtc_stun::attributes::XorMappedAddress;
use sansrtc_stun::{Class, Message, MessageBuilder, MessageType, TransactionId};

/// A UDP transmit.
pub fn udp(source: SocketAddr, destination: SocketAddr, contents: Vec<u8>) -> Transmit {
    Transmit {
        protocol: Protocol::Udp,
        source,
        destination,
        contents,
    }
}

/// netsim's Sans-IO STUN Binding server, as a [`Machine`] (netsim's `Node`
/// has the same three methods).
#[derive(Debug, Default)]
pub struct StunService(pub StunServer);

impl Machine for StunService {
    type Event = ();
    fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) {
        self.0.handle_receive(now, datagram);
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.0.handle_timeout(now);
    }
    fn poll_output(&mut self) -> Output<Transmit, ()> {
        self.0.poll_output()
    }
}

/// A Binding request with a FINGERPRINT and a seeded transaction id.
pub fn binding_request(seed: u64) -> (TransactionId, Vec<u8>) {
    let transaction_id = TransactionId::random(&mut ChaCha20Rng::seed_from_u64(seed));
    let mut request = Vec::new();
    let mut b = MessageBuilder::new(&mut request, MessageType::BINDING_REQUEST, transaction_id);
    b.add_fingerprint().expect("an empty request has room");
    b.finish();
    (transaction_id, request)
}

/// The XOR-MAPPED-ADDRESS of a Binding success response to `transaction_id`.
pub fn mapped_address(response: &[u8], transaction_id: TransactionId) -> Option<SocketAddr> {
    let message = Message::parse(response).ok()?;
    if message.transaction_id() != transaction_id
        || message.class() != Class::SuccessResponse
        || message.verify_fingerprint().is_err()
    {
        return None;
    }
    message.require::<XorMappedAddress>().ok().map(|x| x.0)
}

/// What a [`BindingClient`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientEvent {
    /// The reflexive address the server saw.
    Mapped(SocketAddr),
    /// Every retransmission went unanswered.
    TimedOut,
}

/// A STUN Binding client with RFC 8489 §6.2.1 retransmissions (RTO
/// doubling, Rc sends); it sends its first request at `start`.
pub struct BindingClient {
    local: SocketAddr,
    server: SocketAddr,
    transaction_id: TransactionId,
    request: Vec<u8>,
    rto: Duration,
    sent: u32,
    next: Option<Instant>,
    outbox: VecDeque<Output<Transmit, ClientEvent>>,
}

impl BindingClient {
    /// Most requests sent (RFC 8489's Rc).
    pub const RC: u32 = 7;

    /// A client at `local` asking `server`, first request at `start`.
    pub fn new(
        local: SocketAddr,
        server: SocketAddr,
        start: Instant,
        rto: Duration,
        seed: u64,
    ) -> Self {
        let (transaction_id, request) = binding_request(seed);
        Self {
            local,
            server,
            transaction_id,
            request,
            rto,
            sent: 0,
            next: Some(start),
            outbox: VecDeque::new(),
        }
    }

    /// Requests sent so far.
    pub fn sent(&self) -> u32 {
        self.sent
    }
}

impl Machine for BindingClient {
    type Event = ClientEvent;
    fn handle_receive(&mut self, _now: Instant, datagram: Receive<'_>) {
        if self.next.is_none() {
            return;
        }
        if let Some(mapped) = mapped_address(datagram.contents, self.transaction_id) {
            self.next = None;
            self.outbox
                .push_back(Output::Event(ClientEvent::Mapped(mapped)));
        }
    }
    fn handle_timeout(&mut self, now: Instant) {
        match self.next {
            Some(at) if at <= now && self.sent < Self::RC => {
                self.sent += 1;
                let request = self.request.clone();
                self.outbox
                    .push_back(Output::Transmit(udp(self.local, self.server, request)));
                self.next = Some(now + self.rto * (1 << (self.sent - 1)));
            }
            Some(at) if at <= now => {
                self.next = None;
                self.outbox.push_back(Output::Event(ClientEvent::TimedOut));
            }
            _ => {}
        }
    }
    fn poll_output(&mut self) -> Output<Transmit, ClientEvent> {
        self.outbox
            .pop_front()
            .unwrap_or(Output::Timeout(self.next))
    }
}

/// What a [`Ticker`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TickerEvent {
    /// All datagrams were sent, at these instants (the `now` of each timeout).
    Done(Vec<Instant>),
}

/// A timer-driven machine: sends `count` datagrams (`[i]` for the i-th) at
/// `interval`, the first at `start`, driven only by `handle_timeout`.
pub struct Ticker {
    local: SocketAddr,
    peer: SocketAddr,
    start: Instant,
    interval: Duration,
    count: u8,
    sent_at: Vec<Instant>,
    next: Option<Instant>,
    outbox: VecDeque<Output<Transmit, TickerEvent>>,
    /// `handle_timeout` calls that came before the timer was due.
    pub early_timeouts: u32,
}

impl Ticker {
    /// A ticker from `local` to `peer`.
    pub fn new(
        local: SocketAddr,
        peer: SocketAddr,
        start: Instant,
        interval: Duration,
        count: u8,
    ) -> Self {
        Self {
            local,
            peer,
            start,
            interval,
            count,
            sent_at: Vec::new(),
            next: Some(start),
            outbox: VecDeque::new(),
            early_timeouts: 0,
        }
    }

    /// Checks the instants of a [`TickerEvent::Done`]: one per datagram;
    /// the i-th timer was asked for `start + i·interval`, so it must not
    /// fire earlier; the firings come in order; and no `handle_timeout`
    /// came before the timer was due.
    pub fn assert_on_schedule(&self, sent_at: &[Instant]) {
        assert_eq!(sent_at.len(), usize::from(self.count));
        for (i, at) in sent_at.iter().enumerate() {
            assert!(
                *at >= self.start + self.interval * i as u32,
                "tick {i} fired early"
            );
        }
        assert!(sent_at.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(self.early_timeouts, 0);
    }
}

impl Machine for Ticker {
    type Event = TickerEvent;
    fn handle_receive(&mut self, _now: Instant, _datagram: Receive<'_>) {}
    fn handle_timeout(&mut self, now: Instant) {
        let Some(at) = self.next else { return };
        if now < at {
            self.early_timeouts += 1;
            return;
        }
        let index = self.sent_at.len() as u8;
        self.sent_at.push(now);
        self.outbox
            .push_back(Output::Transmit(udp(self.local, self.peer, vec![index])));
        if self.sent_at.len() == usize::from(self.count) {
            self.next = None;
            self.outbox
                .push_back(Output::Event(TickerEvent::Done(self.sent_at.clone())));
        } else {
            self.next = Some(at + self.interval);
        }
    }
    fn poll_output(&mut self) -> Output<Transmit, TickerEvent> {
        self.outbox
            .pop_front()
            .unwrap_or(Output::Timeout(self.next))
    }
}

/// What a [`Messenger`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// Who sent it.
    pub from: SocketAddr,
    /// The local address it arrived at.
    pub at: SocketAddr,
    /// The bytes.
    pub contents: Vec<u8>,
}

/// A command-driven machine: [`Messenger::send`] queues a transmit, every
/// received datagram is an event; optionally answers "ping" with "pong".
#[derive(Default)]
pub struct Messenger {
    outbox: VecDeque<Output<Transmit, Received>>,
    /// Answer every datagram "ping…" with "pong…" (same suffix).
    pub answer_pings: bool,
}

impl Messenger {
    /// A messenger that answers pings.
    pub fn ponger() -> Self {
        Self {
            answer_pings: true,
            ..Self::default()
        }
    }

    /// A command: send `transmit`.
    pub fn send(&mut self, transmit: Transmit) {
        self.outbox.push_back(Output::Transmit(transmit));
    }
}

impl Machine for Messenger {
    type Event = Received;
    fn handle_receive(&mut self, _now: Instant, d: Receive<'_>) {
        if self.answer_pings {
            if let Some(rest) = d.contents.strip_prefix(b"ping") {
                let mut pong = b"pong".to_vec();
                pong.extend_from_slice(rest);
                self.send(udp(d.destination, d.source, pong));
            }
        }
        self.outbox.push_back(Output::Event(Received {
            from: d.source,
            at: d.destination,
            contents: d.contents.to_vec(),
        }));
    }
    fn handle_timeout(&mut self, _now: Instant) {}
    fn poll_output(&mut self) -> Output<Transmit, Received> {
        self.outbox.pop_front().unwrap_or(Output::Timeout(None))
    }
}

/// A misbehaving machine: while `flooding`, `poll_output` never ends (an
/// endless stream of transmits to `peer`).
pub struct Flood {
    /// Keep returning transmits.
    pub flooding: bool,
    local: SocketAddr,
    peer: SocketAddr,
}

impl Flood {
    /// A flooding machine from `local` to `peer`.
    pub fn new(local: SocketAddr, peer: SocketAddr) -> Self {
        Self {
            flooding: true,
            local,
            peer,
        }
    }
}

impl Machine for Flood {
    type Event = ();
    fn handle_receive(&mut self, _now: Instant, _datagram: Receive<'_>) {}
    fn handle_timeout(&mut self, _now: Instant) {}
    fn poll_output(&mut self) -> Output<Transmit, ()> {
        if self.flooding {
            Output::Transmit(udp(self.local, self.peer, b"flood".to_vec()))
        } else {
            Output::Timeout(None)
        }
    }
}
