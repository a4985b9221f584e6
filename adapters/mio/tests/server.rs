//! The server's routing, timers and bounds, with a small machine per
//! connection (it echoes what it gets and reports it) and plain std
//! sockets as peers, on loopback.

mod support;

use std::collections::VecDeque;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use sansrtc_mio::{
    ConnectionId, Server, ServerConnection, ROUTES_PER_CONNECTION, TRANSACTIONS_PER_CONNECTION,
};
use sansrtc_proto::{Machine, Output, Receive, Transmit};
use sansrtc_stun::attributes::Username;
use sansrtc_stun::{Message, MessageBuilder, MessageType, TransactionId};
use support::{blocking_socket, give_up};

/// What an [`Echo`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Heard {
    /// A datagram (its contents) from this address.
    Datagram(SocketAddr, Vec<u8>),
    /// Its deadline passed.
    Timeout,
}

/// Echoes every datagram to its source and reports it, but answers a
/// Binding request with a success response instead, unless the request's
/// USERNAME ends in `:intruder` (then it sends nothing, as an ICE agent
/// does for a request whose MESSAGE-INTEGRITY fails); wants
/// `handle_timeout` at `deadline` (an hour away unless a test says).
struct Echo {
    ufrag: String,
    deadline: Option<Instant>,
    local: Vec<SocketAddr>,
    outputs: VecDeque<Output<Transmit, Heard>>,
}

impl Echo {
    fn new(ufrag: &str) -> Self {
        Self {
            ufrag: ufrag.into(),
            deadline: Some(Instant::now() + Duration::from_secs(3600)),
            local: Vec::new(),
            outputs: VecDeque::new(),
        }
    }
}

impl Machine for Echo {
    type Event = Heard;
    fn handle_receive(&mut self, _now: Instant, d: Receive<'_>) {
        self.outputs.push_back(Output::Event(Heard::Datagram(
            d.source,
            d.contents.to_vec(),
        )));
        let contents = match Message::parse(d.contents) {
            Ok(m) if m.message_type() == MessageType::BINDING_REQUEST => {
                let forged = matches!(
                    m.get::<Username<'_>>(),
                    Ok(Some(Username(u))) if u.ends_with(":intruder")
                );
                if forged {
                    return;
                }
                let mut response = Vec::new();
                let tid = m.transaction_id();
                MessageBuilder::new(&mut response, MessageType::BINDING_SUCCESS, tid).finish();
                response
            }
            _ => d.contents.to_vec(),
        };
        self.outputs.push_back(Output::Transmit(Transmit {
            protocol: d.protocol,
            source: d.destination,
            destination: d.source,
            contents,
        }));
    }
    fn handle_timeout(&mut self, now: Instant) {
        if self.deadline.is_some_and(|at| at <= now) {
            self.deadline = None;
            self.outputs.push_back(Output::Event(Heard::Timeout));
        }
    }
    fn poll_output(&mut self) -> Output<Transmit, Heard> {
        self.outputs
            .pop_front()
            .unwrap_or(Output::Timeout(self.deadline))
    }
}

impl ServerConnection for Echo {
    fn add_server_address(&mut self, _now: Instant, local: SocketAddr) {
        self.local.push(local);
    }
    fn local_ufrags(&self) -> Vec<String> {
        vec![self.ufrag.clone()]
    }
}

/// A STUN Binding request whose USERNAME is `username`.
fn binding_request(username: &str) -> Vec<u8> {
    let mut request = Vec::new();
    let mut b = MessageBuilder::new(
        &mut request,
        MessageType::BINDING_REQUEST,
        TransactionId([3; 12]),
    );
    b.add(&Username(username)).unwrap();
    b.add_fingerprint().unwrap();
    b.finish();
    request
}

/// Whether `datagram` is the success response to [`binding_request`].
fn is_success_response(datagram: &[u8]) -> bool {
    Message::parse(datagram).is_ok_and(|m| {
        m.message_type() == MessageType::BINDING_SUCCESS
            && m.transaction_id() == TransactionId([3; 12])
    })
}

/// Polls until `done`; fails with `waiting_for` after 10 s.
fn poll_until(
    server: &mut Server<Echo>,
    waiting_for: &str,
    mut done: impl FnMut(&Server<Echo>) -> bool,
) {
    let deadline = give_up();
    while !done(server) {
        assert!(Instant::now() < deadline, "gave up waiting: {waiting_for}");
        server.poll_once(Some(Duration::from_millis(50))).unwrap();
    }
}

/// A server on 127.0.0.1 with connections `c0`, `c1`, … (`count` of them).
fn server_with(count: usize) -> (Server<Echo>, SocketAddr, Vec<ConnectionId>) {
    let mut server = Server::new().unwrap();
    let local = server.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let ids = (0..count)
        .map(|i| server.add_connection(Echo::new(&format!("c{i}"))))
        .collect();
    (server, local, ids)
}

/// Sends `contents` from `client` to the server and polls until the
/// server read it; returns the connections the poll that read it touched.
fn deliver(
    server: &mut Server<Echo>,
    to: SocketAddr,
    client: &UdpSocket,
    contents: &[u8],
) -> usize {
    let before = server.counters().datagrams_received;
    client.send_to(contents, to).unwrap();
    poll_until(server, "the datagram", |s| {
        s.counters().datagrams_received > before
    });
    server.touched_last_poll()
}

/// Reads one datagram at `client`, which must come from the server.
fn echo_at(client: &UdpSocket, server: SocketAddr) -> Vec<u8> {
    let mut buf = [0u8; 1500];
    let (n, from) = client.recv_from(&mut buf).expect("an echo");
    assert_eq!(from, server);
    buf[..n].to_vec()
}

#[test]
fn a_binding_request_finds_its_connection_by_ufrag_and_then_data_by_address() {
    let (mut server, local, ids) = server_with(3);
    assert_eq!(server.connection(ids[1]).unwrap().local, vec![local]);
    let client = blocking_socket("127.0.0.1:0");
    let me = client.local_addr().unwrap();

    let request = binding_request("c1:peer");
    deliver(&mut server, local, &client, &request);
    assert!(is_success_response(&echo_at(&client, local)));
    assert_eq!(
        server.take_event(),
        Some((ids[1], Heard::Datagram(me, request)))
    );
    assert_eq!(server.routes_of(ids[1]), 1);

    // Not STUN: it goes where the request taught it to.
    deliver(&mut server, local, &client, b"\x17\xfe\xfd dtls-ish");
    assert_eq!(echo_at(&client, local), b"\x17\xfe\xfd dtls-ish");
    assert_eq!(
        server.take_event(),
        Some((
            ids[1],
            Heard::Datagram(me, b"\x17\xfe\xfd dtls-ish".to_vec())
        ))
    );
    let counters = server.counters();
    assert_eq!(
        (counters.routed_by_ufrag, counters.routed_by_address),
        (1, 1)
    );
    assert_eq!(counters.routes_learned, 1);
    assert_eq!(server.connection_counters(ids[1]).unwrap().sent, 2);
    assert_eq!(server.connection_counters(ids[0]).unwrap().received, 0);

    // The same address asking for another connection moves the route.
    deliver(&mut server, local, &client, &binding_request("c2:peer"));
    echo_at(&client, local);
    deliver(&mut server, local, &client, b"after the move");
    echo_at(&client, local);
    let events: Vec<ConnectionId> = std::iter::from_fn(|| server.take_event())
        .map(|(id, _)| id)
        .collect();
    assert_eq!(events, vec![ids[2], ids[2]]);
    assert_eq!(server.counters().routes_moved, 1);
    assert_eq!((server.routes_of(ids[1]), server.routes_of(ids[2])), (0, 1));
}

#[test]
fn datagrams_nobody_claims_are_dropped_and_counted() {
    let (mut server, local, ids) = server_with(3);
    let stranger = blocking_socket("127.0.0.1:0");
    let request = binding_request("c0:peer");
    let hostile: Vec<Vec<u8>> = vec![
        binding_request("nobody:peer"),        // unknown ufrag
        request[..request.len() - 4].to_vec(), // truncated STUN
        b"garbage from an unknown address".to_vec(),
        vec![0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], // RTP
        vec![22, 254, 253],                           // a DTLS scrap
        vec![0; 1],
    ];
    for datagram in &hostile {
        assert_eq!(deliver(&mut server, local, &stranger, datagram), 0);
    }
    let counters = server.counters();
    assert_eq!(counters.unknown_ufrag, 1);
    assert_eq!(counters.unroutable, 5);
    assert_eq!(counters.routes_learned, 0);
    assert_eq!(server.route_count(), 0);
    assert_eq!(server.take_event(), None);
    for id in &ids {
        assert_eq!(server.connection_counters(*id).unwrap().received, 0);
    }
    // The server still works.
    deliver(&mut server, local, &stranger, &request);
    assert!(is_success_response(&echo_at(&stranger, local)));
}

#[test]
fn a_request_its_connection_does_not_answer_teaches_no_route() {
    let (mut server, local, ids) = server_with(2);
    let sockets: Vec<UdpSocket> = (0..ROUTES_PER_CONNECTION + 24)
        .map(|_| blocking_socket("127.0.0.1:0"))
        .collect();
    // It knows c0's ufrag (they travel in the clear), not its password.
    for socket in &sockets {
        assert_eq!(
            deliver(&mut server, local, socket, &binding_request("c0:intruder")),
            1
        );
    }
    let counters = server.counters();
    assert_eq!(counters.routed_by_ufrag, sockets.len() as u64);
    assert_eq!(counters.requests_unanswered, sockets.len() as u64);
    assert_eq!((counters.routes_learned, server.route_count()), (0, 0));
    deliver(
        &mut server,
        local,
        &sockets[0],
        b"data after a forged request",
    );
    assert_eq!(server.counters().unroutable, 1);
    // A real peer's route is not disturbed by forged requests from its address.
    let peer = blocking_socket("127.0.0.1:0");
    deliver(&mut server, local, &peer, &binding_request("c1:peer"));
    echo_at(&peer, local);
    deliver(&mut server, local, &peer, &binding_request("c0:intruder"));
    assert_eq!(server.routes_of(ids[1]), 1);
    assert_eq!(server.routes_of(ids[0]), 0);
    deliver(&mut server, local, &peer, b"still c1's");
    assert_eq!(echo_at(&peer, local), b"still c1's");
    let last = std::iter::from_fn(|| server.take_event()).last();
    assert_eq!(last.map(|(id, _)| id), Some(ids[1]));
}

#[test]
fn a_connection_keeps_its_most_recently_heard_routes_only() {
    // Even requests the connection answers (a peer with the password, or
    // one that checks from very many addresses) hold a bounded table.
    let (mut server, local, ids) = server_with(2);
    let request = binding_request("c0:peer");
    let sockets: Vec<UdpSocket> = (0..ROUTES_PER_CONNECTION + 24)
        .map(|_| blocking_socket("127.0.0.1:0"))
        .collect();
    for socket in &sockets {
        deliver(&mut server, local, socket, &request);
    }
    assert_eq!(server.routes_of(ids[0]), ROUTES_PER_CONNECTION);
    assert_eq!(server.route_count(), ROUTES_PER_CONNECTION);
    let counters = server.counters();
    assert_eq!(counters.routes_learned, ROUTES_PER_CONNECTION as u64 + 24);
    assert_eq!(counters.routes_evicted, 24);
    // The oldest addresses lost their route, the newest kept it.
    deliver(&mut server, local, &sockets[0], b"evicted");
    deliver(&mut server, local, &sockets[sockets.len() - 1], b"kept");
    assert_eq!(server.counters().unroutable, 1);
    assert_eq!(server.counters().routed_by_address, 1);
}

#[test]
fn a_removed_connection_takes_its_routes_and_ufrag_with_it() {
    let (mut server, local, ids) = server_with(3);
    let client = blocking_socket("127.0.0.1:0");
    deliver(&mut server, local, &client, &binding_request("c1:peer"));
    echo_at(&client, local);
    while server.take_event().is_some() {}

    let echo = server.remove_connection(ids[1]).expect("it was there");
    assert_eq!(echo.ufrag, "c1");
    assert_eq!((server.len(), server.route_count()), (2, 0));
    assert!(server.remove_connection(ids[1]).is_none());
    assert!(server.connection(ids[1]).is_none());
    assert_eq!(server.with_connection(ids[1], |_| ()), None);

    deliver(&mut server, local, &client, b"to the removed one");
    deliver(&mut server, local, &client, &binding_request("c1:peer"));
    assert_eq!(server.counters().unroutable, 1);
    assert_eq!(server.counters().unknown_ufrag, 1);

    // A new connection reuses the slot under a new id; the old id stays dead.
    let new = server.add_connection(Echo::new("c1"));
    assert_eq!(new.index(), ids[1].index());
    assert_ne!(new, ids[1]);
    assert!(server.connection(ids[1]).is_none());
    deliver(&mut server, local, &client, &binding_request("c1:peer"));
    echo_at(&client, local);
    assert_eq!(server.take_event().map(|(id, _)| id), Some(new));
    let others: Vec<ConnectionId> = server.connection_ids().collect();
    assert_eq!(others, vec![ids[0], new, ids[2]]);
}

/// With every connection idle (its deadline an hour away), a poll woken by
/// one datagram touches one connection, however many idle ones there are;
/// a poll woken by one deadline likewise.
#[test]
fn one_idle_connection_adds_no_work_to_a_poll() {
    let (mut server, local, ids) = server_with(10);
    let clients: Vec<UdpSocket> = (0..10).map(|_| blocking_socket("127.0.0.1:0")).collect();
    for (i, client) in clients.iter().enumerate() {
        deliver(
            &mut server,
            local,
            client,
            &binding_request(&format!("c{i}:peer")),
        );
        echo_at(client, local);
    }
    while server.take_event().is_some() {}

    let touched_per_datagram = |server: &mut Server<Echo>| {
        let before = server.counters();
        let touched = deliver(server, local, &clients[3], b"one datagram");
        echo_at(&clients[3], local);
        let after = server.counters();
        assert_eq!(after.connections_touched - before.connections_touched, 1);
        assert_eq!(after.drains - before.drains, 1);
        assert_eq!(after.timeouts_fired, before.timeouts_fired);
        touched
    };
    assert_eq!(touched_per_datagram(&mut server), 1);

    server.add_connection(Echo::new("idle-one"));
    assert_eq!(touched_per_datagram(&mut server), 1);
    for i in 0..1000 {
        server.add_connection(Echo::new(&format!("idle{i}")));
    }
    assert_eq!(server.len(), 1011);
    assert_eq!(touched_per_datagram(&mut server), 1);

    // A poll with nothing to do touches nothing.
    server.poll_once(Some(Duration::from_millis(5))).unwrap();
    assert_eq!(server.touched_last_poll(), 0);

    // One deadline among 1,011: its poll touches that connection alone.
    while server.take_event().is_some() {}
    let soon = Instant::now() + Duration::from_millis(30);
    server
        .with_connection(ids[7], |echo| echo.deadline = Some(soon))
        .unwrap();
    let before = server.counters();
    poll_until(&mut server, "the timeout", |s| {
        s.counters().timeouts_fired > before.timeouts_fired
    });
    assert!(Instant::now() >= soon);
    assert_eq!(server.touched_last_poll(), 1);
    let after = server.counters();
    assert_eq!(after.timeouts_fired - before.timeouts_fired, 1);
    assert_eq!(after.connections_touched - before.connections_touched, 1);
    assert_eq!(server.take_event(), Some((ids[7], Heard::Timeout)));
    // 1,011 hour-long deadlines, each pushed once.
    assert!(server.timer_entries() <= 1012, "{}", server.timer_entries());
}

#[test]
fn moving_deadlines_do_not_grow_the_timer_heap_past_its_bound() {
    let (mut server, _local, ids) = server_with(10);
    let far = Instant::now() + Duration::from_secs(3600);
    // Every command brings a deadline earlier: each is a new heap entry.
    for step in 0..500u64 {
        for id in &ids {
            let at = far - Duration::from_millis(step);
            server
                .with_connection(*id, |echo| echo.deadline = Some(at))
                .unwrap();
        }
    }
    assert!(server.timer_entries() > 1000);
    // Also make one due now, so the poll looks at the heap.
    server
        .with_connection(ids[0], |echo| echo.deadline = Some(Instant::now()))
        .unwrap();
    server.poll_once(Some(Duration::ZERO)).unwrap();
    assert_eq!(server.counters().timeouts_fired, 1);
    assert!(
        server.timer_entries() <= 2 * 10 + 64,
        "{}",
        server.timer_entries()
    );
    // Outdated entries never fire: the other nine are still an hour away.
    assert_eq!(server.touched_last_poll(), 1);
}

#[test]
fn a_socket_bound_later_is_told_to_every_connection_and_serves_them() {
    let (mut server, v4, ids) = server_with(2);
    let v6 = server.bind("[::1]:0".parse().unwrap()).unwrap();
    for id in &ids {
        assert_eq!(server.connection(*id).unwrap().local, vec![v4, v6]);
    }
    let late = server.add_connection(Echo::new("late"));
    assert_eq!(server.connection(late).unwrap().local, vec![v4, v6]);

    let client = blocking_socket("[::1]:0");
    deliver(&mut server, v6, &client, &binding_request("c1:peer"));
    assert!(is_success_response(&echo_at(&client, v6)));
    deliver(&mut server, v6, &client, b"over IPv6");
    assert_eq!(echo_at(&client, v6), b"over IPv6");
    let heard: Vec<ConnectionId> = std::iter::from_fn(|| server.take_event())
        .map(|(id, _)| id)
        .collect();
    assert_eq!(heard, vec![ids[1], ids[1]]);
    assert!(matches!(
        server.bind(v6),
        Err(sansrtc_mio::DriverError::Bind { .. })
    ));
}

#[test]
fn past_the_event_limit_the_oldest_events_of_all_connections_go() {
    use sansrtc_mio::SERVER_EVENT_LIMIT;
    let (mut server, _local, ids) = server_with(2);
    let nowhere: SocketAddr = "192.0.2.1:9".parse().unwrap();
    let per_connection = SERVER_EVENT_LIMIT / 2 + 1_000;
    for id in &ids {
        server
            .with_connection(*id, |echo| {
                for i in 0..per_connection as u32 {
                    let tag = Heard::Datagram(nowhere, i.to_be_bytes().to_vec());
                    echo.outputs.push_back(Output::Event(tag));
                }
            })
            .unwrap();
    }
    let dropped = 2 * per_connection - SERVER_EVENT_LIMIT;
    assert_eq!(server.counters().events_dropped, dropped as u64);
    let first = (dropped as u32).to_be_bytes().to_vec();
    assert_eq!(
        server.take_event(),
        Some((ids[0], Heard::Datagram(nowhere, first)))
    );
    assert_eq!(
        std::iter::from_fn(|| server.take_event()).count(),
        SERVER_EVENT_LIMIT - 1
    );
}

/// A Binding request (no USERNAME) with transaction `n`, as a connection
/// sends one to a STUN server.
fn request_with_transaction(n: u8) -> Vec<u8> {
    let mut request = Vec::new();
    MessageBuilder::new(
        &mut request,
        MessageType::BINDING_REQUEST,
        TransactionId([n; 12]),
    )
    .finish();
    request
}

/// The success response to [`request_with_transaction`]`(n)`.
fn response_with_transaction(n: u8) -> Vec<u8> {
    let mut response = Vec::new();
    MessageBuilder::new(
        &mut response,
        MessageType::BINDING_SUCCESS,
        TransactionId([n; 12]),
    )
    .finish();
    response
}

#[test]
fn a_response_to_a_connections_own_request_finds_it_by_transaction() {
    let (mut server, local, ids) = server_with(3);
    // A STUN server nobody has a route from.
    let stun_server = blocking_socket("127.0.0.1:0");
    let to = stun_server.local_addr().unwrap();
    server
        .with_connection(ids[2], |echo| {
            echo.outputs.push_back(Output::Transmit(Transmit {
                protocol: sansrtc_proto::Protocol::Udp,
                source: local,
                destination: to,
                contents: request_with_transaction(40),
            }));
        })
        .unwrap();
    assert_eq!(server.pending_transactions(), 1);
    assert_eq!(echo_at(&stun_server, local), request_with_transaction(40));

    deliver(
        &mut server,
        local,
        &stun_server,
        &response_with_transaction(40),
    );
    assert_eq!(
        server.take_event(),
        Some((ids[2], Heard::Datagram(to, response_with_transaction(40))))
    );
    assert_eq!(server.counters().routed_by_transaction, 1);
    assert_eq!(server.pending_transactions(), 0);
    // A second copy, and a response nobody asked for, find nobody.
    deliver(
        &mut server,
        local,
        &stun_server,
        &response_with_transaction(40),
    );
    deliver(
        &mut server,
        local,
        &stun_server,
        &response_with_transaction(41),
    );
    assert_eq!(server.counters().unroutable, 2);
    assert_eq!(server.route_count(), 0);
}

#[test]
fn a_connection_keeps_its_newest_transactions_only() {
    let (mut server, local, ids) = server_with(2);
    let stun_server = blocking_socket("127.0.0.1:0");
    let to = stun_server.local_addr().unwrap();
    let extra = 36;
    server
        .with_connection(ids[0], |echo| {
            for n in 0..(TRANSACTIONS_PER_CONNECTION + extra) as u8 {
                echo.outputs.push_back(Output::Transmit(Transmit {
                    protocol: sansrtc_proto::Protocol::Udp,
                    source: local,
                    destination: to,
                    contents: request_with_transaction(n),
                }));
            }
        })
        .unwrap();
    assert_eq!(server.pending_transactions(), TRANSACTIONS_PER_CONNECTION);
    assert_eq!(server.counters().transactions_forgotten, extra as u64);
    deliver(
        &mut server,
        local,
        &stun_server,
        &response_with_transaction(0),
    );
    deliver(
        &mut server,
        local,
        &stun_server,
        &response_with_transaction(99),
    );
    let counters = server.counters();
    assert_eq!(
        (counters.unroutable, counters.routed_by_transaction),
        (1, 1)
    );
    // A removed connection's transactions go with it.
    server.remove_connection(ids[0]).unwrap();
    assert_eq!(server.pending_transactions(), 0);
}

#[test]
fn after_an_ice_restart_the_previous_ufrag_still_finds_the_connection() {
    let (mut server, local, ids) = server_with(2);
    let peer = blocking_socket("127.0.0.1:0");
    server
        .with_connection(ids[0], |echo| echo.ufrag = "c0-restarted".into())
        .unwrap();
    // The peer has not seen the answer yet: it still checks with "c0".
    assert_eq!(
        deliver(&mut server, local, &peer, &binding_request("c0:peer")),
        1
    );
    assert!(is_success_response(&echo_at(&peer, local)));
    deliver(
        &mut server,
        local,
        &peer,
        &binding_request("c0-restarted:peer"),
    );
    echo_at(&peer, local);
    // One restart later, "c0" is forgotten.
    server
        .with_connection(ids[0], |echo| echo.ufrag = "c0-again".into())
        .unwrap();
    deliver(&mut server, local, &peer, &binding_request("c0:peer"));
    deliver(
        &mut server,
        local,
        &peer,
        &binding_request("c0-restarted:peer"),
    );
    echo_at(&peer, local);
    let counters = server.counters();
    assert_eq!((counters.routed_by_ufrag, counters.unknown_ufrag), (3, 1));
}
