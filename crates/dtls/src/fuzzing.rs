//! What the cargo-fuzz targets reach that is not public API yet: the DTLS
//! 1.3 connection (`v13`, not negotiated by [`crate::DtlsEndpoint`] yet).
//! Built only with the `fuzzing` feature, which only `crates/dtls/fuzz`
//! enables; nothing here is a stable interface.

use std::sync::Arc;
use std::time::Instant;

use rand_core::CryptoRngCore;

use crate::v13::connection::Dtls13Connection;
use crate::v13::connection_config::Dtls13Config;
use crate::v13::connection_event::Dtls13Event;
use crate::{DtlsConfig, Output};

/// Everything one drain of a [`Dtls13Endpoint`] produced.
#[derive(Debug, Default)]
pub struct Dtls13Drained {
    /// Datagrams to send.
    pub datagrams: Vec<Vec<u8>>,
    /// The handshake completed.
    pub connected: bool,
    /// Application data received.
    pub data: Vec<Vec<u8>>,
    /// The peer closed or the connection failed.
    pub closed_or_failed: bool,
}

/// A DTLS 1.3 connection of either role with the default 1.3 suites and
/// groups (the client sends X25519MLKEM768 and X25519 shares).
pub struct Dtls13Endpoint(Dtls13Connection);

impl Dtls13Endpoint {
    /// A client (call [`Dtls13Endpoint::start`]) or a server.
    pub fn new(
        client: bool,
        config: DtlsConfig,
        rng: &mut impl CryptoRngCore,
        now: Instant,
    ) -> Self {
        let config = Dtls13Config::new(Arc::new(config));
        Dtls13Endpoint(if client {
            Dtls13Connection::client(config, rng, now)
        } else {
            Dtls13Connection::server(config, rng, now)
        })
    }

    /// Sends the client's first flight.
    pub fn start(&mut self, now: Instant) {
        self.0.start(now);
    }

    /// A datagram from the peer.
    pub fn handle_receive(&mut self, now: Instant, datagram: &[u8]) {
        self.0.handle_receive(now, datagram);
    }

    /// The retransmission timer.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.0.handle_timeout(now);
    }

    /// Drains every output until the timeout.
    pub fn drain(&mut self) -> Dtls13Drained {
        let mut d = Dtls13Drained::default();
        loop {
            match self.0.poll_output() {
                Output::Transmit(t) => d.datagrams.push(t),
                Output::Event(Dtls13Event::Connected(_)) => d.connected = true,
                Output::Event(Dtls13Event::ApplicationData(data)) => d.data.push(data),
                Output::Event(Dtls13Event::Closed | Dtls13Event::Failed(_)) => {
                    d.closed_or_failed = true
                }
                Output::Timeout(_) => return d,
            }
        }
    }

    /// Whether the handshake completed.
    pub fn is_connected(&self) -> bool {
        self.0.is_connected()
    }

    /// Application data in epoch 3.
    pub fn send_application_data(&mut self, data: &[u8]) -> Result<(), crate::DtlsError> {
        self.0.send_application_data(data)
    }

    /// The DTLS-SRTP exporter (60 bytes of `EXTRACTOR-dtls_srtp`).
    pub fn srtp_keying_material(&self) -> Result<Vec<u8>, crate::DtlsError> {
        self.0
            .export_keying_material(crate::DTLS_SRTP_LABEL.as_bytes(), &[], 60)
    }
}
