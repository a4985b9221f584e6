//! Known answers: byte arrays from other implementations' tests (each
//! with its origin) and what those tests assert, checked against our
//! payloaders, depayloaders and keyframe detectors.
//!
//! Sources:
//! - pion/rtp `codecs/vp8_packet_test.go`, `vp9_packet_test.go`,
//!   `h264_packet_test.go`, `av1_packet_test.go` (MIT);
//! - libwebrtc `modules/rtp_rtcp/source/video_rtp_depacketizer_{vp8,h264,av1}_unittest.cc`
//!   (BSD);
//! - GStreamer `tests/check/elements/rtpav1.c` (LGPL; captured RTP packets
//!   of a 1-frame AV1 stream, here as facts).

// Binary literals are grouped by header field (Z|Y|W|N, forbidden|type|
// X|S|reserved), as in libwebrtc's tests.
#![allow(clippy::unusual_byte_groupings)]

use sansrtc_rtp::codec::vp8::Vp8Descriptor;
use sansrtc_rtp::codec::vp9::{PictureGroupEntry, ScalabilityStructure, Vp9Descriptor};
use sansrtc_rtp::codec::{
    av1, h264, vp8, vp9, Av1Depayloader, CodecError, Depayloader, Frame, FrameInfo,
    H264Depayloader, H264Payloader, Packet, Payloader, Payloads, Vp8Depayloader, Vp9Depayloader,
    Vp9Payloader,
};
use sansrtc_rtp::RtpHeader;

/// Feeds `payloads` as one frame (timestamp 1000, marker on the last),
/// after a complete frame `previous` (timestamp 0) so that a packet
/// without a definite start-of-frame signal counts as the first.
fn depay(
    d: &mut dyn Depayloader,
    previous: Option<&[u8]>,
    payloads: &[&[u8]],
) -> Result<Vec<Frame>, CodecError> {
    let mut out = Vec::new();
    let mut seq = 100u16;
    if let Some(p) = previous {
        d.push(Packet::new(p, seq, 0, true), &mut out)?;
        out.clear();
    }
    for (i, p) in payloads.iter().enumerate() {
        seq += 1;
        d.push(Packet::new(p, seq, 1000, i + 1 == payloads.len()), &mut out)?;
    }
    Ok(out)
}

fn one_frame(d: &mut dyn Depayloader, previous: Option<&[u8]>, payloads: &[&[u8]]) -> Frame {
    let mut frames = depay(d, previous, payloads).unwrap();
    assert_eq!(frames.len(), 1, "{frames:?}");
    frames.remove(0)
}

// ---------------------------------------------------------------- VP8

#[test]
fn vp8_descriptors_from_libwebrtc() {
    // video_rtp_depacketizer_vp8_unittest.cc: BasicHeader (S=1, PID 4, P frame).
    let d = Vp8Descriptor::parse(&[0b0001_0100, 0x01, 0, 0]).unwrap();
    assert_eq!(
        (d.header_len, d.start_of_partition, d.partition_index),
        (1, true, 4)
    );
    assert_eq!(d.picture_id, None);
    assert!(!vp8::is_keyframe(&[0b0001_0100, 0x01]));
    // OneBytePictureID: 17.
    let d = Vp8Descriptor::parse(&[0b1010_0000, 0b1000_0000, 17, 0, 0]).unwrap();
    assert_eq!((d.header_len, d.picture_id), (3, Some(17)));
    // TwoBytePictureID: 0x1234.
    let d = Vp8Descriptor::parse(&[0b1010_0000, 0b1000_0000, 0x92, 0x34, 0]).unwrap();
    assert_eq!((d.header_len, d.picture_id), (4, Some(0x1234)));
    // Tl0PicIdx.
    let d = Vp8Descriptor::parse(&[0b1000_0000, 0b0100_0000, 17, 0]).unwrap();
    assert_eq!((d.header_len, d.tl0_pic_idx), (3, Some(17)));
    // TIDAndLayerSync.
    let d = Vp8Descriptor::parse(&[0b1000_0000, 0b0010_0000, 0b1000_0000, 0]).unwrap();
    assert_eq!(
        (d.header_len, d.temporal_id, d.layer_sync),
        (3, Some(2), false)
    );
    // KeyIdx.
    let d = Vp8Descriptor::parse(&[0b1000_0000, 0b0001_0000, 17, 0]).unwrap();
    assert_eq!((d.header_len, d.key_idx), (3, Some(17)));
    // TooShortHeader: all extensions, 2-byte PictureID, nothing after.
    assert!(matches!(
        Vp8Descriptor::parse(&[0b1000_0000, 0b1111_0000, 0x80 | 17, 17]),
        Err(CodecError::Truncated(_))
    ));
    // FailsOnEmptyPayload.
    assert_eq!(Vp8Descriptor::parse(&[]), Err(CodecError::EmptyPayload));
}

#[test]
fn vp8_unmarshal_cases_from_pion() {
    let mut d = Vp8Depayloader::new();
    // Normal payload: one-byte descriptor, S=0: not a frame start.
    assert!(Vp8Descriptor::parse(&[0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x90]).is_ok());
    // "Header size, only X", "X and I", "X and L", "X and T", "X and K": parse.
    for p in [
        [0x80, 0x00, 0x00, 0x00],
        [0x80, 0x80, 0x00, 0x00],
        [0x80, 0x40, 0x00, 0x00],
        [0x80, 0x20, 0x00, 0x00],
        [0x80, 0x10, 0x00, 0x00],
    ] {
        assert!(Vp8Descriptor::parse(&p).is_ok(), "{p:02x?}");
    }
    // "X and I, PID 16bits": the descriptor takes all 4 bytes, no payload.
    assert_eq!(
        d.push(
            Packet::new(&[0x90, 0x80, 0x81, 0x00], 1, 0, true),
            &mut Vec::new()
        ),
        Err(CodecError::Truncated("VP8 payload after the descriptor"))
    );
    // "all flags": the T/K byte is missing.
    assert!(matches!(
        Vp8Descriptor::parse(&[0xff, 0xff, 0x00, 0x00]),
        Err(CodecError::Truncated(_))
    ));
    // Too short / empty.
    assert_eq!(
        d.push(Packet::new(&[], 2, 0, true), &mut Vec::new()),
        Err(CodecError::EmptyPayload)
    );
}

// ---------------------------------------------------------------- VP9

#[test]
fn vp9_unmarshal_cases_from_pion() {
    // NonFlexible.
    let d = Vp9Descriptor::parse(&[0x00, 0xAA]).unwrap();
    assert_eq!((d.header_len, d.picture_id), (1, None));
    // NonFlexiblePictureID / ...Ext.
    assert_eq!(
        Vp9Descriptor::parse(&[0x80, 0x02, 0xAA])
            .unwrap()
            .picture_id,
        Some(2)
    );
    let d = Vp9Descriptor::parse(&[0x80, 0x81, 0xFF, 0xAA]).unwrap();
    assert_eq!((d.picture_id, d.header_len), (Some(0x01FF), 3));
    // ..._ShortPacket0/1.
    for p in [&[0x80, 0x81][..], &[0x80]] {
        assert!(matches!(
            Vp9Descriptor::parse(p),
            Err(CodecError::Truncated(_))
        ));
    }
    // NonFlexibleLayerIndicePictureID: TID 1, SID 1, D, TL0PICIDX 1.
    let d = Vp9Descriptor::parse(&[0xA0, 0x02, 0x23, 0x01, 0xAA]).unwrap();
    let l = d.layer.unwrap();
    assert_eq!(
        (l.temporal_id, l.spatial_id, l.inter_layer_dependency),
        (1, 1, true)
    );
    assert_eq!((l.tl0_pic_idx, d.header_len), (Some(1), 4));
    // FlexibleLayerIndicePictureID: no TL0PICIDX, the payload is 01 AA.
    let d = Vp9Descriptor::parse(&[0xB0, 0x02, 0x23, 0x01, 0xAA]).unwrap();
    assert_eq!((d.layer.unwrap().tl0_pic_idx, d.header_len), (None, 3));
    // NonFlexibleLayerIndicePictureID_ShortPacket0/1.
    for p in [&[0xA0, 0x02, 0x23][..], &[0xA0, 0x02]] {
        assert!(matches!(
            Vp9Descriptor::parse(p),
            Err(CodecError::Truncated(_))
        ));
    }
    // FlexiblePictureIDRefIndex: P_DIFFs 1 and 2.
    let d = Vp9Descriptor::parse(&[0xD0, 0x02, 0x03, 0x04, 0xAA]).unwrap();
    assert_eq!((d.p_diffs(), d.header_len), (&[1, 2][..], 4));
    // ..._TooManyPDiff.
    assert!(matches!(
        Vp9Descriptor::parse(&[0xD0, 0x02, 0x03, 0x05, 0x07, 0x09, 0x10, 0xAA]),
        Err(CodecError::Invalid(_))
    ));
    // ...NoPayload.
    assert_eq!(
        Vp9Descriptor::parse(&[0xD0, 0x02, 0x03, 0x04])
            .unwrap()
            .header_len,
        4
    );
    // ..._ShortPacket0/1/2: F=1, P=1 and no (or no last) P_DIFF.
    for p in [&[0xD0, 0x02, 0x03][..], &[0xD0, 0x02], &[0xD0]] {
        assert!(matches!(
            Vp9Descriptor::parse(p),
            Err(CodecError::Truncated(_))
        ));
    }
    // ScalabilityStructureResolutionsNoPayload: 2 spatial layers, 640x360, 1280x720.
    let d = Vp9Descriptor::parse(&[0x0A, 0x30, 0x02, 0x80, 0x01, 0x68, 0x05, 0x00, 0x02, 0xD0])
        .unwrap();
    assert_eq!(
        d.scalability,
        Some(ScalabilityStructure {
            spatial_layers: 2,
            resolutions: vec![(640, 360), (1280, 720)],
            picture_group: None,
        })
    );
    assert_eq!(d.header_len, 10);
    // ScalabilityStructureNoPayload: N_G=2, {T0 U}, {T2 R=1 P_DIFF 33}.
    let d = Vp9Descriptor::parse(&[0x0A, 0x28, 2, 0x10, 0x44, 33]).unwrap();
    assert_eq!(
        d.scalability.unwrap().picture_group,
        Some(vec![
            PictureGroupEntry {
                temporal_id: 0,
                switching_up: true,
                p_diffs: vec![]
            },
            PictureGroupEntry {
                temporal_id: 2,
                switching_up: false,
                p_diffs: vec![33]
            },
        ])
    );
    // ScalabilityMissingWidth ("200"): L, F, V; N_S=1, Y=1 and no widths.
    // (pion's other three "Scalability*" cases rely on pion reading the G
    // bit from bits 3-1 of the SS byte; by RFC 9628 §4.2.1 those inputs are
    // well-formed, so they are not copied here.)
    assert!(matches!(
        Vp9Descriptor::parse(b"200"),
        Err(CodecError::Truncated(_))
    ));
}

/// pion's VP9 payloader starts its picture IDs at
/// `rand.New(rand.NewSource(0)).Int31n(0x7FFF)`, which is 0x21f4.
const PION_PICTURE_ID: u16 = 0x21f4;

#[test]
fn vp9_payloader_matches_pion_byte_for_byte() {
    let key = [0x82, 0x49, 0x83, 0x42, 0x0, 0x77, 0xf0, 0x32, 0x34];
    /// Frame, MTU, payloads.
    type Case<'a> = (&'a [u8], usize, Vec<Vec<u8>>);
    let cases: [Case<'_>; 4] = [
        // non-flexible OnePacket key frame
        (
            &key,
            20,
            vec![vec![
                0x8f, 0xa1, 0xf4, 0x18, 0x07, 0x80, 0x03, 0x24, 0x01, 0x14, 0x01, 0x82, 0x49, 0x83,
                0x42, 0x00, 0x77, 0xf0, 0x32, 0x34,
            ]],
        ),
        // non-flexible TwoPackets key frame
        (
            &key,
            12,
            vec![
                vec![
                    0x8b, 0xa1, 0xf4, 0x18, 0x07, 0x80, 0x03, 0x24, 0x01, 0x14, 0x01, 0x82,
                ],
                vec![
                    0x85, 0xa1, 0xf4, 0x49, 0x83, 0x42, 0x00, 0x77, 0xf0, 0x32, 0x34,
                ],
            ],
        ),
        // non-flexible ThreePackets key frame
        (
            &[
                0x82, 0x49, 0x83, 0x42, 0x00, 0x77, 0xf0, 0x32, 0x34, 0x01, 0x02, 0x03, 0x04, 0x05,
                0x06, 0x07, 0x08,
            ],
            12,
            vec![
                vec![
                    0x8b, 0xa1, 0xf4, 0x18, 0x07, 0x80, 0x03, 0x24, 0x01, 0x14, 0x01, 0x82,
                ],
                vec![
                    0x81, 0xa1, 0xf4, 0x49, 0x83, 0x42, 0x00, 0x77, 0xf0, 0x32, 0x34, 0x01,
                ],
                vec![0x85, 0xa1, 0xf4, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08],
            ],
        ),
        // non-flexible OnePacket non key frame
        (
            &[0x86, 0x0, 0x40, 0x92, 0xe1, 0x31, 0x42, 0x8c, 0xc0, 0x40],
            20,
            vec![vec![
                0xcd, 0xa1, 0xf4, 0x86, 0x00, 0x40, 0x92, 0xe1, 0x31, 0x42, 0x8c, 0xc0, 0x40,
            ]],
        ),
    ];
    for (frame, mtu, expected) in cases {
        let mut p = Vp9Payloader::new(PION_PICTURE_ID, false);
        let mut out = Payloads::new();
        p.payload(frame, mtu, &mut out).unwrap();
        assert_eq!(out.to_vecs(), expected);
        // And back.
        let payloads: Vec<&[u8]> = expected.iter().map(Vec::as_slice).collect();
        let f = one_frame(&mut Vp9Depayloader::new(), None, &payloads);
        assert_eq!(f.data, frame);
        assert_eq!(f.keyframe, frame[0] == 0x82);
        assert_eq!(vp9::is_keyframe(payloads[0]), frame[0] == 0x82);
    }
    // non-flexible SmallMTU: nothing fits.
    let mut out = Payloads::new();
    assert!(matches!(
        Vp9Payloader::new(0, false).payload(&key, 1, &mut out),
        Err(CodecError::MaxPayloadTooSmall { .. })
    ));
    assert!(out.is_empty());
}

#[test]
fn vp9_flexible_packets_from_pion_depayload() {
    // pion's flexible mode sends I|F|B / I|F|E without P (our payloader
    // sends P=1 and a P_DIFF for inter frames); the frames come out.
    let f = one_frame(
        &mut Vp9Depayloader::new(),
        None,
        &[
            &[0x98, 0xa1, 0xf4, 0x01],
            &[0x90, 0xa1, 0xf4, 0x02],
            &[0x94, 0xa1, 0xf4, 0x03],
        ],
    );
    assert_eq!(f.data, [1, 2, 3]);
    assert!(matches!(
        f.info,
        FrameInfo::Vp9 {
            picture_id: Some(0x21f4),
            ..
        }
    ));
    // IsPartitionHead: B set, B clear.
    assert!(vp9::is_keyframe(&[0x18, 0x00, 0x00]));
    assert!(!vp9::is_keyframe(&[0x10, 0x00, 0x00]));
    assert!(!vp9::is_keyframe(&[]));
}

// ---------------------------------------------------------------- H.264

/// An access unit delimiter, to precede frames whose first packet is no
/// definite access unit start.
const AUD: &[u8] = &[0x09, 0xf0];

#[test]
fn h264_payloader_fu_a_matches_pion() {
    // TestH264Payloader_Payload, "Large Payload split across multiple RTP Packets".
    let large = [
        0x00, 0x00, 0x01, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x10, 0x11,
        0x12, 0x13, 0x14, 0x15,
    ];
    let packetized: Vec<Vec<u8>> = vec![
        vec![0x1c, 0x80, 0x01, 0x02, 0x03],
        vec![0x1c, 0x00, 0x04, 0x05, 0x06],
        vec![0x1c, 0x00, 0x07, 0x08, 0x09],
        vec![0x1c, 0x00, 0x10, 0x11, 0x12],
        vec![0x1c, 0x40, 0x13, 0x14, 0x15],
    ];
    let mut out = Payloads::new();
    H264Payloader::default()
        .payload(&large, 5, &mut out)
        .unwrap();
    assert_eq!(out.to_vecs(), packetized);
    // TestH264Packet_Unmarshal: they reassemble to the NAL unit after a
    // 4-byte start code.
    let payloads: Vec<&[u8]> = packetized.iter().map(Vec::as_slice).collect();
    let f = one_frame(&mut H264Depayloader::new(), Some(AUD), &payloads);
    let mut expected = vec![0, 0, 0, 1];
    expected.extend_from_slice(&large[3..]);
    assert_eq!(f.data, expected);
    // "Multiple NALU in a single payload" at 5 bytes: two single NAL units.
    H264Payloader::default()
        .payload(
            &[0x00, 0x00, 0x01, 0x90, 0x00, 0x00, 0x01, 0x90],
            5,
            &mut out,
        )
        .unwrap();
    assert_eq!(out.to_vecs(), [vec![0x90], vec![0x90]]);
    // "Positive MTU, small payload": no start code, one unit.
    H264Payloader::default()
        .payload(&[0x90, 0x90, 0x90], 5, &mut out)
        .unwrap();
    assert_eq!(out.to_vecs(), [vec![0x90, 0x90, 0x90]]);
    // Nil, empty, an empty NAL unit: nothing to send.
    for empty in [&[][..], &[0x00, 0x00, 0x01]] {
        assert_eq!(
            H264Payloader::default().payload(empty, 5, &mut out),
            Err(CodecError::EmptyFrame)
        );
    }
}

#[test]
fn h264_sps_pps_stap_a_against_pion() {
    // TestH264Payloader_Payload_SPS_and_PPS_handling: pion sends
    // {78 00 03 07 00 01 00 03 08 02 03}, {05 04 05}. We send the same
    // split at an 11-byte budget, except the STAP-A's NRI: pion always
    // writes 3 (0x78); RFC 6184 §5.7.1 says the highest NRI of the units,
    // 0 here (0x18).
    let au = [
        0, 0, 0, 1, 0x07, 0x00, 0x01, 0, 0, 0, 1, 0x08, 0x02, 0x03, 0, 0, 0, 1, 0x05, 0x04, 0x05,
    ];
    let mut out = Payloads::new();
    H264Payloader::default().payload(&au, 11, &mut out).unwrap();
    assert_eq!(
        out.to_vecs(),
        [
            vec![0x18, 0x00, 0x03, 0x07, 0x00, 0x01, 0x00, 0x03, 0x08, 0x02, 0x03],
            vec![0x05, 0x04, 0x05]
        ]
    );
    // pion's own packets depayload to the access unit, a keyframe.
    let f = one_frame(
        &mut H264Depayloader::new(),
        None,
        &[
            &[
                0x78, 0x00, 0x03, 0x07, 0x00, 0x01, 0x00, 0x03, 0x08, 0x02, 0x03,
            ],
            &[0x05, 0x04, 0x05],
        ],
    );
    assert_eq!(f.data, au);
    assert!(f.keyframe);
    assert_eq!(
        f.info,
        FrameInfo::H264 {
            idr: true,
            sps: true,
            pps: true
        }
    );
    assert!(h264::is_keyframe(&[0x78, 0x00, 0x03, 0x07, 0x00, 0x01]));
}

#[test]
fn h264_unmarshal_cases_from_pion() {
    // singlePayload → Annex-B.
    let f = one_frame(
        &mut H264Depayloader::new(),
        Some(AUD),
        &[&[0x90, 0x90, 0x90]],
    );
    assert_eq!(f.data, [0x00, 0x00, 0x00, 0x01, 0x90, 0x90, 0x90]);
    // singlePayloadMultiNALU: a STAP-A with a real SPS and PPS.
    let stap = [
        0x78, 0x00, 0x0f, 0x67, 0x42, 0xc0, 0x1f, 0x1a, 0x32, 0x35, 0x01, 0x40, 0x7a, 0x40, 0x3c,
        0x22, 0x11, 0xa8, 0x00, 0x05, 0x68, 0x1a, 0x34, 0xe3, 0xc8,
    ];
    let f = one_frame(&mut H264Depayloader::new(), None, &[&stap]);
    assert_eq!(
        f.data,
        [
            0x00, 0x00, 0x00, 0x01, 0x67, 0x42, 0xc0, 0x1f, 0x1a, 0x32, 0x35, 0x01, 0x40, 0x7a,
            0x40, 0x3c, 0x22, 0x11, 0xa8, 0x00, 0x00, 0x00, 0x01, 0x68, 0x1a, 0x34, 0xe3, 0xc8
        ]
    );
    assert!(!f.keyframe); // no IDR slice
    assert!(h264::is_keyframe(&stap)); // but an SPS starts it
                                       // incompleteSinglePayloadMultiNALU: the SPS runs past the end.
    let incomplete = [
        0x78, 0x00, 0x0f, 0x67, 0x42, 0xc0, 0x1f, 0x1a, 0x32, 0x35, 0x01, 0x40, 0x7a, 0x40, 0x3c,
        0x22, 0x11,
    ];
    assert!(matches!(
        depay(&mut H264Depayloader::new(), None, &[&incomplete]),
        Err(CodecError::Truncated(_))
    ));
    // Nil; too small; NAL type 31 ("a NALU Type we don't handle").
    for bad in [&[][..], &[0x00, 0x00], &[0xFF, 0x00, 0x00]] {
        assert!(depay(&mut H264Depayloader::new(), None, &[bad]).is_err());
    }
}

#[test]
fn h264_depacketizer_cases_from_libwebrtc() {
    // StapAKey: SPS, PPS, IDR in a STAP-A with F=0 NRI=0.
    let stap = [
        24, 0x00, 0x18, 7, 0x7A, 0x00, 0x1F, 0xBC, 0xD9, 0x40, 0x50, 0x05, 0xBA, 0x10, 0x00, 0x00,
        0x03, 0x00, 0xC0, 0x00, 0x00, 0x03, 0x2A, 0xE0, 0xF1, 0x83, 0x25, 0x00, 0xD, 8, 0x69, 0xFC,
        0x0, 0x0, 0x3, 0x0, 0x7, 0xFF, 0xFF, 0xFF, 0xF6, 0x40, 0x00, 0xB, 5, 0x85, 0xB8, 0x0, 0x4,
        0x0, 0x0, 0x13, 0x93, 0x12, 0x0,
    ];
    let f = one_frame(&mut H264Depayloader::new(), None, &[&stap]);
    let mut expected = Vec::new();
    for (start, len) in [
        (5, 0x18),
        (5 + 0x18 + 2, 0xd),
        (5 + 0x18 + 2 + 0xd + 2, 0xb),
    ] {
        expected.extend_from_slice(&[0, 0, 0, 1]);
        expected.extend_from_slice(&stap[start - 2..start - 2 + len]);
    }
    assert_eq!(f.data, expected);
    assert!(f.keyframe);
    assert!(h264::is_keyframe(&stap));
    // FuA: an IDR slice in three fragments.
    let f = one_frame(
        &mut H264Depayloader::new(),
        Some(AUD),
        &[
            &[
                28,
                0x80 | 5,
                0x85,
                0xB8,
                0x00,
                0x04,
                0x00,
                0x00,
                0x13,
                0x93,
                0x12,
                0x00,
            ],
            &[28, 5, 0x02],
            &[28, 0x40 | 5, 0x03],
        ],
    );
    assert_eq!(
        f.data,
        [0, 0, 0, 1, 5, 0x85, 0xB8, 0x00, 0x04, 0x00, 0x00, 0x13, 0x93, 0x12, 0x00, 0x02, 0x03]
    );
    assert!(f.keyframe);
    assert!(h264::is_keyframe(&[28, 0x80 | 5, 0x85]));
    assert!(!h264::is_keyframe(&[28, 5, 0x02]));
    // EmptyStapARejected: lone, leading, middle and trailing empty units.
    for bad in [
        &[24, 0x00, 0x00][..],
        &[24, 0x00, 0x00, 0x00, 0x04, 5, 0xFF, 0x00, 0x11],
        &[
            24, 0x00, 0x03, 5, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x04, 5, 0xFF, 0x00, 0x11,
        ],
        &[24, 0x00, 0x03, 5, 0xFF, 0x00, 0x00, 0x00],
    ] {
        assert_eq!(
            depay(&mut H264Depayloader::new(), Some(AUD), &[bad]).unwrap_err(),
            CodecError::Invalid("empty NAL unit in STAP-A"),
            "{bad:02x?}"
        );
    }
    // EmptyPayload, TruncatedFuaNalu, TruncatedSingleStapANalu,
    // StapAPacketWithTruncatedNalUnits.
    assert_eq!(
        depay(&mut H264Depayloader::new(), None, &[&[]]).unwrap_err(),
        CodecError::EmptyPayload
    );
    for bad in [&[0x9c][..], &[0xd8, 0x27], &[0x58, 0xCB, 0xED, 0xDF]] {
        assert!(matches!(
            depay(&mut H264Depayloader::new(), Some(AUD), &[bad]),
            Err(CodecError::Truncated(_))
        ));
    }
}

// ---------------------------------------------------------------- AV1

/// A complete temporal unit to precede frames whose first packet has
/// neither N nor a definite start: one frame OBU.
const AV1_PREVIOUS: &[u8] = &[0x10, 0x30, 0x00];

#[test]
fn av1_real_first_packet_from_pion() {
    let text = include_str!("data/codec/pion_av1_first_packet.hex");
    let payload: Vec<u8> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(str::split_whitespace)
        .map(|h| u8::from_str_radix(h, 16).unwrap())
        .collect();
    assert_eq!(payload.len(), 1180);
    // TestAV1_Unmarshal: Z=0, Y=1, W=2, N=1, elements [2..14] and [14..].
    let (h, elements) = av1::parse_payload(&payload).unwrap();
    assert_eq!(
        (
            h.continuation,
            h.will_continue,
            h.element_count,
            h.new_coded_video_sequence
        ),
        (false, true, 2, true)
    );
    let elements: Vec<&[u8]> = elements.map(Result::unwrap).collect();
    assert_eq!(elements, [&payload[2..14], &payload[14..]]);
    assert!(av1::is_keyframe(&payload));
    // Without the N bit, the sequence header followed by a key frame's
    // header (frame_type 0) still says keyframe.
    let mut without_n = payload.clone();
    without_n[0] &= !0x08;
    assert!(av1::is_keyframe(&without_n));
    // Y=1 on the marker packet: the frame OBU never ends; dropped.
    let mut d = Av1Depayloader::new();
    assert!(depay(&mut d, None, &[&payload]).unwrap().is_empty());
    assert_eq!(d.stats().dropped_frames, 1);
}

#[test]
fn av1_unmarshal_errors_from_pion() {
    // Z and N together; a LEB128 that runs off the end; an element
    // longer than the packet.
    assert!(matches!(
        av1::parse_payload(&[0b1000_1000, 0x00]),
        Err(CodecError::Invalid(_))
    ));
    let errors = |p: &[u8]| av1::parse_payload(p).unwrap().1.find_map(Result::err);
    assert_eq!(
        errors(&[0b1000_0000, 0xFF, 0xFF]),
        Some(CodecError::Truncated("LEB128"))
    );
    assert_eq!(
        errors(&[0b1000_0000, 0xFF, 0x0F, 0x00, 0x00]),
        Some(CodecError::Truncated("AV1 OBU element"))
    );
    assert!(av1::parse_payload(&[]).is_err());
}

#[test]
fn av1_assembly_cases_from_libwebrtc() {
    type Case = (&'static str, &'static [&'static [u8]], &'static [u8]);
    let cases: &[Case] = &[
        (
            "AssembleFrameSetsOBUPayloadSizeWhenAbsent",
            &[&[0b00_01_0000, 0b0_0110_000, 20, 30, 40]],
            &[0b0_0110_010, 3, 20, 30, 40],
        ),
        (
            "AssembleFrameSetsOBUPayloadSizeWhenPresent",
            &[&[0b00_01_0000, 0b0_0110_010, 3, 20, 30, 40]],
            &[0b0_0110_010, 3, 20, 30, 40],
        ),
        (
            "AssembleFrameSetsOBUPayloadSizeAfterExtensionWhenAbsent",
            &[&[0b00_01_0000, 0b0_0110_100, 0b010_01_000, 20, 30, 40]],
            &[0b0_0110_110, 0b010_01_000, 3, 20, 30, 40],
        ),
        (
            "AssembleFrameSetsOBUPayloadSizeAfterExtensionWhenPresent",
            &[&[0b00_01_0000, 0b0_0110_110, 0b010_01_000, 3, 20, 30, 40]],
            &[0b0_0110_110, 0b010_01_000, 3, 20, 30, 40],
        ),
        (
            "AssembleFrameFromOnePacketWithOneObu",
            &[&[0b00_01_0000, 0b0_0110_000, 20]],
            &[0b0_0110_010, 1, 20],
        ),
        (
            "AssembleFrameFromOnePacketWithTwoObus",
            &[&[0b00_10_0000, 2, 0b0_0001_000, 10, 0b0_0110_000, 20]],
            &[0b0_0001_010, 1, 10, 0b0_0110_010, 1, 20],
        ),
        (
            "AssembleFrameFromTwoPacketsWithOneObu",
            &[&[0b01_01_0000, 0b0_0110_000, 20, 30], &[0b10_01_0000, 40]],
            &[0b0_0110_010, 3, 20, 30, 40],
        ),
        (
            "AssembleFrameFromTwoPacketsWithTwoObu",
            &[
                &[0b01_10_0000, 2, 0b0_0001_000, 10, 0b0_0110_000, 20, 30],
                &[0b10_01_0000, 40],
            ],
            &[0b0_0001_010, 1, 10, 0b0_0110_010, 3, 20, 30, 40],
        ),
        (
            "AssembleFrameFromTwoPacketsWithManyObusSomeWithExtensions",
            &[
                &[
                    0b01_00_0000,
                    2,
                    0b0_0001_000,
                    10,
                    2,
                    0b0_0101_000,
                    20,
                    4,
                    0b0_0101_100,
                    0b001_10_000,
                    20,
                    30,
                    5,
                    0b0_0110_100,
                    0b001_10_000,
                    40,
                    50,
                    60,
                ],
                &[0b10_01_0000, 70, 80, 90],
            ],
            &[
                0b0_0001_010,
                1,
                10,
                0b0_0101_010,
                1,
                20,
                0b0_0101_110,
                0b001_10_000,
                2,
                20,
                30,
                0b0_0110_110,
                0b001_10_000,
                6,
                40,
                50,
                60,
                70,
                80,
                90,
            ],
        ),
        (
            "AssembleFrameWithOneObuFromManyPackets",
            &[
                &[0b01_01_0000, 0b0_0110_000, 11, 12],
                &[0b11_01_0000, 13, 14],
                &[0b11_01_0000, 15, 16, 17],
                &[0b10_01_0000, 18],
            ],
            &[0b0_0110_010, 8, 11, 12, 13, 14, 15, 16, 17, 18],
        ),
        (
            "AssembleFrameFromManyPacketsWithSomeObuBorderAligned",
            &[
                &[
                    0b01_10_0000,
                    3,
                    0b0_0011_000,
                    11,
                    12,
                    0b0_0100_000,
                    21,
                    22,
                    23,
                ],
                &[0b10_01_0000, 24, 25, 26, 27],
                &[0b01_10_0000, 3, 0b0_0111_000, 11, 12, 0b0_0100_000, 31, 32],
                &[0b10_01_0000, 33, 34, 35, 36],
            ],
            &[
                0b0_0011_010,
                2,
                11,
                12,
                0b0_0100_010,
                7,
                21,
                22,
                23,
                24,
                25,
                26,
                27,
                0b0_0111_010,
                2,
                11,
                12,
                0b0_0100_010,
                6,
                31,
                32,
                33,
                34,
                35,
                36,
            ],
        ),
        (
            "AssembleFrameFromAlmostEmptyPacketStartingAnOBU",
            &[&[0b01_01_0000], &[0b10_01_0000, 0b0_0110_000, 10, 20, 30]],
            &[0b0_0110_010, 3, 10, 20, 30],
        ),
        (
            "AssembleFrameFromAlmostEmptyPacketFinishingAnOBU",
            &[&[0b01_01_0000, 0b0_0110_000, 10, 20, 30], &[0b10_01_0000]],
            &[0b0_0110_010, 3, 10, 20, 30],
        ),
        (
            "AssembleMinimumFrame (rtp_depacketizer_av1_unittest.cc)",
            &[&[0b00_01_0000, 0b0_0110_000]],
            &[0b0_0110_010, 0],
        ),
    ];
    for (name, payloads, expected) in cases {
        let f = one_frame(&mut Av1Depayloader::new(), Some(AV1_PREVIOUS), payloads);
        assert_eq!(f.data, *expected, "{name}");
    }

    // AssembleFrameFromOnePacketsOneObuPayloadSize127Bytes.
    let mut p = vec![0u8; 4 + 127];
    p[1] = 0x80;
    p[2] = 0x01;
    p[3] = 0b0_0110_000;
    p[4 + 42] = 0x42;
    let f = one_frame(&mut Av1Depayloader::new(), Some(AV1_PREVIOUS), &[&p]);
    assert_eq!(
        (f.data.len(), f.data[0], f.data[1], f.data[2 + 42]),
        (2 + 127, 0b0_0110_010, 127, 0x42)
    );
    // AssembleFrameFromTwoPacketsOneObuPayloadSize128Bytes.
    let mut p1 = vec![0u8; 3 + 32];
    p1[0] = 0b01_00_0000;
    p1[1] = 33;
    p1[2] = 0b0_0110_000;
    p1[3 + 10] = 0x10;
    let mut p2 = vec![0u8; 2 + 96];
    p2[0] = 0b10_00_0000;
    p2[1] = 96;
    p2[2 + 20] = 0x20;
    let f = one_frame(&mut Av1Depayloader::new(), Some(AV1_PREVIOUS), &[&p1, &p2]);
    assert_eq!(f.data.len(), 3 + 128);
    assert_eq!(f.data[..3], [0b0_0110_010, 0x80, 0x01]);
    assert_eq!((f.data[3 + 10], f.data[3 + 32 + 20]), (0x10, 0x20));

    // ParseUsesNewCodedVideoSequenceBitAsKeyFrameIndidcator and its
    // opposite; ParseRejectsPacketWithNewCVSAndContinuationFlagsBothSet.
    assert!(av1::is_keyframe(&[
        0b0000_1000 | 0b00_01_0000,
        0b0_0001_000
    ]));
    assert!(!av1::is_keyframe(&[0b00_01_0000, 0b0_0001_000]));
    assert_eq!(
        depay(
            &mut Av1Depayloader::new(),
            None,
            &[&[0b1000_1000 | 0b00_01_0000, 0b0_0001_000]]
        )
        .unwrap_err(),
        CodecError::Invalid("AV1 packet with both Z and N")
    );
}

/// GStreamer's rtpav1.c: the OBUs (with size fields) and the RTP packets
/// rtpav1pay made of them.
const GST_SEQ_HDR: [u8; 13] = [
    0x0a, 0x0b, 0x00, 0x00, 0x00, 0x03, 0x37, 0xff, 0xfc, 0x0f, 0xff, 0x98, 0x04,
];
const GST_FRAME: [u8; 32] = [
    0x32, 0x1e, 0x10, 0x00, 0x00, 0x03, 0x00, 0x00, 0xe4, 0xef, 0xbc, 0xf2, 0x51, 0xd8, 0x9f, 0x75,
    0x6a, 0xd0, 0xde, 0x30, 0xae, 0x3e, 0x50, 0xc9, 0xf0, 0xce, 0x0a, 0xd2, 0x04, 0x66, 0x81, 0xf0,
];
const GST_RTP_SEQ_HDR: &[u8] = &[
    0x80, 0x60, 0x5c, 0x20, 0xc6, 0x79, 0xec, 0xe6, 0x3b, 0xa8, 0x21, 0x89, 0x18, 0x0a, 0x0b, 0x00,
    0x00, 0x00, 0x03, 0x37, 0xff, 0xfc, 0x0f, 0xff, 0x98, 0x04,
];
const GST_RTP_FRAME: &[u8] = &[
    0x80, 0xe0, 0x5c, 0x21, 0xc6, 0x79, 0xec, 0xe6, 0x3b, 0xa8, 0x21, 0x89, 0x10, 0x32, 0x1e, 0x10,
    0x00, 0x00, 0x03, 0x00, 0x00, 0xe4, 0xef, 0xbc, 0xf2, 0x51, 0xd8, 0x9f, 0x75, 0x6a, 0xd0, 0xde,
    0x30, 0xae, 0x3e, 0x50, 0xc9, 0xf0, 0xce, 0x0a, 0xd2, 0x04, 0x66, 0x81, 0xf0,
];
const GST_RTP_AGG_TU: &[u8] = &[
    0x80, 0xe0, 0x71, 0xc7, 0x3e, 0x1a, 0x1c, 0x31, 0xfe, 0x66, 0x46, 0xe6, 0x28, 0x0d, 0x0a, 0x0b,
    0x00, 0x00, 0x00, 0x03, 0x37, 0xff, 0xfc, 0x0f, 0xff, 0x98, 0x04, 0x32, 0x1e, 0x10, 0x00, 0x00,
    0x03, 0x00, 0x00, 0xe4, 0xef, 0xbc, 0xf2, 0x51, 0xd8, 0x9f, 0x75, 0x6a, 0xd0, 0xde, 0x30, 0xae,
    0x3e, 0x50, 0xc9, 0xf0, 0xce, 0x0a, 0xd2, 0x04, 0x66, 0x81, 0xf0,
];
const GST_RTP_FRAG: [&[u8]; 3] = [
    &[
        0x80, 0x60, 0x32, 0x88, 0x55, 0x6c, 0x38, 0x9f, 0x62, 0x5c, 0xc5, 0x04, 0x68, 0x0d, 0x0a,
        0x0b, 0x00, 0x00, 0x00, 0x03, 0x37, 0xff, 0xfc, 0x0f, 0xff, 0x98, 0x04, 0x32, 0x1e, 0x10,
        0x00,
    ],
    &[
        0x80, 0x60, 0x32, 0x89, 0x55, 0x6c, 0x38, 0x9f, 0x62, 0x5c, 0xc5, 0x04, 0xd0, 0x00, 0x03,
        0x00, 0x00, 0xe4, 0xef, 0xbc, 0xf2, 0x51, 0xd8, 0x9f, 0x75, 0x6a, 0xd0, 0xde, 0x30, 0xae,
        0x3e,
    ],
    &[
        0x80, 0xe0, 0x32, 0x8a, 0x55, 0x6c, 0x38, 0x9f, 0x62, 0x5c, 0xc5, 0x04, 0x90, 0x50, 0xc9,
        0xf0, 0xce, 0x0a, 0xd2, 0x04, 0x66, 0x81, 0xf0,
    ],
];
const GST_RTP_TEMP_DELIM: &[u8] = &[
    0x80, 0x60, 0x36, 0x42, 0x52, 0xdb, 0xb0, 0xa2, 0xba, 0x6b, 0x23, 0x0c, 0x18, 0x12, 0x00,
];

fn depay_rtp(packets: &[&[u8]]) -> Vec<Frame> {
    let mut d = Av1Depayloader::new();
    let mut out = Vec::new();
    for p in packets {
        let h = RtpHeader::parse(p).unwrap();
        d.push(Packet::from(&h), &mut out).unwrap();
    }
    out
}

#[test]
fn av1_rtp_packets_from_gstreamer() {
    let mut tu = GST_SEQ_HDR.to_vec();
    tu.extend_from_slice(&GST_FRAME);
    // test_rtpav1depay_agg_none: the sequence header and the frame in two
    // packets of one timestamp; we emit the temporal unit at the marker.
    for packets in [
        &[GST_RTP_SEQ_HDR, GST_RTP_FRAME][..],
        &[GST_RTP_AGG_TU],
        &GST_RTP_FRAG,
    ] {
        let frames = depay_rtp(packets);
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].data, tu);
        assert!(frames[0].keyframe);
        assert_eq!(
            frames[0].info,
            FrameInfo::Av1 {
                new_coded_video_sequence: true,
                sequence_header: true
            }
        );
    }
    // test_rtpav1depay_ignored: a lone temporal delimiter gives nothing.
    assert!(depay_rtp(&[GST_RTP_TEMP_DELIM]).is_empty());
    // Every first packet is a keyframe start.
    for p in [GST_RTP_SEQ_HDR, GST_RTP_AGG_TU, GST_RTP_FRAG[0]] {
        assert!(av1::is_keyframe(RtpHeader::parse(p).unwrap().payload()));
    }
}

#[test]
fn av1_payloader_on_gstreamer_obus() {
    // A temporal delimiter, the sequence header, the frame: one packet of
    // two elements (W=2, N=1), the delimiter dropped, size fields removed;
    // it depayloads back to the OBUs with size fields.
    let mut tu = vec![0x12, 0x00];
    tu.extend_from_slice(&GST_SEQ_HDR);
    tu.extend_from_slice(&GST_FRAME);
    let mut out = Payloads::new();
    sansrtc_rtp::codec::Av1Payloader::default()
        .payload(&tu, 1200, &mut out)
        .unwrap();
    let mut expected = vec![0x28, 12, 0x08];
    expected.extend_from_slice(&GST_SEQ_HDR[2..]);
    expected.push(0x30);
    expected.extend_from_slice(&GST_FRAME[2..]);
    assert_eq!(out.to_vecs(), [expected]);
    let f = one_frame(&mut Av1Depayloader::new(), None, &[out.get(0).unwrap()]);
    assert_eq!(f.data, tu[2..]);
    // A lone temporal delimiter: nothing to send (GStreamer's
    // test_rtpav1pay_ignored).
    assert_eq!(
        sansrtc_rtp::codec::Av1Payloader::default().payload(&[0x12, 0x00], 30, &mut out),
        Err(CodecError::EmptyFrame)
    );
}
