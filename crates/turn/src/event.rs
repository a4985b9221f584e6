//! What the client reports, and the states it goes through.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// The allocation's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TurnState {
    /// Created, `start` not called yet.
    New,
    /// Allocate sent (possibly through the 401 challenge, a 438 or a
    /// redirect); no answer yet.
    Allocating,
    /// The allocation exists; data can be relayed.
    Allocated,
    /// `close` sent the Refresh with LIFETIME 0; waiting for its answer.
    Closing,
    /// Closed (after `close`); terminal.
    Closed,
    /// The server failed (a [`TurnEvent::Failed`] was emitted); terminal.
    Failed,
}

impl TurnState {
    /// Whether the client is done (Closed or Failed).
    pub fn is_terminal(self) -> bool {
        matches!(self, TurnState::Closed | TurnState::Failed)
    }
}

/// What the client tells its user, from `poll_output`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TurnEvent {
    /// The allocation exists: a relayed candidate (`relayed`) and, when the
    /// server sent XOR-MAPPED-ADDRESS, a server-reflexive one (`mapped`).
    Allocated {
        /// The relayed transport address (XOR-RELAYED-ADDRESS).
        relayed: SocketAddr,
        /// Our address as the server saw it (XOR-MAPPED-ADDRESS).
        mapped: Option<SocketAddr>,
        /// The lifetime the server granted.
        lifetime: Duration,
    },
    /// The server failed: allocation refused (wrong credentials, quota …),
    /// unreachable (code 701), refresh refused, or the stream broke. Like
    /// the browser's `icecandidateerror`. The client is now
    /// [`TurnState::Failed`].
    Failed {
        /// [`crate::TurnClientConfig::url`].
        url: String,
        /// The STUN error code, or 701 when the server did not answer.
        code: u16,
        /// The reason phrase, or what went wrong.
        text: String,
    },
    /// Data from a peer, through the relay (Data indication or ChannelData).
    Data {
        /// The peer's address (as the relay saw it).
        peer: SocketAddr,
        /// The payload.
        data: Vec<u8>,
    },
    /// A CreatePermission failed. Data queued for this peer was dropped.
    /// After a refusal, `send_to` to the peer fails with
    /// `PermissionRefused` until `create_permission` asks again (or 300 s
    /// pass); after no answer (code 701) the next `send_to` asks again.
    PermissionFailed {
        /// The peer IP.
        peer: IpAddr,
        /// The error code.
        code: u16,
        /// The reason phrase.
        text: String,
    },
    /// A ChannelBind failed; data to this peer keeps going by Send
    /// indication. After a refusal no new ChannelBind is tried for the
    /// peer (`bind_channel` asks again); after no answer (code 701) the
    /// next `send_to` binds again.
    ChannelBindFailed {
        /// The peer.
        peer: SocketAddr,
        /// The error code.
        code: u16,
        /// The reason phrase.
        text: String,
    },
    /// A 300 (Try Alternate) moved the client to another server: datagrams
    /// from `to` belong to this client from now on.
    Redirected {
        /// The server first configured.
        from: SocketAddr,
        /// The ALTERNATE-SERVER.
        to: SocketAddr,
    },
    /// The allocation was deleted after `close` (or `close` was called
    /// before there was one). The client is now [`TurnState::Closed`].
    Closed,
}
