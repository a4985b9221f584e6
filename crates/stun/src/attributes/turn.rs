//! TURN attributes (RFC 8656 §18).

use super::{decode_u32, expect_len, Attribute, DecodeAttribute, EncodeAttribute};
use crate::attribute_type::AttributeType;
use crate::error::StunError;
use crate::header::TransactionId;

/// CHANNEL-NUMBER. The value is carried as received; valid channels are
/// 0x4000–0x4FFF ([`ChannelNumber::is_valid`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChannelNumber(pub u16);

impl ChannelNumber {
    /// The lowest valid channel number.
    pub const MIN: u16 = 0x4000;
    /// The highest valid channel number.
    pub const MAX: u16 = 0x4FFF;
    /// Whether the number is in 0x4000–0x4FFF.
    pub fn is_valid(self) -> bool {
        (Self::MIN..=Self::MAX).contains(&self.0)
    }
}

/// LIFETIME in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Lifetime(pub u32);

/// DATA: the application payload of a Send/Data indication.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Data<'a>(pub &'a [u8]);

/// REQUESTED-TRANSPORT: the IANA protocol number of the relayed transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RequestedTransport(pub u8);

impl RequestedTransport {
    /// UDP (17), the only transport RFC 8656 relays.
    pub const UDP: RequestedTransport = RequestedTransport(17);
    /// TCP (6), RFC 6062.
    pub const TCP: RequestedTransport = RequestedTransport(6);
}

/// An address family for REQUESTED-ADDRESS-FAMILY and
/// ADDITIONAL-ADDRESS-FAMILY.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddressFamily {
    /// 0x01.
    V4,
    /// 0x02.
    V6,
}

/// REQUESTED-ADDRESS-FAMILY.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RequestedAddressFamily(pub AddressFamily);

/// ADDITIONAL-ADDRESS-FAMILY (dual allocation; RFC 8656 allows only IPv6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AdditionalAddressFamily(pub AddressFamily);

/// DONT-FRAGMENT (no value).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DontFragment;

/// EVEN-PORT: ask for an even port, and whether to reserve the next one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EvenPort {
    /// The R bit: reserve the next higher port too.
    pub reserve_next: bool,
}

/// RESERVATION-TOKEN: 8 opaque bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReservationToken(pub [u8; 8]);

impl Attribute for ChannelNumber {
    const TYPE: AttributeType = AttributeType::CHANNEL_NUMBER;
}
impl<'a> DecodeAttribute<'a> for ChannelNumber {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        Ok(ChannelNumber((decode_u32(Self::TYPE, value)? >> 16) as u16))
    }
}
impl EncodeAttribute for ChannelNumber {
    fn value_len(&self) -> usize {
        4
    }
    fn encode_value(&self, _: &TransactionId, out: &mut [u8]) {
        out[..2].copy_from_slice(&self.0.to_be_bytes());
        out[2..].fill(0);
    }
}

impl Attribute for Lifetime {
    const TYPE: AttributeType = AttributeType::LIFETIME;
}
impl<'a> DecodeAttribute<'a> for Lifetime {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        decode_u32(Self::TYPE, value).map(Lifetime)
    }
}
impl EncodeAttribute for Lifetime {
    fn value_len(&self) -> usize {
        4
    }
    fn encode_value(&self, _: &TransactionId, out: &mut [u8]) {
        out.copy_from_slice(&self.0.to_be_bytes());
    }
}

impl Attribute for Data<'_> {
    const TYPE: AttributeType = AttributeType::DATA;
}
impl<'a> DecodeAttribute<'a> for Data<'a> {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        Ok(Data(value))
    }
}
impl EncodeAttribute for Data<'_> {
    fn value_len(&self) -> usize {
        self.0.len()
    }
    fn encode_value(&self, _: &TransactionId, out: &mut [u8]) {
        out.copy_from_slice(self.0);
    }
}

impl Attribute for RequestedTransport {
    const TYPE: AttributeType = AttributeType::REQUESTED_TRANSPORT;
}
impl<'a> DecodeAttribute<'a> for RequestedTransport {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        Ok(RequestedTransport(
            (decode_u32(Self::TYPE, value)? >> 24) as u8,
        ))
    }
}
impl EncodeAttribute for RequestedTransport {
    fn value_len(&self) -> usize {
        4
    }
    fn encode_value(&self, _: &TransactionId, out: &mut [u8]) {
        out[0] = self.0;
        out[1..].fill(0);
    }
}

fn decode_family(attribute: AttributeType, value: &[u8]) -> Result<AddressFamily, StunError> {
    let family = (decode_u32(attribute, value)? >> 24) as u8;
    match family {
        0x01 => Ok(AddressFamily::V4),
        0x02 => Ok(AddressFamily::V6),
        family => Err(StunError::InvalidAddressFamily { attribute, family }),
    }
}

fn encode_family(family: AddressFamily, out: &mut [u8]) {
    out[0] = match family {
        AddressFamily::V4 => 0x01,
        AddressFamily::V6 => 0x02,
    };
    out[1..].fill(0);
}

impl Attribute for RequestedAddressFamily {
    const TYPE: AttributeType = AttributeType::REQUESTED_ADDRESS_FAMILY;
}
impl<'a> DecodeAttribute<'a> for RequestedAddressFamily {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        decode_family(Self::TYPE, value).map(RequestedAddressFamily)
    }
}
impl EncodeAttribute for RequestedAddressFamily {
    fn value_len(&self) -> usize {
        4
    }
    fn encode_value(&self, _: &TransactionId, out: &mut [u8]) {
        encode_family(self.0, out)
    }
}

impl Attribute for AdditionalAddressFamily {
    const TYPE: AttributeType = AttributeType::ADDITIONAL_ADDRESS_FAMILY;
}
impl<'a> DecodeAttribute<'a> for AdditionalAddressFamily {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        decode_family(Self::TYPE, value).map(AdditionalAddressFamily)
    }
}
impl EncodeAttribute for AdditionalAddressFamily {
    fn value_len(&self) -> usize {
        4
    }
    fn encode_value(&self, _: &TransactionId, out: &mut [u8]) {
        encode_family(self.0, out)
    }
}

impl Attribute for DontFragment {
    const TYPE: AttributeType = AttributeType::DONT_FRAGMENT;
}
impl<'a> DecodeAttribute<'a> for DontFragment {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        expect_len(Self::TYPE, value, 0).map(|()| DontFragment)
    }
}
impl EncodeAttribute for DontFragment {
    fn value_len(&self) -> usize {
        0
    }
    fn encode_value(&self, _: &TransactionId, _: &mut [u8]) {}
}

impl Attribute for EvenPort {
    const TYPE: AttributeType = AttributeType::EVEN_PORT;
}
impl<'a> DecodeAttribute<'a> for EvenPort {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        expect_len(Self::TYPE, value, 1)?;
        Ok(EvenPort {
            reserve_next: value[0] & 0x80 != 0,
        })
    }
}
impl EncodeAttribute for EvenPort {
    fn value_len(&self) -> usize {
        1
    }
    fn encode_value(&self, _: &TransactionId, out: &mut [u8]) {
        out[0] = if self.reserve_next { 0x80 } else { 0 };
    }
}

impl Attribute for ReservationToken {
    const TYPE: AttributeType = AttributeType::RESERVATION_TOKEN;
}
impl<'a> DecodeAttribute<'a> for ReservationToken {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        value
            .try_into()
            .map(ReservationToken)
            .map_err(|_| StunError::InvalidAttributeLength {
                attribute: Self::TYPE,
                length: value.len(),
            })
    }
}
impl EncodeAttribute for ReservationToken {
    fn value_len(&self) -> usize {
        8
    }
    fn encode_value(&self, _: &TransactionId, out: &mut [u8]) {
        out.copy_from_slice(&self.0);
    }
}
