//! A scripted, hostile server: garbage, forged and mutated responses,
//! responses without or with wrong integrity, wrong methods, unknown
//! transactions, endless 438s, redirects, and floods. Nothing may panic,
//! and nothing unauthenticated may change the client's state.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sansrtc_proto::{Output, Protocol, Receive, Transmit};
use sansrtc_stun::attributes::{
    AlternateServer, ChannelNumber, Data, ErrorCode, Lifetime, Nonce, Realm, XorMappedAddress,
    XorPeerAddress, XorRelayedAddress,
};
use sansrtc_stun::{
    long_term_key, AttributeType, ChannelData, Class, Message, MessageBuilder, MessageType, Method,
    StunError, TransactionId,
};
use sansrtc_turn::{
    BindingState, TurnClient, TurnClientConfig, TurnEvent, TurnState, ERROR_SERVER_NOT_REACHABLE,
};

const SERVER: &str = "127.0.0.1:3478";
const LOCAL: &str = "127.0.0.1:5000";
const RELAYED: &str = "127.0.0.1:49152";
const PEER: &str = "127.0.0.1:7000";
const USER: &str = "user";
const PASSWORD: &str = "pass";
const REALM: &str = "hostile.test";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn key() -> Vec<u8> {
    long_term_key(USER, REALM, PASSWORD).to_vec()
}

fn new_client(protocol: Protocol) -> TurnClient {
    let config = TurnClientConfig::new(
        addr(SERVER),
        protocol,
        addr(LOCAL),
        USER,
        PASSWORD,
        "turn:x",
    );
    TurnClient::new(config, ChaCha20Rng::seed_from_u64(9))
}

/// Drains the client: (transmits, events, timeout).
fn drain(c: &mut TurnClient) -> (Vec<Transmit>, Vec<TurnEvent>, Option<Instant>) {
    let (mut t, mut e) = (Vec::new(), Vec::new());
    loop {
        match c.poll_output() {
            Output::Transmit(x) => t.push(x),
            Output::Event(x) => e.push(x),
            Output::Timeout(at) => return (t, e, at),
        }
    }
}

fn feed_from(c: &mut TurnClient, now: Instant, source: SocketAddr, bytes: &[u8]) -> bool {
    let protocol = c.config().protocol;
    c.handle_receive(
        now,
        Receive {
            protocol,
            source,
            destination: addr(LOCAL),
            contents: bytes,
        },
    )
}

fn feed(c: &mut TurnClient, now: Instant, bytes: &[u8]) -> bool {
    feed_from(c, now, addr(SERVER), bytes)
}

/// A response to `request` (same method and transaction).
fn respond(
    request: &[u8],
    class: Class,
    key: Option<&[u8]>,
    fill: impl FnOnce(&mut MessageBuilder<'_, Vec<u8>>) -> Result<(), StunError>,
) -> Vec<u8> {
    let req = Message::parse(request).unwrap();
    let mut buf = Vec::new();
    let mut b = MessageBuilder::new(
        &mut buf,
        req.message_type().with_class(class),
        req.transaction_id(),
    );
    fill(&mut b).unwrap();
    if let Some(key) = key {
        b.add_message_integrity(key).unwrap();
    }
    b.add_fingerprint().unwrap();
    b.finish();
    buf
}

fn challenge(request: &[u8], code: u16, nonce: &str) -> Vec<u8> {
    respond(request, Class::ErrorResponse, None, |b| {
        b.add(&ErrorCode::with_default_reason(code))?;
        b.add(&Realm(REALM))?;
        b.add(&Nonce(nonce))?;
        Ok(())
    })
}

fn allocate_success(request: &[u8], key: Option<&[u8]>) -> Vec<u8> {
    respond(request, Class::SuccessResponse, key, |b| {
        b.add(&XorRelayedAddress(addr(RELAYED)))?;
        b.add(&Lifetime(600))?;
        b.add(&XorMappedAddress(addr(LOCAL)))?;
        Ok(())
    })
}

fn method(t: &Transmit) -> Method {
    Message::parse(&t.contents).unwrap().method()
}

/// A client that sent its authenticated Allocate; returns it and that
/// request.
fn authenticating(protocol: Protocol, now: Instant) -> (TurnClient, Vec<u8>) {
    let mut c = new_client(protocol);
    c.start(now).unwrap();
    let (t, _, _) = drain(&mut c);
    assert!(feed(
        &mut c,
        now,
        &challenge(&t[0].contents, 401, "nonce-1")
    ));
    let (t, e, _) = drain(&mut c);
    assert!(e.is_empty());
    assert_eq!(t.len(), 1);
    (c, t[0].contents.clone())
}

/// An allocated client with an installed permission for PEER.
fn allocated(now: Instant) -> TurnClient {
    let (mut c, req) = authenticating(Protocol::Udp, now);
    assert!(feed(&mut c, now, &allocate_success(&req, Some(&key()))));
    let (_, e, _) = drain(&mut c);
    assert!(matches!(e.as_slice(), [TurnEvent::Allocated { .. }]));
    c.create_permission(now, addr(PEER).ip()).unwrap();
    let (t, _, _) = drain(&mut c);
    assert!(feed(
        &mut c,
        now,
        &respond(
            &t[0].contents,
            Class::SuccessResponse,
            Some(&key()),
            |_| Ok(())
        )
    ));
    drain(&mut c);
    assert_eq!(
        c.permission_state(addr(PEER).ip()),
        Some(BindingState::Installed)
    );
    c
}

/// What must not change: state, addresses, outstanding requests.
fn snapshot(c: &TurnClient) -> (TurnState, Option<SocketAddr>, usize, Option<Instant>) {
    (
        c.state(),
        c.relayed_address(),
        c.outstanding_requests(),
        c.expires_at(),
    )
}

#[test]
fn every_single_byte_change_of_the_success_is_discarded() {
    let now = Instant::now();
    let (mut c, req) = authenticating(Protocol::Udp, now);
    let genuine = allocate_success(&req, Some(&key()));
    let before = snapshot(&c);
    // Every byte except the FINGERPRINT attribute's type (bytes -8..-6): a
    // changed type there turns FINGERPRINT into an unknown attribute after
    // MESSAGE-INTEGRITY, which RFC 8489 §14.5 says to ignore, leaving an
    // authentic message. Its value bytes (-4..) must verify.
    let fingerprint_type = genuine.len() - 8..genuine.len() - 6;
    for i in (0..genuine.len()).filter(|i| !fingerprint_type.contains(i)) {
        for flip in [0x01u8, 0x80] {
            let mut bad = genuine.clone();
            bad[i] ^= flip;
            feed(&mut c, now, &bad);
            let (_, events, _) = drain(&mut c);
            assert!(events.is_empty(), "byte {i} ^ {flip:#x}: {events:?}");
            assert_eq!(snapshot(&c), before, "byte {i} ^ {flip:#x}");
        }
    }
    assert!(c.stats().responses_discarded > 0);
    // The genuine answer still works.
    assert!(feed(&mut c, now, &genuine));
    assert_eq!(c.state(), TurnState::Allocated);
}

#[test]
fn unauthenticated_or_misdirected_answers_change_nothing() {
    let now = Instant::now();
    let (mut c, req) = authenticating(Protocol::Udp, now);
    let before = snapshot(&c);
    // No integrity, the wrong key, integrity but a wrong method.
    let wrong_key = long_term_key(USER, REALM, "other").to_vec();
    let tid = Message::parse(&req).unwrap().transaction_id();
    let mut wrong_method = Vec::new();
    let mut b = MessageBuilder::new(
        &mut wrong_method,
        MessageType::new(Method::REFRESH, Class::SuccessResponse),
        tid,
    );
    b.add(&Lifetime(600)).unwrap();
    b.add_message_integrity(&key()).unwrap();
    b.finish();
    // Signed but without XOR-RELAYED-ADDRESS; signed with an unknown
    // comprehension-required attribute.
    let no_relayed = respond(&req, Class::SuccessResponse, Some(&key()), |b| {
        b.add(&Lifetime(600))?;
        Ok(())
    });
    let unknown = respond(&req, Class::SuccessResponse, Some(&key()), |b| {
        b.add(&XorRelayedAddress(addr(RELAYED)))?;
        b.add_raw(AttributeType(0x7f01), &[1, 2, 3, 4])?;
        Ok(())
    });
    // An error without integrity after the challenge (RFC 8489 §9.2.5).
    let unsigned_error = respond(&req, Class::ErrorResponse, None, |b| {
        b.add(&ErrorCode::with_default_reason(486))?;
        Ok(())
    });
    for bad in [
        allocate_success(&req, None),
        allocate_success(&req, Some(&wrong_key)),
        wrong_method,
        no_relayed,
        unknown,
        unsigned_error,
    ] {
        assert!(
            feed(&mut c, now, &bad),
            "a response to our transaction is ours"
        );
        let (_, events, _) = drain(&mut c);
        assert!(events.is_empty(), "{events:?}");
        assert_eq!(snapshot(&c), before);
    }
    assert_eq!(c.stats().responses_discarded, 6);
    // Unknown transaction, or another source: not ours, untouched.
    let mut other = req.clone();
    other[8] ^= 0xff;
    assert!(!feed(&mut c, now, &allocate_success(&other, Some(&key()))));
    assert!(!feed_from(
        &mut c,
        now,
        addr("127.0.0.1:3479"),
        &allocate_success(&req, Some(&key()))
    ));
    assert_eq!(snapshot(&c), before);
    // Retransmissions went on meanwhile: the same request after the RTO.
    c.handle_timeout(now + Duration::from_millis(500));
    let (t, _, _) = drain(&mut c);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].contents, req);
    // A signed error is acted on.
    let signed_error = respond(&req, Class::ErrorResponse, Some(&key()), |b| {
        b.add(&ErrorCode::with_default_reason(486))?;
        Ok(())
    });
    assert!(feed(&mut c, now, &signed_error));
    let (_, events, _) = drain(&mut c);
    assert!(
        matches!(events.as_slice(), [TurnEvent::Failed { code: 486, .. }]),
        "{events:?}"
    );
}

#[test]
fn endless_stale_nonces_are_bounded() {
    let now = Instant::now();
    let (mut c, mut req) = authenticating(Protocol::Udp, now);
    let mut allocates = 2;
    for round in 0..10 {
        feed(
            &mut c,
            now,
            &challenge(&req, 438, &format!("nonce-{round}")),
        );
        let (t, e, _) = drain(&mut c);
        if !e.is_empty() {
            assert!(
                matches!(e.as_slice(), [TurnEvent::Failed { code: 438, .. }]),
                "{e:?}"
            );
            break;
        }
        assert_eq!(method(&t[0]), Method::ALLOCATE);
        // The retry carries the new nonce.
        let m = Message::parse(&t[0].contents).unwrap();
        assert_eq!(
            m.get::<Nonce<'_>>().unwrap().unwrap().0,
            format!("nonce-{round}")
        );
        req = t[0].contents.clone();
        allocates += 1;
    }
    assert_eq!(allocates, 2 + 3, "3 stale-nonce retries");
    assert_eq!(c.state(), TurnState::Failed);
}

#[test]
fn try_alternate_is_followed_once() {
    let now = Instant::now();
    let mut c = new_client(Protocol::Udp);
    c.start(now).unwrap();
    let (t, _, _) = drain(&mut c);
    let alternate = addr("127.0.0.1:3480");
    let redirect = |req: &[u8], to: SocketAddr| {
        respond(req, Class::ErrorResponse, None, |b| {
            b.add(&ErrorCode::with_default_reason(300))?;
            b.add(&AlternateServer(to))?;
            Ok(())
        })
    };
    assert!(feed(&mut c, now, &redirect(&t[0].contents, alternate)));
    let (t, e, _) = drain(&mut c);
    assert_eq!(
        e,
        vec![TurnEvent::Redirected {
            from: addr(SERVER),
            to: alternate
        }]
    );
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].destination, alternate);
    assert_eq!(c.server(), alternate);
    // The old server is no longer ours.
    assert!(!feed(&mut c, now, &challenge(&t[0].contents, 401, "n")));
    // A second redirect is not followed.
    assert!(feed_from(
        &mut c,
        now,
        alternate,
        &redirect(&t[0].contents, addr(SERVER))
    ));
    let (_, e, _) = drain(&mut c);
    assert!(
        matches!(e.as_slice(), [TurnEvent::Failed { code: 300, .. }]),
        "{e:?}"
    );
}

#[test]
fn data_without_permission_or_channel_is_dropped() {
    let now = Instant::now();
    let mut c = allocated(now);
    let stranger = addr("127.0.0.2:7000");
    let mut ind = Vec::new();
    let mut b = MessageBuilder::new(
        &mut ind,
        MessageType::new(Method::DATA, Class::Indication),
        TransactionId([3; 12]),
    );
    b.add(&XorPeerAddress(stranger)).unwrap();
    b.add(&Data(b"sneaky")).unwrap();
    b.finish();
    assert!(feed(&mut c, now, &ind));
    // Unknown channel; truncated ChannelData; a Data indication without DATA.
    let mut cd = Vec::new();
    ChannelData {
        channel: 0x4abc,
        data: b"x",
    }
    .encode(&mut cd, false)
    .unwrap();
    assert!(feed(&mut c, now, &cd));
    assert!(feed(&mut c, now, &[0x40, 0x00, 0x00, 0x10, 1, 2]));
    let mut no_data = Vec::new();
    let mut b = MessageBuilder::new(
        &mut no_data,
        MessageType::new(Method::DATA, Class::Indication),
        TransactionId([4; 12]),
    );
    b.add(&XorPeerAddress(addr(PEER))).unwrap();
    b.finish();
    assert!(feed(&mut c, now, &no_data));
    let (_, e, _) = drain(&mut c);
    assert!(e.is_empty(), "{e:?}");
    assert_eq!(c.stats().data_dropped, 4);
    // The permitted peer's data does arrive.
    let mut ok = Vec::new();
    let mut b = MessageBuilder::new(
        &mut ok,
        MessageType::new(Method::DATA, Class::Indication),
        TransactionId([5; 12]),
    );
    b.add(&XorPeerAddress(addr(PEER))).unwrap();
    b.add(&Data(b"hi")).unwrap();
    b.finish();
    assert!(feed(&mut c, now, &ok));
    let (_, e, _) = drain(&mut c);
    assert_eq!(
        e,
        vec![TurnEvent::Data {
            peer: addr(PEER),
            data: b"hi".to_vec()
        }]
    );
}

#[test]
fn undrained_data_events_are_bounded() {
    let now = Instant::now();
    let mut c = allocated(now);
    let number = c.bind_channel(now, addr(PEER)).unwrap();
    let (t, _, _) = drain(&mut c);
    let bind = t
        .iter()
        .find(|t| method(t) == Method::CHANNEL_BIND)
        .unwrap();
    feed(
        &mut c,
        now,
        &respond(&bind.contents, Class::SuccessResponse, Some(&key()), |_| {
            Ok(())
        }),
    );
    let limit = c.config().max_events;
    let mut cd = Vec::new();
    ChannelData {
        channel: number,
        data: b"flood",
    }
    .encode(&mut cd, false)
    .unwrap();
    for _ in 0..limit + 100 {
        feed(&mut c, now, &cd);
    }
    let (_, e, _) = drain(&mut c);
    assert_eq!(e.len(), limit);
    assert_eq!(c.stats().events_dropped, 100);
}

#[test]
fn stream_frames_split_anywhere_still_allocate() {
    let now = Instant::now();
    let mut c = new_client(Protocol::Tcp);
    c.start(now).unwrap();
    let (t, _, _) = drain(&mut c);
    let challenge = challenge(&t[0].contents, 401, "nonce-1");
    // The 401 in one piece, then the success cut in every possible pair.
    assert!(feed(&mut c, now, &challenge));
    let (t, _, timeout) = drain(&mut c);
    // No retransmissions on a stream: the only timer is the 39.5 s timeout.
    assert_eq!(timeout, Some(now + Duration::from_millis(39_500)));
    let success = allocate_success(&t[0].contents, Some(&key()));
    for cut in 1..success.len() {
        let mut probe = authenticating(Protocol::Tcp, now);
        let req = probe.1.clone();
        let success = allocate_success(&req, Some(&key()));
        assert!(feed(&mut probe.0, now, &success[..cut]));
        assert_eq!(probe.0.state(), TurnState::Allocating);
        assert!(feed(&mut probe.0, now, &success[cut..]));
        assert_eq!(probe.0.state(), TurnState::Allocated, "cut at {cut}");
    }
    // Two frames in one read.
    let mut both = success.clone();
    let mut cd = Vec::new();
    ChannelData {
        channel: 0x4000,
        data: b"abc",
    }
    .encode(&mut cd, true)
    .unwrap();
    both.extend_from_slice(&cd);
    assert!(feed(&mut c, now, &both));
    assert_eq!(c.state(), TurnState::Allocated);
    assert_eq!(
        c.stats().data_dropped,
        1,
        "ChannelData on an unbound channel"
    );
}

#[test]
fn broken_streams_fail_with_701() {
    let now = Instant::now();
    // Bytes that are neither STUN nor ChannelData.
    let (mut c, _) = authenticating(Protocol::Tcp, now);
    assert!(feed(&mut c, now, &[0xff, 0, 0, 0]));
    let (_, e, _) = drain(&mut c);
    assert!(
        matches!(
            e.as_slice(),
            [TurnEvent::Failed {
                code: ERROR_SERVER_NOT_REACHABLE,
                ..
            }]
        ),
        "{e:?}"
    );
    // More than the buffer holds.
    let (mut c, _) = authenticating(Protocol::Tls, now);
    let cap = c.config().stream_buffer;
    assert!(feed(&mut c, now, &vec![0u8; cap + 1]));
    let (_, e, _) = drain(&mut c);
    assert!(
        matches!(
            e.as_slice(),
            [TurnEvent::Failed {
                code: ERROR_SERVER_NOT_REACHABLE,
                ..
            }]
        ),
        "{e:?}"
    );
    // The connection closing.
    let (mut c, _) = authenticating(Protocol::Tcp, now);
    c.handle_stream_closed(now);
    let (_, e, _) = drain(&mut c);
    assert!(matches!(
        e.as_slice(),
        [TurnEvent::Failed {
            code: ERROR_SERVER_NOT_REACHABLE,
            ..
        }]
    ));
    assert_eq!(c.state(), TurnState::Failed);
}

#[test]
fn a_channel_number_in_a_hostile_chanbind_answer_cannot_move_peers() {
    // A signed success to a ChannelBind only confirms the channel it was
    // for; a ChannelBind response for a channel we never asked is unmatched.
    let now = Instant::now();
    let mut c = allocated(now);
    let n = c.bind_channel(now, addr(PEER)).unwrap();
    let (t, _, _) = drain(&mut c);
    let bind = t
        .iter()
        .find(|t| method(t) == Method::CHANNEL_BIND)
        .unwrap();
    let m = Message::parse(&bind.contents).unwrap();
    assert_eq!(m.get::<ChannelNumber>().unwrap(), Some(ChannelNumber(n)));
    assert_eq!(
        m.get::<XorPeerAddress>().unwrap(),
        Some(XorPeerAddress(addr(PEER)))
    );
    let forged = respond(&bind.contents, Class::SuccessResponse, None, |_| Ok(()));
    feed(&mut c, now, &forged);
    assert_eq!(c.channel(addr(PEER)), Some((n, BindingState::Pending)));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn garbage_while_allocating_changes_nothing(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let now = Instant::now();
        let (mut c, _) = authenticating(Protocol::Udp, now);
        let before = snapshot(&c);
        feed(&mut c, now, &bytes);
        let (_, e, _) = drain(&mut c);
        prop_assert!(e.is_empty());
        prop_assert_eq!(snapshot(&c), before);
    }

    #[test]
    fn garbage_while_allocated_changes_nothing(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let now = Instant::now();
        let mut c = allocated(now);
        let before = snapshot(&c);
        feed(&mut c, now, &bytes);
        let (_, e, _) = drain(&mut c);
        prop_assert!(e.is_empty());
        prop_assert_eq!(snapshot(&c), before);
    }

    #[test]
    fn stun_shaped_garbage_changes_nothing(
        class in 0u8..4, method in 0u16..16, attrs in proptest::collection::vec((any::<u16>(), proptest::collection::vec(any::<u8>(), 0..24)), 0..6)
    ) {
        // Well-formed STUN with random attributes, on our pending
        // transaction id: never authenticated, so never acted on.
        let now = Instant::now();
        let (mut c, req) = authenticating(Protocol::Udp, now);
        let tid = Message::parse(&req).unwrap().transaction_id();
        let class = [Class::Request, Class::Indication, Class::SuccessResponse, Class::ErrorResponse][class as usize];
        let mut buf = Vec::new();
        let mut b = MessageBuilder::new(&mut buf, MessageType::new(Method(method), class), tid);
        for (t, v) in &attrs {
            let t = AttributeType(*t);
            if matches!(t, AttributeType::MESSAGE_INTEGRITY | AttributeType::MESSAGE_INTEGRITY_SHA256 | AttributeType::FINGERPRINT) {
                continue;
            }
            let _ = b.add_raw(t, v);
        }
        b.finish();
        let before = snapshot(&c);
        feed(&mut c, now, &buf);
        let (_, e, _) = drain(&mut c);
        // A 401/438/300 can be acted on unsigned by design (RFC 8489
        // §9.2.5); anything else must leave the client alone.
        if e.is_empty() {
            prop_assert!(c.state() == before.0);
        } else {
            prop_assert!(matches!(e.as_slice(), [TurnEvent::Failed { .. }] | [TurnEvent::Redirected { .. }]), "{:?}", e);
        }
        prop_assert!(c.relayed_address().is_none());
    }
}
