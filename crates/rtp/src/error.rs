//! The crate's single error type.

/// Why bytes are not a valid RTP or RTCP header. One variant per cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RtpError {
    /// Fewer bytes than the fixed header (12 for RTP, 4 for RTCP).
    #[error("{len} bytes is shorter than the {min}-byte fixed header")]
    TooShort {
        /// Bytes given.
        len: usize,
        /// Fixed header length.
        min: usize,
    },
    /// The version field is not 2.
    #[error("version is {0}, not 2")]
    BadVersion(u8),
    /// The CSRC list (CC field) runs past the end.
    #[error("{count} CSRCs run past the packet's {len} bytes")]
    CsrcOverrun {
        /// The CC field.
        count: u8,
        /// Bytes in the packet.
        len: usize,
    },
    /// The header extension (its 4-byte header or its length) runs past the end.
    #[error("header extension runs past the packet's end")]
    ExtensionOverrun,
    /// An RFC 8285 extension element runs past the extension block.
    #[error("extension element at offset {0} runs past the extension block")]
    ExtensionElementOverrun(usize),
    /// The padding count (last byte) is zero or larger than the payload.
    #[error("padding of {padding} bytes does not fit the {available} bytes after the header")]
    BadPadding {
        /// The last byte of the packet.
        padding: u8,
        /// Bytes after the header.
        available: usize,
    },
    /// An RTCP packet's length field runs past the end of the datagram.
    #[error("RTCP packet of {declared} bytes at offset {offset} runs past the datagram")]
    RtcpLengthOverrun {
        /// Offset of the packet in the compound packet.
        offset: usize,
        /// Bytes its length field announces.
        declared: usize,
    },
}
