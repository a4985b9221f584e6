//! Association configuration.

use std::time::Duration;

/// Configuration of an [`crate::Association`]. Defaults follow the WebRTC
/// profile (RFC 8831 §6, RFC 8261): port 5000, 1200-byte DTLS datagrams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SctpConfig {
    /// Our SCTP port (`a=sctp-port`, default 5000).
    pub local_port: u16,
    /// The peer's SCTP port (its `a=sctp-port`, default 5000).
    pub remote_port: u16,
    /// The largest SCTP packet we send. The default, 1172, fits an SCTP
    /// packet in a 1200-byte DTLS 1.2 datagram with AES-GCM (13-byte record
    /// header, 8-byte explicit nonce, 16-byte tag) and leaves room.
    pub mtu: usize,
    /// Outgoing streams we ask for (OS in INIT).
    pub outbound_streams: u16,
    /// Incoming streams we accept (MIS in INIT).
    pub inbound_streams: u16,
    /// Our receive window: bytes received but not yet read by the
    /// application, at most (a_rwnd).
    pub receive_window: u32,
    /// Bytes the application may queue for sending (unsent plus unacknowledged).
    pub send_buffer: usize,
    /// Largest user message accepted by `send` and by reassembly.
    pub max_message_size: usize,
    /// Announce RFC 9653 zero checksum acceptance (right over DTLS).
    pub zero_checksum: bool,
    /// RTO.Initial (RFC 9260 §16).
    pub rto_initial: Duration,
    /// RTO.Min. RFC 9260 says 1 s; WebRTC stacks use less (see docs/sctp.md).
    pub rto_min: Duration,
    /// RTO.Max, which also caps the doubling of T3-rtx, T1 and T2. RFC 9260
    /// suggests 60 s; WebRTC stacks cap timer backoff at 3 s (libwebrtc's and
    /// Firefox's dcSCTP options), so that a data channel recovers within
    /// seconds of a loss burst instead of a minute. The default follows them.
    pub rto_max: Duration,
    /// Association.Max.Retrans: consecutive T3 expirations before giving up.
    pub max_retransmissions: u32,
    /// Max.Init.Retransmits.
    pub max_init_retransmissions: u32,
    /// Valid.Cookie.Life.
    pub cookie_lifetime: Duration,
    /// Delay before a SACK for a lone packet (RFC 9260 §6.2, at most 500 ms).
    pub delayed_ack: Duration,
}

impl Default for SctpConfig {
    fn default() -> Self {
        Self {
            local_port: 5000,
            remote_port: 5000,
            mtu: 1172,
            outbound_streams: 65535,
            inbound_streams: 65535,
            receive_window: 1024 * 1024,
            send_buffer: 4 * 1024 * 1024,
            max_message_size: 256 * 1024,
            zero_checksum: false,
            rto_initial: Duration::from_secs(1),
            rto_min: Duration::from_millis(200),
            rto_max: Duration::from_secs(3),
            max_retransmissions: 10,
            max_init_retransmissions: 8,
            cookie_lifetime: Duration::from_secs(60),
            delayed_ack: Duration::from_millis(200),
        }
    }
}
