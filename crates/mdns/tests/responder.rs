//! The responder: announcements, multicast and unicast answers, legacy
//! queriers, negative answers, rate limiting, known-answer suppression,
//! goodbyes and bounds; and a resolver talking to it.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sansrtc_mdns::*;
use sansrtc_proto::{Output, Protocol, Receive, Transmit};

const NAME: &str = "1f6a3b52-8c1e-4f0d-9b7a-2d1e0c4b5a69.local";

fn me() -> SocketAddr {
    "192.168.1.20:5353".parse().unwrap()
}
fn querier() -> SocketAddr {
    "192.168.1.30:5353".parse().unwrap()
}
fn group() -> SocketAddr {
    "224.0.0.251:5353".parse().unwrap()
}
fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}
fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn quiet() -> MdnsResponder {
    let mut config = ResponderConfig::new(vec![me()]);
    config.announce = false;
    MdnsResponder::new(config)
}

fn drain(r: &mut MdnsResponder) -> (Vec<Transmit>, Option<Instant>) {
    let mut sent = Vec::new();
    loop {
        match r.poll_output() {
            Output::Transmit(t) => sent.push(t),
            Output::Event(e) => match e {},
            Output::Timeout(t) => return (sent, t),
        }
    }
}

fn ask(r: &mut MdnsResponder, now: Instant, from: SocketAddr, query: &Message) -> Vec<Transmit> {
    r.handle_receive(
        now,
        Receive {
            protocol: Protocol::Udp,
            source: from,
            destination: me(),
            contents: &query.to_bytes().unwrap(),
        },
    );
    drain(r).0
}

fn question(name: &str, t: RecordType, qu: bool) -> Message {
    Message::query(vec![Question::new(name.parse().unwrap(), t, qu)])
}

fn parse(t: &Transmit) -> Message {
    Message::parse(&t.contents).unwrap()
}

#[test]
fn registration_announces_twice() {
    let t0 = Instant::now();
    let mut r = MdnsResponder::new(ResponderConfig::new(vec![me()]));
    let name = r
        .register_new(t0, &mut ChaCha20Rng::seed_from_u64(1), ip("192.168.1.20"))
        .unwrap();
    assert!(is_uuid_local(&name));
    let (sent, next) = drain(&mut r);
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].source, sent[0].destination), (me(), group()));
    let m = parse(&sent[0]);
    assert_eq!(m.flags, Flags::MDNS_RESPONSE);
    assert!(m.questions.is_empty());
    assert_eq!(
        m.answers,
        vec![Record::address(
            name.clone(),
            ip("192.168.1.20"),
            RECORD_TTL,
            true
        )]
    );
    assert_eq!(next, Some(t0 + ANNOUNCE_INTERVAL));
    r.handle_timeout(t0 + ANNOUNCE_INTERVAL);
    let (sent2, next) = drain(&mut r);
    assert_eq!(sent2.len(), 1);
    assert_eq!(sent2[0].contents, sent[0].contents);
    assert_eq!(next, None);
    assert_eq!(r.stats().announcements, u64::from(ANNOUNCEMENTS));
}

#[test]
fn multicast_answer_with_the_other_family_as_additional() {
    let t0 = Instant::now();
    let mut r = quiet();
    r.register(t0, NAME, ip("192.168.1.20")).unwrap();
    r.register(t0, NAME, ip("fe80::20")).unwrap();
    assert!(
        drain(&mut r).0.is_empty(),
        "no announcement when turned off"
    );
    // Case does not matter.
    let sent = ask(
        &mut r,
        t0,
        querier(),
        &question(&NAME.to_uppercase(), RecordType::A, false),
    );
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].source, sent[0].destination), (me(), group()));
    let m = parse(&sent[0]);
    let name: Name = NAME.parse().unwrap();
    assert_eq!(m.id, 0);
    assert!(m.questions.is_empty());
    assert_eq!(
        m.answers,
        vec![Record::address(
            name.clone(),
            ip("192.168.1.20"),
            RECORD_TTL,
            true
        )]
    );
    assert_eq!(
        m.additionals,
        vec![Record::address(name, ip("fe80::20"), RECORD_TTL, true)]
    );
    assert_eq!(r.stats().multicast_responses, 1);
}

#[test]
fn qu_question_gets_a_unicast_answer() {
    let t0 = Instant::now();
    let mut r = quiet();
    r.register(t0, NAME, ip("192.168.1.20")).unwrap();
    let sent = ask(&mut r, t0, querier(), &question(NAME, RecordType::A, true));
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].source, sent[0].destination), (me(), querier()));
    assert_eq!(parse(&sent[0]).answers.len(), 1);
    assert_eq!(r.stats().unicast_responses, 1);
}

#[test]
fn legacy_querier_gets_its_id_question_and_short_ttl() {
    let t0 = Instant::now();
    let mut r = quiet();
    r.register(t0, NAME, ip("192.168.1.20")).unwrap();
    let from: SocketAddr = "192.168.1.30:40000".parse().unwrap();
    let mut q = question(NAME, RecordType::A, false);
    q.id = 0x1234;
    let sent = ask(&mut r, t0, from, &q);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].destination, from);
    let m = parse(&sent[0]);
    assert_eq!(m.id, 0x1234);
    assert_eq!(m.questions, q.questions);
    assert_eq!(m.answers[0].ttl, LEGACY_TTL.as_secs() as u32);
    assert!(!m.answers[0].cache_flush);
}

#[test]
fn missing_type_gets_an_nsec() {
    let t0 = Instant::now();
    let mut r = quiet();
    r.register(t0, NAME, ip("192.168.1.20")).unwrap();
    let sent = ask(
        &mut r,
        t0,
        querier(),
        &question(NAME, RecordType::AAAA, false),
    );
    let m = parse(&sent[0]);
    assert_eq!(m.answers.len(), 1);
    let nsec = &m.answers[0];
    assert_eq!(nsec.data.rtype(), RecordType::NSEC);
    assert!(nsec.cache_flush);
    let mut data = NAME.parse::<Name>().unwrap().as_wire().to_vec();
    data.extend([0, 1, 0x40]); // window 0, 1 byte: type 1 (A)
    assert_eq!(
        nsec.data,
        RecordData::Other {
            rtype: RecordType::NSEC,
            data
        }
    );

    let mut r6 = quiet();
    r6.register(t0, NAME, ip("fe80::1")).unwrap();
    let m = parse(
        &ask(
            &mut r6,
            t0,
            querier(),
            &question(NAME, RecordType::A, false),
        )[0],
    );
    let RecordData::Other { data, .. } = &m.answers[0].data else {
        panic!("not raw");
    };
    assert_eq!(&data[data.len() - 6..], &[0, 4, 0, 0, 0, 0x08]); // type 28 (AAAA)

    // ANY gets every address.
    r.register(t0, NAME, ip("fe80::1")).unwrap();
    let m = parse(
        &ask(
            &mut r,
            t0 + secs(2),
            querier(),
            &question(NAME, RecordType::ANY, false),
        )[0],
    );
    assert_eq!(m.answers.len(), 2);
}

#[test]
fn unknown_names_and_foreign_messages_get_nothing() {
    let t0 = Instant::now();
    let mut r = quiet();
    r.register(t0, NAME, ip("192.168.1.20")).unwrap();
    assert!(ask(
        &mut r,
        t0,
        querier(),
        &question("other.local", RecordType::A, false)
    )
    .is_empty());
    let mut chaos = question(NAME, RecordType::A, false);
    chaos.questions[0].qclass = 3;
    assert!(ask(&mut r, t0, querier(), &chaos).is_empty());
    let mut update = question(NAME, RecordType::A, false);
    update.flags = Flags(5 << 11);
    assert!(ask(&mut r, t0, querier(), &update).is_empty());
    assert!(ask(&mut r, t0, querier(), &Message::response(vec![])).is_empty());
    r.handle_receive(
        t0,
        Receive {
            protocol: Protocol::Udp,
            source: querier(),
            destination: me(),
            contents: &[0xff; 13],
        },
    );
    assert!(drain(&mut r).0.is_empty());
    let s = r.stats();
    assert_eq!((s.malformed, s.ignored, s.queries), (1, 2, 2));
}

#[test]
fn multicast_at_most_once_a_second() {
    let t0 = Instant::now();
    let mut r = quiet();
    r.register(t0, NAME, ip("192.168.1.20")).unwrap();
    let q = question(NAME, RecordType::A, false);
    assert_eq!(ask(&mut r, t0, querier(), &q).len(), 1);
    assert!(ask(&mut r, t0 + Duration::from_millis(500), querier(), &q).is_empty());
    assert_eq!(r.stats().rate_limited, 1);
    // A QU question is answered at once anyway: unicast is not limited.
    let qu = question(NAME, RecordType::A, true);
    assert_eq!(
        ask(&mut r, t0 + Duration::from_millis(600), querier(), &qu).len(),
        1
    );
    assert_eq!(ask(&mut r, t0 + MULTICAST_INTERVAL, querier(), &q).len(), 1);
}

#[test]
fn known_answers_are_not_repeated() {
    let t0 = Instant::now();
    let mut r = quiet();
    r.register(t0, NAME, ip("192.168.1.20")).unwrap();
    let known = Record::address(NAME.parse().unwrap(), ip("192.168.1.20"), secs(100), true);
    let mut q = question(NAME, RecordType::A, false);
    q.answers.push(known.clone());
    assert!(ask(&mut r, t0, querier(), &q).is_empty());
    assert_eq!(r.stats().known_answers, 1);
    // Less than half the TTL left: answered.
    q.answers[0].ttl = 50;
    assert_eq!(ask(&mut r, t0, querier(), &q).len(), 1);
}

#[test]
fn unregister_says_goodbye() {
    let t0 = Instant::now();
    let mut r = quiet();
    let name = r.register(t0, NAME, ip("192.168.1.20")).unwrap();
    assert!(r.unregister(&name));
    assert!(!r.unregister(&name));
    let (sent, next) = drain(&mut r);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].destination, group());
    assert_eq!(parse(&sent[0]).answers[0].ttl, 0);
    assert_eq!(next, None);
    assert!(ask(&mut r, t0, querier(), &question(NAME, RecordType::A, false)).is_empty());
}

#[test]
fn registration_is_bounded_and_checked() {
    let t0 = Instant::now();
    let mut r = quiet();
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    for i in 0..DEFAULT_MAX_NAMES {
        r.register_new(t0, &mut rng, IpAddr::from([10, 0, 0, i as u8 + 1]))
            .unwrap();
    }
    assert_eq!(
        r.register_new(t0, &mut rng, ip("10.0.1.1")),
        Err(MdnsError::TooManyNames {
            max: DEFAULT_MAX_NAMES
        })
    );
    let mut r = quiet();
    for i in 0..MAX_ADDRESSES_PER_REGISTERED_NAME {
        r.register(t0, NAME, IpAddr::from([10, 0, 0, i as u8 + 1]))
            .unwrap();
    }
    r.register(t0, NAME, ip("10.0.0.1")).unwrap(); // already there: fine
    assert_eq!(
        r.register(t0, NAME, ip("10.0.0.99")),
        Err(MdnsError::TooManyAddresses {
            max: MAX_ADDRESSES_PER_REGISTERED_NAME
        })
    );
    assert_eq!(
        r.register(t0, "x.local", ip("0.0.0.0")),
        Err(MdnsError::NotUnicast(ip("0.0.0.0")))
    );
    assert_eq!(
        r.register(t0, "x.local", ip("ff02::1")),
        Err(MdnsError::NotUnicast(ip("ff02::1")))
    );
    assert!(matches!(
        r.register(t0, "x.example", ip("10.0.0.1")),
        Err(MdnsError::NotLocal(_))
    ));
}

#[test]
fn big_query_gets_a_response_that_fits() {
    let t0 = Instant::now();
    let mut r = quiet();
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let mut names = Vec::new();
    for i in 0..DEFAULT_MAX_NAMES {
        let n = r
            .register_new(t0, &mut rng, IpAddr::from([10, 0, 0, i as u8 + 1]))
            .unwrap();
        for j in 1..MAX_ADDRESSES_PER_REGISTERED_NAME {
            r.register(
                t0,
                &n.to_string(),
                IpAddr::from([0xfe80, 0, 0, 0, 0, 0, i as u16, j as u16]),
            )
            .unwrap();
        }
        names.push(n);
    }
    let q = Message::query(
        names
            .iter()
            .map(|n| Question::new(n.clone(), RecordType::ANY, false))
            .collect(),
    );
    let sent = ask(&mut r, t0, querier(), &q);
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contents.len() <= MAX_MESSAGE_LEN);
    assert!(!parse(&sent[0]).answers.is_empty());
}

#[test]
fn resolver_and_responder_on_ipv6() {
    let t0 = Instant::now();
    let ours: SocketAddr = "[fe80::20%2]:5353".parse().unwrap();
    let theirs: SocketAddr = "[fe80::30%2]:5353".parse().unwrap();
    let mut responder = MdnsResponder::new(ResponderConfig::new(vec![ours]));
    let name = responder
        .register_new(t0, &mut ChaCha20Rng::seed_from_u64(2), ip("fe80::20"))
        .unwrap();
    let (announcements, _) = drain(&mut responder);
    assert_eq!(
        announcements[0].destination,
        "[ff02::fb%2]:5353".parse().unwrap()
    );

    let mut resolver = MdnsResolver::new(ResolverConfig::new(vec![theirs]));
    let id = resolver.resolve(t0 + secs(10), &name.to_string()).unwrap();
    let mut events = Vec::new();
    let mut queries = Vec::new();
    loop {
        match resolver.poll_output() {
            Output::Transmit(t) => queries.push(t),
            Output::Event(e) => events.push(e),
            Output::Timeout(_) => break,
        }
    }
    for q in &queries {
        responder.handle_receive(
            t0 + secs(10),
            Receive {
                protocol: q.protocol,
                source: q.source,
                destination: ours,
                contents: &q.contents,
            },
        );
    }
    for answer in drain(&mut responder).0 {
        resolver.handle_receive(
            t0 + secs(10),
            Receive {
                protocol: answer.protocol,
                source: answer.source,
                destination: theirs,
                contents: &answer.contents,
            },
        );
    }
    loop {
        match resolver.poll_output() {
            Output::Event(e) => events.push(e),
            Output::Transmit(_) => panic!("no more queries"),
            Output::Timeout(t) => {
                assert_eq!(t, None);
                break;
            }
        }
    }
    assert_eq!(
        events,
        vec![ResolverEvent::Resolved {
            id,
            name,
            addresses: vec![ip("fe80::20")]
        }]
    );
}
