//! The streams' side of [`DriverCore`]: what the runtime calls as its TCP
//! sockets connect, become readable and writable, and fail.
//!
//! The runtime keeps one socket per [`StreamId`]; the core keeps the rest
//! (queues, TLS, bounds, counters) and tells the machine. A socket whose id
//! is no longer [`DriverCore::has_stream`] is dropped by the runtime (the
//! core ended the stream: a TLS failure, close_notify).

use std::io;
use std::time::Instant;

use sansrtc_proto::{Machine, Protocol, Receive, Transmit};

use crate::streams::{
    Lookup, Queued, Received, StreamClose, StreamCloseReason, StreamId, StreamKey, TlsSettings,
};
use crate::DriverCore;

impl<M: Machine> DriverCore<M> {
    /// A TCP/TLS transmit from the outbox: queued on its stream (opened if
    /// new), or dropped and counted.
    pub(crate) fn queue_stream_frame(&mut self, t: Transmit) {
        let key = StreamKey {
            local: t.source,
            remote: t.destination,
            protocol: t.protocol,
        };
        let id = match self.streams.lookup_or_open(key) {
            Lookup::Stream(id) => id,
            Lookup::Refused => {
                self.counters.streams_refused += 1;
                if !self.unreported_closes.iter().any(|c| c.key == key) {
                    self.unreported_closes.push(StreamClose {
                        key,
                        reason: StreamCloseReason::Refused,
                    });
                }
                return;
            }
        };
        let Some(stream) = self.streams.get_mut(id) else {
            return;
        };
        match stream.push_frame(t.contents) {
            Ok(Queued::Accepted) => {}
            Ok(Queued::Full) => self.counters.stream_frames_dropped += 1,
            Err(reason) => {
                if let Some(stream) = self.streams.remove(id) {
                    self.unreported_closes.push(StreamClose {
                        key: stream.key,
                        reason,
                    });
                }
            }
        }
    }

    /// Tells the machine about streams that ended inside
    /// [`DriverCore::send_outbox`] (refused past [`crate::STREAM_LIMIT`]),
    /// then hands `connect` each stream the outbox opened: the runtime
    /// starts a non-blocking connect from `key.local`'s IP to `key.remote`
    /// and keeps its socket under `id`. A connect that fails at once ends
    /// the stream. Call it after every [`DriverCore::send_outbox`]; the
    /// machine must be drained afterwards if [`DriverCore::needs_drain`].
    pub fn start_streams(
        &mut self,
        now: Instant,
        mut connect: impl FnMut(StreamId, StreamKey) -> io::Result<()>,
    ) {
        for close in std::mem::take(&mut self.unreported_closes) {
            self.report_close(now, close);
        }
        while let Some((id, key)) = self.streams.take_to_open() {
            self.counters.streams_opened += 1;
            if let Err(e) = connect(id, key) {
                self.connect_failed(now, id, &e);
            }
        }
    }

    /// The runtime's connect of `id` completed: TLS starts its handshake,
    /// TCP its queued frames ([`DriverCore::stream_output`]).
    pub fn stream_connected(&mut self, now: Instant, id: StreamId) {
        let Some(key) = self.streams.get(id).map(|s| s.key) else {
            return;
        };
        let tls = if key.protocol == Protocol::Tls {
            match self.streams.tls.client_config() {
                Ok(config) => Some((config, self.streams.tls.server_name(key.remote))),
                Err(e) => {
                    self.close(now, id, StreamCloseReason::Tls(e.to_string()));
                    return;
                }
            }
        } else {
            None
        };
        self.counters.streams_connected += 1;
        let result = match self.streams.get_mut(id) {
            Some(stream) => stream.connected(tls),
            None => return,
        };
        if let Err(reason) = result {
            self.close(now, id, reason);
        }
    }

    /// The runtime's connect of `id` failed.
    pub fn stream_connect_failed(&mut self, now: Instant, id: StreamId, error: &io::Error) {
        self.connect_failed(now, id, error);
    }

    /// The bytes to write to `id` next (empty: nothing to write, or not
    /// connected yet). After a write, [`DriverCore::stream_written`].
    pub fn stream_output(&self, id: StreamId) -> &[u8] {
        self.streams.get(id).map_or(&[], |s| s.pending_output())
    }

    /// The OS took `n` bytes of [`DriverCore::stream_output`].
    pub fn stream_written(&mut self, id: StreamId, n: usize) {
        if let Some(stream) = self.streams.get_mut(id) {
            stream.written(n);
            self.counters.stream_bytes_written += n as u64;
        }
    }

    /// Bytes read from `id` (a non-empty read): TLS decrypts them; the
    /// plaintext goes to the machine as one [`Receive`] from the remote to
    /// the local address, with the stream's protocol. A TLS failure or
    /// close_notify ends the stream.
    pub fn stream_received(&mut self, now: Instant, id: StreamId, bytes: &[u8]) {
        let mut plaintext = Vec::new();
        let (key, result) = match self.streams.get_mut(id) {
            Some(stream) => (stream.key, stream.received(bytes, &mut plaintext)),
            None => return,
        };
        self.counters.stream_bytes_read += bytes.len() as u64;
        if !plaintext.is_empty() {
            self.input(|m| {
                m.handle_receive(
                    now,
                    Receive {
                        protocol: key.protocol,
                        source: key.remote,
                        destination: key.local,
                        contents: &plaintext,
                    },
                )
            });
        }
        match result {
            Ok(Received::Open) => {}
            Ok(Received::PeerClosed) => self.close(now, id, StreamCloseReason::PeerClosed),
            Err(reason) => self.close(now, id, reason),
        }
    }

    /// The far end closed `id` (a read returned 0 bytes).
    pub fn stream_ended(&mut self, now: Instant, id: StreamId) {
        self.close(now, id, StreamCloseReason::PeerClosed);
    }

    /// Reading or writing `id` failed.
    pub fn stream_failed(&mut self, now: Instant, id: StreamId, error: &io::Error) {
        self.close(now, id, StreamCloseReason::Io(error.kind()));
    }

    /// Whether `id` is still one of the core's streams (else the runtime
    /// drops its socket).
    pub fn has_stream(&self, id: StreamId) -> bool {
        self.streams.get(id).is_some()
    }

    /// The streams (open or connecting), with their keys.
    pub fn streams(&self) -> impl Iterator<Item = (StreamId, StreamKey)> + '_ {
        self.streams.iter().map(|s| (s.id, s.key))
    }

    /// How many streams there are (open or connecting), at most
    /// [`crate::STREAM_LIMIT`].
    pub fn stream_count(&self) -> usize {
        self.streams.len()
    }

    /// Whether `id`'s connection was reported made.
    pub fn stream_is_connected(&self, id: StreamId) -> bool {
        self.streams.get(id).is_some_and(|s| s.is_connected())
    }

    /// Bytes queued for `id` (frames waiting plus bytes the OS has not
    /// taken), at most [`crate::STREAM_QUEUE_LIMIT`].
    pub fn stream_queued_bytes(&self, id: StreamId) -> usize {
        self.streams.get(id).map_or(0, |s| s.queued_bytes())
    }

    /// The last stream that ended, and why.
    pub fn last_stream_close(&self) -> Option<&StreamClose> {
        self.last_stream_close.as_ref()
    }

    /// The TLS roots, client configuration and server names of new TLS
    /// streams.
    pub fn tls_settings(&mut self) -> &mut TlsSettings {
        &mut self.streams.tls
    }

    fn connect_failed(&mut self, now: Instant, id: StreamId, error: &io::Error) {
        self.close(now, id, StreamCloseReason::ConnectFailed(error.kind()));
    }

    /// Ends `id` and tells the machine.
    fn close(&mut self, now: Instant, id: StreamId, reason: StreamCloseReason) {
        if let Some(stream) = self.streams.remove(id) {
            self.report_close(
                now,
                StreamClose {
                    key: stream.key,
                    reason,
                },
            );
        }
    }

    fn report_close(&mut self, now: Instant, close: StreamClose) {
        self.counters.streams_closed += 1;
        match close.reason {
            StreamCloseReason::ConnectFailed(_) => self.counters.stream_connect_failures += 1,
            StreamCloseReason::Tls(_) => self.counters.tls_failures += 1,
            // Counted as refused when the transmit was dropped.
            StreamCloseReason::Refused
            | StreamCloseReason::PeerClosed
            | StreamCloseReason::Io(_) => {}
        }
        let key = close.key;
        self.input(|m| m.handle_stream_closed(now, key.local, key.remote, key.protocol));
        self.last_stream_close = Some(close);
    }
}
