//! A throw-away workspace with one crate under `crates/`.

use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::guard::{check_workspace, Report, Violation};

/// A scratch workspace, removed on drop.
pub struct Planted {
    pub root: PathBuf,
}

impl Planted {
    /// A crate `victim` with these `[dependencies]` lines and files
    /// (paths relative to the crate folder).
    pub fn new(manifest_deps: &str, files: &[(&str, &str)]) -> Self {
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
        let planted = Planted { root };
        for (name, text) in files {
            planted.write(&format!("crates/victim/{name}"), text);
        }
        planted
    }

    /// Writes a file relative to the workspace root.
    pub fn write(&self, rel: &str, text: &str) {
        let path = self.root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    pub fn report(&self) -> Report {
        check_workspace(&self.root).unwrap()
    }

    pub fn violations(&self) -> Vec<Violation> {
        self.report().violations
    }
}

impl Drop for Planted {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

/// The violations of a crate whose `src/lib.rs` is `lib`.
pub fn lib_violations(lib: &str) -> Vec<Violation> {
    Planted::new("", &[("src/lib.rs", lib)]).violations()
}

/// The lines of those violations.
pub fn lines(lib: &str) -> Vec<usize> {
    lib_violations(lib).iter().map(|v| v.line).collect()
}
