//! What a driver counts.

/// Counters of a driver (`sansrtc_tokio::Driver`, `sansrtc_mio::Driver`),
/// kept by its [`crate::DriverCore`]: what went through it, and what it
/// dropped and why.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DriverCounters {
    /// Datagrams received and handed to the machine.
    pub received: u64,
    /// Datagrams the OS accepted for sending.
    pub sent: u64,
    /// `handle_timeout` calls made when the machine's timer expired.
    pub timeouts: u64,
    /// Transmits dropped because no socket is bound to their `source`.
    pub unknown_source: u64,
    /// No longer counted (always 0): TCP and TLS transmits now go over the
    /// driver's streams. Kept so that code reading it still compiles.
    pub unsupported_protocol: u64,
    /// Transmits dropped because the OS refused them (e.g. unreachable
    /// destination, datagram larger than the OS allows).
    pub send_errors: u64,
    /// Receive calls that failed (e.g. an ICMP error reported by the OS).
    pub receive_errors: u64,
    /// Transmits dropped because [`crate::OUTBOX_LIMIT`] transmits were
    /// already waiting for their socket.
    pub transmits_dropped: u64,
    /// Oldest events dropped because [`crate::EVENT_LIMIT`] events were
    /// waiting for the application.
    pub events_dropped: u64,
    /// Drains cut off after [`crate::DRAIN_LIMIT`] outputs without a
    /// timeout (a machine that never ends a drain).
    pub runaway_drains: u64,
    /// Streams the driver started to connect (a machine's first TCP/TLS
    /// transmit to a remote).
    pub streams_opened: u64,
    /// Streams whose connection was made.
    pub streams_connected: u64,
    /// Streams that ended, for any reason (each reported to the machine
    /// with `Machine::handle_stream_closed`).
    pub streams_closed: u64,
    /// Of those, connections that could not be made.
    pub stream_connect_failures: u64,
    /// Of those, streams whose TLS failed (an untrusted certificate, a
    /// wrong name, a bad record, an alert).
    pub tls_failures: u64,
    /// Of those, streams never opened because [`crate::STREAM_LIMIT`]
    /// streams were open (the transmit is dropped).
    pub streams_refused: u64,
    /// Frames (TCP/TLS transmits) dropped whole because
    /// [`crate::STREAM_QUEUE_LIMIT`] bytes were queued for their stream.
    pub stream_frames_dropped: u64,
    /// Bytes the OS took for the streams (TLS: records).
    pub stream_bytes_written: u64,
    /// Bytes read from the streams (TLS: records).
    pub stream_bytes_read: u64,
}
