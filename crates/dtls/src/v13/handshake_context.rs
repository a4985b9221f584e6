//! What the client and server handshakes share with the connection while
//! they run: configuration, the RNG, the epochs' keys, our flight and the
//! output queue; and what a finished handshake hands over.

use std::collections::VecDeque;
use std::time::Instant;

use rand_chacha::ChaCha20Rng;
use sansrtc_proto::Output;

use super::connection_config::Dtls13Config;
use super::connection_event::{Dtls13Connected, Dtls13Event};
use super::epoch_keys::EpochKeys;
use super::error::Dtls13Error;
use super::flight::Flight;
use super::hkdf::Secret;
use super::key_schedule::KeySchedule;

/// The connection state a handshake acts on.
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct HandshakeContext {
    /// The configuration.
    pub(crate) config: Dtls13Config,
    /// Our ChaCha20 stream, seeded from the injected RNG.
    pub(crate) rng: ChaCha20Rng,
    /// The epochs we read and write.
    pub(crate) keys: EpochKeys,
    /// Our current flight.
    pub(crate) flight: Flight,
    /// The message_seq of our next handshake message.
    pub(crate) next_send_seq: u16,
    /// What `poll_output` returns next.
    pub(crate) out: VecDeque<Output<Vec<u8>, Dtls13Event>>,
    /// The time of the input being handled.
    pub(crate) now: Instant,
    /// When the connection was created (the stateless cookie's clock).
    pub(crate) created: Instant,
}

impl HandshakeContext {
    /// Milliseconds since the connection was created.
    pub(crate) fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.now.saturating_duration_since(self.created).as_millis())
            .unwrap_or(u64::MAX)
    }

    /// Starts a new flight (the previous one is acknowledged by the
    /// peer's answer).
    pub(crate) fn begin_flight(&mut self) {
        self.flight
            .begin(self.config.shared.initial_retransmit_timeout);
    }

    /// Adds a message to the flight under the next message_seq.
    pub(crate) fn queue_message(&mut self, epoch: u64, msg_type: u8, body: Vec<u8>) {
        let seq = self.next_send_seq;
        self.next_send_seq = self.next_send_seq.wrapping_add(1);
        self.flight.push(epoch, msg_type, seq, body);
    }

    /// Sends the flight's unacknowledged messages and arms its timer.
    pub(crate) fn transmit_flight(&mut self) -> Result<(), Dtls13Error> {
        let datagrams = self
            .flight
            .transmit(self.now, &mut self.keys, self.config.shared.mtu)?;
        self.out.extend(datagrams.into_iter().map(Output::Transmit));
        Ok(())
    }
}

/// What a completed handshake hands to the connection.
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Established {
    /// The negotiated parameters (the Connected event).
    pub(crate) info: Dtls13Connected,
    /// The suite's key schedule.
    pub(crate) key_schedule: KeySchedule,
    /// exporter_master_secret (RFC 8446 §7.5).
    pub(crate) exporter_master_secret: Secret,
}

/// The handshake message types of the 1.3 handshake.
pub(crate) mod msg_type {
    /// ClientHello.
    pub(crate) const CLIENT_HELLO: u8 = 1;
    /// ServerHello (and HelloRetryRequest).
    pub(crate) const SERVER_HELLO: u8 = 2;
    /// EncryptedExtensions.
    pub(crate) const ENCRYPTED_EXTENSIONS: u8 = 8;
    /// Certificate.
    pub(crate) const CERTIFICATE: u8 = 11;
    /// CertificateRequest.
    pub(crate) const CERTIFICATE_REQUEST: u8 = 13;
    /// CertificateVerify.
    pub(crate) const CERTIFICATE_VERIFY: u8 = 15;
    /// Finished.
    pub(crate) const FINISHED: u8 = 20;
}
