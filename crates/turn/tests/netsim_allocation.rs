//! Allocation, data both ways, close, and the failures, against netsim's
//! simulated TURN server (RFC 8656) with the client behind a NAT.

mod common;

use std::time::Duration;

use common::*;
use sansrtc_netsim::{LinkConfig, Network, Probe};
use sansrtc_turn::{BindingState, TurnClient, TurnEvent, TurnState, ERROR_SERVER_NOT_REACHABLE};

#[test]
fn allocates_through_the_401_challenge() {
    let mut w = world(Setup::new(1));
    let events = w.start_and_wait(Duration::from_secs(5));
    let relayed = w.client().relayed_address().expect("relayed address");
    assert_eq!(relayed.ip(), RELAY_IP.parse::<std::net::IpAddr>().unwrap());
    let mapped = w.client().mapped_address().expect("mapped address");
    // Behind the NAT the server sees the NAT's public address.
    assert_eq!(mapped.ip(), NAT_PUBLIC.parse::<std::net::IpAddr>().unwrap());
    assert_eq!(
        events,
        vec![TurnEvent::Allocated {
            relayed,
            mapped: Some(mapped),
            lifetime: Duration::from_secs(600)
        }]
    );
    assert_eq!(w.client().state(), TurnState::Allocated);
    let counters = w.server().counters();
    assert_eq!(counters.unauthenticated, 1, "one 401 challenge");
    assert_eq!(counters.allocations_created, 1);
    assert_eq!(w.server().allocations(), vec![(mapped, relayed)]);
    // Two round trips of 10 ms each (5 ms links, NAT link 5 ms): 40 ms or so.
    assert!(
        w.net.elapsed() < Duration::from_millis(100),
        "{:?}",
        w.net.elapsed()
    );
}

#[test]
fn data_flows_both_ways_then_over_a_channel() {
    let mut w = world(Setup::new(2));
    w.start_and_wait(Duration::from_secs(5));
    let relayed = w.client().relayed_address().unwrap();
    let peer = addr(PEER);

    // First datagram: CreatePermission, then a Send indication.
    w.with_client(|c, now| c.send_to(now, peer, b"one"))
        .unwrap();
    assert_eq!(
        w.client().permission_state(peer.ip()),
        Some(BindingState::Pending)
    );
    assert_eq!(w.client().queued(), (1, 3));
    w.net.run_for(Duration::from_millis(200));
    assert_eq!(w.peer_received(), vec![(relayed, b"one".to_vec())]);
    assert_eq!(
        w.client().permission_state(peer.ip()),
        Some(BindingState::Installed)
    );
    // The automatic ChannelBind went out with it.
    let (channel, state) = w
        .client()
        .channel(peer)
        .expect("a channel for an active peer");
    assert_eq!((channel, state), (0x4000, BindingState::Installed));

    // The peer answers: ChannelData to the client, reported as Data.
    w.peer_send(relayed, b"reply");
    w.net.run_for(Duration::from_millis(200));
    assert_eq!(data_events(&w.events()), vec![(peer, b"reply".to_vec())]);

    // Later data goes as ChannelData: 4 bytes of header on the wire.
    let before = w.net.trace().records().len();
    w.with_client(|c, now| c.send_to(now, peer, b"three"))
        .unwrap();
    w.net.run_for(Duration::from_millis(200));
    assert_eq!(w.peer_received(), vec![(relayed, b"three".to_vec())]);
    let sizes: Vec<usize> = w.net.trace().records()[before..]
        .iter()
        .map(|r| r.size)
        .collect();
    assert_eq!(sizes[0], 4 + 5, "ChannelData header + payload: {sizes:?}");
    let stats = w.client().stats();
    assert_eq!(stats.data_sent, 2);
    assert_eq!(stats.data_received, 1);
    assert_eq!(w.server().counters().relayed_to_peer, 2);
}

#[test]
fn data_indications_arrive_without_a_channel() {
    let mut setup = Setup::new(3);
    setup.config.auto_channel_bind = false;
    let mut w = world(setup);
    w.start_and_wait(Duration::from_secs(5));
    let relayed = w.client().relayed_address().unwrap();
    let peer = addr(PEER);
    w.with_client(|c, now| c.create_permission(now, peer.ip()))
        .unwrap();
    w.net.run_for(Duration::from_millis(200));
    w.peer_send(relayed, b"via data indication");
    w.net.run_for(Duration::from_millis(200));
    assert_eq!(
        data_events(&w.events()),
        vec![(peer, b"via data indication".to_vec())]
    );
    assert_eq!(w.client().channel(peer), None);
    // Permissions are per IP (RFC 8656 §9): another port of the peer's IP
    // gets through too.
    let stranger = addr("198.51.100.7:7001");
    w.net
        .node_mut(&w.peer)
        .send_from(stranger, relayed, b"x".to_vec());
    w.net.run_for(Duration::from_millis(200));
    assert_eq!(data_events(&w.events()), vec![(stranger, b"x".to_vec())]);
}

#[test]
fn explicit_channel_bind_then_channel_data() {
    let mut setup = Setup::new(4);
    setup.config.auto_channel_bind = false;
    let mut w = world(setup);
    w.start_and_wait(Duration::from_secs(5));
    let relayed = w.client().relayed_address().unwrap();
    let peer = addr(PEER);
    let number = w.with_client(|c, now| c.bind_channel(now, peer)).unwrap();
    assert_eq!(number, 0x4000);
    w.net.run_for(Duration::from_millis(200));
    assert_eq!(
        w.client().channel(peer),
        Some((0x4000, BindingState::Installed))
    );
    // ChannelBind installed the permission too: data goes at once.
    assert_eq!(
        w.client().permission_state(peer.ip()),
        Some(BindingState::Installed)
    );
    w.with_client(|c, now| c.send_to(now, peer, b"cd")).unwrap();
    w.net.run_for(Duration::from_millis(200));
    assert_eq!(w.peer_received(), vec![(relayed, b"cd".to_vec())]);
    // Binding the same peer again keeps its number; another peer gets the next.
    assert_eq!(
        w.with_client(|c, now| c.bind_channel(now, peer)).unwrap(),
        0x4000
    );
    let other = addr("198.51.100.8:7000");
    assert_eq!(
        w.with_client(|c, now| c.bind_channel(now, other)).unwrap(),
        0x4001
    );
}

#[test]
fn close_deletes_the_allocation() {
    let mut w = world(Setup::new(5));
    w.start_and_wait(Duration::from_secs(5));
    assert_eq!(w.server().allocations().len(), 1);
    w.with_client(|c, now| c.close(now));
    assert_eq!(w.client().state(), TurnState::Closing);
    w.net.run_for(Duration::from_secs(1));
    assert_eq!(w.events(), vec![TurnEvent::Closed]);
    assert_eq!(w.client().state(), TurnState::Closed);
    assert!(w.server().allocations().is_empty());
    assert_eq!(w.server().counters().allocations_removed, 1);
    // Nothing left to do: no timer.
    assert_eq!(
        w.with_client(|c, _| c.poll_output()),
        sansrtc_proto::Output::Timeout(None)
    );
    assert!(w
        .with_client(|c, now| c.send_to(now, addr(PEER), b"x"))
        .is_err());
}

#[test]
fn wrong_password_fails_with_401_and_the_url() {
    let mut setup = Setup::new(6);
    setup.config = client_config("not-the-password");
    let mut w = world(setup);
    let events = w.start_and_wait(Duration::from_secs(5));
    match events.as_slice() {
        [TurnEvent::Failed { url, code, text }] => {
            assert_eq!(url, URL);
            assert_eq!(*code, 401);
            assert!(!text.is_empty());
        }
        other => panic!("expected one Failed event, got {other:?}"),
    }
    assert_eq!(w.client().state(), TurnState::Failed);
    assert_eq!(
        w.server().counters().unauthenticated,
        2,
        "challenge + rejection"
    );
    assert!(w.server().allocations().is_empty());
    // Failed is terminal: no retransmissions, no timer.
    w.net.run_for(Duration::from_secs(60));
    assert!(w.events().is_empty());
    assert_eq!(w.client().outstanding_requests(), 0);
}

#[test]
fn unreachable_server_fails_with_701_after_39_5_s() {
    let mut w = world(Setup::new(7));
    let turn_link = w.net.host_link(w.turn.host());
    w.net.set_link_up(turn_link, false);
    let start = w.net.now();
    let events = w.start_and_wait(Duration::from_secs(60));
    let failed_at = w.net.now() - start;
    match events.as_slice() {
        [TurnEvent::Failed { code, url, .. }] => {
            assert_eq!(*code, ERROR_SERVER_NOT_REACHABLE);
            assert_eq!(url, URL);
        }
        other => panic!("expected Failed, got {other:?}"),
    }
    assert_eq!(failed_at, Duration::from_millis(39_500));
    // Rc = 7 requests: 6 retransmissions.
    assert_eq!(w.client().stats().retransmissions, 6);
    assert_eq!(w.net.host_counters(w.client.host()).sent, 7);
}

#[test]
fn allocate_error_codes_become_failed() {
    let mut setup = Setup::new(8);
    setup.server.max_allocations = 0;
    let mut w = world(setup);
    let events = w.start_and_wait(Duration::from_secs(5));
    assert!(
        matches!(events.as_slice(), [TurnEvent::Failed { code: 486, .. }]),
        "{events:?}"
    );
}

#[test]
fn two_servers_two_clients_one_fails_alone() {
    // One client per server on one host, as ICE runs them: the datagrams
    // are offered to both and each takes only its own.
    let start = std::time::Instant::now();
    let mut net = Network::new(start, 9);
    let internet = net.internet();
    let good = addr("192.0.2.100:3478");
    let bad = addr("192.0.2.110:3478");
    for (listen, relay, password) in [
        (good, "192.0.2.101", PASSWORD),
        (bad, "192.0.2.111", "other"),
    ] {
        let config =
            sansrtc_netsim::TurnConfig::new(listen, relay.parse().unwrap(), USER, password);
        let server = sansrtc_netsim::TurnServer::new(config, net.rng_for(1));
        net.add_host(
            internet,
            &[listen.ip(), relay.parse().unwrap()],
            LinkConfig::default(),
            server,
        )
        .unwrap();
    }
    let _peer = net
        .add_host(
            internet,
            &[addr(PEER).ip()],
            LinkConfig::default(),
            Probe::new(addr(PEER)),
        )
        .unwrap();
    struct Pair(TurnClient, TurnClient);
    let local = addr("198.51.100.20:5000");
    let mut c1 = client_config(PASSWORD);
    c1.local = local;
    let mut c2 = client_config(PASSWORD);
    c2.local = local;
    c2.server = bad;
    c2.url = "turn:192.0.2.110:3478".into();
    use rand_chacha::rand_core::SeedableRng;
    let pair = Pair(
        TurnClient::new(c1, rand_chacha::ChaCha20Rng::seed_from_u64(1)),
        TurnClient::new(c2, rand_chacha::ChaCha20Rng::seed_from_u64(2)),
    );
    let node = sansrtc_netsim::MachineNode::new(
        pair,
        |p, now, d| {
            let taken = p.0.handle_receive(now, d) as u8 + p.1.handle_receive(now, d) as u8;
            assert_eq!(taken, 1, "exactly one client takes each datagram");
        },
        |p, now| {
            p.0.handle_timeout(now);
            p.1.handle_timeout(now);
        },
        |p| match p.0.poll_output() {
            sansrtc_proto::Output::Timeout(a) => match p.1.poll_output() {
                sansrtc_proto::Output::Timeout(b) => {
                    sansrtc_proto::Output::Timeout([a, b].into_iter().flatten().min())
                }
                other => other,
            },
            other => other,
        },
    );
    let id = net
        .add_host(internet, &[local.ip()], LinkConfig::default(), node)
        .unwrap();
    {
        let now = net.now();
        let p = net.node_mut(&id).machine_mut();
        p.0.start(now).unwrap();
        p.1.start(now).unwrap();
    }
    net.run_for(Duration::from_secs(2));
    let events = net.take_events(&id);
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(events
        .iter()
        .any(|e| matches!(e, TurnEvent::Allocated { .. })));
    assert!(events.iter().any(|e| matches!(e,
        TurnEvent::Failed { url, code: 401, .. } if url == "turn:192.0.2.110:3478")));
    assert_eq!(net.node(&id).machine().0.state(), TurnState::Allocated);
    assert_eq!(net.node(&id).machine().1.state(), TurnState::Failed);
}
