//! Why a stream ended.

use std::io;

use crate::streams::StreamKey;

/// Why a driver's stream ended (the machine is told with
/// `Machine::handle_stream_closed`; the reason is kept for the application
/// in `DriverCore::last_stream_close`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamCloseReason {
    /// [`crate::STREAM_LIMIT`] streams were already open: the transmit that
    /// would have opened this one was dropped.
    Refused,
    /// The connection could not be made (refused, unreachable, or a socket
    /// could not be created).
    ConnectFailed(io::ErrorKind),
    /// The far end closed the stream (end of file, or TLS close_notify).
    PeerClosed,
    /// Reading or writing failed.
    Io(io::ErrorKind),
    /// TLS failed: the handshake (an untrusted certificate, a name that does
    /// not match), a bad record, or an alert from the server. The text is
    /// rustls' error.
    Tls(String),
}

/// A stream that ended, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamClose {
    /// The stream's addresses and protocol.
    pub key: StreamKey,
    /// Why it ended.
    pub reason: StreamCloseReason,
}
