//! A seeded, lossy, reordering link between two `SctpTransport`s, driven by
//! a simulated clock (no wall-clock reads, so runs are deterministic).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use sansrtc_datachannel::*;
use sansrtc_proto::Output;
use sansrtc_sctp::SctpConfig;

pub struct Link {
    pub loss: f64,
    pub delay: Duration,
    pub jitter: Duration,
}

impl Link {
    pub fn lossless() -> Self {
        Link {
            loss: 0.0,
            delay: Duration::from_millis(5),
            jitter: Duration::ZERO,
        }
    }
    pub fn lossy(loss: f64) -> Self {
        Link {
            loss,
            delay: Duration::from_millis(20),
            jitter: Duration::from_millis(10),
        }
    }
}

pub struct Pair {
    pub now: Instant,
    pub a: SctpTransport,
    pub b: SctpTransport,
    pub a_events: Vec<DataChannelEvent>,
    pub b_events: Vec<DataChannelEvent>,
    a_timeout: Option<Instant>,
    b_timeout: Option<Instant>,
    /// In flight: (arrival, sequence) → (to_b, packet).
    flight: BTreeMap<(Instant, u64), (bool, Vec<u8>)>,
    seq: u64,
    rng: ChaCha20Rng,
    link: Link,
    pub packets_sent: u64,
}

impl Pair {
    pub fn new(seed: u64, link: Link, config: DataChannelConfig) -> Self {
        let now = Instant::now(); // test-side anchor; the machines never read the clock
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let sctp = SctpConfig {
            max_message_size: config.max_message_size,
            ..SctpConfig::default()
        };
        let mut a = SctpTransport::new(config.clone(), sctp.clone(), &mut rng, now);
        let mut b = SctpTransport::new(config, sctp, &mut rng, now);
        a.set_dtls_role(DtlsRole::Client);
        b.set_dtls_role(DtlsRole::Server);
        a.connect(now).unwrap();
        b.connect(now).unwrap();
        let mut p = Pair {
            now,
            a,
            b,
            a_events: vec![],
            b_events: vec![],
            a_timeout: None,
            b_timeout: None,
            flight: BTreeMap::new(),
            seq: 0,
            rng,
            link,
            packets_sent: 0,
        };
        p.drain();
        p
    }

    fn chance(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn send(&mut self, to_b: bool, packet: Vec<u8>) {
        self.packets_sent += 1;
        if self.chance() < self.link.loss {
            return;
        }
        let jitter = self.link.jitter.mul_f64(self.chance());
        let at = self.now + self.link.delay + jitter;
        self.seq += 1;
        self.flight.insert((at, self.seq), (to_b, packet));
    }

    /// Drains both machines' outputs.
    pub fn drain(&mut self) {
        loop {
            match self.a.poll_output() {
                Output::Transmit(p) => self.send(true, p),
                Output::Event(e) => self.a_events.push(e),
                Output::Timeout(t) => {
                    self.a_timeout = t;
                    break;
                }
            }
        }
        loop {
            match self.b.poll_output() {
                Output::Transmit(p) => self.send(false, p),
                Output::Event(e) => self.b_events.push(e),
                Output::Timeout(t) => {
                    self.b_timeout = t;
                    break;
                }
            }
        }
    }

    /// Advances to the next event (a delivery or a timeout). False when
    /// nothing is scheduled.
    pub fn step(&mut self) -> bool {
        let next_flight = self.flight.keys().next().map(|k| k.0);
        let next = [next_flight, self.a_timeout, self.b_timeout]
            .into_iter()
            .flatten()
            .min();
        let Some(at) = next else { return false };
        self.now = self.now.max(at);
        if next_flight == Some(at) {
            let (key, (to_b, packet)) = self.flight.pop_first().unwrap();
            let _ = key;
            // B is handed its packets, A lent them: both entry points.
            if to_b {
                self.b.handle_receive_owned(self.now, packet)
            } else {
                self.a.handle_receive(self.now, &packet)
            }
        } else if self.a_timeout == Some(at) {
            self.a_timeout = None;
            self.a.handle_timeout(self.now);
        } else {
            self.b_timeout = None;
            self.b.handle_timeout(self.now);
        }
        self.drain();
        true
    }

    /// Runs until `done` holds or `limit` of simulated time passes.
    pub fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&Pair) -> bool) -> bool {
        let end = self.now + limit;
        while !done(self) {
            if self.now > end || !self.step() {
                return done(self);
            }
        }
        true
    }

    pub fn messages(
        events: &[DataChannelEvent],
        channel: Option<ChannelId>,
    ) -> Vec<DataChannelMessage> {
        events
            .iter()
            .filter_map(|e| match e {
                DataChannelEvent::Message {
                    channel: c,
                    message,
                } if channel.map_or(true, |x| x == *c) => Some(message.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn announced(events: &[DataChannelEvent]) -> Vec<ChannelId> {
        events
            .iter()
            .filter_map(|e| match e {
                DataChannelEvent::DataChannel(c) => Some(*c),
                _ => None,
            })
            .collect()
    }
}
