//! A ClientHello shaped like Chromium's DTLS 1.3 offer (supported_versions
//! listing DTLS 1.3 and 1.2, key_share, psk_key_exchange_modes, the 1.3
//! signature schemes) gets a correct DTLS 1.2 handshake from our server
//! configured for DTLS 1.2 only (`max_version`).

use std::sync::Arc;
use std::time::Instant;

use rand_chacha::rand_core::SeedableRng;
use sansrtc_proto::Output;

use crate::endpoint_test_support::identity;

use crate::endpoint::State;
use crate::messages::ServerHello;
use crate::record::split_records;
use crate::{DtlsConfig, DtlsEndpoint, DtlsError, DtlsEvent, HashAlgorithm, Identity, Role};

/// A config for `me` that expects `peer`'s certificate.
fn expecting(me: &Arc<Identity>, peer: &Identity) -> DtlsConfig {
    let mut c = DtlsConfig::new(me.clone());
    c.expected_fingerprints = vec![peer.fingerprint(HashAlgorithm::Sha256).unwrap()];
    c.max_version = crate::DtlsVersion::Dtls12;
    c
}

/// Starts `client` with a DTLS 1.3-style hello instead of its own.
fn start_with_dtls13_offer(client: &mut DtlsEndpoint, now: Instant, versions: Vec<u16>) {
    client.state = State::Handshaking;
    client.client_start(now).unwrap();
    let mut ch = client.hs.client_hello.clone().unwrap();
    ch.extensions.supported_versions = Some(versions);
    // key_share: X25519MLKEM768 (1216 bytes, as current Chromium sends)
    // and x25519; the hello no longer fits one 1200-byte datagram.
    let mut shares = vec![0x11, 0xec, 0x04, 0xc0];
    shares.extend_from_slice(&[7u8; 1216]);
    shares.extend_from_slice(&[0, 29, 0, 32]);
    shares.extend_from_slice(&[9u8; 32]);
    let mut key_share = (shares.len() as u16).to_be_bytes().to_vec();
    key_share.extend_from_slice(&shares);
    // TLS 1.3 suites first, then the 1.2 ones.
    let mut suites = vec![0x1301, 0x1302, 0x1303];
    suites.extend_from_slice(&ch.cipher_suites);
    ch.cipher_suites = suites;
    ch.extensions.raw = vec![
        (51, key_share),                     // key_share: x25519
        (45, vec![1, 1]),                    // psk_key_exchange_modes: psk_dhe_ke
        (0x4469, vec![0, 3, 2, b'h', b'2']), // an unknown (GREASE-like) extension
    ];
    let mut schemes = ch.extensions.signature_algorithms.clone().unwrap();
    schemes.extend([0x0805, 0x0806, 0x0503]);
    ch.extensions.signature_algorithms = Some(schemes);
    client.out.clear();
    client.hs.next_send_seq = 0;
    client.send_client_hello(now, ch).unwrap();
}

fn pump(from: &mut DtlsEndpoint, to: &mut DtlsEndpoint, now: Instant, seen: &mut Vec<Vec<u8>>) {
    loop {
        match from.poll_output() {
            Output::Transmit(d) => {
                seen.push(d.clone());
                to.handle_receive(now, &d);
            }
            Output::Event(_) => {}
            Output::Timeout(_) => return,
        }
    }
}

#[test]
fn a_dtls13_offering_client_hello_gets_a_dtls12_handshake() {
    let (a, b) = (identity(), identity());
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let mut client = DtlsEndpoint::new(Role::Client, expecting(&a, &b), &mut rng).unwrap();
    let mut server = DtlsEndpoint::new(Role::Server, expecting(&b, &a), &mut rng).unwrap();
    let now = Instant::now();
    start_with_dtls13_offer(&mut client, now, vec![0xfefc, 0xfefd]);
    let mut from_server = Vec::new();
    let mut from_client = Vec::new();
    pump(&mut client, &mut server, now, &mut from_client);
    // The first ClientHello (over 1300 bytes) went as two fragments in
    // two datagrams, and the stateless server reassembled it.
    assert_eq!(from_client.len(), 2);
    assert!(from_client.iter().all(|d| d.len() <= 1200));
    assert_eq!(server.stats().hello_verify_requests, 1);
    for _ in 0..5 {
        pump(&mut client, &mut server, now, &mut from_client);
        pump(&mut server, &mut client, now, &mut from_server);
    }
    assert!(server.is_connected(), "{:?}", server.poll_output());
    assert!(client.is_connected(), "{:?}", client.poll_output());
    // The ServerHello (first record of the second server datagram, after
    // the HelloVerifyRequest) says DTLS 1.2 and carries no
    // supported_versions (that would mean 1.3).
    let (records, _) = split_records(&from_server[1]);
    let hs = &records[0].1;
    assert_eq!(hs[0], 2, "ServerHello");
    let sh = ServerHello::parse(&hs[12..]).unwrap();
    assert_eq!(sh.version, 0xfefd);
    assert!(sh.extensions.supported_versions.is_none());
    assert!(sh.extensions.unknown.is_empty());
    // Not the DTLS 1.3 downgrade sentinel either: we are a 1.2 server.
    assert_ne!(&sh.random[24..], b"DOWNGRD\x01");
}

#[test]
fn a_client_hello_offering_only_dtls13_is_refused() {
    let (a, b) = (identity(), identity());
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2);
    let mut client = DtlsEndpoint::new(Role::Client, expecting(&a, &b), &mut rng).unwrap();
    let mut server = DtlsEndpoint::new(Role::Server, expecting(&b, &a), &mut rng).unwrap();
    let now = Instant::now();
    start_with_dtls13_offer(&mut client, now, vec![0xfefc]);
    let mut seen = Vec::new();
    pump(&mut client, &mut server, now, &mut seen);
    let mut failed = None;
    loop {
        match server.poll_output() {
            Output::Event(DtlsEvent::Failed(e)) => failed = Some(e),
            Output::Timeout(_) => break,
            _ => {}
        }
    }
    assert_eq!(failed, Some(DtlsError::ProtocolVersion));
}
