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
