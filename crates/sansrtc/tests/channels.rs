//! Data channels end to end between two connections: every reliability
//! type, large messages, remote-opened channels, negotiated channels, the
//! remote's max-message-size, buffered amounts and closing.

mod common;

use std::time::Duration;

use common::Pair;
use sansrtc::*;

fn open_pair() -> Pair {
    Pair::connected("first").0
}

#[test]
fn every_reliability_type_and_a_256_kib_message() {
    let mut p = open_pair();
    let now = p.now;
    let mut inits = vec![DataChannelInit::new("reliable")];
    let mut unordered = DataChannelInit::new("unordered");
    unordered.ordered = false;
    inits.push(unordered);
    let mut rexmit = DataChannelInit::new("rexmit");
    rexmit.max_retransmits = Some(0);
    rexmit.ordered = false;
    inits.push(rexmit);
    let mut lifetime = DataChannelInit::new("lifetime");
    lifetime.max_packet_life_time = Some(500);
    lifetime.protocol = "chat".into();
    lifetime.priority = Priority::High;
    inits.push(lifetime);
    let channels: Vec<ChannelId> = inits
        .into_iter()
        .map(|i| p.a.create_data_channel(now, i).unwrap())
        .collect();
    assert!(
        p.run_until(Duration::from_secs(5), |p| Pair::opened(&p.events_a).len()
            == 5
            && Pair::opened(&p.events_b).len() == 5)
    );
    // b was told of each channel with its attributes.
    let announced: Vec<ChannelId> = p
        .events_b
        .iter()
        .filter_map(|e| match e {
            PeerEvent::DataChannel(DataChannelEvent::DataChannel(c)) => Some(*c),
            _ => None,
        })
        .collect();
    assert_eq!(announced.len(), 5);
    let labels: Vec<String> = announced
        .iter()
        .map(|c| p.b.data_channel(*c).unwrap().label.clone())
        .collect();
    assert_eq!(
        labels,
        ["first", "reliable", "unordered", "rexmit", "lifetime"]
    );
    let lifetime_b = p.b.data_channel(announced[4]).unwrap();
    assert_eq!(lifetime_b.protocol, "chat");
    assert!(!p.b.data_channel(announced[2]).unwrap().ordered);
    let big: Vec<u8> = (0..256 * 1024).map(|i| (i % 251) as u8).collect();
    for (i, c) in channels.iter().enumerate() {
        let now = p.now;
        p.a.send(now, *c, DataChannelMessage::Text(format!("hello {i}")))
            .unwrap();
        p.a.send(now, *c, DataChannelMessage::Binary(big.clone().into()))
            .unwrap();
    }
    assert!(
        p.run_until(Duration::from_secs(20), |p| Pair::messages(&p.events_b)
            .len()
            == 8)
    );
    let got = Pair::messages(&p.events_b);
    for (i, c) in announced[1..].iter().enumerate() {
        let on: Vec<&DataChannelMessage> = got
            .iter()
            .filter(|(ch, _)| ch == c)
            .map(|(_, m)| m)
            .collect();
        assert_eq!(on.len(), 2, "channel {i}");
        assert!(on.contains(&&DataChannelMessage::Text(format!("hello {i}"))));
        assert!(on.contains(&&DataChannelMessage::Binary(big.clone().into())));
    }
}

#[test]
fn a_message_over_the_remote_max_message_size_is_a_type_error() {
    let mut p = Pair::new();
    let now = p.now;
    let chat =
        p.a.create_data_channel(now, DataChannelInit::new("chat"))
            .unwrap();
    p.offer_to_b();
    let small = p
        .answer_from_b()
        .sdp
        .replace("a=max-message-size:262144", "a=max-message-size:1000");
    p.a.set_remote_description(now, RtcSessionDescription::answer(small))
        .unwrap();
    assert!(
        p.run_until(Duration::from_secs(10), |p| !Pair::opened(&p.events_a)
            .is_empty())
    );
    let now = p.now;
    let err =
        p.a.send(now, chat, DataChannelMessage::Binary(vec![0; 1001].into()))
            .unwrap_err();
    assert_eq!(err.dom_name(), "TypeError");
    p.a.send(now, chat, DataChannelMessage::Binary(vec![0; 1000].into()))
        .unwrap();
}

#[test]
fn negotiated_channels_need_no_dcep_and_invalid_inits_are_type_errors() {
    let mut p = Pair::new();
    let now = p.now;
    let mut init = DataChannelInit::new("agreed");
    init.negotiated = true;
    init.id = Some(7);
    let ca = p.a.create_data_channel(now, init.clone()).unwrap();
    let cb = p.b.create_data_channel(now, init).unwrap();
    let mut both = DataChannelInit::new("bad");
    both.max_retransmits = Some(1);
    both.max_packet_life_time = Some(1);
    assert_eq!(
        p.a.create_data_channel(now, both).unwrap_err().dom_name(),
        "TypeError"
    );
    let mut no_id = DataChannelInit::new("bad");
    no_id.negotiated = true;
    assert_eq!(
        p.a.create_data_channel(now, no_id).unwrap_err().dom_name(),
        "TypeError"
    );
    let long = DataChannelInit::new("x".repeat(65536));
    assert_eq!(
        p.a.create_data_channel(now, long).unwrap_err().dom_name(),
        "TypeError"
    );
    p.negotiate();
    assert!(p.run_until(Duration::from_secs(10), |p| {
        Pair::opened(&p.events_a).contains(&ca) && Pair::opened(&p.events_b).contains(&cb)
    }));
    let now = p.now;
    p.b.send(now, cb, DataChannelMessage::Text("agreed".into()))
        .unwrap();
    assert!(
        p.run_until(Duration::from_secs(5), |p| !Pair::messages(&p.events_a)
            .is_empty())
    );
    assert_eq!(
        Pair::messages(&p.events_a)[0],
        (ca, DataChannelMessage::Text("agreed".into()))
    );
    assert_eq!(p.a.data_channel(ca).unwrap().id, Some(7));
}

#[test]
fn buffered_amount_low_and_close_events() {
    let mut p = open_pair();
    let chat = Pair::opened(&p.events_a)[0];
    let now = p.now;
    p.a.set_buffered_amount_low_threshold(chat, 1000).unwrap();
    for _ in 0..20 {
        p.a.send(
            now,
            chat,
            DataChannelMessage::Binary(vec![1; 16 * 1024].into()),
        )
        .unwrap();
    }
    assert!(p.a.buffered_amount(chat).unwrap() > 1000);
    assert!(p.run_until(Duration::from_secs(10), |p| p
        .events_a
        .iter()
        .any(|e| matches!(e, PeerEvent::DataChannel(DataChannelEvent::BufferedAmountLow(c)) if *c == chat))));
    assert!(p.a.buffered_amount(chat).unwrap() <= 1000);
    let now = p.now;
    p.a.close_channel(now, chat).unwrap();
    assert!(p.run_until(Duration::from_secs(5), |p| {
        p.events_a
            .iter()
            .any(|e| matches!(e, PeerEvent::DataChannel(DataChannelEvent::Close(c)) if *c == chat))
            && p.events_b
                .iter()
                .any(|e| matches!(e, PeerEvent::DataChannel(DataChannelEvent::Close(_))))
    }));
    assert!(p
        .events_b
        .iter()
        .any(|e| matches!(e, PeerEvent::DataChannel(DataChannelEvent::Closing(_)))));
    let now = p.now;
    assert_eq!(
        p.a.send(now, chat, DataChannelMessage::Text("late".into()))
            .unwrap_err()
            .dom_name(),
        "InvalidStateError"
    );
}

#[test]
fn early_dtls_before_the_answer_is_kept() {
    // b (the answerer, DTLS client) finds a valid pair and sends its
    // ClientHello before a applies the answer; a keeps it and answers as
    // soon as the answer creates its DTLS endpoint.
    let mut p = Pair::new();
    let now = p.now;
    p.a.create_data_channel(now, DataChannelInit::new("early"))
        .unwrap();
    p.offer_to_b();
    let answer = p.answer_from_b();
    p.run_until(Duration::from_millis(300), |p| {
        p.a.transport_stats().early_dtls_kept > 0
    });
    let kept = p.a.transport_stats().early_dtls_kept;
    assert!(kept > 0, "the ClientHello arrived before the answer");
    let now = p.now;
    p.a.set_remote_description(now, answer).unwrap();
    assert!(p.run_until(Duration::from_secs(10), |p| {
        !Pair::opened(&p.events_a).is_empty()
    }));
    assert_eq!(p.a.transport_stats().early_dtls_dropped, 0);
    // No retransmission was needed: the kept ClientHello was answered.
    assert_eq!(p.b.dtls_stats().unwrap().retransmissions, 0);
}

#[test]
fn closing_the_connection_closes_everything_and_refuses_calls() {
    let mut p = open_pair();
    let now = p.now;
    p.a.close(now);
    assert_eq!(p.a.signaling_state(), SignalingState::Closed);
    assert_eq!(p.a.connection_state(), PeerConnectionState::Closed);
    assert_eq!(
        p.a.create_offer(now).unwrap_err().dom_name(),
        "InvalidStateError"
    );
    assert_eq!(
        p.a.create_data_channel(now, DataChannelInit::new("x"))
            .unwrap_err()
            .dom_name(),
        "InvalidStateError"
    );
    p.run_until(Duration::from_secs(2), |_| false);
    // b learns of it: its channel closes.
    assert!(p
        .events_b
        .iter()
        .any(|e| matches!(e, PeerEvent::DataChannel(DataChannelEvent::Close(_)))));
}

/// Receive backpressure: while b pauses delivery, its SCTP window closes
/// and a stops at it (a's messages wait in its own send buffer); SACKs and
/// everything else go on for a minute (longer than SCTP's retransmission
/// limit: zero-window probes are answered, nothing is given up), nothing
/// reaches b's application, and b's own sending is not paused. Resumed,
/// every message arrives, in order.
#[test]
fn paused_delivery_closes_the_window_and_loses_nothing() {
    let (mut p, channel) = Pair::connected("paused");
    let b_channel =
        p.b.data_channels()
            .next()
            .map(|c| c.channel)
            .expect("b has the channel");
    p.b.set_data_channels_paused(p.now, true);
    assert!(p.b.data_channels_paused());
    const SIZE: usize = 16 * 1024;
    let message = |i: u32| DataChannelMessage::Binary(vec![(i % 251) as u8; SIZE].into());
    let total = 256u32; // 4 MiB: four times the receive window
    let mut sent = 0u32;
    let before_b = Pair::messages(&p.events_b).len();
    let before_a = Pair::messages(&p.events_a).len();
    for step in 0..600 {
        while sent < total && p.a.send(p.now, channel, message(sent)).is_ok() {
            sent += 1;
        }
        if step == 10 {
            p.b.send(p.now, b_channel, DataChannelMessage::Text("from b".into()))
                .unwrap();
        }
        p.run_for(Duration::from_millis(100));
    }
    assert_eq!(
        Pair::messages(&p.events_b).len(),
        before_b,
        "nothing delivered while paused"
    );
    assert_eq!(
        Pair::messages(&p.events_a)[before_a..]
            .iter()
            .map(|(_, m)| m.clone())
            .collect::<Vec<_>>(),
        vec![DataChannelMessage::Text("from b".into())],
        "b's sending goes on"
    );
    for pc in [&p.a, &p.b] {
        assert_eq!(pc.connection_state(), PeerConnectionState::Connected);
    }
    assert_eq!(
        p.a.data_channel(channel).map(|c| c.state),
        Some(DataChannelState::Open)
    );
    let buffered = p.a.buffered_amount(channel).unwrap();
    let left_a = u64::from(sent) * SIZE as u64 - buffered;
    assert!(buffered > 0, "the window stopped a");
    // What b holds is bounded by its receiver: the window (1 MiB), and
    // in-order chunks up to twice the window (zero-window probes, and the
    // rest of a message partly held, RFC 9260 §6.2).
    assert!(
        left_a <= 2_200_000,
        "at most twice the window left a: {left_a} bytes"
    );

    p.b.set_data_channels_paused(p.now, false);
    assert!(!p.b.data_channels_paused());
    let deadline = p.now + Duration::from_secs(60);
    while Pair::messages(&p.events_b).len() - before_b < total as usize && p.now < deadline {
        while sent < total && p.a.send(p.now, channel, message(sent)).is_ok() {
            sent += 1;
        }
        p.run_for(Duration::from_millis(50));
    }
    let received: Vec<DataChannelMessage> = Pair::messages(&p.events_b)[before_b..]
        .iter()
        .map(|(_, m)| m.clone())
        .collect();
    assert_eq!(received.len(), total as usize);
    for (i, m) in received.into_iter().enumerate() {
        assert_eq!(m, message(i as u32), "message {i} in order and intact");
    }
}

/// A read budget delivers that many bytes of messages (the last one may
/// pass it by its own size), then holds the rest in SCTP until the next.
#[test]
fn a_read_budget_delivers_so_much_and_holds_the_rest() {
    let (mut p, channel) = Pair::connected("budget");
    const SIZE: usize = 4096;
    let message = |i: u8| DataChannelMessage::Binary(vec![i; SIZE].into());
    p.b.set_data_channel_read_budget(p.now, Some(0));
    let before = Pair::messages(&p.events_b).len();
    for i in 0..10 {
        p.a.send(p.now, channel, message(i)).unwrap();
    }
    p.run_for(Duration::from_secs(2));
    assert_eq!(Pair::messages(&p.events_b).len(), before);
    // Two messages and one byte: the third is taken while one byte is left.
    p.b.set_data_channel_read_budget(p.now, Some(2 * SIZE + 1));
    p.run_for(Duration::from_secs(2));
    assert_eq!(Pair::messages(&p.events_b).len() - before, 3);
    assert_eq!(p.b.data_channel_read_budget(), Some(0));
    // No limit: the rest, in order.
    p.b.set_data_channel_read_budget(p.now, None);
    p.run_for(Duration::from_secs(2));
    let got: Vec<DataChannelMessage> = Pair::messages(&p.events_b)[before..]
        .iter()
        .map(|(_, m)| m.clone())
        .collect();
    assert_eq!(got, (0..10).map(message).collect::<Vec<_>>());
}

/// A channel the remote closes while its last messages wait behind a
/// paused delivery closes only after them; a channel with nothing waiting
/// closes at once, paused or not.
#[test]
fn a_remote_close_waits_behind_the_unread_messages_of_its_channel_only() {
    let (mut p, first) = Pair::connected("first");
    let second =
        p.a.create_data_channel(p.now, DataChannelInit::new("second"))
            .unwrap();
    assert!(
        p.run_until(Duration::from_secs(5), |p| Pair::opened(&p.events_a)
            .contains(&second))
    );
    let on_b = |p: &Pair, label: &str| {
        p.b.data_channels()
            .find(|c| c.label == label)
            .map(|c| c.channel)
            .unwrap()
    };
    let (b_first, b_second) = (on_b(&p, "first"), on_b(&p, "second"));
    p.b.set_data_channels_paused(p.now, true);
    let mark = p.events_b.len();
    p.a.send(p.now, first, DataChannelMessage::Text("last words".into()))
        .unwrap();
    p.run_for(Duration::from_millis(500));
    p.a.close_channel(p.now, first).unwrap();
    p.a.close_channel(p.now, second).unwrap();
    p.run_for(Duration::from_secs(2));
    let closed = |events: &[PeerEvent], channel| {
        events.iter().position(
            |e| matches!(e, PeerEvent::DataChannel(DataChannelEvent::Close(c)) if *c == channel),
        )
    };
    // The second channel had nothing waiting: closed while paused.
    assert!(closed(&p.events_b[mark..], b_second).is_some());
    assert!(
        closed(&p.events_b[mark..], b_first).is_none(),
        "closed before its message"
    );
    p.b.set_data_channels_paused(p.now, false);
    p.run_for(Duration::from_secs(2));
    let events = &p.events_b[mark..];
    let message = events
        .iter()
        .position(|e| matches!(e, PeerEvent::DataChannel(DataChannelEvent::Message { channel, .. }) if *channel == b_first))
        .expect("the last message delivered");
    let close = closed(events, b_first).expect("then the channel closed");
    assert!(message < close);
}
