//! Relay candidate sources: the agent talks to a TURN client through this
//! small trait, so the TURN client crate plugs in without the agent knowing
//! its internals (and tests can plug in a scripted one).

use std::net::SocketAddr;
use std::time::Instant;

use sansrtc_proto::{Output, Receive, Transmit};

/// What a relay client reports to the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayEvent {
    /// The allocation exists: `relayed` becomes a relay candidate.
    Allocated {
        /// The relayed transport address on the server.
        relayed: SocketAddr,
        /// Our address as the server saw it.
        mapped: SocketAddr,
    },
    /// The server refused or could not be reached.
    Failed {
        /// STUN error code (701 when unreachable).
        code: u16,
        /// Reason text.
        text: String,
    },
    /// A datagram from `peer` arrived through the relay.
    Data {
        /// The peer's address.
        peer: SocketAddr,
        /// The bytes.
        data: Vec<u8>,
    },
    /// A 300 (Try Alternate) moved the client to another server address.
    Redirected {
        /// The new server address.
        to: SocketAddr,
    },
    /// The allocation is gone.
    Closed,
}

/// A TURN client as the agent drives it (the workspace's Sans-IO contract:
/// after every call the agent drains `poll_output` until a timeout).
pub trait RelayClient: Send {
    /// Starts the allocation.
    fn start(&mut self, now: Instant);
    /// Offers a datagram (or stream bytes) from the server; `true` if it was for this client.
    fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) -> bool;
    /// Timers.
    fn handle_timeout(&mut self, now: Instant);
    /// Transmits to the server, events, and the next timeout.
    fn poll_output(&mut self) -> Output<Transmit, RelayEvent>;
    /// Sends `data` to `peer` through the relay (permissions and channels as needed).
    fn send_to(&mut self, now: Instant, peer: SocketAddr, data: &[u8]);
    /// Deallocates.
    fn close(&mut self, now: Instant);
    /// The adapter's TCP/TLS stream to the server closed or failed.
    fn stream_closed(&mut self, now: Instant);
    /// A boxed copy in the same state (the `snapshot` feature: an agent
    /// is cloned with its relays).
    #[cfg(feature = "snapshot")]
    fn clone_box(&self) -> Box<dyn RelayClient>;
}

#[cfg(feature = "snapshot")]
impl Clone for Box<dyn RelayClient> {
    fn clone(&self) -> Self {
        (**self).clone_box()
    }
}

/// Makes relay clients for TURN servers; the agent calls it once per (base,
/// server) when gathering.
pub trait RelayFactory: Send {
    /// A client allocating on `server` from `local`, with these credentials.
    fn create(&mut self, request: &RelayRequest<'_>, seed: u64) -> Box<dyn RelayClient>;
    /// A boxed copy (the `snapshot` feature: an agent is cloned with its
    /// factory).
    #[cfg(feature = "snapshot")]
    fn clone_box(&self) -> Box<dyn RelayFactory>;
}

#[cfg(feature = "snapshot")]
impl Clone for Box<dyn RelayFactory> {
    fn clone(&self) -> Self {
        (**self).clone_box()
    }
}

/// What a relay client is made for.
#[derive(Debug, Clone, Copy)]
pub struct RelayRequest<'a> {
    /// The TURN server's address.
    pub server: SocketAddr,
    /// UDP, TCP or TLS.
    pub protocol: sansrtc_proto::Protocol,
    /// The local base the client sends from.
    pub local: SocketAddr,
    /// TURN username.
    pub username: &'a str,
    /// TURN password.
    pub password: &'a str,
    /// The URL, for errors.
    pub url: &'a str,
}

/// One relay of the agent: a client plus what the agent knows of it.
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Relay {
    pub(crate) server_entry: usize,
    pub(crate) component: u16,
    pub(crate) base: SocketAddr,
    pub(crate) server: SocketAddr,
    pub(crate) protocol: sansrtc_proto::Protocol,
    pub(crate) client: Box<dyn RelayClient>,
    pub(crate) relayed: Option<SocketAddr>,
    pub(crate) pending: bool,
    pub(crate) next_timeout: Option<Instant>,
}
