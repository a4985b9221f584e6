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
