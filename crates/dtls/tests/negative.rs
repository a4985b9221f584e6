//! Attacks and bad peers: each failure is detected, reported, and nothing
//! from that peer is delivered.

mod common;

use std::time::{Duration, SystemTime};

use common::*;
use sansrtc_dtls::{CipherSuite, DtlsError, DtlsEvent, Fingerprint, HashAlgorithm};

/// Configs pinned to DTLS 1.2, for the attacks on 1.2's handshake and
/// record layer (1.3's are in src/v13/connection_tests.rs and
/// tests/version_negotiation.rs).
fn configs12(
    client: std::sync::Arc<sansrtc_dtls::Identity>,
    server: std::sync::Arc<sansrtc_dtls::Identity>,
) -> (sansrtc_dtls::DtlsConfig, sansrtc_dtls::DtlsConfig) {
    let (mut c, mut s) = configs(client, server);
    c.max_version = sansrtc_dtls::DtlsVersion::Dtls12;
    s.max_version = sansrtc_dtls::DtlsVersion::Dtls12;
    (c, s)
}

fn delivered_nothing(events: &[DtlsEvent]) -> bool {
    !events
        .iter()
        .any(|e| matches!(e, DtlsEvent::Connected(_) | DtlsEvent::ApplicationData(_)))
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn a_wrong_server_fingerprint_fails_the_client_with_bad_certificate() {
    let (mut c, s) = configs(ecdsa_identity(), ecdsa_identity());
    c.expected_fingerprints = vec![ecdsa_identity().fingerprint(HashAlgorithm::Sha256).unwrap()];
    let mut p = Pair::new(c, s, 1);
    p.run(Duration::from_secs(5), &mut perfect);
    assert_eq!(
        failure(&p.client_events),
        Some(&DtlsError::FingerprintMismatch)
    );
    // The server hears bad_certificate (42).
    assert_eq!(failure(&p.server_events), Some(&DtlsError::PeerAlert(42)));
    assert!(delivered_nothing(&p.client_events) && delivered_nothing(&p.server_events));
    assert!(p
        .client
        .export_keying_material("EXTRACTOR-dtls_srtp", None, 60)
        .is_err());
}

#[test]
fn a_wrong_client_fingerprint_fails_the_server() {
    let (c, mut s) = configs(ecdsa_identity(), ecdsa_identity());
    s.expected_fingerprints = vec![Fingerprint::new(HashAlgorithm::Sha384, vec![0; 48])];
    let mut p = Pair::new(c, s, 2);
    p.run(Duration::from_secs(5), &mut perfect);
    assert_eq!(
        failure(&p.server_events),
        Some(&DtlsError::FingerprintMismatch)
    );
    assert!(delivered_nothing(&p.server_events));
    assert!(delivered_nothing(&p.client_events));
}

#[test]
fn a_fingerprint_with_a_hash_we_do_not_compute_never_matches() {
    let server = ecdsa_identity();
    for alg in [
        HashAlgorithm::Md5,
        HashAlgorithm::Other("sha3-256".to_owned()),
    ] {
        let (mut c, s) = configs(ecdsa_identity(), server.clone());
        c.expected_fingerprints = vec![Fingerprint::new(alg, vec![0; 16])];
        let mut p = Pair::new(c, s, 2);
        p.run(Duration::from_secs(5), &mut perfect);
        assert_eq!(
            failure(&p.client_events),
            Some(&DtlsError::FingerprintMismatch)
        );
        assert!(delivered_nothing(&p.client_events));
    }
}

#[test]
fn any_of_several_fingerprints_and_other_hashes_match() {
    let server = ecdsa_identity();
    for alg in [
        HashAlgorithm::Sha1,
        HashAlgorithm::Sha224,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ] {
        let (mut c, s) = configs(ecdsa_identity(), server.clone());
        c.expected_fingerprints = vec![
            ecdsa_identity().fingerprint(HashAlgorithm::Sha256).unwrap(),
            server.fingerprint(alg.clone()).unwrap(),
        ];
        let mut p = Pair::new(c, s, 3);
        p.run(Duration::from_secs(5), &mut perfect);
        assert!(p.connected(), "{alg:?}");
    }
}

#[test]
fn an_expired_or_not_yet_valid_certificate_is_refused() {
    for (from, to, err) in [
        (-30, -1, DtlsError::CertificateExpired),
        (2, 30, DtlsError::CertificateNotYetValid),
    ] {
        let server = identity_valid_for(time::Duration::days(from), time::Duration::days(to));
        let (mut c, s) = configs(ecdsa_identity(), server);
        c.unix_time = Some(unix_now());
        let mut p = Pair::new(c, s, 4);
        p.run(Duration::from_secs(5), &mut perfect);
        assert_eq!(failure(&p.client_events), Some(&err));
        assert!(delivered_nothing(&p.client_events));
    }
    // Without a wall-clock time the check is skipped (documented).
    let server = identity_valid_for(time::Duration::days(-30), time::Duration::days(-1));
    let (c, s) = configs(ecdsa_identity(), server);
    let mut p = Pair::new(c, s, 5);
    p.run(Duration::from_secs(5), &mut perfect);
    assert!(p.connected());
}

/// Flips one byte of the first epoch-1 record of the client's flight 5:
/// its Finished no longer authenticates, so the server drops it.
#[test]
fn a_tampered_finished_record_is_not_accepted() {
    let (c, s) = configs12(ecdsa_identity(), ecdsa_identity());
    let mut p = Pair::new(c, s, 6);
    let mut tampered = false;
    let mut link = |from_client: bool, mut d: Vec<u8>| {
        if from_client && !tampered {
            if let Some(pos) = find_epoch1_record(&d) {
                let last = pos + 13 + 20;
                d[last] ^= 0x40;
                tampered = true;
            }
        }
        vec![d]
    };
    p.run(Duration::from_secs(10), &mut link);
    assert!(tampered);
    assert!(p.server.stats().bad_record_mac >= 1);
    // The retransmitted (untampered) flight then completes the handshake.
    assert!(p.connected());
}

/// Start of the first epoch-1 record in a datagram.
fn find_epoch1_record(d: &[u8]) -> Option<usize> {
    let mut pos = 0;
    while pos + 13 <= d.len() {
        let epoch = u16::from_be_bytes([d[pos + 3], d[pos + 4]]);
        let len = u16::from_be_bytes([d[pos + 11], d[pos + 12]]) as usize;
        if epoch == 1 {
            return Some(pos);
        }
        pos += 13 + len;
    }
    None
}

/// Rewrites the ClientHello in flight: removes the strongest suite (a
/// downgrade), and with `strip_ems` also the extended_master_secret offer.
fn downgrade(strip_ems: bool) -> impl FnMut(bool, Vec<u8>) -> Vec<Vec<u8>> {
    move |from_client: bool, mut d: Vec<u8>| {
        if from_client && d[0] == 22 && d[13] == 1 {
            // record(13) + handshake header(12) + version(2) + random(32)
            // + session_id len(1) + cookie len(1) + suites len(2).
            let suites = 13 + 12 + 2 + 32 + 1 + 1 + 2;
            assert_eq!(&d[suites..suites + 2], &[0xc0, 0x2b]);
            d[suites..suites + 2].copy_from_slice(&[0x00, 0x00]);
            if strip_ems {
                let at = d
                    .windows(4)
                    .position(|w| w == [0x00, 0x17, 0x00, 0x00])
                    .unwrap();
                d[at..at + 2].copy_from_slice(&[0x5a, 0x5a]);
            }
        }
        vec![d]
    }
}

/// With the extended master secret (the default) the session hash covers
/// the tampered ClientHello, so the two sides derive different keys: the
/// server cannot authenticate the client's Finished record, never
/// connects, and the handshake fails.
#[test]
fn a_downgraded_cipher_suite_list_never_connects_with_ems() {
    let (mut c, mut s) = configs12(ecdsa_identity(), ecdsa_identity());
    s.hello_verify_request = false;
    s.require_client_certificate = false; // else CertificateVerify catches it first
    for cfg in [&mut c, &mut s] {
        cfg.max_retransmissions = 2;
        cfg.initial_retransmit_timeout = Duration::from_millis(100);
    }
    let mut p = Pair::new(c, s, 7);
    p.run(Duration::from_secs(10), &mut downgrade(false));
    assert!(p.server.stats().bad_record_mac >= 1);
    assert!(delivered_nothing(&p.server_events));
    assert!(delivered_nothing(&p.client_events));
    assert_eq!(
        failure(&p.client_events),
        Some(&DtlsError::HandshakeTimeout)
    );
}

/// Without EMS (stripped too, and not required) the keys agree but the
/// transcripts do not: the server's Finished check catches the downgrade.
#[test]
fn a_downgraded_cipher_suite_list_fails_the_finished_check_without_ems() {
    let (mut c, mut s) = configs12(ecdsa_identity(), ecdsa_identity());
    s.hello_verify_request = false;
    s.require_client_certificate = false; // no CertificateVerify: Finished must catch it
    c.require_extended_master_secret = false;
    s.require_extended_master_secret = false;
    let mut p = Pair::new(c, s, 7);
    p.run(Duration::from_secs(10), &mut downgrade(true));
    assert_eq!(failure(&p.server_events), Some(&DtlsError::BadFinished));
    assert!(delivered_nothing(&p.server_events));
    // The client hears decrypt_error (51) and never connects.
    assert_eq!(failure(&p.client_events), Some(&DtlsError::PeerAlert(51)));
    assert!(delivered_nothing(&p.client_events));
}

/// With a client certificate, the CertificateVerify signature (over the
/// server's transcript) already catches it.
#[test]
fn a_downgraded_cipher_suite_list_fails_certificate_verify_without_ems() {
    let (mut c, mut s) = configs12(ecdsa_identity(), ecdsa_identity());
    s.hello_verify_request = false;
    c.require_extended_master_secret = false;
    s.require_extended_master_secret = false;
    let mut p = Pair::new(c, s, 7);
    p.run(Duration::from_secs(10), &mut downgrade(true));
    assert_eq!(failure(&p.server_events), Some(&DtlsError::BadSignature));
    assert!(delivered_nothing(&p.server_events));
}

/// A ServerHello rewritten to a suite the client never offered.
#[test]
fn a_server_hello_with_an_unoffered_suite_is_refused() {
    let (c, mut s) = configs12(ecdsa_identity(), ecdsa_identity());
    s.hello_verify_request = false;
    let mut p = Pair::new(c, s, 8);
    let mut link = |from_client: bool, mut d: Vec<u8>| {
        if !from_client && d[0] == 22 && d[13] == 2 {
            let suite = 13 + 12 + 2 + 32 + 1;
            d[suite..suite + 2].copy_from_slice(&[0x00, 0x9c]);
        }
        vec![d]
    };
    p.run(Duration::from_secs(10), &mut link);
    assert_eq!(
        failure(&p.client_events),
        Some(&DtlsError::IllegalParameter("cipher suite"))
    );
    assert_eq!(failure(&p.server_events), Some(&DtlsError::PeerAlert(47)));
}

#[test]
fn no_common_suite_is_a_handshake_failure() {
    let (mut c, mut s) = configs12(ecdsa_identity(), ecdsa_identity());
    c.cipher_suites = vec![CipherSuite::EcdheEcdsaAes256GcmSha384];
    s.cipher_suites = vec![CipherSuite::EcdheEcdsaAes128GcmSha256];
    let mut p = Pair::new(c, s, 9);
    p.run(Duration::from_secs(5), &mut perfect);
    assert_eq!(
        failure(&p.server_events),
        Some(&DtlsError::NoCommonCipherSuite)
    );
    assert_eq!(failure(&p.client_events), Some(&DtlsError::PeerAlert(40)));
}

#[test]
fn extended_master_secret_is_required_by_default() {
    // A client that does not offer EMS: rewrite its extension type 23 to
    // an unknown one (0x5a5a) in the ClientHello.
    let (c, mut s) = configs12(ecdsa_identity(), ecdsa_identity());
    s.hello_verify_request = false;
    let mut p = Pair::new(c, s, 10);
    let mut link = |from_client: bool, mut d: Vec<u8>| {
        if from_client && d[0] == 22 && d[13] == 1 {
            let at = d
                .windows(4)
                .position(|w| w == [0x00, 0x17, 0x00, 0x00])
                .unwrap();
            d[at..at + 2].copy_from_slice(&[0x5a, 0x5a]);
        }
        vec![d]
    };
    p.run(Duration::from_secs(5), &mut link);
    assert_eq!(
        failure(&p.server_events),
        Some(&DtlsError::ExtendedMasterSecretRequired)
    );
}

#[test]
fn a_replayed_record_is_delivered_once() {
    let (c, s) = configs12(ecdsa_identity(), ecdsa_identity());
    let mut p = Pair::new(c, s, 11);
    p.run(Duration::from_secs(5), &mut perfect);
    assert!(p.connected());
    p.client.send_application_data(b"once").unwrap();
    let mut copy = None;
    let mut link = |_: bool, d: Vec<u8>| {
        copy = Some(d.clone());
        vec![d.clone(), d]
    };
    p.exchange(&mut link);
    let d = copy.unwrap();
    p.server.handle_receive(p.now, &d);
    p.exchange(&mut perfect);
    let n = p
        .server_events
        .iter()
        .filter(|e| **e == DtlsEvent::ApplicationData(b"once".to_vec()))
        .count();
    assert_eq!(n, 1);
    assert_eq!(p.server.stats().replayed_records, 2);
}

#[test]
fn renegotiation_is_refused_and_the_connection_stays_up() {
    let (c, s) = configs12(ecdsa_identity(), ecdsa_identity());
    let mut p = Pair::new(c, s, 12);
    p.run(Duration::from_secs(5), &mut perfect);
    // An unprotected ClientHello (epoch 0, new message_seq) after the handshake.
    let mut ch = Vec::new();
    ch.extend_from_slice(&[22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 50]);
    let body = [1u8, 0, 0, 2, 0, 9, 0, 0, 0, 0, 0, 2, 0xfe, 0xfd];
    ch.extend_from_slice(&(body.len() as u16).to_be_bytes());
    ch.extend_from_slice(&body);
    p.server.handle_receive(p.now, &ch);
    assert_eq!(p.server.stats().renegotiations_refused, 1);
    // Many in one datagram draw one alert (no amplification).
    let mut many = Vec::new();
    for i in 0..20u8 {
        let mut r = ch.clone();
        r[10] = 60 + i;
        many.extend_from_slice(&r);
    }
    p.server.handle_receive(p.now, &many);
    assert_eq!(p.server.stats().renegotiations_refused, 21);
    let mut alerts = 0;
    while let sansrtc_dtls::Output::Transmit(d) = p.server.poll_output() {
        alerts += usize::from(d[0] == 21);
    }
    assert_eq!(alerts, 2);
    p.exchange(&mut perfect);
    assert!(p.server.is_connected() && p.client.is_connected());
    p.client.send_application_data(b"still here").unwrap();
    p.exchange(&mut perfect);
    assert!(p
        .server_events
        .contains(&DtlsEvent::ApplicationData(b"still here".to_vec())));
}

#[test]
fn an_unprotected_alert_after_the_handshake_is_ignored() {
    let (c, s) = configs(ecdsa_identity(), ecdsa_identity());
    let mut p = Pair::new(c, s, 13);
    p.run(Duration::from_secs(5), &mut perfect);
    let alert = [21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 99, 0, 2, 2, 40];
    p.client.handle_receive(p.now, &alert);
    assert!(p.client.is_connected());
}
