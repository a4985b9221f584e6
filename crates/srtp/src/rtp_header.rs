//! The few RTP and RTCP header fields SRTP needs (RFC 3550 §5.1, §6.4).
//! The full zero-copy parser is `sansrtc-rtp`; this crate keeps its own
//! three-field reader so that it depends on no other sansrtc crate.

use crate::SrtpError;

/// What SRTP reads from an RTP header.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RtpFields {
    /// Bytes of the fixed header, CSRCs and header extension (all
    /// authenticated, none encrypted).
    pub(crate) header_len: usize,
    pub(crate) seq: u16,
    pub(crate) ssrc: u32,
}

/// Reads the header of the RTP packet `packet` (without any SRTP tag).
#[inline]
pub(crate) fn rtp_fields(packet: &[u8]) -> Result<RtpFields, SrtpError> {
    if packet.len() < 12 {
        return Err(SrtpError::TooShort {
            len: packet.len(),
            min: 12,
        });
    }
    let b0 = packet[0];
    if b0 >> 6 != 2 {
        return Err(SrtpError::BadVersion(b0 >> 6));
    }
    let mut header_len = 12 + 4 * usize::from(b0 & 0x0f);
    if b0 & 0x10 != 0 {
        if header_len + 4 > packet.len() {
            return Err(SrtpError::HeaderOverrun {
                header_len: header_len + 4,
                len: packet.len(),
            });
        }
        let words = u16::from_be_bytes([packet[header_len + 2], packet[header_len + 3]]);
        header_len += 4 + 4 * usize::from(words);
    }
    if header_len > packet.len() {
        return Err(SrtpError::HeaderOverrun {
            header_len,
            len: packet.len(),
        });
    }
    Ok(RtpFields {
        header_len,
        seq: u16::from_be_bytes([packet[2], packet[3]]),
        ssrc: u32::from_be_bytes([packet[8], packet[9], packet[10], packet[11]]),
    })
}

/// Reads the sender SSRC of the RTCP packet `packet` (8 bytes at least).
#[inline]
pub(crate) fn rtcp_ssrc(packet: &[u8]) -> Result<u32, SrtpError> {
    if packet.len() < 8 {
        return Err(SrtpError::TooShort {
            len: packet.len(),
            min: 8,
        });
    }
    if packet[0] >> 6 != 2 {
        return Err(SrtpError::BadVersion(packet[0] >> 6));
    }
    Ok(u32::from_be_bytes([
        packet[4], packet[5], packet[6], packet[7],
    ]))
}
