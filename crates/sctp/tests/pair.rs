//! Two of our associations over the seeded in-memory network.

mod common;

use std::time::{Duration, Instant};

use common::{payload, transfer, Link, Ours, Peer, Sim};
use sansrtc_sctp::{
    AssociationState, CloseReason, Reliability, SctpConfig, SctpEvent, SendOptions,
};

const MS: Duration = Duration::from_millis(1);

fn pair(link: Link, seed: u64) -> Sim<Ours, Ours> {
    let now = Instant::now();
    let a = Ours::new(SctpConfig::default(), seed, now);
    let b = Ours::new(SctpConfig::default(), seed + 1001, now);
    Sim::new(a, b, now, link, link, seed)
}

fn connect_both(sim: &mut Sim<Ours, Ours>) {
    let now = sim.now;
    sim.a.assoc.connect(now).unwrap();
    sim.b.assoc.connect(now).unwrap();
    assert!(
        sim.run_until(Duration::from_secs(30), |_, a, b| a.is_connected()
            && b.is_connected())
    );
}

fn check_in_order(messages: &[sansrtc_sctp::Message], count: usize, len: usize) {
    assert_eq!(messages.len(), count);
    for (i, m) in messages.iter().enumerate() {
        assert_eq!(
            m.data,
            payload(i, len),
            "message {i} corrupted or out of order"
        );
    }
}

#[test]
fn simultaneous_open_connects_both() {
    let mut sim = pair(Link::clean(10 * MS), 1);
    connect_both(&mut sim);
    assert_eq!(
        sim.a
            .events
            .iter()
            .filter(|e| **e == SctpEvent::Connected)
            .count(),
        1
    );
    assert_eq!(
        sim.b
            .events
            .iter()
            .filter(|e| **e == SctpEvent::Connected)
            .count(),
        1
    );
    assert!(sim.elapsed() < Duration::from_millis(100));
}

#[test]
fn one_side_opens_the_other_answers() {
    let mut sim = pair(Link::clean(10 * MS), 2);
    let now = sim.now;
    sim.a.assoc.connect(now).unwrap();
    assert!(
        sim.run_until(Duration::from_secs(5), |_, a, b| a.is_connected()
            && b.is_connected())
    );
    assert_eq!(sim.b.assoc.state(), AssociationState::Established);
}

#[test]
fn staggered_open_collision_resolves() {
    // B calls connect after A's INIT arrived and B answered it.
    for delay in [5u64, 10, 15, 20, 25] {
        let mut sim = pair(Link::clean(10 * MS), 3 + delay);
        let now = sim.now;
        sim.a.assoc.connect(now).unwrap();
        sim.run_until(Duration::from_millis(delay), |_, _, _| false);
        let now = sim.now;
        sim.b.assoc.connect(now).unwrap();
        assert!(
            sim.run_until(Duration::from_secs(10), |_, a, b| a.is_connected()
                && b.is_connected()),
            "delay {delay}"
        );
        assert!(
            transfer(
                &mut sim,
                20,
                100,
                0,
                SendOptions::default(),
                Duration::from_secs(10)
            )
            .is_some(),
            "delay {delay}"
        );
    }
}

#[test]
fn handshake_survives_lost_init_and_cookie() {
    let mut sim = pair(Link::lossy(20 * MS, 0.4), 4);
    connect_both(&mut sim);
}

#[test]
fn reliable_ordered_transfer_lossless() {
    let mut sim = pair(Link::clean(MS), 5);
    connect_both(&mut sim);
    transfer(
        &mut sim,
        2000,
        1200,
        1,
        SendOptions::default(),
        Duration::from_secs(30),
    )
    .expect("transfer");
    check_in_order(&sim.b.messages, 2000, 1200);
    assert_eq!(sim.a.assoc.stats().retransmitted_chunks, 0);
}

/// The RTT estimate follows the path: one chunk timed per round trip, a
/// retransmitted chunk never timed (Karn). Measured on a 10 ms round trip,
/// then again after the path changes to 80 ms, both with 10 % loss (so
/// retransmissions, whose acknowledgements come an RTO later, are there to
/// mislead a sampler that times them).
#[test]
fn the_smoothed_rtt_follows_the_path_and_ignores_retransmissions() {
    let now = Instant::now();
    let config = SctpConfig {
        delayed_ack: 2 * MS,
        ..SctpConfig::default()
    };
    let a = Ours::new(config.clone(), 31, now);
    let b = Ours::new(config, 32, now);
    let lossy = |delay| Link {
        loss: 0.1,
        ..Link::clean(delay)
    };
    let mut sim = Sim::new(a, b, now, lossy(5 * MS), lossy(5 * MS), 33);
    connect_both(&mut sim);
    for (one_way, low, high) in [(5 * MS, 10 * MS, 20 * MS), (40 * MS, 80 * MS, 95 * MS)] {
        sim.a_to_b = lossy(one_way);
        sim.b_to_a = lossy(one_way);
        transfer(
            &mut sim,
            400,
            1000,
            1,
            SendOptions::default(),
            Duration::from_secs(120),
        )
        .expect("transfer");
        let srtt = sim.a.assoc.smoothed_rtt().expect("an RTT sample");
        assert!(
            (low..=high).contains(&srtt),
            "srtt {srtt:?} on a {:?} round trip",
            2 * one_way
        );
    }
    assert!(sim.a.assoc.stats().retransmitted_chunks > 0);
}

#[test]
fn large_messages_fragment_and_reassemble() {
    let mut sim = pair(Link::clean(5 * MS), 6);
    connect_both(&mut sim);
    transfer(
        &mut sim,
        20,
        256 * 1024,
        2,
        SendOptions::default(),
        Duration::from_secs(60),
    )
    .expect("transfer");
    check_in_order(&sim.b.messages, 20, 256 * 1024);
}

#[test]
fn reliable_transfer_under_loss_reorder_and_duplication() {
    for (seed, loss) in [(7u64, 0.05), (8, 0.2)] {
        let mut sim = pair(Link::lossy(25 * MS, loss), seed);
        connect_both(&mut sim);
        transfer(
            &mut sim,
            300,
            3000,
            3,
            SendOptions::default(),
            Duration::from_secs(600),
        )
        .unwrap_or_else(|| panic!("loss {loss}: stuck, b has {}", sim.b.messages.len()));
        check_in_order(&sim.b.messages, 300, 3000);
        let stats = sim.a.assoc.stats();
        assert!(stats.retransmitted_chunks > 0);
        assert!(sim.b.assoc.stats().duplicate_chunks > 0 || loss < 0.1);
    }
}

#[test]
fn unordered_messages_all_arrive_once() {
    let mut sim = pair(Link::lossy(10 * MS, 0.1), 9);
    connect_both(&mut sim);
    let opts = SendOptions {
        unordered: true,
        ..SendOptions::default()
    };
    transfer(&mut sim, 200, 2500, 4, opts, Duration::from_secs(300)).expect("transfer");
    let mut ids: Vec<u32> = sim
        .b
        .messages
        .iter()
        .map(|m| {
            assert!(m.unordered);
            u32::from_be_bytes([m.data[0], m.data[1], m.data[2], m.data[3]])
        })
        .collect();
    for m in &sim.b.messages {
        let i = u32::from_be_bytes([m.data[0], m.data[1], m.data[2], m.data[3]]) as usize;
        assert_eq!(m.data, payload(i, 2500));
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 200);
}

#[test]
fn both_directions_at_once_on_many_streams() {
    let mut sim = pair(Link::lossy(15 * MS, 0.05), 10);
    connect_both(&mut sim);
    let mut sent = 0usize;
    let ok = sim.run_until(Duration::from_secs(120), |now, a, b| {
        while sent < 400 {
            let s = (sent % 8) as u16;
            let data = payload(sent, 700);
            if !a.send(now, s, 51, &data, SendOptions::default())
                || !b.send(now, s, 53, &data, SendOptions::default())
            {
                break;
            }
            sent += 1;
        }
        a.messages.len() == 400 && b.messages.len() == 400
    });
    assert!(ok);
    assert_eq!(sim.a.assoc.stats().messages_received, 400);
    assert_eq!(sim.b.assoc.stats().messages_received, 400);
    for side in [&sim.a.messages, &sim.b.messages] {
        for stream in 0..8u16 {
            let got: Vec<_> = side.iter().filter(|m| m.stream_id == stream).collect();
            assert_eq!(got.len(), 50);
            for (k, m) in got.iter().enumerate() {
                assert_eq!(m.data, payload(k * 8 + stream as usize, 700));
            }
        }
    }
}

#[test]
fn max_retransmits_zero_drops_under_loss_and_never_corrupts() {
    let mut sim = pair(Link::lossy(20 * MS, 0.2), 11);
    connect_both(&mut sim);
    let opts = SendOptions {
        unordered: false,
        reliability: Reliability::MaxRetransmits(0),
    };
    let mut sent = 0;
    sim.run_until(Duration::from_secs(20), |now, a, _| {
        while sent < 300 && a.send(now, 5, 53, &payload(sent, 2000), opts) {
            sent += 1;
        }
        false
    });
    assert_eq!(sent, 300);
    let got = &sim.b.messages;
    assert!(got.len() < 300, "some must be dropped at 20% loss");
    assert!(
        got.len() > 100,
        "got {} stats {:?} buffered {}",
        got.len(),
        sim.a.assoc.stats(),
        sim.a.assoc.total_buffered_amount()
    );
    let mut last = None;
    for m in got {
        let i = u32::from_be_bytes([m.data[0], m.data[1], m.data[2], m.data[3]]) as usize;
        assert_eq!(m.data, payload(i, 2000), "corrupted");
        assert!(
            last.map_or(true, |l| i > l),
            "ordered stream went backwards"
        );
        last = Some(i);
    }
    // Afterwards the stream is still usable reliably and in order.
    sim.b.messages.clear();
    transfer(
        &mut sim,
        50,
        100,
        6,
        SendOptions::default(),
        Duration::from_secs(60),
    )
    .expect("after");
    let after: Vec<_> = sim.b.messages.iter().filter(|m| m.stream_id == 6).collect();
    assert_eq!(after.len(), 50);
}

#[test]
fn lifetime_limit_abandons_old_messages() {
    let mut sim = pair(Link::lossy(50 * MS, 0.2), 12);
    connect_both(&mut sim);
    let opts = SendOptions {
        unordered: true,
        reliability: Reliability::MaxLifetime(Duration::from_millis(150)),
    };
    let mut sent = 0;
    let mut next = sim.now;
    sim.run_until(Duration::from_secs(20), |now, a, _| {
        // Two messages every 30 ms; lost ones cannot be repaired in time.
        while sent < 200 && now >= next {
            for _ in 0..2 {
                assert!(a.send(now, 7, 53, &payload(sent, 1000), opts));
                sent += 1;
            }
            next += Duration::from_millis(30);
        }
        false
    });
    assert_eq!(sent, 200);
    let got = sim.b.messages.len();
    assert!(got < 200 && got > 20, "got {got}");
    assert_eq!(sim.a.assoc.total_buffered_amount(), 0);
    for m in &sim.b.messages {
        let i = u32::from_be_bytes([m.data[0], m.data[1], m.data[2], m.data[3]]) as usize;
        assert_eq!(m.data, payload(i, 1000));
    }
}

#[test]
fn stream_reset_mid_transfer() {
    let mut sim = pair(Link::lossy(10 * MS, 0.05), 13);
    connect_both(&mut sim);
    let now = sim.now;
    for i in 0..100 {
        assert!(sim
            .a
            .send(now, 3, 51, &payload(i, 1000), SendOptions::default()));
    }
    sim.a.assoc.reset_streams(now, &[3]).unwrap();
    assert!(sim
        .a
        .assoc
        .send(now, 3, 51, vec![1], SendOptions::default())
        .is_err());
    assert!(sim.run_until(Duration::from_secs(60), |_, a, b| {
        a.events
            .iter()
            .any(|e| matches!(e, SctpEvent::OutgoingStreamsReset { .. }))
            && b.events
                .iter()
                .any(|e| matches!(e, SctpEvent::IncomingStreamsReset { .. }))
    }));
    check_in_order(&sim.b.messages, 100, 1000);
    // The stream is reused from SSN 0: new messages arrive in order.
    sim.b.messages.clear();
    transfer(
        &mut sim,
        30,
        1000,
        3,
        SendOptions::default(),
        Duration::from_secs(60),
    )
    .expect("after reset");
    check_in_order(&sim.b.messages, 30, 1000);
}

#[test]
fn receive_window_is_driven_by_reading() {
    let mut sim = pair(Link::clean(5 * MS), 14);
    connect_both(&mut sim);
    sim.b.reading = false;
    let mut sent = 0;
    sim.run_until(Duration::from_secs(5), |now, a, _| {
        while sent < 2000 && a.send(now, 1, 53, &payload(sent, 1000), SendOptions::default()) {
            sent += 1;
        }
        false
    });
    // The window (1 MiB) stops the sender; nothing was lost.
    assert!(sim.a.assoc.total_buffered_amount() > 0);
    assert_eq!(sim.b.assoc.stats().chunks_dropped, 0);
    sim.b.reading = true;
    assert!(sim.run_until(Duration::from_secs(60), |now, a, b| {
        while sent < 2000 && a.send(now, 1, 53, &payload(sent, 1000), SendOptions::default()) {
            sent += 1;
        }
        b.messages.len() == 2000
    }));
    check_in_order(&sim.b.messages, 2000, 1000);
}

#[test]
fn a_lost_window_update_is_recovered_by_window_probing() {
    let mut sim = pair(Link::clean(5 * MS), 21);
    connect_both(&mut sim);
    sim.b.reading = false;
    let mut sent = 0;
    let mut feed = |now, a: &mut Ours| {
        while sent < 2000 && a.send(now, 1, 53, &payload(sent, 1000), SendOptions::default()) {
            sent += 1;
        }
    };
    sim.run_until(Duration::from_secs(5), |now, a, _| {
        feed(now, a);
        false
    });
    assert!(
        sim.a.assoc.total_buffered_amount() > 0,
        "the window never closed"
    );
    // The application reads, but the window update (and every SACK for a
    // while) is lost: only the sender's probing can reopen the flow.
    sim.b_to_a.loss = 1.0;
    sim.b.reading = true;
    sim.run_until(Duration::from_millis(500), |now, a, _| {
        feed(now, a);
        false
    });
    sim.b_to_a.loss = 0.0;
    assert!(
        sim.run_until(Duration::from_secs(60), |now, a, b| {
            feed(now, a);
            b.messages.len() == 2000
        }),
        "stalled after a lost window update: {} of 2000",
        sim.b.messages.len()
    );
    check_in_order(&sim.b.messages, 2000, 1000);
}

#[test]
fn buffered_amount_low_fires() {
    let mut sim = pair(Link::clean(5 * MS), 15);
    connect_both(&mut sim);
    let now = sim.now;
    sim.a.assoc.set_buffered_amount_low_threshold(2, 10_000);
    for i in 0..100 {
        sim.a
            .send(now, 2, 53, &payload(i, 1000), SendOptions::default());
    }
    assert_eq!(sim.a.assoc.buffered_amount(2), 100_000);
    assert!(sim.run_until(Duration::from_secs(10), |_, a, _| {
        a.events
            .contains(&SctpEvent::BufferedAmountLow { stream_id: 2 })
    }));
    assert!(sim.a.assoc.buffered_amount(2) <= 10_000);
}

#[test]
fn graceful_shutdown_delivers_everything_first() {
    let mut sim = pair(Link::lossy(10 * MS, 0.1), 16);
    connect_both(&mut sim);
    let now = sim.now;
    for i in 0..50 {
        assert!(sim
            .a
            .send(now, 0, 51, &payload(i, 3000), SendOptions::default()));
    }
    sim.a.assoc.shutdown(now).unwrap();
    assert!(sim
        .a
        .assoc
        .send(now, 0, 51, vec![1], SendOptions::default())
        .is_err());
    assert!(sim.run_until(Duration::from_secs(60), |_, a, b| {
        a.assoc.state() == AssociationState::Closed && b.assoc.state() == AssociationState::Closed
    }));
    check_in_order(&sim.b.messages, 50, 3000);
    assert!(sim
        .a
        .events
        .contains(&SctpEvent::Closed(CloseReason::Shutdown)));
    assert!(sim
        .b
        .events
        .contains(&SctpEvent::Closed(CloseReason::Shutdown)));
}

#[test]
fn abort_closes_both() {
    let mut sim = pair(Link::clean(10 * MS), 17);
    connect_both(&mut sim);
    let now = sim.now;
    sim.a.assoc.abort(now);
    assert!(
        sim.run_until(Duration::from_secs(1), |_, _, b| b.assoc.state()
            == AssociationState::Closed)
    );
    assert!(sim
        .b
        .events
        .contains(&SctpEvent::Closed(CloseReason::PeerAbort)));
}

#[test]
fn dead_peer_times_out() {
    let mut sim = pair(Link::clean(10 * MS), 18);
    connect_both(&mut sim);
    sim.a_to_b.loss = 1.0;
    sim.b_to_a.loss = 1.0;
    let now = sim.now;
    sim.a.send(now, 0, 51, b"x", SendOptions::default());
    assert!(
        sim.run_until(Duration::from_secs(3600), |_, a, _| a.assoc.state()
            == AssociationState::Closed)
    );
    assert!(sim
        .a
        .events
        .contains(&SctpEvent::Closed(CloseReason::Timeout)));
}

#[test]
fn zero_checksum_is_used_only_when_both_accept() {
    for (za, zb, expect_zero) in [
        (true, true, true),
        (true, false, false),
        (false, true, false),
    ] {
        let now = Instant::now();
        let a = Ours::new(
            SctpConfig {
                zero_checksum: za,
                ..SctpConfig::default()
            },
            1,
            now,
        );
        let b = Ours::new(
            SctpConfig {
                zero_checksum: zb,
                ..SctpConfig::default()
            },
            2,
            now,
        );
        let mut sim = Sim::new(a, b, now, Link::clean(MS), Link::clean(MS), 3);
        connect_both(&mut sim);
        let now = sim.now;
        sim.a.send(now, 0, 51, b"hi", SendOptions::default());
        let mut out = Vec::new();
        sim.a.drain(now, &mut out);
        assert!(!out.is_empty());
        let zero = out.iter().all(|p| p[8..12] == [0, 0, 0, 0]);
        assert_eq!(zero, expect_zero, "{za} {zb}");
        for p in &out {
            sim.b.handle_receive(now, p);
        }
        sim.b.read_all();
        assert_eq!(sim.b.messages.len(), 1);
    }
}

#[test]
fn same_seed_same_trace() {
    fn trace(seed: u64) -> (Vec<u8>, Duration) {
        let mut sim = pair(Link::lossy(20 * MS, 0.1), seed);
        connect_both(&mut sim);
        let t = transfer(
            &mut sim,
            100,
            1500,
            1,
            SendOptions::default(),
            Duration::from_secs(120),
        )
        .unwrap();
        let mut h = Vec::new();
        for m in &sim.b.messages {
            h.extend_from_slice(&m.data[..4]);
        }
        h.extend_from_slice(&sim.a.assoc.stats().retransmitted_chunks.to_be_bytes());
        (h, t)
    }
    assert_eq!(trace(21), trace(21));
}
