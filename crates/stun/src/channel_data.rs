//! TURN ChannelData messages (RFC 8656 §12.4, §12.5).
//!
//! ```text
//!  0                   1                   2                   3
//! |         Channel Number        |            Length             |
//! |                    Application Data (Length bytes)            |
//! ```
//! Over TCP/TLS the message is padded to a multiple of 4 bytes; over UDP
//! padding is optional and tolerated on receipt.

use crate::attributes::ChannelNumber;
use crate::builder::MessageBuffer;
use crate::error::StunError;

/// A ChannelData message borrowing its buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelData<'a> {
    /// The channel number (0x4000–0x4FFF).
    pub channel: u16,
    /// The application data.
    pub data: &'a [u8],
}

impl<'a> ChannelData<'a> {
    /// Length of the ChannelData header.
    pub const HEADER_LEN: usize = 4;

    /// Whether the first byte marks ChannelData (0x40–0x4F, RFC 7983).
    pub fn looks_like_channel_data(bytes: &[u8]) -> bool {
        matches!(bytes.first(), Some(0x40..=0x4F))
    }

    /// Parses a ChannelData message that fills `bytes` (a datagram or a
    /// frame from [`crate::StreamDeframer`]); up to 3 bytes of padding may
    /// follow the data.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, StunError> {
        let Some(header) = bytes.get(..Self::HEADER_LEN) else {
            return Err(StunError::TruncatedChannelData {
                needed: Self::HEADER_LEN,
                available: bytes.len(),
            });
        };
        let channel = u16::from_be_bytes([header[0], header[1]]);
        if !ChannelNumber(channel).is_valid() {
            return Err(StunError::InvalidChannelNumber(channel));
        }
        let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
        let end = Self::HEADER_LEN + len;
        let Some(data) = bytes.get(Self::HEADER_LEN..end) else {
            return Err(StunError::TruncatedChannelData {
                needed: end,
                available: bytes.len(),
            });
        };
        let trailing = bytes.len() - end;
        if trailing > 3 {
            return Err(StunError::ChannelDataTrailingBytes(trailing));
        }
        Ok(ChannelData { channel, data })
    }

    /// Bytes the encoded message takes, with or without stream padding.
    pub fn encoded_len(&self, pad: bool) -> usize {
        let len = Self::HEADER_LEN + self.data.len();
        if pad {
            (len + 3) & !3
        } else {
            len
        }
    }

    /// Appends the message to `buf`, padded to 4 bytes when `pad` (required
    /// over TCP/TLS). Returns the bytes written.
    pub fn encode<B: MessageBuffer + ?Sized>(
        &self,
        buf: &mut B,
        pad: bool,
    ) -> Result<usize, StunError> {
        if !ChannelNumber(self.channel).is_valid() {
            return Err(StunError::InvalidChannelNumber(self.channel));
        }
        let len =
            u16::try_from(self.data.len()).map_err(|_| StunError::ValueTooLong(self.data.len()))?;
        let total = self.encoded_len(pad);
        let at = buf.len();
        buf.resize(at + total, 0);
        let out = &mut buf.as_mut_bytes()[at..];
        out[..2].copy_from_slice(&self.channel.to_be_bytes());
        out[2..4].copy_from_slice(&len.to_be_bytes());
        out[4..4 + self.data.len()].copy_from_slice(self.data);
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_padded_and_unpadded() {
        for pad in [false, true] {
            for n in 0..9 {
                let data: Vec<u8> = (0..n as u8).collect();
                let cd = ChannelData {
                    channel: 0x4001,
                    data: &data,
                };
                let mut buf = Vec::new();
                let written = cd.encode(&mut buf, pad).unwrap();
                assert_eq!(written, buf.len());
                assert_eq!(buf.len() % 4 == 0, pad || (4 + n) % 4 == 0);
                assert_eq!(ChannelData::parse(&buf).unwrap(), cd);
            }
        }
    }

    #[test]
    fn bad_channel_data_is_an_error() {
        assert!(ChannelData::parse(&[0x40, 0x00, 0x00]).is_err());
        assert_eq!(
            ChannelData::parse(&[0x50, 0x00, 0x00, 0x00]),
            Err(StunError::InvalidChannelNumber(0x5000))
        );
        assert_eq!(
            ChannelData::parse(&[0x3f, 0xff, 0x00, 0x00]),
            Err(StunError::InvalidChannelNumber(0x3fff))
        );
        assert!(matches!(
            ChannelData::parse(&[0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4]),
            Err(StunError::TruncatedChannelData { needed: 9, .. })
        ));
        assert_eq!(
            ChannelData::parse(&[0x40, 0x00, 0x00, 0x00, 0, 0, 0, 0]),
            Err(StunError::ChannelDataTrailingBytes(4))
        );
        let cd = ChannelData {
            channel: 0x3000,
            data: &[],
        };
        assert!(cd.encode(&mut Vec::new(), true).is_err());
    }
}
