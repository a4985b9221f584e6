//! A real coturn (`turnserver`) on loopback for interop tests.
//!
//! [`Coturn::start`] runs `../shared/coturn/start.sh` (which writes a
//! temporary config, certificate and key into a state directory, starts
//! `turnserver` bound to loopback only, and returns once it answers a STUN
//! Binding request within a bounded wait); dropping the [`Coturn`] runs
//! `stop.sh`. Long-term credentials `test`/`test`, realm `sansrtc.test`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The ports one coturn listens on. Each test binary picks its own, so
/// test binaries running at the same time never collide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoturnPorts {
    /// UDP and TCP listening port.
    pub port: u16,
    /// TLS (and DTLS) listening port.
    pub tls_port: u16,
    /// Lowest relay port coturn allocates.
    pub min_relay: u16,
    /// Highest relay port coturn allocates.
    pub max_relay: u16,
}

/// `../shared/coturn` (the start/stop scripts), from this crate's folder.
fn shared_coturn() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/coturn")
}

/// A running coturn, stopped on drop.
#[derive(Debug)]
pub struct Coturn {
    dir: PathBuf,
}

impl Coturn {
    /// Starts coturn on `ports`, with its state in
    /// `$TMPDIR/sansrtc-{name}-coturn-{port}`. A coturn left behind in that
    /// directory by a killed run is stopped first.
    ///
    /// # Panics
    /// When `turnserver` is not installed or does not start.
    pub fn start(name: &str, ports: CoturnPorts) -> Coturn {
        let installed = Command::new("sh")
            .args(["-c", "command -v turnserver"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        assert!(
            installed,
            "turnserver not found: install coturn (`apt-get install coturn`; .ci/run installs it)"
        );
        let dir = std::env::temp_dir().join(format!("sansrtc-{name}-coturn-{}", ports.port));
        let scripts = shared_coturn();
        // A run killed before its guard ran may have left one behind.
        let _ = Command::new(scripts.join("stop.sh"))
            .arg("--dir")
            .arg(&dir)
            .output();
        let out = Command::new(scripts.join("start.sh"))
            .args(["--port", &ports.port.to_string()])
            .args(["--tls-port", &ports.tls_port.to_string()])
            .args(["--min-port", &ports.min_relay.to_string()])
            .args(["--max-port", &ports.max_relay.to_string()])
            .arg("--dir")
            .arg(&dir)
            .output()
            .expect("run ../shared/coturn/start.sh");
        assert!(
            out.status.success(),
            "coturn did not start: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Coturn { dir }
    }

    /// The state directory (config, log, pid file, certificate).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// coturn's self-signed TLS certificate (it has an IP SAN 127.0.0.1).
    pub fn cert(&self) -> PathBuf {
        self.dir.join("cert.pem")
    }
}

impl Drop for Coturn {
    fn drop(&mut self) {
        let _ = Command::new(shared_coturn().join("stop.sh"))
            .arg("--dir")
            .arg(&self.dir)
            .output();
    }
}
