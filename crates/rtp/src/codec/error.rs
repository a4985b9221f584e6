//! The error type of the payloaders and depayloaders.

/// Why a frame could not be payloaded, or a payload not depayloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// An RTP payload of zero bytes.
    #[error("empty RTP payload")]
    EmptyPayload,
    /// A frame with nothing to send (no bytes, no NAL unit, only dropped OBUs).
    #[error("empty frame")]
    EmptyFrame,
    /// A header or length runs past the end of the payload; names what.
    #[error("truncated {0}")]
    Truncated(&'static str),
    /// A field has a value the payload format forbids; says which.
    #[error("invalid payload: {0}")]
    Invalid(&'static str),
    /// A valid construct this implementation does not take (H.264 STAP-B,
    /// MTAP and FU-B, which need packetization mode 2).
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
    /// `max_payload` leaves no room for the media after the payload header.
    #[error("max payload of {max_payload} bytes is below the {min} bytes needed")]
    MaxPayloadTooSmall {
        /// The budget given.
        max_payload: usize,
        /// The smallest budget that works.
        min: usize,
    },
    /// A frame (or an H.264 NAL unit in packetization mode 0) that cannot
    /// be fragmented is larger than the budget, or a reassembled frame
    /// exceeds the depayloader's maximum.
    #[error("{size} bytes exceed the maximum of {max}")]
    FrameTooLarge {
        /// Bytes of the frame (or NAL unit).
        size: usize,
        /// The limit.
        max: usize,
    },
}
