//! Chromium 156's real first ClientHello (`tests/data/chromium156-client-hello/`,
//! a DTLS 1.3 offer fragmented 1175 + 238 bytes) through the 1.3 server:
//! reassembled in either order, its X25519MLKEM768 share passes the
//! FIPS 203 key check, and the server answers with a DTLS 1.3 ServerHello
//! choosing X25519MLKEM768 and TLS_AES_128_GCM_SHA256, then its epoch-2
//! flight. (The handshake cannot go on without Chromium's private keys.)

use std::sync::Arc;
use std::time::Instant;

use rand_chacha::rand_core::SeedableRng;
use sansrtc_proto::Output;

use super::client_hello::ClientHello13;
use super::connection::Dtls13Connection;
use super::connection_config::Dtls13Config;
use super::connection_test_support::ecdsa_identity;
use super::hybrid_kem::encapsulation_key_is_valid;
use super::key_share::KeyShareGroup;
use super::record_header::{split_datagram, Record, CONTENT_TYPE_HANDSHAKE};
use super::server_hello::{self, ParsedServerHello, ServerKeyShare};
use super::test_support::hex;
use crate::config::DtlsConfig;
use crate::handshake::parse_fragments;
use crate::reassembly::Reassembler;

/// ML-KEM-768's encapsulation key length.
const MLKEM768_EK_LEN: usize = 1184;
/// ML-KEM-768's ciphertext length.
const MLKEM768_CT_LEN: usize = 1088;

fn chromium_datagrams() -> [Vec<u8>; 2] {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/chromium156-client-hello/"
    );
    let read = |name: &str| hex(std::fs::read_to_string(format!("{dir}{name}")).unwrap());
    [read("datagram-1.hex"), read("datagram-2.hex")]
}

#[test]
fn the_real_client_hello_reassembles_and_its_hybrid_share_is_valid() {
    let mut reassembler = Reassembler::default();
    let datagrams = chromium_datagrams();
    for d in datagrams.iter().rev() {
        let (records, error) = split_datagram(d);
        assert_eq!(error, None);
        for record in records {
            let Record::Plaintext(p) = record else {
                panic!("protected record in a first ClientHello")
            };
            assert_eq!(p.content_type, CONTENT_TYPE_HANDSHAKE);
            for f in parse_fragments(p.fragment).unwrap() {
                reassembler.insert(&f, 0, 1 << 15, 1 << 16).unwrap();
            }
        }
    }
    let message = reassembler.take(0).unwrap();
    assert_eq!((message.msg_type, message.body.len()), (1, 1413));
    let hello = ClientHello13::parse(&message.body).unwrap();
    assert!(hello.offers_dtls13());
    let shares = hello.key_shares.unwrap();
    let hybrid = shares
        .iter()
        .find(|e| e.group == KeyShareGroup::X25519MlKem768.code())
        .unwrap();
    assert_eq!(hybrid.key_exchange.len(), MLKEM768_EK_LEN + 32);
    assert!(encapsulation_key_is_valid(
        &hybrid.key_exchange[..MLKEM768_EK_LEN]
    ));
    // The check can fail: a coefficient of q in the first slot.
    let mut bad = hybrid.key_exchange[..MLKEM768_EK_LEN].to_vec();
    bad[0] = 0x01;
    bad[1] = (bad[1] & 0xf0) | 0x0d;
    assert!(!encapsulation_key_is_valid(&bad));
}

#[test]
fn the_server_answers_the_real_client_hello_with_a_hybrid_server_hello() {
    for reversed in [false, true] {
        let config = DtlsConfig::new(ecdsa_identity()).dangerously_accept_any_peer_certificate();
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(156);
        let now = Instant::now();
        let mut server =
            Dtls13Connection::server(Dtls13Config::new(Arc::new(config)), &mut rng, now);
        let mut datagrams = chromium_datagrams().to_vec();
        if reversed {
            datagrams.reverse();
        }
        for d in &datagrams {
            server.handle_receive(now, d);
        }
        let mut sent = Vec::new();
        while let Output::Transmit(d) = server.poll_output() {
            sent.push(d);
        }
        assert!(!sent.is_empty(), "no answer");
        let (records, error) = split_datagram(&sent[0]);
        assert_eq!(error, None);
        let Record::Plaintext(first) = records[0] else {
            panic!("ServerHello not in epoch 0")
        };
        let fragment = parse_fragments(first.fragment).unwrap()[0];
        assert_eq!((fragment.msg_type, fragment.message_seq), (2, 0));
        assert_eq!(
            fragment.length as usize,
            fragment.body.len(),
            "one fragment"
        );
        let ParsedServerHello::Dtls13(hello) = server_hello::parse(fragment.body).unwrap() else {
            panic!("not a DTLS 1.3 ServerHello")
        };
        assert!(!hello.is_hello_retry_request());
        assert_eq!(hello.cipher_suite, 0x1301);
        let Some(ServerKeyShare::Share(share)) = hello.key_share else {
            panic!("no key share")
        };
        assert_eq!(share.group, 0x11ec);
        assert_eq!(share.key_exchange.len(), MLKEM768_CT_LEN + 32);
        // The rest of the flight is protected (epoch 2).
        let protected = sent
            .iter()
            .flat_map(|d| split_datagram(d).0)
            .filter(|r| matches!(r, Record::Ciphertext(c) if c.header.epoch_low_bits == 2))
            .count();
        assert!(
            protected >= 5,
            "EE, CR, Certificate, CertificateVerify, Finished"
        );
    }
}
