//! Counters of what an endpoint dropped or repeated.

/// What an endpoint dropped, refused or repeated. Every limit the peer can
/// hit is counted here rather than growing a buffer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DtlsStats {
    /// Datagrams with a record that cannot be framed (the rest was dropped).
    pub malformed_datagrams: u64,
    /// Records dropped by the anti-replay window.
    pub replayed_records: u64,
    /// Records that did not authenticate.
    pub bad_record_mac: u64,
    /// Records of an epoch we do not read (stale, or beyond the next one).
    pub wrong_epoch_records: u64,
    /// Records dropped because the buffer of not-yet-processable records was full.
    pub buffer_full_records: u64,
    /// Handshake fragments dropped (garbage, too far ahead, unexpected).
    pub dropped_fragments: u64,
    /// Flight retransmissions (timer and peer-triggered).
    pub retransmissions: u64,
    /// HelloVerifyRequests sent.
    pub hello_verify_requests: u64,
    /// Renegotiation attempts refused with no_renegotiation.
    pub renegotiations_refused: u64,
    /// DTLS 1.3 KeyUpdates we sent (RFC 9147 §8; not counting
    /// retransmissions).
    pub key_updates_sent: u64,
    /// DTLS 1.3 KeyUpdates of the peer we processed.
    pub key_updates_received: u64,
    /// Datagrams received before a client's `start` or after the
    /// connection closed or failed (ignored).
    pub after_close_datagrams: u64,
}
