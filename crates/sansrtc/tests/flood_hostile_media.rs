//! A connected peer connection with audio, NACK-protected VP8 video (RTX,
//! transport-cc) and a data channel, whose remote peer is hostile above
//! SRTP (tests/support/hostile_peer.rs, `Duel::connected_media`): every
//! flood below is protected with the peer's valid SRTP keys, so it reaches
//! the media code. After each flood the connection has not panicked, the
//! counters show where the flood was dropped, legitimate audio and VP8
//! frames from the peer are still delivered, and the connection's own
//! video still goes out. The heap stays under [`MEDIA_PEAK_CAP`] and
//! [`MEDIA_LIVE_CAP`] (measured figures there).
//!
//! The floods:
//! 1. RTP from 10,000 random SSRCs with a routable payload type;
//! 2. unknown payload types, CSRC counts and extension lengths that
//!    overrun, extension elements that overrun their block, padding longer
//!    than the payload, zero-length payloads;
//! 3. one 6 MiB VP8 "frame" (no marker, S on the first packet only), then
//!    a normal frame;
//! 4. sequence number chaos on the NACK-protected stream: wild jumps,
//!    every other packet missing over 5,000 sequence numbers, duplicates;
//! 5. RTX without an OSN, on a payload type whose apt is unknown, for
//!    sequence numbers never sent, for ones already received;
//! 6. RTCP: 10,000 NACKs, PLI and FIR floods, SR/RR with 31 blocks of
//!    random SSRCs, SDES with many chunks, transport-cc feedback with
//!    status counts near 65535 and huge deltas, bad lengths, unknown
//!    types, truncated compounds;
//! 7. transport-wide sequence numbers jumping wildly.

mod common;
#[path = "support/counting_alloc.rs"]
mod counting_alloc;
#[path = "support/hostile_peer.rs"]
mod hostile_peer;

use std::time::{Duration, Instant};

use hostile_peer::{
    Duel, EXT_MID, EXT_TWCC, H_AUDIO_SSRC, H_RTX_SSRC, H_VIDEO_SSRC, PT_OPUS, PT_RTX, PT_VP8,
};
use sansrtc::*;
use sansrtc_rtp::codec::{Payloader, Payloads, Vp8Payloader};
use sansrtc_rtp::rtcp::{
    Fir, FirEntry, Nack, NackPair, Pli, ReceiverReport, ReportBlock, SdesChunk, SdesItem,
    SenderReport, SourceDescription,
};
use sansrtc_rtp::RtpWriter;
use sansrtc_srtp::SrtpConfig;

/// What hostile media may add to a connected connection's heap at the
/// peak, with the floods below. The bound that decides it is the
/// depayloader's frame limit (4 MiB, `DEFAULT_MAX_FRAME_SIZE`): the 6 MiB
/// frame grows one buffer past 4 MiB before it is dropped, and a growing
/// buffer's capacity can reach twice its length. The rest (256 sources
/// with their statistics, a 512-packet reorder buffer and 1000 NACK
/// entries on the NACK-protected stream, the 1024-packet send history, the
/// transport-cc recorder's 32768-wide window) is under 1 MiB here.
/// Measured (release and debug alike): +5.08 MB at the peak (the frame
/// buffer, 1150-byte payloads: 4.7 MB of capacity), +0.68 MB live.
const MEDIA_PEAK_CAP: usize = 12 * 1024 * 1024;

/// What may stay allocated after the floods (the frame buffer is given
/// back when the frame is dropped): the sources, the NACK and reorder
/// state, the send history, the transport-cc window.
const MEDIA_LIVE_CAP: usize = 2 * 1024 * 1024;

/// A VP8 keyframe's first bytes (P bit 0), as tests/media.rs writes them.
const VP8_KEY: [u8; 6] = [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn u32(&mut self) -> u32 {
        (self.next() >> 16) as u32
    }

    fn u16(&mut self) -> u16 {
        (self.next() >> 24) as u16
    }
}

/// The hostile peer's stream numbering and what the test counts.
struct Hostile {
    d: Duel,
    audio: TransceiverId,
    video: TransceiverId,
    a_video_ssrc: u32,
    audio_seq: u16,
    audio_ts: u32,
    video_seq: u16,
    video_ts: u32,
    rtx_seq: u16,
    a_ts: u32,
    rng: Rng,
    /// Events the connection emitted, counted then dropped (so that the
    /// heap measured is the connection's).
    keyframe_requests: u64,
    frames: u64,
    legit_audio: bool,
    legit_video: bool,
    round: u8,
}

impl Hostile {
    fn mids(&self) -> (String, String) {
        (self.d.media.mids[0].clone(), self.d.media.mids[1].clone())
    }

    /// One RTP packet with the transport-cc and MID extensions.
    fn rtp(
        &mut self,
        ssrc: u32,
        pt: u8,
        seq: u16,
        ts: u32,
        marker: bool,
        payload: &[u8],
    ) -> Vec<u8> {
        let twcc = self.d.take_twcc().to_be_bytes();
        let (audio_mid, video_mid) = self.mids();
        let mid = if ssrc == H_AUDIO_SSRC {
            audio_mid
        } else {
            video_mid
        };
        let mut out = Vec::with_capacity(payload.len() + 32);
        RtpWriter {
            marker,
            payload_type: pt,
            sequence_number: seq,
            timestamp: ts,
            ssrc,
            extensions: &[(EXT_TWCC, &twcc), (EXT_MID, mid.as_bytes())],
            payload,
            ..RtpWriter::default()
        }
        .write(&mut out)
        .unwrap();
        out
    }

    fn next_audio(&mut self) -> (u16, u32) {
        let s = (self.audio_seq, self.audio_ts);
        self.audio_seq = self.audio_seq.wrapping_add(1);
        self.audio_ts = self.audio_ts.wrapping_add(960);
        s
    }

    fn next_video_seq(&mut self) -> u16 {
        let s = self.video_seq;
        self.video_seq = self.video_seq.wrapping_add(1);
        s
    }

    /// Sends a VP8 frame as the payloader cuts it (marker on the last).
    fn send_vp8(&mut self, frame: &[u8]) {
        self.video_ts = self.video_ts.wrapping_add(3000);
        let mut payloads = Payloads::new();
        Vp8Payloader::default()
            .payload(frame, 1100, &mut payloads)
            .unwrap();
        let n = payloads.len();
        let parts: Vec<Vec<u8>> = payloads.iter().map(<[u8]>::to_vec).collect();
        for (i, p) in parts.iter().enumerate() {
            let seq = self.next_video_seq();
            let packet = self.rtp(H_VIDEO_SSRC, PT_VP8, seq, self.video_ts, i + 1 == n, p);
            assert!(self.d.send_rtp(&packet));
        }
    }

    /// Moves everything at the current time and counts the events.
    fn settle(&mut self) {
        self.d.exchange();
        self.count_events();
    }

    fn count_events(&mut self) {
        let (audio, video) = (self.audio, self.video);
        let tag = self.round;
        for e in self.d.events.drain(..) {
            match e {
                PeerEvent::Media(MediaEvent::KeyframeRequest { .. }) => self.keyframe_requests += 1,
                PeerEvent::Media(MediaEvent::Frame {
                    transceiver, data, ..
                }) => {
                    self.frames += 1;
                    if transceiver == audio && data == legit_audio(tag) {
                        self.legit_audio = true;
                    }
                    if transceiver == video && data == legit_video(tag) {
                        self.legit_video = true;
                    }
                }
                _ => {}
            }
        }
    }

    /// Runs for `time` of simulated time in 5 ms steps, counting events as
    /// they come.
    fn run_for(&mut self, time: Duration) {
        let until = self.d.now + time;
        while self.d.now < until {
            self.d
                .advance(Duration::from_millis(5).min(until - self.d.now));
            self.count_events();
        }
    }

    /// Lets a millisecond pass.
    fn tick(&mut self) {
        self.d.advance(Duration::from_millis(1));
        self.count_events();
    }

    /// Legitimate media after a flood: the peer's audio frame and VP8
    /// keyframe arrive as frames (a keyframe is sent again, as a sender
    /// answering PLI would, until it does: after sequence chaos the first
    /// one may fall in a gap the reorder buffer still waits on), and the
    /// connection's own VP8 frame reaches the peer.
    fn legit_round(&mut self, what: &str) {
        self.round = self.round.wrapping_add(1);
        let tag = self.round;
        self.legit_audio = false;
        self.legit_video = false;
        let marked_before = self.a_marked();
        let mut attempts = 0;
        while !(self.legit_audio && self.legit_video) {
            attempts += 1;
            assert!(
                attempts <= 5,
                "after {what}: legitimate media no longer delivered (audio {}, video {}): \
                 {:?} depay {:?} nack {:?}",
                self.legit_audio,
                self.legit_video,
                self.d.a.media_stats(),
                self.d.a.depay_stats(H_VIDEO_SSRC),
                self.d.a.nack_stats(H_VIDEO_SSRC),
            );
            if !self.legit_audio {
                let (seq, ts) = self.next_audio();
                let p = self.rtp(H_AUDIO_SSRC, PT_OPUS, seq, ts, false, &legit_audio(tag));
                assert!(self.d.send_rtp(&p));
            }
            if !self.legit_video {
                self.send_vp8(&legit_video(tag));
            }
            self.settle();
            // Past the reorder buffer's hold and the NACK retries.
            self.run_for(MAX_HOLD + Duration::from_millis(100));
        }
        let now = self.d.now;
        self.a_ts = self.a_ts.wrapping_add(3000);
        let mut frame = VP8_KEY.to_vec();
        frame.resize(2500, tag);
        self.d
            .a
            .write_frame(now, self.video, self.a_ts, &frame)
            .unwrap();
        self.settle();
        assert_eq!(
            self.a_marked(),
            marked_before + 1,
            "after {what}: the connection's own video no longer reaches the peer"
        );
        assert_eq!(self.d.a.connection_state(), PeerConnectionState::Connected);
        eprintln!("after {what}: legitimate media delivered in {attempts} attempt(s)");
    }

    fn a_marked(&self) -> u64 {
        self.d
            .media
            .seen
            .rtp_marked
            .get(&self.a_video_ssrc)
            .copied()
            .unwrap_or(0)
    }
}

fn legit_audio(tag: u8) -> Vec<u8> {
    vec![0xf8, 0xff, 0xfe, tag]
}

fn legit_video(tag: u8) -> Vec<u8> {
    let mut f = VP8_KEY.to_vec();
    f.extend((0..3000).map(|i: u32| (i as u8).wrapping_mul(7).wrapping_add(tag)));
    f
}

fn heap(what: &str, baseline: usize, peak_before: usize) -> (usize, usize) {
    let grown = counting_alloc::live().saturating_sub(baseline);
    let peak = counting_alloc::peak().saturating_sub(peak_before.max(baseline));
    eprintln!("heap after {what}: +{grown} B live, +{peak} B at the peak");
    (grown, peak)
}

#[test]
fn hostile_media_stays_bounded_and_media_flows() {
    let started = Instant::now();
    let (d, audio, video, _chat) = Duel::connected_media("chat");
    let a_video_ssrc = d.a.transceiver(video).unwrap().sender.ssrc;
    let mut h = Hostile {
        d,
        audio,
        video,
        a_video_ssrc,
        audio_seq: 1000,
        audio_ts: 48_000,
        video_seq: 20_000,
        video_ts: 90_000,
        rtx_seq: 500,
        a_ts: 0,
        rng: Rng(0x9e37_79b9_7f4a_7c15),
        keyframe_requests: 0,
        frames: 0,
        legit_audio: false,
        legit_video: false,
        round: 0,
    };
    // Warm up: media both ways, reports, feedback.
    for _ in 0..3 {
        h.legit_round("setup");
    }
    // The RTX stream once (a duplicate of the last video packet), so that
    // it has SRTP and routing state before the floods fill both tables.
    let osn = h.video_seq.wrapping_sub(1).to_be_bytes();
    let p = h.rtp(
        H_RTX_SSRC,
        PT_RTX,
        h.rtx_seq,
        h.video_ts,
        false,
        &[osn[0], osn[1], 0x10],
    );
    h.rtx_seq += 1;
    assert!(h.d.send_rtp(&p));
    h.run_for(Duration::from_secs(2));
    h.legit_round("setup");
    assert!(h.d.a.receive_stats(H_RTX_SSRC).is_some());
    assert_eq!(
        h.d.a
            .get_transceivers()
            .iter()
            .filter(|t| t.current_direction == Some(RtpTransceiverDirection::SendRecv))
            .count(),
        2
    );

    let baseline = counting_alloc::live();
    let peak_before = counting_alloc::peak();

    flood_random_ssrcs(&mut h);
    h.legit_round("flood 1 (10,000 SSRCs)");
    flood_malformed_rtp(&mut h);
    h.legit_round("flood 2 (malformed RTP)");
    flood_huge_frame(&mut h);
    h.legit_round("flood 3 (6 MiB frame)");
    heap("flood 3", baseline, peak_before);
    flood_sequence_chaos(&mut h);
    h.legit_round("flood 4 (sequence chaos)");
    flood_rtx(&mut h);
    h.legit_round("flood 5 (RTX)");
    flood_rtcp(&mut h);
    h.legit_round("flood 6 (RTCP)");
    flood_twcc_jumps(&mut h);
    h.legit_round("flood 7 (transport-wide jumps)");

    let (grown, peak) = heap("every flood", baseline, peak_before);
    let m = h.d.a.media_stats();
    eprintln!("media {m:?}");
    eprintln!("twcc {:?}", h.d.a.twcc_stats());
    eprintln!("transport {:?}", h.d.a.transport_stats());
    eprintln!("seen by the hostile peer {:?}", h.d.media.seen);
    eprintln!(
        "keyframe requests {}, frames {}, wall time {:?}",
        h.keyframe_requests,
        h.frames,
        started.elapsed()
    );
    assert!(grown <= MEDIA_LIVE_CAP, "live heap grew by {grown} B");
    assert!(peak <= MEDIA_PEAK_CAP, "peak heap grew by {peak} B");
}

use sansrtc::media::{MAX_HELD_PACKETS, MAX_HOLD, MAX_REMOTE_SSRCS};

/// 1. RTP from 10,000 random SSRCs, Opus's payload type (routable by it
///    alone). The SRTP context keeps state for at most 256 SSRCs; the
///    media code routes at most MAX_REMOTE_SSRCS.
fn flood_random_ssrcs(h: &mut Hostile) {
    let before = (h.d.a.media_stats(), h.d.a.transport_stats());
    let mut ssrcs = Vec::with_capacity(10_000);
    // A sending context per 200 SSRCs: the hostile peer's own state stays
    // small (its heap is counted too).
    let mut tx = None;
    for i in 0..10_000u32 {
        if i % 200 == 0 {
            tx = h.d.srtp_context(true, SrtpConfig::default());
        }
        let ssrc = h.rng.u32() | 0x8000_0000;
        ssrcs.push(ssrc);
        let seq = h.rng.u16();
        let ts = h.rng.u32();
        let mut p = Vec::with_capacity(64);
        RtpWriter {
            payload_type: PT_OPUS,
            sequence_number: seq,
            timestamp: ts,
            ssrc,
            payload: &[0xf8, 0xff, 0xfe, 0x00],
            ..RtpWriter::default()
        }
        .write(&mut p)
        .unwrap();
        tx.as_mut().unwrap().protect_rtp(&mut p).unwrap();
        h.d.send_datagram(&p);
        if i % 100 == 0 {
            h.settle();
        }
    }
    h.settle();
    let (m, t) = (h.d.a.media_stats(), h.d.a.transport_stats());
    let routed = ssrcs
        .iter()
        .filter(|s| h.d.a.receive_stats(**s).is_some())
        .count();
    eprintln!(
        "flood 1: {routed} random SSRCs routed, rtp_received +{}, rtp_unroutable +{}, \
         srtp_rejected +{}",
        m.rtp_received - before.0.rtp_received,
        m.rtp_unroutable - before.0.rtp_unroutable,
        t.srtp_rejected - before.1.srtp_rejected
    );
    // The sources stay bounded: with the peer's three, at most
    // MAX_REMOTE_SSRCS (SRTP's own 256-stream limit refuses the rest first).
    assert!(routed + 3 <= MAX_REMOTE_SSRCS, "{routed} sources");
    assert!(h.d.a.receive_stats(H_VIDEO_SSRC).is_some());
    assert!(routed > 0);
    let accepted =
        (m.rtp_received - before.0.rtp_received) + (m.rtp_unroutable - before.0.rtp_unroutable);
    assert_eq!(
        accepted + (t.srtp_rejected - before.1.srtp_rejected),
        10_000,
        "every packet counted once"
    );
}

/// 2. Malformed RTP on the peer's own SSRCs.
fn flood_malformed_rtp(h: &mut Hostile) {
    let before = (h.d.a.media_stats(), h.d.a.transport_stats());
    let depay_before = h.d.a.depay_stats(H_VIDEO_SSRC).unwrap();
    let negotiated = [PT_OPUS, PT_VP8, PT_RTX];
    // Unknown payload types (none in 64..=95, which RFC 5761 reads as RTCP).
    let unknown: Vec<u8> = (0..128u8)
        .filter(|pt| !(64..=95).contains(pt) && !negotiated.contains(pt))
        .collect();
    let mut sent_unknown = 0;
    for round in 0..4 {
        for &pt in &unknown {
            let (ssrc, seq, ts) = if round % 2 == 0 {
                let (s, t) = h.next_audio();
                (H_AUDIO_SSRC, s, t)
            } else {
                (H_VIDEO_SSRC, h.next_video_seq(), h.video_ts)
            };
            let p = h.rtp(ssrc, pt, seq, ts, false, b"unknown payload type");
            assert!(h.d.send_rtp(&p));
            sent_unknown += 1;
        }
    }
    h.settle();
    // CSRC counts and extension lengths past the packet: SRTP cannot even
    // find the header's end, so these go as they are (with a fake tag).
    let mut overruns = 0;
    for cc in 1..16u8 {
        let mut p = vec![0x80 | cc, PT_OPUS, 0, 1, 0, 0, 0, 1];
        p.extend_from_slice(&H_AUDIO_SSRC.to_be_bytes());
        p.extend_from_slice(&[0xaa; 4]); // one CSRC's worth at most
        p.extend_from_slice(&[0; 16]); // "tag"
        p.truncate(12 + 4 * usize::from(cc).min(3) - 1);
        h.d.send_datagram(&p);
        let mut x = vec![0x90, PT_OPUS, 0, 2, 0, 0, 0, 1];
        x.extend_from_slice(&H_AUDIO_SSRC.to_be_bytes());
        x.extend_from_slice(&[0xbe, 0xde]);
        x.extend_from_slice(&(u16::from(cc) * 1000).to_be_bytes());
        x.extend_from_slice(&[0x10; 20]);
        h.d.send_datagram(&x);
        overruns += 2;
    }
    h.settle();
    // Extension elements that overrun their (valid) block, an unknown
    // extension profile, the most CSRCs: SRTP passes them; the media code
    // must read them safely (they are otherwise valid Opus packets).
    let mut odd_headers = 0;
    for i in 0..50u16 {
        let (seq, ts) = h.next_audio();
        let mut p = vec![0x90 | (i % 16) as u8, PT_OPUS];
        p.extend_from_slice(&seq.to_be_bytes());
        p.extend_from_slice(&ts.to_be_bytes());
        p.extend_from_slice(&H_AUDIO_SSRC.to_be_bytes());
        for c in 0..(i % 16) {
            p.extend_from_slice(&u32::from(c).to_be_bytes());
        }
        let profile: u16 = match i % 3 {
            0 => 0xbede,
            1 => 0x1000,
            _ => 0x1234,
        };
        p.extend_from_slice(&profile.to_be_bytes());
        p.extend_from_slice(&1u16.to_be_bytes()); // one word
        p.extend_from_slice(&[0x4f, 0xff, 0xff, 0xff]); // id 4, 16 bytes claimed
        p.extend_from_slice(&[0xf8, 0xff, 0xfe, 0x77]);
        assert!(h.d.send_rtp(&p));
        odd_headers += 1;
    }
    h.settle();
    // Padding longer than the payload, and a padding count of 0.
    let mut bad_padding = 0;
    for i in 0..100u16 {
        let (seq, ts) = h.next_audio();
        let mut p = h.rtp(H_AUDIO_SSRC, PT_OPUS, seq, ts, false, &[0xf8, 0xff, 0xfe]);
        p[0] |= 0x20;
        p.push(if i % 2 == 0 { 0xff } else { 0 });
        assert!(h.d.send_rtp(&p));
        bad_padding += 1;
    }
    h.settle();
    // Zero-length payloads, on both streams.
    for _ in 0..100 {
        let (seq, ts) = h.next_audio();
        let p = h.rtp(H_AUDIO_SSRC, PT_OPUS, seq, ts, false, &[]);
        assert!(h.d.send_rtp(&p));
        let seq = h.next_video_seq();
        let ts = h.video_ts;
        let p = h.rtp(H_VIDEO_SSRC, PT_VP8, seq, ts, true, &[]);
        assert!(h.d.send_rtp(&p));
    }
    h.settle();
    // The unknown payload types left gaps in the video stream's numbering:
    // its reorder buffer holds the empty packets until it gives up.
    h.run_for(MAX_HOLD + Duration::from_millis(100));
    let (m, t) = (h.d.a.media_stats(), h.d.a.transport_stats());
    let depay = h.d.a.depay_stats(H_VIDEO_SSRC).unwrap();
    eprintln!(
        "flood 2: rtp_unknown_payload_type +{}, rtp_invalid +{}, srtp_rejected +{}, \
         VP8 malformed +{}",
        m.rtp_unknown_payload_type - before.0.rtp_unknown_payload_type,
        m.rtp_invalid - before.0.rtp_invalid,
        t.srtp_rejected - before.1.srtp_rejected,
        depay.malformed_packets - depay_before.malformed_packets,
    );
    assert_eq!(
        m.rtp_unknown_payload_type - before.0.rtp_unknown_payload_type,
        sent_unknown
    );
    assert!(t.srtp_rejected - before.1.srtp_rejected >= overruns);
    assert!(m.rtp_invalid - before.0.rtp_invalid >= bad_padding, "{m:?}");
    // The empty VP8 payloads are malformed for the depayloader.
    assert!(depay.malformed_packets - depay_before.malformed_packets >= 100);
    let _ = odd_headers;
}

/// 3. A 6 MiB VP8 frame: no marker, S on the first packet only.
fn flood_huge_frame(h: &mut Hostile) {
    let before = h.d.a.depay_stats(H_VIDEO_SSRC).unwrap();
    h.video_ts = h.video_ts.wrapping_add(3000);
    let ts = h.video_ts;
    let chunk = 1150;
    let packets = (6 << 20) / chunk + 1;
    let mut payload = vec![0u8; chunk + 1];
    for i in 0..packets {
        payload[0] = if i == 0 { 0x10 } else { 0x00 };
        for (j, b) in payload[1..].iter_mut().enumerate() {
            *b = (i + j) as u8;
        }
        if i == 0 {
            payload[1..7].copy_from_slice(&VP8_KEY);
        }
        let seq = h.next_video_seq();
        let p = h.rtp(H_VIDEO_SSRC, PT_VP8, seq, ts, false, &payload);
        assert!(h.d.send_rtp(&p));
        if i % 50 == 0 {
            h.settle();
        }
    }
    h.settle();
    let depay = h.d.a.depay_stats(H_VIDEO_SSRC).unwrap();
    eprintln!("flood 3: {packets} packets; depay {depay:?}");
    assert_eq!(depay.oversized_frames - before.oversized_frames, 1);
    assert_eq!(depay.frames, before.frames, "nothing emitted");
}

/// 4. Sequence number chaos on the NACK-protected VP8 stream.
fn flood_sequence_chaos(h: &mut Hostile) {
    let before = (h.d.a.media_stats(), h.d.a.transport_stats());
    let nack_before = h.d.a.nack_stats(H_VIDEO_SSRC).unwrap();
    let seen_before = h.d.media.seen.clone();
    let skipped_before = h.d.a.reorder_skipped(H_VIDEO_SSRC).unwrap();
    let start = h.d.now;
    let delta = |seq: u16| {
        let mut p = vec![0x11];
        p.extend_from_slice(&seq.to_be_bytes());
        p
    };
    // Wild forward jumps (SRTP accepts up to 32767 ahead), single packets
    // and pairs.
    for i in 0..200u32 {
        h.video_seq = h.video_seq.wrapping_add(1000 + h.rng.u16() % 31_000);
        let n = 1 + i % 2;
        for _ in 0..n {
            let seq = h.next_video_seq();
            h.video_ts = h.video_ts.wrapping_add(h.rng.u32());
            let p = h.rtp(H_VIDEO_SSRC, PT_VP8, seq, h.video_ts, true, &delta(seq));
            assert!(h.d.send_rtp(&p));
        }
        h.settle();
    }
    h.run_for(Duration::from_millis(50));
    // Every other packet missing over 5,000 sequence numbers, a
    // millisecond apart: the reorder buffer and the NACK state fill.
    let mut sent = 0;
    for i in 0..2_500u32 {
        let seq = h.next_video_seq();
        h.video_seq = h.video_seq.wrapping_add(1);
        h.video_ts = h.video_ts.wrapping_add(if i % 3 == 0 { 3000 } else { 0 });
        let p = h.rtp(
            H_VIDEO_SSRC,
            PT_VP8,
            seq,
            h.video_ts,
            i % 3 == 2,
            &delta(seq),
        );
        assert!(h.d.send_rtp(&p));
        sent += 1;
        h.settle();
        h.tick();
    }
    // Duplicates: the same SRTP datagrams again (SRTP's replay window
    // refuses them), and older sequence numbers within the window.
    let mut dup = Vec::new();
    for _ in 0..20 {
        let seq = h.next_video_seq();
        let p = h.rtp(H_VIDEO_SSRC, PT_VP8, seq, h.video_ts, false, &delta(seq));
        dup.push(p);
    }
    for p in &dup {
        assert!(h.d.send_rtp(p));
    }
    for p in &dup {
        h.d.send_rtp(p);
    }
    h.settle();
    h.run_for(Duration::from_secs(2));
    let (m, t) = (h.d.a.media_stats(), h.d.a.transport_stats());
    let nack = h.d.a.nack_stats(H_VIDEO_SSRC).unwrap();
    let seen = &h.d.media.seen;
    let elapsed = h.d.now - start;
    let nacked = seen.nacked_seqs - seen_before.nacked_seqs;
    eprintln!(
        "flood 4 ({elapsed:?}): rtp_invalid +{}, srtp_rejected +{}, nacks_sent +{}, \
         {} sequence numbers NACKed, reorder skipped +{}, nack {:?}",
        m.rtp_invalid - before.0.rtp_invalid,
        t.srtp_rejected - before.1.srtp_rejected,
        m.nacks_sent - before.0.nacks_sent,
        nacked,
        h.d.a.reorder_skipped(H_VIDEO_SSRC).unwrap() - skipped_before,
        nack
    );
    // Wild jumps fail RFC 3550 validation (or reset the NACK state).
    assert!(m.rtp_invalid - before.0.rtp_invalid >= 100);
    assert!(nack.resets > nack_before.resets);
    // The NACK state kept at most its 1000 missing entries.
    assert!(nack.dropped > nack_before.dropped);
    // The exact duplicates stop at SRTP.
    assert!(t.srtp_rejected - before.1.srtp_rejected >= 20);
    // NACKs were sent, and bounded: each missing packet at most
    // NackConfig::default().max_requests (10) times.
    assert!(m.nacks_sent > before.0.nacks_sent);
    assert!(
        nacked <= 10 * (nack.missing - nack_before.missing),
        "{nacked}"
    );
    // The reorder buffer gave up the gaps instead of holding everything:
    // at most MAX_HELD_PACKETS wait at any time.
    assert!(
        h.d.a.reorder_skipped(H_VIDEO_SSRC).unwrap() - skipped_before
            >= (sent - MAX_HELD_PACKETS) as u64
    );
}

/// 5. RTX abuse.
fn flood_rtx(h: &mut Hostile) {
    let before = h.d.a.media_stats();
    // Without an OSN (0 or 1 byte of payload).
    for i in 0..200 {
        let seq = h.rtx_seq;
        h.rtx_seq = h.rtx_seq.wrapping_add(1);
        let payload: &[u8] = if i % 2 == 0 { &[] } else { &[0x42] };
        let p = h.rtp(H_RTX_SSRC, PT_RTX, seq, h.video_ts, false, payload);
        assert!(h.d.send_rtp(&p));
    }
    h.settle();
    let after_no_osn = h.d.a.media_stats();
    // An RTX payload type whose apt was never negotiated (103 is an RTX
    // type the connection knows for another codec, not offered here).
    for pt in [103u8, 99, 46, 98] {
        for _ in 0..50 {
            let seq = h.rtx_seq;
            h.rtx_seq = h.rtx_seq.wrapping_add(1);
            let p = h.rtp(H_RTX_SSRC, pt, seq, h.video_ts, false, &[0, 1, 0x10, 0]);
            assert!(h.d.send_rtp(&p));
        }
    }
    h.settle();
    let after_unknown = h.d.a.media_stats();
    // For sequence numbers never sent (far and near ahead, far behind) and
    // for ones received already (duplicates).
    for i in 0..2_000u32 {
        let osn = match i % 4 {
            0 => h.rng.u16(),
            1 => h.video_seq.wrapping_add(1 + (i as u16 % 200)),
            2 => h.video_seq.wrapping_sub(40_000),
            _ => h.video_seq.wrapping_sub(1),
        };
        let mut payload = osn.to_be_bytes().to_vec();
        payload.extend_from_slice(&[0x11, 0xde, 0xad]);
        let seq = h.rtx_seq;
        h.rtx_seq = h.rtx_seq.wrapping_add(1);
        let p = h.rtp(H_RTX_SSRC, PT_RTX, seq, h.video_ts, false, &payload);
        assert!(h.d.send_rtp(&p));
        if i % 100 == 0 {
            h.settle();
            h.run_for(Duration::from_millis(5));
        }
    }
    h.settle();
    h.run_for(Duration::from_secs(1));
    let m = h.d.a.media_stats();
    eprintln!(
        "flood 5: rtx_received +{}, rtx_recovered +{}, rtp_invalid +{}, \
         rtp_unknown_payload_type +{}",
        m.rtx_received - before.rtx_received,
        m.rtx_recovered - before.rtx_recovered,
        m.rtp_invalid - before.rtp_invalid,
        m.rtp_unknown_payload_type - before.rtp_unknown_payload_type
    );
    assert_eq!(after_no_osn.rtx_received - before.rtx_received, 200);
    assert_eq!(after_no_osn.rtx_recovered, before.rtx_recovered);
    assert_eq!(after_no_osn.rtp_invalid - before.rtp_invalid, 200);
    assert_eq!(
        after_unknown.rtp_unknown_payload_type - after_no_osn.rtp_unknown_payload_type,
        200
    );
    // The unknown payload types never count as RTX.
    assert_eq!(m.rtx_received - before.rtx_received, 2_200);
    // Duplicates and far jumps unwrap fine and then fail validation.
    assert!(m.rtp_invalid - after_unknown.rtp_invalid >= 500, "{m:?}");
}

/// 6. RTCP floods.
fn flood_rtcp(h: &mut Hostile) {
    // a sends video first, so that its history holds packets to resend.
    for _ in 0..30 {
        let now = h.d.now;
        h.a_ts = h.a_ts.wrapping_add(3000);
        let mut frame = VP8_KEY.to_vec();
        frame.resize(10_000, 0x33);
        h.d.a.write_frame(now, h.video, h.a_ts, &frame).unwrap();
        h.settle();
        h.run_for(Duration::from_millis(10));
    }
    let before = h.d.a.media_stats();
    let twcc_before = h.d.a.twcc_stats();
    let keyframes_before = h.keyframe_requests;
    let a_last = h.d.media.seen.last_seq[&h.a_video_ssrc];
    let a_ssrc = h.a_video_ssrc;
    let start = h.d.now;
    // 10,000 NACKs for random sequence numbers (and random bitmasks), a
    // tenth of them for the last packets a sent, 10 per millisecond.
    for i in 0..10_000u32 {
        let pid = if i % 10 == 0 {
            a_last.wrapping_sub(h.rng.u16() % 300)
        } else {
            h.rng.u16()
        };
        let nack = Nack {
            sender_ssrc: H_VIDEO_SSRC,
            media_ssrc: a_ssrc,
            pairs: vec![NackPair {
                pid,
                blp: h.rng.u16(),
            }],
        };
        let mut out = Vec::new();
        nack.write(&mut out);
        assert!(h.d.send_rtcp(&out));
        if i % 10 == 9 {
            h.settle();
            h.tick();
        }
    }
    h.settle();
    let elapsed = h.d.now - start;
    let m = h.d.a.media_stats();
    let resent = m.rtp_retransmitted - before.rtp_retransmitted;
    // At most what the history holds (1024 packets), once per round trip
    // (no report gave one: the default 100 ms) per packet.
    let rtts = elapsed.as_millis() as u64 / 100 + 1;
    eprintln!("flood 6: 10,000 NACKs over {elapsed:?}: {resent} packets resent");
    assert!(resent <= 1024 * rtts, "{resent} retransmissions");

    // The peer claims a round-trip time of zero (a receiver report whose
    // LSR is a's last SR and whose DLSR is the whole time since), then
    // NACKs the same 17 fresh packets 2,000 times at one instant: a still
    // resends each at most once.
    for _ in 0..3 {
        let now = h.d.now;
        h.a_ts = h.a_ts.wrapping_add(3000);
        let mut frame = VP8_KEY.to_vec();
        frame.resize(10_000, 0x44);
        h.d.a.write_frame(now, h.video, h.a_ts, &frame).unwrap();
        h.settle();
    }
    h.run_for(Duration::from_millis(1100));
    let (sr_ssrc, sr_ntp, sr_seen) = h.d.media.seen.last_sr.expect("a sends sender reports");
    assert_eq!(sr_ssrc, a_ssrc);
    for _ in 0..3 {
        let now = h.d.now;
        h.a_ts = h.a_ts.wrapping_add(3000);
        let mut frame = VP8_KEY.to_vec();
        frame.resize(10_000, 0x55);
        h.d.a.write_frame(now, h.video, h.a_ts, &frame).unwrap();
        h.settle();
    }
    let since = h.d.now - sr_seen;
    // A unit (15 µs) short of the whole time, for the compact timestamps'
    // truncation.
    let dlsr = ((since.as_secs_f64() * 65_536.0) as u32).saturating_sub(1);
    let mut out = Vec::new();
    ReceiverReport {
        ssrc: H_AUDIO_SSRC,
        reports: vec![ReportBlock {
            ssrc: a_ssrc,
            fraction_lost: 0,
            cumulative_lost: 0,
            extended_highest_sequence: 0,
            jitter: 0,
            last_sender_report: (sr_ntp >> 16) as u32,
            delay_since_last_sender_report: dlsr,
        }],
        profile_extensions: Vec::new(),
    }
    .write(&mut out);
    assert!(h.d.send_rtcp(&out));
    h.settle();
    let rtt =
        h.d.a
            .round_trip_time(h.video)
            .expect("the forged report gives an RTT");
    let a_last = h.d.media.seen.last_seq[&h.a_video_ssrc];
    let resent_before = h.d.a.media_stats().rtp_retransmitted;
    for i in 0..2_000u32 {
        let nack = Nack {
            sender_ssrc: H_VIDEO_SSRC,
            media_ssrc: a_ssrc,
            pairs: vec![NackPair {
                pid: a_last.wrapping_sub(16),
                blp: 0xffff,
            }],
        };
        let mut out = Vec::new();
        nack.write(&mut out);
        assert!(h.d.send_rtcp(&out));
        if i % 100 == 0 {
            h.settle();
        }
    }
    h.settle();
    let resent = h.d.a.media_stats().rtp_retransmitted - resent_before;
    eprintln!(
        "flood 6: RTT forced to {rtt:?}, then 2,000 NACKs of 17 packets at one instant: \
         {resent} packets resent"
    );
    assert!(rtt < Duration::from_millis(1), "{rtt:?}");
    // Regression: with a round-trip time of zero, every NACK resent all 17
    // packets (34,000 retransmissions, each ~1.2 KB, for 2,000 NACKs of
    // 16 bytes). Each packet goes once per interval, the interval at least
    // MIN_RESEND_INTERVAL.
    assert!(resent <= 17, "{resent} retransmissions");

    // PLI and FIR floods, for a's stream and random ones.
    for i in 0..5_000u32 {
        let media = if i % 2 == 0 { a_ssrc } else { h.rng.u32() };
        let mut out = Vec::new();
        Pli {
            sender_ssrc: H_VIDEO_SSRC,
            media_ssrc: media,
        }
        .write(&mut out);
        Fir {
            sender_ssrc: H_VIDEO_SSRC,
            media_ssrc: 0,
            entries: vec![
                FirEntry {
                    ssrc: media,
                    sequence: i as u8,
                };
                1 + (i % 8) as usize
            ],
        }
        .write(&mut out);
        assert!(h.d.send_rtcp(&out));
        if i % 100 == 0 {
            h.settle();
        }
    }
    h.settle();
    let keyframe_requests = h.keyframe_requests - keyframes_before;
    eprintln!("flood 6: 5,000 PLI + FIR compounds: {keyframe_requests} keyframe request events");
    // One event per PLI naming a's stream (2,500) and one per new FIR
    // command (2,500: the entries repeated within a packet carry the same
    // sequence number, RFC 5104 §4.3.1.2, and count once), none for the
    // random SSRCs.
    assert_eq!(keyframe_requests, 5_000);

    // SR and RR with 31 report blocks of random SSRCs, SDES with many
    // chunks.
    let invalid_before = h.d.a.media_stats().rtcp_invalid;
    for i in 0..1_000u32 {
        let blocks: Vec<ReportBlock> = (0..31)
            .map(|_| ReportBlock {
                ssrc: h.rng.u32(),
                fraction_lost: h.rng.u16() as u8,
                cumulative_lost: (h.rng.u32() >> 8) as i32,
                extended_highest_sequence: h.rng.u32(),
                jitter: h.rng.u32(),
                last_sender_report: h.rng.u32(),
                delay_since_last_sender_report: h.rng.u32(),
            })
            .collect();
        let mut out = Vec::new();
        if i % 2 == 0 {
            SenderReport {
                ssrc: H_VIDEO_SSRC,
                ntp_timestamp: h.rng.next(),
                rtp_timestamp: h.rng.u32(),
                packet_count: h.rng.u32(),
                octet_count: h.rng.u32(),
                reports: blocks,
                profile_extensions: Vec::new(),
            }
            .write(&mut out);
        } else {
            // (The sender SSRCs are the peer's own: SRTCP keeps state for
            // 256 sender SSRCs at most and refuses packets of others.)
            ReceiverReport {
                ssrc: H_AUDIO_SSRC,
                reports: blocks,
                profile_extensions: vec![0xee; 64],
            }
            .write(&mut out);
        }
        SourceDescription {
            chunks: (0..31)
                .map(|c| SdesChunk {
                    ssrc: h.rng.u32(),
                    items: vec![
                        SdesItem {
                            item_type: SdesItem::CNAME,
                            text: vec![b'c'; 200 + c],
                        },
                        SdesItem {
                            item_type: 8,
                            text: vec![b'p'; 40],
                        },
                    ],
                })
                .collect(),
        }
        .write(&mut out);
        assert!(h.d.send_rtcp(&out));
        if i % 50 == 0 {
            h.settle();
        }
    }
    h.settle();

    // Transport-wide feedback: status counts near 65535 (run-length chunks
    // of "not received" need no deltas), and large deltas at the extremes.
    let mut twcc_sent = 0u64;
    for i in 0..500u32 {
        let count: u16 = if i % 2 == 0 {
            65_535 - (i % 10) as u16
        } else {
            600 * 7
        };
        let mut body = Vec::new();
        body.extend_from_slice(&H_VIDEO_SSRC.to_be_bytes());
        body.extend_from_slice(&a_ssrc.to_be_bytes());
        body.extend_from_slice(&h.rng.u16().to_be_bytes());
        body.extend_from_slice(&count.to_be_bytes());
        body.extend_from_slice(&[0xff, 0xff, 0xff, i as u8]); // reference time, count
        if i % 2 == 0 {
            let mut covered = 0u32;
            while covered < u32::from(count) {
                body.extend_from_slice(&0x1fffu16.to_be_bytes()); // 8191 not received
                covered += 8191;
            }
        } else {
            // Two-bit vectors of large deltas up to the count, then the
            // deltas: ±32767.
            let chunks = u32::from(count) / 7;
            for _ in 0..chunks {
                body.extend_from_slice(&0xeaaau16.to_be_bytes()); // 7 × large delta
            }
            for k in 0..chunks * 7 {
                let d: i16 = if k % 2 == 0 { i16::MAX } else { i16::MIN };
                body.extend_from_slice(&d.to_be_bytes());
            }
        }
        let mut out = vec![0x80 | 15, 205, 0, 0];
        out.extend_from_slice(&body);
        while out.len() % 4 != 0 {
            out.push(0);
        }
        let words = (out.len() / 4 - 1) as u16;
        out[2..4].copy_from_slice(&words.to_be_bytes());
        assert!(h.d.send_rtcp(&out));
        twcc_sent += 1;
        if i % 20 == 0 {
            h.settle();
        }
    }
    h.settle();

    // Bad lengths, unknown types, truncated compounds.
    let mut malformed = 0;
    for i in 0..1_000u32 {
        let mut out = Vec::new();
        Pli {
            sender_ssrc: H_VIDEO_SSRC,
            media_ssrc: 7,
        }
        .write(&mut out);
        match i % 5 {
            // A length past the datagram.
            0 => out.extend_from_slice(&[0x81, 205, 0x40, 0x00, 1, 2, 3, 4]),
            // Unknown packet types (valid framing).
            1 => out.extend_from_slice(&[0x80, 210 + (i % 10) as u8, 0, 1, 9, 9, 9, 9]),
            // A truncated second packet.
            2 => out.extend_from_slice(&[0x80, 201, 0, 7, 1, 2]),
            // Version 1 in the middle.
            3 => out.extend_from_slice(&[0x40, 200, 0, 1, 0, 0, 0, 0]),
            // A NACK with a length of zero words after the header.
            _ => out.extend_from_slice(&[0x81, 205, 0, 0]),
        }
        malformed += 1;
        assert!(h.d.send_rtcp(&out));
        if i % 100 == 0 {
            h.settle();
        }
    }
    h.settle();
    h.run_for(Duration::from_millis(500));
    let m = h.d.a.media_stats();
    let twcc = h.d.a.twcc_stats();
    eprintln!(
        "flood 6: rtcp_received +{}, rtcp_invalid +{}, twcc feedback received +{} \
         (reported lost +{})",
        m.rtcp_received - before.rtcp_received,
        m.rtcp_invalid - invalid_before,
        twcc.feedback_received - twcc_before.feedback_received,
        twcc.reported_lost - twcc_before.reported_lost
    );
    assert_eq!(
        twcc.feedback_received - twcc_before.feedback_received,
        twcc_sent
    );
    // Every malformed compound had at least one packet that did not parse,
    // except the unknown types, which parse as raw packets.
    assert!(m.rtcp_invalid - invalid_before >= malformed * 3 / 5);
}

/// 7. Transport-wide sequence numbers jumping wildly (on the audio
///    stream, whose packets are otherwise in order).
fn flood_twcc_jumps(h: &mut Hostile) {
    let before = h.d.a.media_stats();
    let fb_before = h.d.media.seen.twcc;
    for i in 0..5_000u32 {
        let (seq, ts) = h.next_audio();
        // The extension's value is the test's, not the counter's.
        let jump = h.rng.u16();
        h.d.media.twcc_seq = if i % 3 == 0 { jump } else { h.d.media.twcc_seq };
        let p = h.rtp(
            H_AUDIO_SSRC,
            PT_OPUS,
            seq,
            ts,
            false,
            &[0xf8, 0xff, 0xfe, 1],
        );
        assert!(h.d.send_rtp(&p));
        if i % 10 == 0 {
            h.settle();
            h.tick();
            h.tick();
        }
    }
    h.settle();
    h.run_for(Duration::from_millis(500));
    let m = h.d.a.media_stats();
    let feedback = h.d.media.seen.twcc - fb_before;
    eprintln!(
        "flood 7: rtp_received +{}, transport-cc feedback packets to the peer +{feedback}, \
         twcc {:?}",
        m.rtp_received - before.rtp_received,
        h.d.a.twcc_stats()
    );
    assert_eq!(m.rtp_received - before.rtp_received, 5_000);
    // Feedback keeps flowing and stays bounded: one interval (100 ms) per
    // feedback round, each at most the window (32768 numbers) in 1200-byte
    // packets.
    assert!(feedback > 0);
    assert!(feedback < 5_000, "{feedback} feedback packets");
}
