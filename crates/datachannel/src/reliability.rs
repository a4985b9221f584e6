//! How a channel's messages are delivered: ordering and partial reliability,
//! and their DCEP channel-type encoding (RFC 8832 §5.1).

/// The reliability of a channel's messages (W3C `maxRetransmits` /
/// `maxPacketLifeTime`, RFC 3758 partial reliability).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reliability {
    /// Every message is retransmitted until it arrives.
    Reliable,
    /// A message is given up after this many retransmissions.
    MaxRetransmits(u16),
    /// A message is given up after this many milliseconds.
    MaxPacketLifeTime(u16),
}

/// The DCEP channel type byte: reliability plus the unordered bit (0x80).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelType {
    /// Whether messages are delivered in order.
    pub ordered: bool,
    /// The reliability, with its parameter.
    pub reliability: Reliability,
}

/// The unordered flag in a DCEP channel type.
const UNORDERED: u8 = 0x80;

impl ChannelType {
    /// The channel-type byte and the reliability parameter of a DCEP OPEN.
    pub fn encode(self) -> (u8, u32) {
        let (base, parameter) = match self.reliability {
            Reliability::Reliable => (0x00, 0),
            Reliability::MaxRetransmits(n) => (0x01, u32::from(n)),
            Reliability::MaxPacketLifeTime(ms) => (0x02, u32::from(ms)),
        };
        let flag = if self.ordered { 0 } else { UNORDERED };
        (base | flag, parameter)
    }

    /// Reads a channel-type byte and its reliability parameter. Parameters
    /// above what a channel can express (65535) are clamped, as the W3C spec
    /// clamps `maxRetransmits` and `maxPacketLifeTime`. `None` for an
    /// unknown type.
    pub fn decode(byte: u8, parameter: u32) -> Option<ChannelType> {
        let clamped = u16::try_from(parameter).unwrap_or(u16::MAX);
        let reliability = match byte & !UNORDERED {
            0x00 => Reliability::Reliable,
            0x01 => Reliability::MaxRetransmits(clamped),
            0x02 => Reliability::MaxPacketLifeTime(clamped),
            _ => return None,
        };
        Some(ChannelType {
            ordered: byte & UNORDERED == 0,
            reliability,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rfc_8832_channel_type_round_trips() {
        let cases = [
            (0x00, Reliability::Reliable, true),
            (0x80, Reliability::Reliable, false),
            (0x01, Reliability::MaxRetransmits(3), true),
            (0x81, Reliability::MaxRetransmits(3), false),
            (0x02, Reliability::MaxPacketLifeTime(1500), true),
            (0x82, Reliability::MaxPacketLifeTime(1500), false),
        ];
        for (byte, reliability, ordered) in cases {
            let param = match reliability {
                Reliability::Reliable => 0,
                Reliability::MaxRetransmits(n) | Reliability::MaxPacketLifeTime(n) => u32::from(n),
            };
            let ty = ChannelType::decode(byte, param).unwrap();
            assert_eq!(
                ty,
                ChannelType {
                    ordered,
                    reliability
                }
            );
            assert_eq!(ty.encode(), (byte, param));
        }
    }

    #[test]
    fn unknown_types_are_rejected_and_big_parameters_clamped() {
        for byte in [0x03, 0x7f, 0x83, 0xff] {
            assert_eq!(ChannelType::decode(byte, 0), None);
        }
        let ty = ChannelType::decode(0x01, 1 << 20).unwrap();
        assert_eq!(ty.reliability, Reliability::MaxRetransmits(u16::MAX));
    }
}
