//! Bad input: empty payloads, truncated descriptors, broken fragments,
//! hostile lengths, oversized frames, payload budgets too small. Nothing
//! panics, nothing corrupt comes out, the statistics say why.

use sansrtc_rtp::codec::{
    av1, h264, vp8, vp9, Av1Payloader, Codec, CodecError, DepayConfig, Depayloader, Frame,
    H264Payloader, Packet, PacketizationMode, Payloader, Payloads,
};

fn push_all(d: &mut dyn Depayloader, packets: &[(&[u8], bool)]) -> (Vec<Frame>, Vec<CodecError>) {
    let mut frames = Vec::new();
    let mut errors = Vec::new();
    for (i, (p, marker)) in packets.iter().enumerate() {
        if let Err(e) = d.push(Packet::new(p, i as u16, 0, *marker), &mut frames) {
            errors.push(e);
        }
    }
    (frames, errors)
}

fn depayloader(codec: Codec) -> Box<dyn Depayloader + Send> {
    codec.depayloader(DepayConfig::default())
}

#[test]
fn empty_payloads_are_malformed_for_every_codec() {
    for codec in Codec::ALL {
        let mut d = depayloader(codec);
        let (frames, errors) = push_all(d.as_mut(), &[(&[], true)]);
        assert!(frames.is_empty());
        assert_eq!(errors, [CodecError::EmptyPayload], "{codec:?}");
        assert_eq!(d.stats().malformed_packets, 1);
        assert!(!codec.is_video() || !codec.is_keyframe(&[]));
    }
}

#[test]
fn truncated_descriptors() {
    let cases: &[(Codec, &[u8])] = &[
        // VP8: X set, no extension byte; I set, no PictureID; M set, one byte.
        (Codec::Vp8, &[0x90]),
        (Codec::Vp8, &[0x90, 0x80]),
        (Codec::Vp8, &[0x90, 0x80, 0x81]),
        (Codec::Vp8, &[0x90, 0x40]),
        // VP9: I set, no picture ID; F=1 P=1 and no P_DIFF; L and no layer
        // byte; non-flexible L and no TL0PICIDX; V and no SS; SS with
        // resolutions missing; SS with N_G and no group.
        (Codec::Vp9, &[0x88]),
        (Codec::Vp9, &[0xd8, 0x01]),
        (Codec::Vp9, &[0x28]),
        (Codec::Vp9, &[0x28, 0x00]),
        (Codec::Vp9, &[0x0a]),
        (Codec::Vp9, &[0x0a, 0x10, 0x01]),
        (Codec::Vp9, &[0x0a, 0x08, 0x02, 0x04]),
        // H.264: FU-A of 1 byte; STAP-A with a NAL size running past the end;
        // STAP-A with half a size.
        (Codec::H264, &[0x7c]),
        (Codec::H264, &[0x78, 0x00, 0x09, 0x67, 0x42]),
        (Codec::H264, &[0x78, 0x00, 0x02, 0x67, 0x42, 0x00]),
        // AV1: a LEB128 that never ends; an element past the end; an OBU
        // extension flag without the extension byte.
        (Codec::Av1, &[0x00, 0x80, 0x80, 0x80]),
        (Codec::Av1, &[0x00, 0x05, 0x30]),
        (Codec::Av1, &[0x10, 0x34]),
    ];
    for (codec, p) in cases {
        let mut d = depayloader(*codec);
        let (frames, errors) = push_all(d.as_mut(), &[(p, true)]);
        assert!(frames.is_empty(), "{codec:?} {p:02x?}");
        assert!(
            matches!(errors[..], [CodecError::Truncated(_)]),
            "{codec:?} {p:02x?}: {errors:?}"
        );
        assert!(!codec.is_keyframe(p), "{codec:?} {p:02x?}");
    }
}

#[test]
fn hostile_leb128() {
    // Nine bytes; a value of 2^32 or more.
    for p in [
        &[
            0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x30,
        ][..],
        &[0x00, 0x80, 0x80, 0x80, 0x80, 0x10, 0x30],
    ] {
        let mut d = depayloader(Codec::Av1);
        let (frames, errors) = push_all(d.as_mut(), &[(p, true)]);
        assert!(frames.is_empty());
        assert!(matches!(errors[..], [CodecError::Invalid(_)]), "{errors:?}");
    }
    // An OBU's own obu_size running past its element.
    let mut d = depayloader(Codec::Av1);
    let (frames, errors) = push_all(d.as_mut(), &[(&[0x18, 0x32, 0x09, 1, 2], true)]);
    assert!(frames.is_empty());
    assert!(matches!(errors[..], [CodecError::Truncated(_)]));
    // The forbidden bit.
    let (_, errors) = push_all(
        depayloader(Codec::Av1).as_mut(),
        &[(&[0x18, 0xb0, 1], true)],
    );
    assert_eq!(errors, [CodecError::Invalid("OBU forbidden bit set")]);
}

#[test]
fn broken_fragments_drop_the_frame() {
    type Case = (Codec, &'static [(&'static [u8], bool)]);
    let cases: &[Case] = &[
        // H.264: FU-A continuation without start; a start before the end;
        // both S and E; a single NAL unit inside an FU-A; the marker inside
        // an FU-A.
        (
            Codec::H264,
            &[
                (&[0x09, 0xf0], true),
                (&[0x7c, 0x05, 1], false),
                (&[0x7c, 0x45, 2], true),
            ],
        ),
        (
            Codec::H264,
            &[
                (&[0x7c, 0x85, 1], false),
                (&[0x7c, 0x85, 2], false),
                (&[0x7c, 0x45, 3], true),
            ],
        ),
        (Codec::H264, &[(&[0x7c, 0xc5, 1], true)]),
        (
            Codec::H264,
            &[
                (&[0x7c, 0x85, 1], false),
                (&[0x61, 0x88], false),
                (&[0x7c, 0x45, 3], true),
            ],
        ),
        (
            Codec::H264,
            &[(&[0x7c, 0x85, 1], false), (&[0x7c, 0x05, 2], true)],
        ),
        // H.264 mode 2 types.
        (Codec::H264, &[(&[0x19, 0, 0], true)]),
        (Codec::H264, &[(&[0x1a, 0, 0], true)]),
        (Codec::H264, &[(&[0x1d, 0x85, 0], true)]),
        // AV1: Y then Z=0; Z without a fragment before; the marker on Y=1.
        (
            Codec::Av1,
            &[(&[0x58, 0x30, 1], false), (&[0x10, 0x30, 2], true)],
        ),
        (Codec::Av1, &[(&[0x18, 0x30, 1], false), (&[0x90, 2], true)]),
        (Codec::Av1, &[(&[0x58, 0x30, 1], true)]),
        // AV1: Y without any element.
        (Codec::Av1, &[(&[0x48], true)]),
    ];
    for (codec, packets) in cases {
        let mut d = depayloader(*codec);
        let (frames, _) = push_all(d.as_mut(), packets);
        let emitted: Vec<_> = frames
            .iter()
            .filter(|f| f.timestamp == 0 && f.data.len() > 6)
            .collect();
        assert!(emitted.is_empty(), "{codec:?} {packets:02x?}: {frames:?}");
        assert!(d.stats().dropped_frames >= 1, "{codec:?} {packets:02x?}");
    }
}

#[test]
fn oversized_frames_are_dropped_and_memory_stays_bounded() {
    let config = DepayConfig {
        max_frame_size: 1000,
    };
    for codec in Codec::ALL {
        let mut d = codec.depayloader(config);
        let mut p = codec.payloader();
        let frame: Vec<u8> = match codec {
            Codec::H264 => [&[0, 0, 0, 1, 0x65, 0x88][..], &[0x42; 3000]].concat(),
            Codec::Av1 => {
                // A sequence header (GStreamer's rtpav1.c), then a key
                // frame OBU of 3000 bytes: N=1 on the first packet.
                let mut f = vec![
                    0x0a, 0x0b, 0x00, 0x00, 0x00, 0x03, 0x37, 0xff, 0xfc, 0x0f, 0xff, 0x98, 0x04,
                ];
                f.extend_from_slice(&[0x32, 0xb8, 0x17, 0x10]);
                f.extend(std::iter::repeat(0x42).take(2999));
                f
            }
            _ => vec![0x42; 3000],
        };
        let budget = if codec == Codec::Opus { 4000 } else { 200 };
        let mut out = Payloads::new();
        p.payload(&frame, budget, &mut out).unwrap();
        let mut frames = Vec::new();
        let mut errors = Vec::new();
        let mut seq = 0u16;
        for (i, payload) in out.iter().enumerate() {
            let marker = i + 1 == out.len();
            if let Err(e) = d.push(Packet::new(payload, seq, 0, marker), &mut frames) {
                errors.push(e);
            }
            seq += 1;
        }
        assert!(frames.is_empty(), "{codec:?}");
        assert!(
            matches!(errors[..], [CodecError::FrameTooLarge { max: 1000, .. }]),
            "{codec:?}: {errors:?}"
        );
        let s = d.stats();
        assert_eq!((s.oversized_frames, s.dropped_frames), (1, 1), "{codec:?}");
        // The next frame that fits comes out.
        let small: &[u8] = match codec {
            Codec::H264 => &[0, 0, 0, 1, 0x65, 0x88, 1],
            Codec::Av1 => &[0x32, 0x02, 0x10, 0x00],
            _ => &[0x10, 1, 2],
        };
        p.payload(small, 200, &mut out).unwrap();
        for (i, payload) in out.iter().enumerate() {
            d.push(
                Packet::new(payload, seq, 90, i + 1 == out.len()),
                &mut frames,
            )
            .unwrap();
            seq += 1;
        }
        assert_eq!(frames.len(), 1, "{codec:?}");
    }
}

#[test]
fn payloader_errors() {
    let mut out = Payloads::new();
    for codec in Codec::ALL {
        let mut p = codec.payloader();
        assert_eq!(
            p.payload(&[], 1200, &mut out),
            Err(CodecError::EmptyFrame),
            "{codec:?}"
        );
        assert!(out.is_empty());
    }
    // Opus cannot fragment.
    assert_eq!(
        Codec::Opus.payloader().payload(&[1; 100], 99, &mut out),
        Err(CodecError::FrameTooLarge { size: 100, max: 99 })
    );
    // Budgets with no room for media.
    for (codec, max) in [
        (Codec::Vp8, 4),
        (Codec::Vp9, 3),
        (Codec::H264, 2),
        (Codec::Av1, 2),
    ] {
        let frame: &[u8] = match codec {
            Codec::Av1 => &[0x32, 0x03, 0x10, 1, 2],
            _ => &[0x41, 0x88, 1, 2, 3],
        };
        assert!(
            matches!(
                codec.payloader().payload(frame, max, &mut out),
                Err(CodecError::MaxPayloadTooSmall { .. })
            ),
            "{codec:?}"
        );
        assert!(out.is_empty());
    }
    // H.264 mode 0: a NAL unit larger than the budget.
    assert_eq!(
        H264Payloader::new(PacketizationMode::SingleNalUnit).payload(&[0x65; 50], 20, &mut out),
        Err(CodecError::FrameTooLarge { size: 50, max: 20 })
    );
    // AV1: an obu_size past the end; a lone temporal delimiter.
    assert!(matches!(
        Av1Payloader::default().payload(&[0x32, 0x09, 1], 100, &mut out),
        Err(CodecError::Truncated(_))
    ));
    assert_eq!(
        Av1Payloader::default().payload(&[0x12, 0x00], 100, &mut out),
        Err(CodecError::EmptyFrame)
    );
}

#[test]
fn keyframe_detectors_refuse_garbage_and_non_first_packets() {
    // Not the first packet of a frame.
    assert!(!vp8::is_keyframe(&[0x00, 0x00, 0x9d]));
    assert!(!vp8::is_keyframe(&[0x11, 0x00])); // PID 1
    assert!(!vp8::is_keyframe(&[0x10])); // no payload
    assert!(!vp9::is_keyframe(&[0x80 | 0x04, 0x01, 0x82])); // B=0
    assert!(!vp9::is_keyframe(&[0xc8, 0x01, 0x82])); // P=1
    assert!(!vp9::is_keyframe(&[0xa8, 0x01, 0x02, 0x00])); // spatial layer 1
    assert!(!h264::is_keyframe(&[0x7c, 0x05, 0x00])); // FU-A continuation
    assert!(!h264::is_keyframe(&[0x41, 0x88])); // non-IDR slice
    assert!(!av1::is_keyframe(&[0x90, 0x0a])); // Z=1
    assert!(!av1::is_keyframe(&[0x10, 0x32, 0x00, 0x10])); // key frame, no sequence header
                                                           // A VP9 inter frame behind P=0 (no layers): the header wins.
    assert!(!vp9::is_keyframe(&[0x8c, 0x01, 0x86, 0x00]));
}

#[test]
fn depayloaders_survive_garbage() {
    // Every payload of up to 3 bytes, then a few longer patterns, with
    // and without marker: no panic, frames within the maximum.
    let config = DepayConfig { max_frame_size: 64 };
    for codec in Codec::ALL {
        let mut d = codec.depayloader(config);
        let mut frames = Vec::new();
        let mut seq = 0u16;
        for a in 0..=255u8 {
            for b in [0u8, 0x01, 0x7f, 0x80, 0xc5, 0xff] {
                for p in [
                    &[a][..],
                    &[a, b],
                    &[a, b, a],
                    &[a, b, b, a, 0x80, 0x80, 0x80],
                ] {
                    seq = seq.wrapping_add(1 + u16::from(a % 3 == 0));
                    let _ = d.push(Packet::new(p, seq, u32::from(b), a % 2 == 0), &mut frames);
                }
            }
        }
        assert!(frames.iter().all(|f| f.data.len() <= 64), "{codec:?}");
        assert_eq!(d.stats().frames, frames.len() as u64);
        let _ = codec.is_keyframe(&[0xff; 16]);
    }
}

#[test]
fn h264_payloader_refuses_packetization_types_in_the_stream() {
    let mut out = Payloads::new();
    for t in 24..=31u8 {
        assert!(matches!(
            H264Payloader::default().payload(
                &[0, 0, 1, 0x41, 1, 0, 0, 1, 0x60 | t, 2],
                1200,
                &mut out
            ),
            Err(CodecError::Invalid(_))
        ));
        assert!(out.is_empty());
    }
}
