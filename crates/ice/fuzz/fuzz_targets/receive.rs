//! Feeds arbitrary datagrams to a checking agent (remote credentials set,
//! one remote candidate, gathering done): nothing may panic, and the
//! agent's bounds must hold.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc_ice::{Agent, AgentConfig};
use sansrtc_proto::{Output, Protocol, Receive};

fuzz_target!(|data: &[u8]| {
    let now = Instant::now();
    let mut agent = Agent::new(AgentConfig::default(), ChaCha20Rng::seed_from_u64(1)).unwrap();
    let local = "10.0.0.1:5000".parse().unwrap();
    agent.add_local_address(now, local).unwrap();
    agent
        .set_remote_credentials(now, "peerufrag", "peerpassword1234567890abc")
        .unwrap();
    let _ =
        agent.add_remote_candidate_str(now, "candidate:1 1 udp 2130706431 10.0.0.2 6000 typ host");
    agent.gather(now);
    // Split the input into datagrams at 0xFF 0xFF markers.
    for (i, chunk) in data.split(|b| *b == 0xFF).enumerate() {
        let t = now + Duration::from_millis(i as u64 * 7);
        let source = format!("10.0.0.{}:6000", 2 + (i % 3)).parse().unwrap();
        agent.handle_receive(
            t,
            Receive {
                protocol: Protocol::Udp,
                source,
                destination: local,
                contents: chunk,
            },
        );
        agent.handle_timeout(t);
        while !matches!(agent.poll_output(), Output::Timeout(_)) {}
    }
    assert!(agent.remote_candidate_count() <= 100);
    assert!(agent.pair_count() <= 200);
});
