//! Differential interop with sctp-proto, an independent implementation, in
//! one process: both directions, both opening roles, 0 % and 10 % loss
//! (with reordering and duplication) on the seeded in-memory link.

mod common;

use std::time::{Duration, Instant};

use common::proto_peer::ProtoPeer;
use common::{payload, transfer, Link, Ours, Peer, Sim};
use sansrtc_sctp::{SctpConfig, SendOptions};

const MS: Duration = Duration::from_millis(1);

/// Who sends INIT.
#[derive(Clone, Copy, Debug)]
enum Opener {
    Ours,
    Theirs,
    Both,
}

fn setup(opener: Opener, loss: f64, seed: u64) -> Sim<Ours, ProtoPeer> {
    setup_with(SctpConfig::default(), opener, loss, seed)
}

fn setup_with(config: SctpConfig, opener: Opener, loss: f64, seed: u64) -> Sim<Ours, ProtoPeer> {
    let now = Instant::now();
    let mut ours = Ours::new(config, seed, now);
    let theirs = match opener {
        Opener::Ours => ProtoPeer::server(),
        Opener::Theirs => ProtoPeer::client(),
        Opener::Both => ProtoPeer::client_and_server(),
    };
    if matches!(opener, Opener::Ours | Opener::Both) {
        ours.assoc.connect(now).unwrap();
    }
    let link = if loss > 0.0 {
        Link::lossy(20 * MS, loss)
    } else {
        Link::clean(20 * MS)
    };
    let mut sim = Sim::new(ours, theirs, now, link, link, seed);
    assert!(
        sim.run_until(Duration::from_secs(60), |_, a, b| a.is_connected()
            && b.is_connected()),
        "{opener:?} at {loss}: no association"
    );
    sim
}

fn check(messages: &[sansrtc_sctp::Message], count: usize, len: usize, stream: u16) {
    let got: Vec<_> = messages.iter().filter(|m| m.stream_id == stream).collect();
    assert_eq!(got.len(), count);
    for (i, m) in got.iter().enumerate() {
        assert_eq!(m.data, payload(i, len), "message {i}");
        assert_eq!(m.ppid, 53);
    }
}

fn run(opener: Opener, loss: f64, seed: u64) {
    let mut sim = setup(opener, loss, seed);
    let limit = Duration::from_secs(600);
    // Ours -> sctp-proto: small and fragmented messages.
    transfer(&mut sim, 200, 1000, 1, SendOptions::default(), limit).expect("ours -> theirs small");
    check(&sim.b.messages, 200, 1000, 1);
    transfer(&mut sim, 10, 40_000, 2, SendOptions::default(), limit).expect("ours -> theirs large");
    check(&sim.b.messages, 10, 40_000, 2);
    // sctp-proto -> ours: swap roles by sending from B in the loop.
    let mut sent = 0;
    let ok = sim.run_until(limit, |now, a, b| {
        while sent < 200 && b.send(now, 3, 53, &payload(sent, 1500), SendOptions::default()) {
            sent += 1;
        }
        a.messages.iter().filter(|m| m.stream_id == 3).count() == 200
    });
    assert!(ok, "theirs -> ours: {} of 200", sim.a.messages.len());
    check(&sim.a.messages, 200, 1500, 3);
}

#[test]
fn ours_opens_lossless() {
    run(Opener::Ours, 0.0, 1);
}

#[test]
fn theirs_opens_lossless() {
    run(Opener::Theirs, 0.0, 2);
}

#[test]
fn both_open_lossless() {
    run(Opener::Both, 0.0, 3);
}

#[test]
fn ours_opens_ten_percent_loss() {
    run(Opener::Ours, 0.1, 4);
}

#[test]
fn theirs_opens_ten_percent_loss() {
    run(Opener::Theirs, 0.1, 5);
}

#[test]
fn both_open_ten_percent_loss() {
    run(Opener::Both, 0.1, 6);
}

/// Our INIT announcing Zero Checksum Acceptable (0x8001, RFC 9653) to a peer
/// that does not know it: the peer skips the parameter (its high bits say
/// so), neither end uses zero checksums, and data flows.
#[test]
fn zero_checksum_offer_to_a_peer_without_it() {
    let config = SctpConfig {
        zero_checksum: true,
        ..SctpConfig::default()
    };
    for opener in [Opener::Ours, Opener::Theirs] {
        let mut sim = setup_with(config.clone(), opener, 0.0, 7);
        transfer(
            &mut sim,
            20,
            1000,
            1,
            SendOptions::default(),
            Duration::from_secs(60),
        )
        .expect("ours -> theirs with 0x8001 offered");
        check(&sim.b.messages, 20, 1000, 1);
    }
}
