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
    /// An RTCP packet's body is shorter than the fixed part of its type.
    #[error(
        "RTCP packet type {packet_type}: {len}-byte body is shorter than the {min}-byte fixed part"
    )]
    RtcpBodyTooShort {
        /// The packet type (200 SR, 205 RTPFB, …).
        packet_type: u8,
        /// Bytes in the body (after the 4-byte header, padding removed).
        len: usize,
        /// Bytes the fixed part needs.
        min: usize,
    },
    /// A count in an RTCP packet (report blocks, chunks, SSRCs, packet
    /// statuses, reports, or an item or reason length) runs past its end.
    #[error("RTCP packet type {packet_type}: {what} runs past the packet's end")]
    RtcpCountOverrun {
        /// The packet type.
        packet_type: u8,
        /// What overran.
        what: &'static str,
    },
    /// An RTCP packet breaks its type's format in another way.
    #[error("RTCP packet type {packet_type}: {reason}")]
    RtcpMalformed {
        /// The packet type.
        packet_type: u8,
        /// What is wrong.
        reason: &'static str,
    },
    /// A typed RTCP parser was given a packet of another type or FMT.
    #[error(
        "RTCP packet type {packet_type} with count/FMT {count} is not the type this parser reads"
    )]
    RtcpUnexpectedType {
        /// The packet type found.
        packet_type: u8,
        /// The count/FMT field found.
        count: u8,
    },
}
