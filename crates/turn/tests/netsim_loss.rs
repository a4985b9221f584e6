//! Loss on the client's link: RFC 8489 retransmissions carry the
//! allocation, permissions and channels through; and determinism: the same
//! seeds give the same capture byte for byte.

mod common;

use std::time::Duration;

use common::*;
use sansrtc_netsim::{LinkConfig, Loss};
use sansrtc_turn::{BindingState, TurnEvent, TurnState};

fn lossy(seed: u64, loss: f64) -> World {
    let mut setup = Setup::new(seed);
    setup.client_link = LinkConfig {
        loss: Loss::Independent(loss),
        jitter: Duration::from_millis(5),
        ..LinkConfig::default()
    };
    world(setup)
}

#[test]
fn twenty_percent_loss_is_carried_by_retransmissions() {
    let mut retransmissions = 0;
    for seed in 0..20 {
        let mut w = lossy(seed, 0.2);
        let events = w.start_and_wait(Duration::from_secs(40));
        assert!(
            matches!(events.as_slice(), [TurnEvent::Allocated { .. }]),
            "seed {seed}: {events:?}"
        );
        let peer = addr(PEER);
        w.with_client(|c, now| c.create_permission(now, peer.ip()))
            .unwrap();
        w.with_client(|c, now| c.bind_channel(now, peer)).unwrap();
        w.net.run_for(Duration::from_secs(40));
        assert_eq!(
            w.client().permission_state(peer.ip()),
            Some(BindingState::Installed),
            "seed {seed}"
        );
        assert_eq!(
            w.client().channel(peer).map(|c| c.1),
            Some(BindingState::Installed),
            "seed {seed}"
        );
        // Refreshes over half an hour survive the loss too. (Data every
        // 20 s keeps the NAT mapping, 120 s, alive despite lost packets, as
        // ICE consent checks do.)
        for _ in 0..90 {
            if let Err(e) = w.with_client(|c, now| c.send_to(now, peer, b"keep")) {
                panic!(
                    "seed {seed}: {e} after {:?}; events {:?}",
                    w.net.elapsed(),
                    w.events()
                );
            }
            w.net.run_for(Duration::from_secs(20));
        }
        assert_eq!(w.client().state(), TurnState::Allocated, "seed {seed}");
        assert_eq!(w.server().allocations().len(), 1, "seed {seed}");
        assert!(w
            .events()
            .iter()
            .all(|e| !matches!(e, TurnEvent::Failed { .. })));
        retransmissions += w.client().stats().retransmissions;
    }
    assert!(
        retransmissions > 20,
        "loss made retransmissions: {retransmissions}"
    );
}

#[test]
fn duplicated_answers_are_ignored() {
    let mut setup = Setup::new(31);
    setup.client_link = LinkConfig {
        duplicate: 1.0,
        ..LinkConfig::default()
    };
    let mut w = world(setup);
    let events = w.start_and_wait(Duration::from_secs(5));
    assert!(matches!(events.as_slice(), [TurnEvent::Allocated { .. }]));
    let peer = addr(PEER);
    let relayed = w.client().relayed_address().unwrap();
    w.with_client(|c, now| c.send_to(now, peer, b"dup"))
        .unwrap();
    w.net.run_for(Duration::from_secs(1));
    // Duplicated on the way up: the server relays both copies.
    assert!(w
        .peer_received()
        .iter()
        .all(|(from, d)| *from == relayed && d == b"dup"));
    assert!(
        w.client().stats().responses_unmatched >= 2,
        "{:?}",
        w.client().stats()
    );
    assert!(w
        .events()
        .iter()
        .all(|e| !matches!(e, TurnEvent::Failed { .. })));
}

/// One lossy run; returns the pcap and the client's events.
fn run(seed: u64, client_seed: u64) -> (Vec<u8>, Vec<TurnEvent>, String) {
    let mut setup = Setup::new(seed);
    setup.client_seed = client_seed;
    setup.client_link = LinkConfig {
        loss: Loss::Independent(0.15),
        ..LinkConfig::default()
    };
    let mut w = world(setup);
    w.net.enable_capture();
    let mut events = w.start_and_wait(Duration::from_secs(40));
    let peer = addr(PEER);
    for i in 0..20u8 {
        let _ = w.with_client(|c, now| c.send_to(now, peer, &[i; 40]));
        w.net.run_for(Duration::from_secs(30));
        if let Some(relayed) = w.client().relayed_address() {
            w.peer_send(relayed, &[i; 20]);
        }
    }
    events.extend(w.events());
    (
        w.net.pcap().unwrap().to_vec(),
        events,
        w.net.trace().to_text(),
    )
}

#[test]
fn same_seeds_same_capture() {
    let (pcap_a, events_a, trace_a) = run(41, 7);
    let (pcap_b, events_b, trace_b) = run(41, 7);
    assert_eq!(events_a, events_b);
    assert_eq!(trace_a, trace_b);
    assert!(pcap_a == pcap_b, "captures differ");
    assert!(events_a.iter().any(|e| matches!(e, TurnEvent::Data { .. })));
    // Another client seed: other transaction ids, so other bytes.
    let (pcap_c, _, _) = run(41, 8);
    assert!(pcap_a != pcap_c);
}
