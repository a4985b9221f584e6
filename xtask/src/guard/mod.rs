//! The mechanical guard of the Sans-IO contract (docs/architecture.md).
//!
//! For every crate under `crates/` it fails when:
//! - the crate has a normal or build dependency on `tokio` or `mio`;
//! - non-test code under its `src/` reads the clock (`Instant::now`,
//!   `SystemTime::now`), opens a socket (`UdpSocket`, `TcpStream`,
//!   `TcpListener`), spawns a thread, reads files or the environment, or takes
//!   randomness from a global source (`thread_rng`, `OsRng`, `fastrand`).
//!
//! Test code is exempt: `tests/`, `benches/`, `examples/`, items under
//! `#[cfg(test)]`, and files declared as `#[cfg(test)] mod name;`.
//! A line may be allowed on purpose with a trailing `// sansio-allow: REASON`
//! comment; the reason is required and reviewed like code.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Dependencies a core crate must not have.
const FORBIDDEN_DEPENDENCIES: &[&str] = &["tokio", "mio"];

/// Source patterns that break the contract, with the reason printed.
const FORBIDDEN_CALLS: &[(&str, &str)] = &[
    ("Instant::now", "reads the clock; take `now` as an argument"),
    (
        "SystemTime::now",
        "reads the clock; take the time as an argument",
    ),
    ("UdpSocket", "opens a socket; emit a transmit instead"),
    ("TcpStream", "opens a socket; emit a transmit instead"),
    ("TcpListener", "opens a socket; emit a transmit instead"),
    ("thread::spawn", "spawns a thread"),
    ("thread::Builder", "spawns a thread"),
    ("std::fs", "reads files; take bytes as input"),
    ("File::open", "reads files; take bytes as input"),
    ("env::var", "reads the environment; take configuration"),
    ("thread_rng", "global randomness; use the injected RNG"),
    ("OsRng", "global randomness; use the injected RNG"),
    ("fastrand::", "global randomness; use the injected RNG"),
];

const ALLOW_MARKER: &str = "sansio-allow:";

/// One broken rule, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The file (a `Cargo.toml` or a `.rs` file).
    pub file: PathBuf,
    /// 1-based line, 0 for a manifest-level finding.
    pub line: usize,
    /// What is wrong.
    pub what: String,
}

/// Runs the guard over `root/crates` and prints the result.
pub fn run(root: &Path) -> ExitCode {
    match check_workspace(root) {
        Ok(violations) if violations.is_empty() => {
            println!("sans-io guard: crates/ keep the Sans-IO contract");
            ExitCode::SUCCESS
        }
        Ok(violations) => {
            for v in &violations {
                eprintln!("{}:{}: {}", v.file.display(), v.line, v.what);
            }
            eprintln!("sans-io guard: {} violation(s)", violations.len());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("sans-io guard: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Checks every crate folder under `root/crates`.
pub fn check_workspace(root: &Path) -> Result<Vec<Violation>, String> {
    let crates = root.join("crates");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&crates)
        .map_err(|e| format!("cannot read {}: {e}", crates.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    let mut violations = Vec::new();
    for dir in dirs {
        violations.extend(check_manifest(&dir.join("Cargo.toml"))?);
        violations.extend(check_sources(&dir.join("src"))?);
    }
    Ok(violations)
}

fn check_manifest(path: &Path) -> Result<Vec<Violation>, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let doc: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: bad TOML: {e}", path.display()))?;
    let mut tables: Vec<(&str, &toml::Table)> = Vec::new();
    for section in ["dependencies", "build-dependencies"] {
        if let Some(t) = doc.get(section).and_then(|v| v.as_table()) {
            tables.push((section, t));
        }
    }
    if let Some(targets) = doc.get("target").and_then(|v| v.as_table()) {
        for target in targets.values().filter_map(|v| v.as_table()) {
            for section in ["dependencies", "build-dependencies"] {
                if let Some(t) = target.get(section).and_then(|v| v.as_table()) {
                    tables.push((section, t));
                }
            }
        }
    }
    let mut out = Vec::new();
    for (section, table) in tables {
        for (name, spec) in table {
            let real = spec.get("package").and_then(|p| p.as_str()).unwrap_or(name);
            if FORBIDDEN_DEPENDENCIES.contains(&real) {
                out.push(Violation {
                    file: path.to_path_buf(),
                    line: 0,
                    what: format!(
                        "[{section}] depends on `{real}`: core crates own no I/O runtime"
                    ),
                });
            }
        }
    }
    Ok(out)
}

fn check_sources(src: &Path) -> Result<Vec<Violation>, String> {
    let mut files = Vec::new();
    collect_rs_files(src, &mut files)?;
    files.sort();
    // First pass: files declared as `#[cfg(test)] mod name;` are test code.
    let mut test_files: HashSet<PathBuf> = HashSet::new();
    for file in &files {
        let text = read(file)?;
        for name in test_module_declarations(&text) {
            let dir = module_dir(file);
            test_files.insert(dir.join(format!("{name}.rs")));
            test_files.insert(dir.join(&name).join("mod.rs"));
        }
    }
    let mut out = Vec::new();
    for file in files.iter().filter(|f| !test_files.contains(*f)) {
        let text = read(file)?;
        out.extend(scan_source(file, &text));
    }
    Ok(out)
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn collect_rs_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect_rs_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// The folder in which `mod name;` inside `file` is looked up.
fn module_dir(file: &Path) -> PathBuf {
    let parent = file.parent().unwrap_or(Path::new("")).to_path_buf();
    match file.file_stem().and_then(|s| s.to_str()) {
        Some("lib" | "main" | "mod") => parent,
        Some(stem) => parent.join(stem),
        None => parent,
    }
}

/// Names `x` of every `#[cfg(test)] mod x;` in the text.
fn test_module_declarations(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut after_cfg_test = false;
    for line in text.lines().map(str::trim) {
        if is_cfg_test(line) {
            after_cfg_test = true;
            continue;
        }
        if after_cfg_test && line.starts_with("#[") {
            continue;
        }
        if after_cfg_test {
            let decl = line.strip_prefix("pub(crate) ").unwrap_or(line);
            let decl = decl.strip_prefix("pub ").unwrap_or(decl);
            if let Some(rest) = decl.strip_prefix("mod ") {
                if let Some(name) = rest.strip_suffix(';') {
                    names.push(name.trim().to_string());
                }
            }
        }
        after_cfg_test = false;
    }
    names
}

fn is_cfg_test(line: &str) -> bool {
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    compact.starts_with("#[cfg(test)]") || compact.starts_with("#[cfg(all(test")
}

/// Scans one non-test source file, skipping `#[cfg(test)]` items.
pub fn scan_source(file: &Path, text: &str) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut skip_depth: Option<i64> = None; // brace depth of a cfg(test) item
    let mut pending_cfg_test = false;
    let mut in_block_comment = false;
    for (index, raw) in text.lines().enumerate() {
        let code = strip_comments(raw, &mut in_block_comment);
        let trimmed = code.trim();
        if let Some(depth) = skip_depth.as_mut() {
            *depth += brace_delta(&code);
            if *depth <= 0 {
                skip_depth = None;
            }
            continue;
        }
        if is_cfg_test(trimmed) {
            pending_cfg_test = true;
            continue;
        }
        if pending_cfg_test {
            if trimmed.is_empty() || trimmed.starts_with("#[") {
                continue;
            }
            pending_cfg_test = false;
            let delta = brace_delta(&code);
            if delta > 0 {
                skip_depth = Some(delta);
            }
            // A one-line item (`mod x;`, `use …;`) is skipped whole.
            continue;
        }
        if raw.contains(ALLOW_MARKER) {
            let reason = raw.split(ALLOW_MARKER).nth(1).unwrap_or("").trim();
            if !reason.is_empty() {
                continue;
            }
        }
        for (pattern, why) in FORBIDDEN_CALLS {
            if contains_identifier_path(&code, pattern) {
                out.push(Violation {
                    file: file.to_path_buf(),
                    line: index + 1,
                    what: format!("`{pattern}` {why}"),
                });
            }
        }
    }
    out
}

/// Whether `pattern` occurs in `code` not as part of a longer identifier.
fn contains_identifier_path(code: &str, pattern: &str) -> bool {
    code.match_indices(pattern).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

fn brace_delta(code: &str) -> i64 {
    code.chars().fold(0, |d, c| match c {
        '{' => d + 1,
        '}' => d - 1,
        _ => d,
    })
}

/// Removes `//` comments, `/* */` comments and the contents of string
/// literals (so a message that names a forbidden call is not flagged).
fn strip_comments(line: &str, in_block: &mut bool) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if *in_block {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                *in_block = false;
            }
            continue;
        }
        if in_string {
            if c == '\\' {
                chars.next();
            } else if c == '"' {
                in_string = false;
                out.push('"');
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push('"');
            }
            '/' if chars.peek() == Some(&'/') => break,
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                *in_block = true;
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A throw-away workspace with one crate under `crates/`.
    struct Planted {
        root: PathBuf,
    }

    impl Planted {
        fn new(manifest_deps: &str, files: &[(&str, &str)]) -> Self {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let root = std::env::temp_dir().join(format!(
                "sansrtc-guard-{}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst)
            ));
            let krate = root.join("crates/victim");
            fs::create_dir_all(krate.join("src")).unwrap();
            fs::write(
                krate.join("Cargo.toml"),
                format!(
                    "[package]\nname = \"victim\"\nversion = \"0.1.0\"\n\n[dependencies]\n{manifest_deps}\n"
                ),
            )
            .unwrap();
            for (name, text) in files {
                let path = krate.join(name);
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(path, text).unwrap();
            }
            Planted { root }
        }

        fn violations(&self) -> Vec<Violation> {
            check_workspace(&self.root).unwrap()
        }
    }

    impl Drop for Planted {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.root);
        }
    }

    const CLEAN_LIB: &str = "pub fn f(now: std::time::Instant) -> std::time::Instant { now }\n";

    #[test]
    fn a_clean_crate_passes() {
        let p = Planted::new("bytes = \"1\"", &[("src/lib.rs", CLEAN_LIB)]);
        assert_eq!(p.violations(), vec![]);
    }

    #[test]
    fn catches_a_tokio_dependency() {
        let p = Planted::new("tokio = { version = \"1\" }", &[("src/lib.rs", CLEAN_LIB)]);
        let v = p.violations();
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(v[0].what.contains("tokio"));
    }

    #[test]
    fn catches_a_renamed_mio_dependency() {
        let p = Planted::new(
            "evented = { package = \"mio\", version = \"1\" }",
            &[("src/lib.rs", CLEAN_LIB)],
        );
        assert!(p.violations()[0].what.contains("mio"));
    }

    #[test]
    fn catches_a_clock_read_a_socket_and_a_thread() {
        let lib = "use std::time::Instant;\n\
                   pub fn a() -> Instant { Instant::now() }\n\
                   pub fn b() { let _ = std::net::UdpSocket::bind(\"127.0.0.1:0\"); }\n\
                   pub fn c() { std::thread::spawn(|| ()); }\n\
                   pub fn d() -> std::time::SystemTime { std::time::SystemTime::now() }\n";
        let p = Planted::new("", &[("src/lib.rs", lib)]);
        let lines: Vec<usize> = p.violations().iter().map(|v| v.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 5]);
    }

    #[test]
    fn catches_a_violation_in_a_nested_module_file() {
        let p = Planted::new(
            "",
            &[
                ("src/lib.rs", "mod inner;\n"),
                (
                    "src/inner.rs",
                    "pub fn t() -> std::time::Instant { std::time::Instant::now() }\n",
                ),
            ],
        );
        let v = p.violations();
        assert_eq!(v.len(), 1);
        assert!(v[0].file.ends_with("src/inner.rs"));
    }

    #[test]
    fn test_code_comments_and_strings_are_exempt() {
        let lib = "//! Never call `Instant::now()` here.\n\
                   pub fn msg() -> &'static str { \"do not use Instant::now\" }\n\
                   #[cfg(test)]\n\
                   mod tests {\n\
                       #[test]\n\
                       fn t() { let _ = std::time::Instant::now(); }\n\
                   }\n\
                   #[cfg(test)]\n\
                   mod helpers;\n";
        let helpers = "pub fn h() { std::thread::spawn(|| ()); }\n";
        let p = Planted::new(
            "",
            &[
                ("src/lib.rs", lib),
                ("src/helpers.rs", helpers),
                ("tests/it.rs", "fn main() { std::time::Instant::now(); }\n"),
            ],
        );
        assert_eq!(p.violations(), vec![]);
    }

    #[test]
    fn code_after_a_test_module_is_still_checked() {
        let lib = "#[cfg(test)]\nmod tests {\n    fn t() {}\n}\n\
                   pub fn late() -> std::time::Instant { std::time::Instant::now() }\n";
        let p = Planted::new("", &[("src/lib.rs", lib)]);
        let v = p.violations();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].line, 5);
    }

    #[test]
    fn an_allow_marker_needs_a_reason() {
        let with_reason = "pub fn r() -> ring::rand::SystemRandom { todo!() } \
                           pub fn t() -> std::time::Instant { std::time::Instant::now() } \
                           // sansio-allow: example\n";
        let without =
            "pub fn t() -> std::time::Instant { std::time::Instant::now() } // sansio-allow:\n";
        assert_eq!(
            Planted::new("", &[("src/lib.rs", with_reason)]).violations(),
            vec![]
        );
        assert_eq!(
            Planted::new("", &[("src/lib.rs", without)])
                .violations()
                .len(),
            1
        );
    }

    #[test]
    fn the_real_workspace_keeps_the_contract() {
        let v = check_workspace(&crate::workspace_root()).unwrap();
        assert!(v.is_empty(), "{v:#?}");
    }
}
