//! Untrusted input never panics: arbitrary JSON through the reader and the
//! connection, arbitrary strings through the URL validator, arbitrary bytes
//! through PEM import, arbitrary case files through the runner.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use proptest::prelude::*;
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc_config::conformance::run_case_file;
use sansrtc_config::{
    CertificateRegistry, IceServerUrl, RtcCertificate, RtcConfiguration, RtcConfigurationState,
};
use serde_json::Value;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-z:/?#@\\[\\]0-9.=%\\\\ -]{0,24}".prop_map(Value::from),
        prop_oneof![
            Just("stun:a.example"),
            Just("turn:t.example?transport=tcp"),
            Just("relay"),
            Just("max-bundle"),
            Just("negotiate"),
            Just("255.9"),
            Just("0x10"),
        ]
        .prop_map(Value::from),
    ];
    let keys = prop_oneof![
        Just("iceServers"),
        Just("urls"),
        Just("username"),
        Just("credential"),
        Just("bundlePolicy"),
        Just("rtcpMuxPolicy"),
        Just("iceTransportPolicy"),
        Just("iceCandidatePoolSize"),
        Just("certificates"),
        Just("peerIdentity"),
        Just("$cert"),
        Just("other"),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..6).prop_map(|kv| Value::Object(
                kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn reader_and_connection_never_panic(first in json_value(), second in json_value()) {
        let registry = CertificateRegistry::new();
        if let Ok(config) = RtcConfiguration::from_json_value(&first, &registry) {
            if let Ok(mut state) = RtcConfigurationState::construct(config, now()) {
                let before = state.get_configuration().clone();
                if let Ok(next) = RtcConfiguration::from_json_value(&second, &registry) {
                    if state.set_configuration(next).is_err() {
                        prop_assert_eq!(state.get_configuration(), &before);
                    }
                }
            }
        }
    }

    #[test]
    fn url_validation_never_panics(s in "\\PC{0,40}", t in "(stun|turns?):[\\[\\]a-f0-9:.%@/?#=\\\\ ]{0,30}") {
        let _ = IceServerUrl::parse(&s);
        if let Ok(url) = IceServerUrl::parse(&t) {
            // What validates re-validates from its normalised form.
            prop_assert_eq!(IceServerUrl::parse(&url.to_string()), Ok(url));
        }
    }

    #[test]
    fn pem_import_never_panics(s in "\\PC{0,200}", bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = RtcCertificate::from_pem(&s);
        let block = pem::encode(&pem::Pem::new("CERTIFICATE", bytes.clone()))
            + &pem::encode(&pem::Pem::new("PRIVATE KEY", bytes));
        prop_assert!(RtcCertificate::from_pem(&block).is_err());
    }

    #[test]
    fn runner_never_panics(cases in prop::collection::vec(json_value(), 0..4)) {
        let text = Value::Array(cases).to_string();
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let mut clock = now;
        let _ = run_case_file(&text, &mut clock, &mut rng);
    }
}
