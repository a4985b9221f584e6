//! JSEP in the peer connection, the offerer's side: a connection that made
//! and applied its offer (a data channel) given a hostile answer (or, with
//! a first byte `P`, a pranswer), then the input's `a=candidate:` lines
//! trickled. No panic; a refused answer leaves the connection in
//! `have-local-offer`.
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
    let mut pc = connection(now, "127.0.0.1:5001");
    pc.create_data_channel(now, DataChannelInit::new("chat"))
        .unwrap();
    let offer = pc.create_offer(now).unwrap();
    pc.set_local_description(now, offer).unwrap();
    drain(&mut pc);
    let (description, text) = match text.strip_prefix('P') {
        Some(rest) => (RtcSessionDescription::pranswer(rest), rest),
        None => (RtcSessionDescription::answer(text), text),
    };
    if pc.set_remote_description(now, description).is_err() {
        assert_eq!(pc.signaling_state(), SignalingState::HaveLocalOffer);
    }
    drain(&mut pc);
    for line in text
        .lines()
        .filter(|l| l.starts_with("a=candidate:"))
        .take(16)
    {
        let _ = pc.add_ice_candidate(now, &IceCandidateInit::new(&line[2..], "0"));
        drain(&mut pc);
    }
    let later = now + Duration::from_secs(2);
    pc.handle_timeout(later);
    drain(&mut pc);
});
