//! A man in the middle removes the DTLS 1.3 offer from our ClientHello
//! (supported_versions, key_share, the 1.3 suites): the 1.3-capable server
//! answers in DTLS 1.2 with RFC 8446 §4.1.3's sentinel in its random, and
//! our client refuses the downgrade before going any further.

use std::sync::Arc;
use std::time::Instant;

use rand_chacha::rand_core::SeedableRng;

use crate::endpoint_test_support::{drain, identity};

use crate::handshake::{encode_fragment, parse_fragments};
use crate::messages::{ClientHello, ServerHello};
use crate::record::{split_records, ContentType, RecordHeader, DTLS12};
use crate::{DtlsConfig, DtlsEndpoint, DtlsError, DtlsEvent, HashAlgorithm, Identity, Role};

fn expecting(me: &Arc<Identity>, peer: &Identity) -> DtlsConfig {
    let mut c = DtlsConfig::new(me.clone());
    c.expected_fingerprints = vec![peer.fingerprint(HashAlgorithm::Sha256).unwrap()];
    c.hello_verify_request = false;
    c
}

/// The ClientHello body reassembled from the client's first flight.
fn client_hello_body(flight: &[Vec<u8>]) -> Vec<u8> {
    let mut body = Vec::new();
    for d in flight {
        let (records, _) = split_records(d);
        for (h, payload) in records {
            assert_eq!(h.content_type, ContentType::Handshake);
            for f in parse_fragments(payload).unwrap() {
                assert_eq!(f.msg_type, 1, "ClientHello");
                body.resize(f.length as usize, 0);
                let at = f.offset as usize;
                body[at..at + f.body.len()].copy_from_slice(f.body);
            }
        }
    }
    body
}

/// One datagram carrying `hello` as message 0, record 0.
fn datagram_of(hello: &ClientHello) -> Vec<u8> {
    let body = hello.encode();
    let mut fragment = Vec::new();
    encode_fragment(&mut fragment, 1, body.len(), 0, 0, &body);
    let mut d = Vec::new();
    RecordHeader {
        content_type: ContentType::Handshake,
        version: DTLS12,
        epoch: 0,
        seq: 0,
    }
    .encode(fragment.len(), &mut d);
    d.extend_from_slice(&fragment);
    d
}

#[test]
fn a_stripped_dtls13_offer_is_caught_by_the_downgrade_sentinel() {
    let (a, b) = (identity(), identity());
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
    let mut client = DtlsEndpoint::new(Role::Client, expecting(&a, &b), &mut rng).unwrap();
    let mut server = DtlsEndpoint::new(Role::Server, expecting(&b, &a), &mut rng).unwrap();
    let now = Instant::now();
    client.start(now);
    let (flight, _) = drain(&mut client);
    let mut hello = ClientHello::parse(&client_hello_body(&flight)).unwrap();
    assert!(hello.extensions.supported_versions.is_some(), "1.3 offered");
    // The attacker's edit.
    hello.extensions.supported_versions = None;
    hello.extensions.raw.retain(|(t, _)| *t != 51);
    hello.cipher_suites.retain(|s| s >> 8 != 0x13);
    server.handle_receive(now, &datagram_of(&hello));
    let (answer, _) = drain(&mut server);
    assert!(!answer.is_empty());
    // A DTLS 1.2 ServerHello marked DOWNGRD\x01.
    let (records, _) = split_records(&answer[0]);
    let hs = records[0].1;
    assert_eq!(hs[0], 2, "ServerHello");
    let sh = ServerHello::parse(&hs[12..]).unwrap();
    assert_eq!(&sh.random[24..], b"DOWNGRD\x01");
    for d in &answer {
        client.handle_receive(now, d);
    }
    let (alert, events) = drain(&mut client);
    assert!(
        events.contains(&DtlsEvent::Failed(DtlsError::Downgrade)),
        "{events:?}"
    );
    // illegal_parameter (47), in the clear.
    assert_eq!(alert.len(), 1);
    assert_eq!(&alert[0][13..], &[2, 47]);
    assert!(client.is_closed());
}

#[test]
fn a_dtls12_server_without_the_sentinel_still_gets_dtls12() {
    // A real DTLS 1.2 server (max_version 1.2) writes no sentinel: the
    // client that offered 1.3 continues in 1.2.
    let (a, b) = (identity(), identity());
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(6);
    let mut client = DtlsEndpoint::new(Role::Client, expecting(&a, &b), &mut rng).unwrap();
    let mut s = expecting(&b, &a);
    s.max_version = crate::DtlsVersion::Dtls12;
    let mut server = DtlsEndpoint::new(Role::Server, s, &mut rng).unwrap();
    let now = Instant::now();
    client.start(now);
    for _ in 0..6 {
        let (d, _) = drain(&mut client);
        d.iter().for_each(|d| server.handle_receive(now, d));
        let (d, _) = drain(&mut server);
        d.iter().for_each(|d| client.handle_receive(now, d));
    }
    assert!(client.is_connected() && server.is_connected());
    assert_eq!(client.version(), Some(crate::DtlsVersion::Dtls12));
    assert_eq!(
        client.connection().unwrap().version,
        crate::DtlsVersion::Dtls12
    );
}
