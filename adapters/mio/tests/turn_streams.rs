//! TURN over TCP and TLS through the mio driver's streams: two relay-only
//! (`iceTransportPolicy: relay`) sansrtc peer connections, each in its own
//! `Driver`, polled in one loop, call each other through a real coturn on
//! loopback and echo a data channel message; coturn going away mid-call
//! and a connect refused are reported to the machine.
//!
//! Needs coturn (`turnserver`): fails, not skips, without it. Ports: coturn
//! 3738 / 5609, relays 50650–50699.

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use sansrtc::{
    ChannelId, DataChannelEvent, DataChannelInit, DataChannelMessage, IceCandidateErrorEvent,
    PeerEvent, RtcPeerConnection,
};
use sansrtc_mio::{rustls, Driver, StreamCloseReason};
use sansrtc_testkit::coturn::CoturnPorts;

#[path = "../../tokio/tests/turn_streams_support/mod.rs"]
mod turn_streams_support;
use turn_streams_support::*;

const PORTS: CoturnPorts = CoturnPorts {
    port: 3738,
    tls_port: 5609,
    min_relay: 50650,
    max_relay: 50699,
};

/// A peer connection in a driver with one UDP socket on 127.0.0.1.
fn peer(config: sansrtc::RtcConfiguration, seed: u64) -> Driver<RtcPeerConnection> {
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let local = udp.local_addr().unwrap();
    let mut driver = Driver::new(peer_connection(config, seed, local, Instant::now())).unwrap();
    driver.add_socket(udp).unwrap();
    driver
}

/// One turn of both loops; the events of each, in order.
fn turn(
    a: &mut Driver<RtcPeerConnection>,
    b: &mut Driver<RtcPeerConnection>,
) -> (Vec<PeerEvent>, Vec<PeerEvent>) {
    let wait = Some(Duration::from_millis(2));
    a.poll_once(wait).unwrap();
    b.poll_once(wait).unwrap();
    let take = |d: &mut Driver<RtcPeerConnection>| {
        let mut events = Vec::new();
        while let Some(e) = d.take_event() {
            events.push(e);
        }
        events
    };
    (take(a), take(b))
}

/// Hands `event` of `from` to whoever needs it: candidates to `to`,
/// name resolutions back to `from`.
fn forward(
    from: &mut Driver<RtcPeerConnection>,
    to: &mut Driver<RtcPeerConnection>,
    event: &PeerEvent,
) {
    match event {
        PeerEvent::IceCandidate(Some(candidate)) => {
            to.with_machine(|pc| pc.add_ice_candidate(Instant::now(), candidate).unwrap());
        }
        PeerEvent::Resolve { .. } => {
            from.with_machine(|pc| resolve_literal(pc, Instant::now(), event))
        }
        _ => {}
    }
}

fn negotiate(a: &mut Driver<RtcPeerConnection>, b: &mut Driver<RtcPeerConnection>) -> ChannelId {
    let now = Instant::now();
    let (channel, offer) = a.with_machine(|pc| {
        let channel = pc
            .create_data_channel(now, DataChannelInit::new("echo"))
            .unwrap();
        let offer = pc.create_offer(now).unwrap();
        pc.set_local_description(now, offer.clone()).unwrap();
        (channel, offer)
    });
    let answer = b.with_machine(|pc| {
        pc.set_remote_description(now, offer).unwrap();
        let answer = pc.create_answer().unwrap();
        pc.set_local_description(now, answer.clone()).unwrap();
        answer
    });
    a.with_machine(|pc| pc.set_remote_description(now, answer).unwrap());
    channel
}

/// Runs both drivers until `a` has `b`'s echo of "ping" and both have
/// selected a pair; returns the echo.
fn call(a: &mut Driver<RtcPeerConnection>, b: &mut Driver<RtcPeerConnection>) -> String {
    let channel = negotiate(a, b);
    let deadline = Instant::now() + CALL_LIMIT;
    let mut echo = None;
    loop {
        let selected = a.machine().selected_candidate_pair().is_some()
            && b.machine().selected_candidate_pair().is_some();
        if let (Some(echo), true) = (&echo, selected) {
            return String::clone(echo);
        }
        assert!(
            Instant::now() < deadline,
            "no echo and selected pairs in time (echo {echo:?})"
        );
        let (from_a, from_b) = turn(a, b);
        for event in from_a {
            forward(a, b, &event);
            match event {
                PeerEvent::DataChannel(DataChannelEvent::Open(ch)) if ch == channel => {
                    a.with_machine(|pc| {
                        pc.send(
                            Instant::now(),
                            channel,
                            DataChannelMessage::Text("ping".into()),
                        )
                        .unwrap()
                    });
                }
                PeerEvent::DataChannel(DataChannelEvent::Message {
                    message: DataChannelMessage::Text(text),
                    ..
                }) => echo = Some(text),
                PeerEvent::IceCandidateError(e) => panic!("a: {e:?}"),
                _ => {}
            }
        }
        for event in from_b {
            forward(b, a, &event);
            match event {
                PeerEvent::DataChannel(DataChannelEvent::Message {
                    channel,
                    message: DataChannelMessage::Text(text),
                }) => {
                    b.with_machine(|pc| {
                        pc.send(
                            Instant::now(),
                            channel,
                            DataChannelMessage::Text(format!("echo {text}")),
                        )
                        .unwrap()
                    });
                }
                PeerEvent::IceCandidateError(e) => panic!("b: {e:?}"),
                _ => {}
            }
        }
    }
}

fn assert_relayed(driver: &Driver<RtcPeerConnection>, protocol: &str) {
    let (kind, relay_protocol) = selected_local_candidate(driver.machine(), Instant::now());
    assert_eq!(kind, "relay");
    assert_eq!(relay_protocol.as_deref(), Some(protocol));
    let counters = driver.counters();
    assert_eq!(
        (
            counters.streams_opened,
            counters.streams_connected,
            counters.streams_closed
        ),
        (1, 1, 0),
        "{counters:?}"
    );
    assert!(counters.stream_bytes_read > 0 && counters.stream_bytes_written > 0);
    assert_eq!(counters.sent, 0, "relay-only over a stream: no UDP at all");
    assert_eq!(driver.stream_count(), 1);
}

/// Polls `driver` until its machine reports a candidate error.
fn candidate_error(driver: &mut Driver<RtcPeerConnection>) -> (IceCandidateErrorEvent, Duration) {
    let start = Instant::now();
    let found = driver
        .run_until(start + CALL_LIMIT, |pc, event| {
            resolve_literal(pc, Instant::now(), &event);
            match event {
                PeerEvent::IceCandidateError(e) => std::ops::ControlFlow::Break(e),
                _ => std::ops::ControlFlow::Continue(()),
            }
        })
        .unwrap()
        .expect("no icecandidateerror in time");
    (found, start.elapsed())
}

#[test]
fn relay_only_call_through_coturn_over_tcp_and_tls_then_coturn_goes_away() {
    let turn_server = TestTurn::start("mio-streams", PORTS);

    let mut a = peer(relay_only(&turn_server.turns_url()), 11);
    let mut b = peer(relay_only(&turn_server.turns_url()), 12);
    for d in [&mut a, &mut b] {
        d.set_tls_roots(turn_server.roots.clone()).unwrap();
    }
    let started = Instant::now();
    assert_eq!(call(&mut a, &mut b), "echo ping");
    eprintln!("TLS call through the mio driver: {:?}", started.elapsed());
    assert_relayed(&a, "tls");
    assert_relayed(&b, "tls");
    drop((a, b));

    let mut a = peer(relay_only(&turn_server.turn_tcp_url()), 13);
    let mut b = peer(relay_only(&turn_server.turn_tcp_url()), 14);
    let started = Instant::now();
    assert_eq!(call(&mut a, &mut b), "echo ping");
    eprintln!("TCP call through the mio driver: {:?}", started.elapsed());
    assert_relayed(&a, "tcp");
    assert_relayed(&b, "tcp");

    drop(turn_server);
    for d in [&mut a, &mut b] {
        let (error, _) = candidate_error(d);
        assert_eq!(error.error_code, 701, "{error:?}");
        assert_eq!(d.counters().streams_closed, 1);
        let close = d.last_stream_close().expect("a close").clone();
        assert!(
            matches!(
                close.reason,
                StreamCloseReason::PeerClosed | StreamCloseReason::Io(_)
            ),
            "{close:?}"
        );
        assert_eq!(d.stream_count(), 0);
    }
}

#[test]
fn nothing_listening_and_an_untrusted_certificate_are_relay_errors_at_once() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut d = peer(
        relay_only(&format!("turn:127.0.0.1:{port}?transport=tcp")),
        15,
    );
    d.with_machine(|pc| {
        let now = Instant::now();
        pc.create_data_channel(now, DataChannelInit::new("x"))
            .unwrap();
        let offer = pc.create_offer(now).unwrap();
        pc.set_local_description(now, offer).unwrap();
    });
    let (error, took) = candidate_error(&mut d);
    assert_eq!(error.error_code, 701, "{error:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(d.counters().stream_connect_failures, 1);
    assert_eq!(
        d.last_stream_close().map(|c| c.reason.clone()),
        Some(StreamCloseReason::ConnectFailed(
            std::io::ErrorKind::ConnectionRefused
        ))
    );

    // An untrusted certificate: coturn's test CA is not among the default
    // (webpki) roots.
    let turn_server = TestTurn::start(
        "mio-streams-tls",
        CoturnPorts {
            port: 3748,
            tls_port: 5619,
            min_relay: 50700,
            max_relay: 50749,
        },
    );
    let mut d = peer(relay_only(&turn_server.turns_url()), 16);
    d.with_machine(|pc| {
        let now = Instant::now();
        pc.create_data_channel(now, DataChannelInit::new("x"))
            .unwrap();
        let offer = pc.create_offer(now).unwrap();
        pc.set_local_description(now, offer).unwrap();
    });
    let (error, _) = candidate_error(&mut d);
    assert_eq!(error.error_code, 701, "{error:?}");
    assert_eq!(d.counters().tls_failures, 1);
    let reason = d.last_stream_close().map(|c| c.reason.clone());
    assert!(
        matches!(&reason, Some(StreamCloseReason::Tls(text)) if text.contains("UnknownIssuer")),
        "{reason:?}"
    );
}

/// The stream glue without TURN: a plain TCP echo server gets ~450 KiB of
/// frames of every size back in order; a server that closes its end is
/// reported, and the next frame opens a new stream.
#[test]
fn frames_over_a_plain_tcp_stream_echo_in_order_and_a_close_is_reported() {
    let server = echo_server(100);
    let mut driver = Driver::new(StreamClient::default()).unwrap();
    let local = driver.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let deadline = Instant::now() + CALL_LIMIT;
    let next_event = |driver: &mut Driver<StreamClient>| loop {
        if let Some(e) = driver.take_event() {
            return e;
        }
        assert!(Instant::now() < deadline, "gave up waiting for an event");
        driver.poll_once(Some(Duration::from_millis(50))).unwrap();
    };

    driver.with_machine(|m| m.send(local, server, vec![1; 100]));
    assert_eq!(
        next_event(&mut driver),
        StreamClientEvent::Closed {
            local,
            remote: server,
            protocol: sansrtc::Protocol::Tcp
        }
    );
    assert_eq!(driver.stream_count(), 0);

    let frames = echo_frames();
    let sent: Vec<u8> = frames.concat();
    driver.with_machine(|m| {
        for f in frames {
            m.send(local, server, f);
        }
    });
    let mut echoed = Vec::new();
    while echoed.len() < sent.len() {
        match next_event(&mut driver) {
            StreamClientEvent::Bytes {
                protocol,
                from,
                at,
                bytes,
            } => {
                assert_eq!(
                    (protocol, from, at),
                    (sansrtc::Protocol::Tcp, server, local)
                );
                echoed.extend_from_slice(&bytes);
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(echoed == sent, "the echo differs");
    let c = driver.counters();
    assert_eq!(
        (c.streams_opened, c.streams_connected, c.streams_closed),
        (2, 2, 1),
        "{c:?}"
    );
    assert_eq!(c.stream_frames_dropped, 0);
    assert_eq!(c.stream_bytes_read, sent.len() as u64);
    assert_eq!(c.stream_bytes_written, 100 + sent.len() as u64);
    assert_eq!(
        driver.last_stream_close().map(|c| c.reason.clone()),
        Some(StreamCloseReason::PeerClosed)
    );
}
