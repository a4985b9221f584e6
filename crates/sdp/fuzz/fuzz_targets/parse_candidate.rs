//! Any text as a trickled candidate: no panic; accepted candidates write
//! back to text that parses to the same candidate.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sansrtc_sdp::Candidate;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(candidate) = text.parse::<Candidate>() {
            let written = candidate.to_string();
            let again: Candidate = written.parse().expect("written candidate parses");
            assert_eq!(again, candidate);
        }
    }
});
