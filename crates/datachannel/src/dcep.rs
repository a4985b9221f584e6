//! DCEP messages (RFC 8832 §5): DATA_CHANNEL_OPEN and DATA_CHANNEL_ACK.

use crate::error::DcepError;
use crate::reliability::ChannelType;

const MESSAGE_OPEN: u8 = 0x03;
const MESSAGE_ACK: u8 = 0x02;
const OPEN_HEADER_LEN: usize = 12;

/// A DATA_CHANNEL_OPEN message (RFC 8832 §5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DcepOpen {
    /// Ordering and reliability.
    pub channel_type: ChannelType,
    /// The priority (RFC 8832 §6.4: 128, 256, 512, 1024 for the W3C levels).
    pub priority: u16,
    /// The channel's label.
    pub label: String,
    /// The sub-protocol.
    pub protocol: String,
}

/// A DCEP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DcepMessage {
    /// DATA_CHANNEL_OPEN.
    Open(DcepOpen),
    /// DATA_CHANNEL_ACK.
    Ack,
}

impl DcepMessage {
    /// Parses a DCEP message. Trailing bytes after an ACK are tolerated (some
    /// stacks send a 4-byte ACK); an OPEN must have exactly the lengths it
    /// announces.
    pub fn parse(bytes: &[u8]) -> Result<DcepMessage, DcepError> {
        let (&kind, _) = bytes.split_first().ok_or(DcepError::Empty)?;
        match kind {
            MESSAGE_ACK => Ok(DcepMessage::Ack),
            MESSAGE_OPEN => parse_open(bytes).map(DcepMessage::Open),
            other => Err(DcepError::UnknownMessageType(other)),
        }
    }

    /// Appends the wire form to `out`.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), DcepError> {
        match self {
            DcepMessage::Ack => out.push(MESSAGE_ACK),
            DcepMessage::Open(open) => {
                let label_len =
                    u16::try_from(open.label.len()).map_err(|_| DcepError::LabelTooLong)?;
                let protocol_len =
                    u16::try_from(open.protocol.len()).map_err(|_| DcepError::ProtocolTooLong)?;
                let (ty, parameter) = open.channel_type.encode();
                out.reserve(OPEN_HEADER_LEN + open.label.len() + open.protocol.len());
                out.push(MESSAGE_OPEN);
                out.push(ty);
                out.extend_from_slice(&open.priority.to_be_bytes());
                out.extend_from_slice(&parameter.to_be_bytes());
                out.extend_from_slice(&label_len.to_be_bytes());
                out.extend_from_slice(&protocol_len.to_be_bytes());
                out.extend_from_slice(open.label.as_bytes());
                out.extend_from_slice(open.protocol.as_bytes());
            }
        }
        Ok(())
    }

    /// The wire form as a new vector.
    pub fn to_bytes(&self) -> Result<Vec<u8>, DcepError> {
        let mut out = Vec::new();
        self.write(&mut out)?;
        Ok(out)
    }
}

fn parse_open(bytes: &[u8]) -> Result<DcepOpen, DcepError> {
    let header = bytes
        .get(..OPEN_HEADER_LEN)
        .ok_or(DcepError::Truncated { len: bytes.len() })?;
    let be16 = |at: usize| u16::from_be_bytes([header[at], header[at + 1]]);
    let channel_type_byte = header[1];
    let priority = be16(2);
    let parameter = u32::from_be_bytes([header[4], header[5], header[6], header[7]]);
    let label_len = usize::from(be16(8));
    let protocol_len = usize::from(be16(10));
    let body = &bytes[OPEN_HEADER_LEN..];
    if body.len() != label_len + protocol_len {
        return Err(DcepError::LengthMismatch {
            announced: label_len + protocol_len,
            present: body.len(),
        });
    }
    let channel_type = ChannelType::decode(channel_type_byte, parameter)
        .ok_or(DcepError::UnknownChannelType(channel_type_byte))?;
    let (label, protocol) = body.split_at(label_len);
    Ok(DcepOpen {
        channel_type,
        priority,
        label: String::from_utf8(label.to_vec()).map_err(|_| DcepError::LabelNotUtf8)?,
        protocol: String::from_utf8(protocol.to_vec()).map_err(|_| DcepError::ProtocolNotUtf8)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reliability::Reliability;

    fn open(
        ordered: bool,
        reliability: Reliability,
        priority: u16,
        label: &str,
        protocol: &str,
    ) -> DcepMessage {
        DcepMessage::Open(DcepOpen {
            channel_type: ChannelType {
                ordered,
                reliability,
            },
            priority,
            label: label.into(),
            protocol: protocol.into(),
        })
    }

    #[test]
    fn hostile_opens_are_rejected() {
        let good = open(true, Reliability::Reliable, 0, "foo", "bar")
            .to_bytes()
            .unwrap();
        // Every truncation of a valid OPEN is an error, never a panic.
        for cut in 0..good.len() {
            assert!(DcepMessage::parse(&good[..cut]).is_err(), "cut at {cut}");
        }
        // One trailing byte more than announced.
        let mut long = good.clone();
        long.push(b'x');
        assert!(matches!(
            DcepMessage::parse(&long),
            Err(DcepError::LengthMismatch {
                announced: 6,
                present: 7
            })
        ));
        // Announced lengths far beyond the message.
        let mut huge = good.clone();
        huge[8] = 0xff;
        huge[9] = 0xff;
        assert!(matches!(
            DcepMessage::parse(&huge),
            Err(DcepError::LengthMismatch { .. })
        ));
        // Invalid UTF-8 in the label and the protocol.
        let mut bad_label = good.clone();
        bad_label[12] = 0xff;
        assert_eq!(DcepMessage::parse(&bad_label), Err(DcepError::LabelNotUtf8));
        let mut bad_protocol = good.clone();
        bad_protocol[16] = 0xc3;
        assert_eq!(
            DcepMessage::parse(&bad_protocol),
            Err(DcepError::ProtocolNotUtf8)
        );
        // Unknown channel type and message type.
        let mut bad_type = good;
        bad_type[1] = 0x05;
        assert_eq!(
            DcepMessage::parse(&bad_type),
            Err(DcepError::UnknownChannelType(0x05))
        );
        assert_eq!(
            DcepMessage::parse(&[0x04]),
            Err(DcepError::UnknownMessageType(0x04))
        );
        assert_eq!(DcepMessage::parse(&[]), Err(DcepError::Empty));
    }

    #[test]
    fn over_long_label_cannot_be_written() {
        let label = "a".repeat(65536);
        let msg = open(true, Reliability::Reliable, 0, &label, "");
        assert_eq!(msg.to_bytes(), Err(DcepError::LabelTooLong));
        let msg = open(true, Reliability::Reliable, 0, "", &label);
        assert_eq!(msg.to_bytes(), Err(DcepError::ProtocolTooLong));
    }

    #[test]
    fn four_byte_ack_is_tolerated() {
        assert_eq!(DcepMessage::parse(&[2, 0, 0, 0]), Ok(DcepMessage::Ack));
        assert_eq!(DcepMessage::Ack.to_bytes().unwrap(), vec![2]);
    }
}
