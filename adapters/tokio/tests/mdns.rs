//! mDNS through the adapter (issue #18, proof 4): the resolver and the
//! responder on real multicast sockets on loopback, and two sansrtc peer
//! connections that hide their host addresses behind `<uuid>.local` names
//! and connect by resolving each other's.

mod support;

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, SystemTime};

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sansrtc::{
    DataChannelInit, DataChannelMessage, PeerConnectionState, PeerEvent, RtcConfiguration,
    RtcPeerConnection,
};
use sansrtc_datachannel::DataChannelEvent;
use sansrtc_tokio::{Driver, MdnsHandle, MdnsInterfaces};
use support::{bounded, tokio_now};

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// A fresh random name, so that parallel runs never answer each other.
fn fresh_name(seed: u64) -> String {
    let mut rng = ChaCha20Rng::seed_from_u64(seed ^ std::process::id() as u64);
    sansrtc_mdns::generate_name(&mut rng).to_string()
}

#[tokio::test]
async fn a_name_registered_by_one_handle_resolves_through_another() {
    let a = MdnsHandle::start(MdnsInterfaces::loopback()).expect("mDNS on loopback");
    let b = MdnsHandle::start(MdnsInterfaces::loopback()).expect("a second socket on 5353");
    let name = fresh_name(1);
    bounded(a.register(&name, LOOPBACK)).await.unwrap();
    let addresses = bounded(b.resolve(&name)).await;
    assert_eq!(addresses, vec![LOOPBACK]);
    // A name that is not ours is refused, not registered.
    assert!(bounded(a.register("example.com", LOOPBACK)).await.is_err());
}

#[tokio::test]
async fn an_unknown_name_resolves_to_nothing_after_the_timeout() {
    let b = MdnsHandle::start(MdnsInterfaces::loopback()).unwrap();
    let started = tokio::time::Instant::now();
    let addresses = bounded(b.resolve(&fresh_name(2))).await;
    assert!(addresses.is_empty());
    assert!(started.elapsed() >= sansrtc_mdns::RESOLVE_TIMEOUT);
    // A name the resolver refuses answers at once.
    assert!(bounded(b.resolve("not-local.example")).await.is_empty());
}

#[tokio::test]
async fn an_unregistered_name_is_no_longer_answered() {
    let a = MdnsHandle::start(MdnsInterfaces::loopback()).unwrap();
    let b = MdnsHandle::start(MdnsInterfaces::loopback()).unwrap();
    let name = fresh_name(3);
    bounded(a.register(&name, LOOPBACK)).await.unwrap();
    a.unregister(&name);
    // The goodbye (TTL 0) reached b's cache too, where it had the
    // announcement: the record goes a second later (RFC 6762 §10.1).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Then b must ask, and nobody answers.
    let addresses = bounded(b.resolve(&name)).await;
    assert!(addresses.is_empty(), "{addresses:?}");
}

/// One peer connection hiding its host address, in a driver, with the
/// mDNS handle answering its `HostName` and `Resolve` events.
struct Peer {
    driver: Driver<RtcPeerConnection>,
    mdns: MdnsHandle,
    events: Vec<PeerEvent>,
}

impl Peer {
    async fn new(seed: u64) -> Peer {
        let rng = ChaCha20Rng::seed_from_u64(seed);
        let pc = RtcPeerConnection::new(
            RtcConfiguration::default(),
            rng,
            tokio_now(),
            SystemTime::now(),
        )
        .unwrap();
        let mut driver = Driver::new(pc);
        driver.with_machine(|pc| pc.hide_host_addresses(tokio_now()));
        let local = driver.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        driver.with_machine(|pc| pc.add_local_address(tokio_now(), local).unwrap());
        Peer {
            driver,
            mdns: MdnsHandle::start(MdnsInterfaces::loopback()).unwrap(),
            events: Vec::new(),
        }
    }

    /// Handles one event: names go to the responder, resolutions to the
    /// resolver (answered on a task, then applied here).
    async fn on_event(&mut self, event: PeerEvent) {
        match &event {
            PeerEvent::HostName { name, address } => {
                self.mdns.register(name, *address).await.unwrap();
            }
            PeerEvent::Resolve { id, name } => {
                let addresses = self.mdns.resolve(name).await;
                let id = *id;
                self.driver
                    .with_machine(|pc| pc.resolved(tokio_now(), id, &addresses).unwrap());
            }
            _ => {}
        }
        self.events.push(event);
    }

    async fn pump_until(&mut self, done: impl Fn(&[PeerEvent]) -> bool) {
        while !done(&self.events) {
            let event = self.driver.next_event().await.unwrap();
            self.on_event(event).await;
        }
    }
}

fn candidates(events: &[PeerEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            PeerEvent::IceCandidate(Some(c)) => Some(c.candidate.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn two_peers_hiding_their_addresses_connect_through_mdns() {
    let mut a = Peer::new(11).await;
    let mut b = Peer::new(12).await;
    let now = tokio_now();
    let channel = a
        .driver
        .with_machine(|pc| pc.create_data_channel(now, DataChannelInit::new("mdns")))
        .unwrap();
    // Offer from a (non-trickle: its description once gathered).
    let offer = a.driver.with_machine(|pc| pc.create_offer(now)).unwrap();
    a.driver
        .with_machine(|pc| pc.set_local_description(now, offer))
        .unwrap();
    bounded(a.pump_until(|e| e.contains(&PeerEvent::IceCandidate(None)))).await;
    let offer = a.driver.machine().local_description().unwrap();
    assert!(offer.sdp.contains(".local"), "{}", offer.sdp);
    assert!(!offer.sdp.contains("127.0.0.1"), "{}", offer.sdp);
    b.driver
        .with_machine(|pc| pc.set_remote_description(tokio_now(), offer))
        .unwrap();
    let answer = b.driver.with_machine(|pc| pc.create_answer()).unwrap();
    b.driver
        .with_machine(|pc| pc.set_local_description(tokio_now(), answer))
        .unwrap();
    // b resolves a's name before its checks find a (the resolution is
    // part of its event loop).
    bounded(b.pump_until(|e| e.contains(&PeerEvent::IceCandidate(None)))).await;
    let answer = b.driver.machine().local_description().unwrap();
    assert!(answer.sdp.contains(".local") && !answer.sdp.contains("127.0.0.1"));
    a.driver
        .with_machine(|pc| pc.set_remote_description(tokio_now(), answer))
        .unwrap();

    // Both run until a's channel is open and b got a message over it.
    let run = async {
        let mut sent = false;
        loop {
            tokio::select! {
                event = a.driver.next_event() => {
                    let event = event.unwrap();
                    let open = matches!(&event, PeerEvent::DataChannel(DataChannelEvent::Open(c)) if *c == channel);
                    a.on_event(event).await;
                    if open && !sent {
                        a.driver.with_machine(|pc| pc.send(tokio_now(), channel, DataChannelMessage::Text("over mDNS".into())).unwrap());
                        sent = true;
                    }
                }
                event = b.driver.next_event() => {
                    let event = event.unwrap();
                    let got = matches!(&event, PeerEvent::DataChannel(DataChannelEvent::Message { message, .. }) if *message == DataChannelMessage::Text("over mDNS".into()));
                    b.on_event(event).await;
                    if got { break; }
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), run)
        .await
        .expect("the call over mDNS-resolved candidates");
    // Nomination may finish after the first message: run until both
    // sides selected their pair.
    let selected = async {
        while a.driver.machine().selected_candidate_pair().is_none()
            || b.driver.machine().selected_candidate_pair().is_none()
        {
            tokio::select! {
                event = a.driver.next_event() => a.on_event(event.unwrap()).await,
                event = b.driver.next_event() => b.on_event(event.unwrap()).await,
            }
        }
    };
    bounded(selected).await;

    for (peer, other) in [(&a, &b), (&b, &a)] {
        assert_eq!(
            peer.driver.machine().connection_state(),
            PeerConnectionState::Connected
        );
        // Every candidate it signalled carries a name, none the address.
        for c in candidates(&peer.events) {
            assert!(c.contains(".local") && !c.contains("127.0.0.1"), "{c}");
        }
        // It asked for the other's name, which resolved to the other's
        // address: the selected pair's remote is a host candidate (a
        // peer-reflexive one would mean the name was not resolved).
        let asked: Vec<&String> = peer
            .events
            .iter()
            .filter_map(|e| match e {
                PeerEvent::Resolve { name, .. } => Some(name),
                _ => None,
            })
            .collect();
        let other_name = other
            .driver
            .machine()
            .host_names()
            .next()
            .unwrap()
            .1
            .to_string();
        assert!(asked.contains(&&other_name), "{asked:?} vs {other_name}");
    }
    let pair = b.driver.machine().selected_candidate_pair().unwrap();
    assert_eq!(pair.remote_kind, sansrtc_sdp::CandidateKind::Host);
    assert_eq!(pair.remote, a.driver.local_addrs().next().unwrap());
}

/// The same on the async API: `hide_host_addresses` and an `MdnsHandle`
/// in the options; the connection registers its names and resolves the
/// remote's through the handle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peer_connections_hiding_their_addresses_connect_through_the_handle() {
    use sansrtc_tokio::{PeerConnection, PeerConnectionEvent, PeerConnectionOptions};
    async fn peer(seed: u64) -> PeerConnection {
        let mut options = PeerConnectionOptions::with_local_addresses([LOOPBACK]);
        options.seed = Some(seed);
        options.hide_host_addresses = true;
        options.mdns = Some(MdnsHandle::start(MdnsInterfaces::loopback()).unwrap());
        PeerConnection::new(RtcConfiguration::default(), options)
            .await
            .unwrap()
    }
    async fn gathered(events: &mut sansrtc_tokio::Events) {
        while let Some(event) = events.recv().await {
            if matches!(event, PeerConnectionEvent::IceCandidate(None)) {
                return;
            }
        }
    }
    let (a, b) = (peer(21).await, peer(22).await);
    let (mut a_events, mut b_events) = (a.events().unwrap(), b.events().unwrap());
    let channel = a
        .create_data_channel(DataChannelInit::new("hidden"))
        .await
        .unwrap();
    let offer = a.create_offer().await.unwrap();
    a.set_local_description(offer).await.unwrap();
    bounded(gathered(&mut a_events)).await;
    let offer = a.local_description().await.unwrap().unwrap();
    assert!(offer.sdp.contains(".local") && !offer.sdp.contains("127.0.0.1"));
    b.set_remote_description(offer).await.unwrap();
    let answer = b.create_answer().await.unwrap();
    b.set_local_description(answer).await.unwrap();
    bounded(gathered(&mut b_events)).await;
    let answer = b.local_description().await.unwrap().unwrap();
    assert!(answer.sdp.contains(".local") && !answer.sdp.contains("127.0.0.1"));
    a.set_remote_description(answer).await.unwrap();
    let remote = bounded(b.accept_data_channel()).await.unwrap();
    bounded(channel.wait_open()).await.unwrap();
    channel.send("hidden hello").await.unwrap();
    assert_eq!(
        bounded(remote.recv()).await,
        Some(DataChannelMessage::Text("hidden hello".into()))
    );
    // Each side's selected pair names the other's host candidate: the
    // name was resolved through mDNS (a peer-reflexive remote would mean
    // it was learnt from the checks instead).
    for (pc, other) in [(&a, &b), (&b, &a)] {
        let other_address = other.local_addresses()[0];
        let pair = bounded(async {
            loop {
                let pair = pc
                    .with_machine(|pc, _| pc.selected_candidate_pair())
                    .await
                    .unwrap();
                if let Some(pair) = pair {
                    return pair;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert_eq!(pair.remote, other_address);
        assert_eq!(pair.remote_kind, sansrtc_sdp::CandidateKind::Host);
    }
}
