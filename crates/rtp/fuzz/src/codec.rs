//! Shared checks of the depayloader fuzz targets (`depay_opus`,
//! `depay_vp8`, `depay_vp9`, `depay_h264`, `depay_av1`).
//!
//! The first input byte chooses the check. Bit 7 clear: a packet
//! sequence. The byte sets the maximum frame size (16 to 4 096 bytes, so
//! the oversize path is reached), then each packet is `flags, length,
//! payload` (the payload cut short at the end of the input). Flags: bit 7
//! the marker; bits 0-1 the sequence number step (+1, +2, -1, +0); bits
//! 2-3 the timestamp step (0, +3000, -3000, +1); bit 4 a keyframe probe of
//! the payload. Invariants: no panic; every frame emitted within the
//! maximum and not empty; the statistics count the frames emitted.
//!
//! Bit 7 set: a round trip. The rest of the input is one frame, the low
//! bits of the byte a payload budget; when the payloader takes the frame,
//! every payload is within the budget and the depayloader gives exactly
//! that frame back (for H.264 the access unit with 4-byte start codes; for
//! AV1 one temporal unit).

use sansrtc_rtp::codec::{h264, Codec, DepayConfig, Packet, Payloads};

/// Runs the check the first byte chooses.
pub fn check_codec(codec: Codec, data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    if selector & 0x80 == 0 {
        check_depayloader(codec, selector, rest);
    } else {
        check_round_trip(codec, selector, rest);
    }
}

fn check_depayloader(codec: Codec, selector: u8, mut data: &[u8]) {
    let max_frame_size = 16 << (selector & 0x7f) % 9;
    let mut d = codec.depayloader(DepayConfig { max_frame_size });
    let mut frames = Vec::new();
    let mut seq: u16 = 0xfff0;
    let mut ts: u32 = 0;
    while let [flags, len, tail @ ..] = data {
        let n = usize::from(*len).min(tail.len());
        let (payload, next) = tail.split_at(n);
        data = next;
        seq = match flags & 0x03 {
            0 => seq.wrapping_add(1),
            1 => seq.wrapping_add(2),
            2 => seq.wrapping_sub(1),
            _ => seq,
        };
        ts = match (flags >> 2) & 0x03 {
            0 => ts,
            1 => ts.wrapping_add(3000),
            2 => ts.wrapping_sub(3000),
            _ => ts.wrapping_add(1),
        };
        if flags & 0x10 != 0 {
            let _ = codec.is_keyframe(payload);
        }
        let before = frames.len();
        let _ = d.push(
            Packet::new(payload, seq, ts, flags & 0x80 != 0),
            &mut frames,
        );
        assert!(frames.len() - before <= 2);
    }
    for f in &frames {
        assert!(!f.data.is_empty());
        assert!(
            f.data.len() <= max_frame_size,
            "{} > {max_frame_size}",
            f.data.len()
        );
    }
    let s = d.stats();
    assert_eq!(s.frames, frames.len() as u64);
    assert!(s.oversized_frames <= s.dropped_frames);
}

fn check_round_trip(codec: Codec, selector: u8, frame: &[u8]) {
    let budget = 3 + usize::from(selector & 0x7f) * 9;
    let mut p = codec.payloader();
    let mut payloads = Payloads::new();
    if p.payload(frame, budget, &mut payloads).is_err() {
        assert!(payloads.is_empty());
        return;
    }
    assert!(!payloads.is_empty());
    assert!(payloads.iter().all(|x| x.len() <= budget));
    let expected: Option<Vec<u8>> = match codec {
        Codec::Opus | Codec::Vp8 | Codec::Vp9 => Some(frame.to_vec()),
        Codec::H264 => {
            // RFC 6184 has no packet for a lone type-0 NAL unit.
            if h264::split_annex_b(frame).any(|n| n[0] & 0x1f == 0) {
                return;
            }
            Some(
                h264::split_annex_b(frame)
                    .flat_map(|n| [&[0, 0, 0, 1][..], n])
                    .flatten()
                    .copied()
                    .collect(),
            )
        }
        Codec::Av1 => None,
    };
    let mut d = codec.depayloader(DepayConfig::default());
    let mut frames = Vec::new();
    // A complete frame before, so that a first packet without a definite
    // start-of-frame signal (H.264, AV1) counts as one.
    let previous: &[u8] = match codec {
        Codec::H264 => &[0x09, 0xf0],
        Codec::Av1 => &[0x10, 0x30, 0x00],
        _ => &[0x10, 0x00],
    };
    d.push(Packet::new(previous, 0, 0, true), &mut frames)
        .expect("the previous frame");
    frames.clear();
    let n = payloads.len();
    for (i, x) in payloads.iter().enumerate() {
        d.push(Packet::new(x, 1 + i as u16, 3000, i + 1 == n), &mut frames)
            .expect("our own payload");
    }
    // An AV1 unit of empty OBUs only comes out as nothing.
    assert!(frames.len() == 1 || (codec == Codec::Av1 && frames.is_empty()));
    if let (Some(e), Some(f)) = (expected, frames.first()) {
        assert_eq!(f.data, e);
    }
}
