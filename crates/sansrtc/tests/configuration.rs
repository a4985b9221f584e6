//! The configuration acted on: construction, `setConfiguration`'s rules,
//! the candidate pool gathered at construction, several certificates.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use common::{peer, Pair, ADDR_A};
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc::*;
use sansrtc_config::{CertificateOptions, KeyKind};

fn certificate(kind: KeyKind, lifetime: Duration, now: SystemTime) -> Arc<RtcCertificate> {
    let options = CertificateOptions {
        key_kind: kind,
        lifetime,
    };
    Arc::new(RtcCertificate::generate(&options, now, &mut ChaCha20Rng::seed_from_u64(9)).unwrap())
}

#[test]
fn an_expired_certificate_is_an_invalid_access_error_and_none_means_a_fresh_ecdsa_one() {
    let wall = SystemTime::now();
    let old = certificate(
        KeyKind::EcdsaP256Sha256,
        Duration::from_secs(1),
        wall - Duration::from_secs(3600),
    );
    let config = RtcConfiguration {
        certificates: vec![old],
        ..RtcConfiguration::default()
    };
    let err = RtcPeerConnection::new(config, ChaCha20Rng::seed_from_u64(1), Instant::now(), wall)
        .err()
        .unwrap();
    assert_eq!(err.dom_name(), "InvalidAccessError");
    let pc = peer(1, ADDR_A, RtcConfiguration::default(), Instant::now());
    assert_eq!(pc.certificates().len(), 1);
    assert_eq!(pc.certificates()[0].key_kind(), KeyKind::EcdsaP256Sha256);
    // The generated certificate is not shown by getConfiguration.
    assert!(pc.get_configuration().certificates.is_empty());
}

#[test]
fn set_configuration_follows_the_spec() {
    let now = Instant::now();
    let mut pc = peer(1, ADDR_A, RtcConfiguration::default(), now);
    let base = pc.get_configuration().clone();
    let cases: Vec<(&str, RtcConfiguration, &str)> = vec![
        ("same", base.clone(), "ok"),
        (
            "bundlePolicy",
            RtcConfiguration {
                bundle_policy: BundlePolicy::MaxBundle,
                ..base.clone()
            },
            "InvalidModificationError",
        ),
        (
            "rtcpMuxPolicy",
            RtcConfiguration {
                rtcp_mux_policy: RtcpMuxPolicy::Negotiate,
                ..base.clone()
            },
            "InvalidModificationError",
        ),
        // No target identity yet: the first peerIdentity becomes the target.
        (
            "peerIdentity set",
            RtcConfiguration {
                peer_identity: Some("x@y".into()),
                ..base.clone()
            },
            "ok",
        ),
        (
            "peerIdentity changed",
            RtcConfiguration {
                peer_identity: Some("z@y".into()),
                ..base.clone()
            },
            "InvalidModificationError",
        ),
        (
            "certificates",
            RtcConfiguration {
                certificates: vec![certificate(
                    KeyKind::EcdsaP256Sha256,
                    Duration::from_secs(86400),
                    SystemTime::now(),
                )],
                ..base.clone()
            },
            "InvalidModificationError",
        ),
        (
            "iceServers",
            RtcConfiguration {
                peer_identity: Some("x@y".into()),
                ice_servers: vec![IceServer::new("stun:127.0.0.1:3478")],
                ..base.clone()
            },
            "ok",
        ),
        (
            "turn without credential",
            RtcConfiguration {
                peer_identity: Some("x@y".into()),
                ice_servers: vec![IceServer::new("turn:127.0.0.1")],
                ..base.clone()
            },
            "InvalidAccessError",
        ),
        (
            "iceTransportPolicy",
            RtcConfiguration {
                peer_identity: Some("x@y".into()),
                ice_servers: vec![IceServer::new("stun:127.0.0.1:3478")],
                ice_transport_policy: IceTransportPolicy::Relay,
                ..base.clone()
            },
            "ok",
        ),
        (
            "pool before a local description",
            RtcConfiguration {
                peer_identity: Some("x@y".into()),
                ice_servers: vec![IceServer::new("stun:127.0.0.1:3478")],
                ice_transport_policy: IceTransportPolicy::Relay,
                ice_candidate_pool_size: 2,
                ..base.clone()
            },
            "ok",
        ),
    ];
    for (name, config, want) in cases {
        let got = match pc.set_configuration(config.clone()) {
            Ok(()) => {
                assert_eq!(pc.get_configuration(), &config, "{name}: stored");
                "ok"
            }
            Err(e) => e.dom_name(),
        };
        assert_eq!(got, want, "{name}");
    }
    pc.create_data_channel(now, DataChannelInit::new("x"))
        .unwrap();
    let offer = pc.create_offer(now).unwrap();
    pc.set_local_description(now, offer).unwrap();
    let mut later = pc.get_configuration().clone();
    later.ice_candidate_pool_size = 5;
    assert_eq!(
        pc.set_configuration(later).unwrap_err().dom_name(),
        "InvalidModificationError"
    );
    pc.close(now);
    let same = pc.get_configuration().clone();
    assert_eq!(
        pc.set_configuration(same).unwrap_err().dom_name(),
        "InvalidStateError"
    );
}

fn transmits(pc: &mut RtcPeerConnection) -> Vec<Transmit> {
    let mut out = Vec::new();
    loop {
        match pc.poll_output() {
            Output::Transmit(t) => out.push(t),
            Output::Event(_) => {}
            Output::Timeout(_) => return out,
        }
    }
}

#[test]
fn the_candidate_pool_gathers_at_construction() {
    let now = Instant::now();
    let server = "127.0.0.1:3478";
    let config = |pool| RtcConfiguration {
        ice_servers: vec![IceServer::new(format!("stun:{server}"))],
        ice_candidate_pool_size: pool,
        ..RtcConfiguration::default()
    };
    let mut pooled = peer(1, ADDR_A, config(1), now);
    let sent = transmits(&mut pooled);
    assert!(
        sent.iter()
            .any(|t| t.destination == server.parse().unwrap()),
        "with a pool the STUN request leaves before any offer"
    );
    let mut unpooled = peer(2, ADDR_A, config(0), now);
    assert!(
        transmits(&mut unpooled).is_empty(),
        "without a pool nothing is sent before an offer"
    );
    // The first offer uses the pooled candidates: the host one is in it at once.
    pooled
        .create_data_channel(now, DataChannelInit::new("x"))
        .unwrap();
    let offer = pooled.create_offer(now).unwrap();
    pooled.set_local_description(now, offer).unwrap();
    assert!(pooled.local_description().unwrap().sdp.contains("typ host"));
}

#[test]
fn several_certificates_the_handshake_uses_one_the_peer_accepts() {
    let wall = SystemTime::now();
    let rsa = certificate(KeyKind::RsaPkcs1Sha256, Duration::from_secs(86400), wall);
    let ecdsa = certificate(KeyKind::EcdsaP256Sha256, Duration::from_secs(86400), wall);
    let a_config = RtcConfiguration {
        certificates: vec![rsa, ecdsa],
        ..RtcConfiguration::default()
    };
    let mut p = Pair::with_configs(a_config, RtcConfiguration::default());
    let now = p.now;
    p.a.create_data_channel(now, DataChannelInit::new("x"))
        .unwrap();
    p.negotiate();
    // Both fingerprints are offered.
    assert_eq!(
        p.a.local_description()
            .unwrap()
            .sdp
            .matches("a=fingerprint:")
            .count(),
        2
    );
    assert!(
        p.run_until(Duration::from_secs(10), |p| !Pair::opened(&p.events_a)
            .is_empty())
    );
    let used = p.a.dtls_parameters().unwrap().local_certificate_index;
    assert!(used.is_some());
}
