//! Bounds and refusals: the permission and channel tables, the queue of
//! data waiting for a permission, server refusals of permissions and
//! channels, and misuse of the commands.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::*;
use sansrtc_turn::{BindingState, TurnError, TurnEvent, TurnState, MAX_PAYLOAD};

fn peer_n(n: u8) -> SocketAddr {
    addr(&format!("198.51.100.{n}:7000"))
}

#[test]
fn permission_table_is_bounded() {
    let mut setup = Setup::new(51);
    setup.config.max_permissions = 2;
    let mut w = world(setup);
    w.start_and_wait(Duration::from_secs(5));
    w.with_client(|c, now| c.send_to(now, peer_n(1), b"a"))
        .unwrap();
    w.with_client(|c, now| c.create_permission(now, peer_n(2).ip()))
        .unwrap();
    assert_eq!(
        w.with_client(|c, now| c.send_to(now, peer_n(3), b"c")),
        Err(TurnError::PermissionLimit(2))
    );
    assert_eq!(
        w.with_client(|c, now| c.create_permission(now, peer_n(4).ip())),
        Err(TurnError::PermissionLimit(2))
    );
    assert_eq!(w.client().permission_count(), 2);
}

#[test]
fn channel_table_is_bounded_and_send_indications_take_over() {
    let mut setup = Setup::new(52);
    setup.config.max_channels = 1;
    let mut w = world(setup);
    w.start_and_wait(Duration::from_secs(5));
    w.with_client(|c, now| c.send_to(now, peer_n(7), b"a"))
        .unwrap();
    w.with_client(|c, now| c.send_to(now, addr("198.51.100.7:7001"), b"b"))
        .unwrap();
    w.net.run_for(Duration::from_secs(1));
    assert_eq!(w.client().channel_count(), 1);
    assert_eq!(
        w.with_client(|c, now| c.bind_channel(now, addr("198.51.100.7:7002"))),
        Err(TurnError::ChannelLimit(1))
    );
    // The second peer still gets its data, by Send indication.
    w.with_client(|c, now| c.send_to(now, addr("198.51.100.7:7001"), b"c"))
        .unwrap();
    w.net.run_for(Duration::from_secs(1));
    let got: Vec<Vec<u8>> = w
        .net
        .take_events(&w.peer)
        .into_iter()
        .map(|r| r.contents)
        .collect();
    // The peer host only runs a Probe on :7000 but receives every port.
    assert_eq!(got, vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
}

#[test]
fn queue_before_the_permission_is_bounded() {
    let mut setup = Setup::new(53);
    setup.config.max_queued_packets = 3;
    setup.config.max_queued_bytes = 1000;
    let mut w = world(setup);
    w.start_and_wait(Duration::from_secs(5));
    let peer = addr(PEER);
    for i in 0..3u8 {
        w.with_client(|c, now| c.send_to(now, peer, &[i; 10]))
            .unwrap();
    }
    assert!(matches!(
        w.with_client(|c, now| c.send_to(now, peer, &[9; 10])),
        Err(TurnError::QueueFull {
            packets: 3,
            bytes: 30
        })
    ));
    assert_eq!(w.client().queued(), (3, 30));
    assert_eq!(w.client().stats().queue_dropped, 1);
    w.net.run_for(Duration::from_secs(1));
    let got: Vec<Vec<u8>> = w.peer_received().into_iter().map(|(_, d)| d).collect();
    assert_eq!(
        got,
        vec![vec![0; 10], vec![1; 10], vec![2; 10]],
        "in order, none lost"
    );
    assert_eq!(w.client().queued(), (0, 0));
    // Bytes bound.
    let other = peer_n(9);
    w.with_client(|c, now| c.send_to(now, other, &[1; 600]))
        .unwrap();
    assert!(matches!(
        w.with_client(|c, now| c.send_to(now, other, &[1; 600])),
        Err(TurnError::QueueFull { .. })
    ));
}

#[test]
fn refused_permission_drops_its_queue_and_reports() {
    let mut setup = Setup::new(54);
    setup.server.max_permissions = 1;
    setup.config.auto_channel_bind = false;
    let mut w = world(setup);
    w.start_and_wait(Duration::from_secs(5));
    w.with_client(|c, now| c.send_to(now, peer_n(1), b"ok"))
        .unwrap();
    w.net.run_for(Duration::from_secs(1));
    w.with_client(|c, now| c.send_to(now, peer_n(2), b"refused"))
        .unwrap();
    w.net.run_for(Duration::from_secs(1));
    let events = w.events();
    assert!(
        matches!(events.as_slice(), [TurnEvent::PermissionFailed { peer, code: 508, .. }]
            if *peer == peer_n(2).ip()),
        "{events:?}"
    );
    assert_eq!(
        w.client().permission_state(peer_n(2).ip()),
        Some(BindingState::Failed)
    );
    assert_eq!(w.client().queued(), (0, 0));
    assert_eq!(w.client().stats().queue_dropped, 1);
    assert_eq!(
        w.with_client(|c, now| c.send_to(now, peer_n(2), b"again")),
        Err(TurnError::PermissionRefused(peer_n(2).ip()))
    );
    // The allocation itself is fine.
    assert_eq!(w.client().state(), TurnState::Allocated);
    // The refusal is forgotten after a permission lifetime, freeing the slot.
    w.with_client(|c, now| c.send_to(now, peer_n(1), b"keep"))
        .unwrap();
    w.net.run_for(Duration::from_secs(301));
    assert_eq!(w.client().permission_state(peer_n(2).ip()), None);
}

#[test]
fn refused_channel_falls_back_to_send_indications() {
    let mut setup = Setup::new(55);
    setup.server.max_channels = 0;
    let mut w = world(setup);
    w.start_and_wait(Duration::from_secs(5));
    let peer = addr(PEER);
    let relayed = w.client().relayed_address().unwrap();
    w.with_client(|c, now| c.send_to(now, peer, b"one"))
        .unwrap();
    w.net.run_for(Duration::from_secs(1));
    let events = w.events();
    assert!(
        matches!(
            events.as_slice(),
            [TurnEvent::ChannelBindFailed { code: 508, .. }]
        ),
        "{events:?}"
    );
    assert_eq!(
        w.client().channel(peer).map(|c| c.1),
        Some(BindingState::Failed)
    );
    w.with_client(|c, now| c.send_to(now, peer, b"two"))
        .unwrap();
    w.net.run_for(Duration::from_secs(1));
    assert_eq!(
        w.peer_received(),
        vec![(relayed, b"one".to_vec()), (relayed, b"two".to_vec())]
    );
    // No second ChannelBind for a refused peer.
    assert!(w.events().is_empty());
}

#[test]
fn commands_are_checked() {
    let mut w = world(Setup::new(56));
    assert_eq!(
        w.with_client(|c, now| c.send_to(now, addr(PEER), b"x")),
        Err(TurnError::NotAllocated(TurnState::New))
    );
    w.start_and_wait(Duration::from_secs(5));
    assert_eq!(
        w.with_client(|c, now| c.start(now)),
        Err(TurnError::AlreadyStarted)
    );
    let v6: SocketAddr = "[2001:db8::1]:7000".parse().unwrap();
    assert!(matches!(
        w.with_client(|c, now| c.send_to(now, v6, b"x")),
        Err(TurnError::PeerFamilyMismatch { .. })
    ));
    let big = vec![0u8; MAX_PAYLOAD + 1];
    assert!(matches!(
        w.with_client(|c, now| c.send_to(now, addr(PEER), &big)),
        Err(TurnError::PayloadTooLarge { .. })
    ));
    // The largest payload fits a Send indication (and is built without error).
    let max = vec![0u8; MAX_PAYLOAD];
    w.with_client(|c, now| c.create_permission(now, addr(PEER).ip()))
        .unwrap();
    w.net.run_for(Duration::from_secs(1));
    w.with_client(|c, now| c.send_to(now, addr(PEER), &max))
        .unwrap();
    assert_eq!(w.client().stats().data_sent, 1);
}
