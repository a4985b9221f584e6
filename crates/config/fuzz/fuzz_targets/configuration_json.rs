//! `RTCConfiguration` from JSON with the WebIDL conversions, then the
//! constructor's validation (`RtcConfigurationState::construct`, which
//! validates every ICE server URL and credential): any text. A converted
//! configuration writes back to JSON that converts to the same JSON.
#![no_main]

use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use sansrtc_config::{CertificateRegistry, RtcConfiguration, RtcConfigurationState};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let registry = CertificateRegistry::new();
    let Ok(config) = RtcConfiguration::from_json_str(text, &registry) else {
        return;
    };
    let json = config.to_json_value(&registry);
    let again = RtcConfiguration::from_json_value(&json, &registry).expect("written JSON converts");
    assert_eq!(again.to_json_value(&registry), json);
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    if let Ok(mut state) = RtcConfigurationState::construct(config.clone(), now) {
        let _ = state.ice_servers().len();
        let _ = state.set_configuration(again);
        let _ = state.get_configuration();
        state.close();
    }
});
