//! Media calls: A sends one track to B (B answers `recvonly`) over netsim
//! links with delay and loss, the whole stack underneath (ICE, DTLS-SRTP,
//! RTP/RTCP, NACK and RTX for video).
//!
//! - `call/audio-loss`: 10 s of Opus-sized frames (80–120 bytes every
//!   20 ms) through 10 % loss: about 90 % arrive (audio has no NACK),
//!   every one intact and in order; RTCP flows both ways and A knows the
//!   round-trip time from B's reports.
//! - `call/video-loss`: 10 s of VP8 at 30 fps (fake frames of 3–10 kB, a
//!   keyframe every 2 s) through 10 % loss: NACK + RTX recover at least
//!   99 % of the lost media packets; frames delivered whole are counted.
//! - `call/pli-keyframe`: B asks for a keyframe (PLI on odd seeds, FIR on
//!   even ones) after 30, 90 and 150 frames; A's application answers each
//!   `KeyframeRequest` by writing a keyframe at once; B sees it within 1 s.
//!
//! Frames carry their index after the codec's first bytes, so B knows
//! which arrived and whether whole. The media phase runs the network
//! directly (`run_media`): after the connection is up nothing is
//! signalled, and the frames stay out of the harness's event trace.
//!
//! What the table of `cargo xtask sim` shows: as time to goal, the media
//! delay rather than the connect time of the other `call/` scenarios —
//! the longest delay of a frame delivered whole (A's `write_frame` to B's
//! frame event; with NACK, what recovery costs) for `call/audio-loss` and
//! `call/video-loss`, the longest keyframe delay for `call/pli-keyframe`;
//! as throughput, the bytes of the frames delivered whole per second of
//! media. Every figure of a run ([`MediaFigures`]) is in
//! its failure message, and the media tests print them per seed.

use std::fmt;
use std::time::Duration;

use rand_chacha::rand_core::RngCore;
use sansrtc::media::default_codecs;
use sansrtc::{
    CodecName, MediaEvent, MediaKind, MediaStreamTrack, PeerEvent, RtcConfiguration, TransceiverId,
};
use sansrtc_netsim::{Fate, LinkConfig, Loss, RunOutcome};

use super::harness::{Call, Side, SignalingOptions};
use super::{outcome, public_pair_on, PUBLIC_A, PUBLIC_B};
use crate::ice::sa;
use crate::setup::network;
use crate::{Outcome, Scenario, ScenarioInput};

/// The RNG stream of frame sizes (the peers use 1 and 2, signaling 3).
const FRAME_STREAM: u64 = 10;

/// One-way delay of each access link; A to B crosses two, so one way
/// takes 30–38 ms with the jitter.
const LINK_DELAY: Duration = Duration::from_millis(15);
/// Extra delay per packet and link, uniform in `0..=LINK_JITTER`; packets
/// keep their order (a path, not a load balancer).
const LINK_JITTER: Duration = Duration::from_millis(4);

/// End-to-end random loss of the lossy scenarios (each direction).
const LOSS: f64 = 0.10;

/// How long media is sent.
const MEDIA_TIME: Duration = Duration::from_secs(10);

/// The start of a VP8 keyframe (frame tag with P = 0, the start code).
const VP8_KEY: [u8; 6] = [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a];
/// The start of a VP8 interframe (P = 1).
const VP8_DELTA: [u8; 1] = [0x11];
/// An Opus TOC byte (SILK wideband, 20 ms, one frame).
const OPUS_TOC: [u8; 1] = [0x48];

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "call/audio-loss",
            description: "A sends 10 s of Opus-sized frames (80-120 B every 20 ms) to B through 10% loss each way (30-38 ms one way): 85-95% arrive (no NACK for audio), each intact and in order; RTCP both ways, A's round-trip time from B's reports 50-120 ms; time to goal: the longest frame delay, throughput: the frames delivered",
            default_seeds: 5,
            cases: 1,
            run: |input| audio_loss(input).map(|(o, _)| o),
        },
        Scenario {
            name: "call/video-loss",
            description: "A sends 10 s of VP8 (30 fps, 3-10 kB frames, a keyframe every 2 s) to B through 10% loss each way (30-38 ms one way): NACK + RTX recover >= 99% of the lost media packets (B's nack_stats: recovered / (recovered + given up + dropped)); every frame delivered is intact, at least 98% of them whole; time to goal: the longest frame delay, throughput: the frames delivered whole",
            default_seeds: 5,
            cases: 1,
            run: |input| video_loss(input).map(|(o, _)| o),
        },
        Scenario {
            name: "call/pli-keyframe",
            description: "VP8 at 30 fps, no loss, 30-38 ms one way: B requests a keyframe (PLI on odd seeds, FIR on even) after 30, 90 and 150 frames; A's application gets each KeyframeRequest and writes a keyframe; B sees it within 1 s of its request (time to goal: the longest delay)",
            default_seeds: 4,
            cases: 2,
            run: |input| pli_keyframe(input).map(|(o, _)| o),
        },
    ]
}

/// What one media run measured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediaFigures {
    /// When both connections were connected (since the offer).
    pub connect: Duration,
    /// Frames A wrote.
    pub frames_sent: u64,
    /// Frames B received intact (each index once).
    pub frames_whole: u64,
    /// Frames B received that were not what A sent (must be none).
    pub frames_corrupt: u64,
    /// The indices of the frames B did not receive whole.
    pub frames_missing: Vec<u32>,
    /// The median and the longest delay of a frame received whole, from
    /// A's `write_frame` to B's frame event.
    pub frame_delay: (Duration, Duration),
    /// Keyframes B received.
    pub keyframes: u64,
    /// Datagrams from A to B lost on the links, and all sent from A to B
    /// during the whole run (ICE, DTLS, SRTP, SRTCP).
    pub link_lost_a_to_b: (u64, u64),
    /// A's round-trip time of its stream, from B's reports.
    pub rtt: Option<Duration>,
    /// RTCP packets A and B received.
    pub rtcp_received: (u64, u64),
    /// NACK packets B sent and packets A retransmitted.
    pub nacks_and_retransmissions: (u64, u64),
    /// B's NACK counters of A's stream: missing, reordered, requested,
    /// recovered, given up, dropped.
    pub nack: Option<[u64; 6]>,
    /// recovered / (recovered + given up + dropped) of [`Self::nack`].
    pub recovery: Option<f64>,
    /// Media packets B never got at the end: expected − (received −
    /// duplicates) of its receive statistics.
    pub never_received: Option<i64>,
    /// Per keyframe request: when B asked (since the start) and how long
    /// until a keyframe written after the request arrived.
    pub keyframe_delays: Vec<(Duration, Option<Duration>)>,
}

impl MediaFigures {
    /// The fraction of frames sent that B received whole.
    pub fn delivered(&self) -> f64 {
        if self.frames_sent == 0 {
            0.0
        } else {
            self.frames_whole as f64 / self.frames_sent as f64
        }
    }
}

impl fmt::Display for MediaFigures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "connect {} ms; frames {}/{} whole ({:.1}%), {} keyframes, {} corrupt; link A->B lost {}/{}",
            self.connect.as_millis(),
            self.frames_whole,
            self.frames_sent,
            100.0 * self.delivered(),
            self.keyframes,
            self.frames_corrupt,
            self.link_lost_a_to_b.0,
            self.link_lost_a_to_b.1,
        )?;
        if !self.frames_missing.is_empty() && self.frames_missing.len() <= 20 {
            write!(f, " (missing {:?})", self.frames_missing)?;
        }
        write!(
            f,
            "; frame delay median {:.1} ms max {:.1} ms",
            self.frame_delay.0.as_secs_f64() * 1e3,
            self.frame_delay.1.as_secs_f64() * 1e3
        )?;
        match self.rtt {
            Some(rtt) => write!(f, "; rtt {:.1} ms", rtt.as_secs_f64() * 1e3)?,
            None => write!(f, "; rtt unknown")?,
        }
        write!(
            f,
            "; rtcp received A {} B {}; nacks {} retransmitted {}",
            self.rtcp_received.0,
            self.rtcp_received.1,
            self.nacks_and_retransmissions.0,
            self.nacks_and_retransmissions.1
        )?;
        if let Some([missing, reordered, requested, recovered, given_up, dropped]) = self.nack {
            write!(
                f,
                "; nack missing {missing} reordered {reordered} requested {requested} recovered {recovered} given up {given_up} dropped {dropped}"
            )?;
        }
        if let Some(r) = self.recovery {
            write!(f, "; recovery {:.4}", r)?;
        }
        if let Some(n) = self.never_received {
            write!(f, "; never received {n}")?;
        }
        for (at, delay) in &self.keyframe_delays {
            match delay {
                Some(d) => write!(
                    f,
                    "; keyframe asked at {} ms came in {:.1} ms",
                    at.as_millis(),
                    d.as_secs_f64() * 1e3
                )?,
                None => write!(f, "; keyframe asked at {} ms never came", at.as_millis())?,
            }
        }
        Ok(())
    }
}

/// The figures of one run of the media scenario `name` (for tests and
/// for investigating a seed); `None` if `name` is not one of them.
pub fn figures(name: &str, input: &ScenarioInput) -> Option<Result<MediaFigures, String>> {
    runner(name).map(|run| run(input).map(|(_, f)| f))
}

/// A run of a media scenario with its figures.
type Runner = fn(&ScenarioInput) -> Result<(Outcome, MediaFigures), String>;

/// The run behind the media scenario `name`.
fn runner(name: &str) -> Option<Runner> {
    match name {
        "call/audio-loss" => Some(audio_loss),
        "call/video-loss" => Some(video_loss),
        "call/pli-keyframe" => Some(pli_keyframe),
        _ => None,
    }
}

/// An access link of [`LINK_DELAY`] ± [`LINK_JITTER`] in order, two of
/// which in a row lose `loss` end to end.
fn media_link(loss: f64) -> LinkConfig {
    LinkConfig {
        delay: LINK_DELAY,
        jitter: LINK_JITTER,
        jitter_keeps_order: true,
        loss: if loss > 0.0 {
            Loss::Independent(1.0 - (1.0 - loss).sqrt())
        } else {
            Loss::None
        },
        ..LinkConfig::default()
    }
}

/// A fake encoded frame of `len` bytes: the codec's first bytes, the
/// index (4 bytes, big-endian), then a pattern of the index.
fn frame(first: &[u8], index: u32, len: usize) -> Vec<u8> {
    let mut f = first.to_vec();
    f.extend_from_slice(&index.to_be_bytes());
    let tail = len.saturating_sub(f.len());
    f.extend((0..tail).map(|k| (k as u32).wrapping_mul(31).wrapping_add(index) as u8));
    f
}

/// The index a frame carries, given how many codec bytes precede it.
fn index_of(data: &[u8], header: usize) -> Option<u32> {
    let bytes = data.get(header..header + 4)?;
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

/// The codec bytes before the index: VP8 keyframes have six, interframes
/// one; Opus one.
fn header_len(kind: MediaKind, data: &[u8]) -> usize {
    match (kind, data.first()) {
        (MediaKind::Video, Some(b)) if b & 0x01 == 0 => VP8_KEY.len(),
        _ => 1,
    }
}

/// A frame B received.
#[derive(Debug, Clone)]
struct Got {
    at: Duration,
    index: Option<u32>,
    intact: bool,
    keyframe: bool,
}

/// The call with A sending one track to B.
struct MediaCall {
    call: Call,
    kind: MediaKind,
    /// A's sending transceiver.
    sender: TransceiverId,
    /// B's receiving transceiver (from its `track` event).
    receiver: TransceiverId,
    /// A's media SSRC.
    ssrc: u32,
    /// Every frame A wrote, by index.
    sent: Vec<Vec<u8>>,
    /// When A wrote each (since the start).
    sent_at: Vec<Duration>,
    /// Every frame B received, in order.
    got: Vec<Got>,
    /// A's keyframe requests: when and whether FIR.
    requests: Vec<(Duration, bool)>,
    figures: MediaFigures,
}

impl MediaCall {
    /// A and B on the internet, each behind a [`media_link`] losing
    /// `loss`; A adds a track of `kind` (video: VP8 and its RTX only) and
    /// offers; runs until both are connected.
    fn connect(input: &ScenarioInput, kind: MediaKind, loss: f64) -> Result<MediaCall, String> {
        let (mut net, _) = network(input);
        let (a, b) = public_pair_on(
            &mut net,
            RtcConfiguration::default(),
            RtcConfiguration::default(),
            media_link(loss),
        )?;
        let mut call = Call::new(net, a, b, SignalingOptions::default());
        let label = match kind {
            MediaKind::Audio => "mic",
            MediaKind::Video => "cam",
        };
        let sender = call
            .pc(Side::A)
            .add_track(MediaStreamTrack::new(label, kind), &["s"])
            .map_err(|e| format!("A addTrack: {e}"))?;
        if kind == MediaKind::Video {
            let vp8: Vec<_> = default_codecs(MediaKind::Video)
                .into_iter()
                .filter(|c| {
                    c.name == CodecName::Vp8 || (c.name == CodecName::Rtx && c.apt() == Some(96))
                })
                .collect();
            call.pc(Side::A)
                .set_codec_preferences(sender, vp8)
                .map_err(|e| format!("A setCodecPreferences: {e}"))?;
        }
        call.offer(Side::A)?;
        let connect = call.until_connected(Duration::from_secs(30))?;
        call.check_errors()?;
        let receiver = call.events[Side::B.index()]
            .iter()
            .find_map(|(_, e)| match e {
                PeerEvent::Track(t) if t.kind == kind => Some(t.transceiver),
                _ => None,
            })
            .ok_or("B had no track event")?;
        if kind == MediaKind::Video {
            let answer = call
                .peer(Side::A)
                .remote_description()
                .ok_or("A has no answer")?
                .sdp;
            if !answer.contains("a=rtcp-fb:96 nack\r\n") || !answer.contains("apt=96") {
                return Err(format!("B's answer has no NACK or RTX for VP8:\n{answer}"));
            }
        }
        let ssrc = call
            .peer(Side::A)
            .transceiver(sender)
            .ok_or("A lost its transceiver")?
            .sender
            .ssrc;
        Ok(MediaCall {
            call,
            kind,
            sender,
            receiver,
            ssrc,
            sent: Vec::new(),
            sent_at: Vec::new(),
            got: Vec::new(),
            requests: Vec::new(),
            figures: MediaFigures {
                connect,
                ..MediaFigures::default()
            },
        })
    }

    /// A writes `data` (frame number `sent.len()`) at the current instant,
    /// stamped with the media clock of `media_start` + now.
    fn write(&mut self, media_start: Duration, data: Vec<u8>) -> Result<(), String> {
        let now = self.call.net.now();
        let clock = match self.kind {
            MediaKind::Audio => 48_000,
            MediaKind::Video => 90_000,
        };
        let since = self.call.elapsed().saturating_sub(media_start);
        let ts = (since.as_micros() * clock / 1_000_000) as u32;
        let sender = self.sender;
        self.call
            .pc(Side::A)
            .write_frame(now, sender, ts, &data)
            .map_err(|e| format!("A write_frame #{}: {e}", self.sent.len()))?;
        self.sent.push(data);
        self.sent_at.push(self.call.elapsed());
        Ok(())
    }

    /// Notes one event; returns it when the scenario should react.
    fn note(&mut self, side: Side, event: PeerEvent) -> Option<PeerEvent> {
        let at = self.call.elapsed();
        match (side, &event) {
            (
                Side::B,
                PeerEvent::Media(MediaEvent::Frame {
                    transceiver,
                    data,
                    keyframe,
                    ..
                }),
            ) if *transceiver == self.receiver => {
                let index = index_of(data, header_len(self.kind, data));
                let intact = index
                    .and_then(|i| self.sent.get(i as usize))
                    .is_some_and(|s| s == data);
                self.got.push(Got {
                    at,
                    index,
                    intact,
                    keyframe: *keyframe,
                });
                Some(event)
            }
            (
                Side::A,
                PeerEvent::Media(MediaEvent::KeyframeRequest {
                    transceiver,
                    full_intra,
                }),
            ) if *transceiver == self.sender => {
                self.requests.push((at, *full_intra));
                Some(event)
            }
            _ => None,
        }
    }

    /// Runs the network until `until` (since the start), noting every
    /// event of either peer as it happens and handing the frames and
    /// keyframe requests to `react`.
    fn run_media(
        &mut self,
        until: Duration,
        mut react: impl FnMut(&mut MediaCall, Side, PeerEvent) -> Result<(), String>,
    ) -> Result<(), String> {
        let end = self.call.net.start() + until;
        let (a, b) = (self.call.a, self.call.b);
        loop {
            for side in [Side::A, Side::B] {
                let id = if side == Side::A { a } else { b };
                for event in self.call.net.take_events(&id) {
                    if let Some(event) = self.note(side, event) {
                        react(self, side, event)?;
                    }
                }
            }
            if self.call.net.now() >= end {
                return Ok(());
            }
            let outcome = self.call.net.run_until(end, |n| {
                n.events(&a).next().is_some() || n.events(&b).next().is_some()
            });
            if outcome == RunOutcome::EventLimit {
                return Err("the simulator's event limit was hit".into());
            }
        }
    }

    /// Fills the figures from what happened and the connections' counters.
    fn measure(&self) -> MediaFigures {
        let mut f = self.figures.clone();
        f.frames_sent = self.sent.len() as u64;
        let mut seen = vec![false; self.sent.len()];
        let mut delays = Vec::new();
        for g in &self.got {
            match g.index {
                Some(i) if g.intact && !seen[i as usize] => {
                    seen[i as usize] = true;
                    f.frames_whole += 1;
                    delays.push(g.at.saturating_sub(self.sent_at[i as usize]));
                }
                _ => f.frames_corrupt += 1,
            }
            f.keyframes += u64::from(g.keyframe);
        }
        delays.sort();
        f.frame_delay = (
            delays.get(delays.len() / 2).copied().unwrap_or_default(),
            delays.last().copied().unwrap_or_default(),
        );
        f.frames_missing = (0u32..)
            .zip(&seen)
            .filter(|(_, seen)| !**seen)
            .map(|(i, _)| i)
            .collect();
        let (from, to) = (sa(PUBLIC_A).ip(), sa(PUBLIC_B).ip());
        let a_to_b = self
            .call
            .net
            .trace()
            .records()
            .iter()
            .filter(|r| r.from.ip() == from && r.to.ip() == to);
        for r in a_to_b {
            f.link_lost_a_to_b.1 += 1;
            f.link_lost_a_to_b.0 += u64::from(r.fate == Fate::Lost);
        }
        let (pa, pb) = (self.call.peer(Side::A), self.call.peer(Side::B));
        let (sa_, sb) = (pa.media_stats(), pb.media_stats());
        f.rtt = pa.round_trip_time(self.sender);
        f.rtcp_received = (sa_.rtcp_received, sb.rtcp_received);
        f.nacks_and_retransmissions = (sb.nacks_sent, sa_.rtp_retransmitted);
        if let Some(n) = pb.nack_stats(self.ssrc) {
            f.nack = Some([
                n.missing,
                n.reordered,
                n.requested,
                n.recovered,
                n.given_up,
                n.dropped,
            ]);
            let lost = n.recovered + n.given_up + n.dropped;
            f.recovery = (lost > 0).then(|| n.recovered as f64 / lost as f64);
        }
        if let Some(stats) = pb.receive_stats(self.ssrc) {
            let distinct = stats.received().saturating_sub(stats.duplicates());
            f.never_received =
                Some(i64::try_from(stats.expected()).unwrap_or(i64::MAX) - distinct as i64);
        }
        f
    }

    /// Frames B received out of order (audio has no reorder buffer, and
    /// the links keep order: none expected).
    fn out_of_order(&self) -> usize {
        self.got
            .windows(2)
            .filter(|w| matches!((w[0].index, w[1].index), (Some(x), Some(y)) if y <= x))
            .count()
    }

    /// The outcome: `time_to_goal` and, with `throughput`, the bytes of
    /// the frames delivered whole per second of media.
    fn outcome(&self, time_to_goal: Duration, throughput: bool, capture: bool) -> Outcome {
        let mut seen = vec![false; self.sent.len()];
        let mut bytes = 0u64;
        for g in self.got.iter().filter(|g| g.intact) {
            if let Some(i) = g.index.map(|i| i as usize) {
                if !std::mem::replace(&mut seen[i], true) {
                    bytes += self.sent[i].len() as u64;
                }
            }
        }
        outcome(
            &self.call,
            time_to_goal,
            throughput.then_some((bytes, MEDIA_TIME)),
            capture,
        )
    }
}

/// Frames are only noted.
fn ignore(_: &mut MediaCall, _: Side, _: PeerEvent) -> Result<(), String> {
    Ok(())
}

fn audio_loss(input: &ScenarioInput) -> Result<(Outcome, MediaFigures), String> {
    const FRAME: Duration = Duration::from_millis(20);
    let mut m = MediaCall::connect(input, MediaKind::Audio, LOSS)?;
    let mut rng = m.call.net.rng_for(FRAME_STREAM);
    let t0 = m.call.elapsed();
    let count = (MEDIA_TIME.as_millis() / FRAME.as_millis()) as u32;
    for i in 0..count {
        m.run_media(t0 + FRAME * i, ignore)?;
        let size = 80 + (rng.next_u32() % 41) as usize;
        m.write(t0, frame(&OPUS_TOC, i, size))?;
    }
    // The last frames arrive; a report or two more each way.
    m.run_media(t0 + MEDIA_TIME + Duration::from_secs(2), ignore)?;
    let f = m.measure();
    let fail = |what: String| Err(format!("{what}: {f}"));
    if f.frames_corrupt > 0 {
        return fail(format!("{} frames were not what A sent", f.frames_corrupt));
    }
    if m.out_of_order() > 0 {
        return fail(format!("{} frames out of order", m.out_of_order()));
    }
    // 500 frames at 10% loss: 90% ± 1.3% (σ); 85-95% is beyond 3.5σ.
    let delivered = f.delivered();
    if !(0.85..=0.95).contains(&delivered) {
        return fail(format!(
            "{:.1}% of the frames arrived, 85-95% expected at 10% loss without NACK",
            100.0 * delivered
        ));
    }
    if f.nacks_and_retransmissions != (0, 0) || f.nack.is_some() {
        return fail("audio was NACKed or retransmitted".into());
    }
    // Every packet B got is one frame.
    let received = m
        .call
        .peer(Side::B)
        .receive_stats(m.ssrc)
        .map_or(0, |s| s.received());
    if received != f.frames_whole {
        return fail(format!(
            "B's statistics count {received} packets for {} frames",
            f.frames_whole
        ));
    }
    // About one report a second each way for 12 s, a tenth lost.
    if f.rtcp_received.0 < 5 || f.rtcp_received.1 < 5 {
        return fail("too few RTCP packets received".into());
    }
    // Two links of 15-19 ms each way: 60-76 ms, and the reports' 1/65536 s.
    match f.rtt {
        Some(rtt) if (Duration::from_millis(50)..=Duration::from_millis(120)).contains(&rtt) => {}
        _ => return fail("A's round-trip time is unknown or off".into()),
    }
    m.call.check_errors()?;
    Ok((m.outcome(f.frame_delay.1, true, input.capture), f))
}

/// A VP8 frame `i` of the scenarios: a keyframe of 8-10 kB when `key`,
/// else an interframe of 3-6 kB.
fn vp8_frame(rng: &mut impl RngCore, i: u32, key: bool) -> Vec<u8> {
    if key {
        frame(&VP8_KEY, i, 8000 + (rng.next_u32() % 2001) as usize)
    } else {
        frame(&VP8_DELTA, i, 3000 + (rng.next_u32() % 3001) as usize)
    }
}

/// The time of frame `i` at 30 fps.
fn frame_time(i: u32) -> Duration {
    Duration::from_nanos(u64::from(i) * 1_000_000_000 / 30)
}

fn video_loss(input: &ScenarioInput) -> Result<(Outcome, MediaFigures), String> {
    const KEYFRAME_EVERY: u32 = 60;
    let mut m = MediaCall::connect(input, MediaKind::Video, LOSS)?;
    let mut rng = m.call.net.rng_for(FRAME_STREAM);
    let t0 = m.call.elapsed();
    let count = (MEDIA_TIME.as_secs() * 30) as u32;
    for i in 0..count {
        m.run_media(t0 + frame_time(i), ignore)?;
        let data = vp8_frame(&mut rng, i, i % KEYFRAME_EVERY == 0);
        m.write(t0, data)?;
    }
    // Room for the last requests, their retries and give-ups (10 requests
    // a round trip apart) and the reorder buffer's 500 ms.
    m.run_media(t0 + MEDIA_TIME + Duration::from_secs(3), ignore)?;
    let f = m.measure();
    let fail = |what: String| Err(format!("{what}: {f}"));
    if f.frames_corrupt > 0 {
        return fail(format!("{} frames were not what A sent", f.frames_corrupt));
    }
    let Some(recovery) = f.recovery else {
        return fail("B found no media packet missing at 10% loss".into());
    };
    if recovery < 0.99 {
        return fail(format!(
            "NACK + RTX recovered {:.2}% of the lost media packets, 99% required",
            100.0 * recovery
        ));
    }
    // A frame goes only when a packet stays lost past the reorder buffer's
    // 500 ms, or when the stream's first packets are lost (B cannot know
    // them: its sequence space starts at the first packet it gets).
    if f.delivered() < 0.98 {
        return fail(format!(
            "{:.1}% of the frames arrived whole, 98% expected with NACK + RTX",
            100.0 * f.delivered()
        ));
    }
    if f.nacks_and_retransmissions.0 == 0 || f.nacks_and_retransmissions.1 == 0 {
        return fail("no NACK or no retransmission".into());
    }
    m.call.check_errors()?;
    Ok((m.outcome(f.frame_delay.1, true, input.capture), f))
}

fn pli_keyframe(input: &ScenarioInput) -> Result<(Outcome, MediaFigures), String> {
    /// B asks after it has received this many frames.
    const ASK_AFTER: [usize; 3] = [30, 90, 150];
    const COUNT: u32 = 180;
    const LIMIT: Duration = Duration::from_secs(1);
    let full_intra = input.seed % 2 == 0;
    let mut m = MediaCall::connect(input, MediaKind::Video, 0.0)?;
    let mut rng = m.call.net.rng_for(FRAME_STREAM);
    let t0 = m.call.elapsed();
    // When B asked, and how many frames A had written by then.
    let mut asked: Vec<(Duration, usize)> = Vec::new();
    let mut react = |m: &mut MediaCall, side: Side, event: PeerEvent| -> Result<(), String> {
        match (side, event) {
            (Side::B, PeerEvent::Media(MediaEvent::Frame { .. })) => {
                if ASK_AFTER.contains(&m.got.len()) {
                    let now = m.call.net.now();
                    let receiver = m.receiver;
                    m.call
                        .pc(Side::B)
                        .request_keyframe(now, receiver, full_intra)
                        .map_err(|e| format!("B request_keyframe: {e}"))?;
                    asked.push((m.call.elapsed(), m.sent.len()));
                }
                Ok(())
            }
            (Side::A, PeerEvent::Media(MediaEvent::KeyframeRequest { .. })) => {
                // The application's encoder answers with a keyframe now.
                let i = m.sent.len() as u32;
                let data = vp8_frame(&mut rng, i, true);
                m.write(t0, data)
            }
            _ => Ok(()),
        }
    };
    let mut frames_rng = m.call.net.rng_for(FRAME_STREAM + 1);
    for i in 0..COUNT {
        m.run_media(t0 + frame_time(i), &mut react)?;
        let index = m.sent.len() as u32;
        let data = vp8_frame(&mut frames_rng, index, i == 0);
        m.write(t0, data)?;
    }
    m.run_media(t0 + frame_time(COUNT) + Duration::from_secs(1), &mut react)?;
    let mut f = m.measure();
    // The first keyframe B got of those A wrote after the request.
    for &(at, written) in &asked {
        let came = m
            .got
            .iter()
            .find(|g| g.keyframe && g.index.is_some_and(|i| i as usize >= written))
            .map(|g| g.at - at);
        f.keyframe_delays.push((at, came));
    }
    let fail = |what: String| Err(format!("{what}: {f}"));
    if asked.len() != ASK_AFTER.len() {
        return fail(format!("B asked {} times", asked.len()));
    }
    let expected: Vec<bool> = vec![full_intra; ASK_AFTER.len()];
    let got: Vec<bool> = m.requests.iter().map(|(_, fir)| *fir).collect();
    if got != expected {
        return fail(format!(
            "A's keyframe requests (FIR?) {got:?}, expected {expected:?}"
        ));
    }
    if f.frames_corrupt > 0 || f.frames_whole != f.frames_sent {
        return fail("without loss every frame arrives whole".into());
    }
    if f.keyframes != 1 + ASK_AFTER.len() as u64 {
        return fail("one keyframe at the start and one per request expected".into());
    }
    let mut worst = Duration::ZERO;
    for (at, delay) in &f.keyframe_delays {
        match delay {
            Some(d) if *d <= LIMIT => worst = worst.max(*d),
            _ => {
                return fail(format!(
                    "the keyframe asked for at {} ms did not arrive within {LIMIT:?}",
                    at.as_millis()
                ))
            }
        }
    }
    m.call.check_errors()?;
    Ok((m.outcome(worst, false, input.capture), f))
}

#[cfg(test)]
#[path = "media_tests.rs"]
mod tests;
