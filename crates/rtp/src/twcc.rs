//! Transport-wide congestion control
//! (draft-holmer-rmcat-transport-wide-cc-extensions-01): the 2-byte
//! transport-wide sequence number header extension and its counter with
//! the send times on the sender's side, and the arrival recorder that
//! writes the RTCP transport feedback ([`crate::rtcp::TransportCc`]) on
//! the receiver's side.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use sansrtc_rtp::{TransportSequencer, TwccRecorder};
//!
//! let t0 = Instant::now(); // in a real stack: the caller's clock
//! let mut sender = TransportSequencer::new(65534);
//! let mut receiver = TwccRecorder::default();
//! for i in 0..4u32 {
//!     let sent = t0 + Duration::from_millis(10 * u64::from(i));
//!     let seq = sender.on_send(sent, 1200); // into the header extension
//!     if i != 2 {
//!         receiver.on_packet(seq, sent + Duration::from_millis(30));
//!     }
//! }
//! let feedback = receiver.poll_feedback(t0 + Duration::from_millis(100), 1, 2);
//! assert_eq!(feedback.len(), 1);
//! let results = sender.feedback_results(&feedback[0]);
//! let lost: Vec<u16> = results.iter().filter(|r| r.arrival_us.is_none()).map(|r| r.sequence).collect();
//! assert_eq!(lost, [0]);
//! assert_eq!(results[1].send_time, Some(t0 + Duration::from_millis(10)));
//! ```

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::rtcp::{delta_units, TransportCc};
use crate::RtpHeader;

/// The header extension's URI in SDP (`a=extmap`).
pub const TRANSPORT_CC_URI: &str =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

/// The transport-wide sequence number in the header extension element with
/// id `id` (the first such element, 2 bytes of data), if there is one.
pub fn transport_sequence(header: &RtpHeader<'_>, id: u8) -> Option<u16> {
    header
        .extensions()
        .map_while(Result::ok)
        .find(|e| e.id == id)
        .and_then(|e| <[u8; 2]>::try_from(e.data).ok())
        .map(u16::from_be_bytes)
}

/// Writes `seq` into the transport-wide sequence number element with id
/// `id` of the RTP packet `packet`, in place (for a packet built before
/// its transport sequence number was known, or an RTX packet copied from
/// its original). Returns whether the packet is RTP with such an element
/// of 2 bytes (one-byte or two-byte form); nothing is changed otherwise.
pub fn set_transport_sequence(packet: &mut [u8], id: u8, seq: u16) -> bool {
    let Some(at) = element_offset(packet, id) else {
        return false;
    };
    packet[at..at + 2].copy_from_slice(&seq.to_be_bytes());
    true
}

/// The offset in `packet` of the data of the first extension element with
/// id `id`, if it has 2 bytes.
fn element_offset(packet: &[u8], id: u8) -> Option<usize> {
    let h = RtpHeader::parse(packet).ok()?;
    let one_byte = match h.extension_profile()? {
        0xbede => true,
        p if p & 0xfff0 == 0x1000 => false,
        _ => return None,
    };
    let start = h.header_len() - h.extension_data().len();
    let data = h.extension_data();
    let mut at = 0;
    while let Some(&b) = data.get(at) {
        let (element_id, len, data_at) = if one_byte {
            match b >> 4 {
                0 => {
                    at += 1;
                    continue;
                }
                15 => return None,
                i => (i, usize::from(b & 0x0f) + 1, at + 1),
            }
        } else {
            if b == 0 {
                at += 1;
                continue;
            }
            (b, usize::from(*data.get(at + 1)?), at + 2)
        };
        if data_at + len > data.len() {
            return None;
        }
        if element_id == id {
            return (len == 2).then_some(start + data_at);
        }
        at = data_at + len;
    }
    None
}

/// A packet the [`TransportSequencer`] numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TwccSentPacket {
    /// Its transport-wide sequence number extended (rollovers counted
    /// from the initial one).
    pub extended_sequence: u64,
    /// When it was sent.
    pub send_time: Instant,
    /// Its size as the caller gave it.
    pub size: usize,
}

/// One packet of a feedback packet, matched with its send record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TwccPacketResult {
    /// The transport-wide sequence number.
    pub sequence: u16,
    /// When it was sent, if the sequencer still remembers it.
    pub send_time: Option<Instant>,
    /// Its size, if remembered.
    pub size: Option<usize>,
    /// Arrival time in µs in the receiver's clock (see
    /// [`TransportCc::packets`]); `None` if not received.
    pub arrival_us: Option<i64>,
}

/// The most send records a [`TransportSequencer`] keeps.
pub const MAX_SEND_RECORDS: usize = 1 << 15;

/// The sender's transport-wide sequence numbers (one counter for every
/// packet on the transport, wrapping at 65535) and the send times of the
/// last `capacity` of them.
#[derive(Debug, Clone)]
pub struct TransportSequencer {
    /// Extended number of the next packet.
    next: u64,
    capacity: usize,
    slots: Vec<Option<TwccSentPacket>>,
}

impl TransportSequencer {
    /// A counter starting at `initial` (libwebrtc starts at 1), keeping
    /// the send records of the last 4096 packets.
    pub fn new(initial: u16) -> Self {
        TransportSequencer::with_capacity(initial, 4096)
    }

    /// The same keeping `capacity` records (1 to [`MAX_SEND_RECORDS`]).
    pub fn with_capacity(initial: u16, capacity: usize) -> Self {
        TransportSequencer {
            next: (1 << 32) + u64::from(initial),
            capacity: capacity.clamp(1, MAX_SEND_RECORDS),
            slots: Vec::new(),
        }
    }

    /// The sequence number the next packet gets.
    pub fn next_sequence(&self) -> u16 {
        self.next as u16
    }

    /// Numbers a packet of `size` bytes sent at `now` and records it;
    /// returns the sequence number for its header extension.
    pub fn on_send(&mut self, now: Instant, size: usize) -> u16 {
        if self.slots.is_empty() {
            self.slots = vec![None; self.capacity];
        }
        let ext = self.next;
        self.next += 1;
        let i = crate::ring_index(ext, self.capacity);
        self.slots[i] = Some(TwccSentPacket {
            extended_sequence: ext,
            send_time: now,
            size,
        });
        ext as u16
    }

    /// The record of the packet numbered `seq`, if it is among the last
    /// `capacity` sent.
    pub fn sent(&self, seq: u16) -> Option<TwccSentPacket> {
        let last = self.next.checked_sub(1)?;
        let delta = i64::from(seq.wrapping_sub(last as u16) as i16);
        let ext = last.checked_add_signed(delta)?;
        if ext > last {
            return None;
        }
        let slot = self.slots.get(crate::ring_index(ext, self.capacity))?;
        slot.filter(|s| s.extended_sequence == ext)
    }

    /// Every packet `feedback` reports, with its send record.
    pub fn feedback_results(&self, feedback: &TransportCc) -> Vec<TwccPacketResult> {
        feedback
            .packets()
            .map(|(sequence, arrival_us)| {
                let sent = self.sent(sequence);
                TwccPacketResult {
                    sequence,
                    send_time: sent.map(|s| s.send_time),
                    size: sent.map(|s| s.size),
                    arrival_us,
                }
            })
            .collect()
    }
}

/// How a [`TwccRecorder`] bounds and paces its feedback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TwccRecorderConfig {
    /// How many sequence numbers behind the newest are kept (1 to 32768,
    /// clamped): older arrivals are dropped, older packets refused.
    pub window: usize,
    /// The time between feedback packets that
    /// [`TwccRecorder::next_timeout`] asks for.
    pub interval: Duration,
    /// The largest RTCP packet [`TwccRecorder::poll_feedback`] writes, in
    /// bytes (at least 64 is used); more packets are split.
    pub max_packet_size: usize,
    /// How long arrivals already reported are kept, to be reported again
    /// if an older packet arrives late.
    pub back_window: Duration,
}

impl Default for TwccRecorderConfig {
    /// A window of 2^15, feedback every 100 ms, 1200-byte packets, 500 ms
    /// of reported arrivals kept.
    fn default() -> Self {
        TwccRecorderConfig {
            window: 1 << 15,
            interval: Duration::from_millis(100),
            max_packet_size: 1200,
            back_window: Duration::from_millis(500),
        }
    }
}

/// What [`TwccRecorder::on_packet`] made of a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TwccPacketStatus {
    /// Recorded for the next feedback.
    Recorded,
    /// Already recorded: the first arrival is kept.
    Duplicate,
    /// Further behind the newest than the window, or more than
    /// [`MAX_LATE_ARRIVAL_DEPTH`] held arrivals behind the newest: ignored
    /// (a second one following it behind the window restarts the
    /// recorder).
    TooOld,
    /// The second of two sequential packets behind the window: the
    /// recorder restarted from them (a restarted sender).
    Restarted,
}

/// How far back among the held arrivals a late packet may be inserted:
/// each insert moves at most this many entries, so a peer sending its
/// packets in a hostile order cannot make an arrival cost more than a
/// short copy (the window holds up to 2^15 arrivals; a packet that late is
/// of no use to congestion control anyway).
pub const MAX_LATE_ARRIVAL_DEPTH: usize = 1024;

/// Counters of a [`TwccRecorder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TwccRecorderStats {
    /// Packets recorded.
    pub recorded: u64,
    /// Duplicates ignored.
    pub duplicates: u64,
    /// Packets behind the window ignored.
    pub too_old: u64,
    /// Arrivals dropped from the window before they were reported.
    pub dropped: u64,
    /// Restarts.
    pub restarts: u64,
    /// Feedback packets written.
    pub feedback_packets: u64,
}

/// The receiver's record of transport-wide sequence numbers and arrival
/// times, which writes the transport feedback for everything since the
/// last feedback (libwebrtc's `RemoteEstimatorProxy` in periodic mode).
///
/// Arrival times are kept in µs from the first packet's arrival (the base);
/// a time before it counts as the base. The feedback's reference time is
/// in 64 ms units from the base.
#[derive(Debug, Clone)]
pub struct TwccRecorder {
    config: TwccRecorderConfig,
    base: Option<Instant>,
    /// (extended sequence number, arrival in µs from the base), in
    /// ascending sequence order: packets arrive mostly in order, so a new
    /// one is pushed at the back and the oldest leave from the front
    /// (a late one is inserted at its place, moving the shorter side).
    arrivals: VecDeque<(u64, u64)>,
    newest: Option<u64>,
    /// The first extended sequence number the next feedback reports.
    window_start: u64,
    /// A packet behind the window: its sequence number and arrival.
    behind: Option<(u16, Instant)>,
    feedback_count: u8,
    last_feedback: Option<Instant>,
    /// Arrival of the first packet not yet reported.
    pending_since: Option<Instant>,
    stats: TwccRecorderStats,
}

impl Default for TwccRecorder {
    fn default() -> Self {
        TwccRecorder::new(TwccRecorderConfig::default())
    }
}

/// The least packet size honoured: the fixed part plus a few chunks and
/// deltas, so that one received packet always fits.
const MIN_PACKET_SIZE: usize = 64;
/// µs per receive delta unit.
const DELTA_US: i128 = 250;
/// µs per reference time unit.
const REFERENCE_US: u64 = 64_000;

impl TwccRecorder {
    /// A recorder with this configuration.
    pub fn new(config: TwccRecorderConfig) -> Self {
        let config = TwccRecorderConfig {
            window: config.window.clamp(1, 1 << 15),
            max_packet_size: config.max_packet_size.max(MIN_PACKET_SIZE),
            ..config
        };
        TwccRecorder {
            config,
            base: None,
            arrivals: VecDeque::new(),
            newest: None,
            window_start: 0,
            behind: None,
            feedback_count: 0,
            last_feedback: None,
            pending_since: None,
            stats: TwccRecorderStats::default(),
        }
    }

    /// The configuration in use (clamped).
    pub fn config(&self) -> TwccRecorderConfig {
        self.config
    }

    /// The counters.
    pub fn stats(&self) -> TwccRecorderStats {
        self.stats
    }

    /// The instant arrival times are measured from (the first packet's
    /// arrival).
    pub fn base(&self) -> Option<Instant> {
        self.base
    }

    /// Arrivals held (reported ones within the back window included).
    pub fn len(&self) -> usize {
        self.arrivals.len()
    }

    /// Whether no arrival is held.
    pub fn is_empty(&self) -> bool {
        self.arrivals.is_empty()
    }

    /// The feedback packet count the next feedback packet gets.
    pub fn feedback_count(&self) -> u8 {
        self.feedback_count
    }

    fn arrival_us(&self, arrival: Instant) -> u64 {
        self.base.map_or(0, |b| {
            u64::try_from(arrival.saturating_duration_since(b).as_micros()).unwrap_or(u64::MAX)
        })
    }

    /// Records the packet with transport-wide sequence number `seq` (from
    /// its header extension) that arrived at `arrival`.
    pub fn on_packet(&mut self, seq: u16, arrival: Instant) -> TwccPacketStatus {
        let Some(newest) = self.newest else {
            self.start(seq, arrival);
            return TwccPacketStatus::Recorded;
        };
        let window = self.config.window as u64;
        let delta = i64::from(seq.wrapping_sub(newest as u16) as i16);
        let ext = newest.wrapping_add_signed(delta);
        if ext + window <= newest {
            match self.behind {
                Some((prev, at)) if prev.wrapping_add(1) == seq => {
                    self.stats.restarts += 1;
                    let unreported =
                        self.arrivals.len() - self.first_at_or_after(self.window_start);
                    self.stats.dropped += unreported as u64;
                    self.arrivals.clear();
                    self.behind = None;
                    self.start(prev, at);
                    self.on_packet(seq, arrival);
                    return TwccPacketStatus::Restarted;
                }
                _ => self.behind = Some((seq, arrival)),
            }
            self.stats.too_old += 1;
            return TwccPacketStatus::TooOld;
        }
        self.behind = None;
        let us = self.arrival_us(arrival);
        match self.arrivals.back() {
            Some(&(last, _)) if last >= ext => {
                match self.arrivals.binary_search_by_key(&ext, |&(e, _)| e) {
                    Ok(_) => {
                        self.stats.duplicates += 1;
                        return TwccPacketStatus::Duplicate;
                    }
                    Err(i) if self.arrivals.len() - i > MAX_LATE_ARRIVAL_DEPTH => {
                        self.stats.too_old += 1;
                        return TwccPacketStatus::TooOld;
                    }
                    Err(i) => self.arrivals.insert(i, (ext, us)),
                }
            }
            _ => self.arrivals.push_back((ext, us)),
        }
        self.stats.recorded += 1;
        self.pending_since = Some(self.pending_since.map_or(arrival, |p| p.min(arrival)));
        if ext > newest {
            self.newest = Some(ext);
            let first_kept = ext + 1 - window;
            while let Some(&(first, _)) = self.arrivals.front() {
                if first >= first_kept {
                    break;
                }
                self.arrivals.pop_front();
                if first >= self.window_start {
                    self.stats.dropped += 1;
                }
            }
            self.window_start = self.window_start.max(first_kept);
        } else if ext < self.window_start {
            // Late, after its neighbours were reported: report again from
            // here, as libwebrtc does.
            self.window_start = ext;
        }
        TwccPacketStatus::Recorded
    }

    /// Starts over from the packet `seq` that arrived at `arrival`.
    fn start(&mut self, seq: u16, arrival: Instant) {
        let ext = (1 << 32) + u64::from(seq);
        if self.base.is_none() {
            self.base = Some(arrival);
        }
        self.newest = Some(ext);
        self.window_start = ext;
        let us = self.arrival_us(arrival);
        // Empty here: at the first packet, and after a restart cleared it.
        self.arrivals.push_back((ext, us));
        self.stats.recorded += 1;
        self.pending_since = Some(self.pending_since.map_or(arrival, |p| p.min(arrival)));
    }

    /// Whether packets arrived since the last feedback.
    pub fn has_pending(&self) -> bool {
        self.newest.is_some_and(|n| n >= self.window_start)
    }

    /// When the next feedback is due: one interval after the last one, or
    /// at once for the first, while packets are pending.
    pub fn next_timeout(&self) -> Option<Instant> {
        if !self.has_pending() {
            return None;
        }
        let pending = self.pending_since?;
        Some(match self.last_feedback {
            Some(t) => t
                .checked_add(self.config.interval)
                .map_or(pending, |due| due.max(pending)),
            None => pending,
        })
    }

    /// The transport feedback packets from `sender_ssrc` (about
    /// `media_ssrc`) for every sequence number since the last feedback:
    /// empty when nothing arrived since. Each packet takes the next
    /// feedback count. Packets are split where a receive delta does not
    /// fit its 16 bits (8.19 s) or the packet would exceed
    /// [`TwccRecorderConfig::max_packet_size`].
    pub fn poll_feedback(
        &mut self,
        now: Instant,
        sender_ssrc: u32,
        media_ssrc: u32,
    ) -> Vec<TransportCc> {
        let mut out = Vec::new();
        let Some(newest) = self.newest else {
            return out;
        };
        if newest >= self.window_start {
            // Every held arrival is at most `newest`.
            let from = self.first_at_or_after(self.window_start);
            let received = &self.arrivals.make_contiguous()[from..];
            let mut base = self.window_start;
            let mut i = 0;
            while i < received.len() {
                let (j, packet) = build(
                    &self.config,
                    self.feedback_count,
                    base,
                    &received[i..],
                    sender_ssrc,
                    media_ssrc,
                );
                out.push(packet);
                self.feedback_count = self.feedback_count.wrapping_add(1);
                base = received[i + j - 1].0 + 1;
                i += j;
            }
            self.stats.feedback_packets += out.len() as u64;
            self.window_start = newest + 1;
            self.pending_since = None;
            self.last_feedback = Some(now);
        }
        // Forget reported arrivals older than the back window.
        let now_us = self.arrival_us(now);
        let back = u64::try_from(self.config.back_window.as_micros()).unwrap_or(u64::MAX);
        while let Some(&(e, t)) = self.arrivals.front() {
            if e >= self.window_start || t.saturating_add(back) >= now_us {
                break;
            }
            self.arrivals.pop_front();
        }
        out
    }

    /// The index of the first held arrival numbered `ext` or later.
    fn first_at_or_after(&self, ext: u64) -> usize {
        self.arrivals.partition_point(|&(e, _)| e < ext)
    }
}

/// The feedback packet (with feedback count `count`) from sequence number
/// `base` covering the longest prefix of `received` (at least one) whose
/// deltas fit and whose size is within bounds; returns how many it covers.
fn build(
    config: &TwccRecorderConfig,
    count: u8,
    base: u64,
    received: &[(u64, u64)],
    sender_ssrc: u32,
    media_ssrc: u32,
) -> (usize, TransportCc) {
    // Each received packet costs at least one byte of delta.
    let limit = received.len().min(config.max_packet_size);
    let most = 1 + deltas_fit(&received[1..limit], received[0].1);
    let make = |n: usize| {
        let mut packets = Vec::with_capacity(n + 1);
        if base != received[0].0 {
            packets.push((base as u16, None));
        }
        packets.extend(received[..n].iter().map(|&(e, t)| (e as u16, Some(t))));
        // Cannot fail: sequence numbers ascend within the window, at
        // most 32768 statuses, deltas checked by deltas_fit.
        TransportCc::from_arrivals(sender_ssrc, media_ssrc, count, &packets).unwrap_or_default()
    };
    let size = TransportCc::wire_len;
    let max = config.max_packet_size;
    let full = make(most);
    if size(&full) <= max {
        return (most, full);
    }
    // The largest prefix that fits: fits(lo), !fits(hi).
    let (mut lo, mut hi) = (1, most);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if size(&make(mid)) <= max {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo, make(lo))
}

/// How many of `rest` (after a first arrival at `first_us`) can follow in
/// the same feedback packet: the receive deltas, rounded as
/// [`TransportCc::from_arrivals`] rounds them, fit 16 bits.
fn deltas_fit(rest: &[(u64, u64)], first_us: u64) -> usize {
    let reference = i128::from(first_us / REFERENCE_US * REFERENCE_US);
    // Less than 64 ms after the reference: always in range.
    let first = delta_units(i128::from(first_us) - reference).unwrap_or(0);
    let mut last = reference + i128::from(first) * DELTA_US;
    for (n, &(_, t)) in rest.iter().enumerate() {
        let Some(delta) = delta_units(i128::from(t) - last) else {
            return n;
        };
        last += i128::from(delta) * DELTA_US;
    }
    rest.len()
}
