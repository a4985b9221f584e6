//! How a [`crate::TurnClient`] is set up, and the protocol's fixed times.

use std::net::SocketAddr;
use std::time::Duration;

use sansrtc_proto::Protocol;

/// A permission lasts 300 s unless refreshed (RFC 8656 §9).
pub const PERMISSION_LIFETIME: Duration = Duration::from_secs(300);
/// Permissions in use are refreshed this long after they were installed
/// (one minute before they would expire).
pub const PERMISSION_REFRESH: Duration = Duration::from_secs(240);
/// A channel binding lasts 600 s unless refreshed (RFC 8656 §12).
pub const CHANNEL_LIFETIME: Duration = Duration::from_secs(600);
/// Channels in use are refreshed this long after they were bound (one
/// minute before they would expire, as libwebrtc does).
pub const CHANNEL_REFRESH: Duration = Duration::from_secs(540);
/// The allocation is refreshed this long before its lifetime ends (or at
/// half the lifetime, whichever is later).
pub const ALLOCATION_REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// The largest payload [`crate::TurnClient::send_to`] takes: what fits a
/// Send indication with an IPv6 XOR-PEER-ADDRESS in a STUN message.
pub const MAX_PAYLOAD: usize = 65_504;
/// The error code reported when the server does not answer or the
/// transport to it fails (the code browsers report in
/// `icecandidateerror` for an unreachable server).
pub const ERROR_SERVER_NOT_REACHABLE: u16 = 701;

/// Everything a [`crate::TurnClient`] needs: one server, one local
/// address, credentials, and the bounds. [`TurnClientConfig::new`] fills
/// in the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnClientConfig {
    /// The TURN server's address (already resolved).
    pub server: SocketAddr,
    /// The transport to the server: `Udp`, `Tcp`, or `Tls` for `turns:`
    /// (the driver terminates TLS and hands over the plaintext bytes).
    pub protocol: Protocol,
    /// The local address to send from. For TCP/TLS it is copied into every
    /// `Transmit::source` so the driver knows which connection to use.
    pub local: SocketAddr,
    /// The long-term credential username.
    pub username: String,
    /// The long-term credential password.
    pub password: String,
    /// The server's URL as configured (`turn:host:port?transport=udp`),
    /// repeated in [`crate::TurnEvent::Failed`].
    pub url: String,
    /// LIFETIME asked for in Allocate and Refresh requests (zero: let the
    /// server choose, 600 s by RFC 8656).
    pub requested_lifetime: Duration,
    /// Ask for an IPv6 relayed address (REQUESTED-ADDRESS-FAMILY) instead of
    /// the default IPv4 one.
    pub request_ipv6_relay: bool,
    /// SOFTWARE attribute to send in requests, if any.
    pub software: Option<String>,
    /// Initial retransmission timeout over UDP (RFC 8489 §6.2.1: 500 ms).
    pub rto: Duration,
    /// Requests sent in total over UDP before giving up (Rc, default 7).
    pub max_requests: u32,
    /// After the last request, wait this many initial RTOs for an answer
    /// (Rm, default 16). With the defaults a transaction times out after
    /// 39.5 s.
    pub final_wait_rtos: u32,
    /// How long a transaction over TCP/TLS waits for its answer (no
    /// retransmissions on a stream; RFC 8489 Ti = 39.5 s).
    pub stream_transaction_timeout: Duration,
    /// Most permissions at once (further peers are refused with
    /// [`crate::TurnError::PermissionLimit`]).
    pub max_permissions: usize,
    /// Most channel bindings at once (further peers go by Send indication).
    pub max_channels: usize,
    /// Bind a channel automatically for every peer `send_to` is used with,
    /// once its permission is installed (libwebrtc's behaviour).
    pub auto_channel_bind: bool,
    /// Most datagrams queued while waiting for permissions.
    pub max_queued_packets: usize,
    /// Most bytes queued while waiting for permissions.
    pub max_queued_bytes: usize,
    /// Most undrained events (received data beyond this is dropped and
    /// counted in [`crate::TurnStats::events_dropped`]).
    pub max_events: usize,
    /// Follow a 300 (Try Alternate) with ALTERNATE-SERVER to the Allocate
    /// once, over UDP.
    pub follow_alternate_server: bool,
    /// Bytes the TCP/TLS stream de-framer may hold.
    pub stream_buffer: usize,
}

impl TurnClientConfig {
    /// A configuration with the defaults: lifetime 600 s, IPv4 relay, RFC
    /// 8489 timers, 64 permissions, 64 channels, automatic channels, 64
    /// queued datagrams / 64 KiB, 1024 events.
    pub fn new(
        server: SocketAddr,
        protocol: Protocol,
        local: SocketAddr,
        username: impl Into<String>,
        password: impl Into<String>,
        url: impl Into<String>,
    ) -> Self {
        TurnClientConfig {
            server,
            protocol,
            local,
            username: username.into(),
            password: password.into(),
            url: url.into(),
            requested_lifetime: Duration::from_secs(600),
            request_ipv6_relay: false,
            software: None,
            rto: Duration::from_millis(500),
            max_requests: 7,
            final_wait_rtos: 16,
            stream_transaction_timeout: Duration::from_millis(39_500),
            max_permissions: 64,
            max_channels: 64,
            auto_channel_bind: true,
            max_queued_packets: 64,
            max_queued_bytes: 64 * 1024,
            max_events: 1024,
            follow_alternate_server: true,
            stream_buffer: sansrtc_stun::StreamDeframer::DEFAULT_CAPACITY,
        }
    }

    /// Whether the transport is a stream (TCP or TLS).
    pub fn is_stream(&self) -> bool {
        !matches!(self.protocol, Protocol::Udp)
    }
}
