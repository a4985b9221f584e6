//! One stream's TLS client, driven over byte buffers (no socket): what the
//! OS reads goes in, plaintext comes out; plaintext goes in, records come
//! out into the stream's write queue.

use std::io::{self, Read, Write};
use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection};

use crate::streams::write_queue::WriteQueue;
use crate::streams::StreamCloseReason;

/// A rustls client connection over a stream's bytes.
pub(crate) struct TlsSession {
    connection: ClientConnection,
}

impl std::fmt::Debug for TlsSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSession")
            .field("handshaking", &self.connection.is_handshaking())
            .finish()
    }
}

/// What a chunk of received bytes gave.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decrypted {
    /// Plaintext was appended (possibly none: a partial record, handshake).
    More,
    /// The server sent close_notify: the stream is over.
    PeerClosed,
}

fn tls_error(e: rustls::Error) -> StreamCloseReason {
    StreamCloseReason::Tls(e.to_string())
}

fn io_error(e: io::Error) -> StreamCloseReason {
    StreamCloseReason::Tls(e.to_string())
}

impl TlsSession {
    /// A client for `name`; its ClientHello is written at
    /// [`TlsSession::flush_records`].
    pub(crate) fn new(
        config: Arc<ClientConfig>,
        name: ServerName<'static>,
    ) -> Result<Self, StreamCloseReason> {
        let mut connection = ClientConnection::new(config, name).map_err(tls_error)?;
        // The driver bounds what it queues per stream itself.
        connection.set_buffer_limit(None);
        Ok(Self { connection })
    }

    /// Whether the handshake is still going on (application data waits).
    pub(crate) fn is_handshaking(&self) -> bool {
        self.connection.is_handshaking()
    }

    /// Encrypts `plaintext` into records in `wire` (after the handshake).
    pub(crate) fn encrypt(
        &mut self,
        plaintext: &[u8],
        wire: &mut WriteQueue,
    ) -> Result<(), StreamCloseReason> {
        self.connection
            .writer()
            .write_all(plaintext)
            .map_err(io_error)?;
        self.flush_records(wire)
    }

    /// Moves every record rustls wants to send into `wire`.
    pub(crate) fn flush_records(&mut self, wire: &mut WriteQueue) -> Result<(), StreamCloseReason> {
        while self.connection.wants_write() {
            self.connection.write_tls(wire).map_err(io_error)?;
        }
        Ok(())
    }

    /// Takes bytes read from the socket: plaintext is appended to
    /// `plaintext`, handshake answers go to `wire`.
    pub(crate) fn decrypt(
        &mut self,
        mut bytes: &[u8],
        plaintext: &mut Vec<u8>,
        wire: &mut WriteQueue,
    ) -> Result<Decrypted, StreamCloseReason> {
        let mut outcome = Decrypted::More;
        while !bytes.is_empty() {
            let taken = self.connection.read_tls(&mut bytes).map_err(io_error)?;
            let state = self.connection.process_new_packets().map_err(tls_error)?;
            let available = state.plaintext_bytes_to_read();
            if available > 0 {
                let start = plaintext.len();
                plaintext.resize(start + available, 0);
                self.connection
                    .reader()
                    .read_exact(&mut plaintext[start..])
                    .map_err(io_error)?;
            }
            if state.peer_has_closed() {
                outcome = Decrypted::PeerClosed;
                break;
            }
            if taken == 0 {
                break;
            }
        }
        self.flush_records(wire)?;
        Ok(outcome)
    }
}
