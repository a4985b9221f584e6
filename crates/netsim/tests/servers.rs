//! The simulated STUN and TURN servers, driven by hand-built requests from
//! a client behind a NAT (RFC 8489 Binding; RFC 8656 Allocate, Refresh,
//! CreatePermission, ChannelBind, Send/Data indications, ChannelData).

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::addr;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sansrtc_netsim::{
    LinkConfig, NatConfig, Network, NodeId, Probe, StunServer, TurnConfig, TurnEvent, TurnServer,
};
use sansrtc_stun::attributes::{
    AddressFamily, ChannelNumber, Data, ErrorCode, Lifetime, Nonce, Realm, RequestedAddressFamily,
    RequestedTransport, Username, XorMappedAddress, XorPeerAddress, XorRelayedAddress,
};
use sansrtc_stun::{
    long_term_key, ChannelData, Class, Message, MessageBuilder, MessageType, Method, StunError,
    TransactionId,
};

const NAT_PUBLIC: &str = "203.0.113.1:0";
const TURN_LISTEN: &str = "192.0.2.100:3478";
const RELAY_IP: &str = "192.0.2.101:0";
const PEER: &str = "198.51.100.7:7000";
const USER: &str = "alice";
const PASSWORD: &str = "secret";

struct World {
    net: Network,
    client: NodeId<Probe>,
    peer: NodeId<Probe>,
    turn: NodeId<TurnServer>,
    rng: ChaCha20Rng,
}

fn world() -> World {
    let mut net = Network::new(Instant::now(), 11);
    let internet = net.internet();
    let nat = net
        .add_nat(
            internet,
            NatConfig::symmetric(addr(NAT_PUBLIC).ip()),
            LinkConfig::default(),
        )
        .unwrap();
    let config = TurnConfig::new(addr(TURN_LISTEN), addr(RELAY_IP).ip(), USER, PASSWORD);
    let server = TurnServer::new(config, net.rng_for(1));
    let turn = net
        .add_host(
            internet,
            &[addr(TURN_LISTEN).ip(), addr(RELAY_IP).ip()],
            LinkConfig::default(),
            server,
        )
        .unwrap();
    let peer = net
        .add_host(
            internet,
            &[addr(PEER).ip()],
            LinkConfig::default(),
            Probe::new(addr(PEER)),
        )
        .unwrap();
    let local = addr("10.0.0.2:5000");
    let client = net
        .add_host(
            nat.inside(),
            &[local.ip()],
            LinkConfig::default(),
            Probe::new(local),
        )
        .unwrap();
    World {
        net,
        client,
        peer,
        turn,
        rng: ChaCha20Rng::seed_from_u64(5),
    }
}

/// Credentials to add: (username, realm, nonce, password).
type Auth<'a> = Option<(&'a str, &'a str, &'a str, &'a str)>;

fn request(
    w: &mut World,
    method: Method,
    auth: Auth<'_>,
    fill: impl FnOnce(&mut MessageBuilder<'_, Vec<u8>>) -> Result<(), StunError>,
) -> Vec<u8> {
    let mut buf = Vec::new();
    let tid = TransactionId::random(&mut w.rng);
    let mut b = MessageBuilder::new(&mut buf, MessageType::new(method, Class::Request), tid);
    fill(&mut b).unwrap();
    if let Some((user, realm, nonce, password)) = auth {
        b.add(&Username(user)).unwrap();
        b.add(&Realm(realm)).unwrap();
        b.add(&Nonce(nonce)).unwrap();
        b.add_message_integrity(&long_term_key(user, realm, password))
            .unwrap();
    }
    b.add_fingerprint().unwrap();
    b.finish();
    buf
}

/// Sends `bytes` from the client to the TURN server; returns the answers.
fn exchange(w: &mut World, bytes: Vec<u8>) -> Vec<Vec<u8>> {
    w.net.node_mut(&w.client).send(addr(TURN_LISTEN), bytes);
    w.net.run_for(Duration::from_millis(100));
    w.net
        .take_events(&w.client)
        .into_iter()
        .map(|r| r.contents)
        .collect()
}

fn error_code(bytes: &[u8]) -> Option<u16> {
    Message::parse(bytes)
        .ok()?
        .get::<ErrorCode<'_>>()
        .ok()?
        .map(|e| e.code)
}

fn challenge(w: &mut World) -> (String, String) {
    let bytes = request(w, Method::ALLOCATE, None, |b| {
        b.add(&RequestedTransport::UDP)?;
        Ok(())
    });
    let answers = exchange(w, bytes);
    let m = Message::parse(&answers[0]).unwrap();
    assert_eq!(m.class(), Class::ErrorResponse);
    assert_eq!(error_code(&answers[0]), Some(401));
    let realm = m.require::<Realm<'_>>().unwrap().0.to_string();
    let nonce = m.require::<Nonce<'_>>().unwrap().0.to_string();
    (realm, nonce)
}

fn allocate(w: &mut World, realm: &str, nonce: &str) -> (SocketAddr, SocketAddr, u32) {
    let auth = Some((USER, realm, nonce, PASSWORD));
    let bytes = request(w, Method::ALLOCATE, auth, |b| {
        b.add(&RequestedTransport::UDP)?;
        Ok(())
    });
    let answers = exchange(w, bytes);
    let m = Message::parse(&answers[0]).unwrap();
    assert_eq!(
        m.class(),
        Class::SuccessResponse,
        "{:?}",
        error_code(&answers[0])
    );
    m.verify_integrity(&long_term_key(USER, realm, PASSWORD))
        .unwrap();
    (
        m.require::<XorRelayedAddress>().unwrap().0,
        m.require::<XorMappedAddress>().unwrap().0,
        m.require::<Lifetime>().unwrap().0,
    )
}

#[test]
fn stun_binding_returns_the_nat_mapped_address() {
    let mut w = world();
    let stun_addr = addr("192.0.2.50:3478");
    let internet = w.net.internet();
    w.net
        .add_host(
            internet,
            &[stun_addr.ip()],
            LinkConfig::default(),
            StunServer::new(),
        )
        .unwrap();
    let bytes = request(&mut w, Method::BINDING, None, |_| Ok(()));
    w.net.node_mut(&w.client).send(stun_addr, bytes);
    w.net.run_for(Duration::from_millis(100));
    let got = w.net.take_events(&w.client);
    let m = Message::parse(&got[0].contents).unwrap();
    assert_eq!(m.message_type(), MessageType::BINDING_SUCCESS);
    m.verify_fingerprint().unwrap();
    let mapped = m.require::<XorMappedAddress>().unwrap().0;
    assert_eq!(mapped.ip(), addr(NAT_PUBLIC).ip());
    // Garbage is ignored, an unknown method gets 400.
    w.net
        .node_mut(&w.client)
        .send(stun_addr, b"not stun".to_vec());
    let bytes = request(&mut w, Method(0x0ff), None, |_| Ok(()));
    w.net.node_mut(&w.client).send(stun_addr, bytes);
    w.net.run_for(Duration::from_millis(100));
    let got = w.net.take_events(&w.client);
    assert_eq!(got.len(), 1);
    assert_eq!(error_code(&got[0].contents), Some(400));
}

#[test]
fn the_turn_server_also_answers_binding() {
    let mut w = world();
    let bytes = request(&mut w, Method::BINDING, None, |_| Ok(()));
    let answers = exchange(&mut w, bytes);
    let m = Message::parse(&answers[0]).unwrap();
    assert_eq!(
        m.require::<XorMappedAddress>().unwrap().0.ip(),
        addr(NAT_PUBLIC).ip()
    );
}

#[test]
fn allocate_needs_long_term_credentials_and_a_fresh_nonce() {
    let mut w = world();
    let (realm, nonce) = challenge(&mut w);
    assert_eq!(realm, "sansrtc.test");
    // Wrong password → 401.
    let bytes = request(
        &mut w,
        Method::ALLOCATE,
        Some((USER, &realm, &nonce, "wrong")),
        |b| {
            b.add(&RequestedTransport::UDP)?;
            Ok(())
        },
    );
    assert_eq!(error_code(&exchange(&mut w, bytes)[0]), Some(401));
    // Unknown user → 401.
    let bytes = request(
        &mut w,
        Method::ALLOCATE,
        Some(("mallory", &realm, &nonce, PASSWORD)),
        |b| {
            b.add(&RequestedTransport::UDP)?;
            Ok(())
        },
    );
    assert_eq!(error_code(&exchange(&mut w, bytes)[0]), Some(401));
    // A rotated nonce → 438 with the new one, which then works.
    w.net.node_mut(&w.turn).rotate_nonce();
    let bytes = request(
        &mut w,
        Method::ALLOCATE,
        Some((USER, &realm, &nonce, PASSWORD)),
        |b| {
            b.add(&RequestedTransport::UDP)?;
            Ok(())
        },
    );
    let answer = exchange(&mut w, bytes);
    assert_eq!(error_code(&answer[0]), Some(438));
    let fresh = Message::parse(&answer[0])
        .unwrap()
        .require::<Nonce<'_>>()
        .unwrap()
        .0
        .to_string();
    assert_ne!(fresh, nonce);
    let (relayed, mapped, lifetime) = allocate(&mut w, &realm, &fresh);
    assert_eq!(relayed, SocketAddr::new(addr(RELAY_IP).ip(), 49_152));
    assert_eq!(mapped.ip(), addr(NAT_PUBLIC).ip());
    assert_eq!(lifetime, 600);
    let c = w.net.node(&w.turn).counters();
    assert_eq!(
        (c.unauthenticated, c.stale_nonces, c.allocations_created),
        (3, 1, 1)
    );
}

#[test]
fn allocate_refuses_tcp_missing_families_and_a_second_allocation() {
    let mut w = world();
    let (realm, nonce) = challenge(&mut w);
    let auth = Some((USER, realm.as_str(), nonce.as_str(), PASSWORD));
    let tcp = request(&mut w, Method::ALLOCATE, auth, |b| {
        b.add(&RequestedTransport::TCP)?;
        Ok(())
    });
    assert_eq!(error_code(&exchange(&mut w, tcp)[0]), Some(442));
    let v6 = request(&mut w, Method::ALLOCATE, auth, |b| {
        b.add(&RequestedTransport::UDP)?;
        b.add(&RequestedAddressFamily(AddressFamily::V6))?;
        Ok(())
    });
    assert_eq!(error_code(&exchange(&mut w, v6)[0]), Some(440));
    let none = request(&mut w, Method::ALLOCATE, auth, |_| Ok(()));
    assert_eq!(error_code(&exchange(&mut w, none)[0]), Some(400));
    allocate(&mut w, &realm, &nonce);
    // The same 5-tuple, a new transaction: 437.
    let again = request(&mut w, Method::ALLOCATE, auth, |b| {
        b.add(&RequestedTransport::UDP)?;
        Ok(())
    });
    assert_eq!(error_code(&exchange(&mut w, again)[0]), Some(437));
}

#[test]
fn permissions_gate_relaying_both_ways_with_data_indications() {
    let mut w = world();
    let (realm, nonce) = challenge(&mut w);
    let auth = Some((USER, realm.as_str(), nonce.as_str(), PASSWORD));
    let (relayed, _, _) = allocate(&mut w, &realm, &nonce);
    // No permission yet: the peer's datagram is dropped.
    w.net.node_mut(&w.peer).send(relayed, b"early".to_vec());
    w.net.run_for(Duration::from_millis(100));
    assert!(w.net.take_events(&w.client).is_empty());
    assert_eq!(w.net.node(&w.turn).counters().no_permission, 1);
    let perm = request(&mut w, Method::CREATE_PERMISSION, auth, |b| {
        b.add(&XorPeerAddress(addr(PEER)))?;
        Ok(())
    });
    let answer = exchange(&mut w, perm);
    assert_eq!(
        Message::parse(&answer[0]).unwrap().class(),
        Class::SuccessResponse
    );
    // Peer → client: a Data indication.
    w.net
        .node_mut(&w.peer)
        .send(relayed, b"hello client".to_vec());
    w.net.run_for(Duration::from_millis(100));
    let got = w.net.take_events(&w.client);
    let m = Message::parse(&got[0].contents).unwrap();
    assert_eq!(
        m.message_type(),
        MessageType::new(Method::DATA, Class::Indication)
    );
    assert_eq!(m.require::<XorPeerAddress>().unwrap().0, addr(PEER));
    assert_eq!(m.require::<Data<'_>>().unwrap().0, b"hello client");
    // Client → peer: a Send indication, relayed from the relayed address.
    let mut buf = Vec::new();
    let tid = TransactionId::random(&mut w.rng);
    let mut b = MessageBuilder::new(
        &mut buf,
        MessageType::new(Method::SEND, Class::Indication),
        tid,
    );
    b.add(&XorPeerAddress(addr(PEER))).unwrap();
    b.add(&Data(b"hello peer")).unwrap();
    b.finish();
    exchange(&mut w, buf);
    let got = w.net.take_events(&w.peer);
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].source, got[0].contents.as_slice()),
        (relayed, &b"hello peer"[..])
    );
    // Permissions last 300 s (RFC 8656 §9).
    w.net.run_for(Duration::from_secs(301));
    w.net.node_mut(&w.peer).send(relayed, b"late".to_vec());
    w.net.run_for(Duration::from_millis(100));
    assert!(w.net.take_events(&w.client).is_empty());
}

#[test]
fn channels_carry_channel_data_both_ways() {
    let mut w = world();
    let (realm, nonce) = challenge(&mut w);
    let auth = Some((USER, realm.as_str(), nonce.as_str(), PASSWORD));
    let (relayed, _, _) = allocate(&mut w, &realm, &nonce);
    let bind = request(&mut w, Method::CHANNEL_BIND, auth, |b| {
        b.add(&ChannelNumber(0x4001))?;
        b.add(&XorPeerAddress(addr(PEER)))?;
        Ok(())
    });
    assert_eq!(
        Message::parse(&exchange(&mut w, bind)[0]).unwrap().class(),
        Class::SuccessResponse
    );
    // Binding the channel to another peer, or an invalid number: 400.
    let conflict = request(&mut w, Method::CHANNEL_BIND, auth, |b| {
        b.add(&ChannelNumber(0x4001))?;
        b.add(&XorPeerAddress(addr("198.51.100.8:1")))?;
        Ok(())
    });
    assert_eq!(error_code(&exchange(&mut w, conflict)[0]), Some(400));
    let invalid = request(&mut w, Method::CHANNEL_BIND, auth, |b| {
        b.add(&ChannelNumber(0x3fff))?;
        b.add(&XorPeerAddress(addr(PEER)))?;
        Ok(())
    });
    assert_eq!(error_code(&exchange(&mut w, invalid)[0]), Some(400));
    // Peer → client as ChannelData.
    w.net
        .node_mut(&w.peer)
        .send(relayed, b"via channel".to_vec());
    w.net.run_for(Duration::from_millis(100));
    let got = w.net.take_events(&w.client);
    let cd = ChannelData::parse(&got[0].contents).unwrap();
    assert_eq!((cd.channel, cd.data), (0x4001, &b"via channel"[..]));
    // Client → peer as ChannelData.
    let mut buf = Vec::new();
    ChannelData {
        channel: 0x4001,
        data: b"back",
    }
    .encode(&mut buf, false)
    .unwrap();
    exchange(&mut w, buf);
    let got = w.net.take_events(&w.peer);
    assert_eq!(
        (got[0].source, got[0].contents.as_slice()),
        (relayed, &b"back"[..])
    );
    let c = w.net.node(&w.turn).counters();
    assert_eq!((c.relayed_to_client, c.relayed_to_peer), (1, 1));
}

#[test]
fn allocations_expire_or_end_with_a_zero_lifetime_refresh() {
    let mut w = world();
    let (realm, nonce) = challenge(&mut w);
    let auth = Some((USER, realm.as_str(), nonce.as_str(), PASSWORD));
    let (relayed, _, _) = allocate(&mut w, &realm, &nonce);
    // Refresh to 1200 s keeps it past the default 600 s.
    let refresh = request(&mut w, Method::REFRESH, auth, |b| {
        b.add(&Lifetime(1200))?;
        Ok(())
    });
    let m = exchange(&mut w, refresh);
    assert_eq!(
        Message::parse(&m[0])
            .unwrap()
            .require::<Lifetime>()
            .unwrap()
            .0,
        1200
    );
    w.net.run_for(Duration::from_secs(700));
    assert_eq!(w.net.node(&w.turn).allocations().len(), 1);
    w.net.run_for(Duration::from_secs(600));
    assert!(
        w.net.node(&w.turn).allocations().is_empty(),
        "expired after 1200 s"
    );
    assert_eq!(
        w.net.take_events(&w.turn).last(),
        Some(&TurnEvent::AllocationRemoved { relayed })
    );
    // A new allocation (the old 5-tuple's NAT mapping expired too, so a
    // new one), then deleted with LIFETIME 0.
    let (realm, nonce) = challenge(&mut w);
    allocate(&mut w, &realm, &nonce);
    let auth = Some((USER, realm.as_str(), nonce.as_str(), PASSWORD));
    let delete = request(&mut w, Method::REFRESH, auth, |b| {
        b.add(&Lifetime(0))?;
        Ok(())
    });
    exchange(&mut w, delete);
    assert!(w.net.node(&w.turn).allocations().is_empty());
    let refresh = request(&mut w, Method::REFRESH, auth, |_| Ok(()));
    assert_eq!(error_code(&exchange(&mut w, refresh)[0]), Some(437));
}

#[test]
fn ipv6_allocations_relay_on_the_ipv6_relay_address_and_refuse_ipv4_peers() {
    let mut net = Network::new(Instant::now(), 12);
    let internet = net.internet();
    let listen6 = addr("[2001:db8::100]:3478");
    let relay6 = addr("[2001:db8::101]:0").ip();
    let mut config = TurnConfig::new(listen6, relay6, USER, PASSWORD);
    config.relay.push(addr(RELAY_IP).ip());
    let ips = [listen6.ip(), relay6, addr(RELAY_IP).ip()];
    net.add_host(
        internet,
        &ips,
        LinkConfig::default(),
        TurnServer::new(config, net.rng_for(1)),
    )
    .unwrap();
    let local = addr("[2001:db8::2]:5000");
    let client = net
        .add_host(
            internet,
            &[local.ip()],
            LinkConfig::default(),
            Probe::new(local),
        )
        .unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let mut ask = |net: &mut Network,
                   method: Method,
                   nonce: Option<&str>,
                   fill: &dyn Fn(&mut MessageBuilder<'_, Vec<u8>>)| {
        let mut buf = Vec::new();
        let tid = TransactionId::random(&mut rng);
        let mut b = MessageBuilder::new(&mut buf, MessageType::new(method, Class::Request), tid);
        fill(&mut b);
        if let Some(nonce) = nonce {
            b.add(&Username(USER)).unwrap();
            b.add(&Realm("sansrtc.test")).unwrap();
            b.add(&Nonce(nonce)).unwrap();
            b.add_message_integrity(&long_term_key(USER, "sansrtc.test", PASSWORD))
                .unwrap();
        }
        b.finish();
        net.node_mut(&client).send(listen6, buf);
        net.run_for(Duration::from_millis(100));
        net.take_events(&client).remove(0).contents
    };
    let v6 = |b: &mut MessageBuilder<'_, Vec<u8>>| {
        b.add(&RequestedTransport::UDP).unwrap();
        b.add(&RequestedAddressFamily(AddressFamily::V6)).unwrap();
    };
    let first = ask(&mut net, Method::ALLOCATE, None, &v6);
    let nonce = Message::parse(&first)
        .unwrap()
        .require::<Nonce<'_>>()
        .unwrap()
        .0
        .to_string();
    let ok = ask(&mut net, Method::ALLOCATE, Some(&nonce), &v6);
    let m = Message::parse(&ok).unwrap();
    let relayed = m.require::<XorRelayedAddress>().unwrap().0;
    assert_eq!(relayed.ip(), relay6);
    assert_eq!(m.require::<XorMappedAddress>().unwrap().0, local);
    let v4_peer = ask(&mut net, Method::CREATE_PERMISSION, Some(&nonce), &|b| {
        b.add(&XorPeerAddress(addr(PEER))).unwrap();
    });
    assert_eq!(error_code(&v4_peer), Some(443));
}
