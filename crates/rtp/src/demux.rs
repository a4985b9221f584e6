//! The RFC 7983 first-byte demultiplexer (updating RFC 5764 §5.1.2), with
//! RTP and RTCP told apart by the payload-type byte (RFC 5761 §4).
//!
//! ```text
//!              +----------------+
//!              |        [0..3] -+--> STUN
//!              |      [16..19] -+--> ZRTP
//!  packet -->  |      [20..63] -+--> DTLS
//!              |      [64..79] -+--> TURN ChannelData
//!              |    [128..191] -+--> RTP/RTCP
//!              +----------------+    (else: drop)
//! ```

/// What a received datagram is, by its first byte (and, for RTP/RTCP, its
/// second).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum PacketKind {
    /// STUN (first byte 0–3).
    Stun,
    /// ZRTP (16–19); WebRTC does not use it.
    Zrtp,
    /// DTLS (20–63, content types; the DTLS 1.3 unified header stays inside).
    Dtls,
    /// TURN ChannelData (64–79).
    TurnChannelData,
    /// RTP (128–191, second byte's low 7 bits not in 64–95).
    Rtp,
    /// RTCP (128–191, packet type 192–223).
    Rtcp,
    /// Anything else (4–15, 80–127, 192–255 and the empty datagram): drop.
    Unknown,
}

/// First-byte classes: one table lookup instead of a chain of range tests.
const FIRST_BYTE: [PacketKind; 256] = {
    let mut t = [PacketKind::Unknown; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b {
            0..=3 => PacketKind::Stun,
            16..=19 => PacketKind::Zrtp,
            20..=63 => PacketKind::Dtls,
            64..=79 => PacketKind::TurnChannelData,
            128..=191 => PacketKind::Rtp,
            _ => PacketKind::Unknown,
        };
        b += 1;
    }
    t
};

/// The kind of `datagram` by RFC 7983 (and RFC 5761 for RTP vs RTCP).
/// Only classifies; the chosen parser validates the rest.
#[inline]
pub fn classify(datagram: &[u8]) -> PacketKind {
    let Some(&first) = datagram.first() else {
        return PacketKind::Unknown;
    };
    let kind = FIRST_BYTE[usize::from(first)];
    if kind != PacketKind::Rtp {
        return kind;
    }
    match datagram.get(1) {
        Some(&second) if is_rtcp_packet_type(second) => PacketKind::Rtcp,
        Some(_) => PacketKind::Rtp,
        None => PacketKind::Unknown,
    }
}

/// Whether the second byte of an RTP/RTCP packet makes it RTCP: packet
/// types 192–223, i.e. the low 7 bits in 64–95 (RFC 5761 §4).
#[inline]
pub fn is_rtcp_packet_type(second_byte: u8) -> bool {
    matches!(second_byte & 0x7f, 64..=95)
}
