//! Connections on a lossless in-memory network, as many as a test needs,
//! each on one or more addresses; datagrams are routed by destination.

use std::net::SocketAddr;
use std::ops::Range;
use std::time::{Duration, Instant, SystemTime};

use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc::*;

/// Drains `pc`'s outputs: transmits to `wire`, events to `events`;
/// returns when it next wants a timeout.
pub fn drain(
    pc: &mut RtcPeerConnection,
    events: &mut Vec<PeerEvent>,
    wire: &mut Vec<Transmit>,
) -> Option<Instant> {
    loop {
        match pc.poll_output() {
            Output::Transmit(t) => wire.push(t),
            Output::Event(e) => events.push(e),
            Output::Timeout(at) => return at,
        }
    }
}

/// One connection and what it emitted.
pub struct Peer {
    /// Its addresses (datagrams to any of them reach it).
    pub addresses: Vec<SocketAddr>,
    pub pc: RtcPeerConnection,
    pub events: Vec<PeerEvent>,
}

/// Connections on a lossless in-memory network, datagrams routed by
/// destination address.
pub struct Net {
    pub peers: Vec<Peer>,
    pub now: Instant,
    /// Every datagram carried.
    pub carried: Vec<Transmit>,
}

pub fn config(policy: BundlePolicy) -> RtcConfiguration {
    RtcConfiguration {
        bundle_policy: policy,
        ..RtcConfiguration::default()
    }
}

pub fn connection(seed: u64, address: &str, config: RtcConfiguration, now: Instant) -> Peer {
    let mut pc = RtcPeerConnection::new(
        config,
        ChaCha20Rng::seed_from_u64(seed),
        now,
        SystemTime::now(),
    )
    .unwrap();
    let address: SocketAddr = address.parse().unwrap();
    pc.add_local_address(now, address).unwrap();
    Peer {
        addresses: vec![address],
        pc,
        events: Vec::new(),
    }
}

impl Net {
    pub fn new(peers: Vec<Peer>, now: Instant) -> Net {
        Net {
            peers,
            now,
            carried: Vec::new(),
        }
    }

    pub fn step(&mut self) -> bool {
        let mut wire = Vec::new();
        let mut next: Option<Instant> = None;
        for p in &mut self.peers {
            let at = drain(&mut p.pc, &mut p.events, &mut wire);
            next = [next, at].into_iter().flatten().min();
        }
        if wire.is_empty() {
            let Some(at) = next else { return false };
            self.now = self.now.max(at);
            for p in &mut self.peers {
                p.pc.handle_timeout(self.now);
            }
            return true;
        }
        for t in wire {
            let rx = t.as_received();
            if let Some(p) = self
                .peers
                .iter_mut()
                .find(|p| p.addresses.contains(&t.destination))
            {
                p.pc.handle_receive(self.now, rx);
            }
            self.carried.push(t);
        }
        true
    }

    /// Peer `peer` writes an audio frame on `sender` every 20 ms, one per
    /// index, each carrying its index.
    pub fn send_audio(&mut self, peer: usize, sender: TransceiverId, frames: Range<u32>) {
        for i in frames {
            let now = self.now;
            self.peers[peer]
                .pc
                .write_frame(now, sender, i * 960, &[0xf8, 0xff, 0xfe, i as u8])
                .unwrap();
            let until = self.now + Duration::from_millis(20);
            self.run_until(Duration::from_millis(20), |n| n.now >= until);
        }
    }

    pub fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&Net) -> bool) -> bool {
        let deadline = self.now + limit;
        let mut steps = 0;
        while self.now < deadline && steps < 200_000 {
            if done(self) {
                return true;
            }
            if !self.step() {
                break;
            }
            steps += 1;
        }
        done(self)
    }
}
