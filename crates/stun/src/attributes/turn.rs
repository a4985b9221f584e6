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

/// ADDRESS-ERROR-CODE: why one family of a dual allocation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AddressErrorCode<'a> {
    /// The family that failed.
    pub family: AddressFamily,
    /// The error code (300–699).
    pub code: u16,
    /// The reason phrase.
    pub reason: &'a str,
}

impl Attribute for AddressErrorCode<'_> {
    const TYPE: AttributeType = AttributeType::ADDRESS_ERROR_CODE;
}
impl<'a> DecodeAttribute<'a> for AddressErrorCode<'a> {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        if value.len() < 4 || value.len() > 4 + 763 {
            return Err(StunError::InvalidAttributeLength {
                attribute: Self::TYPE,
                length: value.len(),
            });
        }
        let family = decode_family(Self::TYPE, &[value[0], 0, 0, 0])?;
        let (class, number) = (value[2] & 0x07, value[3]);
        if !(3..=6).contains(&class) || number > 99 {
            return Err(StunError::InvalidErrorCode { class, number });
        }
        let reason =
            std::str::from_utf8(&value[4..]).map_err(|_| StunError::InvalidUtf8(Self::TYPE))?;
        Ok(AddressErrorCode {
            family,
            code: u16::from(class) * 100 + u16::from(number),
            reason,
        })
    }
}
impl EncodeAttribute for AddressErrorCode<'_> {
    fn value_len(&self) -> usize {
        4 + self.reason.len()
    }
    fn encode_value(&self, _: &TransactionId, out: &mut [u8]) {
        encode_family(self.family, &mut out[..4]);
        out[2] = ((self.code / 100) & 0x07) as u8;
        out[3] = (self.code % 100) as u8;
        out[4..].copy_from_slice(self.reason.as_bytes());
    }
}

/// ICMP: an ICMP error the relay received for the peer (in a Data
/// indication).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Icmp {
    /// ICMP type.
    pub icmp_type: u8,
    /// ICMP code.
    pub icmp_code: u8,
    /// Type-specific error data (e.g. the MTU for "fragmentation needed").
    pub error_data: u32,
}

impl Attribute for Icmp {
    const TYPE: AttributeType = AttributeType::ICMP;
}
impl<'a> DecodeAttribute<'a> for Icmp {
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, StunError> {
        expect_len(Self::TYPE, value, 8)?;
        Ok(Icmp {
            icmp_type: value[2],
            icmp_code: value[3],
            error_data: decode_u32(Self::TYPE, &value[4..])?,
        })
    }
}
impl EncodeAttribute for Icmp {
    fn value_len(&self) -> usize {
        8
    }
    fn encode_value(&self, _: &TransactionId, out: &mut [u8]) {
        out[..2].fill(0);
        out[2] = self.icmp_type;
        out[3] = self.icmp_code;
        out[4..].copy_from_slice(&self.error_data.to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<A>(a: A)
    where
        A: EncodeAttribute + for<'a> DecodeAttribute<'a> + PartialEq + std::fmt::Debug,
    {
        let tid = TransactionId([3; 12]);
        let mut out = vec![0u8; a.value_len()];
        a.encode_value(&tid, &mut out);
        assert_eq!(A::decode(&out, &tid).unwrap(), a);
        assert!(A::decode(&[0; 3], &tid).is_err() || a.value_len() == 3);
    }

    #[test]
    fn turn_attributes_round_trip() {
        round_trip(ChannelNumber(0x4abc));
        round_trip(Lifetime(600));
        round_trip(RequestedTransport::UDP);
        round_trip(RequestedAddressFamily(AddressFamily::V6));
        round_trip(AdditionalAddressFamily(AddressFamily::V6));
        round_trip(DontFragment);
        round_trip(EvenPort { reserve_next: true });
        round_trip(ReservationToken([1, 2, 3, 4, 5, 6, 7, 8]));
        round_trip(Icmp {
            icmp_type: 3,
            icmp_code: 4,
            error_data: 1400,
        });
        assert!(ChannelNumber(0x4000).is_valid() && !ChannelNumber(0x5000).is_valid());
    }

    #[test]
    fn address_error_code_round_trip_and_errors() {
        let tid = TransactionId([3; 12]);
        let a = AddressErrorCode {
            family: AddressFamily::V6,
            code: 440,
            reason: "Address Family not Supported",
        };
        let mut out = vec![0u8; a.value_len()];
        a.encode_value(&tid, &mut out);
        assert_eq!(AddressErrorCode::decode(&out, &tid).unwrap(), a);
        assert!(AddressErrorCode::decode(&[3, 0, 4, 40], &tid).is_err());
        assert!(AddressErrorCode::decode(&[1, 0, 9, 40], &tid).is_err());
        assert!(RequestedAddressFamily::decode(&[9, 0, 0, 0], &tid).is_err());
    }
}
