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

#[test]
fn turn_relay_capture_decodes_as_stun_and_turn_in_tshark() {
    let scenario = catalogue()
        .into_iter()
        .find(|s| s.name == "network/turn-relay")
        .expect("network/turn-relay is registered");
    let o = (scenario.run)(&ScenarioInput {
        seed: 3,
        capture: true,
    })
    .expect("the relay scenario passes");
    let path = std::env::temp_dir().join(format!("sansrtc-turn-relay-{}.pcap", std::process::id()));
    std::fs::write(&path, o.pcap.expect("a capture")).unwrap();
    let out = std::process::Command::new("tshark")
        .args([
            "-r",
            path.to_str().unwrap(),
            "-Y",
            "stun",
            "-T",
            "fields",
            "-e",
            "stun.type",
        ])
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `tshark` ({e}): install the Debian package `tshark` (.ci/run does)")
        });
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let types = String::from_utf8(out.stdout).unwrap();
    // Allocate request (0x0003), 401 (0x0113), success (0x0103),
    // ChannelBind request (0x0009) and success (0x0109), each captured on
    // both sides of the NAT; the data itself is ChannelData.
    for t in ["0x0003", "0x0113", "0x0103", "0x0009", "0x0109"] {
        assert!(types.lines().any(|l| l == t), "{t} missing in {types}");
    }
}

#[test]
fn network_scenarios_are_deterministic() {
    for scenario in catalogue()
        .into_iter()
        .filter(|s| s.name.starts_with("network/"))
    {
        let input = ScenarioInput {
            seed: 77,
            capture: true,
        };
        let a = (scenario.run)(&input).expect("passes");
        let b = (scenario.run)(&input).expect("passes");
        assert_eq!(a.time_to_goal, b.time_to_goal, "{}", scenario.name);
        assert_eq!(
            a.throughput_bytes_per_sec, b.throughput_bytes_per_sec,
            "{}",
            scenario.name
        );
        assert!(a.pcap == b.pcap, "{}: captures differ", scenario.name);
    }
}
