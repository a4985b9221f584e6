//! Issue #18, proof 1 on the async API: a relay-only call between two
//! sansrtc `PeerConnection`s through a real coturn, over TCP and over TLS
//! (`turns:`), the TLS server named by the URL's host, which the
//! connection resolves (a resolver given in the options maps it to
//! 127.0.0.1) and trusts through a root store given in the options.

#[path = "turn_streams_support/mod.rs"]
mod turn_streams_support;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use sansrtc_testkit::coturn::CoturnPorts;
use sansrtc_tokio::sansrtc::{DataChannelInit, PeerConnectionState, RtcConfiguration};
use sansrtc_tokio::{rustls, PeerConnection, PeerConnectionOptions, Resolver, Resolving};
use turn_streams_support::{relay_only, selected_local_candidate, TestTurn, CALL_LIMIT};

const PORTS: CoturnPorts = CoturnPorts {
    port: 3758,
    tls_port: 5629,
    min_relay: 50750,
    max_relay: 50799,
};

/// The certificate's name, resolved by this resolver only.
const TURN_HOST: &str = "turn.sansrtc.test";

/// DNS for the test: the TURN host is 127.0.0.1, nothing else resolves.
struct TestDns;
impl Resolver for TestDns {
    fn resolve(&self, name: &str) -> Resolving {
        let answer = if name.eq_ignore_ascii_case(TURN_HOST) {
            vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]
        } else {
            Vec::new()
        };
        Box::pin(async move { answer })
    }
}

async fn relay_peer(config: RtcConfiguration, roots: &rustls::RootCertStore) -> PeerConnection {
    let mut options =
        PeerConnectionOptions::with_local_addresses([IpAddr::V4(Ipv4Addr::LOCALHOST)]);
    options.tls_roots = Some(roots.clone());
    options.dns_resolver = Arc::new(TestDns);
    PeerConnection::new(config, options)
        .await
        .expect("a peer connection")
}

/// a offers a channel to b (non-trickle: both descriptions once gathered,
/// which includes the relay allocation), b echoes one message; returns
/// what came back.
async fn call(a: &PeerConnection, b: &PeerConnection) -> String {
    let mut a_events = a.events().unwrap();
    let mut b_events = b.events().unwrap();
    let channel = a
        .create_data_channel(DataChannelInit::new("relayed"))
        .await
        .unwrap();
    let offer = a.create_offer().await.unwrap();
    a.set_local_description(offer).await.unwrap();
    gathered(&mut a_events).await;
    b.set_remote_description(a.local_description().await.unwrap().unwrap())
        .await
        .unwrap();
    let answer = b.create_answer().await.unwrap();
    b.set_local_description(answer).await.unwrap();
    gathered(&mut b_events).await;
    a.set_remote_description(b.local_description().await.unwrap().unwrap())
        .await
        .unwrap();
    tokio::spawn(async move { while a_events.recv().await.is_some() {} });
    tokio::spawn(async move { while b_events.recv().await.is_some() {} });
    let remote = b.accept_data_channel().await.unwrap();
    tokio::spawn(async move {
        while let Some(message) = remote.recv().await {
            if let sansrtc_tokio::sansrtc::DataChannelMessage::Text(t) = message {
                let _ = remote.send(format!("echo {t}").as_str()).await;
            }
        }
    });
    channel.wait_open().await.unwrap();
    channel.send("ping").await.unwrap();
    match channel.recv().await {
        Some(sansrtc_tokio::sansrtc::DataChannelMessage::Text(t)) => t,
        other => panic!("{other:?}"),
    }
}

async fn gathered(events: &mut sansrtc_tokio::Events) {
    use sansrtc_tokio::PeerConnectionEvent::IceCandidate;
    while let Some(event) = events.recv().await {
        if matches!(event, IceCandidate(None)) {
            return;
        }
    }
    panic!("the event stream ended before gathering completed");
}

/// Both sides selected a relay candidate reaching coturn over `protocol`.
async fn assert_relayed(pc: &PeerConnection, protocol: &str) {
    // Nomination may come just after the first message.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let selected = pc
            .with_machine(|pc, _| pc.selected_candidate_pair().is_some())
            .await
            .unwrap();
        if selected {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no selected pair");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (kind, relay_protocol) = pc
        .with_machine(|pc, now| selected_local_candidate(pc, now))
        .await
        .unwrap();
    assert_eq!(kind, "relay");
    assert_eq!(relay_protocol.as_deref(), Some(protocol));
    assert_eq!(pc.connection_state(), PeerConnectionState::Connected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_only_call_through_coturn_over_tls_and_tcp_on_the_async_api() {
    let turn = TestTurn::start("tokio-api-turn", PORTS);
    // TLS to the URL's host name: resolved by the connection, the
    // certificate checked against that name, trusted by the given roots.
    let turns = format!("turns:{TURN_HOST}:{}?transport=tcp", PORTS.tls_port);
    let a = relay_peer(relay_only(&turns), &turn.roots).await;
    let b = relay_peer(relay_only(&turns), &turn.roots).await;
    let echo = tokio::time::timeout(CALL_LIMIT, call(&a, &b))
        .await
        .expect("a TLS call in time");
    assert_eq!(echo, "echo ping");
    assert_relayed(&a, "tls").await;
    assert_relayed(&b, "tls").await;
    a.close().await;
    b.close().await;

    // TCP, to the address.
    let a = relay_peer(relay_only(&turn.turn_tcp_url()), &turn.roots).await;
    let b = relay_peer(relay_only(&turn.turn_tcp_url()), &turn.roots).await;
    let echo = tokio::time::timeout(CALL_LIMIT, call(&a, &b))
        .await
        .expect("a TCP call in time");
    assert_eq!(echo, "echo ping");
    assert_relayed(&a, "tcp").await;
    assert_relayed(&b, "tcp").await;
}

#[tokio::test]
async fn without_the_test_roots_the_turns_server_is_refused() {
    let turn = TestTurn::start(
        "tokio-api-turn-roots",
        CoturnPorts {
            port: 3768,
            tls_port: 5639,
            min_relay: 50800,
            max_relay: 50849,
        },
    );
    let turns = format!("turns:{TURN_HOST}:5639?transport=tcp");
    // The default roots (webpki-roots) do not know the test CA.
    let mut options =
        PeerConnectionOptions::with_local_addresses([IpAddr::V4(Ipv4Addr::LOCALHOST)]);
    options.dns_resolver = Arc::new(TestDns);
    let pc = PeerConnection::new(relay_only(&turns), options)
        .await
        .unwrap();
    let mut events = pc.events().unwrap();
    let _channel = pc
        .create_data_channel(DataChannelInit::new("x"))
        .await
        .unwrap();
    let offer = pc.create_offer().await.unwrap();
    pc.set_local_description(offer).await.unwrap();
    let error = tokio::time::timeout(CALL_LIMIT, async {
        while let Some(event) = events.recv().await {
            if let sansrtc_tokio::PeerConnectionEvent::IceCandidateError(e) = event {
                return e;
            }
        }
        panic!("no icecandidateerror");
    })
    .await
    .expect("the refusal in time");
    assert_eq!(error.error_code, 701, "{error:?}");
    drop(turn);
}
