//! Payloader → depayloader round trips for every codec, at small and
//! large payload budgets and frame sizes, and the loss rules: a frame that
//! lost a packet is not emitted, the next keyframe is.

use sansrtc_rtp::codec::{
    vp9, Av1Depayloader, Av1Payloader, Codec, DepayConfig, Depayloader, Frame, FrameInfo,
    H264Depayloader, H264Payloader, OpusPayloader, Packet, PacketizationMode, PayloadLayout,
    Payloader, Payloads, Vp8Payloader, Vp9Depayloader, Vp9Payloader,
};

/// Deterministic bytes (xorshift), never zero (so H.264 bodies hold no
/// start code and need no emulation prevention).
fn bytes(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 255) as u8 + 1
        })
        .collect()
}

/// An RTP packet as the tests carry it.
#[derive(Debug, Clone)]
struct Sent {
    payload: Vec<u8>,
    seq: u16,
    ts: u32,
    marker: bool,
}

/// Payloads `frame` and numbers the packets from `*seq`.
fn send(p: &mut dyn Payloader, frame: &[u8], max: usize, seq: &mut u16, ts: u32) -> Vec<Sent> {
    let mut out = Payloads::new();
    p.payload(frame, max, &mut out).unwrap();
    assert!(!out.is_empty());
    let n = out.len();
    out.iter()
        .enumerate()
        .map(|(i, payload)| {
            assert!(payload.len() <= max, "{} > {max}", payload.len());
            let s = Sent {
                payload: payload.to_vec(),
                seq: *seq,
                ts,
                marker: i + 1 == n,
            };
            *seq = seq.wrapping_add(1);
            s
        })
        .collect()
}

fn receive(d: &mut dyn Depayloader, packets: &[Sent]) -> Vec<Frame> {
    let mut frames = Vec::new();
    for s in packets {
        push(d, &mut frames, &s.payload, s.seq, s.ts, s.marker);
    }
    frames
}

/// Pushes one packet, which the depayloader must accept.
fn push(
    d: &mut dyn Depayloader,
    out: &mut Vec<Frame>,
    payload: &[u8],
    seq: u16,
    ts: u32,
    marker: bool,
) {
    d.push(Packet::new(payload, seq, ts, marker), out).unwrap();
}

const BUDGETS: [usize; 3] = [20, 100, 1200];
const SIZES: [usize; 5] = [1, 19, 300, 5000, 200_000];

/// Runs frames through payloader and depayloader, frame by frame; returns
/// the received frames.
fn round_trip(codec: Codec, frames: &[Vec<u8>], max: usize) -> Vec<Frame> {
    let mut p = codec.payloader();
    let mut d = codec.depayloader(DepayConfig::default());
    let mut seq = 65_530; // wraps
    let mut out = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        let packets = send(p.as_mut(), f, max, &mut seq, 3000 * i as u32);
        out.extend(receive(d.as_mut(), &packets));
    }
    assert_eq!(d.stats().frames, out.len() as u64);
    assert_eq!(d.stats().dropped_frames, 0);
    out
}

#[test]
fn opus_round_trip() {
    for max in BUDGETS {
        let frames: Vec<Vec<u8>> = (1..=max).step_by(7).map(|n| bytes(n as u64, n)).collect();
        let got = round_trip(Codec::Opus, &frames, max);
        assert_eq!(got.len(), frames.len());
        for (g, f) in got.iter().zip(&frames) {
            assert_eq!(&g.data, f);
            assert!(g.keyframe);
            assert_eq!(g.info, FrameInfo::Opus);
        }
    }
}

#[test]
fn vp8_round_trip() {
    for max in BUDGETS {
        let frames: Vec<Vec<u8>> = SIZES.iter().map(|&n| bytes(n as u64, n)).collect();
        let got = round_trip(Codec::Vp8, &frames, max);
        assert_eq!(got.len(), frames.len(), "max {max}");
        for (i, (g, f)) in got.iter().zip(&frames).enumerate() {
            assert_eq!(&g.data, f, "max {max}");
            assert_eq!(g.keyframe, f[0] & 1 == 0);
            assert_eq!(g.timestamp, 3000 * i as u32);
            let FrameInfo::Vp8 { picture_id, .. } = g.info else {
                panic!("{:?}", g.info)
            };
            assert_eq!(picture_id, Some(i as u16));
        }
    }
}

/// A VP9 key frame of 1920x804 (the uncompressed header from pion/rtp's
/// vp9_packet_test.go) or an inter frame, `n` bytes.
fn vp9_frame(key: bool, seed: u64, n: usize) -> Vec<u8> {
    let mut f = if key {
        vec![0x82, 0x49, 0x83, 0x42, 0x00, 0x77, 0xf0, 0x32, 0x34]
    } else {
        vec![0x86, 0x00, 0x40, 0x92]
    };
    f.extend(bytes(seed, n));
    f
}

#[test]
fn vp9_round_trip_both_modes() {
    for flexible in [false, true] {
        for max in BUDGETS {
            let frames: Vec<Vec<u8>> = SIZES
                .iter()
                .enumerate()
                .map(|(i, &n)| vp9_frame(i % 2 == 0, n as u64, n))
                .collect();
            let mut p = Vp9Payloader::new(0x7ffe, flexible);
            let mut d = Vp9Depayloader::new();
            let mut seq = 1;
            for (i, f) in frames.iter().enumerate() {
                let packets = send(&mut p, f, max, &mut seq, 90 * i as u32);
                assert!(vp9::is_keyframe(&packets[0].payload) == (i % 2 == 0));
                let got = receive(&mut d, &packets);
                assert_eq!(got.len(), 1);
                assert_eq!(got[0].data, *f);
                assert_eq!(got[0].keyframe, i % 2 == 0);
                let FrameInfo::Vp9 {
                    picture_id,
                    ref scalability,
                } = got[0].info
                else {
                    panic!()
                };
                assert_eq!(picture_id, Some((0x7ffe + i as u16) & 0x7fff));
                if i % 2 == 0 && !flexible {
                    let ss = scalability.as_ref().unwrap();
                    assert_eq!(ss.resolutions, [(1920, 804)]);
                } else {
                    assert!(scalability.is_none());
                }
            }
        }
    }
}

/// An Annex-B access unit: SPS, PPS, then slices of the sizes given (IDR
/// when `idr`), with mixed 3- and 4-byte start codes; and what the
/// depayloader gives back (4-byte start codes everywhere).
fn h264_access_unit(idr: bool, seed: u64, slices: &[usize]) -> (Vec<u8>, Vec<u8>) {
    let mut nals: Vec<Vec<u8>> = Vec::new();
    if idr {
        let mut sps = vec![0x67, 0x42, 0xc0, 0x1f];
        sps.extend(bytes(seed + 1, 9));
        nals.push(sps);
        nals.push(vec![0x68, 0xce, 0x3c, 0x80]);
    }
    for (i, &n) in slices.iter().enumerate() {
        let mut s = vec![if idr { 0x65 } else { 0x41 }, 0x88];
        s.extend(bytes(seed + 10 + i as u64, n));
        nals.push(s);
    }
    let mut input = Vec::new();
    let mut expected = Vec::new();
    for (i, n) in nals.iter().enumerate() {
        input.extend_from_slice(if i % 2 == 0 {
            &[0, 0, 0, 1][..]
        } else {
            &[0, 0, 1]
        });
        input.extend_from_slice(n);
        expected.extend_from_slice(&[0, 0, 0, 1]);
        expected.extend_from_slice(n);
    }
    (input, expected)
}

/// For every budget, frames of every size, every other one a keyframe
/// (`unit(key, seed, size)` gives the frame and what the depayloader
/// returns for it): each comes back whole and alone, its first packet and
/// the frame detected as a keyframe or not. `check` gets the packets and
/// the frame for what is particular to the codec.
fn alternating_keyframes(
    codec: Codec,
    first_seq: u16,
    unit: impl Fn(bool, u64, usize) -> (Vec<u8>, Vec<u8>),
    check: impl Fn(bool, &[Sent], &Frame),
) {
    for max in BUDGETS {
        let mut p = codec.payloader();
        let mut d = codec.depayloader(DepayConfig::default());
        let mut seq = first_seq;
        for (i, &n) in SIZES.iter().enumerate() {
            let key = i % 2 == 0;
            let (input, expected) = unit(key, i as u64, n);
            let packets = send(p.as_mut(), &input, max, &mut seq, 1000 * i as u32);
            let first = &packets[0].payload;
            assert_eq!(codec.is_keyframe(first), key, "max {max} size {n}");
            let got = receive(d.as_mut(), &packets);
            assert_eq!(got.len(), 1, "max {max} size {n}");
            assert_eq!(got[0].data, expected, "max {max} size {n}");
            assert_eq!(got[0].keyframe, key);
            check(key, &packets, &got[0]);
        }
    }
}

#[test]
fn h264_round_trip() {
    let unit = |idr, seed, n| h264_access_unit(idr, seed, &[n, n / 3]);
    alternating_keyframes(Codec::H264, 0, unit, |idr, _, frame| {
        let info = FrameInfo::H264 {
            idr,
            sps: idr,
            pps: idr,
        };
        assert_eq!(frame.info, info);
    });
}

#[test]
fn h264_small_units_are_aggregated_and_mode_0_sends_single_units() {
    let (input, expected) = h264_access_unit(true, 7, &[30]);
    let mut out = Payloads::new();
    H264Payloader::default()
        .payload(&input, 1200, &mut out)
        .unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out.get(0).unwrap()[0], 0x78); // STAP-A, NRI 3
    let mut mode0 = H264Payloader::new(PacketizationMode::SingleNalUnit);
    mode0.payload(&input, 1200, &mut out).unwrap();
    assert_eq!(out.len(), 3);
    let mut d = H264Depayloader::new();
    let packets: Vec<Sent> = out
        .iter()
        .enumerate()
        .map(|(i, p)| Sent {
            payload: p.to_vec(),
            seq: i as u16,
            ts: 0,
            marker: i == 2,
        })
        .collect();
    assert_eq!(receive(&mut d, &packets)[0].data, expected);
}

/// An AV1 temporal unit: a temporal delimiter, a sequence header (key
/// frames only), then frame OBUs of the sizes given (the first one with an
/// extension header), all with size fields; and what the depayloader gives
/// back (the same without the temporal delimiter).
fn av1_temporal_unit(key: bool, seed: u64, sizes: &[usize]) -> (Vec<u8>, Vec<u8>) {
    fn obu(out: &mut Vec<u8>, header: &[u8], payload: &[u8]) {
        out.extend_from_slice(header);
        let mut n = payload.len();
        loop {
            let b = (n & 0x7f) as u8;
            n >>= 7;
            out.push(if n == 0 { b } else { b | 0x80 });
            if n == 0 {
                break;
            }
        }
        out.extend_from_slice(payload);
    }
    let mut input = vec![0x12, 0x00];
    let mut expected = Vec::new();
    if key {
        // The sequence header of GStreamer's rtpav1 test (tests/check/elements/rtpav1.c).
        let seq = [
            0x00, 0x00, 0x00, 0x03, 0x37, 0xff, 0xfc, 0x0f, 0xff, 0x98, 0x04,
        ];
        obu(&mut input, &[0x0a], &seq);
        obu(&mut expected, &[0x0a], &seq);
    }
    for (i, &n) in sizes.iter().enumerate() {
        // show_existing_frame 0, frame_type KEY (0) or INTER (1).
        let mut payload = vec![if key { 0x10 } else { 0x30 }];
        payload.extend(bytes(seed + i as u64, n));
        let header: &[u8] = if i == 0 { &[0x36, 0x28] } else { &[0x32] };
        obu(&mut input, header, &payload);
        obu(&mut expected, header, &payload);
    }
    (input, expected)
}

#[test]
fn av1_round_trip() {
    let unit = |key, seed, n| av1_temporal_unit(key, seed, &[n, 5, n / 2]);
    alternating_keyframes(Codec::Av1, 100, unit, |key, packets, _| {
        // The N bit: a new coded video sequence.
        assert_eq!(packets[0].payload[0] & 0x08 != 0, key);
    });
}

#[test]
fn av1_temporal_delimiter_on_request() {
    let (input, expected) = av1_temporal_unit(true, 1, &[40]);
    let mut seq = 0;
    let packets = send(&mut Av1Payloader::default(), &input, 1200, &mut seq, 0);
    let mut d = Av1Depayloader::new().with_temporal_delimiter(true);
    let got = receive(&mut d, &packets);
    assert_eq!(got[0].data[..2], [0x12, 0x00]);
    assert_eq!(got[0].data[2..], expected[..]);
}

/// Sends key, delta, delta, key frames and drops a middle packet of frame
/// 1: frames 0, 2 and 3 come out (frame 2's first packet follows frame 1's
/// last without a gap), frame 1 never does, and the last one is a keyframe.
fn loss(codec: Codec, frames: &[Vec<u8>], max: usize) {
    let mut p = codec.payloader();
    let mut d = codec.depayloader(DepayConfig::default());
    let mut seq = 40_000;
    let mut got = Vec::new();
    let mut expected_ts = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        let mut packets = send(p.as_mut(), f, max, &mut seq, 3000 * i as u32);
        if i == 1 {
            assert!(packets.len() >= 3, "{codec:?}: frame 1 must span 3 packets");
            packets.remove(packets.len() / 2);
        } else {
            expected_ts.push(3000 * i as u32);
        }
        got.extend(receive(d.as_mut(), &packets));
    }
    let ts: Vec<u32> = got.iter().map(|f| f.timestamp).collect();
    assert_eq!(ts, expected_ts, "{codec:?}");
    assert!(got.last().unwrap().keyframe);
    let s = d.stats();
    assert_eq!((s.dropped_frames, s.lost_packets), (1, 1), "{codec:?}");
}

#[test]
fn a_lost_packet_drops_its_frame_and_the_next_keyframe_decodes() {
    let vp8 = |key: bool, n| {
        let mut f = bytes(n as u64, n);
        f[0] = if key { 0x10 } else { 0x11 };
        f
    };
    loss(
        Codec::Vp8,
        &[
            vp8(true, 500),
            vp8(false, 500),
            vp8(false, 50),
            vp8(true, 500),
        ],
        100,
    );
    loss(
        Codec::Vp9,
        &[
            vp9_frame(true, 1, 500),
            vp9_frame(false, 2, 500),
            vp9_frame(false, 3, 50),
            vp9_frame(true, 4, 500),
        ],
        100,
    );
    let h = |idr, n: usize| h264_access_unit(idr, n as u64, &[n]).0;
    loss(
        Codec::H264,
        &[h(true, 500), h(false, 500), h(false, 50), h(true, 500)],
        100,
    );
    let a = |key, n: usize| av1_temporal_unit(key, n as u64, &[n]).0;
    loss(
        Codec::Av1,
        &[a(true, 500), a(false, 500), a(false, 50), a(true, 500)],
        100,
    );
}

#[test]
fn h264_frame_after_a_gap_is_dropped_unless_it_certainly_starts() {
    // A slice that is not the picture's first (first_mb_in_slice != 0:
    // the bit after the NAL header is 0) right after a gap: its access
    // unit may have lost its first packets.
    let mut d = H264Depayloader::new();
    let mut out = Vec::new();
    push(&mut d, &mut out, &[0x41, 0x88, 1], 1, 0, true);
    push(&mut d, &mut out, &[0x41, 0x08, 2], 3, 10, true);
    assert_eq!(out.len(), 1);
    // The next one follows without a gap: taken.
    push(&mut d, &mut out, &[0x41, 0x08, 3], 4, 20, true);
    assert_eq!(out.len(), 2);
    // After a gap, a picture's first slice is certainly first: taken.
    push(&mut d, &mut out, &[0x41, 0x88, 4], 9, 30, true);
    assert_eq!(out.len(), 3);
    assert_eq!(d.stats().dropped_frames, 1);
}

#[test]
fn a_frame_without_its_marker_is_completed_by_the_next_frame() {
    let mut d = Codec::Vp8.depayloader(DepayConfig::default());
    let mut out = Vec::new();
    push(d.as_mut(), &mut out, &[0x10, 0x00, 1], 1, 0, false);
    push(d.as_mut(), &mut out, &[0x00, 2], 2, 0, false);
    push(d.as_mut(), &mut out, &[0x10, 0x01, 3], 3, 90, true);
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].data, [0x00, 1, 2]);
    assert!(out[0].keyframe);
    assert_eq!(out[1].data, [0x01, 3]);
    assert_eq!((out[0].first_sequence, out[0].last_sequence), (1, 2));
}

#[test]
fn duplicates_and_late_packets_are_ignored() {
    let mut d = Codec::Vp8.depayloader(DepayConfig::default());
    let mut out = Vec::new();
    push(d.as_mut(), &mut out, &[0x10, 0x00, 1], 10, 0, false);
    push(d.as_mut(), &mut out, &[0x10, 0x00, 1], 10, 0, false);
    push(d.as_mut(), &mut out, &[0x00, 2], 11, 0, true);
    push(d.as_mut(), &mut out, &[0x00, 2], 11, 0, true);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].data, [0x00, 1, 2]);
    assert_eq!(d.stats().late_packets, 2);
    // Far behind: the stream restarted.
    push(d.as_mut(), &mut out, &[0x10, 0x00, 7], 5000, 9, true);
    assert_eq!(out.len(), 2);
}

#[test]
fn opus_gaps_lose_packets_not_frames() {
    let mut d = Codec::Opus.depayloader(DepayConfig::default());
    let mut out = Vec::new();
    for seq in [1u16, 2, 5, 6] {
        let ts = 960 * u32::from(seq);
        push(d.as_mut(), &mut out, &[0xf8, seq as u8], seq, ts, false);
    }
    assert_eq!(out.len(), 4);
    assert_eq!(d.stats().lost_packets, 2);
    assert_eq!(d.stats().dropped_frames, 0);
}

#[test]
fn reset_forgets_the_partial_frame() {
    let mut d = Codec::Vp8.depayloader(DepayConfig::default());
    let mut out = Vec::new();
    push(d.as_mut(), &mut out, &[0x10, 0x00, 1], 1, 0, false);
    d.reset();
    push(d.as_mut(), &mut out, &[0x10, 0x00, 2], 500, 90, true);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].data, [0x00, 2]);
}

#[test]
fn codec_names() {
    for c in Codec::ALL {
        assert_eq!(Codec::from_encoding_name(c.encoding_name()), Some(c));
    }
    assert_eq!(Codec::from_encoding_name("h264"), Some(Codec::H264));
    assert_eq!(Codec::from_encoding_name("PCMU"), None);
    assert!(!Codec::Opus.is_video() && Codec::Av1.is_video());
    assert!(!Codec::Opus.payloader().marker_ends_frame());
    assert!(Codec::Vp9.payloader().marker_ends_frame());
}

/// The payloads `layout` describes (header, then the frame's range) are the
/// ones `payload` copies, error for error, and both advance the same state
/// (VP8's PictureID); the codecs without a layout say so.
#[test]
fn layout_describes_the_payloads_payload_copies() {
    let payloader = |name: &str| -> Box<dyn Payloader> {
        match name {
            "opus" => Box::new(OpusPayloader::default()),
            "vp8" => Box::new(Vp8Payloader::with_picture_id(0x7ffe)),
            _ => Box::new(Vp8Payloader::without_picture_id()),
        }
    };
    for name in ["opus", "vp8", "vp8 without PictureID"] {
        let (mut copying, mut laying) = (payloader(name), payloader(name));
        let mut payloads = Payloads::new();
        let mut layout = PayloadLayout::new();
        for (size, max) in [
            (0, 100),
            (1, 100),
            (99, 100),
            (100, 100),
            (101, 100),
            (1000, 1164),
            (3000, 1164),
            (5, 4),
            (5, 1),
            (2329, 1164),
        ] {
            let frame = bytes(size as u64, size);
            let copied = copying.payload(&frame, max, &mut payloads);
            let laid = laying.layout(&frame, max, &mut layout).expect("a layout");
            assert_eq!(copied.is_ok(), laid.is_ok(), "{name} {size} {max}");
            let described: Vec<Vec<u8>> = (0..layout.len())
                .map(|i| layout.to_vec(&frame, i).unwrap())
                .collect();
            assert_eq!(payloads.to_vecs(), described, "{name} {size} {max}");
            assert!(layout
                .parts()
                .iter()
                .all(|p| p.len() <= max && !p.is_empty()));
        }
    }
    let mut layout = PayloadLayout::new();
    for codec in [Codec::Vp9, Codec::H264, Codec::Av1] {
        assert!(codec
            .payloader()
            .layout(&[1, 2, 3], 100, &mut layout)
            .is_none());
    }
}
