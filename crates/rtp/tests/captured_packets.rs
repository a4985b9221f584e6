//! Packets captured from Chromium 156 and aiortc 1.16 on loopback, after
//! SRTP (sansrtc's interop peer with `--dump-media`: audio calls in both
//! roles), kept in `tests/data/captured/`. Each is read, checked against
//! what the wire says, and written again: byte-exact where the encoding is
//! canonical.

use sansrtc_rtp::rtcp::{parse_compound, write_compound, RtcpPacket, SdesItem};
use sansrtc_rtp::{RtpHeader, RtpWriter};

fn data(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/captured/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn packets(name: &str) -> Vec<RtcpPacket> {
    parse_compound(&data(name))
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn rewritten(packets: &[RtcpPacket]) -> Vec<u8> {
    let mut out = Vec::new();
    write_compound(packets, &mut out);
    out
}

#[test]
fn sender_reports_with_cname_round_trip_byte_exact() {
    for name in ["chromium-sr-sdes.bin", "aiortc-sr-sdes.bin"] {
        let p = packets(name);
        let (RtcpPacket::SenderReport(sr), RtcpPacket::SourceDescription(sdes)) = (&p[0], &p[1])
        else {
            panic!("{name}: {p:?}");
        };
        // The SDES chunk describes the reporting source with its CNAME.
        assert_eq!(sdes.chunks[0].ssrc, sr.ssrc, "{name}");
        let cname = sdes.chunks[0].cname().expect("CNAME");
        assert!(!cname.is_empty());
        assert!(sdes.chunks[0]
            .items
            .iter()
            .any(|i| i.item_type == SdesItem::CNAME));
        // An audio sender: packets and octets counted, a plausible NTP time
        // (2026: 0xed.. seconds since 1900).
        assert!(sr.packet_count > 0 && sr.octet_count > 0, "{name}");
        assert_eq!(
            sr.ntp_timestamp >> 56,
            0xee,
            "{name}: {:x}",
            sr.ntp_timestamp
        );
        assert_eq!(rewritten(&p), data(name), "{name}");
    }
}

#[test]
fn chromium_sender_report_fields() {
    let p = packets("chromium-sr-sdes.bin");
    let RtcpPacket::SenderReport(sr) = &p[0] else {
        panic!()
    };
    // The RTP packets of the same capture carry the same SSRC.
    let rtp = data("chromium-opus-rtp-1.bin");
    assert_eq!(sr.ssrc, RtpHeader::parse(&rtp).unwrap().ssrc());
    assert!(sr.reports.is_empty(), "Chromium received nothing yet");
}

#[test]
fn receiver_reports_round_trip_byte_exact() {
    for name in ["chromium-rr.bin", "aiortc-rr.bin"] {
        let p = packets(name);
        let RtcpPacket::ReceiverReport(rr) = &p[0] else {
            panic!("{name}: {p:?}")
        };
        // One block about sansrtc's audio stream: nothing lost on loopback,
        // and the LSR of one of sansrtc's sender reports.
        assert_eq!(rr.reports.len(), 1, "{name}");
        let block = rr.reports[0];
        assert_eq!(block.cumulative_lost, 0, "{name}");
        assert_eq!(block.fraction_lost, 0, "{name}");
        assert!(block.extended_highest_sequence > 0);
        assert_eq!(rewritten(&p), data(name), "{name}");
    }
}

#[test]
fn aiortc_bye_round_trips() {
    let p = packets("aiortc-bye.bin");
    let RtcpPacket::Goodbye(bye) = &p[0] else {
        panic!("{p:?}")
    };
    assert_eq!(bye.sources.len(), 1);
    assert_eq!(bye.reason, None);
    // aiortc says goodbye for the source of its sender reports.
    let RtcpPacket::SenderReport(sr) = &packets("aiortc-sr-sdes.bin")[0] else {
        panic!()
    };
    assert_eq!(bye.sources[0], sr.ssrc);
    assert_eq!(rewritten(&p), data("aiortc-bye.bin"));
}

#[test]
fn chromium_transport_feedback() {
    for name in ["chromium-twcc-1.bin", "chromium-twcc-2.bin"] {
        let bytes = data(name);
        // Chromium pads its feedback to 32 bits with the P bit set.
        assert_eq!(bytes[0] & 0x20, 0x20, "{name}");
        let p = packets(name);
        let RtcpPacket::TransportCc(fb) = &p[0] else {
            panic!("{name}: {p:?}")
        };
        let statuses: Vec<(u16, Option<i64>)> = fb.packets().collect();
        assert_eq!(statuses.len(), usize::from(fb.status_count));
        // On loopback every packet arrived, in order, arrival times growing.
        assert!(statuses.iter().all(|(_, a)| a.is_some()), "{name}");
        assert!(statuses.windows(2).all(|w| w[1].1 >= w[0].1));
        assert!(statuses
            .windows(2)
            .all(|w| w[1].0 == w[0].0.wrapping_add(1)));
        // Written again without the padding, it reads back the same.
        let again = rewritten(&p);
        let reread: Vec<RtcpPacket> = parse_compound(&again).collect::<Result<_, _>>().unwrap();
        assert_eq!(reread, p, "{name}");
    }
}

#[test]
fn rtp_headers_with_extensions_are_written_byte_exact() {
    for name in [
        "chromium-opus-rtp-1.bin",
        "chromium-opus-rtp-2.bin",
        "aiortc-opus-rtp.bin",
    ] {
        let bytes = data(name);
        let h = RtpHeader::parse(&bytes).unwrap();
        assert_eq!(
            h.payload_type(),
            if name.starts_with("chromium") {
                111
            } else {
                96
            }
        );
        let ext: Vec<(u8, &[u8])> = h
            .extensions()
            .map(|e| e.map(|e| (e.id, e.data)))
            .collect::<Result<_, _>>()
            .unwrap();
        // Chromium: transport-wide sequence number (id 3, 2 bytes) and the
        // MID "0" (id 4); aiortc: the MID (id 1).
        if name.starts_with("chromium") {
            assert_eq!(ext.len(), 2, "{name}");
            assert_eq!((ext[0].0, ext[0].1.len()), (3, 2));
            assert_eq!(ext[1], (4, &b"0"[..]));
        } else {
            assert_eq!(ext, [(1, &b"0"[..])]);
        }
        let mut out = Vec::new();
        RtpWriter {
            marker: h.marker(),
            payload_type: h.payload_type(),
            sequence_number: h.sequence_number(),
            timestamp: h.timestamp(),
            ssrc: h.ssrc(),
            extensions: &ext,
            payload: h.payload(),
            ..RtpWriter::default()
        }
        .write(&mut out)
        .unwrap();
        assert_eq!(out, bytes, "{name}");
    }
}
