//! The dependency deny-list of the core crates: no I/O runtime, socket,
//! OS randomness or OS binding among `[dependencies]` and
//! `[build-dependencies]` (also under `[target.*]`). `workspace = true`
//! entries are resolved against the root `[workspace.dependencies]`
//! (package renames, features, `default-features`). Dev-dependencies are
//! free: tests may use anything.

use std::collections::BTreeMap;

/// Crates under `crates/` that only tests and benches use, so their
/// normal dependencies are not the protocol stack's: the libsrtp2 FFI
/// wrapper (an FFI crate may legitimately need `libc`). Their sources are
/// still scanned.
pub const TEST_ONLY_CRATES: &[&str] = &["sansrtc-srtp-libsrtp2-ref"];

/// Denied packages and why.
pub const DENIED: &[(&str, &str)] = &[
    ("tokio", "an I/O runtime"),
    ("mio", "an I/O event loop"),
    ("async-std", "an I/O runtime"),
    ("smol", "an I/O runtime"),
    ("async-io", "an I/O reactor"),
    ("polling", "an I/O poller"),
    ("socket2", "sockets"),
    ("getrandom", "OS randomness (take an injected RngCore)"),
    ("fastrand", "a global, self-seeded RNG"),
    ("reqwest", "an HTTP client"),
    ("hyper", "HTTP over sockets"),
    ("hyper-util", "HTTP over sockets"),
    ("ureq", "an HTTP client"),
    ("libc", "direct OS calls"),
    ("nix", "direct OS calls"),
    ("rayon", "a thread pool"),
    ("tempfile", "files"),
];

/// Features of `rand` that bring a thread-local or OS RNG.
const RAND_OS_FEATURES: &[&str] = &["std", "std_rng", "thread_rng", "os_rng", "getrandom"];

/// Features of the `rand_core` family that name OS randomness explicitly.
/// (`rand_core` 0.6's `std` implies `getrandom` too; the source rules
/// catch `OsRng` wherever it is used, so `std` alone is not denied.)
const CORE_OS_FEATURES: &[&str] = &["getrandom", "os_rng"];

/// One dependency after `workspace = true` resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// The key in the manifest (the name the code uses).
    pub key: String,
    /// The package.
    pub package: String,
    /// Whether default features are on.
    pub default_features: bool,
    /// Features asked for.
    pub features: Vec<String>,
    /// `dependencies` or `build-dependencies`.
    pub section: String,
}

/// The normal and build dependencies of a manifest, resolved against the
/// workspace's `[workspace.dependencies]`.
pub fn dependencies(manifest: &toml::Table, workspace: &toml::Table) -> Vec<Dependency> {
    let mut tables: Vec<(&str, &toml::Table)> = Vec::new();
    let sections = ["dependencies", "build-dependencies"];
    for section in sections {
        if let Some(t) = manifest.get(section).and_then(|v| v.as_table()) {
            tables.push((section, t));
        }
    }
    if let Some(targets) = manifest.get("target").and_then(|v| v.as_table()) {
        for target in targets.values().filter_map(|v| v.as_table()) {
            for section in sections {
                if let Some(t) = target.get(section).and_then(|v| v.as_table()) {
                    tables.push((section, t));
                }
            }
        }
    }
    let ws_deps = workspace
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(|d| d.as_table());
    let mut out = Vec::new();
    for (section, table) in tables {
        for (key, spec) in table {
            let inherited = spec.get("workspace").and_then(|w| w.as_bool()) == Some(true);
            let base = inherited
                .then(|| ws_deps.and_then(|d| d.get(key)))
                .flatten();
            let field = |name: &str| spec.get(name).or_else(|| base.and_then(|b| b.get(name)));
            let package = field("package")
                .and_then(|p| p.as_str())
                .unwrap_or(key)
                .to_string();
            let default_features = base
                .or(Some(spec))
                .and_then(|s| s.get("default-features"))
                .and_then(|d| d.as_bool())
                .unwrap_or(true);
            let mut features: Vec<String> = [Some(spec), base]
                .into_iter()
                .flatten()
                .filter_map(|s| s.get("features").and_then(|f| f.as_array()))
                .flatten()
                .filter_map(|f| f.as_str().map(str::to_string))
                .collect();
            features.sort();
            features.dedup();
            out.push(Dependency {
                key: key.clone(),
                package,
                default_features,
                features,
                section: section.to_string(),
            });
        }
    }
    out
}

/// Why `dep` is denied in a core crate, if it is.
pub fn denial(dep: &Dependency) -> Option<String> {
    if let Some((_, why)) = DENIED.iter().find(|(name, _)| *name == dep.package) {
        return Some(format!("`{}`: {why}", dep.package));
    }
    let has = |list: &[&str]| {
        dep.features
            .iter()
            .find(|f| list.contains(&f.as_str()))
            .cloned()
    };
    if dep.package == "rand" {
        if dep.default_features {
            return Some(
                "`rand` with default features: `thread_rng` and `OsRng` (use \
                 `default-features = false` and an injected RNG)"
                    .into(),
            );
        }
        if let Some(f) = has(RAND_OS_FEATURES) {
            return Some(format!(
                "`rand` with feature `{f}`: a thread-local or OS RNG"
            ));
        }
    }
    if matches!(dep.package.as_str(), "rand_core" | "rand_chacha") {
        if let Some(f) = has(CORE_OS_FEATURES) {
            return Some(format!(
                "`{}` with feature `{f}`: OS randomness",
                dep.package
            ));
        }
    }
    None
}

/// Name a dependency has in code → its crate name (`-` as `_`), for the
/// dependencies that are renamed.
pub fn renames(deps: &[Dependency]) -> BTreeMap<String, String> {
    deps.iter()
        .filter(|d| d.key != d.package)
        .map(|d| (d.key.replace('-', "_"), d.package.replace('-', "_")))
        .collect()
}
