//! Zero-copy RTCP common header (RFC 3550 §6.4) and compound-packet
//! iteration.

use crate::RtpError;

/// One RTCP packet borrowed from a (compound) datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtcpHeader<'a> {
    packet: &'a [u8],
}

impl<'a> RtcpHeader<'a> {
    /// Parses the first RTCP packet of `data`: version 2, and the length
    /// field fits. Returns it and the rest of `data`.
    #[inline]
    pub fn parse(data: &'a [u8]) -> Result<(Self, &'a [u8]), RtpError> {
        if data.len() < 4 {
            return Err(RtpError::TooShort {
                len: data.len(),
                min: 4,
            });
        }
        if data[0] >> 6 != 2 {
            return Err(RtpError::BadVersion(data[0] >> 6));
        }
        let len = 4 * (usize::from(u16::from_be_bytes([data[2], data[3]])) + 1);
        if len > data.len() {
            return Err(RtpError::RtcpLengthOverrun {
                offset: 0,
                declared: len,
            });
        }
        Ok((
            RtcpHeader {
                packet: &data[..len],
            },
            &data[len..],
        ))
    }

    /// The packet's bytes (header included).
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.packet
    }

    /// The P bit.
    #[inline]
    pub fn padding(&self) -> bool {
        self.packet[0] & 0x20 != 0
    }

    /// The 5-bit count field (report blocks, sources, FMT).
    #[inline]
    pub fn count(&self) -> u8 {
        self.packet[0] & 0x1f
    }

    /// The packet type (200 SR, 201 RR, 202 SDES, 203 BYE, 204 APP,
    /// 205 RTPFB, 206 PSFB, 207 XR).
    #[inline]
    pub fn packet_type(&self) -> u8 {
        self.packet[1]
    }

    /// The first SSRC (sender or packet-sender SSRC), if the packet has one.
    #[inline]
    pub fn ssrc(&self) -> Option<u32> {
        self.packet
            .get(4..8)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// The bytes after the 4-byte common header.
    #[inline]
    pub fn body(&self) -> &'a [u8] {
        &self.packet[4..]
    }
}

/// The packets of a compound RTCP datagram, in order; a malformed packet
/// ends the iteration with its error.
pub fn rtcp_packets(datagram: &[u8]) -> impl Iterator<Item = Result<RtcpHeader<'_>, RtpError>> {
    let mut rest = datagram;
    let mut offset = 0;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match RtcpHeader::parse(rest) {
            Ok((h, tail)) => {
                offset += h.packet.len();
                rest = tail;
                Some(Ok(h))
            }
            Err(e) => {
                rest = &[];
                Some(Err(match e {
                    RtpError::RtcpLengthOverrun { declared, .. } => {
                        RtpError::RtcpLengthOverrun { offset, declared }
                    }
                    other => other,
                }))
            }
        }
    })
}
