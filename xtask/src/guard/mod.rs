//! The Sans-IO guard: every crate under `crates/` must stay free of I/O.
//!
//! It fails when
//! - a core crate (every crate under `crates/` but the test-only ones in
//!   [`deps::TEST_ONLY_CRATES`]) has a normal or build dependency on the
//!   deny-list in [`deps`] (runtimes, sockets, OS randomness, OS bindings);
//! - non-test code in a crate's `src/` names a forbidden path of
//!   [`rules`]: a clock read, a system or global RNG, a thread, a socket, a
//!   name lookup, a file or the console, a process, the environment, or a
//!   hash map with a random state. Names are resolved first ([`scope`]):
//!   `use` renames, nested groups, globs, `self`/`super`/`crate` paths and
//!   re-exports inside the crate are seen through.
//!
//! Test code is exempt: `tests/`, `benches/`, `examples/`, `fuzz/` (none is
//! under `src/`), `#[cfg(test)]` items and `#[cfg(test)] mod x;` files.
//! Deliberate exceptions are listed with a reason in
//! `xtask/sansio-allow.toml` ([`allow`]), one forbidden path in one item
//! each.

mod allow;
mod deps;
mod facts;
mod rules;
mod scan;
mod scope;
mod source;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use facts::Facts;
use source::CrateTree;

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The offending file (the manifest for a dependency finding).
    pub file: PathBuf,
    /// 1-based line, 0 for a manifest-level finding.
    pub line: usize,
    /// What is wrong.
    pub what: String,
}

/// The guard's verdict on a workspace.
#[derive(Debug, Default)]
pub struct Report {
    /// What fails the guard.
    pub violations: Vec<Violation>,
    /// What only deserves a look (stale allow entries).
    pub notes: Vec<String>,
}

/// Runs the guard over `root/crates` and prints the result.
pub fn run(root: &Path) -> ExitCode {
    match check_workspace(root) {
        Ok(report) => {
            for note in &report.notes {
                println!("sans-io guard: note: {note}");
            }
            if report.violations.is_empty() {
                println!("sans-io guard: crates/ keep the Sans-IO contract");
                return ExitCode::SUCCESS;
            }
            for v in &report.violations {
                eprintln!("{}:{}: {}", v.file.display(), v.line, v.what);
            }
            eprintln!("sans-io guard: {} violation(s)", report.violations.len());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("sans-io guard: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One crate under `crates/`, loaded.
struct Crate {
    package: String,
    manifest: PathBuf,
    dependencies: Vec<deps::Dependency>,
    trees: Vec<CrateTree>,
    facts: Facts,
}

/// Checks every crate folder under `root/crates`.
pub fn check_workspace(root: &Path) -> Result<Report, String> {
    let workspace = read_toml(&root.join("Cargo.toml")).unwrap_or_default();
    let allows = allow::load(root)?;
    let crates_dir = root.join("crates");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&crates_dir)
        .map_err(|e| format!("cannot read {}: {e}", crates_dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    let mut crates = Vec::new();
    for dir in dirs {
        crates.push(load_crate(&dir, &workspace)?);
    }
    merge_elapsed(&mut crates);
    share_exports(&mut crates);

    let mut report = Report::default();
    let mut used = BTreeSet::new();
    for krate in &crates {
        if !deps::TEST_ONLY_CRATES.contains(&krate.package.as_str()) {
            for dep in &krate.dependencies {
                if let Some(why) = deps::denial(dep) {
                    report.violations.push(Violation {
                        file: krate.manifest.clone(),
                        line: 0,
                        what: format!("[{}] {why}: core crates own no I/O", dep.section),
                    });
                }
            }
        }
        for tree in &krate.trees {
            for file in tree.files.iter().filter(|f| !f.test) {
                let rel = relative(root, &file.path);
                for f in scan::scan_file(&tree.index, &krate.facts, &file.module, &file.ast) {
                    let allowed = allows.iter().position(|a| {
                        a.file == rel && a.item == f.item && a.forbidden == f.forbidden
                    });
                    if let Some(i) = allowed {
                        used.insert(i);
                        continue;
                    }
                    report.violations.push(Violation {
                        file: file.path.clone(),
                        line: f.line,
                        what: format!(
                            "{} (in `{}`; forbidden `{}`)",
                            f.what,
                            display_item(&f.item),
                            f.forbidden
                        ),
                    });
                }
            }
        }
    }
    report
        .violations
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    for (_, a) in allows.iter().enumerate().filter(|(i, _)| !used.contains(i)) {
        report.notes.push(if root.join(&a.file).is_file() {
            format!(
                "stale allow: `{}` in {} no longer uses `{}` (remove the entry from {})",
                display_item(&a.item),
                a.file,
                a.forbidden,
                allow::ALLOW_FILE
            )
        } else {
            format!(
                "stale allow: {} no longer exists (remove the entry for `{}` from {})",
                a.file,
                a.item,
                allow::ALLOW_FILE
            )
        });
    }
    Ok(report)
}

fn load_crate(dir: &Path, workspace: &toml::Table) -> Result<Crate, String> {
    let manifest = dir.join("Cargo.toml");
    let doc = read_toml(&manifest)?;
    let package = doc
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .unwrap_or_default()
        .to_string();
    let dependencies = deps::dependencies(&doc, workspace);
    let mut trees = source::load(&dir.join("src"))?;
    for tree in &mut trees {
        tree.index.externs = deps::renames(&dependencies);
    }
    let facts = Facts::of(&trees);
    Ok(Crate {
        package,
        manifest,
        dependencies,
        trees,
        facts,
    })
}

/// A crate that depends on one defining an `elapsed` method may call it:
/// the by-name `.elapsed()` rule then stays off there.
fn merge_elapsed(crates: &mut [Crate]) {
    let defining: BTreeSet<String> = crates
        .iter()
        .filter(|c| c.facts.defines_elapsed)
        .map(|c| c.package.clone())
        .collect();
    for c in crates.iter_mut() {
        if c.dependencies.iter().any(|d| defining.contains(&d.package)) {
            c.facts.defines_elapsed = true;
        }
    }
}

/// Lets every crate see through what the workspace's libraries re-export
/// from outside crates (`pub use std::time::Instant as Clock;` in one crate,
/// `other::Clock::now()` in another).
fn share_exports(crates: &mut [Crate]) {
    let mut exports = std::collections::BTreeMap::new();
    for c in crates.iter() {
        if let Some(lib) = c.trees.first() {
            exports.extend(lib.index.exports(&c.package.replace('-', "_")));
        }
    }
    for c in crates.iter_mut() {
        for tree in &mut c.trees {
            tree.index.foreign = exports.clone();
        }
    }
}

fn read_toml(path: &Path) -> Result<toml::Table, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    text.parse()
        .map_err(|e| format!("{}: bad TOML: {e}", path.display()))
}

/// `path` relative to `root`, with `/`.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn display_item(item: &str) -> &str {
    if item.is_empty() {
        "the crate root"
    } else {
        item
    }
}
