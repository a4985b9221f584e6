//! ICE server URLs (`stun:`, `stuns:`, `turn:`, `turns:`, RFC 7064/7065 as
//! the W3C "validate an ICE server URL" reads them): any text; an accepted
//! URL's normalised form parses to the same URL.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sansrtc_config::IceServerUrl;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(url) = IceServerUrl::parse(text) {
        let _ = url.effective_port();
        let written = url.to_string();
        let again = IceServerUrl::parse(&written).expect("a normalised URL parses");
        assert_eq!(again, url, "{text:?} normalised to {written:?}");
    }
});
