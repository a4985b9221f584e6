//! The crate's error type: misuse of the client's commands. Trouble on the
//! network is never an error here: it is dropped and counted, or reported
//! as a [`crate::TurnEvent`].

use std::net::{IpAddr, SocketAddr};

use crate::event::TurnState;

/// Why a command was refused. One variant per cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TurnError {
    /// The command needs an allocation and there is none in this state.
    #[error("no allocation (state {0:?})")]
    NotAllocated(TurnState),
    /// `start` was called twice.
    #[error("the client was already started")]
    AlreadyStarted,
    /// The peer's address family differs from the relayed address's
    /// (RFC 8656 §9.1, 443).
    #[error("peer {peer} is not of the relayed address {relayed}'s family")]
    PeerFamilyMismatch {
        /// The peer asked for.
        peer: IpAddr,
        /// The allocation's relayed address.
        relayed: SocketAddr,
    },
    /// The payload does not fit a Send indication or ChannelData message.
    #[error("payload of {len} bytes exceeds {max}")]
    PayloadTooLarge {
        /// The payload's length.
        len: usize,
        /// The largest payload accepted.
        max: usize,
    },
    /// The permission table is full.
    #[error("permission limit of {0} reached")]
    PermissionLimit(usize),
    /// The channel table is full (or the channel numbers are used up).
    #[error("channel limit of {0} reached")]
    ChannelLimit(usize),
    /// The queue of data waiting for a permission is full; the datagram
    /// was dropped.
    #[error("queue for data awaiting permissions is full ({packets} datagrams, {bytes} bytes)")]
    QueueFull {
        /// Datagrams queued.
        packets: usize,
        /// Bytes queued.
        bytes: usize,
    },
    /// The server refused a permission for this peer; call
    /// `create_permission` to try again.
    #[error("the server refused a permission for {0}")]
    PermissionRefused(IpAddr),
}
