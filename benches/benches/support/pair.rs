//! What the SCTP and data-channel benches share: a pair of ends in one
//! thread over a lossless in-memory link on a simulated clock, and our SCTP
//! association as one such end.
#![allow(dead_code)]

use std::time::Instant;

use bytes::Bytes;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sansrtc_proto::Output;
use sansrtc_sctp::{Association, SctpConfig, SctpEvent, SendOptions};

/// Message bytes moved per iteration.
pub const BATCH_BYTES: usize = 1 << 20;
/// Bytes an application keeps queued at most (both implementations).
pub const QUEUE_BOUND: usize = 1 << 20;
/// sctp-proto's packet size (its INITIAL_MTU), used for ours too.
pub const MTU: usize = 1228;
pub const STREAM: u16 = 1;
pub const PPID: u32 = 53;

/// What one step of an end's output gave.
pub enum Next<P> {
    /// A packet for the other end.
    Packet(P),
    /// This many messages were read (possibly 0: keep polling).
    Read(usize),
    /// Drained: nothing more until an input or this timer.
    Idle(Option<Instant>),
}

/// One end of a pair, whichever implementation.
pub trait End {
    type Packet;
    fn receive(&mut self, now: Instant, packet: Self::Packet);
    fn timeout(&mut self, now: Instant);
    /// The next output: one packet, messages read, or drained.
    fn next(&mut self, now: Instant) -> Next<Self::Packet>;
    /// Queues one message if the queue is under [`QUEUE_BOUND`].
    fn offer(&mut self, now: Instant, message: &Bytes) -> bool;

    /// Drains every output into `out`; returns the timer and messages read.
    fn drain(&mut self, now: Instant, out: &mut Vec<Self::Packet>) -> (Option<Instant>, usize) {
        let mut read = 0;
        loop {
            match self.next(now) {
                Next::Packet(p) => out.push(p),
                Next::Read(n) => read += n,
                Next::Idle(t) => return (t, read),
            }
        }
    }
}

pub struct Pair<E: End> {
    pub a: E,
    pub b: E,
    pub now: Instant,
}

/// How packets move between the two ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Each end is drained completely (`poll_output` until it times out),
    /// then its packets are handed to the other end one by one, each
    /// followed by a drain of the receiver: the usual Sans-IO event loop.
    /// A whole congestion window is in flight at once, as on a path with a
    /// real round-trip time.
    Batch,
    /// Both ends are polled in turn, one output at a time, and each packet
    /// goes to the other end as soon as it is produced: a link with no
    /// delay, where acknowledgements come back at once and little is ever
    /// in flight.
    PingPong,
}

impl<E: End> Pair<E> {
    /// Runs until `done` says so, in the given shape. `feed` is called on A
    /// whenever both ends are drained.
    pub fn run(
        &mut self,
        shape: Shape,
        feed: impl FnMut(&mut E, Instant),
        done: impl FnMut(usize) -> bool,
    ) {
        match shape {
            Shape::Batch => self.run_batch(feed, done),
            Shape::PingPong => self.run_ping_pong(feed, done),
        }
    }

    fn run_batch(
        &mut self,
        mut feed: impl FnMut(&mut E, Instant),
        mut done: impl FnMut(usize) -> bool,
    ) {
        let mut to_b = Vec::new();
        let mut to_a = Vec::new();
        let mut read = 0;
        let mut rounds_idle = 0;
        loop {
            feed(&mut self.a, self.now);
            let (ta, ra) = self.a.drain(self.now, &mut to_b);
            let (tb, rb) = self.b.drain(self.now, &mut to_a);
            read += ra + rb;
            if done(read) {
                return;
            }
            let moved = !to_b.is_empty() || !to_a.is_empty();
            for p in to_b.drain(..) {
                self.b.receive(self.now, p);
                let (_, r) = self.b.drain(self.now, &mut to_a);
                read += r;
            }
            for p in to_a.drain(..) {
                self.a.receive(self.now, p);
                let (_, r) = self.a.drain(self.now, &mut to_b);
                read += r;
            }
            if moved {
                rounds_idle = 0;
                continue;
            }
            rounds_idle += 1;
            assert!(rounds_idle < 1000, "the pair stalled");
            self.advance_to_next_timer(ta, tb);
        }
    }

    /// Goes to the earlier of the two timers and fires both ends' timers.
    fn advance_to_next_timer(&mut self, ta: Option<Instant>, tb: Option<Instant>) {
        let next = [ta, tb].into_iter().flatten().min();
        let next = next.expect("stalled with no timer");
        self.now = self.now.max(next);
        self.a.timeout(self.now);
        self.b.timeout(self.now);
    }

    fn run_ping_pong(
        &mut self,
        mut feed: impl FnMut(&mut E, Instant),
        mut done: impl FnMut(usize) -> bool,
    ) {
        let mut read = 0;
        let mut rounds_idle = 0;
        loop {
            feed(&mut self.a, self.now);
            let mut moved = false;
            let (ta, tb) = loop {
                let mut turn = Turn::default();
                let ta = turn.take(&mut self.a, &mut self.b, self.now);
                let tb = turn.take(&mut self.b, &mut self.a, self.now);
                read += turn.read;
                moved |= turn.moved;
                if done(read) {
                    return;
                }
                if !turn.busy {
                    break (ta, tb);
                }
            };
            if moved {
                rounds_idle = 0;
                continue;
            }
            rounds_idle += 1;
            assert!(rounds_idle < 1000, "the pair stalled");
            self.advance_to_next_timer(ta, tb);
        }
    }

    /// Moves `count` messages of `message` from A to B.
    pub fn transfer(&mut self, shape: Shape, message: &Bytes, count: usize) {
        let mut sent = 0;
        self.run(
            shape,
            |a, now| {
                while sent < count && a.offer(now, message) {
                    sent += 1;
                }
            },
            |read| read >= count,
        );
    }
}

/// What one round of ping-pong did, both ends having had one output.
#[derive(Default)]
struct Turn {
    read: usize,
    /// A packet went across.
    moved: bool,
    /// Either end had something (a packet or messages read).
    busy: bool,
}

impl Turn {
    /// One output of `from`: its packet goes to `to` at once. Returns
    /// `from`'s timer if it was drained.
    fn take<E: End>(&mut self, from: &mut E, to: &mut E, now: Instant) -> Option<Instant> {
        match from.next(now) {
            Next::Packet(p) => {
                to.receive(now, p);
                self.moved = true;
                self.busy = true;
                None
            }
            Next::Read(n) => {
                self.read += n;
                self.busy = true;
                None
            }
            Next::Idle(t) => t,
        }
    }
}

/// One round of the handshake: A's packets to B, B's answers to A.
pub fn exchange<E: End>(pair: &mut Pair<E>) {
    let (mut to_b, mut to_a) = (Vec::new(), Vec::new());
    pair.a.drain(pair.now, &mut to_b);
    for p in to_b.drain(..) {
        pair.b.receive(pair.now, p);
    }
    pair.b.drain(pair.now, &mut to_a);
    for p in to_a.drain(..) {
        pair.a.receive(pair.now, p);
    }
}

/// Our association.
pub struct Ours {
    pub assoc: Association,
}

impl End for Ours {
    type Packet = Vec<u8>;
    /// The packet is handed over (as sctp-proto is given its `Bytes`):
    /// large payloads stay slices of it.
    fn receive(&mut self, now: Instant, packet: Vec<u8>) {
        self.assoc.handle_receive_owned(now, packet);
    }
    fn timeout(&mut self, now: Instant) {
        self.assoc.handle_timeout(now);
    }
    fn next(&mut self, _now: Instant) -> Next<Vec<u8>> {
        loop {
            match self.assoc.poll_output() {
                Output::Transmit(p) => return Next::Packet(p),
                Output::Event(SctpEvent::Readable) => {
                    let mut read = 0;
                    while let Some(m) = self.assoc.read() {
                        std::hint::black_box(&m.data);
                        read += 1;
                    }
                    return Next::Read(read);
                }
                Output::Event(_) => {}
                Output::Timeout(t) => return Next::Idle(t),
            }
        }
    }
    fn offer(&mut self, now: Instant, message: &Bytes) -> bool {
        self.assoc.total_buffered_amount() < QUEUE_BOUND
            && self
                .assoc
                .send(now, STREAM, PPID, message.clone(), SendOptions::default())
                .is_ok()
    }
}

pub fn our_pair(max_message: usize) -> Pair<Ours> {
    our_pair_with(max_message, false)
}

/// Our pair, with RFC 9653 zero checksums negotiated if `zero_checksum`
/// (what two of our ends do over DTLS): no CRC-32c computed at all.
pub fn our_pair_with(max_message: usize, zero_checksum: bool) -> Pair<Ours> {
    let now = Instant::now(); // sansio-allow: bench anchor of the simulated clock
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let config = SctpConfig {
        mtu: MTU,
        max_message_size: max_message,
        send_buffer: 4 * QUEUE_BOUND,
        zero_checksum,
        ..SctpConfig::default()
    };
    let mut a = Association::new(config.clone(), &mut rng, now);
    let mut b = Association::new(config, &mut rng, now);
    a.connect(now).unwrap();
    b.connect(now).unwrap();
    let mut pair = Pair {
        a: Ours { assoc: a },
        b: Ours { assoc: b },
        now,
    };
    for _ in 0..20 {
        exchange(&mut pair);
    }
    assert!(
        pair.a.assoc.is_established() && pair.b.assoc.is_established(),
        "our pair did not connect"
    );
    pair
}
