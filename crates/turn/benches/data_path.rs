//! Per-datagram cost of the TURN client's data path, beside a reference
//! measured in the same run: the bare `sansrtc-stun` encoding or parsing
//! of the same message plus the one copy any client makes. The ratio is
//! the client's bookkeeping (peer lookup, permission use, outbox, event).
//!
//! `cargo bench -p sansrtc-turn --bench data_path`

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::net::SocketAddr;
use std::time::Instant;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sansrtc_netsim::{Node, TurnConfig, TurnServer};
use sansrtc_proto::{Output, Protocol, Receive};
use sansrtc_stun::attributes::{Data, XorPeerAddress};
use sansrtc_stun::{ChannelData, Class, MessageBuilder, MessageType, Method, TransactionId};
use sansrtc_turn::{BindingState, TurnClient, TurnClientConfig};

const SERVER: &str = "127.0.0.1:3478";
const LOCAL: &str = "127.0.0.1:5000";
const PEER: &str = "127.0.0.1:6000";

fn receive(t: &sansrtc_proto::Transmit) -> Receive<'_> {
    t.as_received()
}

/// Moves datagrams between client and server until both are idle.
fn pump(now: Instant, c: &mut TurnClient, s: &mut TurnServer) {
    loop {
        let mut moved = false;
        loop {
            match c.poll_output() {
                Output::Transmit(t) => {
                    moved = true;
                    s.handle_receive(now, receive(&t));
                }
                Output::Event(_) => {}
                Output::Timeout(_) => break,
            }
        }
        loop {
            match s.poll_output() {
                Output::Transmit(t) => {
                    moved = true;
                    if t.destination == c.local_address() {
                        c.handle_receive(now, receive(&t));
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

/// An allocated client with a permission for PEER (and a channel if asked).
fn ready(channel: bool) -> (TurnClient, Instant) {
    let server_addr: SocketAddr = SERVER.parse().unwrap();
    let mut server = TurnServer::new(
        TurnConfig::new(server_addr, server_addr.ip(), "user", "secret"),
        ChaCha20Rng::seed_from_u64(1),
    );
    let mut config = TurnClientConfig::new(
        server_addr,
        Protocol::Udp,
        LOCAL.parse().unwrap(),
        "user",
        "secret",
        "turn:bench",
    );
    config.auto_channel_bind = false;
    let mut client = TurnClient::new(config, ChaCha20Rng::seed_from_u64(2));
    let now = Instant::now();
    client.start(now).unwrap();
    pump(now, &mut client, &mut server);
    let peer: SocketAddr = PEER.parse().unwrap();
    client.create_permission(now, peer.ip()).unwrap();
    if channel {
        client.bind_channel(now, peer).unwrap();
    }
    pump(now, &mut client, &mut server);
    assert_eq!(
        client.permission_state(peer.ip()),
        Some(BindingState::Installed)
    );
    (client, now)
}

fn bench(c: &mut Criterion) {
    let peer: SocketAddr = PEER.parse().unwrap();
    let payload = vec![0xabu8; 1200];
    let mut group = c.benchmark_group("turn 1200-byte datagram");

    let (mut client, now) = ready(true);
    group.bench_function("send_to over a channel + poll", |b| {
        b.iter(|| {
            client.send_to(now, peer, black_box(&payload)).unwrap();
            match client.poll_output() {
                Output::Transmit(t) => black_box(t),
                _ => unreachable!(),
            }
        })
    });
    group.bench_function("reference: ChannelData::encode into a new Vec", |b| {
        b.iter(|| {
            let mut buf = Vec::with_capacity(1208);
            ChannelData {
                channel: 0x4000,
                data: black_box(&payload),
            }
            .encode(&mut buf, false)
            .unwrap();
            black_box(buf)
        })
    });

    let mut wire = Vec::new();
    ChannelData {
        channel: 0x4000,
        data: &payload,
    }
    .encode(&mut wire, false)
    .unwrap();
    let (server, local) = (SERVER.parse().unwrap(), LOCAL.parse().unwrap());
    group.bench_function("handle_receive ChannelData + poll Data", |b| {
        b.iter(|| {
            let receive = Receive {
                protocol: Protocol::Udp,
                source: server,
                destination: local,
                contents: black_box(&wire),
            };
            assert!(client.handle_receive(now, receive));
            match client.poll_output() {
                Output::Event(e) => black_box(e),
                _ => unreachable!(),
            }
        })
    });
    group.bench_function("reference: ChannelData::parse + copy", |b| {
        b.iter(|| {
            let cd = ChannelData::parse(black_box(&wire)).unwrap();
            black_box(cd.data.to_vec())
        })
    });

    let (mut client, now) = ready(false);
    group.bench_function("send_to by Send indication + poll", |b| {
        b.iter(|| {
            client.send_to(now, peer, black_box(&payload)).unwrap();
            match client.poll_output() {
                Output::Transmit(t) => black_box(t),
                _ => unreachable!(),
            }
        })
    });
    group.bench_function("reference: build the Send indication", |b| {
        b.iter(|| {
            let mut buf = Vec::with_capacity(1248);
            let mut m = MessageBuilder::new(
                &mut buf,
                MessageType::new(Method::SEND, Class::Indication),
                TransactionId([7; 12]),
            );
            m.add(&XorPeerAddress(peer)).unwrap();
            m.add(&Data(black_box(&payload))).unwrap();
            m.finish();
            black_box(buf)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
