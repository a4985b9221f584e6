//! How a [`crate::PeerConnection`] is set up: sockets, randomness, bounds,
//! name resolution.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use super::resolve::{Resolver, SystemResolver};

/// Options of [`crate::PeerConnection::new`], beside the
/// `RTCConfiguration`. `Default` binds every usable interface, seeds from
/// the OS and uses the bounds documented on each field.
#[derive(Clone)]
pub struct PeerConnectionOptions {
    /// The local IP addresses to bind a UDP socket on (port chosen by the
    /// OS), each reported to the machine as a host candidate address.
    /// Empty (the default): every address of every interface that is up,
    /// IPv4 and IPv6, except IPv6 link-local ones (they need a scope id).
    pub local_addresses: Vec<IpAddr>,
    /// The seed of the connection's random number generator (ICE
    /// credentials, DTLS randoms, SCTP tags, the certificate). `None` (the
    /// default): seeded from the OS (`getrandom`). Give one only in tests.
    pub seed: Option<u64>,
    /// Size of each UDP socket's kernel receive buffer (`SO_RCVBUF`,
    /// capped by the OS at `net.core.rmem_max`). Default 4 MiB: more than
    /// SCTP's 1 MiB receive window, so a burst that arrives while the task
    /// waits for a core is not dropped by the kernel (the default buffer
    /// holds about 90 datagrams on loopback).
    pub socket_receive_buffer: usize,
    /// Bytes of received messages a data channel queues for the
    /// application (its [`crate::DataChannel::recv`]). When one channel's
    /// queue holds this much (or all together hold
    /// `connection_queue_bytes`), the data channels are paused: received
    /// messages wait in SCTP, whose receive window closes, until the
    /// application reads (the backpressure of a slow reader; see the crate
    /// doc). Default 1 MiB.
    pub channel_queue_bytes: usize,
    /// Bytes the queues of all channels may hold together before the data
    /// channels are paused (so many channels, each under its own bound,
    /// cannot add up: a remote may open up to 1024). Default 4 MiB.
    pub connection_queue_bytes: usize,
    /// [`crate::DataChannel::send`] waits while the channel's
    /// `bufferedAmount` is above this. Default 1 MiB.
    pub send_high_water: u64,
    /// The channel's `bufferedAmountLowThreshold`: a waiting
    /// [`crate::DataChannel::send`] is woken by the `bufferedamountlow`
    /// event when the amount falls to it (taken as at most
    /// `send_high_water`). Default 256 KiB.
    pub send_low_water: u64,
    /// The largest message a [`crate::DataChannelStream`] write sends.
    /// Default 64 KiB (the remote's `a=max-message-size` is usually
    /// 256 KiB; below 16 KiB every write costs more events than bytes).
    pub stream_chunk_size: usize,
    /// Events ([`crate::PeerConnectionEvent`]) queued for
    /// [`crate::PeerConnection::events`]; past it new events are dropped
    /// and counted. Default 1024.
    pub event_capacity: usize,
    /// Frames (or RTP packets) a remote track queues for its
    /// [`crate::TrackReceiver`]; past it the oldest is dropped and counted
    /// (media is real time). Default 256.
    pub track_queue_len: usize,
    /// How long closing waits for the last datagrams (DTLS close_notify,
    /// SCTP ABORT) to leave. Default 3 s.
    pub close_timeout: Duration,
    /// Resolves ICE server host names (not `.local`). Default:
    /// [`SystemResolver`] (`tokio::net::lookup_host`).
    pub dns_resolver: Arc<dyn Resolver>,
    /// Resolves the remote's mDNS `.local` candidate names. Default `None`:
    /// they resolve to nothing (the remote's peer-reflexive candidate takes
    /// their place). The hook for an mDNS resolver.
    pub mdns_resolver: Option<Arc<dyn Resolver>>,
    /// The mDNS service ([`crate::MdnsHandle`]): it resolves the remote's
    /// `.local` candidates (when [`PeerConnectionOptions::mdns_resolver`]
    /// is `None`) and answers for our own names when
    /// [`PeerConnectionOptions::hide_host_addresses`] is on. Default
    /// `None`. One handle can serve every connection of the process.
    pub mdns: Option<crate::MdnsHandle>,
    /// Hide the host addresses behind `<uuid>.local` names, as browsers do
    /// (`RtcPeerConnection::hide_host_addresses`); the names are
    /// registered with [`PeerConnectionOptions::mdns`] while the
    /// connection lives. Without an mDNS handle nobody answers for them,
    /// and the remote connects through the peer-reflexive candidate our
    /// checks create. Default off.
    pub hide_host_addresses: bool,
    /// The roots TLS streams to `turns:` servers trust. `None` (the
    /// default): the Mozilla roots of `webpki-roots`. The certificate is
    /// checked against the URL's host name when it was resolved by the
    /// connection (DNS), else against the server's IP address.
    pub tls_roots: Option<crate::rustls::RootCertStore>,
}

impl Default for PeerConnectionOptions {
    fn default() -> Self {
        Self {
            local_addresses: Vec::new(),
            seed: None,
            socket_receive_buffer: 4 << 20,
            channel_queue_bytes: 1 << 20,
            connection_queue_bytes: 4 << 20,
            send_high_water: 1 << 20,
            send_low_water: 256 << 10,
            stream_chunk_size: 64 << 10,
            event_capacity: 1024,
            track_queue_len: 256,
            close_timeout: Duration::from_secs(3),
            dns_resolver: Arc::new(SystemResolver),
            mdns_resolver: None,
            mdns: None,
            hide_host_addresses: false,
            tls_roots: None,
        }
    }
}

impl PeerConnectionOptions {
    /// The defaults, binding only `addresses`.
    pub fn with_local_addresses(addresses: impl IntoIterator<Item = IpAddr>) -> Self {
        Self {
            local_addresses: addresses.into_iter().collect(),
            ..Self::default()
        }
    }
}

impl std::fmt::Debug for PeerConnectionOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeerConnectionOptions")
            .field("local_addresses", &self.local_addresses)
            .field("seed", &self.seed)
            .field("socket_receive_buffer", &self.socket_receive_buffer)
            .field("channel_queue_bytes", &self.channel_queue_bytes)
            .field("connection_queue_bytes", &self.connection_queue_bytes)
            .field("send_high_water", &self.send_high_water)
            .field("send_low_water", &self.send_low_water)
            .field("stream_chunk_size", &self.stream_chunk_size)
            .field("event_capacity", &self.event_capacity)
            .field("track_queue_len", &self.track_queue_len)
            .field("close_timeout", &self.close_timeout)
            .field("mdns_resolver", &self.mdns_resolver.is_some())
            .field("mdns", &self.mdns.is_some())
            .field("hide_host_addresses", &self.hide_host_addresses)
            .field("tls_roots", &self.tls_roots.as_ref().map(|r| r.len()))
            .finish_non_exhaustive()
    }
}
