//! Any bytes: the reader must not panic, and whatever it accepts must write
//! back to text that parses to the same description (and the typed view must
//! not panic either).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sansrtc_sdp::{SessionDescription, SessionView};

fuzz_target!(|data: &[u8]| {
    if let Ok(description) = SessionDescription::parse_bytes(data) {
        let _ = SessionView::new(&description);
        let written = description.to_string();
        let again: SessionDescription = written.parse().expect("written text parses");
        assert_eq!(again, description);
        assert_eq!(again.to_string(), written);
    }
});
