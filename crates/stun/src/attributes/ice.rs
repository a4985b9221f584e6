//! ICE attributes (RFC 8445 §16.1) and libwebrtc's GOOG-NETWORK-INFO.

use super::{decode_u32, decode_u64, expect_len, Attribute, DecodeAttribute, EncodeAttribute};
use crate::attribute_type::AttributeType;
use crate::error::StunError;
use crate::header::TransactionId;

/// PRIORITY: the priority a peer-reflexive candidate would get.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Priority(pub u32);

/// USE-CANDIDATE: the controlling agent nominates this pair (no value).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UseCandidate;

/// ICE-CONTROLLED with the sender's 64-bit tie-breaker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IceControlled(pub u64);

/// ICE-CONTROLLING with the sender's 64-bit tie-breaker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IceControlling(pub u64);

/// GOOG-NETWORK-INFO (0xC057), sent by libwebrtc: network id and cost.
/// Comprehension-optional; decoded when asked for, otherwise ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GoogNetworkInfo {
    /// The sender's network id.
    pub network_id: u16,
    /// The sender's network cost.
    pub network_cost: u16,
}

impl Attribute for Priority {
    const TYPE: AttributeType = AttributeType::PRIORITY;
}
impl<'a> DecodeAttribute<'a> for Priority {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        decode_u32(Self::TYPE, value).map(Priority)
    }
}
impl EncodeAttribute for Priority {
    fn value_len(&self) -> usize {
        4
    }
    fn encode_value(&self, _: &TransactionId, out: &mut [u8]) {
        out.copy_from_slice(&self.0.to_be_bytes());
    }
}

impl Attribute for UseCandidate {
    const TYPE: AttributeType = AttributeType::USE_CANDIDATE;
}
impl<'a> DecodeAttribute<'a> for UseCandidate {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        expect_len(Self::TYPE, value, 0).map(|()| UseCandidate)
    }
}
impl EncodeAttribute for UseCandidate {
    fn value_len(&self) -> usize {
        0
    }
    fn encode_value(&self, _: &TransactionId, _: &mut [u8]) {}
}

macro_rules! tie_breaker {
    ($name:ident, $type:ident) => {
        impl Attribute for $name {
            const TYPE: AttributeType = AttributeType::$type;
        }
        impl<'a> DecodeAttribute<'a> for $name {
            fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
                decode_u64(Self::TYPE, value).map($name)
            }
        }
        impl EncodeAttribute for $name {
            fn value_len(&self) -> usize {
                8
            }
            fn encode_value(&self, _: &TransactionId, out: &mut [u8]) {
                out.copy_from_slice(&self.0.to_be_bytes());
            }
        }
    };
}
tie_breaker!(IceControlled, ICE_CONTROLLED);
tie_breaker!(IceControlling, ICE_CONTROLLING);

impl Attribute for GoogNetworkInfo {
    const TYPE: AttributeType = AttributeType::GOOG_NETWORK_INFO;
}
impl<'a> DecodeAttribute<'a> for GoogNetworkInfo {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        let v = decode_u32(Self::TYPE, value)?;
        Ok(GoogNetworkInfo {
            network_id: (v >> 16) as u16,
            network_cost: v as u16,
        })
    }
}
impl EncodeAttribute for GoogNetworkInfo {
    fn value_len(&self) -> usize {
        4
    }
    fn encode_value(&self, _: &TransactionId, out: &mut [u8]) {
        out[..2].copy_from_slice(&self.network_id.to_be_bytes());
        out[2..].copy_from_slice(&self.network_cost.to_be_bytes());
    }
}
