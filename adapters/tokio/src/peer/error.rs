//! The error of the async API.

use std::io;
use std::net::IpAddr;

use sansrtc::RtcError;

use crate::DriverError;

/// What an async [`crate::PeerConnection`] / [`crate::DataChannel`] /
/// track call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connection's task has ended: `close()` was called, every handle
    /// was dropped, or its driver failed. Nothing more can be done on it.
    #[error("the connection's task has ended")]
    TaskEnded,
    /// The peer connection refused the call (the W3C exceptions:
    /// `InvalidStateError`, `TypeError`, …).
    #[error(transparent)]
    Rtc(#[from] RtcError),
    /// The driver could not be set up (a socket could not be added).
    #[error(transparent)]
    Driver(#[from] DriverError),
    /// A UDP socket could not be bound to this local address.
    #[error("cannot bind a UDP socket to {address}: {source}")]
    Bind {
        /// The address asked for.
        address: IpAddr,
        /// The OS error.
        source: io::Error,
    },
    /// The network interfaces could not be listed.
    #[error("cannot list the network interfaces: {0}")]
    Interfaces(io::Error),
    /// No local address could be bound: the connection would have no host
    /// candidate.
    #[error("no local address could be bound")]
    NoLocalAddress,
    /// The OS gave no randomness to seed the connection's generator.
    #[error("no randomness from the OS: {0}")]
    Randomness(rand_core::Error),
    /// [`crate::PeerConnection::events`] was already called: the event
    /// stream has one consumer.
    #[error("the event stream was already taken")]
    EventsTaken,
    /// The TLS roots given in the options were refused.
    #[error("the TLS roots were refused: {0}")]
    Tls(crate::rustls::Error),
    /// The data channel is closed (or closing): nothing can be sent on it.
    #[error("the data channel is closed")]
    ChannelClosed,
}
