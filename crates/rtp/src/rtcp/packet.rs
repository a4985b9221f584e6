//! The typed RTCP packet and compound-packet reading and writing
//! (RFC 3550 §6.1, RFC 5506).

use super::common::{payload, PT_APP, PT_BYE, PT_PSFB, PT_RR, PT_RTPFB, PT_SDES, PT_SR, PT_XR};
use super::{
    ccfb, fir, nack, pli, remb, twcc, CongestionControlFeedback, Fir, Goodbye, Nack, Pli,
    RawPacket, ReceiverReport, Remb, SenderReport, SourceDescription, TransportCc,
};
use crate::{rtcp_packets, RtcpHeader, RtpError};

/// One RTCP packet, read into its type where this module knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RtcpPacket {
    /// SR (200).
    SenderReport(SenderReport),
    /// RR (201).
    ReceiverReport(ReceiverReport),
    /// SDES (202).
    SourceDescription(SourceDescription),
    /// BYE (203).
    Goodbye(Goodbye),
    /// Generic NACK (205, FMT 1).
    Nack(Nack),
    /// Transport-wide congestion control feedback (205, FMT 15).
    TransportCc(TransportCc),
    /// RFC 8888 congestion control feedback (205, FMT 11).
    CongestionControl(CongestionControlFeedback),
    /// Picture loss indication (206, FMT 1).
    Pli(Pli),
    /// Full intra request (206, FMT 4).
    Fir(Fir),
    /// Receiver estimated maximum bitrate (206, FMT 15, "REMB").
    Remb(Remb),
    /// APP (204), kept as bytes.
    App(RawPacket),
    /// XR (207, RFC 3611), kept as bytes.
    Xr(RawPacket),
    /// Any other packet type, or a feedback format not read here (RTPFB
    /// or PSFB with another FMT, application layer feedback other than
    /// REMB), kept as bytes for the caller to skip.
    Unknown(RawPacket),
}

impl RtcpPacket {
    /// Reads one packet framed by [`crate::rtcp_packets`] or
    /// [`RtcpHeader::parse`].
    pub fn parse(h: &RtcpHeader<'_>) -> Result<Self, RtpError> {
        Ok(match (h.packet_type(), h.count()) {
            (PT_SR, _) => RtcpPacket::SenderReport(SenderReport::parse(h)?),
            (PT_RR, _) => RtcpPacket::ReceiverReport(ReceiverReport::parse(h)?),
            (PT_SDES, _) => RtcpPacket::SourceDescription(SourceDescription::parse(h)?),
            (PT_BYE, _) => RtcpPacket::Goodbye(Goodbye::parse(h)?),
            (PT_APP, _) => RtcpPacket::App(RawPacket::parse(h)?),
            (PT_XR, _) => RtcpPacket::Xr(RawPacket::parse(h)?),
            (PT_RTPFB, nack::FMT_NACK) => RtcpPacket::Nack(Nack::parse(h)?),
            (PT_RTPFB, twcc::FMT_TWCC) => RtcpPacket::TransportCc(TransportCc::parse(h)?),
            (PT_RTPFB, ccfb::FMT_CCFB) => {
                RtcpPacket::CongestionControl(CongestionControlFeedback::parse(h)?)
            }
            (PT_PSFB, pli::FMT_PLI) => RtcpPacket::Pli(Pli::parse(h)?),
            (PT_PSFB, fir::FMT_FIR) => RtcpPacket::Fir(Fir::parse(h)?),
            (PT_PSFB, remb::FMT_AFB) if Remb::is_remb(payload(h)?) => {
                RtcpPacket::Remb(Remb::parse(h)?)
            }
            _ => RtcpPacket::Unknown(RawPacket::parse(h)?),
        })
    }

    /// Appends the packet (see each type's `write`).
    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            RtcpPacket::SenderReport(p) => p.write(out),
            RtcpPacket::ReceiverReport(p) => p.write(out),
            RtcpPacket::SourceDescription(p) => p.write(out),
            RtcpPacket::Goodbye(p) => p.write(out),
            RtcpPacket::Nack(p) => p.write(out),
            RtcpPacket::TransportCc(p) => p.write(out),
            RtcpPacket::CongestionControl(p) => p.write(out),
            RtcpPacket::Pli(p) => p.write(out),
            RtcpPacket::Fir(p) => p.write(out),
            RtcpPacket::Remb(p) => p.write(out),
            RtcpPacket::App(p) | RtcpPacket::Xr(p) | RtcpPacket::Unknown(p) => p.write(out),
        }
    }
}

/// Reads a compound (or RFC 5506 reduced-size, any single packet) RTCP
/// datagram packet by packet. A packet whose body is malformed gives its
/// error and the next packet is read (the length fields still frame
/// them); a broken header or length field gives its error and ends the
/// iteration. Collect into `Result<Vec<_>, _>` to refuse the whole
/// datagram on any error, as RFC 3550 §A.2 suggests.
pub fn parse_compound(datagram: &[u8]) -> impl Iterator<Item = Result<RtcpPacket, RtpError>> + '_ {
    rtcp_packets(datagram).map(|h| RtcpPacket::parse(&h?))
}

/// Appends `packets` as one compound datagram (RFC 3550 §6.1): each
/// packet's length field is set and each is padded to 32 bits. The order
/// is the caller's: RFC 3550 wants an SR or RR first; RFC 5506
/// reduced-size RTCP allows any.
pub fn write_compound(packets: &[RtcpPacket], out: &mut Vec<u8>) {
    for p in packets {
        p.write(out);
    }
}
