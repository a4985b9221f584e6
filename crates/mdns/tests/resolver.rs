//! The resolver: its query, the retransmission and timeout schedule,
//! answers (case-insensitive, from answers and additional records), what it
//! ignores, the cache and its bounds.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sansrtc_mdns::*;
use sansrtc_proto::{Output, Protocol, Receive, Transmit};

const NAME: &str = "1f6a3b52-8c1e-4f0d-9b7a-2d1e0c4b5a69.local";

fn me() -> SocketAddr {
    "192.168.1.30:5353".parse().unwrap()
}
fn peer() -> SocketAddr {
    "192.168.1.20:5353".parse().unwrap()
}
fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}
fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

struct Drained {
    sent: Vec<Transmit>,
    events: Vec<ResolverEvent>,
    timeout: Option<Instant>,
}

fn drain(r: &mut MdnsResolver) -> Drained {
    let mut d = Drained {
        sent: Vec::new(),
        events: Vec::new(),
        timeout: None,
    };
    loop {
        match r.poll_output() {
            Output::Transmit(t) => d.sent.push(t),
            Output::Event(e) => d.events.push(e),
            Output::Timeout(t) => {
                d.timeout = t;
                return d;
            }
        }
    }
}

fn response(records: Vec<Record>) -> Vec<u8> {
    Message::response(records).to_bytes().unwrap()
}

fn a(name: &str, address: &str, ttl: u32) -> Record {
    Record {
        name: name.parse().unwrap(),
        class: CLASS_IN,
        cache_flush: true,
        ttl,
        data: RecordData::from_address(ip(address)),
    }
}

fn receive(r: &mut MdnsResolver, now: Instant, from: SocketAddr, bytes: &[u8]) {
    r.handle_receive(
        now,
        Receive {
            protocol: Protocol::Udp,
            source: from,
            destination: me(),
            contents: bytes,
        },
    );
}

fn resolved(id: QueryId, name: &str, addresses: &[&str]) -> ResolverEvent {
    ResolverEvent::Resolved {
        id,
        name: name.parse().unwrap(),
        addresses: addresses.iter().map(|s| ip(s)).collect(),
    }
}

#[test]
fn query_then_retransmissions_then_give_up() {
    let t0 = Instant::now();
    let mut r = MdnsResolver::new(ResolverConfig::new(vec![me()]));
    let id = r.resolve(t0, NAME).unwrap();
    let d = drain(&mut r);
    assert_eq!(d.sent.len(), 1);
    let q = &d.sent[0];
    assert_eq!(q.source, me());
    assert_eq!(q.destination, "224.0.0.251:5353".parse().unwrap());
    assert_eq!(q.protocol, Protocol::Udp);
    let m = Message::parse(&q.contents).unwrap();
    assert_eq!(m.id, 0);
    assert_eq!(m.flags, Flags::QUERY);
    assert_eq!(
        m.questions,
        vec![
            Question::new(NAME.parse().unwrap(), RecordType::A, false),
            Question::new(NAME.parse().unwrap(), RecordType::AAAA, false),
        ]
    );
    assert_eq!(d.timeout, Some(t0 + FIRST_RETRANSMIT));

    // Early: nothing.
    r.handle_timeout(t0 + Duration::from_millis(999));
    let d = drain(&mut r);
    assert!(d.sent.is_empty());
    assert_eq!(d.timeout, Some(t0 + secs(1)));

    // 1 s, then 3 s (the interval doubles), then give up at 5 s.
    let mut times = Vec::new();
    let mut now = t0 + secs(1);
    loop {
        r.handle_timeout(now);
        let d = drain(&mut r);
        if !d.events.is_empty() {
            assert_eq!(d.events, vec![resolved(id, NAME, &[])]);
            assert!(d.sent.is_empty());
            assert_eq!(d.timeout, None);
            break;
        }
        assert_eq!(d.sent.len(), 1);
        assert_eq!(d.sent[0].contents, q.contents);
        times.push(now - t0);
        now = d.timeout.unwrap();
    }
    assert_eq!(times, vec![secs(1), secs(3)]);
    assert_eq!(now - t0, RESOLVE_TIMEOUT);
    let s = r.stats();
    assert_eq!(s.queries_sent, u64::from(QUERY_TRANSMISSIONS));
    assert_eq!(s.timed_out, 1);
    assert_eq!(r.outstanding(), 0);
}

#[test]
fn qu_bit_on_the_first_query_only() {
    let t0 = Instant::now();
    let mut config = ResolverConfig::new(vec![me()]);
    config.unicast_response = true;
    let mut r = MdnsResolver::new(config);
    r.resolve(t0, NAME).unwrap();
    let first = Message::parse(&drain(&mut r).sent[0].contents).unwrap();
    assert!(first.questions.iter().all(|q| q.unicast_response));
    r.handle_timeout(t0 + secs(1));
    let second = Message::parse(&drain(&mut r).sent[0].contents).unwrap();
    assert!(second.questions.iter().all(|q| !q.unicast_response));
}

#[test]
fn one_query_per_source_to_its_family_group() {
    let v6: SocketAddr = "[fe80::2%3]:5353".parse().unwrap();
    let mut r = MdnsResolver::new(ResolverConfig::new(vec![me(), v6]));
    r.resolve(Instant::now(), NAME).unwrap();
    let sent = drain(&mut r).sent;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].destination, "224.0.0.251:5353".parse().unwrap());
    assert_eq!(sent[1].source, v6);
    assert_eq!(sent[1].destination, "[ff02::fb%3]:5353".parse().unwrap());
}

#[test]
fn answer_resolves_case_insensitively_and_is_cached() {
    let t0 = Instant::now();
    let mut r = MdnsResolver::new(ResolverConfig::new(vec![me()]));
    let id = r.resolve(t0, NAME).unwrap();
    drain(&mut r);
    // The responder answers with the name upper-cased, an AAAA record as
    // additional.
    let upper = NAME.to_uppercase();
    let mut m = Message::response(vec![a(&upper, "192.168.1.20", 120)]);
    m.additionals.push(a(&upper, "fe80::1234", 120));
    receive(&mut r, t0 + secs(1), peer(), &m.to_bytes().unwrap());
    let d = drain(&mut r);
    assert_eq!(
        d.events,
        vec![resolved(id, NAME, &["192.168.1.20", "fe80::1234"])]
    );
    assert_eq!(d.timeout, None, "nothing left to retransmit");
    assert_eq!(r.outstanding(), 0);

    // Asked again within the TTL: from the cache, no query.
    let id2 = r.resolve(t0 + secs(60), NAME).unwrap();
    let d = drain(&mut r);
    assert!(d.sent.is_empty());
    assert_eq!(
        d.events,
        vec![resolved(id2, NAME, &["192.168.1.20", "fe80::1234"])]
    );
    // After it: a new query.
    r.resolve(t0 + secs(122), NAME).unwrap();
    assert_eq!(drain(&mut r).sent.len(), 1);
    assert_eq!(r.stats().resolved, 2);
}

#[test]
fn two_resolves_of_one_name_share_the_query() {
    let t0 = Instant::now();
    let mut r = MdnsResolver::new(ResolverConfig::new(vec![me()]));
    let id1 = r.resolve(t0, NAME).unwrap();
    let id2 = r.resolve(t0, &NAME.to_uppercase()).unwrap();
    assert_eq!(drain(&mut r).sent.len(), 1);
    assert_eq!(r.outstanding(), 2);
    receive(
        &mut r,
        t0,
        peer(),
        &response(vec![a(NAME, "10.0.0.7", 120)]),
    );
    let events = drain(&mut r).events;
    assert_eq!(
        events,
        vec![
            resolved(id1, NAME, &["10.0.0.7"]),
            resolved(id2, NAME, &["10.0.0.7"])
        ]
    );
}

#[test]
fn ignores_what_is_not_an_answer_for_us() {
    let t0 = Instant::now();
    let mut r = MdnsResolver::new(ResolverConfig::new(vec![me()]));
    let id = r.resolve(t0, NAME).unwrap();
    drain(&mut r);
    let good = response(vec![a(NAME, "192.168.1.20", 120)]);

    // Garbage.
    receive(&mut r, t0, peer(), b"\x00\x01garbage");
    // A response from a port other than 5353 (RFC 6762 §6).
    receive(&mut r, t0, "192.168.1.20:40000".parse().unwrap(), &good);
    // A query carrying the answer in its known-answer section.
    let mut query = Message::query(vec![]);
    query.answers.push(a(NAME, "192.168.1.20", 120));
    receive(&mut r, t0, peer(), &query.to_bytes().unwrap());
    // Error code, other opcode.
    let mut bad = Message::response(vec![a(NAME, "192.168.1.20", 120)]);
    bad.flags = Flags(Flags::RESPONSE | 3);
    receive(&mut r, t0, peer(), &bad.to_bytes().unwrap());
    bad.flags = Flags(Flags::RESPONSE | (4 << 11));
    receive(&mut r, t0, peer(), &bad.to_bytes().unwrap());
    // Unrelated names, other classes, addresses no host has, names
    // outside .local, other record types for our name.
    let mut chaos = a(NAME, "192.168.1.20", 120);
    chaos.class = 3;
    let records = vec![
        a("other.local", "192.168.1.99", 120),
        chaos,
        a(NAME, "0.0.0.0", 120),
        a(NAME, "224.0.0.251", 120),
        a(NAME, "255.255.255.255", 120),
        a(NAME, "ff02::fb", 120),
        a(
            "1f6a3b52-8c1e-4f0d-9b7a-2d1e0c4b5a69.example",
            "10.0.0.1",
            120,
        ),
        Record {
            name: NAME.parse().unwrap(),
            class: CLASS_IN,
            cache_flush: true,
            ttl: 120,
            data: RecordData::Other {
                rtype: RecordType::TXT,
                data: b"\x03a=b".to_vec(),
            },
        },
    ];
    receive(&mut r, t0, peer(), &response(records));
    let d = drain(&mut r);
    assert!(d.events.is_empty(), "{:?}", d.events);
    assert_eq!(r.outstanding(), 1);
    let s = r.stats();
    assert_eq!(s.malformed, 1);
    assert_eq!(s.ignored, 4);
    assert_eq!(s.records_ignored, 6);
    // An unrelated name is cached (an unsolicited announcement) but answers
    // nothing outstanding.
    assert_eq!(
        r.cached(t0, &"other.local".parse().unwrap()),
        vec![ip("192.168.1.99")]
    );

    // The real answer still resolves it.
    receive(&mut r, t0, peer(), &good);
    assert_eq!(
        drain(&mut r).events,
        vec![resolved(id, NAME, &["192.168.1.20"])]
    );
}

#[test]
fn unsolicited_announcement_answers_a_later_resolve() {
    let t0 = Instant::now();
    let mut r = MdnsResolver::new(ResolverConfig::new(vec![me()]));
    receive(
        &mut r,
        t0,
        peer(),
        &response(vec![a(NAME, "192.168.1.20", 120)]),
    );
    let id = r.resolve(t0 + secs(2), NAME).unwrap();
    let d = drain(&mut r);
    assert!(d.sent.is_empty());
    assert_eq!(d.events, vec![resolved(id, NAME, &["192.168.1.20"])]);
}

#[test]
fn ttl_is_capped_and_goodbye_removes() {
    let t0 = Instant::now();
    let mut r = MdnsResolver::new(ResolverConfig::new(vec![me()]));
    let name: Name = NAME.parse().unwrap();
    receive(
        &mut r,
        t0,
        peer(),
        &response(vec![a(NAME, "192.168.1.20", u32::MAX)]),
    );
    assert_eq!(r.cached(t0 + MAX_CACHE_TTL - secs(1), &name).len(), 1);
    assert!(r.cached(t0 + MAX_CACHE_TTL, &name).is_empty());

    receive(
        &mut r,
        t0,
        peer(),
        &response(vec![a(NAME, "192.168.1.20", 120)]),
    );
    assert_eq!(r.cached(t0, &name).len(), 1);
    receive(
        &mut r,
        t0 + secs(5),
        peer(),
        &response(vec![a(NAME, "192.168.1.20", 0)]),
    );
    assert!(r.cached(t0 + secs(5), &name).is_empty());
}

#[test]
fn cache_flush_replaces_older_records_of_the_family() {
    let t0 = Instant::now();
    let mut r = MdnsResolver::new(ResolverConfig::new(vec![me()]));
    let name: Name = NAME.parse().unwrap();
    let mut no_flush = a(NAME, "10.0.0.2", 120);
    no_flush.cache_flush = false;
    receive(
        &mut r,
        t0,
        peer(),
        &response(vec![a(NAME, "10.0.0.1", 120)]),
    );
    receive(&mut r, t0, peer(), &response(vec![no_flush]));
    receive(&mut r, t0, peer(), &response(vec![a(NAME, "fe80::9", 120)]));
    assert_eq!(
        r.cached(t0, &name),
        vec![ip("10.0.0.1"), ip("10.0.0.2"), ip("fe80::9")]
    );
    // Two seconds later a cache-flush A record replaces the older A
    // records, not the AAAA one.
    receive(
        &mut r,
        t0 + secs(2),
        peer(),
        &response(vec![a(NAME, "10.0.0.3", 120)]),
    );
    assert_eq!(
        r.cached(t0 + secs(2), &name),
        vec![ip("fe80::9"), ip("10.0.0.3")]
    );
}

#[test]
fn flood_of_random_names_stays_within_the_cache_bound() {
    let t0 = Instant::now();
    let mut config = ResolverConfig::new(vec![me()]);
    config.max_cache_entries = 32;
    let mut r = MdnsResolver::new(config);
    let id = r.resolve(t0, NAME).unwrap();
    drain(&mut r);
    let mut rng = ChaCha20Rng::seed_from_u64(18);
    for i in 0..5_000u32 {
        // Several records per response, each a fresh name.
        let records = (0..4)
            .map(|_| {
                Record::address(
                    generate_name(&mut rng),
                    IpAddr::from((i.wrapping_mul(4) | 1).to_be_bytes()),
                    secs(120),
                    true,
                )
            })
            .collect();
        receive(
            &mut r,
            t0 + Duration::from_millis(u64::from(i)),
            peer(),
            &response(records),
        );
        assert!(r.cache_len() <= 32);
    }
    assert_eq!(r.cache_len(), 32);
    assert!(r.stats().cache_evictions >= 5_000 * 4 - 32);
    assert!(drain(&mut r).events.is_empty());
    // The outstanding query is untouched and resolves when answered.
    receive(
        &mut r,
        t0 + secs(4),
        peer(),
        &response(vec![a(NAME, "192.168.1.20", 120)]),
    );
    assert_eq!(
        drain(&mut r).events,
        vec![resolved(id, NAME, &["192.168.1.20"])]
    );
    // The solicited answer survives a further flood (unsolicited entries
    // are evicted first).
    for _ in 0..100 {
        let records = vec![Record::address(
            generate_name(&mut rng),
            ip("10.1.1.1"),
            secs(1),
            true,
        )];
        receive(&mut r, t0 + secs(4), peer(), &response(records));
    }
    assert_eq!(
        r.cached(t0 + secs(4), &NAME.parse().unwrap()),
        vec![ip("192.168.1.20")]
    );
}

#[test]
fn flood_of_addresses_for_one_name_is_bounded() {
    let t0 = Instant::now();
    let mut r = MdnsResolver::new(ResolverConfig::new(vec![me()]));
    for i in 0..1000u32 {
        let mut rec = a(NAME, "10.0.0.1", 120);
        rec.cache_flush = false;
        rec.data = RecordData::A((0x0a00_0000 | i).into());
        receive(&mut r, t0, peer(), &response(vec![rec]));
    }
    assert_eq!(
        r.cached(t0, &NAME.parse().unwrap()).len(),
        MAX_ADDRESSES_PER_NAME
    );
}

#[test]
fn commands_are_bounded_and_checked() {
    let t0 = Instant::now();
    let mut r = MdnsResolver::new(ResolverConfig::new(vec![me()]));
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let mut ids = Vec::new();
    for _ in 0..DEFAULT_MAX_QUERIES {
        ids.push(r.resolve(t0, &generate_name(&mut rng).to_string()).unwrap());
    }
    assert_eq!(
        r.resolve(t0, NAME),
        Err(MdnsError::TooManyQueries {
            max: DEFAULT_MAX_QUERIES
        })
    );
    assert!(r.cancel(ids[0]));
    assert!(!r.cancel(ids[0]));
    assert!(r.resolve(t0, NAME).is_ok());

    assert!(matches!(
        r.resolve(t0, "example.com"),
        Err(MdnsError::NotLocal(_))
    ));
    assert!(matches!(
        r.resolve(t0, "local"),
        Err(MdnsError::NotLocal(_))
    ));
    assert_eq!(r.resolve(t0, ""), Err(MdnsError::EmptyLabel));
    let long = format!("{}.local", vec!["a".repeat(63); 4].join("."));
    assert_eq!(r.resolve(t0, &long), Err(MdnsError::NameTooLong));
    let mut none = MdnsResolver::new(ResolverConfig::new(vec![]));
    assert_eq!(none.resolve(t0, NAME), Err(MdnsError::NoSources));
}

#[test]
fn same_inputs_same_trace() {
    fn run() -> Vec<String> {
        let t0 = Instant::now();
        let mut trace = Vec::new();
        let mut r = MdnsResolver::new(ResolverConfig::new(vec![me()]));
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let names: Vec<Name> = (0..5).map(|_| generate_name(&mut rng)).collect();
        for n in &names {
            r.resolve(t0, &n.to_string()).unwrap();
        }
        let mut now = t0;
        for step in 0..10 {
            if step == 2 {
                receive(
                    &mut r,
                    now,
                    peer(),
                    &response(vec![a(&names[3].to_string(), "10.0.0.3", 120)]),
                );
            }
            let d = drain(&mut r);
            trace.push(format!(
                "{:?} {:?} {:?}",
                d.sent,
                d.events,
                d.timeout.map(|t| t - t0)
            ));
            match d.timeout {
                Some(t) => now = t,
                None => break,
            }
            r.handle_timeout(now);
        }
        trace
    }
    assert_eq!(run(), run());
}
