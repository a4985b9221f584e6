//! The streams' runtime-independent half without any socket: frames wait
//! for the connection, partial writes, the bounds (streams, bytes queued),
//! every way a stream ends reaching the machine, and TLS against an
//! in-memory rustls server (handshake, data both ways, close_notify, a
//! record that is not TLS).

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use rcgen::{CertificateParams, KeyPair};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{RootCertStore, ServerConfig, ServerConnection};
use sansrtc_adapter_core::{
    DriverCore, SocketTable, StreamCloseReason, StreamId, StreamKey, STREAM_LIMIT,
    STREAM_QUEUE_LIMIT,
};
use sansrtc_proto::{Machine, Output, Protocol, Receive, Transmit};

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

const LOCAL: &str = "127.0.0.1:4000";
const SERVER: &str = "127.0.0.1:3478";

/// Sends what it is told to; records what it receives and which streams
/// closed.
#[derive(Default)]
struct Recorder {
    outbox: VecDeque<Transmit>,
    received: Vec<(Protocol, SocketAddr, SocketAddr, Vec<u8>)>,
    closed: Vec<(SocketAddr, SocketAddr, Protocol)>,
}

impl Recorder {
    fn send(&mut self, protocol: Protocol, destination: SocketAddr, contents: &[u8]) {
        self.outbox.push_back(Transmit {
            protocol,
            source: addr(LOCAL),
            destination,
            contents: contents.to_vec(),
        });
    }
}

impl Machine for Recorder {
    type Event = ();
    fn handle_receive(&mut self, _now: Instant, d: Receive<'_>) {
        self.received
            .push((d.protocol, d.source, d.destination, d.contents.to_vec()));
    }
    fn handle_timeout(&mut self, _now: Instant) {}
    fn poll_output(&mut self) -> Output<Transmit, ()> {
        match self.outbox.pop_front() {
            Some(t) => Output::Transmit(t),
            None => Output::Timeout(None),
        }
    }
    fn handle_stream_closed(
        &mut self,
        _now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
        protocol: Protocol,
    ) {
        self.closed.push((local, remote, protocol));
    }
}

/// Drains the machine and moves its transmits into the streams (no UDP
/// socket: every transmit here is TCP or TLS); returns the streams the
/// runtime would connect now.
fn send(core: &mut DriverCore<Recorder>) -> Vec<(StreamId, StreamKey)> {
    core.drain();
    let no_sockets: SocketTable<()> = SocketTable::new();
    core.send_outbox(&no_sockets, |_, _| unreachable!("no UDP here"));
    let mut opened = Vec::new();
    core.start_streams(Instant::now(), |id, key| {
        opened.push((id, key));
        Ok(())
    });
    opened
}

#[test]
fn frames_wait_for_the_connection_then_leave_in_order_through_partial_writes() {
    let mut core = DriverCore::new(Recorder::default());
    core.command(|m| {
        for frame in [&b"one"[..], b"two", b"three"] {
            m.send(Protocol::Tcp, addr(SERVER), frame);
        }
    });
    let opened = send(&mut core);
    let key = StreamKey {
        local: addr(LOCAL),
        remote: addr(SERVER),
        protocol: Protocol::Tcp,
    };
    assert_eq!(opened, vec![(StreamId(0), key)]);
    let id = opened[0].0;
    assert_eq!(
        core.stream_output(id),
        b"",
        "nothing to write before the connect"
    );
    assert_eq!(core.stream_queued_bytes(id), 11);

    core.stream_connected(Instant::now(), id);
    assert_eq!(core.stream_output(id), b"onetwothree");
    core.stream_written(id, 5);
    assert_eq!(core.stream_output(id), b"othree");
    // A frame sent now goes behind what is still queued.
    core.command(|m| m.send(Protocol::Tcp, addr(SERVER), b"four"));
    assert!(
        send(&mut core).is_empty(),
        "the same stream, no new connect"
    );
    assert_eq!(core.stream_output(id), b"othreefour");
    core.stream_written(id, 10);
    assert_eq!(core.stream_output(id), b"");

    // Bytes read reach the machine as they are, from the server to the base.
    core.stream_received(Instant::now(), id, b"\x01\x01");
    assert_eq!(
        core.machine().received,
        vec![(
            Protocol::Tcp,
            addr(SERVER),
            addr(LOCAL),
            b"\x01\x01".to_vec()
        )]
    );
    let c = core.counters();
    assert_eq!(
        (
            c.streams_opened,
            c.streams_connected,
            c.stream_bytes_written,
            c.stream_bytes_read
        ),
        (1, 1, 15, 2)
    );
    assert!(core.needs_drain());
}

#[test]
fn a_full_queue_drops_whole_frames() {
    let mut core = DriverCore::new(Recorder::default());
    let frame = vec![0x40; 65_536];
    core.command(|m| {
        for _ in 0..=STREAM_QUEUE_LIMIT / frame.len() {
            m.send(Protocol::Tcp, addr(SERVER), &frame);
        }
        m.send(Protocol::Tcp, addr(SERVER), b"late");
    });
    let id = send(&mut core)[0].0;
    let fits = STREAM_QUEUE_LIMIT / frame.len();
    assert_eq!(core.stream_queued_bytes(id), fits * frame.len());
    assert_eq!(core.counters().stream_frames_dropped, 2);
    core.stream_connected(Instant::now(), id);
    assert_eq!(core.stream_output(id).len(), fits * frame.len());
    // Room again once the OS took some.
    core.stream_written(id, frame.len());
    core.command(|m| m.send(Protocol::Tcp, addr(SERVER), b"fits"));
    send(&mut core);
    assert!(core.stream_output(id).ends_with(b"fits"));
    assert_eq!(core.counters().stream_frames_dropped, 2);
}

#[test]
fn past_the_stream_limit_a_transmit_is_refused_and_the_machine_told() {
    let mut core = DriverCore::new(Recorder::default());
    let server = |i: usize| SocketAddr::from(([127, 0, 0, 2], 1000 + i as u16));
    core.command(|m| {
        for i in 0..=STREAM_LIMIT {
            m.send(Protocol::Tcp, server(i), b"allocate");
        }
        // The same refused destination again: refused, told once.
        m.send(Protocol::Tcp, server(STREAM_LIMIT), b"again");
    });
    let opened = send(&mut core);
    assert_eq!(opened.len(), STREAM_LIMIT);
    assert_eq!(core.stream_count(), STREAM_LIMIT);
    assert_eq!(core.counters().streams_refused, 2);
    assert_eq!(
        core.machine().closed,
        vec![(addr(LOCAL), server(STREAM_LIMIT), Protocol::Tcp)]
    );
    assert_eq!(
        core.last_stream_close().map(|c| c.reason.clone()),
        Some(StreamCloseReason::Refused)
    );
}

#[test]
fn every_end_of_a_stream_reaches_the_machine_and_a_new_transmit_reopens() {
    let mut core = DriverCore::new(Recorder::default());
    let servers: Vec<SocketAddr> = (0..4)
        .map(|i| SocketAddr::from(([127, 0, 0, 3], 2000 + i)))
        .collect();
    core.command(|m| {
        for s in &servers {
            m.send(Protocol::Tcp, *s, b"x");
        }
    });
    core.drain();
    core.send_outbox(&SocketTable::<()>::new(), |_, _| unreachable!());
    // The first connect fails at once (no socket could be made).
    let mut ids = Vec::new();
    core.start_streams(Instant::now(), |id, _| {
        ids.push(id);
        if ids.len() == 1 {
            Err(io::ErrorKind::AddrNotAvailable.into())
        } else {
            Ok(())
        }
    });
    let now = Instant::now();
    core.stream_connect_failed(now, ids[1], &io::ErrorKind::ConnectionRefused.into());
    core.stream_connected(now, ids[2]);
    core.stream_ended(now, ids[2]);
    core.stream_connected(now, ids[3]);
    core.stream_failed(now, ids[3], &io::ErrorKind::ConnectionReset.into());
    assert_eq!(
        core.machine().closed,
        servers
            .iter()
            .map(|s| (addr(LOCAL), *s, Protocol::Tcp))
            .collect::<Vec<_>>()
    );
    let c = core.counters();
    assert_eq!(
        (c.streams_closed, c.stream_connect_failures, c.tls_failures),
        (4, 2, 0)
    );
    assert_eq!(core.stream_count(), 0);
    assert!(ids.iter().all(|id| !core.has_stream(*id)));
    assert_eq!(
        core.last_stream_close().map(|c| c.reason.clone()),
        Some(StreamCloseReason::Io(io::ErrorKind::ConnectionReset))
    );
    // Late reports about an ended stream change nothing.
    core.stream_received(now, ids[3], b"late");
    core.stream_written(ids[3], 1);
    assert!(core.machine().received.is_empty());
    assert_eq!(core.counters().streams_closed, 4);
    assert_eq!(core.counters().stream_bytes_read, 0);

    core.command(|m| m.send(Protocol::Tcp, servers[0], b"again"));
    let reopened = send(&mut core);
    assert_eq!(reopened.len(), 1);
    assert_eq!(reopened[0].0, StreamId(4), "ids are never reused");
}

/// A rustls server for `127.0.0.1` (IP SAN) with a self-issued leaf, and
/// roots trusting it.
fn tls_server() -> (Arc<ServerConfig>, RootCertStore) {
    let key = KeyPair::generate().unwrap();
    let params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    let mut roots = RootCertStore::empty();
    roots.add(cert.der().clone()).unwrap();
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    (Arc::new(config), roots)
}

/// Moves bytes both ways between the core's stream and the server until
/// neither has anything to say.
fn pump(core: &mut DriverCore<Recorder>, id: StreamId, server: &mut ServerConnection) {
    for _ in 0..20 {
        let mut moved = false;
        let out = core.stream_output(id).to_vec();
        if !out.is_empty() {
            server.read_tls(&mut out.as_slice()).unwrap();
            core.stream_written(id, out.len());
            server.process_new_packets().unwrap();
            moved = true;
        }
        let mut back = Vec::new();
        while server.wants_write() {
            server.write_tls(&mut back).unwrap();
        }
        if !back.is_empty() {
            core.stream_received(Instant::now(), id, &back);
            moved = true;
        }
        if !moved {
            return;
        }
    }
    panic!("the TLS exchange did not settle");
}

#[test]
fn tls_handshake_then_frames_both_ways_then_close_notify() {
    let (server_config, roots) = tls_server();
    let mut core = DriverCore::new(Recorder::default());
    core.tls_settings().set_roots(roots).unwrap();
    core.command(|m| {
        m.send(Protocol::Tls, addr(SERVER), b"allocate ");
        m.send(Protocol::Tls, addr(SERVER), b"request");
    });
    let id = send(&mut core)[0].0;
    core.stream_connected(Instant::now(), id);
    let hello = core.stream_output(id);
    assert_eq!(&hello[..1], &[0x16], "a TLS handshake record (ClientHello)");
    assert!(
        !hello.windows(8).any(|w| w == b"allocate"),
        "no plaintext before the handshake"
    );

    let mut server = ServerConnection::new(server_config).unwrap();
    pump(&mut core, id, &mut server);
    let mut got = vec![0; 64];
    let n = io::Read::read(&mut server.reader(), &mut got).unwrap();
    assert_eq!(
        &got[..n],
        b"allocate request",
        "the frames queued during the handshake, in order"
    );

    io::Write::write_all(&mut server.writer(), b"answer").unwrap();
    pump(&mut core, id, &mut server);
    assert_eq!(
        core.machine().received,
        vec![(Protocol::Tls, addr(SERVER), addr(LOCAL), b"answer".to_vec())]
    );

    server.send_close_notify();
    pump(&mut core, id, &mut server);
    assert_eq!(
        core.machine().closed,
        vec![(addr(LOCAL), addr(SERVER), Protocol::Tls)]
    );
    assert_eq!(
        core.last_stream_close().map(|c| c.reason.clone()),
        Some(StreamCloseReason::PeerClosed)
    );
    assert_eq!(core.counters().tls_failures, 0);
}

#[test]
fn a_server_that_does_not_speak_tls_or_is_not_trusted_ends_the_stream() {
    // Plain STUN bytes where a ServerHello should be.
    let mut core = DriverCore::new(Recorder::default());
    core.command(|m| m.send(Protocol::Tls, addr(SERVER), b"allocate"));
    let id = send(&mut core)[0].0;
    core.stream_connected(Instant::now(), id);
    core.stream_received(
        Instant::now(),
        id,
        &[0x01, 0x13, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42],
    );
    assert_eq!(core.counters().tls_failures, 1);
    assert_eq!(core.machine().closed.len(), 1);
    assert!(!core.has_stream(id));

    // A server whose certificate no default (webpki) root signed.
    let (server_config, _) = tls_server();
    let mut core = DriverCore::new(Recorder::default());
    core.command(|m| m.send(Protocol::Tls, addr(SERVER), b"allocate"));
    let id = send(&mut core)[0].0;
    core.stream_connected(Instant::now(), id);
    let mut server = ServerConnection::new(server_config).unwrap();
    let hello = core.stream_output(id).to_vec();
    core.stream_written(id, hello.len());
    server.read_tls(&mut hello.as_slice()).unwrap();
    server.process_new_packets().unwrap();
    let mut back = Vec::new();
    while server.wants_write() {
        server.write_tls(&mut back).unwrap();
    }
    core.stream_received(Instant::now(), id, &back);
    let reason = core.last_stream_close().map(|c| c.reason.clone());
    assert!(
        matches!(&reason, Some(StreamCloseReason::Tls(t)) if t.contains("UnknownIssuer")),
        "{reason:?}"
    );
    assert_eq!(core.counters().tls_failures, 1);
    assert!(core.machine().received.is_empty());

    // The name checked is the one set for the address.
    let mut settings = sansrtc_adapter_core::TlsSettings::default();
    settings.set_server_name(
        addr(SERVER),
        ServerName::try_from("turn.example.org").unwrap(),
    );
    assert_eq!(
        settings.server_name(addr(SERVER)),
        ServerName::try_from("turn.example.org").unwrap()
    );
}
