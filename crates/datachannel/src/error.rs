//! Errors of the data-channel layer.

/// A malformed DCEP message (RFC 8832 §5). Such messages are dropped and
/// counted; they never change a channel's state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DcepError {
    /// The message has no bytes.
    #[error("empty DCEP message")]
    Empty,
    /// The first byte is neither OPEN (0x03) nor ACK (0x02).
    #[error("unknown DCEP message type 0x{0:02x}")]
    UnknownMessageType(u8),
    /// An OPEN shorter than its 12-byte fixed part.
    #[error("DATA_CHANNEL_OPEN truncated at {len} bytes (fixed part is 12)")]
    Truncated {
        /// The bytes present.
        len: usize,
    },
    /// Label and protocol lengths do not add up to the bytes present.
    #[error("DATA_CHANNEL_OPEN announces {announced} bytes of label and protocol, has {present}")]
    LengthMismatch {
        /// Label length plus protocol length.
        announced: usize,
        /// Bytes after the fixed part.
        present: usize,
    },
    /// An unknown channel type byte.
    #[error("unknown DCEP channel type 0x{0:02x}")]
    UnknownChannelType(u8),
    /// The label is not UTF-8.
    #[error("DCEP label is not UTF-8")]
    LabelNotUtf8,
    /// The protocol is not UTF-8.
    #[error("DCEP protocol is not UTF-8")]
    ProtocolNotUtf8,
    /// A label longer than 65535 bytes cannot be encoded.
    #[error("label longer than 65535 bytes")]
    LabelTooLong,
    /// A protocol longer than 65535 bytes cannot be encoded.
    #[error("protocol longer than 65535 bytes")]
    ProtocolTooLong,
}

/// Misuse of the `RTCDataChannel` API, with the DOM error the W3C spec
/// names for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DataChannelError {
    /// `label` is longer than 65535 bytes (TypeError).
    #[error("label is longer than 65535 bytes")]
    LabelTooLong,
    /// `protocol` is longer than 65535 bytes (TypeError).
    #[error("protocol is longer than 65535 bytes")]
    ProtocolTooLong,
    /// Both `maxPacketLifeTime` and `maxRetransmits` are set (TypeError).
    #[error("maxPacketLifeTime and maxRetransmits are both set")]
    BothReliabilityLimits,
    /// `negotiated` is true but no `id` is given (TypeError).
    #[error("a negotiated channel needs an id")]
    NegotiatedWithoutId,
    /// `id` is 65535 (TypeError).
    #[error("id 65535 is reserved")]
    ReservedId,
    /// `id` is not below the number of streams (OperationError).
    #[error("id {id} is not below the stream limit {limit}")]
    IdOutOfRange {
        /// The id asked for.
        id: u16,
        /// The number of streams.
        limit: u16,
    },
    /// `id` is used by another channel (OperationError).
    #[error("id {0} is already in use")]
    IdInUse(u16),
    /// No stream id of this endpoint's parity is free (OperationError).
    #[error("no free stream id")]
    NoFreeId,
    /// The configured maximum number of channels is reached (OperationError).
    #[error("the maximum number of channels ({0}) is reached")]
    TooManyChannels(usize),
    /// A message larger than the remote's `max-message-size` (TypeError).
    #[error("message of {size} bytes exceeds the remote max-message-size {limit}")]
    MessageTooLarge {
        /// The message size.
        size: usize,
        /// The remote's limit.
        limit: u64,
    },
    /// The send buffer of the channel is full (OperationError).
    #[error("send buffer full: {buffered} bytes buffered, limit {limit}")]
    BufferFull {
        /// Bytes already buffered.
        buffered: u64,
        /// The limit.
        limit: u64,
    },
    /// The channel is not open (InvalidStateError).
    #[error("the channel is not open")]
    NotOpen,
    /// No channel with this handle (InvalidStateError: it was closed and
    /// forgotten).
    #[error("unknown channel")]
    UnknownChannel,
    /// The peer connection is closed (InvalidStateError).
    #[error("the peer connection is closed")]
    Closed,
}

impl DataChannelError {
    /// The DOM error name the W3C spec gives this failure.
    pub fn dom_name(&self) -> &'static str {
        use DataChannelError::*;
        match self {
            LabelTooLong
            | ProtocolTooLong
            | BothReliabilityLimits
            | NegotiatedWithoutId
            | ReservedId
            | MessageTooLarge { .. } => "TypeError",
            IdOutOfRange { .. }
            | IdInUse(_)
            | NoFreeId
            | TooManyChannels(_)
            | BufferFull { .. } => "OperationError",
            NotOpen | UnknownChannel | Closed => "InvalidStateError",
        }
    }
}
