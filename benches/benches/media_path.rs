//! The whole media path of a call, per packet: two connected peers in one
//! thread, and for every frame `write_frame` → payloader → RTP → SRTP →
//! the wire (each transmit handed at once to the other peer's
//! `handle_receive`) → SRTP → RTP routing → depayloader → the frame event,
//! drained. sansrtc's `RtcPeerConnection` beside str0m 0.9's `Rtc` (a
//! Sans-IO WebRTC crate too), wired the same way in the same run.
//!
//! Setup (untimed): a sends one track, b answers `recvonly`; offer/answer,
//! ICE and DTLS run in memory (no sockets) until both are connected, then a
//! warm-up of frames checks that every frame crosses as one RTP packet and
//! comes out as one frame event. Both negotiate their default SRTP profile,
//! `AEAD_AES_128_GCM`.
//!
//! Each timed iteration is 1000 frames, each one packet; per frame the
//! simulated clock advances one frame interval, due timers fire
//! (`handle_timeout`, `Input::Timeout`: RTCP reports are part of the cost,
//! as in a call), a writes the frame, and both peers are drained until
//! nothing is left to carry. Two sizes:
//!
//! - `opus-100`: 100-byte Opus frames, one every 20 ms of simulated time
//!   (timestamps 960 ticks apart at 48 kHz);
//! - `vp8-1000`: 1000-byte VP8 delta frames (after one keyframe in the
//!   warm-up), one every 3.3 ms (300 ticks at 90 kHz): 300 packets a
//!   second, about 2.5 Mbit/s, the packet rate of a 720p stream, so that
//!   per-stream timers (reports, transport-wide feedback) weigh per packet
//!   as they do in a video call. 1000 bytes is about
//!   the largest frame both send unsplit: str0m packetizes for a 1150-byte
//!   datagram (16 bytes kept for the SRTP tag), sansrtc for 1200, so a
//!   1100-byte frame would be two packets in str0m and one in sansrtc.
//!
//! Throughput is in packets (`Throughput::Elements(1000)` per iteration); the
//! ratio is str0m's median time over sansrtc's. Each side runs with its
//! default configuration: str0m also writes its default RTP header
//! extensions (abs-send-time, transport-wide sequence number, …) and keeps
//! sent video packets for retransmission; sansrtc writes the MID and
//! transport-wide sequence number extensions (24-byte RTP headers) and
//! keeps sent video packets for retransmission too (NACK is negotiated
//! for video). `SANSRTC_BENCH_CPU_TIME=1` measures the bench thread's CPU
//! time instead of wall-clock time (`support/cpu_time.rs`).
#![allow(missing_docs)]

#[path = "support/cpu_time.rs"]
mod cpu_time;

use std::hint::black_box;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant, SystemTime};

use criterion::measurement::Measurement;
use criterion::{BenchmarkId, Criterion, Throughput};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sansrtc::media::default_codecs;
use sansrtc::{
    CodecName, Machine, MediaEvent, MediaKind, MediaStreamTrack, Output, PeerConnectionState,
    PeerEvent, RtcConfiguration, RtcPeerConnection, TransceiverId,
};
use str0m::media::{Direction, Frequency, MediaKind as Str0mKind, MediaTime, Mid, Pt};
use str0m::{Candidate, Event, Input, Rtc};

/// Frames the untimed warm-up sends (and checks) before measuring.
const WARM_UP: usize = 200;
/// Frames (packets) per timed iteration: enough that one iteration lasts
/// milliseconds, which the CPU-time measurement needs (its clock advances
/// in scheduler ticks).
const BATCH: u64 = 1000;

/// One payload size of the bench.
#[derive(Clone, Copy)]
struct Shape {
    /// The criterion parameter.
    name: &'static str,
    kind: MediaKind,
    /// Frame bytes.
    size: usize,
    /// Simulated time between frames.
    interval: Duration,
    /// Media clock ticks between frames.
    ticks: u32,
    /// The media clock rate.
    clock_rate: u32,
}

const OPUS: Shape = Shape {
    name: "opus-100",
    kind: MediaKind::Audio,
    size: 100,
    interval: Duration::from_millis(20),
    ticks: 960,
    clock_rate: 48_000,
};

const VP8: Shape = Shape {
    name: "vp8-1000",
    kind: MediaKind::Video,
    size: 1000,
    interval: Duration::from_micros(3333),
    ticks: 300,
    clock_rate: 90_000,
};

impl Shape {
    /// A fake encoded frame: the codec's first bytes, then a pattern.
    /// `key` makes a VP8 keyframe (P bit clear, start code); audio frames
    /// start with an Opus TOC byte.
    fn frame(&self, key: bool) -> Vec<u8> {
        let head: &[u8] = match (self.kind, key) {
            (MediaKind::Audio, _) => &[0xfc],
            (_, true) => &[0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a],
            (_, false) => &[0x11],
        };
        let mut f = head.to_vec();
        f.extend((0..self.size - head.len()).map(|i| (i as u8).wrapping_mul(7).wrapping_add(3)));
        f
    }
}

/// What crossed a→b since the call started.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    /// RTP packets a sent b (RTCP not counted).
    rtp: u64,
    /// Their bytes on the wire (SRTP).
    rtp_bytes: u64,
    /// Frame events b gave.
    frames: u64,
}

/// Whether a datagram is RTP (not RTCP, STUN or DTLS): RFC 7983's first
/// byte, then RFC 5761's payload-type range for RTCP.
fn is_rtp(d: &[u8]) -> bool {
    d.len() >= 12 && (128..=191).contains(&d[0]) && !(64..=95).contains(&(d[1] & 0x7f))
}

/// One call, whichever implementation.
trait Call {
    /// Advances one frame interval, fires due timers, writes `frame` on a
    /// and carries every datagram until both peers are drained.
    fn send(&mut self, frame: &[u8]);
    fn counts(&self) -> Counts;
}

// ---------------------------------------------------------------- sansrtc

const ADDR_A: &str = "127.0.0.1:5001";
const ADDR_B: &str = "127.0.0.1:5002";

struct Ours {
    a: RtcPeerConnection,
    b: RtcPeerConnection,
    sender: TransceiverId,
    now: Instant,
    next_a: Option<Instant>,
    next_b: Option<Instant>,
    timestamp: u32,
    shape: Shape,
    counts: Counts,
}

fn our_peer(seed: u64, addr: &str, now: Instant) -> RtcPeerConnection {
    let mut pc = RtcPeerConnection::new(
        RtcConfiguration::default(),
        ChaCha20Rng::seed_from_u64(seed),
        now,
        SystemTime::now(), // sansio-allow: bench anchor of the certificate's validity
    )
    .expect("peer connection");
    pc.add_local_address(now, addr.parse().unwrap())
        .expect("address");
    pc
}

/// Drains `from` (its transmits to `to`, its events counted when `to_b`
/// is false, i.e. `from` is b); returns whether anything was carried.
fn drain_ours(
    from: &mut RtcPeerConnection,
    to: &mut RtcPeerConnection,
    now: Instant,
    next: &mut Option<Instant>,
    from_a: bool,
    counts: &mut Counts,
) -> bool {
    let mut moved = false;
    let mut fired = false;
    loop {
        match from.poll_output() {
            Output::Transmit(t) => {
                moved = true;
                if from_a && is_rtp(&t.contents) {
                    counts.rtp += 1;
                    counts.rtp_bytes += t.contents.len() as u64;
                }
                to.handle_receive_owned(now, t.into_received());
            }
            Output::Event(PeerEvent::Media(MediaEvent::Frame { data, .. })) => {
                black_box(&data);
                if !from_a {
                    counts.frames += 1;
                }
            }
            Output::Event(e) => {
                black_box(&e);
            }
            Output::Timeout(at) => {
                // A timer already due fires now, once per drain.
                if at.is_some_and(|at| at <= now) && !fired {
                    fired = true;
                    from.handle_timeout(now);
                    continue;
                }
                *next = at;
                return moved;
            }
        }
    }
}

impl Ours {
    fn new(shape: Shape) -> Ours {
        let now = Instant::now(); // sansio-allow: bench anchor of the simulated clock
        let mut a = our_peer(1, ADDR_A, now);
        let mut b = our_peer(2, ADDR_B, now);
        let sender = a
            .add_track(MediaStreamTrack::new("track", shape.kind), &["s"])
            .unwrap();
        if shape.kind == MediaKind::Video {
            let vp8 = default_codecs(MediaKind::Video)
                .into_iter()
                .filter(|c| c.name == CodecName::Vp8)
                .collect();
            a.set_codec_preferences(sender, vp8).unwrap();
        }
        let offer = a.create_offer(now).unwrap();
        a.set_local_description(now, offer).unwrap();
        b.set_remote_description(now, a.local_description().unwrap())
            .unwrap();
        let answer = b.create_answer().unwrap();
        b.set_local_description(now, answer).unwrap();
        a.set_remote_description(now, b.local_description().unwrap())
            .unwrap();
        let mut call = Ours {
            a,
            b,
            sender,
            now,
            next_a: None,
            next_b: None,
            timestamp: 0,
            shape,
            counts: Counts::default(),
        };
        let deadline = now + Duration::from_secs(30);
        while !(call.a.connection_state() == PeerConnectionState::Connected
            && call.b.connection_state() == PeerConnectionState::Connected)
        {
            assert!(call.now < deadline, "sansrtc: the peers did not connect");
            if !call.carry() {
                let next = [call.next_a, call.next_b].into_iter().flatten().min();
                call.now = call
                    .now
                    .max(next.unwrap_or(call.now + Duration::from_millis(10)));
                call.fire_timers();
            }
        }
        call
    }

    fn fire_timers(&mut self) {
        if self.next_a.is_some_and(|t| t <= self.now) {
            self.a.handle_timeout(self.now);
        }
        if self.next_b.is_some_and(|t| t <= self.now) {
            self.b.handle_timeout(self.now);
        }
    }

    /// Drains both peers, carrying their datagrams, until neither sends.
    fn carry(&mut self) -> bool {
        let mut any = false;
        loop {
            let ab = drain_ours(
                &mut self.a,
                &mut self.b,
                self.now,
                &mut self.next_a,
                true,
                &mut self.counts,
            );
            let ba = drain_ours(
                &mut self.b,
                &mut self.a,
                self.now,
                &mut self.next_b,
                false,
                &mut self.counts,
            );
            if !(ab || ba) {
                return any;
            }
            any = true;
        }
    }
}

impl Call for Ours {
    fn send(&mut self, frame: &[u8]) {
        self.now += self.shape.interval;
        self.timestamp = self.timestamp.wrapping_add(self.shape.ticks);
        self.fire_timers();
        self.a
            .write_frame(self.now, self.sender, self.timestamp, frame)
            .expect("write_frame");
        self.carry();
    }
    fn counts(&self) -> Counts {
        self.counts
    }
}

// ------------------------------------------------------------------ str0m

struct Theirs {
    a: Rtc,
    b: Rtc,
    mid: Mid,
    pt: Pt,
    now: Instant,
    next_a: Instant,
    next_b: Instant,
    media_time: u64,
    shape: Shape,
    counts: Counts,
}

/// Drains `from` into `to`, as [`drain_ours`].
fn drain_theirs(
    from: &mut Rtc,
    to: &mut Rtc,
    now: Instant,
    next: &mut Instant,
    from_a: bool,
    counts: &mut Counts,
) -> bool {
    let mut moved = false;
    let mut fired = false;
    loop {
        match from.poll_output().expect("str0m poll_output") {
            str0m::Output::Transmit(t) => {
                moved = true;
                if from_a && is_rtp(&t.contents) {
                    counts.rtp += 1;
                    counts.rtp_bytes += t.contents.len() as u64;
                }
                let receive =
                    str0m::net::Receive::new(t.proto, t.source, t.destination, &t.contents)
                        .expect("a datagram str0m reads");
                to.handle_input(Input::Receive(now, receive))
                    .expect("str0m receive");
            }
            str0m::Output::Event(Event::MediaData(m)) => {
                black_box(&m.data);
                if !from_a {
                    counts.frames += 1;
                }
            }
            str0m::Output::Event(e) => {
                black_box(&e);
            }
            str0m::Output::Timeout(at) => {
                if at <= now && !fired {
                    fired = true;
                    from.handle_input(Input::Timeout(now))
                        .expect("str0m timeout");
                    continue;
                }
                *next = at;
                return moved;
            }
        }
    }
}

impl Theirs {
    fn new(shape: Shape) -> Theirs {
        let now = Instant::now(); // sansio-allow: bench anchor of the simulated clock
        let mut a = Rtc::builder().build();
        let mut b = Rtc::builder().build();
        let addr_a: SocketAddr = (Ipv4Addr::new(127, 0, 0, 1), 5001).into();
        let addr_b: SocketAddr = (Ipv4Addr::new(127, 0, 0, 1), 5002).into();
        a.add_local_candidate(Candidate::host(addr_a, "udp").unwrap());
        b.add_local_candidate(Candidate::host(addr_b, "udp").unwrap());
        let kind = match shape.kind {
            MediaKind::Audio => Str0mKind::Audio,
            _ => Str0mKind::Video,
        };
        let mut change = a.sdp_api();
        let mid = change.add_media(kind, Direction::SendOnly, None, None, None);
        let (offer, pending) = change.apply().unwrap();
        let answer = b.sdp_api().accept_offer(offer).unwrap();
        a.sdp_api().accept_answer(pending, answer).unwrap();
        let codec = match shape.kind {
            MediaKind::Audio => str0m::format::Codec::Opus,
            _ => str0m::format::Codec::Vp8,
        };
        let pt = a
            .codec_config()
            .find(|p| p.spec().codec == codec)
            .expect("codec configured")
            .pt();
        let mut call = Theirs {
            a,
            b,
            mid,
            pt,
            now,
            next_a: now,
            next_b: now,
            media_time: 0,
            shape,
            counts: Counts::default(),
        };
        call.fire_timers();
        let deadline = now + Duration::from_secs(30);
        while !(call.a.is_connected() && call.b.is_connected()) {
            assert!(call.now < deadline, "str0m: the peers did not connect");
            if !call.carry() {
                call.now = call.now.max(call.next_a.min(call.next_b));
                call.fire_timers();
            }
        }
        call
    }

    fn fire_timers(&mut self) {
        if self.next_a <= self.now {
            self.a.handle_input(Input::Timeout(self.now)).unwrap();
        }
        if self.next_b <= self.now {
            self.b.handle_input(Input::Timeout(self.now)).unwrap();
        }
    }

    fn carry(&mut self) -> bool {
        let mut any = false;
        loop {
            let ab = drain_theirs(
                &mut self.a,
                &mut self.b,
                self.now,
                &mut self.next_a,
                true,
                &mut self.counts,
            );
            let ba = drain_theirs(
                &mut self.b,
                &mut self.a,
                self.now,
                &mut self.next_b,
                false,
                &mut self.counts,
            );
            if !(ab || ba) {
                return any;
            }
            any = true;
        }
    }
}

impl Call for Theirs {
    fn send(&mut self, frame: &[u8]) {
        self.now += self.shape.interval;
        self.media_time += u64::from(self.shape.ticks);
        self.fire_timers();
        let time = MediaTime::new(
            self.media_time,
            Frequency::from_nonzero(self.shape.clock_rate.try_into().unwrap()),
        );
        self.a
            .writer(self.mid)
            .expect("the sending media")
            .write(self.pt, self.now, time, frame)
            .expect("str0m write");
        self.carry();
    }
    fn counts(&self) -> Counts {
        self.counts
    }
}

// ------------------------------------------------------------------ bench

/// Sends the warm-up frames (a keyframe first) and checks that each one
/// crossed as one packet and came out as one frame.
fn warm_up(call: &mut impl Call, shape: Shape, who: &str) {
    let before = call.counts();
    call.send(&shape.frame(true));
    let frame = shape.frame(false);
    for _ in 1..WARM_UP {
        call.send(&frame);
    }
    let after = call.counts();
    let sent = after.rtp - before.rtp;
    let got = after.frames - before.frames;
    assert_eq!(
        (sent, got),
        (WARM_UP as u64, WARM_UP as u64),
        "{who} {}: {WARM_UP} frames should be as many packets and frame events",
        shape.name
    );
    eprintln!(
        "{who} {}: {} bytes per SRTP packet on the wire",
        shape.name,
        (after.rtp_bytes - before.rtp_bytes) / sent
    );
}

fn media_path<M: Measurement>(c: &mut Criterion<M>) {
    let mut group = c.benchmark_group("media path");
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(20);
    group.throughput(Throughput::Elements(BATCH));
    for shape in [OPUS, VP8] {
        let frame = shape.frame(false);
        let mut ours = Ours::new(shape);
        warm_up(&mut ours, shape, "sansrtc");
        group.bench_with_input(BenchmarkId::new("sansrtc", shape.name), &shape, |b, _| {
            b.iter(|| (0..BATCH).for_each(|_| ours.send(&frame)))
        });
        let mut theirs = Theirs::new(shape);
        warm_up(&mut theirs, shape, "str0m");
        group.bench_with_input(BenchmarkId::new("str0m", shape.name), &shape, |b, _| {
            b.iter(|| (0..BATCH).for_each(|_| theirs.send(&frame)))
        });
        // Whatever was measured, every frame crossed.
        for (who, counts) in [("sansrtc", ours.counts()), ("str0m", theirs.counts())] {
            assert_eq!(
                counts.rtp, counts.frames,
                "{who} {}: {counts:?}",
                shape.name
            );
        }
    }
    group.finish();
}

cpu_time::main_with_cpu_time!(media_path);
