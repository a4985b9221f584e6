//! Runs the project's W3C conformance cases (the format of
//! `shared/conformance/README.md`) through this crate. Used by
//! `cargo xtask conformance` and by this crate's tests, so the runner exists
//! once. It takes the clock and the RNG from its caller, like the rest of the
//! crate.
//!
//! Two case formats are understood, told apart by their fields:
//! configuration cases (`steps`, `expect`, `expectConfig`) and ICE URL cases
//! (`url`, `expect`, `parsed`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand_core::{CryptoRng, RngCore};
use serde_json::{json, Value};

use crate::certificate::{CertificateOptions, RtcCertificate, DEFAULT_CERTIFICATE_LIFETIME};
use crate::configuration::RtcConfiguration;
use crate::error::ConfigError;
use crate::ice_url::IceServerUrl;
use crate::registry::{CertificateRegistry, CERTIFICATE_KEY};
use crate::state::RtcConfigurationState;

/// The document origin the cases assume for the connection.
pub const DOCUMENT_ORIGIN: &str = "https://example.test";

/// A case file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CaseFileError {
    /// The text is not JSON.
    #[error("not JSON (line {line}, column {column})")]
    NotJson {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// The JSON is not an array of cases.
    #[error("not a JSON array of cases")]
    NotAnArray,
}

/// The result of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseOutcome {
    /// As expected.
    Pass,
    /// Not as expected.
    Fail {
        /// What the case expects.
        expected: String,
        /// What this crate did.
        got: String,
    },
    /// A `jsOnly` case: a JavaScript value JSON cannot express.
    Skipped,
}

/// One case's id and outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseReport {
    /// The case id.
    pub id: String,
    /// Its outcome.
    pub outcome: CaseOutcome,
}

impl core::fmt::Display for CaseReport {
    /// `PASS id`, `FAIL id: expected …, got …` or `SKIP id`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.outcome {
            CaseOutcome::Pass => write!(f, "PASS {}", self.id),
            CaseOutcome::Fail { expected, got } => {
                write!(f, "FAIL {}: expected {expected}, got {got}", self.id)
            }
            CaseOutcome::Skipped => write!(f, "SKIP {} (jsOnly)", self.id),
        }
    }
}

/// Counts of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// `jsOnly` cases skipped.
    pub skipped: usize,
}

impl Summary {
    /// Adds up reports.
    pub fn of(reports: &[CaseReport]) -> Self {
        let mut s = Summary::default();
        for r in reports {
            match r.outcome {
                CaseOutcome::Pass => s.passed += 1,
                CaseOutcome::Fail { .. } => s.failed += 1,
                CaseOutcome::Skipped => s.skipped += 1,
            }
        }
        s
    }
}

impl core::fmt::Display for Summary {
    /// `N passed, M failed, K skipped`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

/// Runs every case of a case file. `clock` gives the time for steps without
/// `now`; `rng` feeds certificate generation.
pub fn run_case_file<R, C>(
    text: &str,
    clock: &mut C,
    rng: &mut R,
) -> Result<Vec<CaseReport>, CaseFileError>
where
    R: RngCore + CryptoRng,
    C: FnMut() -> SystemTime,
{
    let value: Value = serde_json::from_str(text).map_err(|e| CaseFileError::NotJson {
        line: e.line(),
        column: e.column(),
    })?;
    let Value::Array(cases) = value else {
        return Err(CaseFileError::NotAnArray);
    };
    Ok(cases
        .iter()
        .map(|case| run_case(case, clock, rng))
        .collect())
}

/// Runs one case of either format.
pub fn run_case<R, C>(case: &Value, clock: &mut C, rng: &mut R) -> CaseReport
where
    R: RngCore + CryptoRng,
    C: FnMut() -> SystemTime,
{
    let id = case
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("<no id>")
        .to_owned();
    let outcome = if case.get("jsOnly").and_then(Value::as_bool) == Some(true) {
        CaseOutcome::Skipped
    } else if case.get("steps").is_some() {
        run_configuration_case(case, clock, rng)
    } else if let Some(url) = case.get("url").and_then(Value::as_str) {
        run_url_case(case, url)
    } else {
        fail("a case with `steps` or `url`", "neither")
    };
    CaseReport { id, outcome }
}

fn fail(expected: impl Into<String>, got: impl Into<String>) -> CaseOutcome {
    CaseOutcome::Fail {
        expected: expected.into(),
        got: got.into(),
    }
}

fn describe(result: &Result<(), ConfigError>) -> String {
    match result {
        Ok(()) => "ok".to_owned(),
        Err(e) => format!("{} ({e})", e.dom_name()),
    }
}

/// A case's time in ms since the epoch; `None` when `SystemTime` cannot hold it.
fn millis_to_time(ms: f64) -> Option<SystemTime> {
    if !ms.is_finite() {
        return None;
    }
    // Saturating float-to-int cast; the checked arithmetic rejects what overflows.
    let magnitude = Duration::from_millis(ms.abs() as u64);
    if ms >= 0.0 {
        UNIX_EPOCH.checked_add(magnitude)
    } else {
        UNIX_EPOCH.checked_sub(magnitude)
    }
}

/// Generates one certificate per `$cert` id in the case, expiring when the
/// case says (`expires`, ms since the epoch) and carrying its `origin`.
fn certificates_for<R, C>(
    steps: &[Value],
    clock: &mut C,
    rng: &mut R,
) -> Result<CertificateRegistry, ConfigError>
where
    R: RngCore + CryptoRng,
    C: FnMut() -> SystemTime,
{
    let mut registry = CertificateRegistry::new();
    let markers = steps
        .iter()
        .filter_map(|s| s.get("config")?.get("certificates")?.as_array())
        .flatten();
    for marker in markers {
        let Some(id) = marker.get(CERTIFICATE_KEY).and_then(Value::as_str) else {
            continue;
        };
        if registry.get(id).is_some() {
            continue;
        }
        let options = CertificateOptions::default();
        let now = match marker.get("expires").and_then(Value::as_f64) {
            Some(ms) => millis_to_time(ms)
                .and_then(|t| t.checked_sub(DEFAULT_CERTIFICATE_LIFETIME))
                .ok_or(ConfigError::CertificateGeneration)?,
            None => clock(),
        };
        let mut certificate = RtcCertificate::generate(&options, now, rng)?;
        if let Some(origin) = marker.get("origin").and_then(Value::as_str) {
            certificate = certificate.with_origin(origin);
        }
        registry.insert(id, certificate);
    }
    Ok(registry)
}

fn run_configuration_case<R, C>(case: &Value, clock: &mut C, rng: &mut R) -> CaseOutcome
where
    R: RngCore + CryptoRng,
    C: FnMut() -> SystemTime,
{
    let Some(expect) = case.get("expect").and_then(Value::as_str) else {
        return fail("a case with `expect`", "none");
    };
    let steps = case
        .get("steps")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    if steps.is_empty() {
        return fail("at least one step", "none");
    }
    let registry = match certificates_for(steps, clock, rng) {
        Ok(r) => r,
        Err(e) => return fail("certificates for the case", e.to_string()),
    };
    let setup_may_fail = case.get("note_setup").is_some();
    let mut connection: Option<RtcConfigurationState> = None;
    let mut last = Ok(());
    for (index, step) in steps.iter().enumerate() {
        let now = match step.get("now").and_then(Value::as_f64) {
            None => clock(),
            Some(ms) => match millis_to_time(ms) {
                Some(t) => t,
                None => {
                    return fail(
                        format!("a representable `now` at step {index}"),
                        ms.to_string(),
                    )
                }
            },
        };
        let op = step.get("op").and_then(Value::as_str).unwrap_or("");
        last = match (op, connection.as_mut()) {
            ("construct", _) => {
                let config = step.get("config").cloned().unwrap_or_else(|| json!({}));
                RtcConfiguration::from_json_value(&config, &registry)
                    .and_then(|c| {
                        RtcConfigurationState::construct_in_origin(c, now, Some(DOCUMENT_ORIGIN))
                    })
                    .map(|state| connection = Some(state))
            }
            ("setConfiguration", Some(state)) => {
                let config = step.get("config").cloned().unwrap_or_else(|| json!({}));
                RtcConfiguration::from_json_value(&config, &registry)
                    .and_then(|c| state.set_configuration(c))
            }
            ("setLocalDescription", Some(state)) => state.set_local_description_applied(),
            ("close", Some(state)) => {
                state.close();
                Ok(())
            }
            (_, None) => return fail(format!("a connection for step {index} ({op})"), "none"),
            (other, _) => return fail("a known step op", other.to_owned()),
        };
        if index + 1 < steps.len() && last.is_err() && !setup_may_fail {
            return fail(format!("step {index} ({op}) to succeed"), describe(&last));
        }
    }
    let got = match &last {
        Ok(()) => "ok",
        Err(e) => e.dom_name(),
    };
    if got != expect {
        return fail(expect, describe(&last));
    }
    if let Some(expected_config) = case.get("expectConfig") {
        let Some(state) = &connection else {
            return fail(format!("configuration {expected_config}"), "no connection");
        };
        let actual = state.get_configuration().to_json_value(&registry);
        if &actual != expected_config {
            return fail(
                format!("configuration {expected_config}"),
                format!("configuration {actual}"),
            );
        }
    }
    CaseOutcome::Pass
}

fn url_to_json(url: &IceServerUrl) -> Value {
    json!({
        "scheme": url.scheme.as_str(),
        "secure": url.secure,
        "host": url.host.to_string(),
        "port": url.port,
        "effectivePort": url.effective_port(),
        "transport": url.transport.map(|t| t.as_str()),
    })
}

fn run_url_case(case: &Value, url: &str) -> CaseOutcome {
    let Some(expect) = case.get("expect").and_then(Value::as_str) else {
        return fail("a case with `expect`", "none");
    };
    match (IceServerUrl::parse(url), expect) {
        (Ok(parsed), "ok") => {
            let actual = url_to_json(&parsed);
            match case.get("parsed") {
                Some(expected) if *expected != actual => {
                    fail(format!("ok {expected}"), format!("ok {actual}"))
                }
                _ => CaseOutcome::Pass,
            }
        }
        (Ok(parsed), _) => fail(expect, format!("ok {}", url_to_json(&parsed))),
        (Err(_), "SyntaxError") => CaseOutcome::Pass,
        (Err(e), _) => fail(expect, format!("SyntaxError ({e})")),
    }
}
