//! The crate's error type.

use std::io;
use std::net::SocketAddr;

/// What went wrong while setting up or running a [`crate::Driver`].
///
/// Failures of single datagrams (a send refused by the OS, a transmit from
/// an address no socket is bound to) are not errors: they are counted in
/// [`crate::DriverCounters`] and the driver keeps running, as a lossy
/// network would.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DriverError {
    /// Binding a UDP socket to the address failed.
    #[error("cannot bind a UDP socket to {address}: {source}")]
    Bind {
        /// The address asked for.
        address: SocketAddr,
        /// The OS error.
        source: io::Error,
    },
    /// The socket's local address could not be read.
    #[error("cannot read the socket's local address: {0}")]
    LocalAddress(io::Error),
    /// A socket bound to this local address is already in the driver.
    #[error("a socket bound to {0} is already in the driver")]
    DuplicateAddress(SocketAddr),
    /// The driver has no socket and the machine has no timer armed: no
    /// event can ever come.
    #[error("no socket is bound and no timer is armed: nothing can happen")]
    NothingToWaitFor,
}
