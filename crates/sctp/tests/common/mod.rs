//! Test harness: a seeded in-memory network between two SCTP peers (ours or
//! sctp-proto's), with delay, loss, duplication and reordering, on a
//! simulated clock.
#![allow(dead_code)]

pub mod cost;
pub mod proto_peer;
pub mod raw_peer;

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use sansrtc_proto::Output;
use sansrtc_sctp::{Association, Message, SctpConfig, SctpEvent, SendOptions};

/// Anything the simulator can drive.
pub trait Peer {
    fn handle_receive(&mut self, now: Instant, packet: &[u8]);
    fn handle_timeout(&mut self, now: Instant);
    /// Drains outputs into `out`; returns the next timeout.
    fn drain(&mut self, now: Instant, out: &mut Vec<Vec<u8>>) -> Option<Instant>;
    fn send(
        &mut self,
        now: Instant,
        stream: u16,
        ppid: u32,
        data: &[u8],
        opts: SendOptions,
    ) -> bool;
    fn received(&mut self) -> &mut Vec<Message>;
    fn is_connected(&self) -> bool;
}

/// Our association with what it delivered.
pub struct Ours {
    pub assoc: Association,
    pub messages: Vec<Message>,
    pub events: Vec<SctpEvent>,
    /// When false, the application does not read (to test the window).
    pub reading: bool,
    /// Whether received packets are handed over
    /// ([`Association::handle_receive_owned`]: payloads kept as slices of
    /// them) or lent ([`Association::handle_receive`]: copied). Odd seeds
    /// hand over, so a pair built from seeds `s` and `s + 1` tries both.
    pub owned_receive: bool,
}

impl Ours {
    pub fn new(config: SctpConfig, seed: u64, now: Instant) -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        Self {
            assoc: Association::new(config, &mut rng, now),
            messages: Vec::new(),
            events: Vec::new(),
            reading: true,
            owned_receive: seed % 2 == 1,
        }
    }

    pub fn read_all(&mut self) {
        while let Some(m) = self.assoc.read() {
            self.messages.push(m);
        }
    }
}

impl Peer for Ours {
    fn handle_receive(&mut self, now: Instant, packet: &[u8]) {
        if self.owned_receive {
            self.assoc.handle_receive_owned(now, packet.to_vec());
        } else {
            self.assoc.handle_receive(now, packet);
        }
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.assoc.handle_timeout(now);
    }
    fn drain(&mut self, _now: Instant, out: &mut Vec<Vec<u8>>) -> Option<Instant> {
        loop {
            match self.assoc.poll_output() {
                Output::Transmit(p) => out.push(p),
                Output::Event(e) => self.events.push(e),
                Output::Timeout(t) => {
                    if self.reading {
                        let before = self.messages.len();
                        self.read_all();
                        if self.messages.len() > before {
                            continue;
                        }
                    }
                    return t;
                }
            }
        }
    }
    fn send(
        &mut self,
        now: Instant,
        stream: u16,
        ppid: u32,
        data: &[u8],
        opts: SendOptions,
    ) -> bool {
        self.assoc
            .send(now, stream, ppid, data.to_vec(), opts)
            .is_ok()
    }
    fn received(&mut self) -> &mut Vec<Message> {
        &mut self.messages
    }
    fn is_connected(&self) -> bool {
        self.assoc.is_established()
    }
}

/// One direction of the link.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    pub delay: Duration,
    pub loss: f64,
    pub duplicate: f64,
    /// Probability that a packet is held back by `reorder_delay`.
    pub reorder: f64,
    pub reorder_delay: Duration,
}

impl Link {
    pub fn clean(delay: Duration) -> Self {
        Self {
            delay,
            loss: 0.0,
            duplicate: 0.0,
            reorder: 0.0,
            reorder_delay: Duration::ZERO,
        }
    }
    pub fn lossy(delay: Duration, loss: f64) -> Self {
        Self {
            loss,
            duplicate: loss / 4.0,
            reorder: loss / 2.0,
            reorder_delay: delay / 2 + Duration::from_millis(3),
            ..Self::clean(delay)
        }
    }
}

/// A packet on the wire: arrival, sequence, towards B, bytes.
type InFlight = (Instant, u64, bool, Vec<u8>);

/// Two peers joined by two links on a simulated clock.
pub struct Sim<A: Peer, B: Peer> {
    pub a: A,
    pub b: B,
    pub start: Instant,
    pub now: Instant,
    pub a_to_b: Link,
    pub b_to_a: Link,
    /// When set, every packet from A is passed through this before B sees it.
    pub tamper_a_to_b: Option<fn(&mut Vec<u8>)>,
    rng: ChaCha20Rng,
    queue: BinaryHeap<Reverse<InFlight>>,
    seq: u64,
    a_timeout: Option<Instant>,
    b_timeout: Option<Instant>,
    pub packets: u64,
}

impl<A: Peer, B: Peer> Sim<A, B> {
    pub fn new(a: A, b: B, now: Instant, a_to_b: Link, b_to_a: Link, seed: u64) -> Self {
        Self {
            a,
            b,
            start: now,
            now,
            a_to_b,
            b_to_a,
            tamper_a_to_b: None,
            rng: ChaCha20Rng::seed_from_u64(seed ^ 0x5eed),
            queue: BinaryHeap::new(),
            seq: 0,
            a_timeout: None,
            b_timeout: None,
            packets: 0,
        }
    }

    fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && (self.rng.next_u64() as f64 / u64::MAX as f64) < p
    }

    fn schedule(&mut self, to_b: bool, packet: Vec<u8>) {
        let link = if to_b { self.a_to_b } else { self.b_to_a };
        self.packets += 1;
        if self.chance(link.loss) {
            return;
        }
        let copies = if self.chance(link.duplicate) { 2 } else { 1 };
        for _ in 0..copies {
            let mut at = self.now + link.delay;
            if self.chance(link.reorder) {
                at += link.reorder_delay;
            }
            self.seq += 1;
            self.queue
                .push(Reverse((at, self.seq, to_b, packet.clone())));
        }
    }

    /// Drains both peers into the network.
    pub fn pump(&mut self) {
        let mut out = Vec::new();
        self.a_timeout = self.a.drain(self.now, &mut out);
        for mut p in out.drain(..) {
            if let Some(t) = self.tamper_a_to_b {
                t(&mut p);
            }
            self.schedule(true, p);
        }
        self.b_timeout = self.b.drain(self.now, &mut out);
        for p in out.drain(..) {
            self.schedule(false, p);
        }
    }

    /// Advances to the next event. Returns false when nothing is left.
    pub fn step(&mut self) -> bool {
        self.pump();
        let next_packet = self.queue.peek().map(|Reverse((at, ..))| *at);
        let next = [next_packet, self.a_timeout, self.b_timeout]
            .into_iter()
            .flatten()
            .min();
        let Some(next) = next else { return false };
        self.now = self.now.max(next);
        // One packet at a time, each followed by a drain (the contract).
        while let Some(Reverse((at, ..))) = self.queue.peek() {
            if *at > self.now {
                break;
            }
            let Some(Reverse((_, _, to_b, p))) = self.queue.pop() else {
                break;
            };
            if to_b {
                self.b.handle_receive(self.now, &p);
            } else {
                self.a.handle_receive(self.now, &p);
            }
            self.pump();
        }
        if self.a_timeout.is_some_and(|t| t <= self.now) {
            self.a.handle_timeout(self.now);
        }
        if self.b_timeout.is_some_and(|t| t <= self.now) {
            self.b.handle_timeout(self.now);
        }
        true
    }

    /// Runs until `done` holds or `limit` of simulated time passed.
    pub fn run_until(
        &mut self,
        limit: Duration,
        mut done: impl FnMut(Instant, &mut A, &mut B) -> bool,
    ) -> bool {
        let end = self.now + limit;
        loop {
            self.pump();
            if done(self.now, &mut self.a, &mut self.b) {
                return true;
            }
            if self.now > end || !self.step() {
                return done(self.now, &mut self.a, &mut self.b);
            }
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }
}

/// A deterministic payload for message `i` of `len` bytes.
pub fn payload(i: usize, len: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(len);
    let mut x = (i as u32).wrapping_mul(2_654_435_761) | 1;
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    if len >= 4 {
        v[..4].copy_from_slice(&(i as u32).to_be_bytes());
    }
    v
}

/// Sends `count` messages of `len` from A to B on `stream`, respecting a
/// send-buffer limit, and runs until all arrive. Returns the simulated time.
pub fn transfer<A: Peer, B: Peer>(
    sim: &mut Sim<A, B>,
    count: usize,
    len: usize,
    stream: u16,
    opts: SendOptions,
    limit: Duration,
) -> Option<Duration> {
    let start = sim.now;
    let mut sent = 0;
    let base = sim.b.received().len();
    let ok = sim.run_until(limit, |now, a, b| {
        while sent < count && a.send(now, stream, 53, &payload(sent, len), opts) {
            sent += 1;
        }
        b.received().len() >= base + count
    });
    ok.then(|| sim.now - start)
}
