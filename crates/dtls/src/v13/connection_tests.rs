//! The DTLS 1.3 handshake machine end to end in memory: every group and
//! suite, certificates both ways, DTLS-SRTP keys, application data; loss,
//! reordering and duplication; a wrong fingerprint; hostile input.

use std::time::Duration;

use rand_chacha::rand_core::{RngCore, SeedableRng};

use super::cipher_suite::Tls13CipherSuite;
use super::connection_event::Dtls13Event;
use super::connection_test_support::{
    config_pair, ecdsa_identity, rsa_identity, shared_mut, Impairment, Pair,
};
use super::key_share::KeyShareGroup;
use crate::{DtlsError, SrtpProfile};

const LIMIT: Duration = Duration::from_secs(120);

fn application_data(log: &super::connection_test_support::SideLog) -> Vec<Vec<u8>> {
    log.events
        .iter()
        .filter_map(|e| match e {
            Dtls13Event::ApplicationData(d) => Some(d.clone()),
            _ => None,
        })
        .collect()
}

/// Connects, checks both sides agree, exchanges a record each way.
fn assert_connects(pair: &mut Pair) {
    pair.run(LIMIT);
    let (c, s) = (pair.client_log.connected(), pair.server_log.connected());
    assert!(
        c.is_some() && s.is_some(),
        "client {:?} server {:?}",
        pair.client_log.events,
        pair.server_log.events
    );
    let (c, s) = (c.unwrap().clone(), s.unwrap().clone());
    assert_eq!(
        (c.cipher_suite, c.group, c.srtp_profile),
        (s.cipher_suite, s.group, s.srtp_profile)
    );
    let (ck, sk) = pair.srtp_keying_material();
    assert_eq!(ck, sk);
    pair.client.send_application_data(b"ping").unwrap();
    pair.server.send_application_data(b"pong").unwrap();
    pair.run(LIMIT);
    if pair.client_log.failure().is_none() {
        assert_eq!(application_data(&pair.server_log), [b"ping".to_vec()]);
        assert_eq!(application_data(&pair.client_log), [b"pong".to_vec()]);
    }
}

#[test]
fn connects_with_every_group_and_suite() {
    for group in KeyShareGroup::ALL {
        for suite in Tls13CipherSuite::ALL {
            let (mut client, mut server) = config_pair(ecdsa_identity(), ecdsa_identity());
            client.client_key_shares = vec![group];
            client.groups = vec![group];
            client.cipher_suites = vec![suite];
            server.cipher_suites = Tls13CipherSuite::ALL.to_vec();
            let mut pair = Pair::new(client, server, 1, Impairment::default());
            assert_connects(&mut pair);
            let connected = pair.client_log.connected().unwrap();
            assert_eq!((connected.group, connected.cipher_suite), (group, suite));
            assert_eq!(connected.srtp_profile, Some(SrtpProfile::AeadAes128Gcm));
        }
    }
}

#[test]
fn the_default_offer_gets_the_hybrid_group_in_fragmented_datagrams() {
    let (client, server) = config_pair(ecdsa_identity(), ecdsa_identity());
    let mtu = client.shared.mtu;
    let mut pair = Pair::new(client, server, 2, Impairment::default());
    assert_connects(&mut pair);
    let connected = pair.server_log.connected().unwrap();
    assert_eq!(connected.group, KeyShareGroup::X25519MlKem768);
    // The ClientHello alone took two datagrams, none over the MTU.
    assert!(pair.client_log.datagrams[0].len() > 1000);
    for d in pair
        .client_log
        .datagrams
        .iter()
        .chain(&pair.server_log.datagrams)
    {
        assert!(d.len() <= mtu, "{} > {mtu}", d.len());
    }
    assert!(
        pair.client_log.datagrams.len() >= 3,
        "ClientHello in two, final flight"
    );
}

#[test]
fn connects_with_rsa_certificates_and_a_small_mtu() {
    let (mut client, mut server) = config_pair(rsa_identity(), ecdsa_identity());
    shared_mut(&mut client).mtu = 300;
    shared_mut(&mut server).mtu = 300;
    let mut pair = Pair::new(client, server, 3, Impairment::default());
    assert_connects(&mut pair);
    assert!(pair.server_log.datagrams.iter().all(|d| d.len() <= 300));
}

#[test]
fn connects_under_loss_reordering_and_duplication() {
    let mut seeds_with_retransmissions = 0;
    for seed in 0..40 {
        let (mut client, mut server) = config_pair(ecdsa_identity(), ecdsa_identity());
        for c in [&mut client, &mut server] {
            shared_mut(c).initial_retransmit_timeout = Duration::from_millis(100);
            shared_mut(c).max_retransmissions = 20;
        }
        let impairment = Impairment {
            loss_percent: 20,
            reorder_percent: 10,
            duplicate_percent: 10,
        };
        let mut pair = Pair::new(client, server, seed, impairment);
        pair.run(LIMIT);
        assert!(
            pair.client_log.connected().is_some() && pair.server_log.connected().is_some(),
            "seed {seed}: client {:?} server {:?}",
            pair.client_log.events,
            pair.server_log.events
        );
        let (ck, sk) = pair.srtp_keying_material();
        assert_eq!(ck, sk, "seed {seed}");
        // Without loss: two datagrams of ClientHello and one final flight.
        if pair.client_log.datagrams.len() > 3 {
            seeds_with_retransmissions += 1;
        }
    }
    assert!(
        seeds_with_retransmissions >= 10,
        "{seeds_with_retransmissions}"
    );
}

#[test]
fn the_final_flight_is_retransmitted_until_acknowledged() {
    let (client, server) = config_pair(ecdsa_identity(), ecdsa_identity());
    let mut pair = Pair::new(client, server, 4, Impairment::default());
    pair.run(LIMIT);
    assert!(pair.client_log.connected().is_some());
    // With no loss the client sent ClientHello (2 datagrams) and its final
    // flight once, and its timer is off after the server's ACK.
    assert_eq!(pair.client_log.datagrams.len(), 3);
    assert!(matches!(
        pair.client.poll_output(),
        sansrtc_proto::Output::Timeout(None)
    ));

    // Now lose the server's first ACK (its first epoch-3 record).
    let (client, server) = config_pair(ecdsa_identity(), ecdsa_identity());
    let mut pair = Pair::new(client, server, 4, Impairment::default());
    let mut acks_dropped = 0;
    pair.drop_filter = Some(Box::new(move |to_server, d: &[u8]| {
        let epoch_3_record = d[0] & 0xe3 == 0x23;
        let drop = !to_server && epoch_3_record && acks_dropped == 0;
        acks_dropped += usize::from(drop);
        drop
    }));
    pair.run(LIMIT);
    assert!(pair.server_log.connected().is_some());
    assert!(
        pair.client_log.connected().is_some(),
        "after the second ACK"
    );
    // The final flight went twice; the server ACKed twice.
    assert_eq!(pair.client_log.datagrams.len(), 4);
    let server_epoch_3 = pair
        .server_log
        .datagrams
        .iter()
        .filter(|d| d[0] & 0xe3 == 0x23)
        .count();
    assert_eq!(server_epoch_3, 2);
}

#[test]
fn a_wrong_fingerprint_fails_and_never_connects() {
    for wrong_side_is_client in [true, false] {
        let (mut client, mut server) = config_pair(ecdsa_identity(), ecdsa_identity());
        let stranger = ecdsa_identity()
            .fingerprint(crate::HashAlgorithm::Sha256)
            .unwrap();
        if wrong_side_is_client {
            shared_mut(&mut client).expected_fingerprints = vec![stranger];
        } else {
            shared_mut(&mut server).expected_fingerprints = vec![stranger];
        }
        let mut pair = Pair::new(client, server, 5, Impairment::default());
        pair.run(LIMIT);
        let (checker, other) = if wrong_side_is_client {
            (&pair.client_log, &pair.server_log)
        } else {
            (&pair.server_log, &pair.client_log)
        };
        assert_eq!(checker.failure(), Some(&DtlsError::FingerprintMismatch));
        assert_eq!(other.failure(), Some(&DtlsError::PeerAlert(42)));
        assert!(pair.client_log.connected().is_none());
        assert!(pair.server_log.connected().is_none());
        assert!(!pair.client.is_connected() && !pair.server.is_connected());
    }
}

#[test]
fn hostile_datagrams_never_panic_and_the_handshake_survives() {
    let (client, server) = config_pair(ecdsa_identity(), ecdsa_identity());
    let mut pair = Pair::new(client, server, 6, Impairment::default());
    // A finished handshake elsewhere gives real records of other keys
    // and epochs.
    let (oc, os) = config_pair(ecdsa_identity(), ecdsa_identity());
    let mut other = Pair::new(oc, os, 7, Impairment::default());
    assert_connects(&mut other);
    let foreign: Vec<Vec<u8>> = other
        .client_log
        .datagrams
        .iter()
        .chain(&other.server_log.datagrams)
        .cloned()
        .collect();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(8);
    for round in 0..40 {
        pair.run(Duration::from_millis(5));
        let now = pair.now;
        for d in &foreign {
            // Truncations, foreign records (wrong keys, epochs 0, 2, 3),
            // garbage, and a replay of our own traffic.
            for cut in [1, 3, 13, 20, d.len() / 2] {
                pair.client.handle_receive(now, &d[..cut.min(d.len())]);
                pair.server.handle_receive(now, &d[..cut.min(d.len())]);
            }
            // Whole foreign epoch-0 messages are left out: unauthenticated
            // hellos of another handshake are indistinguishable from the
            // peer's (as in DTLS 1.2), only protected records are checked.
            if round > 0 && d[0] != 22 {
                pair.client.handle_receive(now, d);
                pair.server.handle_receive(now, d);
            }
        }
        let mut garbage = vec![0; (rng.next_u32() % 200) as usize];
        rng.fill_bytes(&mut garbage);
        pair.client.handle_receive(now, &garbage);
        pair.server.handle_receive(now, &garbage);
        for d in pair.server_log.datagrams.clone() {
            pair.client.handle_receive(now, &d);
        }
    }
    assert_connects(&mut pair);
    assert!(pair.client_log.failure().is_none() && pair.server_log.failure().is_none());
}

#[test]
fn replayed_application_data_is_delivered_once() {
    let (client, server) = config_pair(ecdsa_identity(), ecdsa_identity());
    let mut pair = Pair::new(client, server, 9, Impairment::default());
    assert_connects(&mut pair);
    let record = pair.client_log.datagrams.last().unwrap().clone();
    pair.server.handle_receive(pair.now, &record);
    pair.run(LIMIT);
    assert_eq!(application_data(&pair.server_log), [b"ping".to_vec()]);
}

#[test]
fn a_silent_server_times_the_client_out() {
    let (mut client, server) = config_pair(ecdsa_identity(), ecdsa_identity());
    shared_mut(&mut client).max_retransmissions = 3;
    let mut pair = Pair::new(
        client,
        server,
        10,
        Impairment {
            loss_percent: 100,
            ..Impairment::default()
        },
    );
    pair.run(LIMIT);
    assert_eq!(
        pair.client_log.failure(),
        Some(&DtlsError::HandshakeTimeout)
    );
    // 2 datagrams of ClientHello, sent 4 times.
    assert_eq!(pair.client_log.datagrams.len(), 8);
}

#[test]
fn the_same_seed_gives_the_same_datagrams() {
    let (client_id, server_id) = (ecdsa_identity(), ecdsa_identity());
    let run = |seed| {
        let (client, server) = config_pair(client_id.clone(), server_id.clone());
        let mut pair = Pair::new(client, server, seed, Impairment::default());
        assert_connects(&mut pair);
        (pair.client_log.datagrams, pair.server_log.datagrams)
    };
    assert_eq!(run(11), run(11));
    assert_ne!(run(11), run(12));
}

#[test]
fn a_partly_received_server_flight_is_acked_and_only_the_rest_resent() {
    let pair_with = |drop_third: bool| {
        let (mut client, mut server) = config_pair(ecdsa_identity(), ecdsa_identity());
        client.client_key_shares = vec![KeyShareGroup::X25519];
        for c in [&mut client, &mut server] {
            shared_mut(c).mtu = 300;
        }
        let mut pair = Pair::new(client, server, 13, Impairment::default());
        let mut from_server = 0;
        pair.drop_filter = Some(Box::new(move |to_server, _: &[u8]| {
            if to_server {
                return false;
            }
            from_server += 1;
            drop_third && from_server == 3
        }));
        pair.run(LIMIT);
        assert!(pair.client_log.connected().is_some() && pair.server_log.connected().is_some());
        pair
    };
    let clean = pair_with(false);
    let lossy = pair_with(true);
    let bytes = |p: &Pair| p.server_log.datagrams.iter().map(Vec::len).sum::<usize>();
    let flight_datagrams = clean.server_log.datagrams.len() - 1; // less the ACK
    assert!(flight_datagrams >= 3, "the flight spans several datagrams");
    // The client ACKed what it had (ServerHello and epoch-2 records) and
    // the server resent only the messages not fully ACKed (whole ones).
    let client_epoch_2_acks = lossy.client_log.datagrams.len() - clean.client_log.datagrams.len();
    assert!(client_epoch_2_acks >= 2, "ACK and ClientHello again");
    let resent = bytes(&lossy) - bytes(&clean);
    let flight: usize = clean.server_log.datagrams[..flight_datagrams]
        .iter()
        .map(Vec::len)
        .sum();
    assert!(
        resent > 0 && resent < flight,
        "resent {resent} of a {flight}-byte flight"
    );
    // The ServerHello (epoch 0) was ACKed, so not resent.
    let plaintext = |p: &Pair| p.server_log.datagrams.iter().filter(|d| d[0] == 22).count();
    assert_eq!((plaintext(&clean), plaintext(&lossy)), (1, 1));
}

#[test]
fn close_notify_closes_the_peer() {
    let (client, server) = config_pair(ecdsa_identity(), ecdsa_identity());
    let mut pair = Pair::new(client, server, 14, Impairment::default());
    assert_connects(&mut pair);
    pair.client.close();
    pair.run(LIMIT);
    assert_eq!(pair.server_log.events.last(), Some(&Dtls13Event::Closed));
    assert!(pair.client.send_application_data(b"late").is_err());
    assert!(pair.server.send_application_data(b"late").is_err());
}

#[test]
fn a_partly_received_client_flight_is_acked_and_only_the_rest_resent() {
    let pair_with = |drop_last: bool| {
        let (mut client, mut server) = config_pair(rsa_identity(), ecdsa_identity());
        client.client_key_shares = vec![KeyShareGroup::X25519];
        for c in [&mut client, &mut server] {
            shared_mut(c).mtu = 300;
        }
        let mut pair = Pair::new(client, server, 15, Impairment::default());
        let mut from_client = 0;
        pair.drop_filter = Some(Box::new(move |to_server, _: &[u8]| {
            if !to_server {
                return false;
            }
            from_client += 1;
            // ClientHello is one datagram with X25519; drop the final
            // flight's third.
            drop_last && from_client == 4
        }));
        pair.run(LIMIT);
        assert!(pair.client_log.connected().is_some() && pair.server_log.connected().is_some());
        pair
    };
    let clean = pair_with(false);
    let lossy = pair_with(true);
    let final_flight: usize = clean.client_log.datagrams[1..].iter().map(Vec::len).sum();
    assert!(
        clean.client_log.datagrams.len() >= 4,
        "the final flight spans several datagrams"
    );
    let bytes = |p: &Pair| p.client_log.datagrams.iter().map(Vec::len).sum::<usize>();
    let resent = bytes(&lossy) - bytes(&clean);
    assert!(
        resent > 0 && resent < final_flight,
        "resent {resent} of {final_flight}"
    );
    // The server sent an ACK in epoch 2 (before its epoch-3 one).
    assert!(lossy
        .server_log
        .datagrams
        .iter()
        .any(|d| d[0] & 0xe3 == 0x22 && d.len() < 200));
}

#[test]
fn forged_unprotected_messages_after_the_hello_are_ignored() {
    use crate::handshake::encode_fragment;
    use crate::v13::record_header::{PlaintextRecord, CONTENT_TYPE_HANDSHAKE};
    let (client, server) = config_pair(ecdsa_identity(), ecdsa_identity());
    let mut pair = Pair::new(client, server, 16, Impairment::default());
    // Before anything arrives, forged epoch-0 fragments of message_seq 1
    // to 5 (the server's encrypted messages) and 1 to 3 (the client's).
    let now = pair.now;
    for seq in 1..6u16 {
        let mut fragment = Vec::new();
        encode_fragment(&mut fragment, 8, 40, seq, 0, &[0; 20]);
        let mut datagram = Vec::new();
        PlaintextRecord::encode(
            CONTENT_TYPE_HANDSHAKE,
            90 + u64::from(seq),
            &fragment,
            &mut datagram,
        )
        .unwrap();
        pair.client.handle_receive(now, &datagram);
        pair.server.handle_receive(now, &datagram);
    }
    assert_connects(&mut pair);
    assert!(pair.client_log.failure().is_none() && pair.server_log.failure().is_none());
}
