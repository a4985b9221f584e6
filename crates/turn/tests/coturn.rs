//! The TURN client against a real coturn on loopback, over UDP, TCP and
//! TLS, driven with std sockets and a virtual clock skew.
//!
//! Starts its own coturn (ports 3679 / 5550, relay ports 50300–50399) with
//! `../shared/coturn/start.sh` and stops it in a Drop guard. For each
//! transport: allocate through the 401 challenge; a Send indication to a
//! plain UDP peer socket and its answer as a Data indication; a channel,
//! ChannelData both ways (odd sizes, padding on streams); the refreshes of
//! permission, channel and allocation (the client's clock is moved ahead
//! by 241 s, 241 s and 60 s, so each refresh goes to coturn while its own
//! lifetimes still run); data after the refreshes; close (Refresh
//! LIFETIME 0), after which coturn no longer relays. A second Allocate on
//! the same 5-tuple gives `Failed` 437 (coturn signs it); a wrong password
//! gives `Failed` with 401 over UDP and TCP. Every wait is bounded.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sansrtc_proto::{Output, Protocol, Receive};
use sansrtc_stun::{Class, Message, Method};
use sansrtc_testkit::coturn::{Coturn, CoturnPorts};
use sansrtc_testkit::openssl::SClient;
use sansrtc_turn::{BindingState, TurnClient, TurnClientConfig, TurnEvent, TurnState};

const PORT: u16 = 3679;
const TLS_PORT: u16 = 5550;
const USER: &str = "test";
const PASSWORD: &str = "test";
const STEP_BUDGET: Duration = Duration::from_secs(10);

/// The connection to coturn: datagrams or stream bytes.
trait Link {
    fn send(&mut self, bytes: &[u8]);
    /// Bytes from the server within `wait`, if any; `Some(empty)` when a
    /// stream was closed by the server.
    fn recv(&mut self, wait: Duration) -> Option<Vec<u8>>;
}

struct UdpLink {
    socket: UdpSocket,
    server: SocketAddr,
}

impl Link for UdpLink {
    fn send(&mut self, bytes: &[u8]) {
        self.socket.send_to(bytes, self.server).unwrap();
    }
    fn recv(&mut self, wait: Duration) -> Option<Vec<u8>> {
        self.socket.set_read_timeout(Some(wait)).unwrap();
        let mut buf = vec![0u8; 65536];
        let (n, from) = self.socket.recv_from(&mut buf).ok()?;
        assert_eq!(from, self.server);
        buf.truncate(n);
        Some(buf)
    }
}

struct TcpLink {
    stream: TcpStream,
}

impl Link for TcpLink {
    fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }
    fn recv(&mut self, wait: Duration) -> Option<Vec<u8>> {
        self.stream.set_read_timeout(Some(wait)).unwrap();
        // Small reads, so frames arrive split across calls.
        let mut buf = vec![0u8; 7];
        match self.stream.read(&mut buf) {
            Ok(0) => Some(Vec::new()),
            Ok(n) => {
                buf.truncate(n);
                Some(buf)
            }
            Err(_) => None,
        }
    }
}

/// TLS through an `openssl s_client` child (it verifies coturn's
/// certificate against its IP SAN; see `sansrtc_testkit::openssl`).
struct TlsLink {
    client: SClient,
}

impl Link for TlsLink {
    fn send(&mut self, bytes: &[u8]) {
        self.client.send(bytes);
    }
    fn recv(&mut self, wait: Duration) -> Option<Vec<u8>> {
        match self.client.recv_timeout(wait) {
            Ok(bytes) => Some(bytes),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => Some(Vec::new()),
        }
    }
}

/// Drives a client over a link with a clock that can be moved ahead.
struct Driver<L: Link> {
    client: TurnClient,
    link: L,
    skew: Duration,
    events: Vec<TurnEvent>,
    /// Every transmit's bytes, in order.
    sent: Vec<Vec<u8>>,
    stream_closed: bool,
}

impl<L: Link> Driver<L> {
    fn new(config: TurnClientConfig, link: L, seed: u64) -> Self {
        Driver {
            client: TurnClient::new(config, ChaCha20Rng::seed_from_u64(seed)),
            link,
            skew: Duration::ZERO,
            events: Vec::new(),
            sent: Vec::new(),
            stream_closed: false,
        }
    }

    fn now(&self) -> Instant {
        Instant::now() + self.skew
    }

    fn pump(&mut self) -> Option<Instant> {
        loop {
            if self.stream_closed {
                // Nothing can be sent any more; drain events only.
                match self.client.poll_output() {
                    Output::Transmit(_) => panic!("transmit after the stream closed"),
                    Output::Event(e) => self.events.push(e),
                    Output::Timeout(at) => return at,
                }
                continue;
            }
            match self.client.poll_output() {
                Output::Transmit(t) => {
                    assert_eq!(t.destination, self.client.server());
                    self.link.send(&t.contents);
                    self.sent.push(t.contents);
                }
                Output::Event(e) => self.events.push(e),
                Output::Timeout(at) => return at,
            }
        }
    }

    /// Runs until `done` holds (true) or the budget ends (false).
    fn run_until(&mut self, mut done: impl FnMut(&Self) -> bool) -> bool {
        let end = Instant::now() + STEP_BUDGET;
        loop {
            let next = self.pump();
            if done(self) {
                return true;
            }
            if Instant::now() >= end {
                return false;
            }
            let wait = next
                .map(|at| at.saturating_duration_since(self.now()))
                .unwrap_or(Duration::from_millis(50))
                .clamp(Duration::from_millis(1), Duration::from_millis(50));
            if let Some(bytes) = self.link.recv(wait) {
                if bytes.is_empty() && self.client.config().is_stream() {
                    // The server closed the connection (coturn does after
                    // the allocation is deleted).
                    self.stream_closed = true;
                    let now = self.now();
                    self.client.handle_stream_closed(now);
                    continue;
                }
                let c = self.client.config();
                let receive = Receive {
                    protocol: c.protocol,
                    source: self.client.server(),
                    destination: c.local,
                    contents: &bytes,
                };
                let now = self.now();
                assert!(
                    self.client.handle_receive(now, receive),
                    "coturn's bytes are ours"
                );
            }
            let now = self.now();
            if next.is_some_and(|at| at <= now) {
                self.client.handle_timeout(now);
            }
        }
    }

    /// Moves the client's clock ahead and lets it act.
    fn jump(&mut self, by: Duration) {
        self.skew += by;
        let now = self.now();
        self.client.handle_timeout(now);
    }

    fn take_events(&mut self) -> Vec<TurnEvent> {
        std::mem::take(&mut self.events)
    }

    /// Methods of the STUN requests sent since `from`.
    fn requests_since(&self, from: usize) -> Vec<Method> {
        self.sent[from..]
            .iter()
            .filter_map(|b| Message::parse(b).ok())
            .filter(|m| m.class() == Class::Request)
            .map(|m| m.method())
            .collect()
    }
}

fn peer_recv(peer: &UdpSocket) -> (SocketAddr, Vec<u8>) {
    let mut buf = vec![0u8; 65536];
    let (n, from) = peer
        .recv_from(&mut buf)
        .expect("the peer receives through coturn before the timeout");
    buf.truncate(n);
    (from, buf)
}

fn config(
    protocol: Protocol,
    server: SocketAddr,
    local: SocketAddr,
    password: &str,
) -> TurnClientConfig {
    let mut c = TurnClientConfig::new(
        server,
        protocol,
        local,
        USER,
        password,
        format!("turn:{server}?transport={protocol:?}"),
    );
    c.auto_channel_bind = false;
    c
}

/// The whole sequence over one link. `mapped`: the address coturn should
/// report (unknown behind openssl s_client).
fn exercise<L: Link>(name: &str, d: &mut Driver<L>, mapped: Option<SocketAddr>) {
    let stream = d.client.config().is_stream();
    d.client.start(d.now()).unwrap();
    assert!(
        d.run_until(|d| !d.events.is_empty()),
        "{name}: no answer to Allocate"
    );
    let events = d.take_events();
    let relayed = match events.as_slice() {
        [TurnEvent::Allocated {
            relayed,
            mapped: m,
            lifetime,
        }] => {
            if let Some(mapped) = mapped {
                assert_eq!(*m, Some(mapped), "{name}: XOR-MAPPED-ADDRESS");
            }
            assert!(*lifetime >= Duration::from_secs(60), "{name}: {lifetime:?}");
            *relayed
        }
        other => panic!("{name}: expected Allocated, got {other:?}"),
    };
    assert_eq!(relayed.ip().to_string(), "127.0.0.1");
    assert!(
        (50300..=50399).contains(&relayed.port()),
        "{name}: {relayed}"
    );
    assert_eq!(
        d.requests_since(0),
        vec![Method::ALLOCATE, Method::ALLOCATE]
    );

    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    let peer_addr = peer.local_addr().unwrap();

    // A Send indication (after CreatePermission) and a Data indication back.
    d.client
        .send_to(d.now(), peer_addr, b"via send indication")
        .unwrap();
    assert!(
        d.run_until(|d| d.client.permission_state(peer_addr.ip()) == Some(BindingState::Installed)),
        "{name}: permission"
    );
    assert_eq!(peer_recv(&peer), (relayed, b"via send indication".to_vec()));
    peer.send_to(b"via data indication", relayed).unwrap();
    assert!(
        d.run_until(|d| !d.events.is_empty()),
        "{name}: Data indication"
    );
    assert_eq!(
        d.take_events(),
        vec![TurnEvent::Data {
            peer: peer_addr,
            data: b"via data indication".to_vec()
        }]
    );

    // A channel, then ChannelData both ways with odd sizes.
    let number = d.client.bind_channel(d.now(), peer_addr).unwrap();
    assert!(
        d.run_until(|d| d.client.channel(peer_addr) == Some((number, BindingState::Installed))),
        "{name}: ChannelBind"
    );
    for size in [0usize, 1, 3, 5, 1200] {
        let data: Vec<u8> = (0..size).map(|i| i as u8).collect();
        let before = d.sent.len();
        d.client.send_to(d.now(), peer_addr, &data).unwrap();
        d.pump();
        let wire = &d.sent[before];
        assert_eq!(
            u16::from_be_bytes([wire[0], wire[1]]),
            number,
            "{name}: ChannelData"
        );
        assert_eq!(
            wire.len() % 4 == 0,
            stream || (4 + size) % 4 == 0,
            "{name}: padding"
        );
        assert_eq!(
            peer_recv(&peer),
            (relayed, data.clone()),
            "{name}: size {size}"
        );
        let back: Vec<u8> = data.iter().rev().copied().collect();
        peer.send_to(&back, relayed).unwrap();
        assert!(
            d.run_until(|d| !d.events.is_empty()),
            "{name}: ChannelData back, size {size}"
        );
        assert_eq!(
            d.take_events(),
            vec![TurnEvent::Data {
                peer: peer_addr,
                data: back
            }]
        );
    }
    let received_before = d.client.stats().data_received;

    // Refreshes: permission (240 s after install, twice), then the
    // allocation and the channel (540 s), each used just before.
    let mark = d.sent.len();
    let expires = d.client.expires_at().unwrap();
    for jump in [241, 241, 60] {
        d.client.send_to(d.now(), peer_addr, b"in use").unwrap();
        d.pump();
        assert_eq!(peer_recv(&peer).1, b"in use");
        d.jump(Duration::from_secs(jump));
        assert!(
            d.run_until(|d| d.client.outstanding_requests() == 0),
            "{name}: refresh answers after a {jump} s jump"
        );
    }
    let mut refreshes = d.requests_since(mark);
    refreshes.sort_by_key(|m| m.0);
    assert_eq!(
        refreshes,
        vec![
            Method::REFRESH,
            Method::CREATE_PERMISSION,
            Method::CREATE_PERMISSION,
            Method::CHANNEL_BIND
        ],
        "{name}"
    );
    assert!(d.take_events().is_empty(), "{name}: no failure");
    assert!(
        d.client.expires_at().unwrap() > expires + Duration::from_secs(500),
        "{name}"
    );
    assert_eq!(
        d.client.channel(peer_addr),
        Some((number, BindingState::Installed))
    );
    assert_eq!(
        d.client.permission_state(peer_addr.ip()),
        Some(BindingState::Installed)
    );
    // Still relaying both ways.
    d.client
        .send_to(d.now(), peer_addr, b"after refresh")
        .unwrap();
    d.pump();
    assert_eq!(peer_recv(&peer), (relayed, b"after refresh".to_vec()));
    peer.send_to(b"after refresh back", relayed).unwrap();
    assert!(
        d.run_until(|d| !d.events.is_empty()),
        "{name}: data after refresh"
    );
    assert_eq!(
        d.take_events(),
        vec![TurnEvent::Data {
            peer: peer_addr,
            data: b"after refresh back".to_vec()
        }]
    );
    assert_eq!(d.client.stats().data_received, received_before + 1);
    assert_eq!(
        d.client.stats().responses_discarded,
        0,
        "{name}: coturn's answers all verify"
    );

    // Close: Refresh LIFETIME 0, then coturn relays nothing more.
    d.client.close(d.now());
    assert!(d.run_until(|d| !d.events.is_empty()), "{name}: close");
    assert_eq!(d.take_events(), vec![TurnEvent::Closed]);
    assert_eq!(d.client.state(), TurnState::Closed);
    // coturn deleted the allocation: the relayed port no longer relays.
    // (coturn 4.6 answers the Refresh first and frees the allocation a
    // moment later: a datagram sent at once is still relayed.)
    std::thread::sleep(Duration::from_millis(1500));
    peer.send_to(b"after close", relayed).unwrap();
    if !d.stream_closed {
        let mut relayed_after_close = 0;
        let end = Instant::now() + Duration::from_millis(500);
        while Instant::now() < end {
            if d.link
                .recv(Duration::from_millis(50))
                .is_some_and(|b| !b.is_empty())
            {
                relayed_after_close += 1;
            }
        }
        assert_eq!(
            relayed_after_close, 0,
            "{name}: coturn relayed after the close"
        );
        d.pump();
        assert!(d.events.is_empty(), "{name}: nothing after close");
    }
}

fn wrong_password<L: Link>(name: &str, d: &mut Driver<L>) {
    d.client.start(d.now()).unwrap();
    assert!(d.run_until(|d| !d.events.is_empty()), "{name}: no answer");
    match d.take_events().as_slice() {
        [TurnEvent::Failed { url, code: 401, .. }] => assert_eq!(url, &d.client.config().url),
        other => panic!("{name}: expected Failed 401, got {other:?}"),
    }
    assert_eq!(d.client.state(), TurnState::Failed);
}

/// A second Allocate on a 5-tuple that has an allocation gets 437 from
/// coturn. The client acts only on signed errors after the challenge, so
/// `Failed` 437 (not a 701 timeout) shows coturn signs it and we verify it.
fn allocation_mismatch(server: SocketAddr) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let local = socket.local_addr().unwrap();
    let second = socket.try_clone().unwrap();
    let mut first = Driver::new(
        config(Protocol::Udp, server, local, PASSWORD),
        UdpLink { socket, server },
        6,
    );
    first.client.start(first.now()).unwrap();
    assert!(first.run_until(|d| d.client.state() == TurnState::Allocated));
    let mut cfg = config(Protocol::Udp, server, local, PASSWORD);
    // A quick timeout, so an unsigned (discarded) 437 would show as 701.
    cfg.max_requests = 2;
    cfg.final_wait_rtos = 2;
    let mut d = Driver::new(
        cfg,
        UdpLink {
            socket: second,
            server,
        },
        7,
    );
    d.client.start(d.now()).unwrap();
    assert!(d.run_until(|d| !d.events.is_empty()), "no answer");
    match d.take_events().as_slice() {
        [TurnEvent::Failed { code: 437, .. }] => {}
        other => panic!("expected Failed 437, got {other:?}"),
    }
    assert_eq!(d.client.stats().responses_discarded, 0);
    first.client.close(first.now());
    assert!(first.run_until(|d| d.client.state() == TurnState::Closed));
}

#[test]
fn turn_client_against_coturn() {
    let coturn = Coturn::start(
        "turn",
        CoturnPorts {
            port: PORT,
            tls_port: TLS_PORT,
            min_relay: 50300,
            max_relay: 50399,
        },
    );
    let server: SocketAddr = format!("127.0.0.1:{PORT}").parse().unwrap();

    // UDP.
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let local = socket.local_addr().unwrap();
    let mut d = Driver::new(
        config(Protocol::Udp, server, local, PASSWORD),
        UdpLink { socket, server },
        1,
    );
    exercise("udp", &mut d, Some(local));

    // TCP.
    let stream = TcpStream::connect(server).unwrap();
    let local = stream.local_addr().unwrap();
    let mut d = Driver::new(
        config(Protocol::Tcp, server, local, PASSWORD),
        TcpLink { stream },
        2,
    );
    exercise("tcp", &mut d, Some(local));

    // TLS (turns:), through openssl s_client.
    let tls_server: SocketAddr = format!("127.0.0.1:{TLS_PORT}").parse().unwrap();
    let link = TlsLink {
        client: SClient::connect(&coturn.cert(), SocketAddr::from(([127, 0, 0, 1], TLS_PORT))),
    };
    let local: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let mut d = Driver::new(config(Protocol::Tls, tls_server, local, PASSWORD), link, 3);
    exercise("tls", &mut d, None);

    allocation_mismatch(server);

    // Wrong password.
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let local = socket.local_addr().unwrap();
    let mut d = Driver::new(
        config(Protocol::Udp, server, local, "wrong"),
        UdpLink { socket, server },
        4,
    );
    wrong_password("udp wrong password", &mut d);
    let stream = TcpStream::connect(server).unwrap();
    let local = stream.local_addr().unwrap();
    let mut d = Driver::new(
        config(Protocol::Tcp, server, local, "wrong"),
        TcpLink { stream },
        5,
    );
    wrong_password("tcp wrong password", &mut d);
}
