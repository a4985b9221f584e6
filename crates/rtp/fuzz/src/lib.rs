//! Shared checks of the rtp fuzz targets: the RTP header reader, the RTCP
//! compound iterator, the typed RTCP packets and the RFC 7983
//! demultiplexer, each with the invariants its documentation states.

use sansrtc_rtp::rtcp::{parse_compound, write_compound, RtcpPacket};
use sansrtc_rtp::{classify, rtcp_packets, PacketKind, RtcpHeader, RtpHeader};
use sansrtc_srtp::{Profile, SrtpConfig, SrtpContext};

pub mod codec;

/// Parses `packet` as RTP and checks every accessor against the bytes.
pub fn check_rtp(packet: &[u8]) {
    let Ok(h) = RtpHeader::parse(packet) else {
        return;
    };
    assert_eq!(h.as_bytes(), packet);
    assert!(h.header_len() >= 12 && h.header_len() <= packet.len());
    assert_eq!(h.csrcs().len(), usize::from(packet[0] & 0x0f));
    assert_eq!(h.payload_type(), packet[1] & 0x7f);
    assert_eq!(h.marker(), packet[1] & 0x80 != 0);
    assert_eq!(
        h.sequence_number(),
        u16::from_be_bytes([packet[2], packet[3]])
    );
    assert_eq!(
        h.ssrc(),
        u32::from_be_bytes([packet[8], packet[9], packet[10], packet[11]])
    );
    let _ = h.timestamp();
    let _ = h.csrcs().count();
    assert_eq!(h.has_extension(), h.extension_profile().is_some());
    let ext = h.extension_data();
    for e in h.extensions() {
        match e {
            Ok(e) => {
                assert!(e.data.len() <= ext.len());
                assert!(e.id != 0);
            }
            Err(_) => break,
        }
    }
    // Header, payload and padding partition the packet.
    assert_eq!(
        h.header_len() + h.payload().len() + h.padding_len(),
        packet.len()
    );
    assert_eq!(h.padding(), packet[0] & 0x20 != 0);
}

/// Walks a compound RTCP datagram; the packets tile the datagram up to the
/// first error.
pub fn check_rtcp(datagram: &[u8]) {
    let mut covered = 0;
    let mut failed = false;
    for p in rtcp_packets(datagram) {
        match p {
            Ok(h) => {
                let bytes = h.as_bytes();
                assert_eq!(bytes, &datagram[covered..covered + bytes.len()]);
                assert_eq!(bytes.len() % 4, 0);
                assert_eq!(h.body().len() + 4, bytes.len());
                assert_eq!(h.count(), bytes[0] & 0x1f);
                assert_eq!(h.packet_type(), bytes[1]);
                assert_eq!(h.ssrc().is_some(), bytes.len() >= 8);
                let _ = h.padding();
                covered += bytes.len();
            }
            Err(_) => {
                failed = true;
                break;
            }
        }
    }
    assert!(failed || covered == datagram.len());
    if let Ok((h, rest)) = RtcpHeader::parse(datagram) {
        assert_eq!(h.as_bytes().len() + rest.len(), datagram.len());
    }
}

/// The demultiplexer is total and agrees with the parsers on the first byte.
pub fn check_demux(datagram: &[u8]) {
    let kind = classify(datagram);
    match datagram.first() {
        None => assert_eq!(kind, PacketKind::Unknown),
        Some(0..=3) => assert_eq!(kind, PacketKind::Stun),
        Some(20..=63) => assert_eq!(kind, PacketKind::Dtls),
        Some(64..=79) => assert_eq!(kind, PacketKind::TurnChannelData),
        Some(128..=191) if datagram.len() >= 2 => {
            assert!(matches!(kind, PacketKind::Rtp | PacketKind::Rtcp))
        }
        _ => {}
    }
}

/// The typed RTCP reader: every packet that reads writes back to bytes
/// that read as the same packet (padding and reserved bits normalised),
/// 32-bit aligned; a packet's value never holds more entries than its
/// bytes could (nothing is allocated beyond what the input implies).
pub fn check_rtcp_typed(datagram: &[u8]) {
    for p in parse_compound(datagram) {
        let Ok(p) = p else { continue };
        assert!(entries(&p) <= datagram.len());
        let mut out = Vec::new();
        write_compound(std::slice::from_ref(&p), &mut out);
        assert_eq!(out.len() % 4, 0);
        let again: Vec<RtcpPacket> = parse_compound(&out)
            .collect::<Result<_, _>>()
            .expect("own packet reads");
        assert_eq!(again, [p]);
    }
}

/// How many list entries a packet's value holds.
fn entries(p: &RtcpPacket) -> usize {
    match p {
        RtcpPacket::SenderReport(p) => p.reports.len() + p.profile_extensions.len(),
        RtcpPacket::ReceiverReport(p) => p.reports.len() + p.profile_extensions.len(),
        RtcpPacket::SourceDescription(p) => p
            .chunks
            .iter()
            .map(|c| 1 + c.items.iter().map(|i| 1 + i.text.len()).sum::<usize>())
            .sum(),
        RtcpPacket::Goodbye(p) => p.sources.len() + p.reason.as_ref().map_or(0, Vec::len),
        RtcpPacket::Nack(p) => p.pairs.len(),
        RtcpPacket::TransportCc(p) => p.chunks.len() + p.deltas.len(),
        RtcpPacket::CongestionControl(p) => p.streams.iter().map(|s| 1 + s.reports.len()).sum(),
        RtcpPacket::Fir(p) => p.entries.len(),
        RtcpPacket::Remb(p) => p.ssrcs.len(),
        RtcpPacket::App(p) | RtcpPacket::Xr(p) | RtcpPacket::Unknown(p) => p.body.len(),
        _ => 0,
    }
}

/// One RTCP packet type forced into the input's header: the compound
/// iterator, the typed reader and writer ([`check_rtcp_typed`]), the
/// demultiplexer (which must say RTCP) and SRTCP protect then unprotect
/// (which must give the packet back) all see it.
pub fn check_rtcp_type(packet_type: u8, data: &[u8]) {
    check_rtcp_type_fmt(packet_type, None, data);
}

/// [`check_rtcp_type`] with the FMT (count field) forced too, for feedback
/// formats a random count rarely hits; for application layer feedback
/// (PSFB FMT 15) the "REMB" identifier is put in place as well.
pub fn check_rtcp_type_fmt(packet_type: u8, fmt: Option<u8>, data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let count = match fmt {
        Some(f) => (selector & 0x20) | f,
        None => selector & 0x3f,
    };
    // V=2, the count from the input; the length field made to fit (bit 7
    // of the selector leaves the input's own length, to reach overruns).
    let mut packet = vec![0x80 | count, packet_type, 0, 0];
    packet.extend_from_slice(rest);
    if selector & 0x80 == 0 {
        while packet.len() % 4 != 0 {
            packet.push(0);
        }
        let words = (packet.len() / 4 - 1).min(usize::from(u16::MAX)) as u16;
        packet[2..4].copy_from_slice(&words.to_be_bytes());
    } else if rest.len() >= 2 {
        packet[2] = rest[0];
        packet[3] = rest[1];
    }
    if packet_type == 206 && fmt == Some(15) && packet.len() >= 16 {
        packet[12..16].copy_from_slice(b"REMB");
    }
    assert_eq!(classify(&packet), PacketKind::Rtcp);
    check_rtcp(&packet);
    check_rtcp_typed(&packet);
    let profile = Profile::ALL[usize::from(selector) % Profile::ALL.len()];
    let key = vec![0x42; profile.key_len()];
    let salt = vec![0x24; profile.salt_len()];
    let mut tx = SrtpContext::new(profile, &key, &salt, SrtpConfig::default()).unwrap();
    let mut rx = SrtpContext::new(profile, &key, &salt, SrtpConfig::default()).unwrap();
    let len = packet.len();
    let original = packet.clone();
    packet.resize(len + tx.rtcp_overhead(), 0);
    if let Ok(n) = tx.protect_rtcp_in_place(&mut packet, len) {
        assert_eq!(classify(&packet[..n]), PacketKind::Rtcp);
        let m = rx
            .unprotect_rtcp_in_place(&mut packet[..n])
            .expect("own SRTCP packet");
        assert_eq!(&packet[..m], &original[..]);
    }
    let mut garbage = data.to_vec();
    let _ = rx.unprotect_rtcp_in_place(&mut garbage);
}
