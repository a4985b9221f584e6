//! The DTLS version each interop pair negotiated (issue #20's proof):
//! sansrtc with Chromium or with itself must run DTLS 1.3 (`FEFC`) on both
//! sides, whichever offers; with the DTLS 1.2 stacks (aiortc,
//! node-datachannel) it must still run 1.2. Read from `matrix.jsonl`: the
//! offerer's `transport` and the answerer's `remote_stats`, each as that
//! peer reports it (`tls_version`; aiortc spells 1.2 `DTLSv1.2`).
//! node-datachannel reports no version: its side is not checked, ours is.

use std::path::Path;

use serde_json::Value;

/// The version a peer's report names, normalised to the wire value.
fn reported_version(report: &Value) -> Option<&'static str> {
    match report.get("tls_version")?.as_str()? {
        "FEFC" | "DTLSv1.3" => Some("FEFC"),
        "FEFD" | "DTLSv1.2" => Some("FEFD"),
        _ => None,
    }
}

/// The version a passing pair must negotiate, if the pair is one we check.
fn expected_version(offerer: &str, answerer: &str) -> Option<&'static str> {
    let pair =
        |a: &str, b: &str| (offerer == a && answerer == b) || (offerer == b && answerer == a);
    if pair("sansrtc", "chromium") || pair("sansrtc", "sansrtc") {
        Some("FEFC")
    } else if pair("sansrtc", "aiortc") || pair("sansrtc", "ndc") {
        Some("FEFD")
    } else {
        None
    }
}

/// Checks every passing pair of one `matrix.jsonl`; returns how many
/// sides were checked, or the pairs whose version is wrong.
pub fn check(jsonl: &str) -> Result<usize, String> {
    let mut checked = 0;
    let mut wrong = Vec::new();
    for line in jsonl.lines().filter(|l| !l.trim().is_empty()) {
        let r: Value = serde_json::from_str(line).map_err(|e| format!("matrix.jsonl: {e}"))?;
        let name = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("?").to_owned();
        let (offerer, answerer) = (name("offerer"), name("answerer"));
        let Some(expected) = expected_version(&offerer, &answerer) else {
            continue;
        };
        if !r.get("ok").and_then(Value::as_bool).unwrap_or(false) {
            continue;
        }
        for (side, key) in [(&offerer, "transport"), (&answerer, "remote_stats")] {
            let report = r.get(key);
            let reports_version = report.is_some_and(|r| r.get("tls_version").is_some());
            // Only sansrtc and Chromium must say; ndc never does.
            if !reports_version && side != "sansrtc" && side != "chromium" {
                continue;
            }
            let got = report.and_then(reported_version);
            checked += 1;
            if got != Some(expected) {
                wrong.push(format!(
                    "{} {offerer} -> {answerer}: {side} reports {got:?}, expected {expected}",
                    name("scenario")
                ));
            }
        }
    }
    if wrong.is_empty() {
        Ok(checked)
    } else {
        Err(wrong.join("; "))
    }
}

/// [`check`] on the file in `dir`.
pub fn check_dir(dir: &Path) -> Result<usize, String> {
    let path = dir.join("matrix.jsonl");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    check(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(offerer: &str, answerer: &str, ours: &str, theirs: &str) -> String {
        format!(
            r#"{{"scenario":"data","offerer":"{offerer}","answerer":"{answerer}","ok":true,"transport":{{"tls_version":"{ours}"}},"remote_stats":{{"tls_version":"{theirs}"}}}}"#
        )
    }

    #[test]
    fn chromium_pairs_need_dtls13_and_dtls12_stacks_keep_dtls12() {
        let good = [
            line("sansrtc", "chromium", "FEFC", "FEFC"),
            line("chromium", "sansrtc", "FEFC", "FEFC"),
            line("aiortc", "sansrtc", "DTLSv1.2", "FEFD"),
            line("chromium", "aiortc", "FEFD", "DTLSv1.2"),
        ]
        .join("\n");
        assert_eq!(check(&good), Ok(6));
        let downgraded = line("sansrtc", "chromium", "FEFD", "FEFD");
        assert!(check(&downgraded).unwrap_err().contains("expected FEFC"));
        // ndc says nothing of its version: only our side is checked.
        let ndc = r#"{"scenario":"data","offerer":"ndc","answerer":"sansrtc","ok":true,"transport":{"dtls_cipher":"x"},"remote_stats":{"tls_version":"FEFD"}}"#;
        assert_eq!(check(ndc), Ok(1));
        // A sansrtc or Chromium side that says nothing fails.
        let silent = r#"{"scenario":"data","offerer":"sansrtc","answerer":"chromium","ok":true,"transport":{},"remote_stats":{"tls_version":"FEFC"}}"#;
        assert!(check(silent).unwrap_err().contains("sansrtc reports None"));
    }
}
