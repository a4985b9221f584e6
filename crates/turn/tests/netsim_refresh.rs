//! Long simulated runs: the allocation, permissions and channels are
//! refreshed while in use (netsim's server drops each at its lifetime, so
//! data still flowing after hours proves the refreshes), idle permissions
//! lapse and come back, and a nonce change (438) is survived.

mod common;

use std::time::Duration;

use common::*;
use sansrtc_turn::{BindingState, TurnEvent, TurnState};

/// Sends one datagram to the peer every `every` for `total`; returns how
/// many the peer received from the relayed address.
fn keep_sending(w: &mut World, every: Duration, total: Duration) -> (usize, usize) {
    let peer = addr(PEER);
    let relayed = w.client().relayed_address().unwrap();
    let rounds = (total.as_secs() / every.as_secs()) as usize;
    let mut received = 0;
    for i in 0..rounds {
        let data = format!("tick {i}");
        w.with_client(|c, now| c.send_to(now, peer, data.as_bytes()))
            .unwrap();
        w.net.run_for(every);
        received += w
            .peer_received()
            .iter()
            .filter(|(from, d)| *from == relayed && d == data.as_bytes())
            .count();
    }
    (rounds, received)
}

#[test]
fn two_hours_of_traffic_keep_everything_alive() {
    let mut w = world(Setup::new(21));
    w.start_and_wait(Duration::from_secs(5));
    let relayed = w.client().relayed_address().unwrap();
    let (sent, received) = keep_sending(&mut w, Duration::from_secs(10), Duration::from_secs(7200));
    assert_eq!(received, sent, "every datagram relayed for two hours");
    assert_eq!(w.client().state(), TurnState::Allocated);
    assert_eq!(w.client().relayed_address(), Some(relayed));
    assert_eq!(w.server().allocations().len(), 1);
    assert!(w
        .events()
        .iter()
        .all(|e| !matches!(e, TurnEvent::Failed { .. })));
    let peer = addr(PEER);
    assert_eq!(
        w.client().channel(peer),
        Some((0x4000, BindingState::Installed))
    );
    assert_eq!(
        w.client().permission_state(peer.ip()),
        Some(BindingState::Installed)
    );
    // The server saw the refreshes: 600 s lifetime refreshed at 540 s,
    // channel at 540 s, permission at 240 s (plus the first of each).
    let c = w.server().counters();
    assert_eq!(c.allocations_created, 1);
    assert_eq!(c.allocations_removed, 0);
    assert_eq!(c.relayed_to_peer as usize, sent);
    // Data went as ChannelData after the first datagram: the server would
    // drop ChannelData on a channel older than 600 s, so the channel was
    // refreshed.
    assert_eq!(w.client().stats().retransmissions, 0);
    assert_eq!(w.client().outstanding_requests(), 0);
}

#[test]
fn refresh_timing_follows_the_granted_lifetime() {
    let mut w = world(Setup::new(22));
    w.start_and_wait(Duration::from_secs(5));
    let expires = w.client().expires_at().unwrap();
    let allocated_at = w.net.now();
    assert!(expires - allocated_at <= Duration::from_secs(600));
    // Nothing at 539 s; the refresh went out by 541 s and moved the expiry.
    let client_host = w.client.host();
    // The client behind a NAT must keep its mapping: send every 60 s.
    let peer = addr(PEER);
    for _ in 0..8 {
        w.with_client(|c, now| c.send_to(now, peer, b"keepalive"))
            .unwrap();
        w.net.run_for(Duration::from_secs(60));
    }
    w.with_client(|c, now| c.send_to(now, peer, b"keepalive"))
        .unwrap();
    w.net.run_for(Duration::from_secs(59)); // t = 539 s
    assert_eq!(w.client().expires_at(), Some(expires));
    let sent_before = w.net.host_counters(client_host).sent;
    w.net.run_for(Duration::from_secs(2)); // t = 541 s
    let moved = w.client().expires_at().unwrap();
    assert!(
        moved > expires + Duration::from_secs(530),
        "{:?}",
        moved - expires
    );
    assert!(w.net.host_counters(client_host).sent > sent_before);
    assert_eq!(w.client().lifetime(), Duration::from_secs(600));
}

#[test]
fn idle_permissions_and_channels_lapse_and_come_back() {
    let mut setup = Setup::new(23);
    setup.behind_nat = false; // no NAT mapping to keep alive while idle
    let mut w = world(setup);
    w.start_and_wait(Duration::from_secs(5));
    let peer = addr(PEER);
    let relayed = w.client().relayed_address().unwrap();
    w.with_client(|c, now| c.send_to(now, peer, b"before"))
        .unwrap();
    w.net.run_for(Duration::from_secs(1));
    assert_eq!(w.peer_received().len(), 1);
    // 20 idle minutes: the allocation is refreshed, the permission and
    // channel are not (they lapse), and the server forgets them.
    w.net.run_for(Duration::from_secs(1200));
    assert_eq!(w.client().state(), TurnState::Allocated);
    assert_eq!(w.server().allocations().len(), 1);
    assert_eq!(w.client().permission_state(peer.ip()), None, "forgotten");
    assert_eq!(
        w.client().channel(peer).map(|c| c.1),
        Some(BindingState::Expired)
    );
    // The peer's data is now filtered by the server.
    w.peer_send(relayed, b"filtered");
    w.net.run_for(Duration::from_secs(1));
    assert!(w.events().is_empty());
    assert!(w.server().counters().no_permission >= 1);
    // Sending again installs a new permission and rebinds the same channel.
    w.with_client(|c, now| c.send_to(now, peer, b"after"))
        .unwrap();
    w.net.run_for(Duration::from_secs(1));
    assert_eq!(w.peer_received(), vec![(relayed, b"after".to_vec())]);
    assert_eq!(
        w.client().channel(peer),
        Some((0x4000, BindingState::Installed))
    );
    w.peer_send(relayed, b"back");
    w.net.run_for(Duration::from_secs(1));
    assert_eq!(data_events(&w.events()), vec![(peer, b"back".to_vec())]);
}

#[test]
fn a_new_nonce_is_answered_with_438_and_retried() {
    let mut w = world(Setup::new(24));
    w.start_and_wait(Duration::from_secs(5));
    let peer = addr(PEER);
    let relayed = w.client().relayed_address().unwrap();
    w.net.node_mut(&w.turn).rotate_nonce();
    w.with_client(|c, now| c.send_to(now, peer, b"after rotation"))
        .unwrap();
    w.net.run_for(Duration::from_secs(1));
    assert_eq!(
        w.peer_received(),
        vec![(relayed, b"after rotation".to_vec())]
    );
    assert!(w.server().counters().stale_nonces >= 1);
    // Rotate shortly before the allocation refresh (at 540 s) too.
    for _ in 0..9 {
        w.with_client(|c, now| c.send_to(now, peer, b"x")).unwrap();
        w.net.run_for(Duration::from_secs(55));
    }
    w.net.node_mut(&w.turn).rotate_nonce();
    w.net.run_for(Duration::from_secs(60));
    assert_eq!(w.client().state(), TurnState::Allocated);
    assert!(w.net.now() > w.start + Duration::from_secs(541));
    assert!(w.client().expires_at().unwrap() > w.net.now() + Duration::from_secs(500));
    assert!(w.server().counters().stale_nonces >= 2);
    assert!(w
        .events()
        .iter()
        .all(|e| !matches!(e, TurnEvent::Failed { .. })));
}

#[test]
fn an_outage_during_the_permission_refresh_is_recovered() {
    let mut setup = Setup::new(25);
    setup.behind_nat = false;
    let mut w = world(setup);
    w.start_and_wait(Duration::from_secs(5));
    let peer = addr(PEER);
    let relayed = w.client().relayed_address().unwrap();
    w.with_client(|c, now| c.send_to(now, peer, b"up")).unwrap();
    w.net.run_for(Duration::from_secs(200));
    assert_eq!(w.peer_received().len(), 1);
    // The client's link is down from 200 s to 290 s: the permission
    // refresh (240 s) and the channel's first refresh are not answered.
    w.with_client(|c, now| c.send_to(now, peer, b"lost"))
        .unwrap();
    w.net.set_link_up(w.client_link, false);
    w.net.run_for(Duration::from_secs(90));
    w.net.set_link_up(w.client_link, true);
    let events = w.events();
    assert!(
        events.iter().any(|e| matches!(
            e,
            TurnEvent::PermissionFailed {
                code: sansrtc_turn::ERROR_SERVER_NOT_REACHABLE,
                ..
            }
        )),
        "{events:?}"
    );
    assert_eq!(
        w.client().permission_state(peer.ip()),
        Some(BindingState::Expired)
    );
    // Not a refusal: the next datagram asks again and gets through.
    w.with_client(|c, now| c.send_to(now, peer, b"back"))
        .unwrap();
    w.net.run_for(Duration::from_secs(2));
    assert_eq!(w.peer_received(), vec![(relayed, b"back".to_vec())]);
    assert_eq!(
        w.client().permission_state(peer.ip()),
        Some(BindingState::Installed)
    );
    assert_eq!(w.client().state(), TurnState::Allocated);
    // And it stays maintained alongside the channel: ChannelData keeps
    // getting through the server's permission check for 10 more minutes.
    let (sent, received) = keep_sending(&mut w, Duration::from_secs(10), Duration::from_secs(600));
    assert_eq!(received, sent);
}
