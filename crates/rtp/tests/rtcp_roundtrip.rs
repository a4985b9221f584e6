//! Round trips: every RTCP type built from arbitrary values writes and
//! reads back as the same value; arbitrary bytes that read as a packet
//! write back to bytes that read as the same packet.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use sansrtc_rtp::rtcp::{
    nack_pairs, parse_compound, write_compound, CcfbReport, CcfbStream, CongestionControlFeedback,
    Fir, FirEntry, Goodbye, Nack, NackPair, Pli, RawPacket, ReceiverReport, Remb, ReportBlock,
    RtcpPacket, SdesChunk, SdesItem, SenderReport, SourceDescription, TransportCc,
};

fn report_block() -> impl Strategy<Value = ReportBlock> {
    (any::<[u32; 5]>(), any::<u8>(), -0x80_0000..=0x7f_ffffi32).prop_map(|(w, f, lost)| {
        ReportBlock {
            ssrc: w[0],
            fraction_lost: f,
            cumulative_lost: lost,
            extended_highest_sequence: w[1],
            jitter: w[2],
            last_sender_report: w[3],
            delay_since_last_sender_report: w[4],
        }
    })
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..=max)
}

fn sender_report() -> impl Strategy<Value = RtcpPacket> {
    (
        any::<(u32, u64, u32, u32, u32)>(),
        vec(report_block(), 0..=31),
        bytes(40),
    )
        .prop_map(|((ssrc, ntp, rtp, packets, octets), reports, ext)| {
            RtcpPacket::SenderReport(SenderReport {
                ssrc,
                ntp_timestamp: ntp,
                rtp_timestamp: rtp,
                packet_count: packets,
                octet_count: octets,
                reports,
                profile_extensions: ext,
            })
        })
}

fn receiver_report() -> impl Strategy<Value = RtcpPacket> {
    (any::<u32>(), vec(report_block(), 0..=31), bytes(40)).prop_map(|(ssrc, reports, ext)| {
        RtcpPacket::ReceiverReport(ReceiverReport {
            ssrc,
            reports,
            profile_extensions: ext,
        })
    })
}

fn sdes() -> impl Strategy<Value = RtcpPacket> {
    let item = (1..=255u8, bytes(255)).prop_map(|(item_type, text)| SdesItem { item_type, text });
    let chunk = (any::<u32>(), vec(item, 0..5)).prop_map(|(ssrc, items)| SdesChunk { ssrc, items });
    vec(chunk, 0..=31)
        .prop_map(|chunks| RtcpPacket::SourceDescription(SourceDescription { chunks }))
}

fn bye() -> impl Strategy<Value = RtcpPacket> {
    (vec(any::<u32>(), 0..=31), option::of(bytes(255)))
        .prop_map(|(sources, reason)| RtcpPacket::Goodbye(Goodbye { sources, reason }))
}

fn nack() -> impl Strategy<Value = RtcpPacket> {
    (any::<(u32, u32)>(), vec(any::<(u16, u16)>(), 0..40)).prop_map(|((s, m), pairs)| {
        RtcpPacket::Nack(Nack {
            sender_ssrc: s,
            media_ssrc: m,
            pairs: pairs
                .into_iter()
                .map(|(pid, blp)| NackPair { pid, blp })
                .collect(),
        })
    })
}

/// Arrivals: sequence gaps of 1-4 from any start, arrival steps of -20 to
/// +80 ms, some lost.
fn arrivals() -> impl Strategy<Value = Vec<(u16, Option<u64>)>> {
    (
        any::<u16>(),
        0..100_000_000_000u64,
        vec(
            (1..=4u16, option::weighted(0.8, -20_000..80_000i64)),
            1..300,
        ),
    )
        .prop_map(|(start, t0, steps)| {
            let mut seq = start;
            let mut t = t0 as i64 + 1_000_000;
            steps
                .into_iter()
                .enumerate()
                .map(|(i, (gap, step))| {
                    if i > 0 {
                        seq = seq.wrapping_add(gap);
                    }
                    (
                        seq,
                        step.map(|s| {
                            t += s;
                            t as u64
                        }),
                    )
                })
                .collect()
        })
}

fn twcc() -> impl Strategy<Value = RtcpPacket> {
    (any::<(u32, u32, u8)>(), arrivals()).prop_map(|((s, m, fb), a)| {
        RtcpPacket::TransportCc(TransportCc::from_arrivals(s, m, fb, &a).unwrap())
    })
}

fn ccfb() -> impl Strategy<Value = RtcpPacket> {
    let report = (any::<bool>(), 0..4u8, 0..0x2000u16).prop_map(|(received, ecn, ato)| {
        if received {
            CcfbReport {
                received,
                ecn,
                arrival_time_offset: ato,
            }
        } else {
            CcfbReport::default()
        }
    });
    let stream =
        (any::<u32>(), any::<u16>(), vec(report, 0..30)).prop_map(|(ssrc, begin, reports)| {
            CcfbStream {
                ssrc,
                begin_sequence: begin,
                reports,
            }
        });
    (any::<(u32, u32)>(), vec(stream, 0..4)).prop_map(|((s, ts), streams)| {
        RtcpPacket::CongestionControl(CongestionControlFeedback {
            sender_ssrc: s,
            streams,
            report_timestamp: ts,
        })
    })
}

fn psfb() -> impl Strategy<Value = RtcpPacket> {
    prop_oneof![
        any::<(u32, u32)>().prop_map(|(s, m)| RtcpPacket::Pli(Pli {
            sender_ssrc: s,
            media_ssrc: m
        })),
        (any::<(u32, u32)>(), vec(any::<(u32, u8)>(), 0..20)).prop_map(|((s, m), e)| {
            RtcpPacket::Fir(Fir {
                sender_ssrc: s,
                media_ssrc: m,
                entries: e
                    .into_iter()
                    .map(|(ssrc, sequence)| FirEntry { ssrc, sequence })
                    .collect(),
            })
        }),
        (any::<(u32, u32, u8, u32)>(), vec(any::<u32>(), 0..=255)).prop_map(
            |((s, m, e, man), ssrcs)| {
                RtcpPacket::Remb(Remb {
                    sender_ssrc: s,
                    media_ssrc: m,
                    exponent: e & 0x3f,
                    mantissa: man & 0x3ffff,
                    ssrcs,
                })
            }
        ),
    ]
}

fn raw() -> impl Strategy<Value = RtcpPacket> {
    (
        prop_oneof![Just(204u8), Just(207), 192..=199u8, 208..=255u8],
        0..32u8,
        bytes(64),
    )
        .prop_map(|(packet_type, count, body)| {
            let raw = RawPacket {
                packet_type,
                count,
                body,
            };
            match packet_type {
                204 => RtcpPacket::App(raw),
                207 => RtcpPacket::Xr(raw),
                _ => RtcpPacket::Unknown(raw),
            }
        })
}

fn any_packet() -> impl Strategy<Value = RtcpPacket> {
    prop_oneof![
        sender_report(),
        receiver_report(),
        sdes(),
        bye(),
        nack(),
        twcc(),
        ccfb(),
        psfb(),
        raw()
    ]
}

fn round_trip(packets: &[RtcpPacket]) -> Vec<RtcpPacket> {
    let mut out = Vec::new();
    write_compound(packets, &mut out);
    assert_eq!(out.len() % 4, 0);
    parse_compound(&out).collect::<Result<_, _>>().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_type_round_trips(p in any_packet()) {
        prop_assert_eq!(round_trip(std::slice::from_ref(&p)), vec![p]);
    }

    #[test]
    fn compound_round_trips(packets in vec(any_packet(), 0..6)) {
        prop_assert_eq!(round_trip(&packets), packets);
    }

    /// The builder's arrivals come back within half a delta unit (125 µs),
    /// with the lost packets and the gaps between entries as lost.
    #[test]
    fn twcc_arrivals_round_trip(a in arrivals()) {
        let p = TransportCc::from_arrivals(1, 2, 3, &a).unwrap();
        let wrap = (1i64 << 24) * 64_000;
        let back: Vec<(u16, Option<i64>)> = p.packets().collect();
        let mut it = back.iter();
        for (i, &(seq, t)) in a.iter().enumerate() {
            if i > 0 {
                let gap = seq.wrapping_sub(a[i - 1].0);
                for _ in 1..gap {
                    let (_, lost) = it.next().unwrap();
                    prop_assert!(lost.is_none());
                }
            }
            let &(s, got) = it.next().unwrap();
            prop_assert_eq!(s, seq);
            match (t, got) {
                (None, None) => {}
                (Some(t), Some(got)) => {
                    let err = (t as i64).rem_euclid(wrap) - got.rem_euclid(wrap);
                    prop_assert!(err.abs() <= 125, "{} vs {}", t, got);
                }
                other => prop_assert!(false, "{:?}", other),
            }
        }
        prop_assert!(it.next().is_none());
    }

    /// `nack_pairs` reports exactly the lost numbers, in sequence order
    /// across the wrap, when they span less than half the number space.
    #[test]
    fn nack_pairs_cover_the_lost(start in any::<u16>(), offsets in vec(0..30_000u16, 0..200)) {
        let lost: Vec<u16> = offsets.iter().map(|&o| start.wrapping_add(o)).collect();
        let pairs = nack_pairs(&lost);
        let back: Vec<u16> = pairs.iter().flat_map(NackPair::lost).collect();
        let mut want: Vec<u16> = offsets.clone();
        want.sort_unstable();
        want.dedup();
        let base = want.first().map(|&o| start.wrapping_add(o));
        let want: Vec<u16> = want.iter().map(|&o| start.wrapping_add(o)).collect();
        prop_assert_eq!(&back, &want);
        if let Some(base) = base {
            prop_assert_eq!(pairs[0].pid, base);
        }
        // Each pair starts past the previous pair's reach.
        for w in pairs.windows(2) {
            prop_assert!(w[1].pid.wrapping_sub(w[0].pid) > 16);
        }
    }

    /// Arbitrary bodies under each packet type (count/FMT and P bit
    /// arbitrary): whatever reads as a packet writes back to bytes that
    /// read as the same packet.
    #[test]
    fn parsed_bytes_write_back(pt in 200..=207u8, first in any::<u8>(), body in bytes(200)) {
        let mut packet = vec![0x80 | (first & 0x3f), pt, 0, 0];
        packet.extend_from_slice(&body);
        while packet.len() % 4 != 0 {
            packet.push(0);
        }
        let words = (packet.len() / 4 - 1) as u16;
        packet[2..4].copy_from_slice(&words.to_be_bytes());
        let parsed = parse_compound(&packet).next();
        if let Some(Ok(p)) = parsed {
            prop_assert_eq!(round_trip(std::slice::from_ref(&p)), vec![p]);
        }
    }
}
