//! The codec: known-answer bytes written by hand from RFC 1035 §4.1,
//! packets captured on a real network, round trips, and every class of
//! hostile input.

use std::net::{Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use sansrtc_mdns::*;

const UUID: &str = "1f6a3b52-8c1e-4f0d-9b7a-2d1e0c4b5a69";

/// `<UUID>.local` in wire form, by hand: a 36-byte label, a 5-byte label,
/// the root.
fn uuid_name_wire() -> Vec<u8> {
    let mut w = vec![36];
    w.extend_from_slice(UUID.as_bytes());
    w.push(5);
    w.extend_from_slice(b"local");
    w.push(0);
    w
}

fn name() -> Name {
    format!("{UUID}.local").parse().unwrap()
}

#[test]
fn query_known_answer() {
    // RFC 1035 §4.1.1 header: ID 0, flags 0, QDCOUNT 2, the rest 0.
    let mut expected = vec![0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0];
    // §4.1.2: QNAME, QTYPE A (1), QCLASS IN (1) with the QU bit (0x8001).
    expected.extend(uuid_name_wire());
    expected.extend([0, 1, 0x80, 1]);
    // The second question's name is a pointer (§4.1.4) to offset 12;
    // QTYPE AAAA (28), QCLASS IN.
    expected.extend([0xc0, 12, 0, 28, 0, 1]);

    let query = Message::query(vec![
        Question::new(name(), RecordType::A, true),
        Question::new(name(), RecordType::AAAA, false),
    ]);
    assert_eq!(query.to_bytes().unwrap(), expected);

    let parsed = Message::parse(&expected).unwrap();
    assert_eq!(parsed, query);
    assert!(!parsed.flags.is_response());
    assert!(parsed.questions[0].unicast_response);
    assert_eq!(parsed.questions[0].qclass, CLASS_IN);
    assert_eq!(parsed.questions[1].qtype, RecordType::AAAA);
    assert!(!parsed.questions[1].unicast_response);
}

#[test]
fn response_known_answer() {
    // Header: ID 0, QR + AA (0x8400), ANCOUNT 1, ARCOUNT 1.
    let mut expected = vec![0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 1];
    // Answer (§4.1.3): NAME, TYPE A, CLASS IN with cache-flush (0x8001),
    // TTL 120, RDLENGTH 4, 192.168.1.20.
    expected.extend(uuid_name_wire());
    expected.extend([0, 1, 0x80, 1, 0, 0, 0, 120, 0, 4, 192, 168, 1, 20]);
    // Additional: the same name by pointer, TYPE AAAA, CLASS IN without
    // cache-flush, TTL 10, RDLENGTH 16, fe80::1.
    expected.extend([0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 10, 0, 16]);
    expected.extend([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);

    let mut response = Message::response(vec![Record {
        name: name(),
        class: CLASS_IN,
        cache_flush: true,
        ttl: 120,
        data: RecordData::A(Ipv4Addr::new(192, 168, 1, 20)),
    }]);
    response.additionals.push(Record {
        name: name(),
        class: CLASS_IN,
        cache_flush: false,
        ttl: 10,
        data: RecordData::Aaaa("fe80::1".parse::<Ipv6Addr>().unwrap()),
    });
    assert_eq!(response.to_bytes().unwrap(), expected);
    let parsed = Message::parse(&expected).unwrap();
    assert_eq!(parsed, response);
    assert!(parsed.flags.is_response());
    assert_eq!(parsed.flags.opcode(), 0);
    assert_eq!(parsed.flags.rcode(), 0);
    assert_eq!(
        parsed.answers[0].data.address(),
        Some("192.168.1.20".parse().unwrap())
    );
    assert!(parsed.answers[0].cache_flush);
    assert!(!parsed.additionals[0].cache_flush);
}

/// Captured from a real network (published as test data in the
/// fabrlyn/dns_parser repository, `src/capture.rs`): a Chromecast-discovery
/// query with the QU bit, for `_googlecast._tcp.local` PTR.
const CAPTURED_QU_QUERY: &[u8] = &[
    0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 11, 95, 103, 111, 111, 103, 108, 101, 99, 97, 115, 116, 4,
    95, 116, 99, 112, 5, 108, 111, 99, 97, 108, 0, 0, 12, 128, 1,
];

/// From the same capture: an announcement of a companion-link service, a
/// TXT answer with cache-flush and an NSEC additional record whose owner
/// name is a compression pointer (and whose data holds another).
const CAPTURED_RESPONSE: &[u8] = &[
    0, 0, 132, 0, 0, 0, 0, 1, 0, 0, 0, 1, 8, 77, 97, 99, 98, 111, 111, 107, 49, 15, 95, 99, 111,
    109, 112, 97, 110, 105, 111, 110, 45, 108, 105, 110, 107, 4, 95, 116, 99, 112, 5, 108, 111, 99,
    97, 108, 0, 0, 16, 128, 1, 0, 0, 17, 148, 0, 119, 17, 114, 112, 72, 78, 61, 55, 102, 56, 55,
    49, 52, 101, 98, 56, 57, 52, 55, 12, 114, 112, 70, 108, 61, 48, 120, 50, 48, 48, 48, 48, 10,
    114, 112, 86, 114, 61, 49, 57, 53, 46, 50, 17, 114, 112, 72, 65, 61, 52, 52, 97, 102, 48, 101,
    101, 102, 53, 98, 101, 54, 17, 114, 112, 65, 68, 61, 101, 101, 55, 99, 52, 97, 101, 54, 56, 48,
    54, 54, 17, 114, 112, 72, 73, 61, 52, 54, 53, 97, 55, 51, 101, 99, 53, 53, 54, 51, 22, 114,
    112, 66, 65, 61, 66, 55, 58, 48, 70, 58, 65, 65, 58, 57, 67, 58, 55, 57, 58, 68, 54, 192, 12,
    0, 47, 128, 1, 0, 0, 17, 148, 0, 9, 192, 12, 0, 5, 0, 0, 128, 0, 64,
];

#[test]
fn captured_query() {
    let m = Message::parse(CAPTURED_QU_QUERY).unwrap();
    assert_eq!(m.questions.len(), 1);
    let q = &m.questions[0];
    assert_eq!(q.name.to_string(), "_googlecast._tcp.local");
    assert_eq!(q.qtype, RecordType::PTR);
    assert!(q.unicast_response);
    assert_eq!(q.qclass, CLASS_IN);
    assert!(q.name.is_local());
    assert_eq!(m.to_bytes().unwrap(), CAPTURED_QU_QUERY);
}

#[test]
fn captured_response_with_compression_and_raw_records() {
    let m = Message::parse(CAPTURED_RESPONSE).unwrap();
    assert!(m.flags.is_response());
    assert_eq!(m.answers.len(), 1);
    assert_eq!(m.additionals.len(), 1);
    let txt = &m.answers[0];
    assert_eq!(txt.name.to_string(), "Macbook1._companion-link._tcp.local");
    assert_eq!(txt.data.rtype(), RecordType::TXT);
    assert!(txt.cache_flush);
    assert_eq!(txt.ttl, 4500);
    let nsec = &m.additionals[0];
    assert_eq!(nsec.name, txt.name);
    assert_eq!(
        nsec.data,
        RecordData::Other {
            rtype: RecordType::NSEC,
            data: vec![192, 12, 0, 5, 0, 0, 128, 0, 64],
        }
    );
    // Our writer compresses the NSEC owner name the same way: byte equal.
    assert_eq!(m.to_bytes().unwrap(), CAPTURED_RESPONSE);
}

#[test]
fn a_query_as_browsers_send_it() {
    // What a resolver asks for a candidate's `<uuid>.local` (one A
    // question, no QU bit), in the layout Chromium's queries have.
    let mut bytes = vec![0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    bytes.extend(uuid_name_wire());
    bytes.extend([0, 1, 0, 1]);
    let m = Message::parse(&bytes).unwrap();
    assert!(is_uuid_local(&m.questions[0].name));
    assert_eq!(m.questions[0].qtype, RecordType::A);
}

fn header(qd: u16, an: u16, ns: u16, ar: u16) -> Vec<u8> {
    let mut h = vec![0, 0, 0x84, 0];
    for c in [qd, an, ns, ar] {
        h.extend(c.to_be_bytes());
    }
    h
}

#[test]
fn truncated_at_every_length() {
    let full = {
        let mut r = Message::response(vec![Record::address(
            name(),
            "10.0.0.1".parse().unwrap(),
            RECORD_TTL,
            true,
        )]);
        r.questions
            .push(Question::new(name(), RecordType::AAAA, false));
        r.to_bytes().unwrap()
    };
    assert!(Message::parse(&full).is_ok());
    for len in 0..full.len() {
        let err = Message::parse(&full[..len]).unwrap_err();
        assert!(
            matches!(
                err,
                MdnsError::Truncated { .. } | MdnsError::CountTooLarge { .. }
            ),
            "{len}: {err:?}"
        );
    }
    assert_eq!(
        Message::parse(&[0; 11]),
        Err(MdnsError::Truncated { offset: 0 })
    );
}

#[test]
fn oversized() {
    let mut big = header(0, 0, 0, 0);
    big.resize(MAX_MESSAGE_LEN + 1, 0);
    assert_eq!(
        Message::parse(&big),
        Err(MdnsError::MessageTooLarge {
            len: MAX_MESSAGE_LEN + 1,
            max: MAX_MESSAGE_LEN
        })
    );
    // Trailing bytes up to the limit are ignored.
    big.truncate(MAX_MESSAGE_LEN);
    assert!(Message::parse(&big).is_ok());
}

#[test]
fn counts_larger_than_the_data() {
    let mut m = header(0xffff, 0, 0, 0);
    m.extend([0, 0, 1, 0, 1]); // one real question
    assert_eq!(
        Message::parse(&m),
        Err(MdnsError::CountTooLarge {
            section: Section::Question,
            count: 0xffff,
            remaining: 5
        })
    );
    let m = header(0, 0, 0, 3);
    assert!(matches!(
        Message::parse(&m),
        Err(MdnsError::CountTooLarge {
            section: Section::Additional,
            ..
        })
    ));
    // Counts that fit the minimum sizes but not the real records.
    let mut m = header(0, 2, 0, 0);
    m.extend([0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4]);
    m.extend([0; 11]);
    m.truncate(m.len() - 1);
    assert!(matches!(
        Message::parse(&m),
        Err(MdnsError::CountTooLarge { .. } | MdnsError::Truncated { .. })
    ));
}

#[test]
fn pointer_to_itself() {
    let mut m = header(1, 0, 0, 0);
    m.extend([0xc0, 12, 0, 1, 0, 1]);
    assert_eq!(
        Message::parse(&m),
        Err(MdnsError::PointerLoop {
            offset: 12,
            target: 12
        })
    );
}

#[test]
fn pointer_forwards() {
    let mut m = header(1, 0, 0, 0);
    m.extend([0xc0, 18, 0, 1, 0, 1, 1, b'a', 0]);
    assert!(matches!(
        Message::parse(&m),
        Err(MdnsError::PointerLoop { .. })
    ));
}

#[test]
fn two_pointer_loop() {
    // Question 1 at 12: label "a", then a pointer to 19 (question 2's
    // name), which is a pointer back to 12. Both directions are refused.
    let mut m = header(2, 0, 0, 0);
    m.extend([1, b'a', 0xc0, 19, 0, 1, 0, 1]);
    m.extend([0xc0, 12, 0, 1, 0, 1]);
    assert!(matches!(
        Message::parse(&m),
        Err(MdnsError::PointerLoop { offset: 14, .. })
    ));
    // A pointer into the middle of its own name's labels.
    let mut m = header(1, 0, 0, 0);
    m.extend([1, b'a', 1, b'b', 0xc0, 14, 0, 1, 0, 1]);
    assert!(matches!(
        Message::parse(&m),
        Err(MdnsError::PointerLoop { .. })
    ));
}

#[test]
fn pointer_chain_too_deep() {
    assert!(deep_chain_message(MAX_POINTER_HOPS).is_ok());
    assert_eq!(
        deep_chain_message(MAX_POINTER_HOPS + 1),
        Err(MdnsError::TooManyPointers {
            max: MAX_POINTER_HOPS
        })
    );
    assert!(deep_chain_message(500).is_err());
}

/// A message with `hops` A records whose owner names are pointer chains of
/// growing depth: record 0 is named by labels ("a"), record i by a pointer
/// to record i-1's owner name. The last record's name follows `hops`
/// pointers.
fn deep_chain_message(hops: usize) -> Result<Message, MdnsError> {
    let mut m = header(0, hops as u16 + 1, 0, 0);
    let mut prev = m.len() as u16;
    m.extend([1, b'a', 0]);
    m.extend([0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 10, 0, 0, 1]);
    for _ in 0..hops {
        let here = m.len() as u16;
        m.extend((0xc000 | prev).to_be_bytes());
        m.extend([0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 10, 0, 0, 1]);
        prev = here;
    }
    Message::parse(&m)
}

#[test]
fn label_longer_than_63() {
    // A length byte of 64 (0x40) is the reserved extended-label type.
    let mut m = header(1, 0, 0, 0);
    m.push(64);
    m.extend([b'x'; 64]);
    m.extend([0, 0, 1, 0, 1]);
    assert_eq!(
        Message::parse(&m),
        Err(MdnsError::BadLabelType {
            byte: 64,
            offset: 12
        })
    );
    let mut m = header(1, 0, 0, 0);
    m.extend([0x80, 0, 0, 1, 0, 1]);
    assert!(matches!(
        Message::parse(&m),
        Err(MdnsError::BadLabelType { byte: 0x80, .. })
    ));
    assert_eq!(
        Name::new(&format!("{}.local", "x".repeat(64))),
        Err(MdnsError::LabelTooLong { len: 64 })
    );
}

#[test]
fn name_longer_than_255() {
    // Five labels of 63 bytes: 320 bytes, over the limit.
    let mut m = header(1, 0, 0, 0);
    for _ in 0..5 {
        m.push(63);
        m.extend([b'y'; 63]);
    }
    m.extend([0, 0, 1, 0, 1]);
    assert_eq!(Message::parse(&m), Err(MdnsError::NameTooLong));
    // Over the limit through compression: each record adds a 63-byte
    // label in front of the previous record's name.
    let mut m = header(0, 5, 0, 0);
    let mut prev: Option<u16> = None;
    for _ in 0..5 {
        let here = m.len() as u16;
        m.push(63);
        m.extend([b'z'; 63]);
        match prev {
            Some(p) => m.extend((0xc000 | p).to_be_bytes()),
            None => m.push(0),
        }
        m.extend([0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 10, 0, 0, 1]);
        prev = Some(here);
    }
    assert_eq!(Message::parse(&m), Err(MdnsError::NameTooLong));
}

#[test]
fn address_records_of_the_wrong_length() {
    let mut m = header(0, 1, 0, 0);
    m.extend([0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 5, 1, 2, 3, 4, 5]);
    assert_eq!(
        Message::parse(&m),
        Err(MdnsError::BadRecordLength { rtype: 1, len: 5 })
    );
    let mut m = header(0, 1, 0, 0);
    m.extend([0, 0, 28, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4]);
    assert_eq!(
        Message::parse(&m),
        Err(MdnsError::BadRecordLength { rtype: 28, len: 4 })
    );
    // Record data running past the end.
    let mut m = header(0, 1, 0, 0);
    m.extend([0, 0, 16, 0, 1, 0, 0, 0, 1, 0xff, 0xff, 1, 2]);
    assert!(matches!(
        Message::parse(&m),
        Err(MdnsError::Truncated { offset: 23 })
    ));
}

#[test]
fn writer_limits() {
    let big = Record {
        name: name(),
        class: CLASS_IN,
        cache_flush: false,
        ttl: 1,
        data: RecordData::Other {
            rtype: RecordType::TXT,
            data: vec![0; 70_000],
        },
    };
    let mut out = vec![9];
    assert_eq!(
        Message::response(vec![big]).write(&mut out),
        Err(MdnsError::RecordDataTooLong(70_000))
    );
    assert_eq!(out, vec![9], "a failed write leaves the buffer as it was");
}

#[test]
fn names_compare_without_case() {
    let upper: Name = format!("{}.LOCAL", UUID.to_uppercase()).parse().unwrap();
    assert_eq!(upper, name());
    assert!(is_uuid_local(&upper));
    assert!(!is_uuid_local(&"host.local".parse().unwrap()));
    assert!(!is_uuid_local(&format!("{UUID}.example").parse().unwrap()));
}

fn arb_name() -> impl Strategy<Value = Name> {
    prop::collection::vec("[a-zA-Z0-9-]{1,20}", 1..5).prop_map(|labels| {
        let mut labels = labels;
        labels.push("local".into());
        labels.join(".").parse().unwrap()
    })
}

fn arb_record() -> impl Strategy<Value = Record> {
    let data = prop_oneof![
        any::<[u8; 4]>().prop_map(|b| RecordData::A(b.into())),
        any::<[u8; 16]>().prop_map(|b| RecordData::Aaaa(b.into())),
        (2u16..1000, prop::collection::vec(any::<u8>(), 0..40)).prop_filter_map(
            "not an address type",
            |(t, data)| (t != 28).then_some(RecordData::Other {
                rtype: RecordType(t),
                data
            })
        ),
    ];
    (arb_name(), 0u16..0x8000, any::<bool>(), any::<u32>(), data).prop_map(
        |(name, class, cache_flush, ttl, data)| Record {
            name,
            class,
            cache_flush,
            ttl,
            data,
        },
    )
}

proptest! {
    #[test]
    fn round_trip(
        id in any::<u16>(),
        flags in any::<u16>(),
        questions in prop::collection::vec(
            (arb_name(), any::<u16>(), 0u16..0x8000, any::<bool>()).prop_map(|(name, t, qclass, qu)| Question {
                name, qtype: RecordType(t), qclass, unicast_response: qu
            }),
            0..4,
        ),
        answers in prop::collection::vec(arb_record(), 0..4),
        authorities in prop::collection::vec(arb_record(), 0..2),
        additionals in prop::collection::vec(arb_record(), 0..4),
    ) {
        let m = Message { id, flags: Flags(flags), questions, answers, authorities, additionals };
        let bytes = m.to_bytes().unwrap();
        prop_assert_eq!(Message::parse(&bytes).unwrap(), m.clone());
        // Compression never makes a message longer than writing every name
        // in full.
        let full: usize = 12
            + m.questions.iter().map(|q| q.name.as_wire().len() + 4).sum::<usize>()
            + m.answers.iter().chain(&m.authorities).chain(&m.additionals)
                .map(|r| r.name.as_wire().len() + 10 + match &r.data {
                    RecordData::A(_) => 4, RecordData::Aaaa(_) => 16,
                    RecordData::Other { data, .. } => data.len(),
                }).sum::<usize>();
        prop_assert!(bytes.len() <= full);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(m) = Message::parse(&bytes) {
            let again = m.to_bytes().unwrap();
            prop_assert_eq!(Message::parse(&again).unwrap(), m);
        }
    }
}
