//! `RtcPeerConnection`s in a [`sansrtc_mio::Server`] on one port: twenty
//! clients echo a data-channel message through it; connections are
//! removed and added while it runs; strangers' datagrams are dropped and
//! counted.

mod peers;

use std::time::{Duration, Instant};

use peers::Echoes;
use sansrtc::PeerConnectionState;

const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn twenty_peer_connections_echo_through_one_port() {
    let start = Instant::now();
    let mut run = Echoes::new();
    for _ in 0..20 {
        run.connect_one();
    }
    run.run_until(LIMIT, "twenty echoes", |r| r.echoed(1) == 20);
    eprintln!("20 connected and echoed in {:?}", start.elapsed());
    assert_eq!(run.server.len(), 20);
    assert_eq!(run.server_connected, 20);
    for client in &run.clients {
        assert_eq!(
            run.server
                .connection(client.server_id)
                .unwrap()
                .connection_state(),
            PeerConnectionState::Connected
        );
        assert!(run.server.routes_of(client.server_id) >= 1);
    }
    let counters = run.server.counters();
    eprintln!("{counters:#?}");
    assert!(counters.routed_by_ufrag >= 20);
    assert!(counters.routed_by_address > counters.routed_by_ufrag);
    assert_eq!(counters.unknown_ufrag, 0);
    assert_eq!(counters.ufrag_conflicts, 0);
}

#[test]
fn connections_come_and_go_while_the_server_runs() {
    let mut run = Echoes::new();
    for _ in 0..6 {
        run.connect_one();
    }
    run.run_until(LIMIT, "six echoes", |r| r.echoed(1) == 6);

    // Remove the server side of client 2: its datagrams find nobody.
    let removed = run.clients[2].server_id;
    let pc = run.server.remove_connection(removed).expect("it was there");
    assert_eq!(pc.connection_state(), PeerConnectionState::Connected);
    assert_eq!(run.server.routes_of(removed), 0);
    let unroutable = run.server.counters().unroutable;
    run.send_again(2);
    run.send_again(4);
    run.run_until(LIMIT, "client 4's second echo", |r| {
        r.clients[4].echoes == 2
    });
    run.run_until(LIMIT, "client 2's message dropped", |r| {
        r.server.counters().unroutable > unroutable
    });
    assert_eq!(run.clients[2].echoes, 1);

    // New connections join a running server.
    for _ in 0..3 {
        run.connect_one();
    }
    run.run_until(LIMIT, "the newcomers' echoes", |r| r.echoed(1) == 9);
    assert!(run.clients[6..].iter().all(|c| c.echoes == 1));
    assert_eq!(run.server.len(), 8);
    // The others kept working.
    run.send_again(0);
    run.run_until(LIMIT, "client 0's second echo", |r| {
        r.clients[0].echoes == 2
    });
}

#[test]
fn strangers_datagrams_are_dropped_and_counted_while_peers_connect() {
    let mut run = Echoes::new();
    for _ in 0..4 {
        run.connect_one();
    }
    let stranger = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let ufrag = run
        .server
        .connection(run.clients[0].server_id)
        .unwrap()
        .transport_ufrags()[0]
        .clone();
    let request = stun_request(&format!("nobody:{ufrag}"));
    let hostile: Vec<Vec<u8>> = vec![
        request.clone(),                       // a ufrag nobody has
        request[..request.len() - 4].to_vec(), // truncated STUN
        b"garbage from nobody".to_vec(),
        vec![22, 254, 253, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], // a DTLS record header
        vec![0x80, 0xe0, 0, 1],                           // RTCP-ish
        Vec::new(),
    ];
    for datagram in &hostile {
        stranger.send_to(datagram, run.server_addr).unwrap();
    }
    run.run_until(LIMIT, "the echoes", |r| r.echoed(1) == 4);
    run.run_until(LIMIT, "the strangers counted", |r| {
        let c = r.server.counters();
        c.unknown_ufrag + c.unroutable >= hostile.len() as u64
    });
    let counters = run.server.counters();
    assert_eq!(counters.unknown_ufrag, 1);
    assert!(counters.unroutable >= 5);
    // A request with a real ufrag but no valid integrity reaches its
    // connection (the server cannot check integrity), which does not
    // answer it: it teaches no route.
    let target = run.clients[0].server_id;
    let routes = run.server.routes_of(target);
    let before = run.server.counters();
    stranger
        .send_to(&stun_request(&format!("{ufrag}:intruder")), run.server_addr)
        .unwrap();
    run.run_until(LIMIT, "the forged request", |r| {
        r.server.counters().routed_by_ufrag > before.routed_by_ufrag
            && r.server.counters().requests_unanswered > before.requests_unanswered
    });
    assert_eq!(run.server.routes_of(target), routes);
    assert_eq!(run.server.counters().routes_learned, before.routes_learned);
    stranger.send_to(b"data after it", run.server_addr).unwrap();
    run.run_until(LIMIT, "the stranger's data dropped", |r| {
        r.server.counters().unroutable > before.unroutable
    });
    run.send_again(0);
    run.run_until(LIMIT, "client 0 still echoes", |r| r.clients[0].echoes == 2);
}

#[test]
fn an_ice_restart_gives_the_server_the_new_ufrag() {
    let mut run = Echoes::new();
    for _ in 0..3 {
        run.connect_one();
    }
    run.run_until(LIMIT, "three echoes", |r| r.echoed(1) == 3);
    let id = run.clients[1].server_id;
    let old = run.server.connection(id).unwrap().transport_ufrags();
    let before = run.server.counters();
    run.restart_ice(1);
    let new = run.server.connection(id).unwrap().transport_ufrags();
    assert_ne!(new, old);
    // The client's checks now name the new ufrag, which finds the
    // connection (its agent counts the requests it authenticated); the
    // channel still echoes.
    let requests = run
        .server
        .connection(id)
        .unwrap()
        .ice_stats()
        .requests_received;
    run.run_until(LIMIT, "checks with the new ufrag", |r| {
        r.server
            .connection(id)
            .unwrap()
            .ice_stats()
            .requests_received
            > requests
    });
    run.send_again(1);
    run.run_until(LIMIT, "client 1's echo after the restart", |r| {
        r.clients[1].echoes == 2
    });
    let after = run.server.counters();
    assert_eq!(after.unknown_ufrag, before.unknown_ufrag);
    assert_eq!(after.ufrag_conflicts, 0);
    assert_eq!(
        run.server.connection(id).unwrap().connection_state(),
        PeerConnectionState::Connected
    );
}

fn stun_request(username: &str) -> Vec<u8> {
    use sansrtc_stun::attributes::Username;
    use sansrtc_stun::{MessageBuilder, MessageType, TransactionId};
    let mut buf = Vec::new();
    let mut b = MessageBuilder::new(
        &mut buf,
        MessageType::BINDING_REQUEST,
        TransactionId([9; 12]),
    );
    b.add(&Username(username)).unwrap();
    b.add_fingerprint().unwrap();
    b.finish();
    buf
}
