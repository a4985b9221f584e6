//! A cloned connected pair (the `snapshot` feature, which the
//! `connected_pair` fuzz target uses to connect once per process) behaves
//! exactly as the original: the same sequence gives the same transmits,
//! events and timeouts, and data still flows on the clone. Runs with
//! `cargo test -p sansrtc --features snapshot --test snapshot_clone`
//! (a step of `cargo xtask ci`).

mod common;

use std::time::{Duration, Instant};

use common::Pair;
use sansrtc::*;

/// Everything a pair emitted while it ran a sequence, and where it ended.
#[derive(Debug, PartialEq)]
struct Record {
    /// b's outputs drained after each operation of the hostile driver.
    drained_b: Vec<Output<Transmit, PeerEvent>>,
    carried: Vec<Transmit>,
    events_a: Vec<PeerEvent>,
    events_b: Vec<PeerEvent>,
    states: [PeerConnectionState; 2],
    now: Instant,
}

/// Runs `data` through the hostile driver (tests/common/hostile.rs), then
/// a legitimate tail: a message each way and time passing.
fn record(p: &mut Pair, chat: ChannelId, data: &[u8]) -> Record {
    p.carried.clear();
    p.events_a.clear();
    p.events_b.clear();
    let mut drained_b = Vec::new();
    common::hostile::run_on(p, chat, data, |o| drained_b.push(o));
    let now = p.now;
    let _ = p.a.send(now, chat, DataChannelMessage::Text("ping".into()));
    p.run_for(Duration::from_secs(2));
    Record {
        drained_b,
        carried: std::mem::take(&mut p.carried),
        events_a: std::mem::take(&mut p.events_a),
        events_b: std::mem::take(&mut p.events_b),
        states: [p.a.connection_state(), p.b.connection_state()],
        now: p.now,
    }
}

/// Seeded pseudo-random bytes (the `hostile_sequences` test's generator).
fn sequence(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as u8
        })
        .collect()
}

fn transmits(r: &Record) -> usize {
    r.carried.len()
        + r.drained_b
            .iter()
            .filter(|o| matches!(o, Output::Transmit(_)))
            .count()
}

#[test]
fn a_clone_answers_every_sequence_as_the_original_does() {
    let mut compared = 0;
    for seed in 0..8u64 {
        let data = sequence(0x9e37_79b9_7f4a_7c15 ^ seed, 400);
        let (mut original, chat) = Pair::connected("chat");
        let mut clone = original.clone();
        let mut diverged = original.clone();
        // The clone runs first: were any state shared, the original's run
        // would start from what the clone left.
        let from_clone = record(&mut clone, chat, &data);
        let from_original = record(&mut original, chat, &data);
        assert_eq!(from_clone, from_original, "sequence {seed}");
        compared += transmits(&from_original);
        // The comparison sees a difference: one more message on a copy
        // changes what it sends (SCTP TSNs, DTLS record sequence numbers).
        let now = diverged.now;
        diverged
            .a
            .send(now, chat, DataChannelMessage::Text("extra".into()))
            .unwrap();
        diverged.step();
        assert_ne!(record(&mut diverged, chat, &data), from_original);
    }
    assert!(compared >= 8, "only {compared} transmits compared");
}

#[test]
fn a_message_flows_on_the_clone_and_not_on_the_original() {
    let (mut original, chat) = Pair::connected("chat");
    let mut clone = original.clone();
    let now = clone.now;
    clone
        .a
        .send(now, chat, DataChannelMessage::Text("on the clone".into()))
        .unwrap();
    assert!(clone.run_until(Duration::from_secs(5), |p| {
        Pair::texts(&p.events_b) == ["on the clone"]
    }));
    assert_eq!(clone.a.connection_state(), PeerConnectionState::Connected);
    assert_eq!(clone.b.connection_state(), PeerConnectionState::Connected);

    // The original never saw it, and still carries its own messages.
    original.run_for(Duration::from_millis(500));
    assert!(Pair::texts(&original.events_b).is_empty());
    let now = original.now;
    original
        .a
        .send(
            now,
            chat,
            DataChannelMessage::Text("on the original".into()),
        )
        .unwrap();
    assert!(original.run_until(Duration::from_secs(5), |p| {
        Pair::texts(&p.events_b) == ["on the original"]
    }));
}
