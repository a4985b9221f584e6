//! Address attributes: MAPPED-ADDRESS family (plain) and XOR-MAPPED-ADDRESS
//! family (xored with the magic cookie and transaction id), RFC 8489 §14.1,
//! §14.2, RFC 8656 §18.3, §18.5.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::{Attribute, DecodeAttribute, EncodeAttribute};
use crate::attribute_type::AttributeType;
use crate::error::StunError;
use crate::header::{TransactionId, MAGIC_COOKIE};

const FAMILY_IPV4: u8 = 0x01;
const FAMILY_IPV6: u8 = 0x02;

fn encoded_len(addr: &SocketAddr) -> usize {
    match addr {
        SocketAddr::V4(_) => 8,
        SocketAddr::V6(_) => 20,
    }
}

/// The 16 bytes an IPv6 address is xored with: cookie then transaction id.
fn xor_pad(tid: &TransactionId) -> [u8; 16] {
    let mut pad = [0u8; 16];
    pad[..4].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
    pad[4..].copy_from_slice(&tid.0);
    pad
}

fn decode_address(
    attribute: AttributeType,
    value: &[u8],
    xor: Option<&TransactionId>,
) -> Result<SocketAddr, StunError> {
    let invalid_length = StunError::InvalidAttributeLength {
        attribute,
        length: value.len(),
    };
    if value.len() < 4 {
        return Err(invalid_length);
    }
    let family = value[1];
    let mut port = u16::from_be_bytes([value[2], value[3]]);
    if xor.is_some() {
        port ^= (MAGIC_COOKIE >> 16) as u16;
    }
    let ip = match family {
        FAMILY_IPV4 => {
            let raw: [u8; 4] = value[4..].try_into().map_err(|_| invalid_length)?;
            let mut bits = u32::from_be_bytes(raw);
            if xor.is_some() {
                bits ^= MAGIC_COOKIE;
            }
            IpAddr::V4(Ipv4Addr::from(bits))
        }
        FAMILY_IPV6 => {
            let mut raw: [u8; 16] = value[4..].try_into().map_err(|_| invalid_length)?;
            if let Some(tid) = xor {
                for (b, p) in raw.iter_mut().zip(xor_pad(tid)) {
                    *b ^= p;
                }
            }
            IpAddr::V6(Ipv6Addr::from(raw))
        }
        family => return Err(StunError::InvalidAddressFamily { attribute, family }),
    };
    Ok(SocketAddr::new(ip, port))
}

fn encode_address(addr: &SocketAddr, xor: Option<&TransactionId>, out: &mut [u8]) {
    out[0] = 0;
    let mut port = addr.port();
    if xor.is_some() {
        port ^= (MAGIC_COOKIE >> 16) as u16;
    }
    out[2..4].copy_from_slice(&port.to_be_bytes());
    match addr.ip() {
        IpAddr::V4(ip) => {
            out[1] = FAMILY_IPV4;
            let mut bits = u32::from(ip);
            if xor.is_some() {
                bits ^= MAGIC_COOKIE;
            }
            out[4..8].copy_from_slice(&bits.to_be_bytes());
        }
        IpAddr::V6(ip) => {
            out[1] = FAMILY_IPV6;
            let mut raw = ip.octets();
            if let Some(tid) = xor {
                for (b, p) in raw.iter_mut().zip(xor_pad(tid)) {
                    *b ^= p;
                }
            }
            out[4..20].copy_from_slice(&raw);
        }
    }
}

macro_rules! address_attribute {
    ($(#[$doc:meta])* $name:ident, $type:ident, $xor:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $name(pub SocketAddr);

        impl Attribute for $name {
            const TYPE: AttributeType = AttributeType::$type;
        }

        impl<'a> DecodeAttribute<'a> for $name {
            fn decode(value: &'a [u8], tid: &TransactionId) -> Result<Self, StunError> {
                decode_address(Self::TYPE, value, if $xor { Some(tid) } else { None }).map($name)
            }
        }

        impl EncodeAttribute for $name {
            fn value_len(&self) -> usize {
                encoded_len(&self.0)
            }
            fn encode_value(&self, tid: &TransactionId, out: &mut [u8]) {
                encode_address(&self.0, if $xor { Some(tid) } else { None }, out)
            }
        }
    };
}

address_attribute!(
    /// MAPPED-ADDRESS: the reflexive address, not xored (RFC 8489 §14.1;
    /// kept for RFC 3489 compatibility).
    MappedAddress, MAPPED_ADDRESS, false
);
address_attribute!(
    /// XOR-MAPPED-ADDRESS: the reflexive transport address (RFC 8489 §14.2).
    XorMappedAddress, XOR_MAPPED_ADDRESS, true
);
address_attribute!(
    /// XOR-PEER-ADDRESS: a TURN peer (RFC 8656 §18.3). May repeat.
    XorPeerAddress, XOR_PEER_ADDRESS, true
);
address_attribute!(
    /// XOR-RELAYED-ADDRESS: the TURN relayed address (RFC 8656 §18.5).
    XorRelayedAddress, XOR_RELAYED_ADDRESS, true
);
address_attribute!(
    /// ALTERNATE-SERVER: try this server instead (RFC 8489 §14.15; plain,
    /// not xored).
    AlternateServer, ALTERNATE_SERVER, false
);
address_attribute!(
    /// RESPONSE-ORIGIN (RFC 5780 §7.3).
    ResponseOrigin, RESPONSE_ORIGIN, false
);
address_attribute!(
    /// OTHER-ADDRESS (RFC 5780 §7.4).
    OtherAddress, OTHER_ADDRESS, false
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xor_v4_and_v6_round_trip() {
        let tid = TransactionId([7; 12]);
        for addr in [
            "192.0.2.1:32853",
            "[2001:db8:1234:5678:11:2233:4455:6677]:32853",
        ] {
            let a = XorMappedAddress(addr.parse().unwrap());
            let mut out = vec![0u8; a.value_len()];
            a.encode_value(&tid, &mut out);
            assert_eq!(XorMappedAddress::decode(&out, &tid).unwrap(), a);
            // The plain form differs on the wire.
            let p = MappedAddress(a.0);
            let mut plain = vec![0u8; p.value_len()];
            p.encode_value(&tid, &mut plain);
            assert_ne!(plain, out);
            assert_eq!(MappedAddress::decode(&plain, &tid).unwrap().0, a.0);
        }
    }

    #[test]
    fn bad_family_and_lengths_are_errors() {
        let tid = TransactionId([0; 12]);
        assert!(matches!(
            XorMappedAddress::decode(&[0, 3, 0, 0, 1, 2, 3, 4], &tid),
            Err(StunError::InvalidAddressFamily { family: 3, .. })
        ));
        for len in [0, 3, 4, 7, 9, 19, 21] {
            let mut v = vec![0u8; len];
            if len > 1 {
                v[1] = if len < 12 { 1 } else { 2 };
            }
            assert!(XorMappedAddress::decode(&v, &tid).is_err(), "len {len}");
        }
    }
}
