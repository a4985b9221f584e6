//! The receiver's NACK generator (RFC 4585 §6.2.1), as libwebrtc's
//! `NackRequester` runs it: the sequence numbers missing from a source are
//! tracked in a bounded window, requested after a short reordering delay,
//! requested again every round-trip time up to a maximum, then given up.
//!
//! Everything is bounded: at most [`NackConfig::max_missing`] sequence
//! numbers are tracked (older ones are dropped and counted), entries more
//! than [`NackConfig::max_jump`] behind the newest packet are dropped, and a
//! jump of more than `max_jump` either way clears the state (a restarted or
//! hostile source costs nothing).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::rtcp::Nack;

/// How a [`NackGenerator`] requests and bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NackConfig {
    /// How long a missing packet may be late (reordered) before the first
    /// request.
    pub reorder_delay: Duration,
    /// How many times a missing packet is requested (the first request and
    /// the retries) before it is given up, one round-trip time after the
    /// last request.
    pub max_requests: u32,
    /// The shortest time between two requests for the same packet,
    /// whatever the round-trip time passed in.
    pub min_retry_interval: Duration,
    /// The most missing sequence numbers tracked; the oldest are dropped
    /// past it.
    pub max_missing: usize,
    /// A packet further than this from the newest (ahead or behind) clears
    /// the state and starts over from it; missing entries further than
    /// this behind the newest are dropped. At most 32767 (clamped).
    pub max_jump: u16,
}

impl Default for NackConfig {
    /// 10 ms reordering delay, 10 requests at least 5 ms apart, 1000
    /// missing packets, jumps of 3000.
    fn default() -> Self {
        NackConfig {
            reorder_delay: Duration::from_millis(10),
            max_requests: 10,
            min_retry_interval: Duration::from_millis(5),
            max_missing: 1000,
            max_jump: 3000,
        }
    }
}

/// The round-trip time assumed until [`NackGenerator::poll_nacks`] is
/// given one.
pub const DEFAULT_RTT: Duration = Duration::from_millis(100);

/// The most NACK entries (PID/BLP pairs) [`NackGenerator::poll_rtcp`] puts
/// in one RTCP packet: 250 pairs make a 1012-byte packet.
pub const MAX_NACK_PAIRS: usize = 250;

/// Counters of a [`NackGenerator`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NackStats {
    /// Sequence numbers found missing (gaps seen), dropped ones included.
    pub missing: u64,
    /// Requests sent: each sequence number in each NACK, retries included.
    pub requested: u64,
    /// Missing packets that arrived after they were requested (late or
    /// retransmitted).
    pub recovered: u64,
    /// Missing packets that arrived before they were requested
    /// (reordering).
    pub reordered: u64,
    /// Missing packets given up after the last request.
    pub given_up: u64,
    /// Missing packets dropped unrequested or before their last request:
    /// over [`NackConfig::max_missing`], too far behind, or cleared by a
    /// jump.
    pub dropped: u64,
    /// Packets that cleared the state (jumps over
    /// [`NackConfig::max_jump`]).
    pub resets: u64,
}

/// What [`NackGenerator::on_packet`] made of a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NackPacketStatus {
    /// The source's first packet.
    First,
    /// Newer than any before (sequence numbers skipped, if any, are now
    /// missing).
    InOrder,
    /// A missing packet, before it was requested.
    Reordered,
    /// A missing packet, after it was requested.
    Recovered,
    /// Older than the newest and not missing: a duplicate, or a packet
    /// given up or dropped.
    Untracked,
    /// Further than [`NackConfig::max_jump`] from the newest: the state
    /// was cleared and starts over from this packet.
    Reset,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Missing {
    /// When the gap was seen.
    created: Instant,
    /// When it was last requested.
    sent_at: Option<Instant>,
    /// Requests sent.
    requests: u32,
}

/// The NACK generator of one media source.
///
/// ```
/// use std::time::{Duration, Instant};
/// use sansrtc_rtp::NackGenerator;
///
/// let t0 = Instant::now(); // in a real stack: the caller's clock
/// let rtt = Duration::from_millis(50);
/// let mut nacks = NackGenerator::default();
/// nacks.on_packet(65534, t0);
/// nacks.on_packet(1, t0); // 65535 and 0 are missing
/// assert_eq!(nacks.poll_nacks(t0, rtt), [0u16; 0]); // may still be reordered
/// let due = nacks.next_timeout().unwrap();
/// assert_eq!(due, t0 + Duration::from_millis(10));
/// assert_eq!(nacks.poll_nacks(due, rtt), [65535, 0]);
/// nacks.on_packet(65535, due + rtt / 2); // retransmitted
/// assert_eq!(nacks.poll_nacks(due + rtt, rtt), [0]);
/// assert_eq!(nacks.stats().recovered, 1);
/// ```
#[derive(Debug, Clone)]
pub struct NackGenerator {
    config: NackConfig,
    /// Extended sequence number of the newest packet.
    newest: Option<u64>,
    missing: BTreeMap<u64, Missing>,
    rtt: Duration,
    keyframe_wanted: bool,
    stats: NackStats,
}

impl Default for NackGenerator {
    fn default() -> Self {
        NackGenerator::new(NackConfig::default())
    }
}

/// The first packet's extended sequence number starts here, so that late
/// packets before it extend without underflow.
const EXT_START: u64 = 1 << 32;

impl NackGenerator {
    /// A generator with this configuration (`max_jump` clamped to 32767).
    pub fn new(config: NackConfig) -> Self {
        let config = NackConfig {
            max_jump: config.max_jump.min(0x7fff),
            ..config
        };
        NackGenerator {
            config,
            newest: None,
            missing: BTreeMap::new(),
            rtt: DEFAULT_RTT,
            keyframe_wanted: false,
            stats: NackStats::default(),
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> NackConfig {
        self.config
    }

    /// The counters.
    pub fn stats(&self) -> NackStats {
        self.stats
    }

    /// The newest sequence number received.
    pub fn newest(&self) -> Option<u16> {
        self.newest.map(|n| n as u16)
    }

    /// How many sequence numbers are missing (tracked).
    pub fn missing_count(&self) -> usize {
        self.missing.len()
    }

    /// The missing sequence numbers, oldest first.
    pub fn missing(&self) -> impl Iterator<Item = u16> + '_ {
        self.missing.keys().map(|&e| e as u16)
    }

    /// Whether missing packets were dropped without being requested to the
    /// end (too many missing, a jump) since the last call: the decoder may
    /// need a keyframe (a PLI). Clears the flag.
    pub fn take_keyframe_request(&mut self) -> bool {
        std::mem::take(&mut self.keyframe_wanted)
    }

    fn drop_missing(&mut self, n: u64) {
        if n > 0 {
            self.stats.dropped += n;
            self.keyframe_wanted = true;
        }
    }

    /// Records a received packet of the source (original or recovered by
    /// RTX: the original sequence number) that arrived at `now`.
    pub fn on_packet(&mut self, seq: u16, now: Instant) -> NackPacketStatus {
        let Some(newest) = self.newest else {
            self.newest = Some(EXT_START + u64::from(seq));
            return NackPacketStatus::First;
        };
        let delta = i64::from(seq.wrapping_sub(newest as u16) as i16);
        let ext = newest.wrapping_add_signed(delta);
        if delta.unsigned_abs() > u64::from(self.config.max_jump) {
            self.drop_missing(self.missing.len() as u64);
            self.missing.clear();
            self.stats.resets += 1;
            self.newest = Some(ext);
            return NackPacketStatus::Reset;
        }
        if delta <= 0 {
            return match self.missing.remove(&ext) {
                Some(m) if m.requests > 0 => {
                    self.stats.recovered += 1;
                    NackPacketStatus::Recovered
                }
                Some(_) => {
                    self.stats.reordered += 1;
                    NackPacketStatus::Reordered
                }
                None => NackPacketStatus::Untracked,
            };
        }
        // newest+1 .. ext are missing; only the last max_missing of them
        // can be kept.
        let gap = ext - newest - 1;
        self.stats.missing += gap;
        let cap = self.config.max_missing as u64;
        let kept = gap.min(cap);
        self.drop_missing(gap - kept);
        let entry = Missing {
            created: now,
            sent_at: None,
            requests: 0,
        };
        for e in ext - kept..ext {
            self.missing.insert(e, entry);
        }
        self.newest = Some(ext);
        let oldest_allowed = ext.saturating_sub(u64::from(self.config.max_jump));
        let mut dropped = 0;
        while let Some((&first, _)) = self.missing.first_key_value() {
            if self.missing.len() as u64 <= cap && first >= oldest_allowed {
                break;
            }
            self.missing.pop_first();
            dropped += 1;
        }
        self.drop_missing(dropped);
        NackPacketStatus::InOrder
    }

    /// When `m` is next due (first request or retry), if ever.
    fn due(&self, m: &Missing) -> Option<Instant> {
        match m.sent_at {
            None => m.created.checked_add(self.config.reorder_delay),
            Some(t) => t.checked_add(self.rtt.max(self.config.min_retry_interval)),
        }
    }

    /// The sequence numbers to request now, oldest first, given the
    /// current round-trip time estimate `rtt`; marks them requested.
    /// Packets requested `max_requests` times whose last request is a
    /// round-trip time old are given up instead.
    pub fn poll_nacks(&mut self, now: Instant, rtt: Duration) -> Vec<u16> {
        let mut out = Vec::new();
        self.poll_nacks_into(now, rtt, &mut out);
        out
    }

    /// [`NackGenerator::poll_nacks`] appending to `out`; returns how many
    /// were appended.
    pub fn poll_nacks_into(&mut self, now: Instant, rtt: Duration, out: &mut Vec<u16>) -> usize {
        self.rtt = rtt;
        let interval = rtt.max(self.config.min_retry_interval);
        let (reorder_delay, max_requests) = (self.config.reorder_delay, self.config.max_requests);
        let before = out.len();
        let mut given_up = 0;
        self.missing.retain(|&ext, m| {
            let due = match m.sent_at {
                None => m.created.checked_add(reorder_delay),
                Some(t) => t.checked_add(interval),
            };
            if !due.is_some_and(|d| now >= d) {
                return true;
            }
            if m.requests >= max_requests {
                given_up += 1;
                return false;
            }
            m.requests += 1;
            m.sent_at = Some(now);
            out.push(ext as u16);
            true
        });
        self.stats.given_up += given_up;
        let n = out.len() - before;
        self.stats.requested += n as u64;
        n
    }

    /// [`NackGenerator::poll_nacks`] as RTCP Generic NACK packets from
    /// `sender_ssrc` about `media_ssrc`, at most [`MAX_NACK_PAIRS`]
    /// entries each; empty when nothing is due.
    pub fn poll_rtcp(
        &mut self,
        now: Instant,
        rtt: Duration,
        sender_ssrc: u32,
        media_ssrc: u32,
    ) -> Vec<Nack> {
        let lost = self.poll_nacks(now, rtt);
        if lost.is_empty() {
            return Vec::new();
        }
        let all = Nack::from_lost(sender_ssrc, media_ssrc, &lost);
        all.pairs
            .chunks(MAX_NACK_PAIRS)
            .map(|pairs| Nack {
                sender_ssrc,
                media_ssrc,
                pairs: pairs.to_vec(),
            })
            .collect()
    }

    /// When [`NackGenerator::poll_nacks`] next has something to do (a
    /// request, a retry or giving up), with the round-trip time last
    /// passed to it; `None` when nothing is missing.
    pub fn next_timeout(&self) -> Option<Instant> {
        self.missing.values().filter_map(|m| self.due(m)).min()
    }

    /// Forgets the source's state (the counters are kept).
    pub fn reset(&mut self) {
        self.newest = None;
        self.missing.clear();
    }
}
