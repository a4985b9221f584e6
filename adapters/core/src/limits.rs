//! The bounds every driver keeps, whatever its runtime.

/// Most outputs taken from the machine in one drain; a machine that never
/// returns [`sansrtc_proto::Output::Timeout`] is cut off there (counted in
/// [`crate::DriverCounters::runaway_drains`]).
pub const DRAIN_LIMIT: usize = 100_000;

/// Most transmits waiting for a socket that is not writable; past it new
/// transmits are dropped (counted in
/// [`crate::DriverCounters::transmits_dropped`]).
pub const OUTBOX_LIMIT: usize = 4_096;

/// Most events waiting for the application; past it the oldest is dropped
/// (counted in [`crate::DriverCounters::events_dropped`]).
pub const EVENT_LIMIT: usize = 65_536;

/// The size of a driver's receive buffer: the largest UDP payload (IPv6
/// jumbograms aside), so no datagram is truncated.
pub const RECEIVE_BUFFER_SIZE: usize = 65_535;

/// Most TCP/TLS streams (open or connecting) a driver keeps at once; a
/// transmit that would open another is dropped and the machine is told the
/// stream closed (counted in [`crate::DriverCounters::streams_refused`]).
pub const STREAM_LIMIT: usize = 64;

/// Most bytes queued for one stream: whole frames waiting for the
/// connection (and the TLS handshake) plus bytes the OS has not taken yet.
/// A frame that does not fit is dropped whole, so the stream stays framed
/// (counted in [`crate::DriverCounters::stream_frames_dropped`]).
pub const STREAM_QUEUE_LIMIT: usize = 512 * 1024;
