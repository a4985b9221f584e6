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
    /// Transmits dropped because their protocol is TCP or TLS (not
    /// supported by this adapter yet).
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
}
