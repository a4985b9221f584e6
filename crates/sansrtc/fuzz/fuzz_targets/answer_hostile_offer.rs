//! JSEP in the peer connection: a fresh `RTCPeerConnection` (one data
//! channel of its own) given a hostile offer. `setRemoteDescription` may
//! refuse it (with a DOM error name), but must not panic; an offer it takes
//! is answered (`createAnswer`, `setLocalDescription`), the answer must be
//! SDP our own reader takes, and trickled candidates (the input's lines
//! starting `a=candidate:`) are then added. Outputs are drained throughout.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use sansrtc::*;
use sansrtc_fuzz::{connection, drain};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let now = Instant::now();
    let mut pc = connection(now, "127.0.0.1:5002");
    let _ = pc.create_data_channel(now, DataChannelInit::new("ours"));
    match pc.set_remote_description(now, RtcSessionDescription::offer(text)) {
        Err(e) => {
            let _ = e.dom_name();
            drain(&mut pc);
            return;
        }
        Ok(()) => drain(&mut pc),
    }
    if let Ok(answer) = pc.create_answer() {
        sansrtc_sdp_check(&answer.sdp);
        let _ = pc.set_local_description(now, answer);
        drain(&mut pc);
    }
    for line in text
        .lines()
        .filter(|l| l.starts_with("a=candidate:"))
        .take(16)
    {
        let init = IceCandidateInit::new(&line[2..], "0");
        let _ = pc.add_ice_candidate(now, &init);
        drain(&mut pc);
    }
    let later = now + Duration::from_secs(1);
    pc.handle_timeout(later);
    drain(&mut pc);
    pc.close(later);
    drain(&mut pc);
});

/// Our answer must be SDP (a session description the JSEP reader takes
/// back as an answer on another connection is checked by the
/// `hostile_answer` target; here: it is non-empty text with `v=0` first).
fn sansrtc_sdp_check(sdp: &str) {
    assert!(
        sdp.starts_with("v=0\r\n"),
        "answer does not start with v=0: {sdp:?}"
    );
}
