//! Two connections in memory: offer/answer, ICE, DTLS, SCTP, a channel.

mod common;

use std::time::Duration;

use common::Pair;
use sansrtc::*;

#[test]
fn two_peers_open_a_channel_and_echo() {
    let mut p = Pair::new();
    let now = p.now;
    let chat =
        p.a.create_data_channel(now, DataChannelInit::new("chat"))
            .unwrap();
    p.negotiate();
    let ok = p.run_until(Duration::from_secs(10), |p| {
        !Pair::opened(&p.events_a).is_empty()
    });
    eprintln!("a: {:?}\nb: {:?}", p.events_a, p.events_b);
    eprintln!(
        "a stats {:?} ice {:?} dtls {:?}",
        p.a.transport_stats(),
        p.a.ice_stats(),
        p.a.dtls_stats()
    );
    eprintln!(
        "b stats {:?} ice {:?} dtls {:?}",
        p.b.transport_stats(),
        p.b.ice_stats(),
        p.b.dtls_stats()
    );
    assert!(ok, "channel did not open");
    p.a.send(p.now, chat, DataChannelMessage::Text("hello".into()))
        .unwrap();
    assert!(
        p.run_until(Duration::from_secs(5), |p| !Pair::messages(&p.events_b)
            .is_empty())
    );
    assert_eq!(
        Pair::messages(&p.events_b)[0].1,
        DataChannelMessage::Text("hello".into())
    );
    assert!(p.run_until(Duration::from_secs(5), |p| {
        p.a.connection_state() == PeerConnectionState::Connected
            && p.b.connection_state() == PeerConnectionState::Connected
    }));
    assert_eq!(p.b.connection_state(), PeerConnectionState::Connected);
}

/// W3C `icecandidate` order: every candidate of a gathering comes before
/// the `complete` gathering state and the null candidate (found by the
/// WHIP client, whose trickled fragment was empty: host gathering
/// finishes inside `setLocalDescription`, and the aggregate state used to
/// read the agent's live state before its candidate events were taken).
#[test]
fn candidates_come_before_the_end_of_gathering() {
    for trickle_from_b in [false, true] {
        let mut p = Pair::new();
        let now = p.now;
        p.a.create_data_channel(now, DataChannelInit::new("order"))
            .unwrap();
        let offer = p.a.create_offer(now).unwrap();
        p.a.set_local_description(now, offer).unwrap();
        if trickle_from_b {
            p.offer_to_b();
            let answer = p.answer_from_b();
            p.a.set_remote_description(now, answer).unwrap();
        }
        p.step();
        for events in [&p.events_a, &p.events_b] {
            let position = |f: &dyn Fn(&PeerEvent) -> bool| events.iter().position(f);
            let Some(end) = position(&|e| matches!(e, PeerEvent::IceCandidate(None))) else {
                continue;
            };
            let complete = position(&|e| {
                matches!(
                    e,
                    PeerEvent::IceGatheringStateChange(IceGatheringState::Complete)
                )
            })
            .expect("complete comes with the null candidate");
            let last = events
                .iter()
                .rposition(|e| matches!(e, PeerEvent::IceCandidate(Some(_))))
                .expect("a host candidate");
            assert!(last < complete && complete < end, "{events:#?}");
        }
    }
}
