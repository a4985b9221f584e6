//! Read-only views of MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and
//! FINGERPRINT. The builder computes them ([`crate::MessageBuilder`]) and
//! [`crate::Message`] verifies them; these types only expose the raw value.

use super::{decode_u32, Attribute, DecodeAttribute};
use crate::attribute_type::AttributeType;
use crate::error::StunError;
use crate::header::TransactionId;

/// MESSAGE-INTEGRITY: the 20-byte HMAC-SHA1 (RFC 8489 §14.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageIntegrity<'a>(pub &'a [u8; 20]);

/// MESSAGE-INTEGRITY-SHA256: the HMAC-SHA256, possibly truncated to 16–32
/// bytes (RFC 8489 §14.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageIntegritySha256<'a>(pub &'a [u8]);

/// FINGERPRINT: CRC-32 of the message xor 0x5354554E (RFC 8489 §14.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fingerprint(pub u32);

impl Attribute for MessageIntegrity<'_> {
    const TYPE: AttributeType = AttributeType::MESSAGE_INTEGRITY;
}
impl<'a> DecodeAttribute<'a> for MessageIntegrity<'a> {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        value
            .try_into()
            .map(MessageIntegrity)
            .map_err(|_| StunError::InvalidAttributeLength {
                attribute: Self::TYPE,
                length: value.len(),
            })
    }
}

impl Attribute for MessageIntegritySha256<'_> {
    const TYPE: AttributeType = AttributeType::MESSAGE_INTEGRITY_SHA256;
}
impl<'a> DecodeAttribute<'a> for MessageIntegritySha256<'a> {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        if (16..=32).contains(&value.len()) && value.len() % 4 == 0 {
            Ok(MessageIntegritySha256(value))
        } else {
            Err(StunError::InvalidAttributeLength {
                attribute: Self::TYPE,
                length: value.len(),
            })
        }
    }
}

impl Attribute for Fingerprint {
    const TYPE: AttributeType = AttributeType::FINGERPRINT;
}
impl<'a> DecodeAttribute<'a> for Fingerprint {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        decode_u32(Self::TYPE, value).map(Fingerprint)
    }
}
