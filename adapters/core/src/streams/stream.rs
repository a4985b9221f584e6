//! One stream: its frames waiting for the connection (and the TLS
//! handshake), its bytes waiting for the OS, and its TLS client.

use std::collections::VecDeque;
use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::ClientConfig;

use crate::limits::STREAM_QUEUE_LIMIT;
use crate::streams::tls_session::{Decrypted, TlsSession};
use crate::streams::write_queue::WriteQueue;
use crate::streams::{StreamCloseReason, StreamId, StreamKey};

/// What queueing one frame did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Queued {
    /// The frame will be written.
    Accepted,
    /// [`STREAM_QUEUE_LIMIT`] bytes were already waiting: dropped whole.
    Full,
}

/// What received bytes gave.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Received {
    /// Keep reading.
    Open,
    /// The far end ended the stream (TLS close_notify).
    PeerClosed,
}

/// One stream of a driver.
#[derive(Debug)]
pub(crate) struct Stream {
    pub(crate) id: StreamId,
    pub(crate) key: StreamKey,
    /// The runtime reported the connection made.
    connected: bool,
    /// Whole frames waiting for the connection and, for TLS, the end of
    /// the handshake (plaintext).
    waiting: VecDeque<Vec<u8>>,
    waiting_bytes: usize,
    /// Bytes for the OS, in order (TLS: records).
    wire: WriteQueue,
    /// The TLS client, for `Protocol::Tls`, made at the connection.
    tls: Option<TlsSession>,
}

impl Stream {
    pub(crate) fn new(id: StreamId, key: StreamKey) -> Self {
        Self {
            id,
            key,
            connected: false,
            waiting: VecDeque::new(),
            waiting_bytes: 0,
            wire: WriteQueue::default(),
            tls: None,
        }
    }

    /// Whether the runtime reported the connection made.
    pub(crate) fn is_connected(&self) -> bool {
        self.connected
    }

    /// Bytes queued: frames waiting plus bytes the OS has not taken.
    pub(crate) fn queued_bytes(&self) -> usize {
        self.waiting_bytes + self.wire.len()
    }

    /// Queues one whole frame (a STUN message or padded ChannelData).
    pub(crate) fn push_frame(&mut self, frame: Vec<u8>) -> Result<Queued, StreamCloseReason> {
        if self.queued_bytes() + frame.len() > STREAM_QUEUE_LIMIT {
            return Ok(Queued::Full);
        }
        if self.carries_data() {
            self.write_frame(&frame)?;
        } else {
            self.waiting_bytes += frame.len();
            self.waiting.push_back(frame);
        }
        Ok(Queued::Accepted)
    }

    /// The connection is made: TLS starts its handshake (the ClientHello
    /// is queued); TCP lets the waiting frames go.
    pub(crate) fn connected(
        &mut self,
        tls: Option<(Arc<ClientConfig>, ServerName<'static>)>,
    ) -> Result<(), StreamCloseReason> {
        self.connected = true;
        if let Some((config, name)) = tls {
            let mut session = TlsSession::new(config, name)?;
            session.flush_records(&mut self.wire)?;
            self.tls = Some(session);
        }
        self.release_waiting()
    }

    /// Bytes read from the socket. TCP bytes are appended to `plaintext`
    /// as they are; TLS bytes are decrypted.
    pub(crate) fn received(
        &mut self,
        bytes: &[u8],
        plaintext: &mut Vec<u8>,
    ) -> Result<Received, StreamCloseReason> {
        let Some(tls) = &mut self.tls else {
            plaintext.extend_from_slice(bytes);
            return Ok(Received::Open);
        };
        let outcome = tls.decrypt(bytes, plaintext, &mut self.wire)?;
        self.release_waiting()?;
        Ok(match outcome {
            Decrypted::More => Received::Open,
            Decrypted::PeerClosed => Received::PeerClosed,
        })
    }

    /// The bytes to write next.
    pub(crate) fn pending_output(&self) -> &[u8] {
        if self.connected {
            self.wire.pending()
        } else {
            &[]
        }
    }

    /// The OS took `n` bytes.
    pub(crate) fn written(&mut self, n: usize) {
        self.wire.consume(n);
    }

    /// Frames can go to the wire now: connected, and TLS done handshaking.
    fn carries_data(&self) -> bool {
        self.connected && self.tls.as_ref().map_or(true, |t| !t.is_handshaking())
    }

    fn write_frame(&mut self, frame: &[u8]) -> Result<(), StreamCloseReason> {
        match &mut self.tls {
            Some(tls) => tls.encrypt(frame, &mut self.wire),
            None => {
                self.wire.push(frame);
                Ok(())
            }
        }
    }

    fn release_waiting(&mut self) -> Result<(), StreamCloseReason> {
        if !self.carries_data() {
            return Ok(());
        }
        while let Some(frame) = self.waiting.pop_front() {
            self.waiting_bytes -= frame.len();
            self.write_frame(&frame)?;
        }
        Ok(())
    }
}
