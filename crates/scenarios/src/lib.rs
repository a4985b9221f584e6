//! The catalogue of seeded simulation scenarios behind `cargo xtask sim`.
//!
//! Each protocol registers one module here with `pub fn scenarios() ->
//! Vec<Scenario>`; [`catalogue`] concatenates them. A scenario builds a
//! [`sansrtc_netsim::Network`] from its seed, runs machines on it, checks
//! its goal and reports the simulated time it took.
//!
//! ```
//! use sansrtc_scenarios::{catalogue, ScenarioInput};
//!
//! let delivery = catalogue().into_iter().find(|s| s.name == "network/delivery").unwrap();
//! let outcome = (delivery.run)(&ScenarioInput { seed: 1, capture: false }).unwrap();
//! assert!(outcome.time_to_goal.as_millis() > 0);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::time::{Duration, Instant};

pub mod call;
pub mod datachannel;
pub mod dtls;
pub mod dtls13;
pub mod ice;
pub mod network;
pub mod sctp;
pub mod servers;
mod setup;
pub mod stun;
pub mod turn;

/// What one run of a scenario is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScenarioInput {
    /// The seed of everything random in the run.
    pub seed: u64,
    /// Whether to return a pcap of the traffic.
    pub capture: bool,
}

/// What one successful run reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Simulated time from the start to the scenario's goal.
    pub time_to_goal: Duration,
    /// Application bytes per simulated second, where a transfer applies.
    pub throughput_bytes_per_sec: Option<f64>,
    /// The capture, when asked for.
    pub pcap: Option<Vec<u8>>,
}

/// One named scenario.
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    /// A unique name, `module/what` (e.g. `network/delivery`).
    pub name: &'static str,
    /// One line on what it checks.
    pub description: &'static str,
    /// Seeds run by default by `cargo xtask sim`.
    pub default_seeds: u64,
    /// How many distinct cases the seed chooses among (`seed % cases`: a
    /// NAT pair, which side uses RSA, …); 1 when the seed varies only the
    /// randomness. `cargo xtask sim --quick` runs at least this many
    /// seeds, so every case runs in CI.
    pub cases: u64,
    /// Runs once; `Err` says why the goal was not reached.
    pub run: fn(&ScenarioInput) -> Result<Outcome, String>,
}

/// Every scenario, module by module.
pub fn catalogue() -> Vec<Scenario> {
    let mut all = Vec::new();
    all.extend(network::scenarios());
    all.extend(servers::scenarios());
    all.extend(datachannel::scenarios());
    all.extend(stun::scenarios());
    all.extend(ice::scenarios());
    all.extend(turn::scenarios());
    all.extend(sctp::scenarios());
    all.extend(dtls::scenarios());
    all.extend(dtls13::scenarios());
    all.extend(call::scenarios());
    all
}

/// The instant a scenario's simulated clock starts at. Only the simulator
/// reads it (as an anchor); every duration a scenario reports is simulated
/// time measured from it, so runs stay reproducible.
pub fn anchor() -> Instant {
    // Allowed by xtask/sansio-allow.toml: the anchor of simulated time.
    Instant::now()
}
