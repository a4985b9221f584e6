//! Handshakes between our client and our server, in memory.

mod common;

use std::time::Duration;

use common::*;
use sansrtc_dtls::{
    CipherSuite, DtlsEvent, DtlsVersion, KeyShareGroup, NamedGroup, SrtpProfile, DTLS_SRTP_LABEL,
};
use sansrtc_proto::Output;

#[test]
fn baseline_handshake_connects_and_exports_the_same_keys() {
    let (mut c, s) = configs(ecdsa_identity(), ecdsa_identity());
    // DTLS 1.2 (the 1.3 twin is in version_negotiation.rs).
    c.max_version = DtlsVersion::Dtls12;
    let mut p = Pair::new(c, s, 1);
    p.run(Duration::from_secs(10), &mut perfect);
    assert!(p.connected(), "{:?} {:?}", p.client_events, p.server_events);
    let info = p.client.connection().unwrap();
    assert_eq!(info.cipher_suite, CipherSuite::EcdheEcdsaAes128GcmSha256);
    assert_eq!(info.version, DtlsVersion::Dtls12);
    assert_eq!(info.group, KeyShareGroup::X25519);
    assert_eq!(info.srtp_profile, Some(SrtpProfile::AeadAes128Gcm));
    assert!(info.extended_master_secret);
    assert_eq!(
        p.server.connection().unwrap().cipher_suite,
        info.cipher_suite
    );
    let a = p
        .client
        .export_keying_material(DTLS_SRTP_LABEL, None, 56)
        .unwrap();
    let b = p
        .server
        .export_keying_material(DTLS_SRTP_LABEL, None, 56)
        .unwrap();
    assert_eq!(a, b);
    let km = p.client.srtp_keying_material().unwrap();
    assert_eq!(km, p.server.srtp_keying_material().unwrap());
    assert_eq!(km.client.key, a[..16].to_vec());
    assert_eq!(km.server.salt, a[44..].to_vec());
    // The context changes the output (RFC 5705 §4).
    let with_ctx = p
        .client
        .export_keying_material(DTLS_SRTP_LABEL, Some(b""), 56)
        .unwrap();
    assert_ne!(with_ctx, a);
    // HelloVerifyRequest was used (default on).
    assert_eq!(p.server.stats().hello_verify_requests, 1);
    // No loss: no retransmission and no simulated time.
    assert_eq!(
        p.client.stats().retransmissions + p.server.stats().retransmissions,
        0
    );
    assert_eq!(p.now, p.start);
    // Flights stay under the default MTU.
    assert!(p.sent.iter().all(|(_, d)| d.len() <= 1200));
}

#[test]
fn application_data_flows_both_ways_and_close_notify_closes() {
    let (c, s) = configs(ecdsa_identity(), ecdsa_identity());
    let mut p = Pair::new(c, s, 2);
    p.run(Duration::from_secs(10), &mut perfect);
    assert!(p.connected());
    p.client.send_application_data(b"ping").unwrap();
    p.server.send_application_data(&[7u8; 16384]).unwrap();
    assert!(p.server.send_application_data(&[7u8; 16385]).is_err());
    p.exchange(&mut perfect);
    assert!(p
        .server_events
        .contains(&DtlsEvent::ApplicationData(b"ping".to_vec())));
    assert!(p
        .client_events
        .contains(&DtlsEvent::ApplicationData(vec![7u8; 16384])));
    p.client.close();
    p.exchange(&mut perfect);
    assert!(p.server_events.contains(&DtlsEvent::Closed));
    assert!(p.client.is_closed() && p.server.is_closed());
    assert!(p.client.send_application_data(b"x").is_err());
    // A closed endpoint sends nothing more.
    p.client
        .handle_receive(p.now, &[23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 9, 0, 0]);
    assert!(matches!(p.client.poll_output(), Output::Timeout(None)));
}

#[test]
fn every_suite_group_and_srtp_profile_negotiates() {
    for suite in [
        CipherSuite::EcdheEcdsaAes128GcmSha256,
        CipherSuite::EcdheEcdsaAes256GcmSha384,
        CipherSuite::EcdheEcdsaChacha20Poly1305Sha256,
    ] {
        for group in NamedGroup::ALL {
            let (mut c, mut s) = configs(ecdsa_identity(), ecdsa_identity());
            c.max_version = DtlsVersion::Dtls12;
            c.cipher_suites = vec![suite];
            c.groups = vec![group];
            s.srtp_profiles = vec![SrtpProfile::Aes128CmHmacSha1_32, SrtpProfile::AeadAes256Gcm];
            let mut p = Pair::new(c, s, 3);
            p.run(Duration::from_secs(10), &mut perfect);
            assert!(p.connected(), "{suite:?} {group:?}: {:?}", p.client_events);
            let info = p.client.connection().unwrap();
            assert_eq!(info.cipher_suite, suite);
            assert_eq!(info.group, group);
            // The server's preference order decides.
            assert_eq!(info.srtp_profile, Some(SrtpProfile::Aes128CmHmacSha1_32));
            p.client.send_application_data(b"x").unwrap();
            p.exchange(&mut perfect);
            assert!(p
                .server_events
                .contains(&DtlsEvent::ApplicationData(b"x".to_vec())));
        }
    }
}

#[test]
fn without_hello_verify_and_without_srtp() {
    let (mut c, mut s) = configs(ecdsa_identity(), ecdsa_identity());
    s.hello_verify_request = false;
    c.srtp_profiles.clear();
    let mut p = Pair::new(c, s, 4);
    p.run(Duration::from_secs(10), &mut perfect);
    assert!(p.connected());
    assert_eq!(p.server.stats().hello_verify_requests, 0);
    assert_eq!(p.client.connection().unwrap().srtp_profile, None);
    assert!(p.client.srtp_keying_material().is_none());
}

#[test]
fn same_seed_gives_the_same_event_sequence_and_datagram_shape() {
    let shape = |seed| {
        let (c, s) = configs(ecdsa_identity(), ecdsa_identity());
        let mut p = Pair::new(c, s, seed);
        p.run(Duration::from_secs(10), &mut perfect);
        assert!(p.connected());
        let sizes: Vec<(bool, usize)> = p.sent.iter().map(|(c, d)| (*c, d.len() / 8)).collect();
        (sizes.len(), p.now - p.start, p.client.stats().clone())
    };
    assert_eq!(shape(9), shape(9));
}
