//! The crate's single error type.

use crate::attribute_type::AttributeType;

/// Everything that can go wrong when parsing, building, verifying or
/// authenticating STUN/TURN messages. One variant per cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StunError {
    /// Fewer than the 20 bytes of a STUN header.
    #[error("buffer shorter than the 20-byte STUN header ({0} bytes)")]
    TruncatedHeader(usize),
    /// The two most significant bits of the first byte are not zero.
    #[error("first two bits are not 0b00: not a STUN message")]
    NotStun,
    /// The magic cookie is not 0x2112A442 (RFC 3489 message or garbage).
    #[error("magic cookie is {0:#010x}, not 0x2112a442")]
    BadMagicCookie(u32),
    /// The header's length field is not a multiple of 4.
    #[error("message length {0} is not a multiple of 4")]
    LengthNotMultipleOf4(u16),
    /// The header's length field disagrees with the buffer length.
    #[error("header says {declared} attribute bytes, buffer holds {actual}")]
    LengthMismatch {
        /// Attribute bytes the header declares.
        declared: usize,
        /// Attribute bytes present after the header.
        actual: usize,
    },
    /// An attribute header or (padded) value runs past the end of the message.
    #[error("attribute at offset {offset} runs past the end of the message")]
    TruncatedAttribute {
        /// Offset of the attribute header in the message.
        offset: usize,
    },
    /// More attributes than [`crate::MAX_ATTRIBUTES`].
    #[error("more than {0} attributes")]
    TooManyAttributes(usize),
    /// An attribute that may appear only once appears again.
    #[error("duplicate attribute {0:?}")]
    DuplicateAttribute(AttributeType),
    /// An attribute follows FINGERPRINT, which must be the last one.
    #[error("attribute {0:?} after FINGERPRINT")]
    AttributeAfterFingerprint(AttributeType),
    /// An attribute's value has a length its type does not allow.
    #[error("attribute {attribute:?} has invalid length {length}")]
    InvalidAttributeLength {
        /// The attribute.
        attribute: AttributeType,
        /// The length found.
        length: usize,
    },
    /// A text attribute is not valid UTF-8.
    #[error("attribute {0:?} is not valid UTF-8")]
    InvalidUtf8(AttributeType),
    /// An address attribute names an unknown family.
    #[error("attribute {attribute:?} has unknown address family {family:#04x}")]
    InvalidAddressFamily {
        /// The attribute.
        attribute: AttributeType,
        /// The family byte found.
        family: u8,
    },
    /// ERROR-CODE with a class outside 3..=6 or a number above 99.
    #[error("ERROR-CODE class {class} number {number} out of range")]
    InvalidErrorCode {
        /// The class (hundreds digit).
        class: u8,
        /// The number (last two digits).
        number: u8,
    },
    /// A value the attribute type constrains (e.g. a transport or a flag byte)
    /// is out of range.
    #[error("attribute {0:?} has an invalid value")]
    InvalidAttributeValue(AttributeType),
    /// A required attribute is absent.
    #[error("missing attribute {0:?}")]
    MissingAttribute(AttributeType),
    /// The message has no MESSAGE-INTEGRITY (or -SHA256) to verify.
    #[error("no {0:?} attribute to verify")]
    NoIntegrity(AttributeType),
    /// MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256 does not match the key.
    #[error("{0:?} does not match")]
    IntegrityMismatch(AttributeType),
    /// The message has no FINGERPRINT.
    #[error("no FINGERPRINT attribute")]
    NoFingerprint,
    /// FINGERPRINT does not match the message's CRC-32.
    #[error("FINGERPRINT mismatch: computed {computed:#010x}, found {found:#010x}")]
    FingerprintMismatch {
        /// CRC-32 xor 0x5354554E computed over the message.
        computed: u32,
        /// The value in the attribute.
        found: u32,
    },
    /// Building: an attribute value longer than a STUN length field holds.
    #[error("attribute value of {0} bytes is too long")]
    ValueTooLong(usize),
    /// Building: the message would exceed 65535 attribute bytes.
    #[error("message would exceed the 65535-byte length field")]
    MessageTooLong,
    /// Building: an attribute added after MESSAGE-INTEGRITY(-SHA256) other than
    /// the other integrity attribute or FINGERPRINT, or after FINGERPRINT.
    #[error("attribute {0:?} cannot follow the integrity/fingerprint attributes")]
    AttributeAfterIntegrity(AttributeType),
    /// Building: MESSAGE-INTEGRITY-SHA256 truncated to an invalid length.
    #[error("MESSAGE-INTEGRITY-SHA256 length {0} not in 16..=32 or not a multiple of 4")]
    InvalidIntegrityLength(usize),
    /// A ChannelData channel number outside 0x4000..=0x4FFF.
    #[error("channel number {0:#06x} outside 0x4000..=0x4fff")]
    InvalidChannelNumber(u16),
    /// A ChannelData message shorter than its header or its declared length.
    #[error("ChannelData truncated: need {needed} bytes, have {available}")]
    TruncatedChannelData {
        /// Bytes the header promises (header + data).
        needed: usize,
        /// Bytes present.
        available: usize,
    },
    /// A ChannelData datagram with more than 3 bytes after its data.
    #[error("ChannelData followed by {0} trailing bytes")]
    ChannelDataTrailingBytes(usize),
    /// Stream framing: the stream holds a frame that is neither STUN nor
    /// ChannelData; the stream cannot be resynchronised and must be closed.
    #[error("stream frame starts with {0:#04x}: neither STUN nor ChannelData")]
    UnknownFrame(u8),
    /// Stream framing: the bounded buffer cannot take more bytes.
    #[error("stream buffer full ({capacity} bytes); {dropped} bytes dropped")]
    FrameBufferFull {
        /// The buffer's capacity.
        capacity: usize,
        /// The bytes refused by this call.
        dropped: usize,
    },
    /// Stream framing: one frame is larger than the buffer's capacity.
    #[error("frame of {size} bytes exceeds the stream buffer capacity {capacity}")]
    FrameTooLarge {
        /// The frame's size.
        size: usize,
        /// The buffer's capacity.
        capacity: usize,
    },
    /// Long-term auth: a 401/438 without REALM.
    #[error("challenge without REALM")]
    ChallengeWithoutRealm,
    /// Long-term auth: a 401/438 without NONCE.
    #[error("challenge without NONCE")]
    ChallengeWithoutNonce,
    /// Long-term auth: the server rejected the credentials (a 401 answering a
    /// request that already carried them, or 441 Wrong Credentials).
    #[error("credentials rejected with error {0}")]
    CredentialsRejected(u16),
    /// Long-term auth: too many 438 Stale Nonce answers in a row.
    #[error("stale nonce {0} times in a row")]
    TooManyStaleNonces(u32),
    /// Long-term auth: the server offered only password algorithms we lack.
    #[error("no supported password algorithm offered")]
    UnsupportedPasswordAlgorithm,
    /// Long-term auth: the server's PASSWORD-ALGORITHMS changed between
    /// challenges (a bid-down attempt, RFC 8489 §9.2.5).
    #[error("PASSWORD-ALGORITHMS changed between challenges")]
    PasswordAlgorithmsChanged,
    /// Long-term auth: credentials were requested before any challenge.
    #[error("no challenge received yet")]
    NoChallengeYet,
    /// The message is not a response (long-term auth expects one).
    #[error("message is not a response")]
    NotAResponse,
}
