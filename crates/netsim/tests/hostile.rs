//! Hostile and random input: the servers and the network never panic and
//! keep their bounds.

mod common;

use std::time::{Duration, Instant};

use common::addr;
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use sansrtc_netsim::{
    LinkConfig, Network, Node, Probe, StunServer, TurnConfig, TurnServer, EVENT_QUEUE_LIMIT,
};
use sansrtc_proto::{Output, Protocol, Receive};

/// Random datagrams, some shaped like STUN or ChannelData.
fn hostile(rng: &mut ChaCha20Rng) -> Vec<u8> {
    let len = (rng.next_u32() % 200) as usize;
    let mut bytes = vec![0u8; len];
    rng.fill_bytes(&mut bytes);
    match rng.next_u32() % 4 {
        0 if len >= 20 => {
            // A STUN header with the magic cookie and a plausible length.
            bytes[0] &= 0x3f;
            bytes[4..8].copy_from_slice(&0x2112_a442u32.to_be_bytes());
            let body = (len - 20) as u16 & !3;
            bytes[2..4].copy_from_slice(&body.to_be_bytes());
            bytes.truncate(20 + body as usize);
        }
        1 if len >= 4 => bytes[0] = 0x40 | (bytes[0] & 0x0f),
        _ => {}
    }
    bytes
}

fn drain<N: Node>(node: &mut N) -> usize {
    let mut outputs = 0;
    loop {
        match node.poll_output() {
            Output::Timeout(_) => return outputs,
            _ => outputs += 1,
        }
    }
}

#[test]
fn servers_survive_random_datagrams() {
    let mut rng = ChaCha20Rng::seed_from_u64(99);
    let now = Instant::now();
    let listen = addr("192.0.2.100:3478");
    let relay = addr("192.0.2.101:49152");
    let mut stun = StunServer::new();
    let mut turn = TurnServer::new(
        TurnConfig::new(listen, relay.ip(), "u", "p"),
        ChaCha20Rng::seed_from_u64(1),
    );
    for i in 0..20_000u64 {
        let contents = hostile(&mut rng);
        let source = addr("198.51.100.1:1000");
        let destination = if i % 2 == 0 { listen } else { relay };
        let d = Receive {
            protocol: Protocol::Udp,
            source,
            destination,
            contents: &contents,
        };
        let at = now + Duration::from_millis(i);
        stun.handle_receive(at, d);
        turn.handle_receive(at, d);
        assert!(drain(&mut stun) <= 1);
        assert!(drain(&mut turn) <= 1);
    }
    assert!(turn.allocations().is_empty());
    assert!(stun.counters().ignored > 10_000);
}

#[test]
fn event_queues_and_the_trace_stay_bounded() {
    let start = Instant::now();
    let mut net = Network::new(start, 1);
    net.set_trace_limit(100);
    let zone = net.internet();
    let (a, b) = (addr("192.0.2.1:1"), addr("192.0.2.2:1"));
    let sink = net
        .add_host(zone, &[b.ip()], LinkConfig::default(), Probe::new(b))
        .unwrap();
    let src = net
        .add_host(zone, &[a.ip()], LinkConfig::default(), Probe::new(a))
        .unwrap();
    let n = EVENT_QUEUE_LIMIT + 10;
    for _ in 0..n {
        net.node_mut(&src).send(b, vec![0; 1]);
    }
    net.run_for(Duration::from_secs(1));
    assert_eq!(net.events(&sink).count(), EVENT_QUEUE_LIMIT);
    assert_eq!(net.host_counters(sink.host()).events_dropped, 10);
    assert_eq!(net.trace().records().len(), 100);
    assert_eq!(net.trace().overflow(), n as u64 - 100);
    assert_eq!(net.counters().delivered, n as u64);
}
