//! Deliberate exceptions, listed in `xtask/sansio-allow.toml`:
//!
//! ```toml
//! [[allow]]
//! file = "crates/scenarios/src/lib.rs"
//! item = "anchor"                       # the one item (function, …) allowed
//! forbidden = "std::time::Instant::now" # the one forbidden path allowed
//! reason = "the anchor of simulated time"
//! ```
//!
//! An entry exempts exactly that forbidden path (the rule's path, as the
//! guard prints it, or the full resolved path) inside that item of that
//! file, nothing else. An entry whose file, item or use has gone is reported
//! as a stale-allow note, not as a failure, so code can be removed before its
//! entry is.

use std::fs;
use std::path::Path;

/// One exception.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allow {
    /// File, relative to the workspace root, with `/`.
    pub file: String,
    /// Item path inside the crate (`certificate::system_random::generate`).
    pub item: String,
    /// The forbidden path allowed there.
    pub forbidden: String,
    /// Why (required).
    pub reason: String,
}

/// The allow list's place, relative to the workspace root.
pub const ALLOW_FILE: &str = "xtask/sansio-allow.toml";

/// Reads the allow list under `root` (none if the file does not exist).
pub fn load(root: &Path) -> Result<Vec<Allow>, String> {
    let path = root.join(ALLOW_FILE);
    let Ok(text) = fs::read_to_string(&path) else {
        return Ok(Vec::new());
    };
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses the allow list.
pub fn parse(text: &str) -> Result<Vec<Allow>, String> {
    let doc: toml::Table = text.parse().map_err(|e| format!("bad TOML: {e}"))?;
    let Some(entries) = doc.get("allow") else {
        return Ok(Vec::new());
    };
    let entries = entries
        .as_array()
        .ok_or("`allow` must be an array of tables ([[allow]])")?;
    let mut out = Vec::new();
    for (n, entry) in entries.iter().enumerate() {
        let field = |name: &str| -> Result<String, String> {
            entry
                .get(name)
                .and_then(|v| v.as_str())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .ok_or_else(|| format!("allow entry {} needs a non-empty `{name}`", n + 1))
        };
        out.push(Allow {
            file: field("file")?,
            item: field("item")?,
            forbidden: field("forbidden")?,
            reason: field("reason")?,
        });
    }
    Ok(out)
}
