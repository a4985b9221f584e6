//! A run is a function of its seed, byte for byte: one short scenario of
//! every family (`network/`, `dtls/` in both versions, whole calls `call/`,
//! …) captured in two separate processes gives identical pcap files, as
//! `cargo xtask sim --scenario NAME --seed N --pcap DIR` run twice does.
//! Separate processes, because what differs between runs of a program
//! (hash-map random state, addresses, the simulated clock's anchor, the
//! time of day) is the same within one.
//!
//! Also: the certificate a peer connection generates, and so the SDP
//! fingerprint and the whole offer, is a function of its seed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sansrtc::{DataChannelInit, RtcConfiguration, RtcPeerConnection};
use sansrtc_scenarios::{call::harness::wall_clock, catalogue, ScenarioInput};

/// One short scenario per family (each a fraction of a second in a debug
/// build), with the seed that is captured.
const PICKS: &[(&str, u64)] = &[
    ("network/loss-rate", 2),
    ("datachannel/echo-5pct", 2),
    ("stun/srflx-through-nats", 2),
    ("ice/loss-10", 2),
    ("turn/relay-through-nats", 2),
    ("sctp/loss-5pct", 2),
    ("dtls/handshake-20pct", 2),
    ("dtls/v13-handshake-20pct", 2),
    ("dtls/v13-key-update-20pct", 2),
    ("call/echo", 2),
    ("call/certificates", 1),
];

/// Set in the child processes: the directory to write the pcaps into.
const CHILD_DIR: &str = "SANSRTC_PCAP_REPRODUCIBLE_DIR";

fn family(name: &str) -> &str {
    name.split('/').next().unwrap_or(name)
}

/// The file name `cargo xtask sim --pcap` gives a run.
fn file_name(scenario: &str, seed: u64) -> String {
    format!("{}-seed{seed}.pcap", scenario.replace('/', "_"))
}

/// What a child process does: run every pick with capture, write the pcaps.
fn write_pcaps(dir: &Path) {
    let all = catalogue();
    for (name, seed) in PICKS {
        let scenario = all
            .iter()
            .find(|s| s.name == *name)
            .unwrap_or_else(|| panic!("no scenario {name}"));
        let outcome = (scenario.run)(&ScenarioInput {
            seed: *seed,
            capture: true,
        })
        .unwrap_or_else(|e| panic!("{name} seed {seed}: {e}"));
        let pcap = outcome
            .pcap
            .unwrap_or_else(|| panic!("{name} returned no capture"));
        std::fs::write(dir.join(file_name(name, *seed)), pcap).unwrap();
    }
}

#[test]
fn one_scenario_of_every_family_gives_the_same_pcap_in_two_processes() {
    if let Some(dir) = std::env::var_os(CHILD_DIR) {
        write_pcaps(Path::new(&dir));
        return;
    }
    let families: BTreeSet<&str> = catalogue().iter().map(|s| family(s.name)).collect();
    let picked: BTreeSet<&str> = PICKS.iter().map(|(n, _)| family(n)).collect();
    assert_eq!(picked, families, "pick a scenario of every family");

    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pcap_reproducible");
    let runs: Vec<PathBuf> = ["a", "b"].iter().map(|r| root.join(r)).collect();
    for dir in &runs {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).unwrap();
        let status = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "one_scenario_of_every_family_gives_the_same_pcap_in_two_processes",
                "--test-threads=1",
            ])
            .env(CHILD_DIR, dir)
            .status()
            .unwrap();
        assert!(
            status.success(),
            "the child run into {} failed",
            dir.display()
        );
    }
    for (name, seed) in PICKS {
        let file = file_name(name, *seed);
        let a = std::fs::read(runs[0].join(&file)).unwrap();
        let b = std::fs::read(runs[1].join(&file)).unwrap();
        assert!(a.len() > 24, "{file}: an empty capture");
        if a != b {
            let at = a.iter().zip(&b).position(|(x, y)| x != y);
            panic!(
                "{file} differs between two runs (lengths {} and {}, first difference at byte {at:?})",
                a.len(),
                b.len()
            );
        }
    }
}

/// The offer of a fresh peer connection with a data channel, and its
/// certificate's SDP fingerprint.
fn offer(seed: u64) -> (String, String) {
    let now = Instant::now();
    let mut pc = RtcPeerConnection::new(
        RtcConfiguration::default(),
        ChaCha20Rng::seed_from_u64(seed),
        now,
        wall_clock(),
    )
    .unwrap();
    pc.create_data_channel(now, DataChannelInit::new("x"))
        .unwrap();
    let fingerprint = pc.certificates()[0].sha256_fingerprint().to_string();
    (pc.create_offer(now).unwrap().sdp, fingerprint)
}

#[test]
fn a_seed_gives_the_same_certificate_fingerprint_and_offer() {
    let (sdp, fingerprint) = offer(7);
    assert_eq!(offer(7), (sdp.clone(), fingerprint.clone()));
    assert!(
        sdp.contains(&format!("a=fingerprint:{fingerprint}")),
        "{sdp}"
    );
    assert_ne!(offer(8).1, fingerprint);
}
