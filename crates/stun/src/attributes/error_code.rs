//! ERROR-CODE and UNKNOWN-ATTRIBUTES (RFC 8489 §14.8, §14.9).

use super::{Attribute, DecodeAttribute, EncodeAttribute};
use crate::attribute_type::AttributeType;
use crate::error::StunError;
use crate::header::TransactionId;

/// ERROR-CODE: a code 300–699 and a reason phrase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ErrorCode<'a> {
    /// The numeric code (class × 100 + number).
    pub code: u16,
    /// The reason phrase.
    pub reason: &'a str,
}

impl ErrorCode<'static> {
    /// 300 Try Alternate.
    pub const TRY_ALTERNATE: u16 = 300;
    /// 400 Bad Request.
    pub const BAD_REQUEST: u16 = 400;
    /// 401 Unauthenticated.
    pub const UNAUTHENTICATED: u16 = 401;
    /// 403 Forbidden (RFC 8656).
    pub const FORBIDDEN: u16 = 403;
    /// 420 Unknown Attribute.
    pub const UNKNOWN_ATTRIBUTE: u16 = 420;
    /// 437 Allocation Mismatch (RFC 8656).
    pub const ALLOCATION_MISMATCH: u16 = 437;
    /// 438 Stale Nonce.
    pub const STALE_NONCE: u16 = 438;
    /// 440 Address Family not Supported (RFC 8656).
    pub const ADDRESS_FAMILY_NOT_SUPPORTED: u16 = 440;
    /// 441 Wrong Credentials (RFC 8656).
    pub const WRONG_CREDENTIALS: u16 = 441;
    /// 442 Unsupported Transport Protocol (RFC 8656).
    pub const UNSUPPORTED_TRANSPORT_PROTOCOL: u16 = 442;
    /// 443 Peer Address Family Mismatch (RFC 8656).
    pub const PEER_ADDRESS_FAMILY_MISMATCH: u16 = 443;
    /// 486 Allocation Quota Reached (RFC 8656).
    pub const ALLOCATION_QUOTA_REACHED: u16 = 486;
    /// 487 Role Conflict (RFC 8445).
    pub const ROLE_CONFLICT: u16 = 487;
    /// 500 Server Error.
    pub const SERVER_ERROR: u16 = 500;
    /// 508 Insufficient Capacity (RFC 8656).
    pub const INSUFFICIENT_CAPACITY: u16 = 508;

    /// An error code with the RFC's recommended reason phrase (or "Error").
    pub fn with_default_reason(code: u16) -> Self {
        let reason = match code {
            300 => "Try Alternate",
            400 => "Bad Request",
            401 => "Unauthenticated",
            403 => "Forbidden",
            420 => "Unknown Attribute",
            437 => "Allocation Mismatch",
            438 => "Stale Nonce",
            440 => "Address Family not Supported",
            441 => "Wrong Credentials",
            442 => "Unsupported Transport Protocol",
            443 => "Peer Address Family Mismatch",
            486 => "Allocation Quota Reached",
            487 => "Role Conflict",
            500 => "Server Error",
            508 => "Insufficient Capacity",
            _ => "Error",
        };
        ErrorCode { code, reason }
    }
}

impl Attribute for ErrorCode<'_> {
    const TYPE: AttributeType = AttributeType::ERROR_CODE;
}

impl<'a> DecodeAttribute<'a> for ErrorCode<'a> {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        if value.len() < 4 || value.len() > 4 + 763 {
            return Err(StunError::InvalidAttributeLength {
                attribute: Self::TYPE,
                length: value.len(),
            });
        }
        let class = value[2] & 0x07;
        let number = value[3];
        if !(3..=6).contains(&class) || number > 99 {
            return Err(StunError::InvalidErrorCode { class, number });
        }
        let reason =
            std::str::from_utf8(&value[4..]).map_err(|_| StunError::InvalidUtf8(Self::TYPE))?;
        Ok(ErrorCode {
            code: u16::from(class) * 100 + u16::from(number),
            reason,
        })
    }
}

impl EncodeAttribute for ErrorCode<'_> {
    fn value_len(&self) -> usize {
        4 + self.reason.len()
    }
    fn encode_value(&self, _: &TransactionId, out: &mut [u8]) {
        out[0] = 0;
        out[1] = 0;
        out[2] = ((self.code / 100) & 0x07) as u8;
        out[3] = (self.code % 100) as u8;
        out[4..].copy_from_slice(self.reason.as_bytes());
    }
}

/// UNKNOWN-ATTRIBUTES: the comprehension-required types a 420 rejects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownAttributes<'a> {
    repr: Repr<'a>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Repr<'a> {
    Wire(&'a [u8]),
    List(&'a [AttributeType]),
}

impl<'a> UnknownAttributes<'a> {
    /// For building: the types to list.
    pub fn new(types: &'a [AttributeType]) -> Self {
        UnknownAttributes {
            repr: Repr::List(types),
        }
    }

    /// The listed types.
    pub fn iter(&self) -> impl Iterator<Item = AttributeType> + 'a {
        let (wire, list): (&'a [u8], &'a [AttributeType]) = match self.repr {
            Repr::Wire(w) => (w, &[]),
            Repr::List(l) => (&[], l),
        };
        wire.chunks_exact(2)
            .map(|c| AttributeType(u16::from_be_bytes([c[0], c[1]])))
            .chain(list.iter().copied())
    }
}

impl Attribute for UnknownAttributes<'_> {
    const TYPE: AttributeType = AttributeType::UNKNOWN_ATTRIBUTES;
}

impl<'a> DecodeAttribute<'a> for UnknownAttributes<'a> {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        if value.len() % 2 != 0 {
            return Err(StunError::InvalidAttributeLength {
                attribute: Self::TYPE,
                length: value.len(),
            });
        }
        Ok(UnknownAttributes {
            repr: Repr::Wire(value),
        })
    }
}

impl EncodeAttribute for UnknownAttributes<'_> {
    fn value_len(&self) -> usize {
        match self.repr {
            Repr::Wire(w) => w.len(),
            Repr::List(l) => 2 * l.len(),
        }
    }
    fn encode_value(&self, _: &TransactionId, out: &mut [u8]) {
        for (chunk, t) in out.chunks_exact_mut(2).zip(self.iter()) {
            chunk.copy_from_slice(&t.0.to_be_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_code_round_trip_and_range() {
        let tid = TransactionId([0; 12]);
        let e = ErrorCode::with_default_reason(438);
        let mut out = vec![0; e.value_len()];
        e.encode_value(&tid, &mut out);
        assert_eq!(&out[..4], &[0, 0, 4, 38]);
        assert_eq!(ErrorCode::decode(&out, &tid).unwrap(), e);
        assert!(matches!(
            ErrorCode::decode(&[0, 0, 2, 0], &tid),
            Err(StunError::InvalidErrorCode { class: 2, .. })
        ));
        assert!(matches!(
            ErrorCode::decode(&[0, 0, 4, 100], &tid),
            Err(StunError::InvalidErrorCode { number: 100, .. })
        ));
        assert!(ErrorCode::decode(&[0, 0, 4], &tid).is_err());
    }

    #[test]
    fn unknown_attributes_round_trip() {
        let tid = TransactionId([0; 12]);
        let list = [AttributeType(0x7f01), AttributeType(0x0042)];
        let u = UnknownAttributes::new(&list);
        let mut out = vec![0; u.value_len()];
        u.encode_value(&tid, &mut out);
        let d = UnknownAttributes::decode(&out, &tid).unwrap();
        assert_eq!(d.iter().collect::<Vec<_>>(), list);
        assert!(UnknownAttributes::decode(&[1, 2, 3], &tid).is_err());
    }
}
