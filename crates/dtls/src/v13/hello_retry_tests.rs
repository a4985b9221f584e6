//! HelloRetryRequest with the stateless cookie through the connection:
//! the server asks for X25519MLKEM768 when the client sent only an X25519
//! share; retries under loss; a cookie the server never sent; no group
//! in common at all.

use std::time::{Duration, Instant};

use rand_chacha::rand_core::SeedableRng;
use sansrtc_proto::Output;

use super::client_hello::ClientHello13;
use super::connection::Dtls13Connection;
use super::connection_event::Dtls13Event;
use super::connection_test_support::{config_pair, ecdsa_identity, shared_mut, Impairment, Pair};
use super::key_share::KeyShareGroup;
use super::record_header::{split_datagram, PlaintextRecord, Record, CONTENT_TYPE_HANDSHAKE};
use super::supported_versions::{DTLS_1_2, DTLS_1_3};
use crate::handshake::{encode_fragment, parse_fragments};
use crate::DtlsError;

/// The client sends an X25519 share only; the server accepts only the
/// hybrid group.
fn retry_pair(seed: u64, impairment: Impairment) -> Pair {
    let (mut client, mut server) = config_pair(ecdsa_identity(), ecdsa_identity());
    client.client_key_shares = vec![KeyShareGroup::X25519];
    server.groups = vec![KeyShareGroup::X25519MlKem768];
    for c in [&mut client, &mut server] {
        shared_mut(c).initial_retransmit_timeout = Duration::from_millis(100);
        shared_mut(c).max_retransmissions = 20;
    }
    Pair::new(client, server, seed, impairment)
}

/// The message_seq of every ClientHello fragment the client sent.
fn client_hello_seqs(pair: &Pair) -> Vec<u16> {
    let mut seqs = Vec::new();
    for d in &pair.client_log.datagrams {
        for record in split_datagram(d).0 {
            if let Record::Plaintext(p) = record {
                for f in parse_fragments(p.fragment).unwrap() {
                    if f.msg_type == 1 && !seqs.contains(&f.message_seq) {
                        seqs.push(f.message_seq);
                    }
                }
            }
        }
    }
    seqs
}

#[test]
fn the_server_asks_for_the_hybrid_group_and_the_handshake_completes() {
    let mut pair = retry_pair(30, Impairment::default());
    pair.run(Duration::from_secs(60));
    let (c, s) = (pair.client_log.connected(), pair.server_log.connected());
    assert!(
        c.is_some() && s.is_some(),
        "{:?} {:?}",
        pair.client_log.events,
        pair.server_log.events
    );
    assert_eq!(c.unwrap().group, KeyShareGroup::X25519MlKem768);
    assert_eq!(
        client_hello_seqs(&pair),
        [0, 1],
        "ClientHello1 and ClientHello2"
    );
    let (ck, sk) = pair.srtp_keying_material();
    assert_eq!(ck, sk);
}

#[test]
fn the_retry_survives_loss_reordering_and_duplication() {
    for seed in 0..20 {
        let mut pair = retry_pair(
            seed,
            Impairment {
                loss_percent: 20,
                reorder_percent: 10,
                duplicate_percent: 10,
            },
        );
        pair.run(Duration::from_secs(120));
        assert!(
            pair.client_log.connected().is_some() && pair.server_log.connected().is_some(),
            "seed {seed}: {:?} {:?}",
            pair.client_log.events,
            pair.server_log.events
        );
        let (ck, sk) = pair.srtp_keying_material();
        assert_eq!(ck, sk, "seed {seed}");
    }
}

#[test]
fn no_group_in_common_fails_with_handshake_failure() {
    let (mut client, mut server) = config_pair(ecdsa_identity(), ecdsa_identity());
    client.client_key_shares = vec![KeyShareGroup::X25519];
    client.groups = vec![KeyShareGroup::X25519];
    server.groups = vec![KeyShareGroup::X25519MlKem768];
    let mut pair = Pair::new(client, server, 31, Impairment::default());
    pair.run(Duration::from_secs(60));
    assert_eq!(pair.server_log.failure(), Some(&DtlsError::NoCommonGroup));
    assert_eq!(pair.client_log.failure(), Some(&DtlsError::PeerAlert(40)));
}

/// The server's failure for one ClientHello (X25519 share, `change`d).
fn server_failure_for(change: impl FnOnce(&mut ClientHello13)) -> Option<DtlsError> {
    let (_, server) = config_pair(ecdsa_identity(), ecdsa_identity());
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(32);
    let now = Instant::now();
    let mut server = Dtls13Connection::server(server, &mut rng, now);
    let mut hello = ClientHello13 {
        legacy_version: DTLS_1_2,
        cipher_suites: vec![0x1301],
        supported_versions: Some(vec![DTLS_1_3]),
        supported_groups: Some(vec![29]),
        key_shares: Some(vec![super::key_share_extension::KeyShareEntry {
            group: 29,
            key_exchange: vec![9; 32],
        }]),
        signature_algorithms: Some(vec![0x0403]),
        ..ClientHello13::default()
    };
    change(&mut hello);
    let hello = hello.encode().unwrap();
    let mut fragment = Vec::new();
    encode_fragment(&mut fragment, 1, hello.len(), 0, 0, &hello);
    let mut datagram = Vec::new();
    PlaintextRecord::encode(CONTENT_TYPE_HANDSHAKE, 0, &fragment, &mut datagram).unwrap();
    server.handle_receive(now, &datagram);
    let mut failed = None;
    while let Output::Transmit(_) | Output::Event(_) = {
        let o = server.poll_output();
        if let Output::Event(Dtls13Event::Failed(e)) = &o {
            failed = Some(e.clone());
        }
        o
    } {}
    failed
}

#[test]
fn a_cookie_the_server_never_sent_fails() {
    assert_eq!(
        server_failure_for(|_| {}),
        None,
        "the unchanged hello is fine"
    );
    assert_eq!(
        server_failure_for(|h| h.cookie = Some(vec![7; 60])),
        Some(DtlsError::IllegalParameter("cookie we did not send"))
    );
    assert_eq!(
        server_failure_for(|h| h.legacy_cookie = vec![1; 20]),
        Some(DtlsError::IllegalParameter(
            "legacy_cookie in a DTLS 1.3 ClientHello"
        ))
    );
}
