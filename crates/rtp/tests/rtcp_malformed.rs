//! Malformed RTCP: every input gives a value or an error, never a panic,
//! and never an allocation beyond what the packet's bytes imply.

use sansrtc_rtp::rtcp::{
    parse_compound, write_compound, Goodbye, Nack, RawPacket, ReceiverReport, Remb, ReportBlock,
    RtcpPacket, SdesChunk, SdesItem, SenderReport, SourceDescription, StatusChunk, TransportCc,
    TwccStatus,
};
use sansrtc_rtp::{RtcpHeader, RtpError};

fn first(bytes: &[u8]) -> Result<RtcpPacket, RtpError> {
    parse_compound(bytes).next().expect("one packet")
}

fn write(p: RtcpPacket) -> Vec<u8> {
    let mut out = Vec::new();
    write_compound(&[p], &mut out);
    out
}

/// One valid packet of every type read here, as bytes.
fn samples() -> Vec<Vec<u8>> {
    let block = ReportBlock {
        ssrc: 7,
        fraction_lost: 3,
        cumulative_lost: -2,
        extended_highest_sequence: 70_000,
        jitter: 12,
        last_sender_report: 99,
        delay_since_last_sender_report: 1,
    };
    let arrivals: Vec<(u16, Option<u64>)> = (0..40u16)
        .map(|i| {
            (
                65_520u16.wrapping_add(i),
                (i % 5 != 3).then(|| 1_000_000 + u64::from(i) * 90_000),
            )
        })
        .collect();
    [
        RtcpPacket::SenderReport(SenderReport {
            ssrc: 1,
            ntp_timestamp: 2,
            rtp_timestamp: 3,
            packet_count: 4,
            octet_count: 5,
            reports: vec![block, block],
            profile_extensions: vec![1, 2, 3, 4],
        }),
        RtcpPacket::ReceiverReport(ReceiverReport {
            ssrc: 1,
            reports: vec![block],
            profile_extensions: vec![],
        }),
        RtcpPacket::SourceDescription(SourceDescription {
            chunks: vec![
                SdesChunk {
                    ssrc: 1,
                    items: vec![
                        SdesItem {
                            item_type: SdesItem::CNAME,
                            text: b"abc".to_vec(),
                        },
                        SdesItem {
                            item_type: SdesItem::TOOL,
                            text: b"sansrtc".to_vec(),
                        },
                    ],
                },
                SdesChunk {
                    ssrc: 2,
                    items: vec![],
                },
            ],
        }),
        RtcpPacket::Goodbye(Goodbye {
            sources: vec![1, 2],
            reason: Some(b"done".to_vec()),
        }),
        RtcpPacket::Nack(Nack::from_lost(1, 2, &[1, 5, 40])),
        RtcpPacket::TransportCc(TransportCc::from_arrivals(1, 2, 3, &arrivals).unwrap()),
        RtcpPacket::Remb(Remb::new(1, 1_500_000, vec![5, 6])),
        RtcpPacket::Unknown(RawPacket {
            packet_type: 210,
            count: 3,
            body: vec![1, 2, 3, 4, 5],
        }),
    ]
    .into_iter()
    .map(write)
    .chain([
        // FIR, PLI, RFC 8888 as bytes.
        vec![
            0x84, 0xce, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 3, 0, 0, 0,
        ],
        vec![0x81, 0xce, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2],
        vec![
            0x8b, 0xcd, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2, 0, 5, 0, 1, 0x9f, 0xfd, 0, 0, 0, 0, 0, 9,
        ],
    ])
    .collect()
}

#[test]
fn every_sample_reads_back() {
    for s in samples() {
        let p = first(&s).unwrap();
        assert_eq!(write(p), s);
    }
}

/// Cut at every length, the datagram is refused at the header (a length
/// field running past the end, or fewer than 4 bytes).
#[test]
fn truncated_at_every_length() {
    for s in samples() {
        for cut in 0..s.len() {
            let r: Vec<_> = parse_compound(&s[..cut]).collect();
            if cut == 0 {
                assert!(r.is_empty());
            } else {
                assert_eq!(r.len(), 1);
                assert!(
                    matches!(
                        r[0],
                        Err(RtpError::TooShort { .. }) | Err(RtpError::RtcpLengthOverrun { .. })
                    ),
                    "{cut}: {:?}",
                    r[0]
                );
            }
        }
    }
}

/// Cut at every word with the length field made to fit, the body is too
/// short for its fixed part or its counts: an error or a shorter value,
/// never a panic.
#[test]
fn bodies_cut_at_every_word() {
    for s in samples() {
        for words in 0..s.len() / 4 {
            let mut cut = s[..4 + 4 * words].to_vec();
            cut[0] &= !0x20; // the padding, if any, is cut off
            cut[2..4].copy_from_slice(&(words as u16).to_be_bytes());
            match first(&cut) {
                Ok(p) => {
                    let again = write(p.clone());
                    assert_eq!(first(&again), Ok(p));
                }
                Err(e) => assert!(
                    matches!(
                        e,
                        RtpError::RtcpBodyTooShort { .. }
                            | RtpError::RtcpCountOverrun { .. }
                            | RtpError::RtcpMalformed { .. }
                    ),
                    "{e:?}"
                ),
            }
        }
    }
}

#[test]
fn fixed_parts_too_short() {
    for (bytes, min) in [
        (
            vec![
                0x80, 200, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ],
            24,
        ),
        (vec![0x80, 201, 0, 0], 4),
        (vec![0x81, 205, 0, 1, 0, 0, 0, 1], 8),
        (
            vec![0x8f, 205, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0],
            16,
        ),
        (vec![0x8b, 205, 0, 1, 0, 0, 0, 1], 8),
        (vec![0x81, 206, 0, 1, 0, 0, 0, 1], 8),
        (vec![0x84, 206, 0, 0], 8),
    ] {
        let e = first(&bytes).unwrap_err();
        assert!(
            matches!(e, RtpError::RtcpBodyTooShort { min: m, .. } if m == min),
            "{e:?}"
        );
    }
}

#[test]
fn counts_running_past_the_packet() {
    let overrun = |bytes: &[u8]| {
        let e = first(bytes).unwrap_err();
        assert!(matches!(e, RtpError::RtcpCountOverrun { .. }), "{e:?}");
    };
    // SR with RC=2 and one block; RR with RC=31 and none.
    let mut sr = write(RtcpPacket::SenderReport(SenderReport {
        reports: vec![ReportBlock::default()],
        ..SenderReport::default()
    }));
    sr[0] = 0x82;
    overrun(&sr);
    overrun(&[0x9f, 201, 0, 1, 0, 0, 0, 1]);
    // SDES with SC=2 and one chunk.
    let mut sdes = write(RtcpPacket::SourceDescription(
        SourceDescription::with_cname(1, "x"),
    ));
    sdes[0] = 0x82;
    overrun(&sdes);
    // An SDES item whose length runs past the packet.
    overrun(&[0x81, 202, 0, 2, 0, 0, 0, 1, 1, 9, b'a', b'b']);
    // BYE with SC=3 and one source; a reason longer than the packet.
    overrun(&[0x83, 203, 0, 1, 0, 0, 0, 1]);
    overrun(&[0x81, 203, 0, 2, 0, 0, 0, 1, 4, b'F', b'O', b'O']);
    // REMB with 2 SSRCs announced and 1 there.
    let mut remb = write(RtcpPacket::Remb(Remb::new(1, 1000, vec![9])));
    remb[16] = 2;
    overrun(&remb);
    // RFC 8888 with num_reports 9 and 2 reports.
    overrun(&[
        0x8b, 0xcd, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2, 0, 5, 0, 9, 0x9f, 0xfd, 0, 0, 0, 0, 0, 9,
    ]);
    // TWCC with 3 statuses and the deltas of 2.
    overrun(&[
        0x8f, 0xcd, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0x20, 0x03, 1, 1,
    ]);
}

#[test]
fn rfc8888_over_16384_reports_and_partial_blocks() {
    let mut many = vec![0x8b, 0xcd, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0x40, 0x01];
    many.extend(std::iter::repeat(0).take(2 * 16_385 + 2 + 4));
    let words = (many.len() / 4 - 1) as u16;
    many[2..4].copy_from_slice(&words.to_be_bytes());
    assert!(matches!(first(&many), Err(RtpError::RtcpMalformed { .. })));
    // 4 bytes of a block before the timestamp.
    let partial = [0x8b, 0xcd, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 9];
    assert!(matches!(
        first(&partial),
        Err(RtpError::RtcpMalformed { .. })
    ));
}

#[test]
fn wrong_version() {
    for v in [0u8, 1, 3] {
        let bytes = [v << 6 | 1, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];
        let r: Vec<_> = parse_compound(&bytes).collect();
        assert_eq!(r, [Err(RtpError::BadVersion(v))]);
    }
    // A second packet with a bad version ends the iteration after the first.
    let mut two = vec![0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];
    two.extend_from_slice(&[0x41, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]);
    let r: Vec<_> = parse_compound(&two).collect();
    assert!(r[0].is_ok());
    assert_eq!(r[1], Err(RtpError::BadVersion(1)));
    assert_eq!(r.len(), 2);
}

#[test]
fn bad_padding() {
    // P set, last byte 0.
    let zero = [0xa1, 206, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0];
    assert_eq!(
        first(&zero),
        Err(RtpError::BadPadding {
            padding: 0,
            available: 12
        })
    );
    // P set, padding longer than the body.
    let long = [0xa1, 206, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 13];
    assert_eq!(
        first(&long),
        Err(RtpError::BadPadding {
            padding: 13,
            available: 12
        })
    );
    // P set on a header-only packet.
    assert_eq!(
        first(&[0xa0, 203, 0, 0]),
        Err(RtpError::BadPadding {
            padding: 0,
            available: 0
        })
    );
    // P set with 4 bytes of padding leaves the PLI without its media SSRC.
    let eaten = [0xa1, 206, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 4];
    assert!(matches!(first(&eaten), Ok(RtcpPacket::Pli(_))));
    let eaten = [0xa1, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 4];
    assert!(matches!(
        first(&eaten),
        Err(RtpError::RtcpBodyTooShort { .. })
    ));
    // Good padding on an RR: the extension excludes it, and writing puts
    // the P bit back for the 3 unaligned bytes.
    let rr = [0xa0, 201, 0, 2, 0, 0, 0, 1, 9, 9, 9, 1];
    let p = first(&rr).unwrap();
    assert_eq!(
        p,
        RtcpPacket::ReceiverReport(ReceiverReport {
            ssrc: 1,
            reports: vec![],
            profile_extensions: vec![9, 9, 9]
        })
    );
    assert_eq!(write(p), rr);
}

#[test]
fn sdes_zero_length_items_and_terminators() {
    // NOTE of length 0, CNAME of length 0, then the end: both items kept.
    let bytes = [0x81, 202, 0, 3, 0, 0, 0, 5, 7, 0, 1, 0, 0, 0, 0, 0];
    let p = first(&bytes).unwrap();
    let RtcpPacket::SourceDescription(s) = &p else {
        panic!()
    };
    assert_eq!(
        s.chunks[0].items,
        [
            SdesItem {
                item_type: 7,
                text: vec![]
            },
            SdesItem {
                item_type: 1,
                text: vec![]
            }
        ]
    );
    assert_eq!(s.chunks[0].cname(), Some(&[][..]));
    // Written back: 4 + 4 bytes of items, then a whole word of nulls.
    assert_eq!(write(p.clone()), bytes);
    // Without the terminating null octet (items end at the packet's end).
    let open = [0x81, 202, 0, 2, 0, 0, 0, 5, 7, 0, 1, 0];
    assert!(matches!(first(&open), Err(RtpError::RtcpMalformed { .. })));
    // A terminator whose padding runs past the packet.
    let short_pad = [0x81, 202, 0, 2, 0, 0, 0, 5, 1, 1, b'a', 0, 0, 0, 0, 0];
    assert!(first(&short_pad).is_ok());
    let cut = [0x81, 202, 0, 2, 0, 0, 0, 5, 1, 2, b'a', b'b'];
    assert!(first(&cut).is_err());
    // Item type 0 in a built value is left out (it would end the list), and
    // text longer than 255 bytes is cut.
    let built = SourceDescription {
        chunks: vec![SdesChunk {
            ssrc: 1,
            items: vec![
                SdesItem {
                    item_type: 0,
                    text: b"gone".to_vec(),
                },
                SdesItem {
                    item_type: 2,
                    text: vec![b'n'; 300],
                },
            ],
        }],
    };
    let RtcpPacket::SourceDescription(back) =
        first(&write(RtcpPacket::SourceDescription(built))).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        back.chunks[0].items,
        [SdesItem {
            item_type: 2,
            text: vec![b'n'; 255]
        }]
    );
}

/// A TWCC packet claiming 65535 statuses: in a 20-byte body the chunks
/// cannot cover them (error); with enough run-length chunks of lost
/// packets it is valid and holds nine chunks, not 65535 entries; runs of
/// received packets need a delta each, which a short packet lacks.
#[test]
fn twcc_huge_status_count() {
    let header = |count: u16| {
        let mut b = vec![0x8f, 0xcd, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0];
        b.extend_from_slice(&count.to_be_bytes());
        b.extend_from_slice(&[0, 0, 1, 0]);
        b
    };
    let fix = |mut b: Vec<u8>| {
        while b.len() % 4 != 0 {
            b.push(0);
        }
        let words = (b.len() / 4 - 1) as u16;
        b[2..4].copy_from_slice(&words.to_be_bytes());
        b
    };
    // 20-byte body: two run-length chunks of 8191 lost packets.
    let mut short = header(65_535);
    short.extend_from_slice(&[0x1f, 0xff, 0x1f, 0xff]);
    let short = fix(short);
    assert_eq!(short.len(), 24);
    assert!(matches!(
        first(&short),
        Err(RtpError::RtcpCountOverrun { .. })
    ));
    // 20-byte body of vectors (14 statuses each).
    let mut vectors = header(65_535);
    vectors.extend_from_slice(&[0xbf, 0xff, 0xbf, 0xff]);
    assert!(first(&fix(vectors)).is_err());
    // Enough run-length chunks of lost packets: valid, nine chunks.
    let mut lost = header(65_535);
    for _ in 0..9 {
        lost.extend_from_slice(&[0x1f, 0xff]);
    }
    let RtcpPacket::TransportCc(p) = first(&fix(lost)).unwrap() else {
        panic!()
    };
    assert_eq!(p.chunks.len(), 9);
    assert!(p.deltas.is_empty());
    assert_eq!(p.packets().count(), 65_535);
    assert!(p.packets().all(|(_, t)| t.is_none()));
    // A run of 8191 received packets with small deltas and 4 bytes of deltas.
    let mut received = header(65_535);
    received.extend_from_slice(&[0x3f, 0xff, 1, 2, 3, 4]);
    assert!(matches!(
        first(&fix(received)),
        Err(RtpError::RtcpCountOverrun { .. })
    ));
    // The reserved symbol in a run.
    let mut reserved = header(1);
    reserved.extend_from_slice(&[0x60, 0x01]);
    assert!(matches!(
        first(&fix(reserved)),
        Err(RtpError::RtcpMalformed { .. })
    ));
    // Status count 0: no chunks read.
    let RtcpPacket::TransportCc(empty) = first(&fix(header(0))).unwrap() else {
        panic!()
    };
    assert!(empty.chunks.is_empty());
    // A vector's symbols past the status count are not read, even reserved.
    let mut tail = header(1);
    tail.extend_from_slice(&[0xd3, 0xff, 9]);
    let RtcpPacket::TransportCc(t) = first(&fix(tail)).unwrap() else {
        panic!()
    };
    assert_eq!(t.chunks, [StatusChunk::TwoBit(0x13ff)]);
    assert_eq!(t.deltas, [9]);
    assert_eq!(
        t.packets().collect::<Vec<_>>(),
        [(0, Some(64_000 + 9 * 250))]
    );
}

#[test]
fn remb_identifier_and_short_afb() {
    let mut remb = write(RtcpPacket::Remb(Remb::new(1, 5_000_000, vec![2])));
    remb[15] = b'X';
    assert!(matches!(
        first(&remb),
        Ok(RtcpPacket::Unknown(RawPacket {
            packet_type: 206,
            count: 15,
            ..
        }))
    ));
    // Application layer feedback too short to hold an identifier.
    let afb = [0x8f, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0];
    assert!(matches!(first(&afb), Ok(RtcpPacket::Unknown(_))));
    // Remb::parse itself refuses it.
    let (h, _) = RtcpHeader::parse(&remb).unwrap();
    assert!(matches!(
        Remb::parse(&h),
        Err(RtpError::RtcpMalformed { .. })
    ));
}

#[test]
fn unknown_feedback_formats_and_types() {
    for (fmt, pt) in [(3, 205), (5, 205), (2, 206), (3, 206), (0, 205), (31, 206)] {
        let bytes = [0x80 | fmt, pt, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 1, 2, 3, 4];
        let p = first(&bytes).unwrap();
        assert_eq!(
            p,
            RtcpPacket::Unknown(RawPacket {
                packet_type: pt,
                count: fmt,
                body: bytes[4..].to_vec()
            })
        );
        assert_eq!(write(p), bytes);
    }
    for pt in [192u8, 195, 199, 208, 255] {
        assert!(matches!(
            first(&[0x80, pt, 0, 0]),
            Ok(RtcpPacket::Unknown(_))
        ));
    }
    assert!(matches!(
        first(&[0x80, 207, 0, 1, 0, 0, 0, 1]),
        Ok(RtcpPacket::Xr(_))
    ));
}

#[test]
fn typed_parsers_refuse_other_types() {
    let pli = [0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];
    let (h, _) = RtcpHeader::parse(&pli).unwrap();
    let wrong = RtpError::RtcpUnexpectedType {
        packet_type: 206,
        count: 1,
    };
    assert_eq!(Nack::parse(&h), Err(wrong));
    assert_eq!(TransportCc::parse(&h), Err(wrong));
    assert_eq!(SenderReport::parse(&h), Err(wrong));
    assert_eq!(Goodbye::parse(&h), Err(wrong));
}

/// A body error is that packet's; the length fields still frame the rest.
#[test]
fn a_malformed_body_does_not_end_the_compound() {
    let mut bytes = vec![0x83, 203, 0, 1, 0, 0, 0, 1];
    bytes.extend_from_slice(&[0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]);
    let r: Vec<_> = parse_compound(&bytes).collect();
    assert!(matches!(
        r[0],
        Err(RtpError::RtcpCountOverrun {
            packet_type: 203,
            ..
        })
    ));
    assert!(matches!(r[1], Ok(RtcpPacket::Pli(_))));
}

#[test]
fn more_than_31_blocks_chunks_or_sources_split() {
    let blocks: Vec<ReportBlock> = (0..70)
        .map(|i| ReportBlock {
            ssrc: i,
            ..ReportBlock::default()
        })
        .collect();
    let sr = SenderReport {
        ssrc: 9,
        reports: blocks.clone(),
        ..SenderReport::default()
    };
    let packets: Vec<_> = parse_compound(&write(RtcpPacket::SenderReport(sr)))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(packets.len(), 3);
    let mut back = Vec::new();
    for p in &packets {
        match p {
            RtcpPacket::SenderReport(s) => back.extend_from_slice(&s.reports),
            RtcpPacket::ReceiverReport(r) => {
                assert_eq!(r.ssrc, 9);
                back.extend_from_slice(&r.reports)
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(back, blocks);
    let bye = Goodbye {
        sources: (0..40).collect(),
        reason: Some(b"bye".to_vec()),
    };
    let packets: Vec<_> = parse_compound(&write(RtcpPacket::Goodbye(bye)))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(packets.len(), 2);
    let RtcpPacket::Goodbye(last) = &packets[1] else {
        panic!()
    };
    assert_eq!(last.reason.as_deref(), Some(&b"bye"[..]));
    let sdes = SourceDescription {
        chunks: (0..32)
            .map(|ssrc| SdesChunk {
                ssrc,
                items: vec![],
            })
            .collect(),
    };
    let packets: Vec<_> = parse_compound(&write(RtcpPacket::SourceDescription(sdes)))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(packets.len(), 2);
}

#[test]
fn twcc_builder_errors() {
    use sansrtc_rtp::rtcp::TwccBuildError as E;
    assert_eq!(TransportCc::from_arrivals(1, 2, 0, &[]), Err(E::Empty));
    assert_eq!(
        TransportCc::from_arrivals(1, 2, 0, &[(5, Some(0)), (5, Some(0))]),
        Err(E::OutOfOrder { index: 1 })
    );
    assert_eq!(
        TransportCc::from_arrivals(1, 2, 0, &[(5, Some(0)), (4, Some(0))]),
        Err(E::OutOfOrder { index: 1 })
    );
    assert_eq!(
        TransportCc::from_arrivals(1, 2, 0, &[(5, Some(0)), (6, Some(8_200_000))]),
        Err(E::DeltaOutOfRange { index: 1 })
    );
    let spread: Vec<_> = (0..5u16).map(|i| (i.wrapping_mul(20_000), None)).collect();
    assert_eq!(
        TransportCc::from_arrivals(1, 2, 0, &spread),
        Err(E::TooManyPackets)
    );
    // Negative and large deltas, and a wrap of the sequence numbers.
    let p = TransportCc::from_arrivals(
        1,
        2,
        0,
        &[
            (65_534, Some(1_000_000)),
            (65_535, Some(990_000)),
            (1, Some(1_400_000)),
        ],
    )
    .unwrap();
    assert_eq!(p.status_count, 4);
    assert_eq!(p.chunks, [StatusChunk::TwoBit(0b01_10_00_10_00_00_00)]);
    assert_eq!(
        p.packets().collect::<Vec<_>>(),
        [
            (65_534, Some(1_000_000)),
            (65_535, Some(990_000)),
            (0, None),
            (1, Some(1_400_000))
        ]
    );
    let _ = TwccStatus::LargeDelta;
}
