//! The send side: messages waiting for TSNs, and the outstanding chunks
//! keyed by TSN in a `VecDeque` whose front is the peer's cumulative ack + 1.
//! A SACK costs the newly acknowledged TSNs plus its gap blocks and holes; a
//! packet costs the chunks it carries. Nothing rescans the whole queue except
//! a T3 expiry (RFC 9260 §6.3.3 marks every outstanding chunk).

use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::chunk::{data_flags, SackChunk};
use crate::event::{Reliability, SendOptions};
use crate::range_set::RangeSet;
use crate::serial::unwrap_tsn;
use crate::stream_map::StreamMap;

/// A message the application queued, not yet given TSNs.
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
struct PendingMessage {
    stream: u16,
    ppid: u32,
    data: Bytes,
    options: SendOptions,
    created: Instant,
}

/// Where an outstanding chunk is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChunkState {
    /// Given a TSN, never sent.
    Unsent,
    /// Sent and counted in the flight size.
    InFlight,
    /// Waiting in the retransmission set (not counted in flight).
    Retransmit,
    /// Acknowledged by a gap block.
    GapAcked,
    /// Given up (RFC 3758); the peer is told with FORWARD-TSN.
    Abandoned,
}

/// One DATA chunk that has a TSN and is not cumulatively acknowledged.
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct OutChunk {
    pub(crate) payload: Bytes,
    pub(crate) stream: u16,
    pub(crate) ssn: u16,
    pub(crate) ppid: u32,
    pub(crate) flags: u8,
    pub(crate) state: ChunkState,
    pub(crate) transmissions: u32,
    misses: u8,
    reliability: Reliability,
    created: Instant,
    /// TSNs of the first and last fragment of its message.
    message_first: u64,
    message_last: u64,
}

/// Per-stream send state.
#[derive(Debug, Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct OutStream {
    pub(crate) next_ssn: u16,
    /// Bytes queued by the application and not yet sent once.
    pub(crate) buffered: usize,
    pub(crate) low_threshold: usize,
    /// Messages of this stream still in `pending`.
    pub(crate) queued_messages: usize,
    /// A reset was asked for; sends are refused until it completes.
    pub(crate) resetting: bool,
}

/// What a SACK changed, for congestion control and timers.
#[derive(Debug, Default)]
pub(crate) struct SackOutcome {
    /// Whether the cumulative ack advanced.
    pub(crate) cum_advanced: bool,
    /// Payload bytes newly acknowledged (cumulatively or by gap blocks).
    pub(crate) bytes_acked: usize,
    /// An RTT sample from a chunk sent once.
    pub(crate) rtt: Option<Duration>,
    /// Chunks newly marked for fast retransmission.
    pub(crate) fast_retransmits: usize,
    /// The flight size before the SACK.
    pub(crate) flight_before: usize,
}

/// The send side of an association.
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Sender {
    pending: VecDeque<PendingMessage>,
    pub(crate) outstanding: VecDeque<OutChunk>,
    /// The peer's cumulative TSN ack (unwrapped).
    pub(crate) cum_ack: u64,
    /// The first TSN never sent.
    next_unsent: u64,
    pub(crate) retransmit: BTreeSet<u64>,
    gap_acked: RangeSet,
    /// Payload bytes in flight.
    pub(crate) flight: usize,
    /// Bytes held (pending + outstanding), bounded by the send buffer.
    pub(crate) held: usize,
    /// Bytes queued and not yet sent once (the total buffered amount).
    pub(crate) buffered: usize,
    pub(crate) total_low_threshold: usize,
    pub(crate) streams: StreamMap<OutStream>,
    /// RFC 3758 Advanced.Peer.Ack.Point (unwrapped).
    pub(crate) advanced_ack_point: u64,
    /// The peer's receiver window as last advertised minus what is in flight.
    pub(crate) peer_rwnd: usize,
    /// Streams whose buffered amount dropped to their threshold.
    pub(crate) low_events: Vec<u16>,
    pub(crate) total_low_event: bool,
    /// The highest TSN outstanding when fast recovery started.
    pub(crate) fast_recovery_exit: Option<u64>,
    /// Chunks abandoned so far (RFC 3758).
    pub(crate) abandoned: u64,
    /// The chunk being timed for an RTT sample and when it was sent: one
    /// at a time, so at most one measurement per round trip (RFC 9260
    /// §6.3.1 C4), and never a retransmitted chunk (Karn, C5).
    timed: Option<(u64, Instant)>,
}

/// The smallest first fragment a message starts with in a packet already
/// partly filled (a smaller room is left unused: the message starts the
/// next packet).
pub(crate) const MIN_PACKED_FRAGMENT: usize = 128;

impl Sender {
    /// A sender whose first TSN is `initial_tsn`.
    pub(crate) fn new(initial_tsn: u32, peer_rwnd: u32) -> Self {
        let first = (1u64 << 32) + u64::from(initial_tsn);
        Self {
            pending: VecDeque::new(),
            outstanding: VecDeque::new(),
            cum_ack: first - 1,
            next_unsent: first,
            retransmit: BTreeSet::new(),
            gap_acked: RangeSet::default(),
            flight: 0,
            held: 0,
            buffered: 0,
            total_low_threshold: 0,
            streams: StreamMap::default(),
            advanced_ack_point: first - 1,
            peer_rwnd: peer_rwnd as usize,
            low_events: Vec::new(),
            total_low_event: false,
            fast_recovery_exit: None,
            abandoned: 0,
            timed: None,
        }
    }

    /// The next TSN to assign.
    pub(crate) fn next_tsn(&self) -> u64 {
        self.cum_ack + 1 + self.outstanding.len() as u64
    }

    fn index(&self, tsn: u64) -> Option<usize> {
        let i = tsn.checked_sub(self.cum_ack + 1)?;
        usize::try_from(i)
            .ok()
            .filter(|&i| i < self.outstanding.len())
    }

    /// Queues a message (checks done by the caller).
    pub(crate) fn enqueue(
        &mut self,
        now: Instant,
        stream: u16,
        ppid: u32,
        data: Bytes,
        options: SendOptions,
    ) {
        let len = data.len();
        self.held += len;
        self.buffered += len;
        let s = self.streams.entry(stream).or_default();
        s.buffered += len;
        s.queued_messages += 1;
        self.pending.push_back(PendingMessage {
            stream,
            ppid,
            data,
            options,
            created: now,
        });
    }

    /// Whether anything is queued, outstanding or to retransmit.
    pub(crate) fn is_idle(&self) -> bool {
        self.pending.is_empty() && self.outstanding.is_empty()
    }

    /// Whether anything waits for its first transmission (a pending
    /// message, or a chunk with a TSN never sent). May say yes for chunks
    /// that turn out abandoned; never says no wrongly.
    pub(crate) fn has_unsent(&self) -> bool {
        !self.pending.is_empty() || self.next_unsent < self.next_tsn()
    }

    /// Whether new data is held back by the peer's window for certain:
    /// data is in flight and the next chunk to send for the first time,
    /// already cut, is larger than the window, so that
    /// `add_new_data` would stop at it (a chunk that may be skipped, being
    /// abandoned or timed, does not count: the answer is then `false`).
    pub(crate) fn next_new_held_by_window(&self) -> bool {
        if self.flight == 0 {
            return false;
        }
        self.index(self.next_unsent).is_some_and(|i| {
            let c = &self.outstanding[i];
            c.state != ChunkState::Abandoned
                && matches!(
                    c.reliability,
                    Reliability::Reliable | Reliability::MaxRetransmits(_)
                )
                && c.payload.len() > self.peer_rwnd
        })
    }

    /// Whether any chunk is sent and unacknowledged (T3 should run).
    pub(crate) fn has_unacked_sent(&self) -> bool {
        self.flight > 0 || !self.retransmit.is_empty()
    }

    fn note_sent_first_time(&mut self, stream: u16, len: usize) {
        let before_total = self.buffered;
        self.buffered -= len.min(self.buffered);
        if before_total > self.total_low_threshold && self.buffered <= self.total_low_threshold {
            self.total_low_event = true;
        }
        if let Some(s) = self.streams.get_mut(&stream) {
            let before = s.buffered;
            s.buffered -= len.min(s.buffered);
            if before > s.low_threshold && s.buffered <= s.low_threshold {
                self.low_events.push(stream);
            }
        }
    }

    fn release(&mut self, len: usize) {
        self.held -= len.min(self.held);
    }

    /// Drops pending messages whose lifetime passed before they got a TSN.
    fn drop_expired_pending_front(&mut self, now: Instant) {
        while let Some(m) = self.pending.front() {
            let expired = matches!(m.options.reliability,
                Reliability::MaxLifetime(l) if now.saturating_duration_since(m.created) > l);
            if !expired {
                break;
            }
            if let Some(m) = self.pending.pop_front() {
                let len = m.data.len();
                self.release(len);
                self.note_sent_first_time(m.stream, len);
                if let Some(s) = self.streams.get_mut(&m.stream) {
                    s.queued_messages -= 1;
                }
            }
        }
    }

    /// Gives TSNs to the next pending message, fragmenting it to
    /// `max_fragment` bytes. Returns false if nothing is pending.
    fn assign_next_message(&mut self, now: Instant, max_fragment: usize, room: usize) -> bool {
        self.drop_expired_pending_front(now);
        let Some(m) = self.pending.pop_front() else {
            return false;
        };
        let stream = self.streams.entry(m.stream).or_default();
        stream.queued_messages -= 1;
        let ssn = stream.next_ssn;
        if !m.options.unordered {
            stream.next_ssn = ssn.wrapping_add(1);
        }
        let first = self.next_tsn();
        let fragment = max_fragment.max(1);
        // A message that is fragmented anyway starts in what is left of the
        // packet being built, when that is worth a chunk: queued messages
        // then fill packets instead of each leaving its short last
        // fragment alone in one (1200-byte messages: about one packet
        // each instead of two).
        let first_len =
            if m.data.len() > fragment && (MIN_PACKED_FRAGMENT..fragment).contains(&room) {
                room
            } else {
                fragment
            };
        let count = if m.data.len() > first_len {
            1 + (m.data.len() - first_len).div_ceil(fragment)
        } else {
            1
        };
        let last = first + count as u64 - 1;
        let unordered = if m.options.unordered {
            data_flags::UNORDERED
        } else {
            0
        };
        // The last fragment takes the message's own handle: a message that
        // fits one chunk costs no reference-count traffic.
        let mut rest = m.data;
        for i in 0..count {
            let payload = if i + 1 == count {
                std::mem::take(&mut rest)
            } else {
                let len = if i == 0 { first_len } else { fragment };
                rest.split_to(len.min(rest.len()))
            };
            let mut flags = unordered;
            if i == 0 {
                flags |= data_flags::BEGIN;
            }
            if i + 1 == count {
                flags |= data_flags::END;
            }
            self.outstanding.push_back(OutChunk {
                payload,
                stream: m.stream,
                ssn,
                ppid: m.ppid,
                flags,
                state: ChunkState::Unsent,
                transmissions: 0,
                misses: 0,
                reliability: m.options.reliability,
                created: m.created,
                message_first: first,
                message_last: last,
            });
        }
        true
    }

    /// The TSN of the next chunk to send for the first time, assigning TSNs
    /// to a pending message if needed (its first fragment sized to `room`,
    /// the payload bytes left in the packet being built, when the message
    /// is fragmented anyway). Skips abandoned chunks.
    pub(crate) fn peek_new(
        &mut self,
        now: Instant,
        max_fragment: usize,
        room: usize,
    ) -> Option<u64> {
        loop {
            match self.index(self.next_unsent) {
                Some(i) => {
                    let c = &self.outstanding[i];
                    if c.state == ChunkState::Abandoned {
                        self.next_unsent += 1;
                        continue;
                    }
                    if c.transmissions == 0 && Self::expired(c, now) {
                        let (a, b) = (c.message_first, c.message_last);
                        self.abandon_message(a, b);
                        continue;
                    }
                    return Some(self.next_unsent);
                }
                None => {
                    if !self.assign_next_message(now, max_fragment, room) {
                        return None;
                    }
                }
            }
        }
    }

    /// The chunk with this TSN.
    pub(crate) fn chunk(&self, tsn: u64) -> Option<&OutChunk> {
        self.index(tsn).map(|i| &self.outstanding[i])
    }

    /// Records that the chunk `tsn` was put in a packet at `now`.
    pub(crate) fn mark_sent(&mut self, tsn: u64, now: Instant) {
        let Some(i) = self.index(tsn) else { return };
        let c = &mut self.outstanding[i];
        let len = c.payload.len();
        let first_time = c.transmissions == 0;
        c.transmissions += 1;
        c.misses = 0;
        c.state = ChunkState::InFlight;
        let stream = c.stream;
        self.flight += len;
        self.peer_rwnd = self.peer_rwnd.saturating_sub(len);
        self.retransmit.remove(&tsn);
        if first_time {
            if tsn >= self.next_unsent {
                self.next_unsent = tsn + 1;
            }
            if self.timed.is_none() {
                self.timed = Some((tsn, now));
            }
            self.note_sent_first_time(stream, len);
        }
    }

    /// The RTT sample if `tsn`, acknowledged now for the first time, is
    /// the chunk being timed and was sent only once; timing stops either
    /// way once it is acknowledged.
    fn rtt_sample(
        timing: &mut Option<(u64, Instant)>,
        tsn: u64,
        transmissions: u32,
        now: Instant,
    ) -> Option<Duration> {
        match *timing {
            Some((timed, at)) if timed == tsn => {
                *timing = None;
                (transmissions == 1).then(|| now.saturating_duration_since(at))
            }
            _ => None,
        }
    }

    fn expired(c: &OutChunk, now: Instant) -> bool {
        matches!(c.reliability, Reliability::MaxLifetime(l) if now.saturating_duration_since(c.created) > l)
    }

    fn gives_up(c: &OutChunk, now: Instant) -> bool {
        match c.reliability {
            Reliability::Reliable => false,
            Reliability::MaxRetransmits(n) => c.transmissions > n,
            Reliability::MaxLifetime(_) => Self::expired(c, now),
        }
    }

    /// RFC 3758 §3.5 A3: a chunk whose lifetime ran out while it waited in
    /// the retransmission queue is abandoned (with its whole message) rather
    /// than sent again. Returns whether it was.
    pub(crate) fn abandon_if_expired(&mut self, tsn: u64, now: Instant) -> bool {
        let Some(c) = self.chunk(tsn) else {
            return false;
        };
        if !Self::expired(c, now) {
            return false;
        }
        let (first, last) = (c.message_first, c.message_last);
        self.abandon_message(first, last);
        self.retransmit.remove(&tsn);
        true
    }

    /// Marks every fragment of the message `first..=last` abandoned.
    fn abandon_message(&mut self, first: u64, last: u64) {
        for tsn in first..=last {
            let Some(i) = self.index(tsn) else { continue };
            let c = &mut self.outstanding[i];
            match c.state {
                ChunkState::Abandoned => continue,
                ChunkState::GapAcked => {
                    // Received, but useless alone: skipped with the rest.
                    c.state = ChunkState::Abandoned;
                    self.abandoned += 1;
                    continue;
                }
                ChunkState::InFlight => self.flight -= c.payload.len().min(self.flight),
                ChunkState::Retransmit => {
                    self.retransmit.remove(&tsn);
                }
                ChunkState::Unsent => {}
            }
            let c = &mut self.outstanding[i];
            let first_time = c.transmissions == 0;
            c.state = ChunkState::Abandoned;
            self.abandoned += 1;
            let (stream, len) = (c.stream, c.payload.len());
            c.payload = Bytes::new();
            self.release(len);
            if first_time {
                self.note_sent_first_time(stream, len);
            }
        }
    }

    /// Puts `tsn` in the retransmission set, or abandons its message if its
    /// policy says to give up. Returns whether it will be retransmitted.
    fn mark_for_retransmit(&mut self, tsn: u64, now: Instant) -> bool {
        let Some(i) = self.index(tsn) else {
            return false;
        };
        let c = &self.outstanding[i];
        if c.state != ChunkState::InFlight {
            return false;
        }
        if Self::gives_up(c, now) {
            let (a, b) = (c.message_first, c.message_last);
            self.abandon_message(a, b);
            return false;
        }
        let c = &mut self.outstanding[i];
        c.state = ChunkState::Retransmit;
        self.flight -= c.payload.len().min(self.flight);
        self.retransmit.insert(tsn);
        true
    }

    /// T3-rtx expired: every chunk in flight is to be retransmitted
    /// (RFC 9260 §6.3.3 E3), or abandoned by its policy.
    pub(crate) fn on_t3_expiry(&mut self, now: Instant) {
        let end = self.next_unsent;
        let mut tsn = self.cum_ack + 1;
        while tsn < end {
            self.mark_for_retransmit(tsn, now);
            tsn += 1;
        }
        self.fast_recovery_exit = None;
    }

    /// Processes a SACK (RFC 9260 §6.2.1, §7.2.4). `max_gap_tsns` bounds how
    /// far above the cumulative ack a gap block may reach.
    pub(crate) fn on_sack(&mut self, sack: &SackChunk<'_>, now: Instant) -> Option<SackOutcome> {
        let cum = unwrap_tsn(self.cum_ack, sack.cumulative_tsn);
        if cum < self.cum_ack || cum >= self.next_tsn() {
            // Old (reordered) SACK, or one acknowledging TSNs never sent.
            return None;
        }
        let mut out = SackOutcome {
            flight_before: self.flight,
            ..SackOutcome::default()
        };
        // Cumulative part.
        while self.cum_ack < cum {
            let Some(c) = self.outstanding.pop_front() else {
                break;
            };
            self.cum_ack += 1;
            out.cum_advanced = true;
            match c.state {
                ChunkState::InFlight => {
                    self.flight -= c.payload.len().min(self.flight);
                    out.bytes_acked += c.payload.len();
                    let n = c.transmissions;
                    if let Some(rtt) = Self::rtt_sample(&mut self.timed, self.cum_ack, n, now) {
                        out.rtt = Some(rtt);
                    }
                    self.release(c.payload.len());
                }
                ChunkState::Retransmit => {
                    self.retransmit.remove(&self.cum_ack);
                    out.bytes_acked += c.payload.len();
                    self.release(c.payload.len());
                }
                ChunkState::Unsent => {
                    // Acknowledged before we sent it: a lying peer. Account it.
                    self.release(c.payload.len());
                    self.note_sent_first_time(c.stream, c.payload.len());
                }
                ChunkState::GapAcked | ChunkState::Abandoned => {}
            }
        }
        if self.next_unsent <= self.cum_ack {
            self.next_unsent = self.cum_ack + 1;
        }
        // A timed chunk acknowledged without a sample (abandoned, gap-acked
        // before): timing starts again with the next chunk sent.
        if self.timed.is_some_and(|(t, _)| t <= self.cum_ack) {
            self.timed = None;
        }
        self.gap_acked.remove_up_to(self.cum_ack);
        if self.advanced_ack_point < self.cum_ack {
            self.advanced_ack_point = self.cum_ack;
        }
        // Gap blocks: only TSNs not already gap-acked are visited.
        let mut highest_newly_acked = None;
        let limit = self.next_unsent.saturating_sub(1);
        for (start, end) in sack.gap_blocks() {
            if start == 0 || start > end {
                continue;
            }
            let s = cum + u64::from(start);
            let e = (cum + u64::from(end)).min(limit);
            if s > e {
                continue;
            }
            let mut newly = Vec::new();
            self.gap_acked.insert_range(s, e, |a, b| newly.push((a, b)));
            for (a, b) in newly {
                for tsn in a..=b {
                    let Some(i) = self.index(tsn) else { continue };
                    let c = &mut self.outstanding[i];
                    match c.state {
                        ChunkState::InFlight => {
                            self.flight -= c.payload.len().min(self.flight);
                            out.bytes_acked += c.payload.len();
                            let n = c.transmissions;
                            if let Some(rtt) = Self::rtt_sample(&mut self.timed, tsn, n, now) {
                                out.rtt = Some(rtt);
                            }
                        }
                        ChunkState::Retransmit => {
                            self.retransmit.remove(&tsn);
                            out.bytes_acked += c.payload.len();
                        }
                        _ => continue,
                    }
                    c.state = ChunkState::GapAcked;
                    let len = c.payload.len();
                    c.payload = Bytes::new();
                    self.release(len);
                    highest_newly_acked = Some(tsn);
                }
            }
        }
        // Miss indications for holes below the highest newly acked TSN
        // (RFC 9260 §7.2.4, HTNA): only the holes are visited.
        if let Some(highest) = highest_newly_acked {
            let mut holes = Vec::new();
            let mut cursor = self.cum_ack + 1;
            for (s, e) in self.gap_acked.iter() {
                if cursor >= highest {
                    break;
                }
                if s > cursor {
                    holes.push((cursor, (s - 1).min(highest)));
                }
                cursor = e + 1;
            }
            for (a, b) in holes {
                for tsn in a..=b {
                    let Some(i) = self.index(tsn) else { continue };
                    let c = &mut self.outstanding[i];
                    if c.state != ChunkState::InFlight {
                        continue;
                    }
                    c.misses = c.misses.saturating_add(1);
                    if c.misses >= 3 && self.mark_for_retransmit(tsn, now) {
                        out.fast_retransmits += 1;
                    }
                }
            }
        }
        self.advance_ack_point();
        if let Some(exit) = self.fast_recovery_exit {
            if self.cum_ack >= exit {
                self.fast_recovery_exit = None;
            }
        }
        self.peer_rwnd = (sack.a_rwnd as usize).saturating_sub(self.flight);
        Some(out)
    }

    /// RFC 3758 §3.5 C1/C2: moves Advanced.Peer.Ack.Point over abandoned
    /// chunks following the cumulative ack.
    pub(crate) fn advance_ack_point(&mut self) {
        let mut point = self.advanced_ack_point.max(self.cum_ack);
        while let Some(i) = self.index(point + 1) {
            if self.outstanding[i].state != ChunkState::Abandoned {
                break;
            }
            point += 1;
        }
        self.advanced_ack_point = point;
    }

    /// Whether a FORWARD-TSN should tell the peer to skip abandoned TSNs.
    pub(crate) fn needs_forward_tsn(&self) -> bool {
        self.advanced_ack_point > self.cum_ack
    }

    /// The FORWARD-TSN contents: the new cumulative TSN and, for ordered
    /// streams, the highest skipped SSN per stream — at most `max_pairs`
    /// of them: if more streams were skipped, the new cumulative TSN stops
    /// before the first TSN whose stream would not fit (RFC 3758 §3.5 C4),
    /// and the next FORWARD-TSN, once this one is acknowledged, goes on
    /// from there. Never lists fewer streams than it skips.
    pub(crate) fn forward_tsn(&self, max_pairs: usize) -> (u32, Vec<(u16, u16)>) {
        let mut pairs: Vec<(u16, u16)> = Vec::new();
        let mut new_cum = self.cum_ack;
        for tsn in self.cum_ack + 1..=self.advanced_ack_point {
            if let Some(c) = self.chunk(tsn) {
                if c.state == ChunkState::Abandoned && c.flags & data_flags::UNORDERED == 0 {
                    let full = pairs.len() >= max_pairs;
                    match pairs.iter_mut().find(|(s, _)| *s == c.stream) {
                        Some(p) => p.1 = c.ssn,
                        None if full => break,
                        None => pairs.push((c.stream, c.ssn)),
                    }
                }
            }
            new_cum = tsn;
        }
        (new_cum as u32, pairs)
    }

    /// Abandons every pending and outstanding chunk (association ending).
    pub(crate) fn clear(&mut self) {
        self.pending.clear();
        self.outstanding.clear();
        self.retransmit.clear();
        self.flight = 0;
        self.held = 0;
        self.buffered = 0;
        for s in self.streams.values_mut() {
            s.buffered = 0;
            s.queued_messages = 0;
        }
    }
}
