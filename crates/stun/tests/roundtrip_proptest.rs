//! Property tests: whatever the builder writes parses back to the same
//! attributes, verifies, and survives mutation without panics.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use proptest::prelude::*;
use sansrtc_stun::attributes::{
    ChannelNumber, Data, ErrorCode, IceControlled, IceControlling, Lifetime, Nonce, Priority,
    Realm, Software, UseCandidate, Username, XorMappedAddress, XorPeerAddress,
};
use sansrtc_stun::{
    AttributeType, ChannelData, Class, Message, MessageBuilder, MessageType, Method,
    StreamDeframer, TransactionId,
};

#[derive(Clone, Debug)]
enum Attr {
    Username(String),
    Software(String),
    Realm(String),
    Nonce(String),
    Priority(u32),
    Controlled(u64),
    Controlling(u64),
    UseCandidate,
    Mapped(SocketAddr),
    Peer(SocketAddr),
    Lifetime(u32),
    Data(Vec<u8>),
    Channel(u16),
    Error(u16, String),
    Unknown(u16, Vec<u8>),
}

impl Attr {
    fn attribute_type(&self) -> AttributeType {
        match self {
            Attr::Username(_) => AttributeType::USERNAME,
            Attr::Software(_) => AttributeType::SOFTWARE,
            Attr::Realm(_) => AttributeType::REALM,
            Attr::Nonce(_) => AttributeType::NONCE,
            Attr::Priority(_) => AttributeType::PRIORITY,
            Attr::Controlled(_) => AttributeType::ICE_CONTROLLED,
            Attr::Controlling(_) => AttributeType::ICE_CONTROLLING,
            Attr::UseCandidate => AttributeType::USE_CANDIDATE,
            Attr::Mapped(_) => AttributeType::XOR_MAPPED_ADDRESS,
            Attr::Peer(_) => AttributeType::XOR_PEER_ADDRESS,
            Attr::Lifetime(_) => AttributeType::LIFETIME,
            Attr::Data(_) => AttributeType::DATA,
            Attr::Channel(_) => AttributeType::CHANNEL_NUMBER,
            Attr::Error(..) => AttributeType::ERROR_CODE,
            Attr::Unknown(t, _) => AttributeType(*t),
        }
    }
}

fn socket_addr() -> impl Strategy<Value = SocketAddr> {
    prop_oneof![
        (any::<u32>(), any::<u16>())
            .prop_map(|(ip, port)| SocketAddr::new(IpAddr::V4(Ipv4Addr::from(ip)), port)),
        (any::<u128>(), any::<u16>())
            .prop_map(|(ip, port)| SocketAddr::new(IpAddr::V6(Ipv6Addr::from(ip)), port)),
    ]
}

fn attr() -> impl Strategy<Value = Attr> {
    prop_oneof![
        "[a-zA-Z0-9:+/]{0,60}".prop_map(Attr::Username),
        ".{0,40}".prop_map(Attr::Software),
        "[a-z.]{0,30}".prop_map(Attr::Realm),
        "[ -~]{0,50}".prop_map(Attr::Nonce),
        any::<u32>().prop_map(Attr::Priority),
        any::<u64>().prop_map(Attr::Controlled),
        any::<u64>().prop_map(Attr::Controlling),
        Just(Attr::UseCandidate),
        socket_addr().prop_map(Attr::Mapped),
        socket_addr().prop_map(Attr::Peer),
        any::<u32>().prop_map(Attr::Lifetime),
        proptest::collection::vec(any::<u8>(), 0..200).prop_map(Attr::Data),
        (0x4000u16..=0x4FFF).prop_map(Attr::Channel),
        (300u16..700, "[ -~]{0,30}").prop_map(|(c, r)| Attr::Error(c, r)),
        // Comprehension-optional types this crate does not know.
        (
            0xE000u16..0xF000,
            proptest::collection::vec(any::<u8>(), 0..20)
        )
            .prop_map(|(t, v)| Attr::Unknown(t, v)),
    ]
}

fn class() -> impl Strategy<Value = Class> {
    prop_oneof![
        Just(Class::Request),
        Just(Class::Indication),
        Just(Class::SuccessResponse),
        Just(Class::ErrorResponse)
    ]
}

fn add(b: &mut MessageBuilder<'_, Vec<u8>>, a: &Attr) {
    match a {
        Attr::Username(s) => b.add(&Username(s)),
        Attr::Software(s) => b.add(&Software(s)),
        Attr::Realm(s) => b.add(&Realm(s)),
        Attr::Nonce(s) => b.add(&Nonce(s)),
        Attr::Priority(v) => b.add(&Priority(*v)),
        Attr::Controlled(v) => b.add(&IceControlled(*v)),
        Attr::Controlling(v) => b.add(&IceControlling(*v)),
        Attr::UseCandidate => b.add(&UseCandidate),
        Attr::Mapped(a) => b.add(&XorMappedAddress(*a)),
        Attr::Peer(a) => b.add(&XorPeerAddress(*a)),
        Attr::Lifetime(v) => b.add(&Lifetime(*v)),
        Attr::Data(v) => b.add(&Data(v)),
        Attr::Channel(v) => b.add(&ChannelNumber(*v)),
        Attr::Error(c, r) => b.add(&ErrorCode {
            code: *c,
            reason: r,
        }),
        Attr::Unknown(t, v) => b.add_raw(AttributeType(*t), v),
    }
    .unwrap();
}

fn check(msg: &Message<'_>, a: &Attr, index_of_peer: usize) {
    match a {
        Attr::Username(s) => assert_eq!(msg.require::<Username<'_>>().unwrap().0, s),
        Attr::Software(s) => assert_eq!(msg.require::<Software<'_>>().unwrap().0, s),
        Attr::Realm(s) => assert_eq!(msg.require::<Realm<'_>>().unwrap().0, s),
        Attr::Nonce(s) => assert_eq!(msg.require::<Nonce<'_>>().unwrap().0, s),
        Attr::Priority(v) => assert_eq!(msg.require::<Priority>().unwrap().0, *v),
        Attr::Controlled(v) => assert_eq!(msg.require::<IceControlled>().unwrap().0, *v),
        Attr::Controlling(v) => assert_eq!(msg.require::<IceControlling>().unwrap().0, *v),
        Attr::UseCandidate => assert_eq!(msg.require::<UseCandidate>().unwrap(), UseCandidate),
        Attr::Mapped(a) => assert_eq!(msg.require::<XorMappedAddress>().unwrap().0, *a),
        Attr::Peer(a) => {
            let peers: Vec<_> = msg
                .get_all::<XorPeerAddress>()
                .map(|p| p.unwrap().0)
                .collect();
            assert_eq!(peers[index_of_peer], *a);
        }
        Attr::Lifetime(v) => assert_eq!(msg.require::<Lifetime>().unwrap().0, *v),
        Attr::Data(v) => assert_eq!(msg.require::<Data<'_>>().unwrap().0, &v[..]),
        Attr::Channel(v) => assert_eq!(msg.require::<ChannelNumber>().unwrap().0, *v),
        Attr::Error(c, r) => {
            let e = msg.require::<ErrorCode<'_>>().unwrap();
            assert_eq!((e.code, e.reason), (*c, r.as_str()));
        }
        Attr::Unknown(t, v) => assert_eq!(msg.raw(AttributeType(*t)).unwrap().value, &v[..]),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn build_then_parse_round_trips(
        method in 0u16..0x1000,
        class in class(),
        tid in any::<[u8; 12]>(),
        attrs in proptest::collection::vec(attr(), 0..20),
        padding in any::<u8>(),
        key in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
        sha256 in proptest::option::of(prop_oneof![Just(16usize), Just(20), Just(24), Just(28), Just(32)]),
        fingerprint in any::<bool>(),
    ) {
        // One of each type, except the repeatable XOR-PEER-ADDRESS.
        let mut kept: Vec<Attr> = Vec::new();
        for a in attrs {
            let t = a.attribute_type();
            if t.may_repeat() || !kept.iter().any(|k| k.attribute_type() == t) {
                kept.push(a);
            }
        }
        let message_type = MessageType::new(Method(method), class);
        let mut buf = vec![0xAA; 3]; // the builder appends after existing bytes
        let mut b = MessageBuilder::new(&mut buf, message_type, TransactionId(tid));
        b.padding_byte(padding);
        for a in &kept {
            add(&mut b, a);
        }
        if let Some(k) = &key {
            b.add_message_integrity(k).unwrap();
        }
        if let (Some(k), Some(len)) = (&key, sha256) {
            b.add_message_integrity_sha256_truncated(k, len).unwrap();
        }
        if fingerprint {
            b.add_fingerprint().unwrap();
        }
        let len = b.finish();
        prop_assert_eq!(len, buf.len() - 3);
        let wire = &buf[3..];
        prop_assert!(Message::looks_like_stun(wire));
        let msg = Message::parse(wire).unwrap();
        prop_assert_eq!(msg.message_type(), message_type);
        prop_assert_eq!(msg.transaction_id(), TransactionId(tid));
        let mut peers = 0;
        for a in &kept {
            check(&msg, a, peers);
            if matches!(a, Attr::Peer(_)) {
                peers += 1;
            }
        }
        let extra = usize::from(key.is_some()) + usize::from(key.is_some() && sha256.is_some())
            + usize::from(fingerprint);
        prop_assert_eq!(msg.attributes().count(), kept.len() + extra);
        if let Some(k) = &key {
            msg.verify_integrity(k).unwrap();
            if sha256.is_some() {
                msg.verify_integrity_sha256(k).unwrap();
            }
            msg.verify_any_integrity(k).unwrap();
        }
        if fingerprint {
            msg.verify_fingerprint().unwrap();
        }
    }

    #[test]
    fn parsing_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(msg) = Message::parse(&bytes) {
            for a in msg.attributes() {
                let _ = a.value.len();
            }
            let _ = msg.get::<XorMappedAddress>();
            let _ = msg.get::<ErrorCode<'_>>();
            let _ = msg.verify_integrity(b"k");
            let _ = msg.verify_integrity_sha256(b"k");
            let _ = msg.verify_fingerprint();
        }
        let _ = ChannelData::parse(&bytes);
        let mut d = StreamDeframer::new(1024);
        let _ = d.push(&bytes);
        while let Some(Ok(_)) = d.next_frame() {}
    }

    #[test]
    fn mutated_valid_messages_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut buf = Vec::new();
        let mut b = MessageBuilder::new(&mut buf, MessageType::BINDING_REQUEST, TransactionId([1; 12]));
        b.add(&Username("abc:def")).unwrap();
        b.add(&XorMappedAddress("[::1]:9".parse().unwrap())).unwrap();
        b.add(&ErrorCode::with_default_reason(420)).unwrap();
        b.add_message_integrity(b"k").unwrap();
        b.add_message_integrity_sha256(b"k").unwrap();
        b.add_fingerprint().unwrap();
        for (i, v) in flips {
            let at = i.index(buf.len());
            buf[at] ^= v;
        }
        let end = cut.index(buf.len() + 1);
        for slice in [&buf[..], &buf[..end]] {
            if let Ok(msg) = Message::parse(slice) {
                let _ = msg.get::<Username<'_>>();
                let _ = msg.get::<XorMappedAddress>();
                let _ = msg.get::<ErrorCode<'_>>();
                let _ = msg.verify_any_integrity(b"k");
                let _ = msg.verify_fingerprint();
            }
        }
    }
}
