//! The configuration's life in a connection, through the typed API: every
//! error path of the constructor and of setConfiguration.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc_config::{
    BundlePolicy, CertificateOptions, ConfigError, IceServer, IceTransportPolicy, RtcCertificate,
    RtcConfiguration, RtcConfigurationState, RtcpMuxPolicy, UrlSyntaxError, MAX_ICE_SERVERS,
};

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

fn cert(seed: u64) -> Arc<RtcCertificate> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    Arc::new(RtcCertificate::generate(&CertificateOptions::default(), now(), &mut rng).unwrap())
}

fn with_servers(servers: Vec<IceServer>) -> RtcConfiguration {
    RtcConfiguration {
        ice_servers: servers,
        ..RtcConfiguration::default()
    }
}

fn construct_err(config: RtcConfiguration) -> ConfigError {
    RtcConfigurationState::construct(config, now()).unwrap_err()
}

#[test]
fn defaults_are_the_spec_defaults() {
    let c = RtcConfiguration::default();
    assert!(c.ice_servers.is_empty() && c.certificates.is_empty());
    assert_eq!(c.ice_transport_policy, IceTransportPolicy::All);
    assert_eq!(c.bundle_policy, BundlePolicy::Balanced);
    assert_eq!(c.rtcp_mux_policy, RtcpMuxPolicy::Require);
    assert_eq!(c.ice_candidate_pool_size, 0);
    assert_eq!(c.peer_identity, None);
}

#[test]
fn expired_certificate_is_invalid_access_and_checked_before_urls() {
    let expired = cert(1); // expires now + 30 days
    let later = now() + Duration::from_secs(31 * 24 * 3600);
    let config = RtcConfiguration {
        certificates: vec![expired.clone()],
        ice_servers: vec![IceServer::new("bogus")],
        ..Default::default()
    };
    let err = RtcConfigurationState::construct(config.clone(), later).unwrap_err();
    assert_eq!(err, ConfigError::CertificateExpired { index: 0 });
    assert_eq!(err.dom_name(), "InvalidAccessError");
    // Exactly at expiry is still valid (strict `<`), and then the URL fails.
    let at = expired.expires();
    let err = RtcConfigurationState::construct(config, at).unwrap_err();
    assert_eq!(err.dom_name(), "SyntaxError");
}

#[test]
fn certificate_from_another_origin_is_invalid_access() {
    let foreign = Arc::new((*cert(2)).clone().with_origin("https://other.test"));
    let config = RtcConfiguration {
        certificates: vec![foreign],
        ..Default::default()
    };
    assert_eq!(
        RtcConfigurationState::construct_in_origin(
            config.clone(),
            now(),
            Some("https://example.test")
        )
        .unwrap_err(),
        ConfigError::CertificateOrigin { index: 0 }
    );
    assert!(
        RtcConfigurationState::construct_in_origin(config, now(), Some("https://other.test"))
            .is_ok()
    );
}

#[test]
fn url_errors_name_server_url_and_cause() {
    let err = construct_err(with_servers(vec![
        IceServer::new("stun:a.example"),
        IceServer::new("stun:a/b"),
    ]));
    assert_eq!(
        err,
        ConfigError::InvalidUrl {
            server: 1,
            url: "stun:a/b".into(),
            cause: UrlSyntaxError::PathHasSlashOrAt
        }
    );
    assert_eq!(err.dom_name(), "SyntaxError");
    let err = construct_err(with_servers(vec![IceServer {
        urls: vec![],
        ..Default::default()
    }]));
    assert_eq!(err, ConfigError::EmptyUrls { server: 0 });
    assert_eq!(err.dom_name(), "SyntaxError");
}

#[test]
fn turn_credential_checks() {
    let turn = |u: Option<&str>, c: Option<&str>| IceServer {
        urls: vec!["turn:t.example".into()],
        username: u.map(str::to_owned),
        credential: c.map(str::to_owned),
    };
    let cases = [
        (
            turn(None, Some("c")),
            ConfigError::TurnCredentialsMissing {
                server: 0,
                url: "turn:t.example".into(),
            },
        ),
        (
            turn(Some("u"), None),
            ConfigError::TurnCredentialsMissing {
                server: 0,
                url: "turn:t.example".into(),
            },
        ),
        (
            turn(Some(&"a".repeat(509)), Some("c")),
            ConfigError::UsernameTooLong {
                server: 0,
                bytes: 509,
            },
        ),
        (
            turn(Some(&"é".repeat(255)), Some("c")),
            ConfigError::UsernameTooLong {
                server: 0,
                bytes: 510,
            },
        ),
        (
            turn(Some("u\u{1}"), Some("c")),
            ConfigError::UsernameNotOpaqueString { server: 0 },
        ),
        (
            turn(Some("u"), Some("")),
            ConfigError::CredentialEmpty { server: 0 },
        ),
        (
            turn(Some("u"), Some("p\u{7f}")),
            ConfigError::CredentialNotOpaqueString { server: 0 },
        ),
    ];
    for (server, want) in cases {
        let err = construct_err(with_servers(vec![server]));
        assert_eq!(err, want);
        assert_eq!(err.dom_name(), "InvalidAccessError");
    }
    assert!(RtcConfigurationState::construct(
        with_servers(vec![turn(Some(&"a".repeat(508)), Some("c"))]),
        now()
    )
    .is_ok());
    assert!(
        RtcConfigurationState::construct(with_servers(vec![turn(Some(""), Some("c"))]), now())
            .is_ok()
    );
    // stun URLs never check credentials.
    let stun = IceServer {
        urls: vec!["stun:s.example".into()],
        username: Some("\u{0}".into()),
        credential: Some(String::new()),
    };
    assert!(RtcConfigurationState::construct(with_servers(vec![stun]), now()).is_ok());
}

#[test]
fn servers_past_the_limit_are_dropped_before_validation() {
    let mut servers: Vec<IceServer> = (0..MAX_ICE_SERVERS)
        .map(|i| IceServer::new(format!("stun:s{i}.example")))
        .collect();
    servers.push(IceServer::new("bogus"));
    let state = RtcConfigurationState::construct(with_servers(servers), now()).unwrap();
    assert_eq!(state.get_configuration().ice_servers.len(), MAX_ICE_SERVERS);
    assert_eq!(state.ice_servers().len(), MAX_ICE_SERVERS);
}

#[test]
fn unchangeable_members_and_a_failed_set_keeps_the_old_configuration() {
    let c1 = cert(3);
    let c2 = cert(4);
    let initial = RtcConfiguration {
        certificates: vec![c1.clone()],
        bundle_policy: BundlePolicy::MaxBundle,
        rtcp_mux_policy: RtcpMuxPolicy::Negotiate,
        ice_candidate_pool_size: 3,
        ice_servers: vec![IceServer::new("stun:keep.example")],
        ..Default::default()
    };
    let mut state = RtcConfigurationState::construct(initial.clone(), now()).unwrap();
    let changed = |f: &dyn Fn(&mut RtcConfiguration)| {
        let mut c = initial.clone();
        f(&mut c);
        c
    };
    let cases: Vec<(RtcConfiguration, ConfigError)> = vec![
        (
            changed(&|c| c.certificates.clear()),
            ConfigError::CertificatesLengthChanged { old: 1, new: 0 },
        ),
        (
            changed(&|c| c.certificates = vec![c2.clone()]),
            ConfigError::CertificateChanged { index: 0 },
        ),
        (
            changed(&|c| c.bundle_policy = BundlePolicy::Balanced),
            ConfigError::BundlePolicyChanged {
                old: BundlePolicy::MaxBundle,
                new: BundlePolicy::Balanced,
            },
        ),
        (
            changed(&|c| c.rtcp_mux_policy = RtcpMuxPolicy::Require),
            ConfigError::RtcpMuxPolicyChanged {
                old: RtcpMuxPolicy::Negotiate,
                new: RtcpMuxPolicy::Require,
            },
        ),
        (
            changed(&|c| c.ice_servers = vec![IceServer::new("turn:x.example")]),
            ConfigError::TurnCredentialsMissing {
                server: 0,
                url: "turn:x.example".into(),
            },
        ),
    ];
    for (config, want) in cases {
        let err = state.set_configuration(config).unwrap_err();
        assert_eq!(err, want);
        assert_eq!(state.get_configuration(), &initial, "after {want}");
    }
    // Same certificate object, content-equal copy is not enough.
    let copy = Arc::new((*c1).clone());
    assert_eq!(
        state
            .set_configuration(changed(&|c| c.certificates = vec![copy.clone()]))
            .unwrap_err()
            .dom_name(),
        "InvalidModificationError"
    );
    // Pool size may change until a local description is applied.
    state
        .set_configuration(changed(&|c| c.ice_candidate_pool_size = 5))
        .unwrap();
    state.set_local_description_applied().unwrap();
    let err = state
        .set_configuration(changed(&|c| c.ice_candidate_pool_size = 3))
        .unwrap_err();
    assert_eq!(
        err,
        ConfigError::PoolSizeChangedAfterLocalDescription { old: 5, new: 3 }
    );
    assert_eq!(err.dom_name(), "InvalidModificationError");
    // Changeable members do change.
    state
        .set_configuration(changed(&|c| {
            c.ice_candidate_pool_size = 5;
            c.ice_transport_policy = IceTransportPolicy::Relay;
            c.ice_servers = vec![
                IceServer::new("turns:t.example:443?transport=tcp").with_credentials("u", "p")
            ];
        }))
        .unwrap();
    assert_eq!(
        state.get_configuration().ice_transport_policy,
        IceTransportPolicy::Relay
    );
    assert_eq!(state.ice_servers()[0].urls[0].port, Some(443));
}

#[test]
fn peer_identity_is_fixed_once_applied() {
    let mut state = RtcConfigurationState::construct(RtcConfiguration::default(), now()).unwrap();
    let with_identity = |id: &str| RtcConfiguration {
        peer_identity: Some(id.into()),
        ..Default::default()
    };
    state
        .set_configuration(with_identity("alice@idp.example"))
        .unwrap();
    assert_eq!(state.target_peer_identity(), Some("alice@idp.example"));
    let err = state
        .set_configuration(with_identity("bob@idp.example"))
        .unwrap_err();
    assert_eq!(err, ConfigError::PeerIdentityChanged);
    assert_eq!(err.dom_name(), "InvalidModificationError");
    // Omitted is not a change, and the target stays.
    state
        .set_configuration(RtcConfiguration::default())
        .unwrap();
    assert_eq!(state.get_configuration().peer_identity, None);
    assert_eq!(state.target_peer_identity(), Some("alice@idp.example"));
}

#[test]
fn closed_connection_refuses_everything_but_get_and_close() {
    let config = RtcConfiguration {
        ice_transport_policy: IceTransportPolicy::Relay,
        ..Default::default()
    };
    let mut state = RtcConfigurationState::construct(config.clone(), now()).unwrap();
    state.close();
    state.close();
    assert!(state.is_closed());
    let err = state.set_configuration(config.clone()).unwrap_err();
    assert_eq!(err, ConfigError::Closed);
    assert_eq!(err.dom_name(), "InvalidStateError");
    assert_eq!(
        state.set_local_description_applied(),
        Err(ConfigError::Closed)
    );
    assert_eq!(state.get_configuration(), &config);
}
