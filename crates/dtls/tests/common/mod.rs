//! Test helpers: identities and an in-memory link between two endpoints.
#![allow(dead_code)]

pub mod udp;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand_chacha::rand_core::SeedableRng;
use sansrtc_dtls::{DtlsConfig, DtlsEndpoint, DtlsEvent, HashAlgorithm, Identity, Role};
use sansrtc_proto::Output;

/// A fresh self-signed ECDSA P-256 identity (rcgen).
pub fn ecdsa_identity() -> Arc<Identity> {
    identity_valid_for(time::Duration::days(-1), time::Duration::days(30))
}

/// An ECDSA identity valid from now+`from` to now+`to`.
pub fn identity_valid_for(from: time::Duration, to: time::Duration) -> Arc<Identity> {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["sansrtc".into()]).unwrap();
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now + from;
    params.not_after = now + to;
    let cert = params.self_signed(&key).unwrap();
    Arc::new(Identity::from_der(vec![cert.der().to_vec()], &key.serialize_der()).unwrap())
}

/// A scratch directory under the target dir.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes a self-signed certificate and key with `openssl req -x509`
/// (`kind` = "ec" or "rsa") and returns their paths.
pub fn openssl_cert(dir: &std::path::Path, kind: &str) -> (PathBuf, PathBuf) {
    let cert = dir.join(format!("{kind}-cert.pem"));
    let key = dir.join(format!("{kind}-key.pem"));
    let newkey = match kind {
        k if k.ends_with("ec") => vec!["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"],
        _ => vec!["-newkey", "rsa:2048"],
    };
    let status = Command::new("openssl")
        .arg("req")
        .arg("-x509")
        .args(newkey)
        .args([
            "-nodes",
            "-days",
            "30",
            "-subj",
            "/CN=sansrtc-test",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    (cert, key)
}

/// An identity from openssl-written PEM files.
pub fn pem_identity(cert: &std::path::Path, key: &std::path::Path) -> Arc<Identity> {
    Arc::new(
        Identity::from_pem(
            &std::fs::read_to_string(cert).unwrap(),
            &std::fs::read_to_string(key).unwrap(),
        )
        .unwrap(),
    )
}

/// Client and server configs that expect each other's fingerprints.
pub fn configs(client: Arc<Identity>, server: Arc<Identity>) -> (DtlsConfig, DtlsConfig) {
    let mut c = DtlsConfig::new(client.clone());
    c.expected_fingerprints = vec![server.fingerprint(HashAlgorithm::Sha256).unwrap()];
    let mut s = DtlsConfig::new(server);
    s.expected_fingerprints = vec![client.fingerprint(HashAlgorithm::Sha256).unwrap()];
    (c, s)
}

/// Two endpoints joined by an in-memory link.
pub struct Pair {
    pub client: DtlsEndpoint,
    pub server: DtlsEndpoint,
    pub now: Instant,
    pub start: Instant,
    pub client_events: Vec<DtlsEvent>,
    pub server_events: Vec<DtlsEvent>,
    /// Every datagram in flight order: (from_client, bytes).
    pub sent: Vec<(bool, Vec<u8>)>,
    /// Datagrams are handed over by value (`handle_receive_owned`).
    pub owned: bool,
}

impl Pair {
    pub fn new(c: DtlsConfig, s: DtlsConfig, seed: u64) -> Self {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
        let client = DtlsEndpoint::new(Role::Client, c, &mut rng).unwrap();
        let server = DtlsEndpoint::new(Role::Server, s, &mut rng).unwrap();
        let now = Instant::now();
        Pair {
            client,
            server,
            now,
            start: now,
            client_events: Vec::new(),
            server_events: Vec::new(),
            sent: Vec::new(),
            owned: false,
        }
    }

    /// Drains both sides; `link(from_client, datagram)` returns the
    /// datagrams to deliver (empty: dropped). Returns the earliest timeout.
    pub fn exchange(
        &mut self,
        link: &mut impl FnMut(bool, Vec<u8>) -> Vec<Vec<u8>>,
    ) -> Option<Instant> {
        let mut next = None;
        for _ in 0..100 {
            let mut moved = false;
            for from_client in [true, false] {
                let (from, to, events) = if from_client {
                    (&mut self.client, &mut self.server, &mut self.client_events)
                } else {
                    (&mut self.server, &mut self.client, &mut self.server_events)
                };
                let mut outgoing = Vec::new();
                let timeout = loop {
                    match from.poll_output() {
                        Output::Transmit(d) => outgoing.push(d),
                        Output::Event(e) => events.push(e),
                        Output::Timeout(t) => break t,
                    }
                };
                for d in outgoing {
                    moved = true;
                    self.sent.push((from_client, d.clone()));
                    for delivered in link(from_client, d) {
                        if self.owned {
                            to.handle_receive_owned(self.now, delivered);
                        } else {
                            to.handle_receive(self.now, &delivered);
                        }
                    }
                }
                if from_client {
                    next = timeout;
                } else {
                    next = match (next, timeout) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                }
            }
            if !moved {
                break;
            }
        }
        next
    }

    /// Runs until both are connected or failed, or `limit` of simulated time.
    pub fn run(&mut self, limit: Duration, link: &mut impl FnMut(bool, Vec<u8>) -> Vec<Vec<u8>>) {
        self.client.start(self.now);
        loop {
            let next = self.exchange(link);
            if self.done() {
                return;
            }
            let Some(at) = next else { return };
            if at - self.start > limit {
                return;
            }
            self.now = self.now.max(at);
            self.client.handle_timeout(self.now);
            self.server.handle_timeout(self.now);
        }
    }

    pub fn done(&self) -> bool {
        let finished = |ev: &[DtlsEvent]| {
            ev.iter()
                .any(|e| matches!(e, DtlsEvent::Connected(_) | DtlsEvent::Failed(_)))
        };
        (self.client.is_connected() && self.server.is_connected())
            || (finished(&self.client_events) && finished(&self.server_events))
            || (self.client.is_closed() && self.server.is_closed())
    }

    pub fn connected(&self) -> bool {
        self.client.is_connected() && self.server.is_connected()
    }
}

/// A perfect link.
pub fn perfect(_: bool, d: Vec<u8>) -> Vec<Vec<u8>> {
    vec![d]
}

/// The failure event of a list, if any.
pub fn failure(events: &[DtlsEvent]) -> Option<&sansrtc_dtls::DtlsError> {
    events.iter().find_map(|e| match e {
        DtlsEvent::Failed(err) => Some(err),
        _ => None,
    })
}
