//! JSEP in the peer connection, the offerer's side: a connection that made
//! and applied its offer (a data channel) given a hostile answer (or, with
//! a first byte `P`, a pranswer), then the input's `a=candidate:` lines
//! trickled. No panic; a refused answer leaves the connection in
//! `have-local-offer`.
#![no_main]

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use libfuzzer_sys::fuzz_target;
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc::*;

fn certificate() -> Arc<RtcCertificate> {
    static CERT: OnceLock<Arc<RtcCertificate>> = OnceLock::new();
    CERT.get_or_init(|| {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        Arc::new(
            RtcCertificate::generate(
                &sansrtc_config::CertificateOptions::default(),
                now,
                &mut rng,
            )
            .unwrap(),
        )
    })
    .clone()
}

fn drain(pc: &mut RtcPeerConnection) {
    for _ in 0..10_000 {
        if let Output::Timeout(_) = pc.poll_output() {
            return;
        }
    }
    panic!("poll_output does not end");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let now = Instant::now();
    let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let config = RtcConfiguration {
        certificates: vec![certificate()],
        ..RtcConfiguration::default()
    };
    let mut pc = RtcPeerConnection::new(config, ChaCha20Rng::seed_from_u64(4), now, wall).unwrap();
    pc.add_local_address(now, "127.0.0.1:5001".parse().unwrap())
        .unwrap();
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
