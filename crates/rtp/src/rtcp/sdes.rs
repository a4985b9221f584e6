//! Source description, packet type 202 (RFC 3550 §6.5).

use super::common::{be32, begin, expect, finish, payload, MAX_COUNT, PT_SDES};
use crate::{RtcpHeader, RtpError};

/// An SDES packet: one chunk per source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceDescription {
    /// The chunks, in order.
    pub chunks: Vec<SdesChunk>,
}

/// The items describing one source (SSRC or CSRC).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SdesChunk {
    /// The source described.
    pub ssrc: u32,
    /// Its items, in order.
    pub items: Vec<SdesItem>,
}

/// One SDES item: a type and up to 255 bytes of text. The text is kept as
/// bytes (UTF-8 is expected but not checked; RFC 3550 §6.5 notes that
/// some encodings contain null octets). Zero-length text is allowed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SdesItem {
    /// The item type (1 CNAME … 8 PRIV; other values are kept as they are).
    pub item_type: u8,
    /// The text. A PRIV item's text holds its prefix length, prefix and
    /// value, unsplit.
    pub text: Vec<u8>,
}

impl SdesItem {
    /// Canonical end-point identifier (RFC 3550 §6.5.1).
    pub const CNAME: u8 = 1;
    /// User name.
    pub const NAME: u8 = 2;
    /// Electronic mail address.
    pub const EMAIL: u8 = 3;
    /// Phone number.
    pub const PHONE: u8 = 4;
    /// Geographic user location.
    pub const LOC: u8 = 5;
    /// Application or tool name.
    pub const TOOL: u8 = 6;
    /// Notice/status.
    pub const NOTE: u8 = 7;
    /// Private extension.
    pub const PRIV: u8 = 8;
}

impl SdesChunk {
    /// The first CNAME item's text.
    pub fn cname(&self) -> Option<&[u8]> {
        self.items
            .iter()
            .find(|i| i.item_type == SdesItem::CNAME)
            .map(|i| i.text.as_slice())
    }
}

impl SourceDescription {
    /// An SDES packet with one chunk holding only a CNAME.
    pub fn with_cname(ssrc: u32, cname: &str) -> Self {
        SourceDescription {
            chunks: vec![SdesChunk {
                ssrc,
                items: vec![SdesItem {
                    item_type: SdesItem::CNAME,
                    text: cname.as_bytes().to_vec(),
                }],
            }],
        }
    }

    /// Reads an SDES packet: SC chunks, each an SSRC, items, one or more
    /// null octets ending the list and null padding to the next 32-bit
    /// boundary. A chunk without its terminating null octet, or an item
    /// whose length runs past the packet, is an error; bytes after the SC
    /// chunks are ignored.
    pub fn parse(h: &RtcpHeader<'_>) -> Result<Self, RtpError> {
        expect(h, PT_SDES, None)?;
        let body = payload(h)?;
        let overrun = |what| RtpError::RtcpCountOverrun {
            packet_type: PT_SDES,
            what,
        };
        let mut chunks = Vec::new();
        let mut pos = 0;
        for _ in 0..h.count() {
            if pos + 4 > body.len() {
                return Err(overrun("source count"));
            }
            let ssrc = be32(body, pos);
            pos += 4;
            let mut items = Vec::new();
            loop {
                let Some(&item_type) = body.get(pos) else {
                    return Err(RtpError::RtcpMalformed {
                        packet_type: PT_SDES,
                        reason: "chunk without its terminating null octet",
                    });
                };
                if item_type == 0 {
                    // The end marker, then null octets up to the boundary.
                    pos = (pos + 1).next_multiple_of(4);
                    if pos > body.len() {
                        return Err(overrun("chunk padding"));
                    }
                    break;
                }
                let Some(&len) = body.get(pos + 1) else {
                    return Err(overrun("item length"));
                };
                let text = body
                    .get(pos + 2..pos + 2 + usize::from(len))
                    .ok_or(overrun("item text"))?;
                items.push(SdesItem {
                    item_type,
                    text: text.to_vec(),
                });
                pos += 2 + usize::from(len);
            }
            chunks.push(SdesChunk { ssrc, items });
        }
        Ok(SourceDescription { chunks })
    }

    /// Appends the packet: each chunk's items, a null octet and null
    /// padding to a 32-bit boundary. Text longer than 255 bytes is cut to
    /// 255; items of type 0 (which would read as the end of the list) are
    /// left out; more than 31 chunks go into further SDES packets.
    pub fn write(&self, out: &mut Vec<u8>) {
        if self.chunks.is_empty() {
            let start = begin(out, 0, PT_SDES);
            finish(out, start);
            return;
        }
        for group in self.chunks.chunks(MAX_COUNT) {
            let start = begin(out, group.len() as u8, PT_SDES);
            for chunk in group {
                let chunk_start = out.len();
                out.extend_from_slice(&chunk.ssrc.to_be_bytes());
                for item in chunk.items.iter().filter(|i| i.item_type != 0) {
                    let text = &item.text[..item.text.len().min(255)];
                    out.push(item.item_type);
                    out.push(text.len() as u8);
                    out.extend_from_slice(text);
                }
                out.push(0);
                while (out.len() - chunk_start) % 4 != 0 {
                    out.push(0);
                }
            }
            finish(out, start);
        }
    }
}
