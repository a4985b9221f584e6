//! The client in TCP mode against netsim's TURN server through a stream
//! shim: the server's datagrams become one byte stream (ChannelData padded
//! to 4 bytes, as RFC 8656 §12.5 requires on streams) handed to the client
//! in seeded random chunks. Two simulated hours of relaying with the
//! refreshes, no retransmissions, deterministic.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sansrtc_netsim::{Node, TurnConfig, TurnServer};
use sansrtc_proto::{Output, Protocol, Receive};
use sansrtc_stun::ChannelData;
use sansrtc_turn::{BindingState, TurnClient, TurnClientConfig, TurnEvent, TurnState};

const SERVER: &str = "192.0.2.100:3478";
const LOCAL: &str = "10.0.0.2:40000";
const PEER: &str = "198.51.100.7:7000";

struct Shim {
    client: TurnClient,
    server: TurnServer,
    rng: ChaCha20Rng,
    /// Bytes of the server→client stream not yet delivered.
    stream: Vec<u8>,
    events: Vec<TurnEvent>,
    to_peers: Relayed,
    stream_chunks: u64,
}

impl Shim {
    fn new(seed: u64) -> Self {
        let server: SocketAddr = SERVER.parse().unwrap();
        let relay = "192.0.2.101".parse().unwrap();
        let config = TurnClientConfig::new(
            server,
            Protocol::Tcp,
            LOCAL.parse().unwrap(),
            "user",
            "secret",
            "turn:192.0.2.100:3478?transport=tcp",
        );
        Shim {
            client: TurnClient::new(config, ChaCha20Rng::seed_from_u64(seed)),
            server: TurnServer::new(
                TurnConfig::new(server, relay, "user", "secret"),
                ChaCha20Rng::seed_from_u64(seed + 1),
            ),
            rng: ChaCha20Rng::seed_from_u64(seed + 2),
            stream: Vec::new(),
            events: Vec::new(),
            to_peers: Vec::new(),
            stream_chunks: 0,
        }
    }

    /// Moves everything until both sides are idle; returns the earliest
    /// timeout of the two.
    fn settle(&mut self, now: Instant) -> Option<Instant> {
        loop {
            let mut moved = false;
            let client_next = loop {
                match self.client.poll_output() {
                    Output::Transmit(t) => {
                        moved = true;
                        assert_eq!(t.protocol, Protocol::Tcp);
                        // Each transmit is one whole frame of the stream.
                        self.server.handle_receive(
                            now,
                            Receive {
                                protocol: Protocol::Udp,
                                source: t.source,
                                destination: t.destination,
                                contents: &t.contents,
                            },
                        );
                    }
                    Output::Event(e) => self.events.push(e),
                    Output::Timeout(at) => break at,
                }
            };
            let server_next = loop {
                match self.server.poll_output() {
                    Output::Transmit(t) if t.destination == self.client.local_address() => {
                        moved = true;
                        let mut frame = t.contents;
                        if ChannelData::looks_like_channel_data(&frame) {
                            frame.resize((frame.len() + 3) & !3, 0);
                        }
                        self.stream.extend_from_slice(&frame);
                    }
                    Output::Transmit(t) => {
                        moved = true;
                        self.to_peers.push((t.destination, t.contents));
                    }
                    Output::Event(_) => {}
                    Output::Timeout(at) => break at,
                }
            };
            // Deliver the stream in random chunks of 1..=64 bytes.
            while !self.stream.is_empty() {
                let n = (1 + self.rng.next_u32() as usize % 64).min(self.stream.len());
                let chunk: Vec<u8> = self.stream.drain(..n).collect();
                self.stream_chunks += 1;
                moved = true;
                let taken = self.client.handle_receive(
                    now,
                    Receive {
                        protocol: Protocol::Tcp,
                        source: SERVER.parse().unwrap(),
                        destination: LOCAL.parse().unwrap(),
                        contents: &chunk,
                    },
                );
                assert!(taken);
            }
            if !moved {
                return [client_next, server_next].into_iter().flatten().min();
            }
        }
    }

    /// Runs simulated time to `until`, waking at every timeout.
    fn run(&mut self, mut now: Instant, until: Instant) -> Instant {
        loop {
            let next = self.settle(now);
            match next {
                Some(at) if at <= until => {
                    now = at.max(now);
                    self.client.handle_timeout(now);
                    self.server.handle_timeout(now);
                }
                _ => return until,
            }
        }
    }

    fn peer_sends(&mut self, now: Instant, data: &[u8]) {
        let relayed = self.client.relayed_address().unwrap();
        self.server.handle_receive(
            now,
            Receive {
                protocol: Protocol::Udp,
                source: PEER.parse().unwrap(),
                destination: relayed,
                contents: data,
            },
        );
    }
}

/// What the server relayed to peers: (destination, payload).
type Relayed = Vec<(SocketAddr, Vec<u8>)>;

/// Two hours; returns (events, datagrams relayed to the peer, chunks).
fn two_hours(seed: u64) -> (Vec<TurnEvent>, Relayed, u64) {
    let mut s = Shim::new(seed);
    let start = Instant::now();
    s.client.start(start).unwrap();
    let mut now = s.run(start, start + Duration::from_secs(1));
    assert_eq!(s.client.state(), TurnState::Allocated);
    let peer: SocketAddr = PEER.parse().unwrap();
    for i in 0..720u32 {
        let odd = vec![i as u8; 1 + (i as usize % 7)];
        s.client.send_to(now, peer, &odd).unwrap();
        s.peer_sends(now, &odd);
        now = s.run(now, now + Duration::from_secs(10));
    }
    assert_eq!(s.client.state(), TurnState::Allocated);
    assert_eq!(s.client.stats().retransmissions, 0, "none on a stream");
    assert_eq!(s.client.stats().timeouts, 0);
    assert_eq!(s.client.stats().responses_discarded, 0);
    assert_eq!(
        s.client.channel(peer),
        Some((0x4000, BindingState::Installed))
    );
    assert_eq!(s.server.allocations().len(), 1);
    assert_eq!(s.server.counters().allocations_removed, 0);
    s.client.close(now);
    s.run(now, now + Duration::from_secs(1));
    assert_eq!(s.client.state(), TurnState::Closed);
    assert!(s.server.allocations().is_empty());
    (s.events, s.to_peers, s.stream_chunks)
}

#[test]
fn two_hours_over_a_chunked_stream() {
    let (events, to_peers, chunks) = two_hours(1);
    let peer: SocketAddr = PEER.parse().unwrap();
    assert_eq!(to_peers.len(), 720, "every datagram relayed");
    assert!(to_peers.iter().all(|(to, _)| *to == peer));
    let data: Vec<&TurnEvent> = events
        .iter()
        .filter(|e| matches!(e, TurnEvent::Data { .. }))
        .collect();
    // The first peer datagram arrives before the permission is installed
    // on the server (it is filtered there); every later one arrives, odd
    // sizes unpadded again.
    assert_eq!(data.len(), 719);
    for (i, e) in data.iter().enumerate() {
        let i = i + 1;
        let expected = vec![i as u8; 1 + (i % 7)];
        assert_eq!(
            **e,
            TurnEvent::Data {
                peer,
                data: expected
            }
        );
    }
    assert!(chunks > 720, "frames were split: {chunks} chunks");
    assert_eq!(events.last(), Some(&TurnEvent::Closed));
}

#[test]
fn same_seed_same_run() {
    assert_eq!(two_hours(5), two_hours(5));
}
