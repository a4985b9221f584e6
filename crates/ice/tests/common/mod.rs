//! An in-memory driver for two agents: instant (or delayed) delivery, a
//! filter to drop datagrams, and trickle signalling between them.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc_ice::{Agent, AgentConfig, IceConnectionState, IceEvent, Received};
use sansrtc_proto::{Output, Transmit};

pub fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// Decides whether a datagram (from a?, transmit) is delivered.
pub type Filter = Box<dyn FnMut(bool, &Transmit) -> bool>;

pub struct Pair {
    pub a: Agent,
    pub b: Agent,
    pub now: Instant,
    pub start: Instant,
    pub events_a: Vec<IceEvent>,
    pub events_b: Vec<IceEvent>,
    pub data_a: Vec<Vec<u8>>,
    pub data_b: Vec<Vec<u8>>,
    /// Every transmit, in order: (from a?, transmit).
    pub wire: Vec<(bool, Transmit)>,
    /// Return false to drop a datagram (from a?, transmit).
    pub filter: Filter,
    pub trickle: bool,
    /// Timeouts fired in a row without the clock moving (an agent whose
    /// timer stays due would spin its driver).
    pub stalled: u32,
}

impl Pair {
    pub fn new(config_a: AgentConfig, config_b: AgentConfig, seed: u64) -> Pair {
        let start = Instant::now();
        let a = Agent::new(config_a, ChaCha20Rng::seed_from_u64(seed)).unwrap();
        let b = Agent::new(config_b, ChaCha20Rng::seed_from_u64(seed + 1000)).unwrap();
        Pair {
            a,
            b,
            now: start,
            start,
            events_a: Vec::new(),
            events_b: Vec::new(),
            data_a: Vec::new(),
            data_b: Vec::new(),
            wire: Vec::new(),
            filter: Box::new(|_, _| true),
            trickle: true,
            stalled: 0,
        }
    }

    /// Standard LAN setup: one address each, credentials exchanged, gathering.
    pub fn lan(config_a: AgentConfig, config_b: AgentConfig, seed: u64) -> Pair {
        let mut p = Pair::new(config_a, config_b, seed);
        let now = p.now;
        p.a.add_local_address(now, addr("10.0.0.1:5000")).unwrap();
        p.b.add_local_address(now, addr("10.0.0.2:6000")).unwrap();
        p.exchange_credentials();
        p.a.gather(now);
        p.b.gather(now);
        p
    }

    pub fn exchange_credentials(&mut self) {
        let (ca, cb) = (
            self.a.local_credentials().clone(),
            self.b.local_credentials().clone(),
        );
        let now = self.now;
        self.a
            .set_remote_credentials(now, &cb.ufrag, &cb.pwd)
            .unwrap();
        self.b
            .set_remote_credentials(now, &ca.ufrag, &ca.pwd)
            .unwrap();
    }

    fn drain(&mut self, from_a: bool) -> (Vec<Transmit>, Option<Instant>) {
        let now = self.now;
        let mut out = Vec::new();
        loop {
            let o = if from_a {
                self.a.poll_output()
            } else {
                self.b.poll_output()
            };
            match o {
                Output::Transmit(t) => out.push(t),
                Output::Event(e) => {
                    if self.trickle {
                        let other = if from_a { &mut self.b } else { &mut self.a };
                        match &e {
                            IceEvent::LocalCandidate(c) => {
                                let _ = other.add_remote_candidate(now, c);
                            }
                            IceEvent::GatheringState(sansrtc_ice::IceGatheringState::Complete) => {
                                other.end_of_remote_candidates(now)
                            }
                            _ => {}
                        }
                    }
                    if from_a {
                        self.events_a.push(e)
                    } else {
                        self.events_b.push(e)
                    }
                }
                Output::Timeout(t) => return (out, t),
            }
        }
    }

    /// One round: deliver until quiet, then advance time to the next timeout.
    pub fn step(&mut self) {
        self.settle();
        self.advance();
    }

    /// Drains both agents and delivers until nothing more is sent.
    pub fn settle(&mut self) {
        let mut progressed = true;
        let mut timeouts = Vec::new();
        while progressed {
            progressed = false;
            for from_a in [true, false] {
                let (out, t) = self.drain(from_a);
                timeouts.push(t);
                for t in out {
                    progressed = true;
                    self.wire.push((from_a, t.clone()));
                    if !(self.filter)(from_a, &t) {
                        continue;
                    }
                    let rx = t.as_received();
                    let now = self.now;
                    let to = if from_a { &mut self.b } else { &mut self.a };
                    if let Received::Data { data, .. } = to.handle_receive(now, rx) {
                        let data = data.to_vec();
                        if from_a {
                            self.data_b.push(data)
                        } else {
                            self.data_a.push(data)
                        }
                    }
                }
            }
            if progressed {
                timeouts.clear();
            }
        }
    }

    /// Moves time to the earlier next timeout and fires it.
    pub fn advance(&mut self) {
        let (_, ta) = self.drain(true);
        let (_, tb) = self.drain(false);
        let next = [ta, tb].into_iter().flatten().min();
        let next = next
            .unwrap_or(self.now + Duration::from_secs(1))
            .max(self.now);
        self.stalled = if next == self.now {
            self.stalled + 1
        } else {
            0
        };
        assert!(
            self.stalled < 10_000,
            "a timer stays due at {:?}: a {:?}, b {:?}",
            self.now - self.start,
            ta.map(|t| t.saturating_duration_since(self.start)),
            tb.map(|t| t.saturating_duration_since(self.start)),
        );
        self.now = next;
        let now = self.now;
        self.a.handle_timeout(now);
        self.b.handle_timeout(now);
    }

    pub fn run_until(&mut self, limit: Duration, mut goal: impl FnMut(&Pair) -> bool) -> bool {
        loop {
            self.settle();
            if goal(self) {
                return true;
            }
            if self.now >= self.start + limit {
                return false;
            }
            self.advance();
        }
    }

    pub fn connected(&self) -> bool {
        let ok = |s| {
            matches!(
                s,
                IceConnectionState::Connected | IceConnectionState::Completed
            )
        };
        ok(self.a.connection_state()) && ok(self.b.connection_state())
    }

    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    pub fn states(events: &[IceEvent]) -> Vec<IceConnectionState> {
        events
            .iter()
            .filter_map(|e| match e {
                IceEvent::ConnectionState(s) => Some(*s),
                _ => None,
            })
            .collect()
    }
}
