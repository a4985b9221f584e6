//! Per-datagram cost of the agent, beside references measured in the same
//! run: demultiplexing application data on a connected agent (against a
//! plain copy of the datagram), and answering a connectivity check
//! (against the codec's own parse + verify + build of the same messages).
//!
//! `cargo bench -p sansrtc-ice --bench agent`

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc_ice::{Agent, AgentConfig, IceConnectionState, IceEvent, Received};
use sansrtc_proto::{Output, Protocol, Receive, Transmit};
use sansrtc_stun::attributes::{IceControlled, Priority, Username, XorMappedAddress};
use sansrtc_stun::{Class, Message, MessageBuilder, MessageType, TransactionId};

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn drain(
    a: &mut Agent,
    other: &mut Agent,
    now: Instant,
    out: &mut Vec<Transmit>,
) -> Option<Instant> {
    loop {
        match a.poll_output() {
            Output::Transmit(t) => out.push(t),
            Output::Event(IceEvent::LocalCandidate(c)) => {
                other.add_remote_candidate(now, &c).unwrap()
            }
            Output::Event(_) => {}
            Output::Timeout(t) => return t,
        }
    }
}

/// Two agents connected in memory.
fn connected() -> (Agent, Agent, Instant) {
    let mut now = Instant::now();
    let mut a = Agent::new(
        AgentConfig {
            controlling: true,
            ..AgentConfig::default()
        },
        ChaCha20Rng::seed_from_u64(1),
    )
    .unwrap();
    let mut b = Agent::new(AgentConfig::default(), ChaCha20Rng::seed_from_u64(2)).unwrap();
    a.add_local_address(now, addr("10.0.0.1:5000")).unwrap();
    b.add_local_address(now, addr("10.0.0.2:6000")).unwrap();
    let (ca, cb) = (a.local_credentials().clone(), b.local_credentials().clone());
    a.set_remote_credentials(now, &cb.ufrag, &cb.pwd).unwrap();
    b.set_remote_credentials(now, &ca.ufrag, &ca.pwd).unwrap();
    a.gather(now);
    b.gather(now);
    for _ in 0..1000 {
        let (mut ta, mut tb) = (Vec::new(), Vec::new());
        let na = drain(&mut a, &mut b, now, &mut ta);
        let nb = drain(&mut b, &mut a, now, &mut tb);
        for t in &ta {
            b.handle_receive(now, t.as_received());
        }
        for t in &tb {
            a.handle_receive(now, t.as_received());
        }
        if a.connection_state() == IceConnectionState::Connected
            && b.connection_state() == IceConnectionState::Connected
        {
            return (a, b, now);
        }
        if ta.is_empty() && tb.is_empty() {
            now = [na, nb]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(now + Duration::from_millis(10))
                .max(now);
            a.handle_timeout(now);
            b.handle_timeout(now);
        }
    }
    panic!("not connected");
}

fn bench(c: &mut Criterion) {
    let (mut a, b, now) = connected();
    let mut group = c.benchmark_group("ice");

    // A DTLS-sized application datagram from the peer.
    let mut record = vec![0u8; 1200];
    record[0] = 23; // DTLS application_data
    let from = addr("10.0.0.2:6000");
    let to = addr("10.0.0.1:5000");
    group.bench_function("receive 1200 B application data (demux)", |bench| {
        bench.iter(|| {
            let rx = Receive {
                protocol: Protocol::Udp,
                source: from,
                destination: to,
                contents: black_box(&record),
            };
            match a.handle_receive(now, rx) {
                Received::Data { data, .. } => black_box(data.len()),
                other => panic!("{other:?}"),
            }
        })
    });
    group.bench_function("reference: copy the 1200 B datagram", |bench| {
        bench.iter(|| black_box(black_box(&record).to_vec()))
    });

    // An authenticated check from the peer, answered by the agent.
    let creds = a.local_credentials().clone();
    let peer = b.local_credentials().clone();
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let mut request = Vec::new();
    let mut builder = MessageBuilder::new(
        &mut request,
        MessageType::BINDING_REQUEST,
        TransactionId::random(&mut rng),
    );
    builder
        .add(&Username(&format!("{}:{}", creds.ufrag, peer.ufrag)))
        .unwrap();
    builder.add(&Priority(0x6e00_00ff)).unwrap();
    builder.add(&IceControlled(1)).unwrap();
    builder.add_message_integrity(creds.pwd.as_bytes()).unwrap();
    builder.add_fingerprint().unwrap();
    builder.finish();
    group.bench_function(
        "answer a connectivity check (verify, respond, drain)",
        |bench| {
            bench.iter(|| {
                let rx = Receive {
                    protocol: Protocol::Udp,
                    source: from,
                    destination: to,
                    contents: black_box(&request),
                };
                a.handle_receive(now, rx);
                loop {
                    match a.poll_output() {
                        Output::Timeout(t) => break black_box(t),
                        other => {
                            black_box(other);
                        }
                    }
                }
            })
        },
    );
    group.bench_function(
        "reference: codec parse + verify + build the answer",
        |bench| {
            let mut out = Vec::with_capacity(96);
            bench.iter(|| {
                let m = Message::parse(black_box(&request)).unwrap();
                m.verify_integrity(creds.pwd.as_bytes()).unwrap();
                m.verify_fingerprint().unwrap();
                black_box(m.get::<Username<'_>>().unwrap());
                out.clear();
                let mut b = MessageBuilder::new(
                    &mut out,
                    m.message_type().with_class(Class::SuccessResponse),
                    m.transaction_id(),
                );
                b.add(&XorMappedAddress(from)).unwrap();
                b.add_message_integrity(creds.pwd.as_bytes()).unwrap();
                b.add_fingerprint().unwrap();
                black_box(b.finish());
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
