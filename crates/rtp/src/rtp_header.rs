//! Zero-copy RTP header (RFC 3550 §5.1) with CSRCs and RFC 8285 header
//! extensions (one-byte `0xBEDE` and two-byte `0x100x` forms).

use crate::RtpError;

/// A validated RTP packet borrowed from the caller's buffer. Parsing checks
/// the version and that the CSRCs, the extension block and the padding fit;
/// the accessors read the bytes in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpHeader<'a> {
    packet: &'a [u8],
    /// The 12 fixed bytes, as an array so the accessors need no bounds check.
    fixed: &'a [u8; 12],
    header_len: usize,
    payload_end: usize,
}

impl<'a> RtpHeader<'a> {
    /// Parses the RTP packet `packet`.
    #[inline]
    pub fn parse(packet: &'a [u8]) -> Result<Self, RtpError> {
        let Some(fixed) = packet.first_chunk::<12>() else {
            return Err(RtpError::TooShort {
                len: packet.len(),
                min: 12,
            });
        };
        let b0 = fixed[0];
        if b0 >> 6 != 2 {
            return Err(RtpError::BadVersion(b0 >> 6));
        }
        let cc = b0 & 0x0f;
        let mut header_len = 12 + 4 * usize::from(cc);
        if header_len > packet.len() {
            return Err(RtpError::CsrcOverrun {
                count: cc,
                len: packet.len(),
            });
        }
        if b0 & 0x10 != 0 {
            let Some(ext) = packet.get(header_len..header_len + 4) else {
                return Err(RtpError::ExtensionOverrun);
            };
            let words = u16::from_be_bytes([ext[2], ext[3]]);
            header_len += 4 + 4 * usize::from(words);
            if header_len > packet.len() {
                return Err(RtpError::ExtensionOverrun);
            }
        }
        let mut payload_end = packet.len();
        if b0 & 0x20 != 0 {
            let padding = packet[packet.len() - 1];
            let available = packet.len() - header_len;
            if padding == 0 || usize::from(padding) > available {
                return Err(RtpError::BadPadding { padding, available });
            }
            payload_end -= usize::from(padding);
        }
        Ok(RtpHeader {
            packet,
            fixed,
            header_len,
            payload_end,
        })
    }

    /// The whole packet.
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.packet
    }

    /// Length of the fixed header, CSRCs and extension block.
    #[inline]
    pub fn header_len(&self) -> usize {
        self.header_len
    }

    /// The P bit.
    #[inline]
    pub fn padding(&self) -> bool {
        self.fixed[0] & 0x20 != 0
    }

    /// The X bit.
    #[inline]
    pub fn has_extension(&self) -> bool {
        self.fixed[0] & 0x10 != 0
    }

    /// The M bit.
    #[inline]
    pub fn marker(&self) -> bool {
        self.fixed[1] & 0x80 != 0
    }

    /// The payload type (7 bits).
    #[inline]
    pub fn payload_type(&self) -> u8 {
        self.fixed[1] & 0x7f
    }

    /// The sequence number.
    #[inline]
    pub fn sequence_number(&self) -> u16 {
        u16::from_be_bytes([self.fixed[2], self.fixed[3]])
    }

    /// The timestamp.
    #[inline]
    pub fn timestamp(&self) -> u32 {
        u32::from_be_bytes([self.fixed[4], self.fixed[5], self.fixed[6], self.fixed[7]])
    }

    /// The SSRC.
    #[inline]
    pub fn ssrc(&self) -> u32 {
        u32::from_be_bytes([self.fixed[8], self.fixed[9], self.fixed[10], self.fixed[11]])
    }

    /// The CSRC list.
    #[inline]
    pub fn csrcs(&self) -> impl ExactSizeIterator<Item = u32> + 'a {
        let n = usize::from(self.fixed[0] & 0x0f);
        self.packet[12..12 + 4 * n]
            .chunks_exact(4)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
    }

    /// The extension block's profile field (`0xBEDE`, `0x100x`, or other),
    /// if the X bit is set.
    #[inline]
    pub fn extension_profile(&self) -> Option<u16> {
        if !self.has_extension() {
            return None;
        }
        let at = 12 + 4 * usize::from(self.fixed[0] & 0x0f);
        Some(u16::from_be_bytes([self.packet[at], self.packet[at + 1]]))
    }

    /// The extension block's data (after its 4-byte header).
    #[inline]
    pub fn extension_data(&self) -> &'a [u8] {
        if !self.has_extension() {
            return &[];
        }
        let at = 12 + 4 * usize::from(self.fixed[0] & 0x0f) + 4;
        &self.packet[at..self.header_len]
    }

    /// The RFC 8285 extension elements, for the one-byte (`0xBEDE`) and
    /// two-byte (`0x100x`) forms; empty for another profile or no X bit.
    /// A malformed element ends the iteration with an error.
    #[inline]
    pub fn extensions(&self) -> Extensions<'a> {
        let form = match self.extension_profile() {
            Some(0xbede) => Form::OneByte,
            Some(p) if p & 0xfff0 == 0x1000 => Form::TwoByte,
            _ => Form::None,
        };
        Extensions {
            data: self.extension_data(),
            at: 0,
            form,
        }
    }

    /// The payload, without padding.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        &self.packet[self.header_len..self.payload_end]
    }

    /// Bytes of padding at the end (0 without the P bit).
    #[inline]
    pub fn padding_len(&self) -> usize {
        self.packet.len() - self.payload_end
    }
}

/// One RFC 8285 header extension element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extension<'a> {
    /// The local identifier (1–14 one-byte form, 1–255 two-byte form).
    pub id: u8,
    /// The element's data.
    pub data: &'a [u8],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    None,
    OneByte,
    TwoByte,
}

/// Iterator over the elements of an extension block (RFC 8285 §4.2, §4.3):
/// padding bytes (id 0) are skipped, id 15 in the one-byte form stops the
/// block.
#[derive(Debug, Clone)]
pub struct Extensions<'a> {
    data: &'a [u8],
    at: usize,
    form: Form,
}

impl<'a> Iterator for Extensions<'a> {
    type Item = Result<Extension<'a>, RtpError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let &b = self.data.get(self.at)?;
            // Id 0 is padding (RFC 8285 §4.2): in the one-byte form a byte
            // whose id nibble is 0 is one padding byte whatever its length
            // nibble says (as libwebrtc reads it), never an element with
            // id 0.
            let padding = match self.form {
                Form::OneByte => b >> 4 == 0,
                _ => b == 0,
            };
            if padding {
                self.at += 1;
                continue;
            }
            let start = self.at;
            let (id, len, data_at) = match self.form {
                Form::None => return None,
                Form::OneByte => {
                    if b >> 4 == 15 {
                        self.at = self.data.len();
                        return None;
                    }
                    (b >> 4, usize::from(b & 0x0f) + 1, start + 1)
                }
                Form::TwoByte => {
                    let Some(&len) = self.data.get(start + 1) else {
                        self.at = self.data.len();
                        return Some(Err(RtpError::ExtensionElementOverrun(start)));
                    };
                    (b, usize::from(len), start + 2)
                }
            };
            let end = data_at + len;
            if end > self.data.len() {
                self.at = self.data.len();
                return Some(Err(RtpError::ExtensionElementOverrun(start)));
            }
            self.at = end;
            return Some(Ok(Extension {
                id,
                data: &self.data[data_at..end],
            }));
        }
    }
}
