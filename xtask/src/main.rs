//! `cargo xtask …`: the project's automation.
//!
//! Subcommands:
//! - `ci`: format check, the Sans-IO guard, clippy with `-D warnings`, all
//!   tests, and `cargo doc` without warnings.
//! - `guard`: only the Sans-IO guard (see [`guard`]).
//! - `conformance [FILE…]`: W3C configuration and ICE URL cases.
//! - `sim`: the seeded network-simulation scenarios.
//! - `bench`: the criterion benches, printed as one table of ratios.
//! - `interop`: the peer connection against Chromium, aiortc and
//!   node-datachannel (`../shared/interop/matrix.sh`).
//! - `fuzz`: build and run the cargo-fuzz targets (`--list`, `--smoke
//!   SECONDS`, `--campaign EXECUTIONS`; docs/fuzzing.md).

mod bench;
mod bench_scale;
mod ci;
mod conformance;
mod fuzz;
mod guard;
mod interop;
mod interop_versions;
mod sim;

use std::path::PathBuf;
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!("usage: cargo xtask <ci|guard|conformance|sim|bench|interop|fuzz> [ARGS…]");
    ExitCode::from(2)
}

/// The workspace root (the parent of this crate's folder).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(command) = args.next() else {
        return usage();
    };
    let rest: Vec<String> = args.collect();
    match command.as_str() {
        "ci" => ci::run(&rest),
        "guard" => guard::run(&workspace_root()),
        "conformance" => conformance::run(&workspace_root(), &rest),
        "sim" => sim::run(&rest),
        "bench" => bench::run(&rest),
        "interop" => interop::run(&rest),
        "fuzz" => fuzz::run(&rest),
        _ => usage(),
    }
}
