//! Reading the W3C JSON shape: WebIDL conversions and every TypeError path.

use std::time::{Duration, UNIX_EPOCH};

use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc_config::{
    BundlePolicy, CertificateOptions, CertificateRegistry, ConfigError, IceServer,
    IceTransportPolicy, RtcCertificate, RtcConfiguration, RtcpMuxPolicy,
};
use serde_json::json;

fn read(text: &str) -> Result<RtcConfiguration, ConfigError> {
    RtcConfiguration::from_json_str(text, &CertificateRegistry::new())
}

fn type_error(text: &str) -> ConfigError {
    let err = read(text).unwrap_err();
    assert_eq!(err.dom_name(), "TypeError", "{text}: {err}");
    err
}

#[test]
fn reads_every_member() {
    let c = read(
        r#"{"iceServers":[{"urls":"stun:a.example"},{"urls":["turn:b.example","turns:b.example"],"username":"u","credential":"p"}],
            "iceTransportPolicy":"relay","bundlePolicy":"max-bundle","rtcpMuxPolicy":"negotiate",
            "certificates":[],"iceCandidatePoolSize":9,"peerIdentity":"alice@idp.example","future":1}"#,
    )
    .unwrap();
    assert_eq!(c.ice_servers[0], IceServer::new("stun:a.example"));
    assert_eq!(c.ice_servers[1].urls, ["turn:b.example", "turns:b.example"]);
    assert_eq!(c.ice_servers[1].username.as_deref(), Some("u"));
    assert_eq!(c.ice_servers[1].credential.as_deref(), Some("p"));
    assert_eq!(c.ice_transport_policy, IceTransportPolicy::Relay);
    assert_eq!(c.bundle_policy, BundlePolicy::MaxBundle);
    assert_eq!(c.rtcp_mux_policy, RtcpMuxPolicy::Negotiate);
    assert_eq!(c.ice_candidate_pool_size, 9);
    assert_eq!(c.peer_identity.as_deref(), Some("alice@idp.example"));
}

#[test]
fn webidl_conversions_of_scalars() {
    assert_eq!(
        read(r#"{"iceCandidatePoolSize":"7"}"#)
            .unwrap()
            .ice_candidate_pool_size,
        7
    );
    assert_eq!(
        read(r#"{"iceCandidatePoolSize":1.9}"#)
            .unwrap()
            .ice_candidate_pool_size,
        1
    );
    assert_eq!(
        read(r#"{"iceCandidatePoolSize":true}"#)
            .unwrap()
            .ice_candidate_pool_size,
        1
    );
    assert_eq!(
        read(r#"{"iceCandidatePoolSize":null}"#)
            .unwrap()
            .ice_candidate_pool_size,
        0
    );
    let c = read(
        r#"{"iceServers":[{"urls":3478,"username":null,"credential":5}],"peerIdentity":null}"#,
    )
    .unwrap();
    assert_eq!(c.ice_servers[0].urls, ["3478"]);
    assert_eq!(c.ice_servers[0].username.as_deref(), Some("null"));
    assert_eq!(c.ice_servers[0].credential.as_deref(), Some("5"));
    assert_eq!(c.peer_identity.as_deref(), Some("null"));
    let c = read(r#"{"iceServers":[{"urls":null},{"urls":{}},{"urls":[null,true]}]}"#).unwrap();
    assert_eq!(c.ice_servers[0].urls, ["null"]);
    assert_eq!(c.ice_servers[1].urls, ["[object Object]"]);
    assert_eq!(c.ice_servers[2].urls, ["null", "true"]);
    assert_eq!(read("null").unwrap(), RtcConfiguration::default());
}

#[test]
fn every_type_error() {
    assert_eq!(
        type_error(r#""stun:example.net""#),
        ConfigError::ConfigurationNotObject
    );
    assert_eq!(type_error("true"), ConfigError::ConfigurationNotObject);
    assert_eq!(type_error("3"), ConfigError::ConfigurationNotObject);
    assert_eq!(
        type_error(r#"{"iceServers":null}"#),
        ConfigError::IceServersNotSequence
    );
    assert_eq!(
        type_error(r#"{"iceServers":{"urls":"stun:a"}}"#),
        ConfigError::IceServersNotSequence
    );
    assert_eq!(
        type_error(r#"{"iceServers":"stun:a"}"#),
        ConfigError::IceServersNotSequence
    );
    assert_eq!(
        type_error(r#"{"iceServers":[{"urls":"stun:a"},"stun:b"]}"#),
        ConfigError::IceServerNotDictionary { server: 1 }
    );
    assert_eq!(
        type_error(r#"{"iceServers":[null]}"#),
        ConfigError::UrlsMissing { server: 0 }
    );
    assert_eq!(
        type_error(r#"{"iceServers":[{"url":"stun:a"}]}"#),
        ConfigError::UrlsMissing { server: 0 }
    );
    assert_eq!(
        type_error(r#"{"certificates":null}"#),
        ConfigError::CertificatesNotSequence
    );
    assert_eq!(
        type_error(r#"{"certificates":[{"expires":1}]}"#),
        ConfigError::NotACertificate { index: 0 }
    );
    assert_eq!(
        type_error(r#"{"certificates":[{"$cert":"unknown"}]}"#),
        ConfigError::NotACertificate { index: 0 }
    );
    assert_eq!(
        type_error(r#"{"iceCandidatePoolSize":"abc"}"#),
        ConfigError::PoolSizeNotFinite
    );
    assert_eq!(
        type_error(r#"{"iceCandidatePoolSize":256}"#),
        ConfigError::PoolSizeOutOfRange { value: 256.0 }
    );
    assert_eq!(
        type_error(r#"{"iceCandidatePoolSize":-1}"#),
        ConfigError::PoolSizeOutOfRange { value: -1.0 }
    );
    for (member, value) in [
        ("bundlePolicy", "null"),
        ("iceTransportPolicy", "public"),
        ("rtcpMuxPolicy", "invalid"),
    ] {
        let text =
            json!({ member: if value == "null" { serde_json::Value::Null } else { value.into() } })
                .to_string();
        assert_eq!(
            type_error(&text),
            ConfigError::InvalidEnumValue {
                member,
                value: value.into()
            }
        );
    }
}

#[test]
fn members_convert_in_lexicographic_order() {
    // bundlePolicy is converted before iceServers, so its error wins.
    assert!(matches!(
        type_error(r#"{"iceServers":null,"bundlePolicy":"x"}"#),
        ConfigError::InvalidEnumValue {
            member: "bundlePolicy",
            ..
        }
    ));
    // certificates before iceCandidatePoolSize.
    assert_eq!(
        type_error(r#"{"iceCandidatePoolSize":999,"certificates":7}"#),
        ConfigError::CertificatesNotSequence
    );
}

#[test]
fn invalid_json_is_a_syntax_error() {
    let err = read("{\"iceServers\": [").unwrap_err();
    assert!(matches!(err, ConfigError::JsonSyntax { line: 1, .. }));
    assert_eq!(err.dom_name(), "SyntaxError");
}

#[test]
fn certificates_are_named_and_written_back() {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let mut registry = CertificateRegistry::new();
    let handle = registry.insert(
        "c1",
        RtcCertificate::generate(&CertificateOptions::default(), now, &mut rng).unwrap(),
    );
    let c = RtcConfiguration::from_json_str(
        r#"{"certificates":[{"$cert":"c1"},{"$cert":"c1"}]}"#,
        &registry,
    )
    .unwrap();
    assert!(std::sync::Arc::ptr_eq(&c.certificates[0], &handle));
    assert!(std::sync::Arc::ptr_eq(&c.certificates[1], &handle));
    let out = c.to_json_value(&registry);
    assert_eq!(
        out["certificates"][0],
        json!({"$cert": "c1", "expires": handle.expires_millis()})
    );
    // Without a name, the fingerprint stands in.
    let out = c.to_json_value(&CertificateRegistry::new());
    assert!(out["certificates"][0]["$cert"]
        .as_str()
        .unwrap()
        .starts_with("sha-256 "));
}

#[test]
fn written_json_reads_back_equal() {
    let text = r#"{"iceServers":[{"urls":"turn:b.example","username":"u","credential":"p"}],"bundlePolicy":"max-compat","iceCandidatePoolSize":4}"#;
    let registry = CertificateRegistry::new();
    let c = read(text).unwrap();
    let again = RtcConfiguration::from_json_value(&c.to_json_value(&registry), &registry).unwrap();
    assert_eq!(again, c);
}

#[test]
fn an_array_configuration_is_an_empty_dictionary() {
    // WebIDL reads the members of any object; an array has none of them.
    assert_eq!(read("[]").unwrap(), RtcConfiguration::default());
    assert_eq!(
        read(r#"{"iceServers":[[]]}"#).unwrap_err(),
        ConfigError::UrlsMissing { server: 0 }
    );
}
