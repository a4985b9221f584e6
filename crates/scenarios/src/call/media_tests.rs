//! The media scenarios on a seed each (PLI and FIR for the keyframe one),
//! their figures printed (`cargo test -p sansrtc-scenarios media --
//! --nocapture`), and one run replayed.

use super::*;

fn run(name: &str, seed: u64) -> MediaFigures {
    let input = ScenarioInput {
        seed,
        capture: false,
    };
    let result = figures(name, &input).unwrap_or_else(|| panic!("{name} has no figures"));
    match result {
        Ok(f) => {
            eprintln!("{name} seed {seed}: {f}");
            f
        }
        Err(e) => panic!(
            "{name} seed {seed}: {e}\n  reproduce: cargo xtask sim --scenario {name} --seed {seed}"
        ),
    }
}

#[test]
fn the_media_scenarios_are_registered() {
    let names: Vec<&str> = super::super::scenarios().iter().map(|s| s.name).collect();
    for s in scenarios() {
        assert!(
            names.contains(&s.name),
            "{} not in call::scenarios()",
            s.name
        );
        assert!(runner(s.name).is_some(), "{} has no figures", s.name);
    }
}

#[test]
fn audio_loss_delivers_about_nine_tenths_without_nack() {
    let f = run("call/audio-loss", 1);
    assert!((0.85..=0.95).contains(&f.delivered()), "{f}");
    assert!(f.rtt.is_some());
    assert_eq!(f.nacks_and_retransmissions, (0, 0));
}

#[test]
fn video_loss_recovers_the_lost_packets() {
    let f = run("call/video-loss", 1);
    assert!(f.recovery.is_some_and(|r| r >= 0.99), "{f}");
    assert_eq!(f.frames_corrupt, 0);
    assert!(f.frames_whole > 0);
}

#[test]
fn pli_and_fir_bring_a_keyframe() {
    for seed in [1, 2] {
        let f = run("call/pli-keyframe", seed);
        assert_eq!(f.keyframe_delays.len(), 3);
        for (_, delay) in &f.keyframe_delays {
            assert!(delay.is_some_and(|d| d <= Duration::from_secs(1)), "{f}");
        }
    }
}

#[test]
fn a_media_run_replays_for_its_seed() {
    let input = ScenarioInput {
        seed: 3,
        capture: false,
    };
    let (o1, f1) = audio_loss(&input).unwrap_or_else(|e| panic!("seed 3: {e}"));
    let (o2, f2) = audio_loss(&input).unwrap_or_else(|e| panic!("seed 3: {e}"));
    assert_eq!(f1, f2);
    assert_eq!(o1.time_to_goal, o2.time_to_goal);
    assert_eq!(o1.throughput_bytes_per_sec, o2.throughput_bytes_per_sec);
    let (_, f3) =
        audio_loss(&ScenarioInput { seed: 4, ..input }).unwrap_or_else(|e| panic!("seed 4: {e}"));
    assert_ne!(f1, f3);
}

/// Every default seed of every media scenario, figures printed:
/// `cargo test -p sansrtc-scenarios --release media_figures -- --ignored --nocapture`.
#[test]
#[ignore = "prints the figures of every default seed; run by hand"]
fn media_figures_of_every_default_seed() {
    for s in scenarios() {
        for seed in 1..=s.default_seeds {
            run(s.name, seed);
        }
    }
}
