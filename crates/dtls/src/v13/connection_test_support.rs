//! Test helpers of the DTLS 1.3 connection: identities, configurations
//! that expect each other's fingerprints, and an in-memory link with
//! virtual time and seeded loss, reordering and duplication.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sansrtc_proto::Output;

use super::connection::Dtls13Connection;
use super::connection_config::Dtls13Config;
use super::connection_event::{Dtls13Connected, Dtls13Event};
use crate::config::DtlsConfig;
use crate::identity::Identity;
use crate::{HashAlgorithm, DTLS_SRTP_LABEL};

/// A fresh self-signed ECDSA P-256 identity.
pub(crate) fn ecdsa_identity() -> Arc<Identity> {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["sansrtc".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    Arc::new(Identity::from_der(vec![cert.der().to_vec()], &key.serialize_der()).unwrap())
}

/// The static RSA 2048 test identity.
pub(crate) fn rsa_identity() -> Arc<Identity> {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
    let cert = std::fs::read_to_string(format!("{data}dtls13-test-rsa2048-cert.pem")).unwrap();
    let key = std::fs::read_to_string(format!("{data}dtls13-test-rsa2048-key.pem")).unwrap();
    Arc::new(Identity::from_pem(&cert, &key).unwrap())
}

/// Client and server configurations expecting each other's certificate.
pub(crate) fn config_pair(
    client: Arc<Identity>,
    server: Arc<Identity>,
) -> (Dtls13Config, Dtls13Config) {
    let mut c = DtlsConfig::new(client.clone());
    c.expected_fingerprints = vec![server.fingerprint(HashAlgorithm::Sha256).unwrap()];
    let mut s = DtlsConfig::new(server);
    s.expected_fingerprints = vec![client.fingerprint(HashAlgorithm::Sha256).unwrap()];
    (
        Dtls13Config::new(Arc::new(c)),
        Dtls13Config::new(Arc::new(s)),
    )
}

/// Mutable access to a configuration's shared part (test setup only).
pub(crate) fn shared_mut(config: &mut Dtls13Config) -> &mut DtlsConfig {
    Arc::make_mut(&mut config.shared)
}

/// What each side reported.
#[derive(Debug, Default)]
pub(crate) struct SideLog {
    /// Events in order.
    pub(crate) events: Vec<Dtls13Event>,
    /// Datagrams sent.
    pub(crate) datagrams: Vec<Vec<u8>>,
}

impl SideLog {
    /// The Connected event, if any.
    pub(crate) fn connected(&self) -> Option<&Dtls13Connected> {
        self.events.iter().find_map(|e| match e {
            Dtls13Event::Connected(c) => Some(c),
            _ => None,
        })
    }

    /// The Failed event's error, if any.
    pub(crate) fn failure(&self) -> Option<&crate::DtlsError> {
        self.events.iter().find_map(|e| match e {
            Dtls13Event::Failed(f) => Some(f),
            _ => None,
        })
    }
}

/// How the link treats datagrams, each way.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Impairment {
    /// Drop probability in percent.
    pub(crate) loss_percent: u32,
    /// Probability in percent that a datagram is held back behind the next.
    pub(crate) reorder_percent: u32,
    /// Probability in percent that a datagram is delivered twice.
    pub(crate) duplicate_percent: u32,
}

/// A client and a server joined by an in-memory link with 10 ms one-way
/// delay, virtual time, and seeded impairment.
pub(crate) struct Pair {
    /// The client.
    pub(crate) client: Dtls13Connection,
    /// The server.
    pub(crate) server: Dtls13Connection,
    /// The client's log.
    pub(crate) client_log: SideLog,
    /// The server's log.
    pub(crate) server_log: SideLog,
    /// The current virtual time.
    pub(crate) now: Instant,
    impairment: Impairment,
    link_rng: ChaCha20Rng,
    /// In flight: (arrival, to the server?, datagram).
    in_flight: Vec<(Instant, bool, Vec<u8>)>,
    /// Drops a datagram when it returns true (to the server?, datagram).
    pub(crate) drop_filter: Option<DropFilter>,
}

/// A predicate over (to the server?, datagram) that drops datagrams.
pub(crate) type DropFilter = Box<dyn FnMut(bool, &[u8]) -> bool>;

const ONE_WAY: Duration = Duration::from_millis(10);

impl Pair {
    /// A started pair; `seed` drives both endpoints' RNGs and the link.
    pub(crate) fn new(
        client: Dtls13Config,
        server: Dtls13Config,
        seed: u64,
        impairment: Impairment,
    ) -> Self {
        let now = Instant::now();
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let mut client = Dtls13Connection::client(client, &mut rng, now);
        let server = Dtls13Connection::server(server, &mut rng, now);
        client.start(now);
        Self {
            client,
            server,
            client_log: SideLog::default(),
            server_log: SideLog::default(),
            now,
            impairment,
            link_rng: ChaCha20Rng::seed_from_u64(seed ^ 0x5eed),
            in_flight: Vec::new(),
            drop_filter: None,
        }
    }

    fn percent(&mut self, p: u32) -> bool {
        self.link_rng.next_u32() % 100 < p
    }

    /// Drains both sides' outputs onto the link; returns the earliest
    /// timer.
    fn drain(&mut self) -> Option<Instant> {
        let mut timers = Vec::new();
        for to_server in [true, false] {
            loop {
                let (side, log) = if to_server {
                    (&mut self.client, &mut self.client_log)
                } else {
                    (&mut self.server, &mut self.server_log)
                };
                match side.poll_output() {
                    Output::Transmit(d) => {
                        log.datagrams.push(d.clone());
                        self.send(to_server, d);
                    }
                    Output::Event(e) => log.events.push(e),
                    Output::Timeout(t) => {
                        timers.extend(t);
                        break;
                    }
                }
            }
        }
        timers.into_iter().min()
    }

    fn send(&mut self, to_server: bool, datagram: Vec<u8>) {
        let i = self.impairment;
        if let Some(filter) = &mut self.drop_filter {
            if filter(to_server, &datagram) {
                return;
            }
        }
        if self.percent(i.loss_percent) {
            return;
        }
        let mut at = self.now + ONE_WAY;
        if self.percent(i.reorder_percent) {
            at += Duration::from_millis(15);
        }
        if self.percent(i.duplicate_percent) {
            self.in_flight
                .push((at + Duration::from_millis(3), to_server, datagram.clone()));
        }
        self.in_flight.push((at, to_server, datagram));
    }

    /// Runs until both sides are quiet or `limit` of virtual time passed.
    pub(crate) fn run(&mut self, limit: Duration) {
        let end = self.now + limit;
        loop {
            let timer = self.drain();
            let arrival = self.in_flight.iter().map(|(at, _, _)| *at).min();
            let Some(next) = [timer, arrival].into_iter().flatten().min() else {
                return;
            };
            if next > end {
                return;
            }
            self.now = self.now.max(next);
            let now = self.now;
            let (due, later): (Vec<_>, Vec<_>) =
                self.in_flight.drain(..).partition(|(at, _, _)| *at <= now);
            self.in_flight = later;
            for (_, to_server, d) in due {
                if to_server {
                    self.server.handle_receive(now, &d);
                } else {
                    self.client.handle_receive(now, &d);
                }
            }
            self.client.handle_timeout(now);
            self.server.handle_timeout(now);
        }
    }

    /// Both sides' DTLS-SRTP keying material (60 bytes).
    pub(crate) fn srtp_keying_material(&self) -> (Vec<u8>, Vec<u8>) {
        let export = |c: &Dtls13Connection| {
            c.export_keying_material(DTLS_SRTP_LABEL.as_bytes(), b"", 60)
                .unwrap()
        };
        (export(&self.client), export(&self.server))
    }
}
