//! The one error type of the crate.

/// Everything that can go wrong in `sansrtc-sctp`: malformed packets from
/// the network (dropped and counted by the association) and misuse by the
/// application (returned from commands).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SctpError {
    /// The packet is shorter than the 12-byte common header.
    #[error("packet shorter than the SCTP common header")]
    PacketTooShort,
    /// The CRC-32c in the common header does not match the packet.
    #[error("bad CRC-32c checksum")]
    BadChecksum,
    /// A chunk header or its length field is inconsistent with the packet.
    #[error("chunk length field is invalid")]
    BadChunkLength,
    /// A chunk value is shorter than its fixed fields.
    #[error("chunk {chunk_type} is too short")]
    ChunkTooShort {
        /// The chunk type.
        chunk_type: u8,
    },
    /// A parameter header or its length field is inconsistent with its chunk.
    #[error("parameter length field is invalid")]
    BadParameterLength,
    /// A mandatory field carries a value the RFC forbids (e.g. a zero
    /// initiate tag, zero streams, or an empty DATA chunk).
    #[error("invalid mandatory field value")]
    InvalidField,
    /// The association is not in a state that allows the command.
    #[error("the association is not in a state that allows this")]
    InvalidState,
    /// The stream id is not below the negotiated number of outgoing streams.
    #[error("stream id {0} is not an open outgoing stream")]
    InvalidStream(u16),
    /// The stream is being reset; sending on it waits for the reset to end.
    #[error("stream {0} is being reset")]
    StreamResetting(u16),
    /// The message is empty (SCTP cannot carry an empty user message).
    #[error("an SCTP user message cannot be empty")]
    EmptyMessage,
    /// The message is larger than the configured maximum message size.
    #[error("message of {size} bytes exceeds the maximum of {max}")]
    MessageTooLarge {
        /// The size of the rejected message.
        size: usize,
        /// The configured maximum.
        max: usize,
    },
    /// Sending would exceed the configured send buffer.
    #[error("send buffer full")]
    SendBufferFull,
    /// Too many streams in one reset request or too many pending resets.
    #[error("too many streams to reset at once")]
    TooManyStreamResets,
    /// The peer does not support the extension the command needs.
    #[error("the peer does not support this extension")]
    PeerLacksExtension,
}
