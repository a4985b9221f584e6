//! Remote candidates as trickled text (`addIceCandidate`: the `a=candidate`
//! grammar, mDNS `.local` names, TCP types, IPv6, any priority): each
//! line of the input is one candidate to a checking agent, with end of
//! candidates and time in between. No panic; the candidate and pair limits
//! hold.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc_ice::{Agent, AgentConfig};
use sansrtc_proto::Output;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut now = Instant::now();
    let mut agent = Agent::new(AgentConfig::default(), ChaCha20Rng::seed_from_u64(1)).unwrap();
    agent
        .add_local_address(now, "10.0.0.1:5000".parse().unwrap())
        .unwrap();
    agent
        .add_local_address(now, "[fd00::1]:5000".parse().unwrap())
        .unwrap();
    agent
        .set_remote_credentials(now, "peerufrag", "peerpassword1234567890abc")
        .unwrap();
    agent.gather(now);
    for line in text.lines() {
        match line {
            "" => agent.end_of_remote_candidates(now),
            "+" => {
                now += Duration::from_millis(500);
                agent.handle_timeout(now);
            }
            _ => {
                let _ = agent.add_remote_candidate_str(now, line);
            }
        }
        while !matches!(agent.poll_output(), Output::Timeout(_)) {}
        assert!(agent.remote_candidate_count() <= 100);
        assert!(agent.pair_count() <= 200);
    }
});
