//! Version negotiation between our client and server (RFC 9147 §5.3):
//! DTLS 1.3 when both allow it, 1.2 when either side stops at 1.2, a
//! refusal when the ranges do not meet; a HelloRetryRequest when the
//! client sent no share of a group the server accepts; key updates over
//! `DtlsEndpoint`.

mod common;

use std::time::Duration;

use common::*;
use sansrtc_dtls::{
    DtlsError, DtlsEvent, DtlsVersion, KeyShareGroup, Tls13CipherSuite, DTLS_SRTP_LABEL,
};

use DtlsVersion::{Dtls12, Dtls13};

#[test]
fn two_default_endpoints_negotiate_dtls13_with_the_hybrid_group() {
    let (c, s) = configs(ecdsa_identity(), ecdsa_identity());
    let mut p = Pair::new(c, s, 1);
    p.run(Duration::from_secs(10), &mut perfect);
    assert!(p.connected(), "{:?} {:?}", p.client_events, p.server_events);
    for ep in [&p.client, &p.server] {
        let info = ep.connection().unwrap();
        assert_eq!(info.version, Dtls13);
        assert_eq!(info.cipher_suite, Tls13CipherSuite::Aes128GcmSha256);
        assert_eq!(info.group, KeyShareGroup::X25519MlKem768);
        assert!(info.srtp_profile.is_some());
        assert_eq!(ep.version(), Some(Dtls13));
    }
    // The exporter agrees, and differs from a different label.
    let a = p
        .client
        .export_keying_material(DTLS_SRTP_LABEL, None, 60)
        .unwrap();
    assert_eq!(
        a,
        p.server
            .export_keying_material(DTLS_SRTP_LABEL, None, 60)
            .unwrap()
    );
    assert_ne!(
        a,
        p.server
            .export_keying_material("EXPORTER-other", None, 60)
            .unwrap()
    );
    assert_eq!(
        p.client.srtp_keying_material(),
        p.server.srtp_keying_material()
    );
    // Data both ways, then close_notify.
    p.client.send_application_data(b"ping").unwrap();
    p.server.send_application_data(b"pong").unwrap();
    p.exchange(&mut perfect);
    assert!(p
        .server_events
        .contains(&DtlsEvent::ApplicationData(b"ping".to_vec())));
    assert!(p
        .client_events
        .contains(&DtlsEvent::ApplicationData(b"pong".to_vec())));
    p.client.close();
    p.exchange(&mut perfect);
    assert!(p.server_events.contains(&DtlsEvent::Closed));
    assert!(p.client.is_closed() && p.server.is_closed());
    assert!(p.client.send_application_data(b"late").is_err());
}

#[test]
fn the_newest_version_both_allow_wins() {
    for (client_max, server_max, expected) in [
        (Dtls13, Dtls13, Dtls13),
        (Dtls13, Dtls12, Dtls12),
        (Dtls12, Dtls13, Dtls12),
        (Dtls12, Dtls12, Dtls12),
    ] {
        let (mut c, mut s) = configs(ecdsa_identity(), ecdsa_identity());
        (c.max_version, s.max_version) = (client_max, server_max);
        let mut p = Pair::new(c, s, 2);
        p.run(Duration::from_secs(10), &mut perfect);
        assert!(p.connected(), "{client_max:?}/{server_max:?}");
        for ep in [&p.client, &p.server] {
            assert_eq!(ep.connection().unwrap().version, expected);
        }
        p.client.send_application_data(b"x").unwrap();
        p.exchange(&mut perfect);
        assert!(p
            .server_events
            .contains(&DtlsEvent::ApplicationData(b"x".to_vec())));
    }
}

#[test]
fn ranges_that_do_not_meet_fail_with_protocol_version() {
    // A 1.3-only client (supported_versions lists 1.3 alone) and a
    // 1.2-only server: the server refuses the ClientHello.
    let (mut c, mut s) = configs(ecdsa_identity(), ecdsa_identity());
    c.min_version = Dtls13;
    s.max_version = Dtls12;
    let mut p = Pair::new(c, s, 3);
    p.run(Duration::from_secs(10), &mut perfect);
    assert_eq!(failure(&p.server_events), Some(&DtlsError::ProtocolVersion));
    assert_eq!(failure(&p.client_events), Some(&DtlsError::PeerAlert(70)));
    // A 1.2-only client and a 1.3-only server: the server refuses.
    let (mut c, mut s) = configs(ecdsa_identity(), ecdsa_identity());
    c.max_version = Dtls12;
    s.min_version = Dtls13;
    let mut p = Pair::new(c, s, 4);
    p.run(Duration::from_secs(10), &mut perfect);
    assert_eq!(failure(&p.server_events), Some(&DtlsError::ProtocolVersion));
    assert_eq!(failure(&p.client_events), Some(&DtlsError::PeerAlert(70)));
    // An empty range is a configuration error.
    let (mut c, _) = configs(ecdsa_identity(), ecdsa_identity());
    (c.min_version, c.max_version) = (Dtls13, Dtls12);
    let mut rng =
        <rand_chacha::ChaCha20Rng as rand_chacha::rand_core::SeedableRng>::seed_from_u64(1);
    assert_eq!(
        sansrtc_dtls::DtlsEndpoint::new(sansrtc_dtls::Role::Client, c, &mut rng).err(),
        Some(DtlsError::EmptyVersionRange)
    );
}

#[test]
fn a_server_without_the_offered_groups_asks_for_another_with_a_hello_retry_request() {
    let (c, mut s) = configs(ecdsa_identity(), ecdsa_identity());
    // The client sends X25519MLKEM768 and x25519 shares; the server only
    // takes secp256r1, which the client supports.
    s.dtls13_groups = vec![KeyShareGroup::Secp256r1];
    let mut p = Pair::new(c, s, 5);
    p.run(Duration::from_secs(10), &mut perfect);
    assert!(p.connected(), "{:?} {:?}", p.client_events, p.server_events);
    assert_eq!(
        p.client.connection().unwrap().group,
        KeyShareGroup::Secp256r1
    );
    // Two ClientHellos (each starting at fragment offset 0).
    let hellos = p
        .sent
        .iter()
        .filter(|(c, d)| *c && d[0] == 22 && d[13] == 1 && d[19..22] == [0; 3])
        .count();
    assert_eq!(hellos, 2);
}

#[test]
fn keys_update_over_the_endpoint_and_data_keeps_flowing() {
    let (c, s) = configs(ecdsa_identity(), ecdsa_identity());
    let mut p = Pair::new(c, s, 6);
    p.run(Duration::from_secs(10), &mut perfect);
    assert!(p.connected());
    for round in 0..3u8 {
        p.client.update_keys(round == 1).unwrap();
        p.exchange(&mut perfect);
        p.client.send_application_data(&[round]).unwrap();
        p.server.send_application_data(&[round, round]).unwrap();
        p.exchange(&mut perfect);
        assert!(p
            .server_events
            .contains(&DtlsEvent::ApplicationData(vec![round])));
        assert!(p
            .client_events
            .contains(&DtlsEvent::ApplicationData(vec![round, round])));
    }
    assert_eq!(p.client.stats().key_updates_sent, 3);
    assert_eq!(p.server.stats().key_updates_received, 3);
    // The request in round 1 made the server update once too.
    assert_eq!(p.server.stats().key_updates_sent, 1);
    // DTLS 1.2 has no key update.
    let (mut c, s) = configs(ecdsa_identity(), ecdsa_identity());
    c.max_version = Dtls12;
    let mut p = Pair::new(c, s, 7);
    assert_eq!(p.client.update_keys(false), Err(DtlsError::NotConnected));
    p.run(Duration::from_secs(10), &mut perfect);
    assert_eq!(p.client.update_keys(false), Err(DtlsError::RequiresDtls13));
}
