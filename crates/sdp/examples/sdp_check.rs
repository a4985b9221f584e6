//! Parses each SDP file given, checks its WebRTC attributes and that writing
//! it back gives the same lines (line endings aside).
//!
//! ```text
//! cargo run -p sansrtc-sdp --example sdp_check -- FILE...
//! ```
//!
//! Prints one line per file, `OK FILE: N media sections, round-trip
//! identical` or `FAIL FILE: line L: reason`, and exits non-zero if any file
//! fails (2 when no file is given).

use std::process::ExitCode;

use sansrtc_sdp::check::{check_round_trip, CheckFailure};

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: sdp_check FILE...");
        return ExitCode::from(2);
    }
    let mut failed = false;
    for file in &files {
        let result = std::fs::read(file)
            .map_err(|e| CheckFailure {
                line: 0,
                reason: format!("cannot read the file: {e}"),
            })
            .and_then(|bytes| check_round_trip(&bytes));
        match result {
            Ok(n) => println!("OK {file}: {n} media sections, round-trip identical"),
            Err(failure) => {
                failed = true;
                println!("FAIL {file}: {failure}");
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
