//! A TURN client against netsim's TURN server, with the fuzzer choosing the
//! application's calls, the peers' traffic, the passing of time and
//! corruptions of what the server says (a byte changed in, a drop of, or a
//! forged datagram before, the server's next answers). Nothing may panic;
//! the client's bounds must hold; a data event comes only from a peer the
//! client has a permission or a channel for.
#![no_main]

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc_netsim::{Node, TurnConfig, TurnServer};
use sansrtc_proto::{Output, Protocol, Receive, Transmit};
use sansrtc_turn::{TurnClient, TurnClientConfig, TurnEvent};

#[derive(Debug, Arbitrary)]
enum Op {
    Start,
    SendTo {
        peer: u8,
        len: u8,
    },
    CreatePermission {
        peer: u8,
    },
    BindChannel {
        peer: u8,
    },
    PeerSends {
        peer: u8,
        len: u8,
    },
    Advance {
        ms: u16,
    },
    Close,
    StreamClosed,
    /// Change byte `at` of the server's next datagram to the client.
    Corrupt {
        at: u16,
        xor: u8,
    },
    /// Drop the server's next datagram to the client.
    DropNext,
    /// A datagram from the server's address, with the transaction id of
    /// the client's latest request when `match_tx`.
    Forge {
        match_tx: bool,
        bytes: Vec<u8>,
    },
}

#[derive(Debug, Arbitrary)]
struct Input {
    tcp: bool,
    ops: Vec<Op>,
}

fn peer_addr(i: u8) -> SocketAddr {
    SocketAddr::new(IpAddr::from([198, 51, 100, i % 8]), 6000 + u16::from(i % 3))
}

struct World {
    client: TurnClient,
    server: TurnServer,
    protocol: Protocol,
    now: Instant,
    corrupt: Option<(usize, u8)>,
    drop_next: bool,
    last_request: Option<Vec<u8>>,
}

impl World {
    fn deliver_to_client(&mut self, t: &Transmit) {
        let mut contents = t.contents.clone();
        if self.drop_next {
            self.drop_next = false;
            return;
        }
        if let Some((at, xor)) = self.corrupt.take() {
            if !contents.is_empty() {
                let i = at % contents.len();
                contents[i] ^= xor.max(1);
            }
        }
        self.client.handle_receive(
            self.now,
            Receive {
                protocol: t.protocol,
                source: t.source,
                destination: t.destination,
                contents: &contents,
            },
        );
    }

    /// Shuttles datagrams until both sides are idle (bounded).
    fn pump(&mut self) {
        for _ in 0..64 {
            let mut moved = false;
            loop {
                match self.client.poll_output() {
                    Output::Transmit(t) => {
                        moved = true;
                        if t.contents.len() >= 20 && t.contents[0] < 2 {
                            self.last_request = Some(t.contents.clone());
                        }
                        self.server.handle_receive(
                            self.now,
                            Receive {
                                protocol: t.protocol,
                                source: t.source,
                                destination: t.destination,
                                contents: &t.contents,
                            },
                        );
                    }
                    Output::Event(e) => {
                        if let TurnEvent::Data { peer, .. } = e {
                            // A ChannelBind installs the peer's permission
                            // on the server too (RFC 8656 §12.2), which the
                            // client lists as a channel, not a permission.
                            assert!(
                                self.client.permission_state(peer.ip()).is_some()
                                    || self.client.channel(peer).is_some(),
                                "data from a peer without permission or channel"
                            );
                        }
                    }
                    Output::Timeout(_) => break,
                }
            }
            loop {
                match self.server.poll_output() {
                    Output::Transmit(t) => {
                        if t.destination == self.client.local_address() {
                            moved = true;
                            self.deliver_to_client(&t);
                        }
                    }
                    Output::Event(_) => {}
                    Output::Timeout(_) => break,
                }
            }
            if !moved {
                return;
            }
        }
    }
}

fuzz_target!(|input: Input| {
    if std::env::var_os("FUZZ_DEBUG").is_some() {
        eprintln!("{input:#?}");
    }
    let server_addr: SocketAddr = "192.0.2.1:3478".parse().unwrap();
    let local: SocketAddr = "10.0.0.1:5000".parse().unwrap();
    let protocol = if input.tcp {
        Protocol::Tcp
    } else {
        Protocol::Udp
    };
    let server = TurnServer::new(
        TurnConfig::new(server_addr, "192.0.2.1".parse().unwrap(), "user", "secret"),
        ChaCha20Rng::seed_from_u64(1),
    );
    let config = TurnClientConfig::new(
        server_addr,
        protocol,
        local,
        "user",
        "secret",
        "turn:192.0.2.1",
    );
    let mut w = World {
        client: TurnClient::new(config, ChaCha20Rng::seed_from_u64(2)),
        server,
        protocol,
        now: Instant::now(),
        corrupt: None,
        drop_next: false,
        last_request: None,
    };
    let _ = w.client.start(w.now);
    w.pump();
    for op in input.ops.into_iter().take(64) {
        match op {
            Op::Start => {
                let _ = w.client.start(w.now);
            }
            Op::SendTo { peer, len } => {
                let _ = w
                    .client
                    .send_to(w.now, peer_addr(peer), &vec![peer; usize::from(len)]);
            }
            Op::CreatePermission { peer } => {
                let _ = w.client.create_permission(w.now, peer_addr(peer).ip());
            }
            Op::BindChannel { peer } => {
                let _ = w.client.bind_channel(w.now, peer_addr(peer));
            }
            Op::PeerSends { peer, len } => {
                if let Some(relayed) = w.client.relayed_address() {
                    let data = vec![0xAB; usize::from(len)];
                    w.server.handle_receive(
                        w.now,
                        Receive {
                            protocol: Protocol::Udp,
                            source: peer_addr(peer),
                            destination: relayed,
                            contents: &data,
                        },
                    );
                }
            }
            Op::Advance { ms } => {
                w.now += Duration::from_millis(u64::from(ms) * 16);
                w.client.handle_timeout(w.now);
                w.server.handle_timeout(w.now);
            }
            Op::Close => w.client.close(w.now),
            Op::StreamClosed => w.client.handle_stream_closed(w.now),
            Op::Corrupt { at, xor } => w.corrupt = Some((usize::from(at), xor)),
            Op::DropNext => w.drop_next = true,
            Op::Forge {
                match_tx,
                mut bytes,
            } => {
                if match_tx && bytes.len() >= 20 {
                    if let Some(req) = &w.last_request {
                        bytes[4..20].copy_from_slice(&req[4..20]);
                    }
                }
                let protocol = w.protocol;
                w.client.handle_receive(
                    w.now,
                    Receive {
                        protocol,
                        source: server_addr,
                        destination: local,
                        contents: &bytes,
                    },
                );
            }
        }
        w.pump();
        assert!(w.client.permission_count() <= 64);
        assert!(w.client.channel_count() <= 64);
        let (packets, bytes) = w.client.queued();
        assert!(packets <= 64 && bytes <= 64 * 1024);
    }
});
