//! Chromium 156's real first ClientHello (a DTLS 1.3 offer with an
//! X25519MLKEM768 key share, fragmented over two datagrams; captured on the
//! wire, see `tests/data/chromium156-client-hello/README.md`) gets a DTLS
//! 1.3 ServerHello with an X25519MLKEM768 key share from our server, or a
//! DTLS 1.2 one from a server configured for 1.2 only, in either datagram
//! order; a missing or cut fragment gets no answer and no panic.

mod common;

use std::time::Instant;

use rand_chacha::rand_core::SeedableRng;
use sansrtc_dtls::{DtlsConfig, DtlsEndpoint, DtlsVersion, Output, Role};

fn datagram(n: u8) -> Vec<u8> {
    let path = format!(
        "{}/tests/data/chromium156-client-hello/datagram-{n}.hex",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    hex::decode(text.trim()).unwrap()
}

fn server() -> DtlsEndpoint {
    server_up_to(DtlsVersion::Dtls13)
}

fn server_up_to(max_version: DtlsVersion) -> DtlsEndpoint {
    let mut config = DtlsConfig::new(common::ecdsa_identity());
    config.max_version = max_version;
    // Any fingerprint: the handshake never gets as far as the certificate.
    config.expected_fingerprints = vec![common::ecdsa_identity()
        .fingerprint(sansrtc_dtls::HashAlgorithm::Sha256)
        .unwrap()];
    // As the peer connection runs it: ICE has already checked the path.
    config.hello_verify_request = false;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    DtlsEndpoint::new(Role::Server, config, &mut rng).unwrap()
}

fn transmits(ep: &mut DtlsEndpoint) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let Output::Transmit(d) = ep.poll_output() {
        out.push(d);
    }
    out
}

/// The ServerHello body of the first record of `flight`'s first datagram.
fn server_hello(flight: &[Vec<u8>]) -> Vec<u8> {
    let d = &flight[0];
    assert_eq!(d[0], 22, "a handshake record");
    let len = usize::from(u16::from_be_bytes([d[11], d[12]]));
    let hs = &d[13..13 + len];
    assert_eq!(hs[0], 2, "ServerHello");
    hs[12..].to_vec()
}

/// (type, body) of each extension of a ServerHello body.
fn extensions(sh: &[u8]) -> Vec<(u16, Vec<u8>)> {
    let sid = usize::from(sh[34]);
    let mut at = 35 + sid + 3;
    let end = at + 2 + usize::from(u16::from_be_bytes([sh[at], sh[at + 1]]));
    at += 2;
    let mut out = Vec::new();
    while at < end {
        let kind = u16::from_be_bytes([sh[at], sh[at + 1]]);
        let len = usize::from(u16::from_be_bytes([sh[at + 2], sh[at + 3]]));
        out.push((kind, sh[at + 4..at + 4 + len].to_vec()));
        at += 4 + len;
    }
    out
}

#[test]
fn the_captured_hello_is_two_fragments_of_one_dtls13_offer() {
    let (a, b) = (datagram(1), datagram(2));
    assert_eq!((a.len(), b.len()), (1200, 263));
    // Record version DTLS 1.0, handshake type ClientHello, 1413 bytes.
    for d in [&a, &b] {
        assert_eq!(&d[..3], &[22, 0xfe, 0xff]);
        assert_eq!(d[13], 1);
        assert_eq!(&d[14..17], &[0, 0x05, 0x85]);
    }
}

#[test]
fn chromiums_dtls13_offer_gets_a_dtls13_server_hello_with_the_hybrid_share() {
    for order in [[1, 2], [2, 1]] {
        let mut server = server();
        let now = Instant::now();
        server.handle_receive(now, &datagram(order[0]));
        assert!(transmits(&mut server).is_empty(), "half a hello: no answer");
        assert_eq!(server.version(), None, "undecided");
        server.handle_receive(now, &datagram(order[1]));
        assert_eq!(server.version(), Some(DtlsVersion::Dtls13));
        let flight = transmits(&mut server);
        assert!(!flight.is_empty(), "order {order:?}: no answer");
        let sh = server_hello(&flight);
        // legacy_version stays DTLS 1.2 (RFC 9147 §5.3).
        assert_eq!(&sh[..2], &[0xfe, 0xfd]);
        let sid = usize::from(sh[34]);
        let suite = u16::from_be_bytes([sh[35 + sid], sh[36 + sid]]);
        assert_eq!(suite, 0x1301, "TLS_AES_128_GCM_SHA256");
        let ext = extensions(&sh);
        let version = &ext
            .iter()
            .find(|e| e.0 == 43)
            .expect("supported_versions")
            .1;
        assert_eq!(version, &[0xfe, 0xfc], "DTLS 1.3");
        let share = &ext.iter().find(|e| e.0 == 51).expect("key_share").1;
        assert_eq!(&share[..2], &[0x11, 0xec], "X25519MLKEM768");
        // ML-KEM-768 ciphertext (1088) and an X25519 share (32).
        assert_eq!(u16::from_be_bytes([share[2], share[3]]), 1088 + 32);
        assert!(!ext.iter().any(|e| e.0 == 14), "use_srtp goes encrypted");
    }
}

#[test]
fn chromiums_dtls13_offer_gets_a_dtls12_server_hello_from_a_dtls12_server() {
    for order in [[1, 2], [2, 1]] {
        let mut server = server_up_to(DtlsVersion::Dtls12);
        let now = Instant::now();
        server.handle_receive(now, &datagram(order[0]));
        assert!(transmits(&mut server).is_empty(), "half a hello: no answer");
        server.handle_receive(now, &datagram(order[1]));
        let flight = transmits(&mut server);
        assert!(!flight.is_empty(), "order {order:?}: no answer");
        let sh = server_hello(&flight);
        assert_eq!(&sh[..2], &[0xfe, 0xfd], "DTLS 1.2");
        let sid = usize::from(sh[34]);
        let suite = u16::from_be_bytes([sh[35 + sid], sh[36 + sid]]);
        assert_eq!(suite, 0xc02b, "ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        let ext = extensions(&sh);
        let kinds: Vec<u16> = ext.iter().map(|e| e.0).collect();
        assert!(kinds.contains(&23), "extended_master_secret: {kinds:?}");
        assert!(!kinds.contains(&43), "no supported_versions in 1.2");
        assert!(!kinds.contains(&51), "no key_share in 1.2");
        let srtp = &ext.iter().find(|e| e.0 == 14).expect("use_srtp").1;
        // One profile, one Chromium offered, and no MKI.
        assert_eq!(srtp.len(), 5);
        let profile = u16::from_be_bytes([srtp[2], srtp[3]]);
        assert!(
            [0x0001, 0x0007, 0x0008].contains(&profile),
            "{profile:#06x}"
        );
    }
}

#[test]
fn a_cut_or_repeated_fragment_gets_no_answer_and_no_panic() {
    let (a, b) = (datagram(1), datagram(2));
    for cut in [1, 13, 25, 100, 1199] {
        let mut server = server();
        let now = Instant::now();
        server.handle_receive(now, &a[..cut]);
        server.handle_receive(now, &b);
        assert!(transmits(&mut server).is_empty(), "cut at {cut}");
    }
    let mut server = server();
    let now = Instant::now();
    for _ in 0..3 {
        server.handle_receive(now, &b);
    }
    assert!(transmits(&mut server).is_empty());
    server.handle_receive(now, &a);
    assert!(!transmits(&mut server).is_empty(), "the hello completes");
}
