//! Data channels over our SCTP association (`SctpTransport`), two ends joined
//! by a seeded lossy link with a simulated clock.

mod support;

use std::time::Duration;

use sansrtc_datachannel::*;
use support::{Link, Pair};

fn text(s: &str) -> DataChannelMessage {
    DataChannelMessage::Text(s.into())
}

/// Opens a channel from `a`, waits until `b` announces it.
fn open(p: &mut Pair, init: DataChannelInit) -> (ChannelId, ChannelId) {
    let before = Pair::announced(&p.b_events).len();
    let ours = p.a.create_data_channel(init).unwrap();
    p.drain();
    let ok = p.run_until(Duration::from_secs(60), |p| {
        Pair::announced(&p.b_events).len() > before
    });
    assert!(ok, "remote never announced the channel");
    (ours, *Pair::announced(&p.b_events).last().unwrap())
}

fn open_echo_close(seed: u64, link: Link) {
    let mut p = Pair::new(seed, link, DataChannelConfig::default());
    let (a_ch, b_ch) = open(&mut p, DataChannelInit::new("echo"));
    let now = p.now;
    for i in 0..20 {
        p.a.send(now, a_ch, text(&format!("ping {i}"))).unwrap();
    }
    p.drain();
    let got = p.run_until(Duration::from_secs(120), |p| {
        Pair::messages(&p.b_events, Some(b_ch)).len() == 20
    });
    assert!(
        got,
        "seed {seed}: only {} of 20 arrived",
        Pair::messages(&p.b_events, Some(b_ch)).len()
    );
    // Reliable and ordered: exactly once, in order.
    let want: Vec<_> = (0..20).map(|i| text(&format!("ping {i}"))).collect();
    assert_eq!(Pair::messages(&p.b_events, Some(b_ch)), want, "seed {seed}");
    // Echo back.
    let now = p.now;
    for m in want.clone() {
        p.b.send(now, b_ch, m).unwrap();
    }
    p.drain();
    assert!(p.run_until(Duration::from_secs(120), |p| Pair::messages(
        &p.a_events,
        Some(a_ch)
    )
    .len()
        == 20));
    assert_eq!(Pair::messages(&p.a_events, Some(a_ch)), want);
    // Close from a: both ends see `close`.
    let now = p.now;
    p.a.close_channel(now, a_ch).unwrap();
    p.drain();
    let closed = p.run_until(Duration::from_secs(120), |p| {
        p.a_events.contains(&DataChannelEvent::Close(a_ch))
            && p.b_events.contains(&DataChannelEvent::Close(b_ch))
    });
    assert!(closed, "seed {seed}: close did not complete");
    assert!(p.b_events.contains(&DataChannelEvent::Closing(b_ch)));
}

#[test]
fn open_echo_close_lossless() {
    open_echo_close(1, Link::lossless());
}

#[test]
fn open_echo_close_at_5_percent_loss() {
    for seed in 0..4 {
        open_echo_close(seed, Link::lossy(0.05));
    }
}

#[test]
fn open_echo_close_at_20_percent_loss() {
    for seed in 10..14 {
        open_echo_close(seed, Link::lossy(0.20));
    }
}

#[test]
fn messages_of_256_kib_both_ways() {
    let mut p = Pair::new(3, Link::lossy(0.02), DataChannelConfig::default());
    p.a.set_remote_max_message_size(Some(256 * 1024));
    p.b.set_remote_max_message_size(Some(256 * 1024));
    let (a_ch, b_ch) = open(&mut p, DataChannelInit::new("big"));
    let big: Vec<u8> = (0..256 * 1024u32).map(|i| (i * 7 % 253) as u8).collect();
    let now = p.now;
    p.a.send(now, a_ch, DataChannelMessage::Binary(big.clone().into()))
        .unwrap();
    p.b.send(now, b_ch, DataChannelMessage::Binary(big.clone().into()))
        .unwrap();
    p.drain();
    let ok = p.run_until(Duration::from_secs(300), |p| {
        Pair::messages(&p.b_events, Some(b_ch)).len() == 1
            && Pair::messages(&p.a_events, Some(a_ch)).len() == 1
    });
    assert!(ok);
    assert_eq!(
        Pair::messages(&p.b_events, Some(b_ch)),
        vec![DataChannelMessage::Binary(big.clone().into())]
    );
    assert_eq!(
        Pair::messages(&p.a_events, Some(a_ch)),
        vec![DataChannelMessage::Binary(big.into())]
    );
    // One byte over the remote's limit is a TypeError.
    let err =
        p.a.send(
            p.now,
            a_ch,
            DataChannelMessage::Binary(vec![0; 256 * 1024 + 1].into()),
        )
        .unwrap_err();
    assert_eq!(err.dom_name(), "TypeError");
}

#[test]
fn many_channels_at_once() {
    let mut p = Pair::new(4, Link::lossy(0.05), DataChannelConfig::default());
    let ours: Vec<ChannelId> = (0..40)
        .map(|i| {
            p.a.create_data_channel(DataChannelInit::new(format!("c{i}")))
                .unwrap()
        })
        .collect();
    p.drain();
    assert!(
        p.run_until(Duration::from_secs(60), |p| Pair::announced(&p.b_events)
            .len()
            == 40)
    );
    let now = p.now;
    for (i, ch) in ours.iter().enumerate() {
        p.a.send(now, *ch, text(&format!("on {i}"))).unwrap();
    }
    p.drain();
    assert!(p.run_until(Duration::from_secs(120), |p| Pair::messages(
        &p.b_events,
        None
    )
    .len()
        == 40));
    // Each remote channel got exactly the message sent on its peer.
    for remote in Pair::announced(&p.b_events) {
        let label = p.b.channels().channel(remote).unwrap().label.clone();
        let i = label.trim_start_matches('c');
        assert_eq!(
            Pair::messages(&p.b_events, Some(remote)),
            vec![text(&format!("on {i}"))]
        );
    }
}

#[test]
fn negotiated_channels_carry_data_without_dcep() {
    let mut p = Pair::new(5, Link::lossless(), DataChannelConfig::default());
    let mut init = DataChannelInit::new("neg");
    init.negotiated = true;
    init.id = Some(42);
    let a_ch = p.a.create_data_channel(init.clone()).unwrap();
    let b_ch = p.b.create_data_channel(init).unwrap();
    p.drain();
    assert!(p.run_until(Duration::from_secs(10), |p| p
        .a_events
        .contains(&DataChannelEvent::Open(a_ch))
        && p.b_events.contains(&DataChannelEvent::Open(b_ch))));
    let now = p.now;
    p.a.send(now, a_ch, text("hello 42")).unwrap();
    p.drain();
    assert!(p.run_until(Duration::from_secs(10), |p| !Pair::messages(
        &p.b_events,
        Some(b_ch)
    )
    .is_empty()));
    assert!(
        Pair::announced(&p.b_events).is_empty(),
        "negotiated channels are not announced"
    );
    assert_eq!(p.b.channels().stats().dropped_dcep, 0);
}

#[test]
fn unordered_partial_reliability_drops_but_never_corrupts() {
    let mut p = Pair::new(6, Link::lossy(0.20), DataChannelConfig::default());
    let mut init = DataChannelInit::new("lossy");
    init.ordered = false;
    init.max_retransmits = Some(0);
    let (a_ch, b_ch) = open(&mut p, init);
    let sent: Vec<DataChannelMessage> = (0..200u32)
        .map(|i| {
            DataChannelMessage::Binary(
                [i.to_be_bytes().as_slice(), &[i as u8; 300]]
                    .concat()
                    .into(),
            )
        })
        .collect();
    for m in &sent {
        let now = p.now;
        p.a.send(now, a_ch, m.clone()).unwrap();
        p.drain();
        p.run_until(Duration::from_millis(5), |_| false);
    }
    p.run_until(Duration::from_secs(30), |_| false);
    let got = Pair::messages(&p.b_events, Some(b_ch));
    // Some were given up (20 % loss, no retransmission), none duplicated,
    // every delivered one intact.
    assert!(
        got.len() < sent.len(),
        "nothing was dropped at 20 % loss without retransmissions"
    );
    assert!(got.len() > sent.len() / 2, "too few arrived: {}", got.len());
    let mut seen = std::collections::BTreeSet::new();
    for m in &got {
        assert!(sent.contains(m), "a corrupted message arrived");
        assert!(seen.insert(format!("{m:?}")), "a message arrived twice");
    }
}

#[test]
fn close_and_reopen_reuses_the_stream() {
    let mut p = Pair::new(7, Link::lossless(), DataChannelConfig::default());
    let (a_ch, b_ch) = open(&mut p, DataChannelInit::new("first"));
    let first_id = p.a.channels().channel(a_ch).unwrap().id;
    let now = p.now;
    p.a.close_channel(now, a_ch).unwrap();
    p.drain();
    assert!(p.run_until(Duration::from_secs(10), |p| p
        .b_events
        .contains(&DataChannelEvent::Close(b_ch))
        && p.a_events.contains(&DataChannelEvent::Close(a_ch))));
    let (a2, b2) = open(&mut p, DataChannelInit::new("second"));
    assert_eq!(p.a.channels().channel(a2).unwrap().id, first_id);
    let now = p.now;
    p.a.send(now, a2, text("again")).unwrap();
    p.drain();
    assert!(p.run_until(Duration::from_secs(10), |p| !Pair::messages(
        &p.b_events,
        Some(b2)
    )
    .is_empty()));
    assert_eq!(Pair::messages(&p.b_events, Some(b2)), vec![text("again")]);
}

#[test]
fn backpressure_before_memory_grows() {
    let config = DataChannelConfig {
        max_buffered_amount: 64 * 1024,
        ..DataChannelConfig::default()
    };
    let mut p = Pair::new(8, Link::lossless(), config);
    let (a_ch, b_ch) = open(&mut p, DataChannelInit::new("bp"));
    p.a.set_buffered_amount_low_threshold(a_ch, 8 * 1024)
        .unwrap();
    let now = p.now;
    let mut accepted = 0;
    let err = loop {
        match p
            .a
            .send(now, a_ch, DataChannelMessage::Binary(vec![1; 1000].into()))
        {
            Ok(()) => accepted += 1,
            Err(e) => break e,
        }
        assert!(accepted < 1000, "no backpressure");
    };
    assert_eq!(err.dom_name(), "OperationError");
    assert!(p.a.buffered_amount(a_ch).unwrap() > 8 * 1024);
    p.drain();
    assert!(p.run_until(Duration::from_secs(30), |p| p
        .a_events
        .contains(&DataChannelEvent::BufferedAmountLow(a_ch))));
    // Everything accepted arrives.
    assert!(p.run_until(Duration::from_secs(60), |p| Pair::messages(
        &p.b_events,
        Some(b_ch)
    )
    .len()
        == accepted));
}

#[test]
fn closing_the_transport_closes_every_channel() {
    let mut p = Pair::new(9, Link::lossless(), DataChannelConfig::default());
    let (a1, b1) = open(&mut p, DataChannelInit::new("x"));
    let (a2, b2) = open(&mut p, DataChannelInit::new("y"));
    let now = p.now;
    p.a.close(now);
    p.drain();
    assert!(
        p.a_events.contains(&DataChannelEvent::Close(a1))
            && p.a_events.contains(&DataChannelEvent::Close(a2))
    );
    assert!(p.run_until(Duration::from_secs(30), |p| p
        .b_events
        .contains(&DataChannelEvent::Close(b1))
        && p.b_events.contains(&DataChannelEvent::Close(b2))));
}

#[test]
fn same_seed_same_run() {
    let run = |seed| {
        let mut p = Pair::new(seed, Link::lossy(0.1), DataChannelConfig::default());
        let (a_ch, _) = open(&mut p, DataChannelInit::new("d"));
        let now = p.now;
        for i in 0..10 {
            p.a.send(now, a_ch, text(&format!("{i}"))).unwrap();
        }
        p.drain();
        p.run_until(Duration::from_secs(20), |_| false);
        (p.packets_sent, format!("{:?}{:?}", p.a_events, p.b_events))
    };
    assert_eq!(run(11), run(11));
}
