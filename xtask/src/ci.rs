//! `cargo xtask ci`: everything CI checks, in the order a developer wants to
//! see failures (cheap first), ending with `cargo xtask sim --quick`.

use std::process::{Command, ExitCode};

use crate::{guard, workspace_root};

/// One step: a program with arguments and extra environment variables.
struct Step {
    name: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
}

const STEPS: &[Step] = &[
    Step {
        name: "format",
        args: &["fmt", "--all", "--check"],
        env: &[],
    },
    Step {
        name: "clippy",
        args: &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    Step {
        name: "tests",
        args: &["test", "--workspace", "--no-fail-fast"],
        env: &[],
    },
    Step {
        name: "docs",
        args: &["doc", "--workspace", "--no-deps"],
        env: &[("RUSTDOCFLAGS", "-D warnings")],
    },
];

/// Runs every step; stops at the first failure.
pub fn run(_args: &[String]) -> ExitCode {
    let root = workspace_root();
    println!("== xtask ci: sans-io guard");
    if guard::run(&root) != ExitCode::SUCCESS {
        return ExitCode::FAILURE;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for step in STEPS {
        println!("== xtask ci: {} (cargo {})", step.name, step.args.join(" "));
        let status = Command::new(&cargo)
            .args(step.args)
            .envs(step.env.iter().copied())
            .current_dir(&root)
            .status();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => {
                eprintln!("xtask ci: step `{}` failed ({s})", step.name);
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("xtask ci: cannot run cargo: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("== xtask ci: sim --quick (a few seeds of every scenario)");
    if crate::sim::run(&["--quick".to_string()]) != ExitCode::SUCCESS {
        eprintln!("xtask ci: step `sim --quick` failed");
        return ExitCode::FAILURE;
    }
    println!("== xtask ci: all steps passed");
    ExitCode::SUCCESS
}
