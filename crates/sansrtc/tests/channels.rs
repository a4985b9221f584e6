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
