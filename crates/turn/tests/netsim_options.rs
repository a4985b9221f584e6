//! Configuration options and lifecycle corners against netsim's TURN
//! server: an IPv6 relay, the requested lifetime, closing before an
//! allocation exists, and the stream-closed notification.

mod common;

use std::net::IpAddr;
use std::time::Duration;

use common::*;
use sansrtc_stun::attributes::Lifetime;
use sansrtc_stun::Message;
use sansrtc_turn::{TurnError, TurnEvent, TurnState, ERROR_SERVER_NOT_REACHABLE};

#[test]
fn ipv6_relay_carries_ipv6_peers_only() {
    let mut setup = Setup::new(61);
    setup.config.request_ipv6_relay = true;
    setup.server.relay.push(RELAY_IP6.parse().unwrap());
    let mut w = world(setup);
    let events = w.start_and_wait(Duration::from_secs(5));
    assert!(
        matches!(events.as_slice(), [TurnEvent::Allocated { .. }]),
        "{events:?}"
    );
    let relayed = w.client().relayed_address().unwrap();
    assert_eq!(relayed.ip(), RELAY_IP6.parse::<IpAddr>().unwrap());
    let peer6 = addr(PEER6);
    w.with_client(|c, now| c.send_to(now, peer6, b"v6"))
        .unwrap();
    w.net.run_for(Duration::from_secs(1));
    assert_eq!(w.peer_received(), vec![(relayed, b"v6".to_vec())]);
    // The Probe's own address is IPv4; answer from its IPv6 address.
    w.net
        .node_mut(&w.peer)
        .send_from(peer6, relayed, b"v6 reply".to_vec());
    w.net.run_for(Duration::from_secs(1));
    assert_eq!(
        data_events(&w.events()),
        vec![(peer6, b"v6 reply".to_vec())]
    );
    assert!(matches!(
        w.with_client(|c, now| c.send_to(now, addr(PEER), b"v4")),
        Err(TurnError::PeerFamilyMismatch { .. })
    ));
}

#[test]
fn ipv6_relay_refused_by_a_v4_only_server() {
    let mut setup = Setup::new(62);
    setup.config.request_ipv6_relay = true;
    let mut w = world(setup);
    let events = w.start_and_wait(Duration::from_secs(5));
    assert!(
        matches!(events.as_slice(), [TurnEvent::Failed { code: 440, .. }]),
        "{events:?}"
    );
}

#[test]
fn requested_lifetime_is_sent_and_refresh_follows_the_grant() {
    let mut setup = Setup::new(63);
    setup.behind_nat = false;
    setup.config.requested_lifetime = Duration::from_secs(1800);
    let mut w = world(setup);
    w.net.enable_capture();
    let events = w.start_and_wait(Duration::from_secs(5));
    assert!(matches!(events.as_slice(),
        [TurnEvent::Allocated { lifetime, .. }] if *lifetime == Duration::from_secs(1800)));
    // Refresh 60 s before the end: nothing at 1739 s, done by 1741 s.
    let expires = w.client().expires_at().unwrap();
    w.net.run_for(Duration::from_secs(1739));
    assert_eq!(w.client().expires_at(), Some(expires));
    w.net.run_for(Duration::from_secs(2));
    assert!(w.client().expires_at().unwrap() > expires + Duration::from_secs(1700));
    assert_eq!(w.server().counters().allocations_removed, 0);
}

#[test]
fn no_requested_lifetime_leaves_it_to_the_server() {
    let mut setup = Setup::new(64);
    setup.config.requested_lifetime = Duration::ZERO;
    let mut w = world(setup);
    let events = w.start_and_wait(Duration::from_secs(5));
    assert!(matches!(events.as_slice(),
        [TurnEvent::Allocated { lifetime, .. }] if *lifetime == Duration::from_secs(600)));
    assert_eq!(w.client().lifetime(), Duration::from_secs(600));
}

#[test]
fn allocate_carries_lifetime_only_when_asked() {
    use rand_chacha::rand_core::SeedableRng;
    use sansrtc_proto::Output;
    use sansrtc_turn::TurnClient;
    for (asked, expected) in [(600, Some(600)), (0, None)] {
        let mut config = client_config(PASSWORD);
        config.requested_lifetime = Duration::from_secs(asked);
        let mut c = TurnClient::new(config, rand_chacha::ChaCha20Rng::seed_from_u64(1));
        c.start(std::time::Instant::now()).unwrap();
        let Output::Transmit(t) = c.poll_output() else {
            panic!("no Allocate")
        };
        let m = Message::parse(&t.contents).unwrap();
        assert_eq!(m.get::<Lifetime>().unwrap().map(|l| l.0), expected);
    }
}

#[test]
fn close_before_an_allocation_ends_at_once() {
    let mut w = world(Setup::new(65));
    w.with_client(|c, now| c.close(now));
    assert_eq!(w.client().state(), TurnState::Closed);
    w.net.run_for(Duration::from_millis(1)); // drains the node
    assert_eq!(w.events(), vec![TurnEvent::Closed]);
    let mut w = world(Setup::new(66));
    w.with_client(|c, now| c.start(now)).unwrap();
    w.with_client(|c, now| c.close(now));
    w.net.run_for(Duration::from_secs(60));
    assert_eq!(w.events(), vec![TurnEvent::Closed]);
    assert_eq!(w.client().outstanding_requests(), 0);
}

#[test]
fn stream_closed_notifications() {
    // While allocated: the allocation is lost (701). While closing: closed.
    let mut w = world(Setup::new(67));
    w.start_and_wait(Duration::from_secs(5));
    w.with_client(|c, now| c.handle_stream_closed(now));
    w.net.run_for(Duration::from_millis(1));
    assert!(matches!(
        w.events().as_slice(),
        [TurnEvent::Failed {
            code: ERROR_SERVER_NOT_REACHABLE,
            ..
        }]
    ));
    let mut w = world(Setup::new(68));
    w.start_and_wait(Duration::from_secs(5));
    let link = w.client_link;
    w.net.set_link_up(link, false);
    w.with_client(|c, now| c.close(now));
    w.with_client(|c, now| c.handle_stream_closed(now));
    w.net.run_for(Duration::from_millis(1));
    assert_eq!(w.events(), vec![TurnEvent::Closed]);
    assert_eq!(w.client().state(), TurnState::Closed);
}

#[test]
fn close_without_an_answer_still_closes() {
    let mut w = world(Setup::new(69));
    w.start_and_wait(Duration::from_secs(5));
    let link = w.client_link;
    w.net.set_link_up(link, false);
    let at = w.net.now();
    w.with_client(|c, now| c.close(now));
    let client = w.client;
    w.net.run_until(at + Duration::from_secs(60), |net| {
        net.events(&client).next().is_some()
    });
    assert_eq!(w.events(), vec![TurnEvent::Closed]);
    assert_eq!(w.net.now() - at, Duration::from_millis(39_500));
}
