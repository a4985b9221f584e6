//! TURN over TCP and TLS through the tokio driver's streams: two
//! relay-only (`iceTransportPolicy: relay`) sansrtc peer connections, each
//! in its own `Driver`, call each other through a real coturn on loopback
//! and echo a data channel message; then the bad paths (nothing listening,
//! an untrusted certificate, a wrong name, coturn going away mid-call).
//!
//! Needs coturn (`turnserver`): fails, not skips, without it. Ports: coturn
//! 3718 / 5589, relays 50500–50599.

use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use sansrtc::{
    ChannelId, DataChannelEvent, DataChannelInit, DataChannelMessage, PeerEvent, RtcPeerConnection,
    RtcSessionDescription,
};
use sansrtc_testkit::coturn::CoturnPorts;
use sansrtc_tokio::rustls::pki_types::ServerName;
use sansrtc_tokio::{rustls, Driver, StreamCloseReason};

mod turn_streams_support;
use turn_streams_support::*;

const PORTS: CoturnPorts = CoturnPorts {
    port: 3718,
    tls_port: 5589,
    min_relay: 50500,
    max_relay: 50599,
};

fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A peer connection in a driver with one UDP socket on 127.0.0.1.
async fn peer(config: sansrtc::RtcConfiguration, seed: u64) -> Driver<RtcPeerConnection> {
    let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let local = udp.local_addr().unwrap();
    let mut driver = Driver::new(peer_connection(config, seed, local, now()));
    driver.add_socket(udp).unwrap();
    driver
}

/// Offer (with a data channel "echo") from `a`, answer from `b`,
/// candidates trickled later by [`call`].
fn negotiate(a: &mut Driver<RtcPeerConnection>, b: &mut Driver<RtcPeerConnection>) -> ChannelId {
    let (channel, offer) = a.with_machine(|pc| {
        let channel = pc
            .create_data_channel(now(), DataChannelInit::new("echo"))
            .unwrap();
        let offer = pc.create_offer(now()).unwrap();
        pc.set_local_description(now(), offer.clone()).unwrap();
        (channel, offer)
    });
    let answer: RtcSessionDescription = b.with_machine(|pc| {
        pc.set_remote_description(now(), offer).unwrap();
        let answer = pc.create_answer().unwrap();
        pc.set_local_description(now(), answer.clone()).unwrap();
        answer
    });
    a.with_machine(|pc| pc.set_remote_description(now(), answer).unwrap());
    channel
}

/// What one side did with an event that the other side may need.
fn forward(
    from: &mut Driver<RtcPeerConnection>,
    to: &mut Driver<RtcPeerConnection>,
    event: &PeerEvent,
) {
    match event {
        PeerEvent::IceCandidate(Some(candidate)) => {
            to.with_machine(|pc| pc.add_ice_candidate(now(), candidate).unwrap());
        }
        PeerEvent::Resolve { .. } => from.with_machine(|pc| resolve_literal(pc, now(), event)),
        _ => {}
    }
}

/// Runs both drivers until `a` gets `b`'s echo of "ping"; returns the
/// echo.
async fn call(a: &mut Driver<RtcPeerConnection>, b: &mut Driver<RtcPeerConnection>) -> String {
    let channel = negotiate(a, b);
    let echoed = async {
        loop {
            tokio::select! {
                event = a.next_event() => {
                    let event = event.unwrap();
                    forward(a, b, &event);
                    match event {
                        PeerEvent::DataChannel(DataChannelEvent::Open(ch)) if ch == channel => {
                            a.with_machine(|pc| pc.send(now(), channel, DataChannelMessage::Text("ping".into())).unwrap());
                        }
                        PeerEvent::DataChannel(DataChannelEvent::Message { message: DataChannelMessage::Text(text), .. }) => return text,
                        PeerEvent::IceCandidateError(e) => panic!("a: {e:?}"),
                        _ => {}
                    }
                }
                event = b.next_event() => {
                    let event = event.unwrap();
                    forward(b, a, &event);
                    match event {
                        PeerEvent::DataChannel(DataChannelEvent::Message { channel, message: DataChannelMessage::Text(text) }) => {
                            b.with_machine(|pc| pc.send(now(), channel, DataChannelMessage::Text(format!("echo {text}"))).unwrap());
                        }
                        PeerEvent::IceCandidateError(e) => panic!("b: {e:?}"),
                        _ => {}
                    }
                }
            }
        }
    };
    let echo = tokio::time::timeout(CALL_LIMIT, echoed)
        .await
        .expect("the call through coturn did not echo in time");
    // Data flows on the first valid pair; run on until both sides have
    // selected theirs (nomination).
    let selected = async {
        while a.machine().selected_candidate_pair().is_none()
            || b.machine().selected_candidate_pair().is_none()
        {
            tokio::select! {
                event = a.next_event() => forward(a, b, &event.unwrap()),
                event = b.next_event() => forward(b, a, &event.unwrap()),
                // Selection raises no event: look again now and then.
                _ = tokio::time::sleep(Duration::from_millis(10)) => {}
            }
        }
    };
    if tokio::time::timeout(CALL_LIMIT, selected).await.is_err() {
        panic!(
            "no selected pair in time: a {:?} {:?}, b {:?} {:?}",
            a.machine().selected_candidate_pair(),
            a.machine().ice_connection_state(),
            b.machine().selected_candidate_pair(),
            b.machine().ice_connection_state(),
        );
    }
    echo
}

/// Both sides relay through coturn over `protocol` ("tcp" or "tls"), with
/// one stream each to `server`.
fn assert_relayed(driver: &Driver<RtcPeerConnection>, protocol: &str, server: SocketAddr) {
    let (kind, relay_protocol) = selected_local_candidate(driver.machine(), now());
    assert_eq!(kind, "relay");
    assert_eq!(relay_protocol.as_deref(), Some(protocol));
    let counters = driver.counters();
    assert_eq!(counters.streams_opened, 1, "{counters:?}");
    assert_eq!(counters.streams_connected, 1, "{counters:?}");
    assert_eq!(counters.streams_closed, 0, "{counters:?}");
    assert!(counters.stream_bytes_read > 0 && counters.stream_bytes_written > 0);
    assert_eq!(counters.sent, 0, "relay-only over a stream: no UDP at all");
    assert_eq!(driver.stream_count(), 1);
    assert!(driver.last_stream_close().is_none());
    let _ = server;
}

/// Waits until `driver` reports its TURN server unreachable (701) and
/// returns that event and how long it took.
async fn candidate_error(
    driver: &mut Driver<RtcPeerConnection>,
) -> (sansrtc::IceCandidateErrorEvent, Duration) {
    let start = Instant::now();
    let found = tokio::time::timeout(
        CALL_LIMIT,
        driver.run_until(|pc, event| {
            resolve_literal(pc, now(), &event);
            match event {
                PeerEvent::IceCandidateError(e) => ControlFlow::Break(e),
                _ => ControlFlow::Continue(()),
            }
        }),
    )
    .await
    .expect("no icecandidateerror in time")
    .unwrap();
    (found, start.elapsed())
}

/// A relay-only peer that starts gathering (an offer with a data channel).
async fn gathering_peer(url: &str, seed: u64) -> Driver<RtcPeerConnection> {
    let mut driver = peer(relay_only(url), seed).await;
    driver.with_machine(|pc| {
        pc.create_data_channel(now(), DataChannelInit::new("x"))
            .unwrap();
        let offer = pc.create_offer(now()).unwrap();
        pc.set_local_description(now(), offer).unwrap();
    });
    driver
}

#[test]
fn relay_only_call_through_coturn_over_tcp_and_tls_then_coturn_goes_away() {
    let turn = TestTurn::start("tokio-streams", PORTS);
    runtime().block_on(async {
        // TLS: both peers trust the test CA; coturn is named by its IP.
        let mut a = peer(relay_only(&turn.turns_url()), 1).await;
        let mut b = peer(relay_only(&turn.turns_url()), 2).await;
        for d in [&mut a, &mut b] {
            d.set_tls_roots(turn.roots.clone()).unwrap();
        }
        let started = Instant::now();
        assert_eq!(call(&mut a, &mut b).await, "echo ping");
        eprintln!("TLS call echoed in {:?}", started.elapsed());
        assert_relayed(&a, "tls", turn.tls_address());
        assert_relayed(&b, "tls", turn.tls_address());
        drop((a, b));

        // TCP.
        let mut a = peer(relay_only(&turn.turn_tcp_url()), 3).await;
        let mut b = peer(relay_only(&turn.turn_tcp_url()), 4).await;
        let started = Instant::now();
        assert_eq!(call(&mut a, &mut b).await, "echo ping");
        eprintln!("TCP call echoed in {:?}", started.elapsed());
        assert_relayed(&a, "tcp", turn.tcp_address());
        assert_relayed(&b, "tcp", turn.tcp_address());

        // coturn goes away mid-call: its end of both streams closes, the
        // drivers tell the machines, and each loses its relay (701).
        drop(turn);
        for d in [&mut a, &mut b] {
            let (error, _) = candidate_error(d).await;
            assert_eq!(error.error_code, 701, "{error:?}");
            let counters = d.counters();
            assert_eq!(counters.streams_closed, 1, "{counters:?}");
            let close = d.last_stream_close().expect("a close").clone();
            assert_eq!(close.key.protocol, sansrtc::Protocol::Tcp);
            assert!(
                matches!(
                    close.reason,
                    StreamCloseReason::PeerClosed | StreamCloseReason::Io(_)
                ),
                "{close:?}"
            );
            assert_eq!(d.stream_count(), 0);
        }
    });
}

#[test]
fn nothing_listening_is_a_relay_error_at_once() {
    runtime().block_on(async {
        // A port nobody listens on.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let mut d = gathering_peer(&format!("turn:127.0.0.1:{port}?transport=tcp"), 5).await;
        let (error, took) = candidate_error(&mut d).await;
        assert_eq!(error.error_code, 701, "{error:?}");
        assert!(
            took < Duration::from_secs(5),
            "reported at once, not after the 39.5 s timeout: {took:?}"
        );
        let counters = d.counters();
        assert_eq!(
            (
                counters.streams_opened,
                counters.stream_connect_failures,
                counters.streams_closed
            ),
            (1, 1, 1),
            "{counters:?}"
        );
        assert_eq!(
            d.last_stream_close().map(|c| c.reason.clone()),
            Some(StreamCloseReason::ConnectFailed(
                std::io::ErrorKind::ConnectionRefused
            ))
        );
        assert_eq!(d.stream_count(), 0);
    });
}

#[test]
fn untrusted_certificate_and_wrong_name_are_refused_and_reported() {
    let turn = TestTurn::start(
        "tokio-streams-tls",
        CoturnPorts {
            port: 3728,
            tls_port: 5599,
            min_relay: 50600,
            max_relay: 50649,
        },
    );
    runtime().block_on(async {
        // The default roots (webpki-roots) do not know the test CA.
        let mut d = gathering_peer(&turn.turns_url(), 6).await;
        let (error, took) = candidate_error(&mut d).await;
        assert_eq!(error.error_code, 701, "{error:?}");
        assert!(took < Duration::from_secs(5), "{took:?}");
        let counters = d.counters();
        assert_eq!((counters.streams_connected, counters.tls_failures, counters.streams_closed), (1, 1, 1), "{counters:?}");
        let reason = d.last_stream_close().map(|c| c.reason.clone());
        assert!(
            matches!(&reason, Some(StreamCloseReason::Tls(text)) if text.contains("UnknownIssuer")),
            "{reason:?}"
        );

        // The right roots, but the certificate is checked against a name it
        // does not carry.
        let mut d = gathering_peer(&turn.turns_url(), 7).await;
        d.set_tls_roots(turn.roots.clone()).unwrap();
        d.set_tls_server_name(turn.tls_address(), ServerName::try_from("turn.example.org").unwrap());
        let (error, _) = candidate_error(&mut d).await;
        assert_eq!(error.error_code, 701, "{error:?}");
        let reason = d.last_stream_close().map(|c| c.reason.clone());
        assert!(
            matches!(&reason, Some(StreamCloseReason::Tls(text)) if text.contains("not valid for name")),
            "{reason:?}"
        );

        // The name it does carry works: the relay is allocated.
        let mut d = gathering_peer(&turn.turns_url(), 8).await;
        d.set_tls_roots(turn.roots.clone()).unwrap();
        d.set_tls_server_name(turn.tls_address(), ServerName::try_from("turn.sansrtc.test").unwrap());
        let relay = tokio::time::timeout(CALL_LIMIT, d.run_until(|pc, event| {
            resolve_literal(pc, now(), &event);
            match event {
                PeerEvent::IceCandidate(Some(c)) if c.candidate.contains(" typ relay") => ControlFlow::Break(Ok(c.candidate)),
                PeerEvent::IceCandidateError(e) => ControlFlow::Break(Err(e)),
                _ => ControlFlow::Continue(()),
            }
        }))
        .await
        .expect("no relay candidate in time")
        .unwrap();
        assert!(relay.is_ok(), "{relay:?}");
        assert_eq!(d.counters().tls_failures, 0);
    });
}

/// The stream glue without TURN: a plain TCP echo server gets ~450 KiB of
/// frames of every size back in order; a server that closes its end is
/// reported, and the next frame opens a new stream.
#[test]
fn frames_over_a_plain_tcp_stream_echo_in_order_and_a_close_is_reported() {
    let server = echo_server(100);
    runtime().block_on(async {
        let mut driver = Driver::new(StreamClient::default());
        let local = driver.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();

        // The first connection: the server reads 100 bytes and closes (FIN).
        driver.with_machine(|m| m.send(local, server, vec![1; 100]));
        let closed = tokio::time::timeout(CALL_LIMIT, driver.next_event())
            .await
            .expect("the close in time")
            .unwrap();
        assert_eq!(
            closed,
            StreamClientEvent::Closed {
                local,
                remote: server,
                protocol: sansrtc::Protocol::Tcp
            }
        );
        assert_eq!(driver.stream_count(), 0);

        // The next frames open a second connection, which echoes.
        let frames = echo_frames();
        let sent: Vec<u8> = frames.concat();
        driver.with_machine(|m| {
            for f in frames {
                m.send(local, server, f);
            }
        });
        let mut echoed = Vec::new();
        let collect = async {
            while echoed.len() < sent.len() {
                match driver.next_event().await.unwrap() {
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
        };
        tokio::time::timeout(CALL_LIMIT, collect)
            .await
            .expect("the echo in time");
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
    });
}

/// The streams' sockets and connects in progress keep the driver `Send`
/// (and `Sync` when the machine is), so a task can own it (the async API
/// spawns one per peer connection).
#[test]
fn a_driver_with_streams_can_move_between_threads() {
    fn send<T: Send>() {}
    fn send_and_sync<T: Send + Sync>() {}
    send::<Driver<RtcPeerConnection>>();
    send_and_sync::<Driver<StreamClient>>();
}
