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

/// One end of a pair, whichever implementation.
pub trait End {
    type Packet;
    fn receive(&mut self, now: Instant, packet: Self::Packet);
    fn timeout(&mut self, now: Instant);
    /// Moves packets to `out`; returns the next timer and the number of
    /// messages read.
    fn drain(&mut self, now: Instant, out: &mut Vec<Self::Packet>) -> (Option<Instant>, usize);
    /// Queues one message if the queue is under [`QUEUE_BOUND`].
    fn offer(&mut self, now: Instant, message: &Bytes) -> bool;
}

pub struct Pair<E: End> {
    pub a: E,
    pub b: E,
    pub now: Instant,
}

impl<E: End> Pair<E> {
    /// Runs until `done` says so, moving packets both ways. `feed` is
    /// called on A before each round.
    pub fn run(
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
            // Nothing moved: go to the next timer.
            let next = [ta, tb].into_iter().flatten().min();
            let next = next.expect("stalled with no timer");
            self.now = self.now.max(next);
            self.a.timeout(self.now);
            self.b.timeout(self.now);
        }
    }

    /// Moves `count` messages of `message` from A to B.
    pub fn transfer(&mut self, message: &Bytes, count: usize) {
        let mut sent = 0;
        self.run(
            |a, now| {
                while sent < count && a.offer(now, message) {
                    sent += 1;
                }
            },
            |read| read >= count,
        );
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
    fn receive(&mut self, now: Instant, packet: Vec<u8>) {
        self.assoc.handle_receive(now, &packet);
    }
    fn timeout(&mut self, now: Instant) {
        self.assoc.handle_timeout(now);
    }
    fn drain(&mut self, _now: Instant, out: &mut Vec<Vec<u8>>) -> (Option<Instant>, usize) {
        let mut read = 0;
        loop {
            match self.assoc.poll_output() {
                Output::Transmit(p) => out.push(p),
                Output::Event(SctpEvent::Readable) => {
                    while let Some(m) = self.assoc.read() {
                        std::hint::black_box(&m.data);
                        read += 1;
                    }
                }
                Output::Event(_) => {}
                Output::Timeout(t) => return (t, read),
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
    let now = Instant::now(); // sansio-allow: bench anchor of the simulated clock
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let config = SctpConfig {
        mtu: MTU,
        max_message_size: max_message,
        send_buffer: 4 * QUEUE_BOUND,
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
