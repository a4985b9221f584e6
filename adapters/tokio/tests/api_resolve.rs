//! Name resolution answered by the connection's task: DNS names of ICE
//! servers through the system resolver or a custom one, `.local` names
//! through the mDNS hook (or to nothing without one).

mod api_support;

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use api_support::*;
use sansrtc_tokio::sansrtc::{
    DataChannelInit, IceServer, PeerConnectionState, RtcConfiguration, RtcSessionDescription,
};
use sansrtc_tokio::{PeerConnection, Resolver, Resolving};

/// Answers every name with one address and remembers the names asked.
#[derive(Default)]
struct Recording {
    answer: Vec<IpAddr>,
    asked: Mutex<Vec<String>>,
}

impl Resolver for Recording {
    fn resolve(&self, name: &str) -> Resolving {
        self.asked
            .lock()
            .expect("not poisoned")
            .push(name.to_owned());
        let answer = self.answer.clone();
        Box::pin(async move { answer })
    }
}

/// A peer whose configuration names a STUN server by `host`; waits for the
/// Binding request it sends to the server socket (so the name resolved to
/// the socket's address).
async fn stun_request_reaches_server(host: &str, resolver: Option<Arc<Recording>>) {
    let server = tokio::net::UdpSocket::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = server.local_addr().expect("address").port();
    let configuration = RtcConfiguration {
        ice_servers: vec![IceServer::new(format!("stun:{host}:{port}"))],
        ..RtcConfiguration::default()
    };
    let mut options = loopback_options(51);
    if let Some(resolver) = resolver {
        options.dns_resolver = resolver;
    }
    let pc = PeerConnection::new(configuration, options)
        .await
        .expect("peer");
    let _channel = pc
        .create_data_channel(DataChannelInit::new("c"))
        .await
        .expect("channel");
    let offer = pc.create_offer().await.expect("offer");
    pc.set_local_description(offer).await.expect("local");
    let mut request = [0u8; 1500];
    let (n, from) = within("STUN request", server.recv_from(&mut request))
        .await
        .expect("receive");
    assert!(n >= 20, "a STUN message");
    assert_eq!(&request[..2], &[0, 1], "a Binding request");
    assert!(pc.local_addresses().contains(&from));
}

#[tokio::test]
async fn an_ice_server_named_localhost_resolves_through_the_system() {
    stun_request_reaches_server("localhost", None).await;
}

#[tokio::test]
async fn an_ice_server_name_goes_to_the_custom_dns_resolver() {
    let resolver = Arc::new(Recording {
        answer: vec!["127.0.0.1".parse().expect("ip")],
        ..Recording::default()
    });
    stun_request_reaches_server("stun.example.invalid", Some(resolver.clone())).await;
    let asked = resolver.asked.lock().expect("not poisoned").clone();
    assert_eq!(asked, vec!["stun.example.invalid".to_owned()]);
}

/// Rewrites the IPv4 loopback address of every candidate line to `name`
/// (as a browser hiding its addresses behind mDNS does).
fn hide_candidates(description: RtcSessionDescription, name: &str) -> RtcSessionDescription {
    let sdp = description
        .sdp
        .split("\r\n")
        .map(|line| {
            if line.starts_with("a=candidate:") {
                line.replace(" 127.0.0.1 ", &format!(" {name} "))
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n");
    RtcSessionDescription { sdp, ..description }
}

#[tokio::test]
async fn local_names_go_to_the_mdns_hook_and_connect() {
    let mdns = Arc::new(Recording {
        answer: vec!["127.0.0.1".parse().expect("ip")],
        ..Recording::default()
    });
    let mut options = loopback_options(53);
    options.mdns_resolver = Some(mdns.clone());
    let a = loopback_peer_with(options).await;
    let b = loopback_peer(54).await;
    let channel = a
        .create_data_channel(DataChannelInit::new("c"))
        .await
        .expect("channel");
    let offer = a.create_offer().await.expect("offer");
    a.set_local_description(offer).await.expect("local");
    gathered(&a).await;
    let offer = a.local_description().await.expect("runs").expect("offer");
    b.set_remote_description(offer).await.expect("remote");
    let answer = b.create_answer().await.expect("answer");
    b.set_local_description(answer).await.expect("local");
    gathered(&b).await;
    let answer = b.local_description().await.expect("runs").expect("answer");
    let hidden = hide_candidates(answer, "b-host.local");
    assert!(hidden.sdp.contains("b-host.local"), "{}", hidden.sdp);
    a.set_remote_description(hidden).await.expect("remote");
    within("open", channel.wait_open()).await.expect("open");
    assert_eq!(a.connection_state(), PeerConnectionState::Connected);
    let asked = mdns.asked.lock().expect("not poisoned").clone();
    assert_eq!(asked, vec!["b-host.local".to_owned()]);
}

#[tokio::test]
async fn without_an_mdns_hook_local_names_resolve_to_nothing_and_the_peer_still_connects() {
    let a = loopback_peer(55).await;
    let b = loopback_peer(56).await;
    let channel = a
        .create_data_channel(DataChannelInit::new("c"))
        .await
        .expect("channel");
    let offer = a.create_offer().await.expect("offer");
    a.set_local_description(offer).await.expect("local");
    gathered(&a).await;
    let offer = a.local_description().await.expect("runs").expect("offer");
    b.set_remote_description(offer).await.expect("remote");
    let answer = b.create_answer().await.expect("answer");
    b.set_local_description(answer).await.expect("local");
    gathered(&b).await;
    let answer = b.local_description().await.expect("runs").expect("answer");
    a.set_remote_description(hide_candidates(answer, "b-host.local"))
        .await
        .expect("remote");
    // B's checks reach A, which learns B as a peer-reflexive candidate.
    within("open", channel.wait_open()).await.expect("open");
}
