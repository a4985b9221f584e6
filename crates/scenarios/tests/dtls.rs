//! The DTLS scenarios pass on a few seeds, and a seed decides the outcome:
//! the same seed gives the same handshake time.

use sansrtc_scenarios::{dtls, ScenarioInput};

#[test]
fn dtls_scenarios_pass_and_repeat_per_seed() {
    for scenario in dtls::scenarios() {
        for seed in 1..=3 {
            let input = ScenarioInput {
                seed,
                capture: false,
            };
            let first = (scenario.run)(&input).unwrap_or_else(|e| {
                panic!(
                    "{} seed {seed}: {e}\nreproduce: cargo xtask sim --scenario {} --seed {seed}",
                    scenario.name, scenario.name
                )
            });
            let again = (scenario.run)(&input).unwrap();
            assert_eq!(first.time_to_goal, again.time_to_goal, "{}", scenario.name);
            assert!(first.time_to_goal.as_millis() >= 120, "{}", scenario.name);
        }
    }
}

#[test]
fn a_capture_holds_the_dtls_datagrams() {
    let s = dtls::scenarios().into_iter().next().unwrap();
    let out = (s.run)(&ScenarioInput {
        seed: 1,
        capture: true,
    })
    .unwrap();
    let pcap = out.pcap.expect("capture asked for");
    // Several DTLS records (content type 22, version fe fd) are in it.
    let records = pcap.windows(3).filter(|w| *w == [22, 0xfe, 0xfd]).count();
    assert!(records >= 6, "{records}");
}
