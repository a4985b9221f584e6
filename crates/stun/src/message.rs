//! Zero-copy parsing of a STUN message (RFC 8489 §5, §14).

use crate::attribute_type::AttributeType;
use crate::attributes::DecodeAttribute;
use crate::error::StunError;
use crate::header::{Class, MessageType, Method, TransactionId, HEADER_LEN, MAGIC_COOKIE};

/// The most attributes one message may carry; more is rejected as hostile.
/// Real messages carry about a dozen; a CreatePermission with many
/// XOR-PEER-ADDRESS attributes stays well below this.
pub const MAX_ATTRIBUTES: usize = 64;

/// One attribute as it appears on the wire, borrowing the message buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawAttribute<'a> {
    /// The attribute type.
    pub attribute_type: AttributeType,
    /// The value, without padding.
    pub value: &'a [u8],
    /// Offset of the attribute's 4-byte header in the message.
    pub offset: usize,
}

/// A parsed STUN message borrowing its buffer. Parsing validates the whole
/// structure once (header, every attribute length and padding, attribute
/// count, duplicates, position of the integrity and fingerprint
/// attributes); reading attributes afterwards does not allocate.
///
/// Attributes after MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256 are
/// ignored (RFC 8489 §14.5, §14.6): iteration and lookups do not see them,
/// except the other integrity attribute and FINGERPRINT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message<'a> {
    bytes: &'a [u8],
    message_type: MessageType,
    transaction_id: TransactionId,
    pub(crate) integrity: Option<usize>,
    pub(crate) integrity_sha256: Option<usize>,
    pub(crate) fingerprint: Option<usize>,
    attribute_count: usize,
}

/// Reads a big-endian u16 at `at` (caller guarantees bounds).
fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at + 2)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

impl<'a> Message<'a> {
    /// Quick check for demultiplexing (RFC 7983): first two bits zero, the
    /// magic cookie present and a length that matches the buffer.
    pub fn looks_like_stun(bytes: &[u8]) -> bool {
        bytes.len() >= HEADER_LEN
            && bytes[0] & 0xC0 == 0
            && bytes[4..8] == MAGIC_COOKIE.to_be_bytes()
            && be16(bytes, 2).map(usize::from) == Some(bytes.len() - HEADER_LEN)
    }

    /// Parses and validates one STUN message that fills `bytes` exactly
    /// (a UDP datagram, or a frame cut by [`crate::StreamDeframer`]).
    pub fn parse(bytes: &'a [u8]) -> Result<Self, StunError> {
        if bytes.len() < HEADER_LEN {
            return Err(StunError::TruncatedHeader(bytes.len()));
        }
        if bytes[0] & 0xC0 != 0 {
            return Err(StunError::NotStun);
        }
        let cookie = u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
        if cookie != MAGIC_COOKIE {
            return Err(StunError::BadMagicCookie(cookie));
        }
        let declared = be16(bytes, 2).unwrap_or(0);
        if declared % 4 != 0 {
            return Err(StunError::LengthNotMultipleOf4(declared));
        }
        let actual = bytes.len() - HEADER_LEN;
        if usize::from(declared) != actual {
            return Err(StunError::LengthMismatch {
                declared: declared.into(),
                actual,
            });
        }
        let message_type = MessageType::from_u16(be16(bytes, 0).unwrap_or(0));
        let mut tid = [0u8; 12];
        tid.copy_from_slice(&bytes[8..HEADER_LEN]);

        let mut message = Message {
            bytes,
            message_type,
            transaction_id: TransactionId(tid),
            integrity: None,
            integrity_sha256: None,
            fingerprint: None,
            attribute_count: 0,
        };
        message.validate_attributes()?;
        Ok(message)
    }

    fn validate_attributes(&mut self) -> Result<(), StunError> {
        let bytes = self.bytes;
        let mut seen = [AttributeType(0); MAX_ATTRIBUTES];
        let mut seen_len = 0usize;
        let mut count = 0usize;
        let mut offset = HEADER_LEN;
        while offset < bytes.len() {
            let (Some(raw_type), Some(length)) = (be16(bytes, offset), be16(bytes, offset + 2))
            else {
                return Err(StunError::TruncatedAttribute { offset });
            };
            let attribute_type = AttributeType(raw_type);
            let length = usize::from(length);
            let padded = (length + 3) & !3;
            if padded > bytes.len() - offset - 4 {
                return Err(StunError::TruncatedAttribute { offset });
            }
            count += 1;
            if count > MAX_ATTRIBUTES {
                return Err(StunError::TooManyAttributes(MAX_ATTRIBUTES));
            }
            if self.fingerprint.is_some() {
                return Err(StunError::AttributeAfterFingerprint(attribute_type));
            }
            let after_integrity = self.integrity.is_some() || self.integrity_sha256.is_some();
            let invalid_length = StunError::InvalidAttributeLength {
                attribute: attribute_type,
                length,
            };
            match attribute_type {
                AttributeType::MESSAGE_INTEGRITY => {
                    if self.integrity.is_some() {
                        return Err(StunError::DuplicateAttribute(attribute_type));
                    }
                    if length != 20 {
                        return Err(invalid_length);
                    }
                    self.integrity = Some(offset);
                }
                AttributeType::MESSAGE_INTEGRITY_SHA256 => {
                    if self.integrity_sha256.is_some() {
                        return Err(StunError::DuplicateAttribute(attribute_type));
                    }
                    if !(16..=32).contains(&length) || length % 4 != 0 {
                        return Err(invalid_length);
                    }
                    self.integrity_sha256 = Some(offset);
                }
                AttributeType::FINGERPRINT => {
                    if length != 4 {
                        return Err(invalid_length);
                    }
                    self.fingerprint = Some(offset);
                }
                _ if after_integrity => {} // ignored (RFC 8489 §14.5)
                _ => {
                    if !attribute_type.may_repeat() && seen[..seen_len].contains(&attribute_type) {
                        return Err(StunError::DuplicateAttribute(attribute_type));
                    }
                    // count <= MAX_ATTRIBUTES, so seen_len < MAX_ATTRIBUTES here.
                    if let Some(slot) = seen.get_mut(seen_len) {
                        *slot = attribute_type;
                        seen_len += 1;
                    }
                }
            }
            offset += 4 + padded;
        }
        self.attribute_count = count;
        Ok(())
    }

    /// The whole message.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Method and class.
    pub fn message_type(&self) -> MessageType {
        self.message_type
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.message_type.method
    }

    /// The class.
    pub fn class(&self) -> Class {
        self.message_type.class
    }

    /// The transaction id.
    pub fn transaction_id(&self) -> TransactionId {
        self.transaction_id
    }

    /// Number of attributes on the wire, ignored ones included.
    pub fn attribute_count(&self) -> usize {
        self.attribute_count
    }

    /// Whether MESSAGE-INTEGRITY is present.
    pub fn has_integrity(&self) -> bool {
        self.integrity.is_some()
    }

    /// Whether MESSAGE-INTEGRITY-SHA256 is present.
    pub fn has_integrity_sha256(&self) -> bool {
        self.integrity_sha256.is_some()
    }

    /// Whether FINGERPRINT is present.
    pub fn has_fingerprint(&self) -> bool {
        self.fingerprint.is_some()
    }

    /// The attributes this message carries, in wire order, without those
    /// that follow an integrity attribute (except the other integrity
    /// attribute and FINGERPRINT).
    pub fn attributes(&self) -> AttributeIter<'a> {
        let first_integrity = match (self.integrity, self.integrity_sha256) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => usize::MAX,
        };
        AttributeIter {
            bytes: self.bytes,
            offset: HEADER_LEN,
            first_integrity,
        }
    }

    /// The first attribute of a type, raw.
    pub fn raw(&self, attribute_type: AttributeType) -> Option<RawAttribute<'a>> {
        self.attributes()
            .find(|a| a.attribute_type == attribute_type)
    }

    /// Whether an attribute of this type is present (and not ignored).
    pub fn has(&self, attribute_type: AttributeType) -> bool {
        self.raw(attribute_type).is_some()
    }

    /// The first attribute of type `A`, decoded: `Ok(None)` when absent,
    /// an error when present but malformed.
    pub fn get<A: DecodeAttribute<'a>>(&self) -> Result<Option<A>, StunError> {
        match self.raw(A::TYPE) {
            Some(raw) => A::decode(raw.value, &self.transaction_id).map(Some),
            None => Ok(None),
        }
    }

    /// The first attribute of type `A`; [`StunError::MissingAttribute`] when
    /// absent.
    pub fn require<A: DecodeAttribute<'a>>(&self) -> Result<A, StunError> {
        self.get::<A>()?.ok_or(StunError::MissingAttribute(A::TYPE))
    }

    /// Every attribute of type `A`, decoded (for the repeatable ones such as
    /// XOR-PEER-ADDRESS).
    pub fn get_all<A: DecodeAttribute<'a>>(
        &self,
    ) -> impl Iterator<Item = Result<A, StunError>> + 'a {
        let tid = self.transaction_id;
        self.attributes()
            .filter(|a| a.attribute_type == A::TYPE)
            .map(move |a| A::decode(a.value, &tid))
    }

    /// Comprehension-required attribute types (0x0000–0x7FFF) this crate
    /// does not know. A server answers a request that has any with a 420
    /// carrying them in UNKNOWN-ATTRIBUTES (see
    /// [`crate::MessageBuilder::add_unknown_attributes`]); a client treats
    /// such a response as failed (RFC 8489 §6.3).
    pub fn unknown_comprehension_required(&self) -> impl Iterator<Item = AttributeType> + 'a {
        self.attributes()
            .map(|a| a.attribute_type)
            .filter(|t| t.is_comprehension_required() && !t.is_known())
    }
}

/// Iterator over a message's honoured attributes (see [`Message::attributes`]).
#[derive(Clone, Debug)]
pub struct AttributeIter<'a> {
    bytes: &'a [u8],
    offset: usize,
    first_integrity: usize,
}

impl<'a> Iterator for AttributeIter<'a> {
    type Item = RawAttribute<'a>;

    fn next(&mut self) -> Option<RawAttribute<'a>> {
        loop {
            let offset = self.offset;
            let attribute_type = AttributeType(be16(self.bytes, offset)?);
            let length = usize::from(be16(self.bytes, offset + 2)?);
            let value = self.bytes.get(offset + 4..offset + 4 + length)?;
            self.offset = offset + 4 + ((length + 3) & !3);
            let honoured = offset <= self.first_integrity
                || matches!(
                    attribute_type,
                    AttributeType::MESSAGE_INTEGRITY
                        | AttributeType::MESSAGE_INTEGRITY_SHA256
                        | AttributeType::FINGERPRINT
                );
            if honoured {
                return Some(RawAttribute {
                    attribute_type,
                    value,
                    offset,
                });
            }
        }
    }
}
