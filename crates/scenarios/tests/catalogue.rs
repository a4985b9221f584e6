//! The catalogue's own checks: unique names, and every network scenario
//! passes on a few seeds (the long runs are `cargo xtask sim`'s job).

use std::collections::BTreeSet;

use sansrtc_scenarios::{catalogue, network, ScenarioInput};

#[test]
fn names_are_unique_and_prefixed() {
    let all = catalogue();
    let names: BTreeSet<&str> = all.iter().map(|s| s.name).collect();
    assert_eq!(names.len(), all.len(), "duplicate scenario names");
    for s in &all {
        assert!(s.name.contains('/'), "{} has no module prefix", s.name);
        assert!(s.default_seeds > 0, "{} runs no seeds", s.name);
        assert!(!s.description.is_empty());
    }
}

#[test]
fn network_scenarios_pass_on_three_seeds() {
    for scenario in network::scenarios() {
        for seed in 1..=3 {
            let outcome = (scenario.run)(&ScenarioInput {
                seed,
                capture: false,
            });
            match outcome {
                Ok(o) => {
                    assert!(o.time_to_goal.as_nanos() > 0, "{}", scenario.name);
                    assert!(o.pcap.is_none());
                }
                Err(e) => panic!(
                    "{} failed with seed {seed}: {e}\nreproduce: cargo xtask sim --scenario {} --seed {seed}",
                    scenario.name, scenario.name
                ),
            }
        }
    }
}

#[test]
fn capture_returns_a_pcap() {
    let delivery = catalogue()
        .into_iter()
        .find(|s| s.name == "network/delivery")
        .expect("network/delivery is registered");
    let o = (delivery.run)(&ScenarioInput {
        seed: 9,
        capture: true,
    })
    .expect("delivery passes");
    let pcap = o.pcap.expect("a capture was asked for");
    assert_eq!(&pcap[..4], &0xa1b2_c3d4u32.to_le_bytes());
    assert!(pcap.len() > 24 + 400 * 16);
}
