//! A two-peer harness: two connections on a lossless in-memory network,
//! with signaling done by the test.

#![allow(dead_code)]

use std::time::{Duration, Instant, SystemTime};

pub mod hostile;
pub mod net;

use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc::*;

/// Two connections and what they emitted. With the `snapshot` feature it
/// is `Clone` (tests/snapshot_clone.rs, the `connected_pair` fuzz target).
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub struct Pair {
    pub a: RtcPeerConnection,
    pub b: RtcPeerConnection,
    pub now: Instant,
    pub events_a: Vec<PeerEvent>,
    pub events_b: Vec<PeerEvent>,
    /// Datagrams carried, a→b and b→a.
    pub carried: Vec<Transmit>,
    /// Drop every datagram for which this returns true.
    pub drop: Option<fn(&Transmit) -> bool>,
    /// Datagrams are handed over by value (`handle_receive_owned`).
    pub owned: bool,
}

pub const ADDR_A: &str = "127.0.0.1:5001";
pub const ADDR_B: &str = "127.0.0.1:5002";

pub fn peer(seed: u64, addr: &str, config: RtcConfiguration, now: Instant) -> RtcPeerConnection {
    let mut pc = RtcPeerConnection::new(
        config,
        ChaCha20Rng::seed_from_u64(seed),
        now,
        SystemTime::now(),
    )
    .expect("construct");
    pc.add_local_address(now, addr.parse().unwrap())
        .expect("address");
    pc
}

impl Pair {
    pub fn new() -> Pair {
        Self::with_configs(RtcConfiguration::default(), RtcConfiguration::default())
    }

    pub fn with_configs(ca: RtcConfiguration, cb: RtcConfiguration) -> Pair {
        let now = Instant::now();
        Pair {
            a: peer(1, ADDR_A, ca, now),
            b: peer(2, ADDR_B, cb, now),
            now,
            events_a: Vec::new(),
            events_b: Vec::new(),
            carried: Vec::new(),
            drop: None,
            owned: false,
        }
    }

    /// A pair with a channel `label` created by a, negotiated, open on a,
    /// and both connections connected.
    pub fn connected(label: &str) -> (Pair, ChannelId) {
        Self::connected_with_configs(
            RtcConfiguration::default(),
            RtcConfiguration::default(),
            label,
        )
    }

    /// [`Pair::connected`] with the given configurations.
    pub fn connected_with_configs(
        ca: RtcConfiguration,
        cb: RtcConfiguration,
        label: &str,
    ) -> (Pair, ChannelId) {
        let mut p = Pair::with_configs(ca, cb);
        let now = p.now;
        let channel =
            p.a.create_data_channel(now, DataChannelInit::new(label))
                .unwrap();
        p.negotiate();
        assert!(p.run_until(Duration::from_secs(10), |p| {
            Pair::opened(&p.events_a).contains(&channel)
                && p.a.connection_state() == PeerConnectionState::Connected
                && p.b.connection_state() == PeerConnectionState::Connected
        }));
        (p, channel)
    }

    /// a offers (non-trickle: its description once gathered) and b
    /// applies the offer.
    pub fn offer_to_b(&mut self) {
        let now = self.now;
        let offer = self.a.create_offer(now).unwrap();
        self.a.set_local_description(now, offer).unwrap();
        self.b
            .set_remote_description(now, self.a.local_description().unwrap())
            .unwrap();
    }

    /// b answers the offer it applied; the answer is returned, not yet
    /// applied by a.
    pub fn answer_from_b(&mut self) -> RtcSessionDescription {
        let now = self.now;
        let answer = self.b.create_answer().unwrap();
        self.b.set_local_description(now, answer).unwrap();
        self.b.local_description().unwrap()
    }

    /// Offer from a, answer from b, non-trickle.
    pub fn negotiate(&mut self) {
        self.offer_to_b();
        let answer = self.answer_from_b();
        let now = self.now;
        self.a.set_remote_description(now, answer).unwrap();
    }

    /// Drains both sides and delivers their datagrams; advances time to the
    /// next timeout when nothing moved. Returns false when nothing is left.
    pub fn step(&mut self) -> bool {
        self.step_capped(None)
    }

    /// Runs for exactly `d` of simulated time: like [`Pair::run_until`]
    /// with nothing to wait for, but time never jumps past the end (the
    /// next timeout may be later), so a caller can pace its sends.
    pub fn run_for(&mut self, d: Duration) {
        let deadline = self.now + d;
        let mut steps = 0;
        while self.now < deadline && steps < 200_000 {
            if !self.step_capped(Some(deadline)) {
                self.now = deadline;
            }
            steps += 1;
        }
    }

    /// [`Pair::step`], with time advancing at most to `cap`.
    fn step_capped(&mut self, cap: Option<Instant>) -> bool {
        let mut wire = Vec::new();
        let mut next: Option<Instant> = None;
        for (pc, events) in [
            (&mut self.a, &mut self.events_a),
            (&mut self.b, &mut self.events_b),
        ] {
            let at = net::drain(pc, events, &mut wire);
            next = [next, at].into_iter().flatten().min();
        }
        if wire.is_empty() {
            match next {
                Some(at) => {
                    let at = cap.map_or(at, |c| at.min(c));
                    self.now = self.now.max(at);
                    self.a.handle_timeout(self.now);
                    self.b.handle_timeout(self.now);
                    return true;
                }
                None => return false,
            }
        }
        for t in wire {
            if self.drop.is_some_and(|d| d(&t)) {
                continue;
            }
            let to = if t.destination == ADDR_A.parse().unwrap() {
                Some(&mut self.a)
            } else if t.destination == ADDR_B.parse().unwrap() {
                Some(&mut self.b)
            } else {
                None
            };
            if let Some(pc) = to {
                if self.owned {
                    pc.handle_receive_owned(self.now, t.clone().into_received());
                } else {
                    pc.handle_receive(self.now, t.as_received());
                }
            }
            self.carried.push(t);
        }
        true
    }

    /// Steps until `done` holds, for at most `limit` of simulated time.
    pub fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&Pair) -> bool) -> bool {
        let deadline = self.now + limit;
        let mut steps = 0;
        while self.now < deadline && steps < 200_000 {
            if done(self) {
                return true;
            }
            if !self.step() {
                return done(self);
            }
            steps += 1;
        }
        done(self)
    }

    pub fn opened(events: &[PeerEvent]) -> Vec<ChannelId> {
        events
            .iter()
            .filter_map(|e| match e {
                PeerEvent::DataChannel(DataChannelEvent::Open(c)) => Some(*c),
                _ => None,
            })
            .collect()
    }

    /// The text messages received, in order.
    pub fn texts(events: &[PeerEvent]) -> Vec<String> {
        Self::messages(events)
            .into_iter()
            .filter_map(|(_, m)| match m {
                DataChannelMessage::Text(t) => Some(t),
                _ => None,
            })
            .collect()
    }

    pub fn messages(events: &[PeerEvent]) -> Vec<(ChannelId, DataChannelMessage)> {
        events
            .iter()
            .filter_map(|e| match e {
                PeerEvent::DataChannel(DataChannelEvent::Message { channel, message }) => {
                    Some((*channel, message.clone()))
                }
                _ => None,
            })
            .collect()
    }
}
