//! The DTLS 1.3 scenarios pass on a few seeds and a seed decides the
//! outcome; a capture shows DTLS 1.3 offered and chosen.

use sansrtc_scenarios::{dtls13, ScenarioInput};

#[test]
fn dtls13_scenarios_pass_and_repeat_per_seed() {
    for scenario in dtls13::scenarios() {
        for seed in 1..=2 {
            let input = ScenarioInput {
                seed,
                capture: true,
            };
            let first = (scenario.run)(&input).unwrap_or_else(|e| {
                panic!(
                    "{} seed {seed}: {e}\nreproduce: cargo xtask sim --scenario {} --seed {seed}",
                    scenario.name, scenario.name
                )
            });
            let again = (scenario.run)(&input).unwrap();
            assert_eq!(first.time_to_goal, again.time_to_goal, "{}", scenario.name);
            assert!(
                first.pcap == again.pcap,
                "{}: captures differ",
                scenario.name
            );
            assert!(first.time_to_goal.as_millis() >= 40, "{}", scenario.name);
        }
    }
}

#[test]
fn a_clean_dtls13_handshake_takes_fewer_round_trips_than_dtls12() {
    let time = |name: &str| {
        let all = sansrtc_scenarios::catalogue();
        let s = all.iter().find(|s| s.name == name).unwrap();
        (s.run)(&ScenarioInput {
            seed: 1,
            capture: false,
        })
        .unwrap()
        .time_to_goal
    };
    let v12 = time("dtls/handshake-0pct");
    let v13 = time("dtls/v13-handshake-0pct");
    assert!(v13 < v12, "1.3 {v13:?}, 1.2 {v12:?}");
}

#[test]
fn a_dtls13_capture_shows_the_version_offered_and_chosen() {
    let s = dtls13::scenarios().into_iter().next().unwrap();
    let pcap = (s.run)(&ScenarioInput {
        seed: 1,
        capture: true,
    })
    .unwrap()
    .pcap
    .expect("capture asked for");
    // The ClientHello offers supported_versions with DTLS 1.3 (0xfefc)
    // and DTLS 1.2 (0xfefd): extension 43, length, list of 4 bytes.
    let offer = [0x00, 0x2b, 0x00, 0x05, 0x04, 0xfe, 0xfc, 0xfe, 0xfd];
    assert!(pcap.windows(offer.len()).any(|w| w == offer));
    // The ServerHello selects DTLS 1.3: extension 43 with 0xfefc.
    let chosen = [0x00, 0x2b, 0x00, 0x02, 0xfe, 0xfc];
    assert!(pcap.windows(chosen.len()).any(|w| w == chosen));
}
