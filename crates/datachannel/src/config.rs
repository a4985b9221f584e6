//! Limits of the data-channel layer.

/// Limits and advertised values. Every number here bounds memory the remote
/// or the application could otherwise grow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataChannelConfig {
    /// The number of SCTP streams: stream ids are below it (at most 65535,
    /// so ids 0..=65534).
    pub max_streams: u16,
    /// The most channels alive at once.
    pub max_channels: usize,
    /// The largest message we accept, advertised as our
    /// `a=max-message-size` (RFC 8841).
    pub max_message_size: usize,
    /// The most bytes one channel may have buffered for sending; a send
    /// past it is an `OperationError`.
    pub max_buffered_amount: u64,
    /// The most bytes of labels and protocols the channels alive may hold
    /// together; a remote DATA_CHANNEL_OPEN past it is refused and counted.
    /// Each may be 65535 bytes (RFC 8832 §5.1), so without it a remote
    /// could make `max_channels` channels hold 128 KiB each.
    pub max_label_bytes: usize,
}

impl Default for DataChannelConfig {
    fn default() -> Self {
        DataChannelConfig {
            max_streams: 1024,
            max_channels: 1024,
            max_message_size: 256 * 1024,
            max_buffered_amount: 16 * 1024 * 1024,
            max_label_bytes: 1024 * 1024,
        }
    }
}

/// The remote's `max-message-size` when SDP carries none (RFC 8841 §6.1).
pub const DEFAULT_REMOTE_MAX_MESSAGE_SIZE: u64 = 65536;
