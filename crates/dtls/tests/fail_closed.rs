//! Peer authentication fails closed: an endpoint without expected
//! fingerprints is a configuration error unless the caller opts out by
//! name, and a peer whose certificate matches none fails the handshake.

mod common;

use std::time::Duration;

use common::*;
use sansrtc_dtls::{DtlsConfig, DtlsEndpoint, DtlsError, DtlsEvent, HashAlgorithm, Role};

fn connected_info(events: &[DtlsEvent]) -> Option<&sansrtc_dtls::Connected> {
    events.iter().find_map(|e| match e {
        DtlsEvent::Connected(c) => Some(c),
        _ => None,
    })
}

#[test]
fn no_expected_fingerprints_is_refused_for_either_role() {
    let mut rng =
        <rand_chacha::ChaCha20Rng as rand_chacha::rand_core::SeedableRng>::seed_from_u64(1);
    let id = ecdsa_identity();
    for role in [Role::Client, Role::Server] {
        for config in [
            DtlsConfig::new(id.clone()),
            DtlsConfig::with_identities([id.clone(), ecdsa_identity()]).unwrap(),
        ] {
            assert!(!config.accepts_any_peer_certificate());
            let err = DtlsEndpoint::new(role, config, &mut rng).unwrap_err();
            assert_eq!(err, DtlsError::NoExpectedFingerprints);
            assert!(err.to_string().contains("no expected peer fingerprints"));
        }
    }
}

#[test]
fn the_opt_out_accepts_any_certificate_and_reports_it() {
    let (client_id, server_id) = (ecdsa_identity(), ecdsa_identity());
    let c = DtlsConfig::new(client_id.clone()).dangerously_accept_any_peer_certificate();
    let s = DtlsConfig::new(server_id.clone()).dangerously_accept_any_peer_certificate();
    assert!(c.accepts_any_peer_certificate() && c.expected_fingerprints.is_empty());
    let mut p = Pair::new(c, s, 3);
    p.run(Duration::from_secs(5), &mut perfect);
    assert!(p.connected(), "{:?} {:?}", p.client_events, p.server_events);
    // The caller that opted out can still see whom it talked to.
    let seen_by_client = connected_info(&p.client_events).unwrap();
    assert_eq!(
        Some(seen_by_client.peer_fingerprint.clone()),
        server_id.fingerprint(HashAlgorithm::Sha256)
    );
    let seen_by_server = connected_info(&p.server_events).unwrap();
    assert_eq!(
        Some(seen_by_server.peer_fingerprint.clone()),
        client_id.fingerprint(HashAlgorithm::Sha256)
    );
}

#[test]
fn with_the_opt_out_configured_fingerprints_are_still_enforced() {
    let (c, s) = configs(ecdsa_identity(), ecdsa_identity());
    let mut c = c.dangerously_accept_any_peer_certificate();
    c.expected_fingerprints = vec![ecdsa_identity().fingerprint(HashAlgorithm::Sha256).unwrap()];
    let mut p = Pair::new(c, s, 4);
    p.run(Duration::from_secs(5), &mut perfect);
    assert_eq!(
        failure(&p.client_events),
        Some(&DtlsError::FingerprintMismatch)
    );
}

#[test]
fn an_impostor_server_fails_the_client_with_bad_certificate() {
    let (client_id, server_id, impostor_id) =
        (ecdsa_identity(), ecdsa_identity(), ecdsa_identity());
    // The client expects the real server; the impostor answers instead,
    // willing to accept the client (it knows the client's fingerprint).
    let (c, _) = configs(client_id.clone(), server_id);
    let (_, impostor) = configs(client_id, impostor_id);
    let mut p = Pair::new(c, impostor, 5);
    p.run(Duration::from_secs(5), &mut perfect);
    assert_eq!(
        failure(&p.client_events),
        Some(&DtlsError::FingerprintMismatch)
    );
    // bad_certificate (42) on the wire.
    assert_eq!(failure(&p.server_events), Some(&DtlsError::PeerAlert(42)));
    assert!(connected_info(&p.client_events).is_none());
    assert!(p.client.srtp_keying_material().is_none());
}

#[test]
fn an_impostor_client_fails_the_server_with_bad_certificate() {
    let (client_id, server_id, impostor_id) =
        (ecdsa_identity(), ecdsa_identity(), ecdsa_identity());
    let (_, s) = configs(client_id, server_id.clone());
    let (impostor, _) = configs(impostor_id, server_id);
    let mut p = Pair::new(impostor, s, 6);
    p.run(Duration::from_secs(5), &mut perfect);
    assert_eq!(
        failure(&p.server_events),
        Some(&DtlsError::FingerprintMismatch)
    );
    assert_eq!(failure(&p.client_events), Some(&DtlsError::PeerAlert(42)));
    assert!(connected_info(&p.server_events).is_none());
    assert!(p.server.srtp_keying_material().is_none());
}
