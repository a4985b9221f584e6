//! The receive side: TSN tracking with ranges above the cumulative point,
//! duplicate reporting, reassembly of fragments keyed by TSN, ordered
//! delivery per stream by SSN, and the receive window, which only the
//! application's reading opens again.

use std::collections::{BTreeMap, VecDeque};

use bytes::Bytes;

use crate::stream_map::StreamMap;

use super::reassembly::{Fragment, Reassembly};

use crate::chunk::{data_flags, DataChunk, ForwardTsnChunk};
use crate::event::Message;
use crate::range_set::{Inserted, RangeSet};
use crate::serial::{ssn_lt, unwrap_tsn};

/// How far above the cumulative TSN a DATA chunk may be (gap-ack block
/// offsets are 16-bit).
const MAX_TSN_AHEAD: u64 = 65_000;
/// At most this many disjoint received ranges are kept.
const MAX_RANGES: usize = 1024;
/// At most this many duplicate TSNs are reported in one SACK.
const MAX_DUPLICATES: usize = 16;
/// Bytes charged per stored chunk on top of its payload, so that tiny
/// chunks cannot make memory grow faster than the window says.
const PER_CHUNK_OVERHEAD: usize = 64;

/// The bytes of a DATA payload to keep: a slice of `owner` (the received
/// packet it lies in) when the payload fills at least half of it, so that
/// a small chunk never pins a large packet; a copy otherwise.
fn kept_payload(payload: &[u8], owner: Option<&Bytes>) -> Bytes {
    if let Some(packet) = owner {
        let start = (payload.as_ptr() as usize).checked_sub(packet.as_ptr() as usize);
        let end = start.and_then(|s| s.checked_add(payload.len()));
        if let (Some(start), Some(end)) = (start, end) {
            if end <= packet.len() && 2 * payload.len() >= packet.len() {
                return packet.slice(start..end);
            }
        }
    }
    Bytes::copy_from_slice(payload)
}

/// Per-stream receive state.
#[derive(Debug, Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
struct InStream {
    next_ssn: u16,
    /// Whole ordered messages waiting for earlier SSNs.
    waiting: BTreeMap<u16, Message>,
    /// Ordered messages sent after a reset that is deferred (RFC 6525
    /// §5.2.2 E2), held until it is performed.
    after_reset: Vec<(u16, Message)>,
}

/// What became of a received DATA chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DataVerdict {
    /// New, stored.
    Accepted,
    /// Already received: report it as a duplicate.
    Duplicate,
    /// Dropped: no room, or too far ahead; not acknowledged.
    Dropped,
}

/// The receive side of an association.
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Receiver {
    /// The cumulative TSN (unwrapped).
    pub(crate) cum_tsn: u64,
    above: RangeSet,
    duplicates: Vec<u32>,
    fragments: Reassembly,
    streams: StreamMap<InStream>,
    ready: VecDeque<Message>,
    /// Bytes held (fragments, waiting and ready messages) with overheads.
    held: usize,
    window: usize,
    max_message: usize,
    /// The a_rwnd of the last SACK sent.
    pub(crate) last_advertised: usize,
    /// A deferred incoming reset: the peer's last TSN before it, and streams.
    pub(crate) deferred_reset: Option<(u64, Vec<u16>)>,
    /// Counters.
    pub(crate) dropped_chunks: u64,
    pub(crate) dropped_messages: u64,
}

impl Receiver {
    /// A receiver expecting `peer_initial_tsn` first.
    pub(crate) fn new(peer_initial_tsn: u32, window: usize, max_message: usize) -> Self {
        Self {
            cum_tsn: (1u64 << 32) + u64::from(peer_initial_tsn) - 1,
            above: RangeSet::default(),
            duplicates: Vec::new(),
            fragments: Reassembly::default(),
            streams: StreamMap::default(),
            ready: VecDeque::new(),
            held: 0,
            window,
            max_message,
            last_advertised: window,
            deferred_reset: None,
            dropped_chunks: 0,
            dropped_messages: 0,
        }
    }

    /// The window to advertise.
    pub(crate) fn a_rwnd(&self) -> usize {
        self.window.saturating_sub(self.held)
    }

    /// Whether TSNs above the cumulative point are missing or duplicates
    /// wait to be reported (then SACK at once, RFC 9260 §6.7).
    pub(crate) fn has_gaps_or_duplicates(&self) -> bool {
        !self.above.is_empty() || !self.duplicates.is_empty()
    }

    /// Takes the next whole message, opening the window by its size.
    pub(crate) fn read(&mut self) -> Option<Message> {
        let m = self.ready.pop_front()?;
        self.held -= (m.data.len() + PER_CHUNK_OVERHEAD).min(self.held);
        Some(m)
    }

    /// Whether a whole message of `stream` is waiting to be read.
    pub(crate) fn has_ready_on(&self, stream: u16) -> bool {
        self.ready.iter().any(|m| m.stream_id == stream)
    }

    /// Whether whole messages are waiting.
    pub(crate) fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }

    /// Handles one DATA chunk.
    /// `owner`, when given, is the received packet `d` was parsed from
    /// (see [`kept_payload`]).
    pub(crate) fn on_data(&mut self, d: &DataChunk<'_>, owner: Option<&Bytes>) -> DataVerdict {
        let tsn = unwrap_tsn(self.cum_tsn, d.tsn);
        let cost = d.payload.len() + PER_CHUNK_OVERHEAD;
        match self.mark_received(tsn, Some(cost)) {
            DataVerdict::Accepted => {}
            DataVerdict::Duplicate => {
                if self.duplicates.len() < MAX_DUPLICATES {
                    self.duplicates.push(d.tsn);
                }
                return DataVerdict::Duplicate;
            }
            DataVerdict::Dropped => {
                self.dropped_chunks += 1;
                return DataVerdict::Dropped;
            }
        }
        let complete =
            d.flags & (data_flags::BEGIN | data_flags::END) == data_flags::BEGIN | data_flags::END;
        if complete {
            let message = Message {
                stream_id: d.stream,
                ppid: d.ppid,
                unordered: d.flags & data_flags::UNORDERED != 0,
                data: kept_payload(d.payload, owner),
            };
            self.held += cost;
            self.deliver(message, d.ssn, tsn);
        } else {
            self.held += cost;
            let fragment = Fragment {
                stream: d.stream,
                ssn: d.ssn,
                ppid: d.ppid,
                flags: d.flags,
                data: kept_payload(d.payload, owner),
            };
            if let Some(done) = self.fragments.insert(tsn, fragment) {
                self.complete(done);
            }
        }
        DataVerdict::Accepted
    }

    /// Marks a DATA chunk received without keeping it (invalid stream, §6.5).
    pub(crate) fn on_data_discarded(&mut self, wire_tsn: u32) -> DataVerdict {
        let tsn = unwrap_tsn(self.cum_tsn, wire_tsn);
        self.mark_received(tsn, None)
    }

    /// Marks TSN `tsn` received if it is new, not too far ahead, would not
    /// make too many disjoint ranges and, when a `cost` is given, there is
    /// room in the window for it. One lookup in the received ranges. The
    /// next expected TSN is never refused for the ranges (it moves the
    /// cumulative point, it adds none).
    fn mark_received(&mut self, tsn: u64, cost: Option<usize>) -> DataVerdict {
        if tsn <= self.cum_tsn {
            return DataVerdict::Duplicate;
        }
        // RFC 9260 §6.2: drop when the window is full, but keep accepting
        // the next expected TSN (up to twice the window) so that a message
        // partly held can always complete.
        let fits = |room: usize| {
            tsn <= self.cum_tsn + MAX_TSN_AHEAD && cost.map_or(true, |c| self.held + c <= room)
        };
        if tsn == self.cum_tsn + 1 {
            // Never in `above` (the cumulative point would have moved).
            if !fits(2 * self.window) {
                return DataVerdict::Dropped;
            }
            self.cum_tsn = tsn;
            if let Some(end) = self.above.pop_if_starts_at(tsn + 1) {
                self.cum_tsn = end;
            }
            return DataVerdict::Accepted;
        }
        let fits = fits(self.window);
        let full = self.above.range_count() >= MAX_RANGES;
        match self
            .above
            .insert_if(tsn, |new_range| fits && !(full && new_range))
        {
            Inserted::Present => DataVerdict::Duplicate,
            Inserted::Refused => DataVerdict::Dropped,
            Inserted::Added => DataVerdict::Accepted,
        }
    }

    /// A message reassembled: charged one overhead instead of one per
    /// fragment, dropped if it is larger than allowed, else delivered.
    fn complete(&mut self, done: super::reassembly::Assembled) {
        self.held -= ((done.fragments - 1) * PER_CHUNK_OVERHEAD).min(self.held);
        if done.data.len() > self.max_message {
            self.held -= (done.data.len() + PER_CHUNK_OVERHEAD).min(self.held);
            self.dropped_messages += 1;
            return;
        }
        let message = Message {
            stream_id: done.stream,
            ppid: done.ppid,
            unordered: done.unordered,
            data: done.data,
        };
        self.deliver(message, done.ssn, done.first_tsn);
    }

    /// Delivers a whole message: at once if unordered, else by SSN.
    fn deliver(&mut self, message: Message, ssn: u16, tsn: u64) {
        if message.unordered {
            self.ready.push_back(message);
            return;
        }
        let deferred = self.deferred_reset.as_ref().is_some_and(|(last, streams)| {
            tsn > *last && (streams.is_empty() || streams.contains(&message.stream_id))
        });
        let stream = self.streams.entry(message.stream_id).or_default();
        if deferred {
            stream.after_reset.push((ssn, message));
            return;
        }
        if ssn != stream.next_ssn {
            if ssn_lt(ssn, stream.next_ssn) || stream.waiting.contains_key(&ssn) {
                // Old: a buggy or hostile peer reused an SSN.
                self.held -= (message.data.len() + PER_CHUNK_OVERHEAD).min(self.held);
                self.dropped_messages += 1;
            } else {
                stream.waiting.insert(ssn, message);
            }
            return;
        }
        self.ready.push_back(message);
        stream.next_ssn = stream.next_ssn.wrapping_add(1);
        while let Some(m) = stream.waiting.remove(&stream.next_ssn) {
            self.ready.push_back(m);
            stream.next_ssn = stream.next_ssn.wrapping_add(1);
        }
    }

    /// Applies a FORWARD-TSN (RFC 3758 §3.6), whose sender announced
    /// Forward-TSN-Supported (the caller checks). Returns false if it is
    /// old. Stream entries are only made or changed for the negotiated
    /// inbound streams (`stream < inbound_streams`): DATA on any other is
    /// never kept (RFC 9260 §6.5), so there is nothing to skip there, and
    /// such a pair is ignored rather than fatal — a sender may well list a
    /// stream we refused DATA on. The cost is a map lookup per pair plus
    /// the messages it releases, whatever the SSN jump.
    pub(crate) fn on_forward_tsn(&mut self, f: &ForwardTsnChunk<'_>, inbound_streams: u16) -> bool {
        let new_cum = unwrap_tsn(self.cum_tsn, f.new_cumulative_tsn);
        if new_cum <= self.cum_tsn || new_cum > self.cum_tsn + MAX_TSN_AHEAD {
            return false;
        }
        self.cum_tsn = new_cum;
        self.above.remove_up_to(new_cum);
        if let Some(end) = self.above.pop_if_starts_at(new_cum + 1) {
            self.cum_tsn = end;
        }
        // Fragments at or below the new point can never complete, nor can
        // those just above it that continue a message begun below it.
        // Fragments of skipped ordered messages further up (only a broken
        // or hostile sender leaves them) are not searched for: such a
        // message is dropped as old when it completes (`deliver`).
        let (bytes, count) = self.fragments.drop_up_to(new_cum);
        self.held -= (bytes + count * PER_CHUNK_OVERHEAD).min(self.held);
        for (stream_id, ssn) in f.streams() {
            if stream_id >= inbound_streams {
                continue;
            }
            let stream = self.streams.entry(stream_id).or_default();
            if ssn_lt(ssn, stream.next_ssn) {
                continue;
            }
            // Deliver what waits up to `ssn`, in SSN order, then skip past
            // it and deliver what has become next.
            for m in take_ssns(&mut stream.waiting, stream.next_ssn, ssn) {
                self.ready.push_back(m);
            }
            stream.next_ssn = ssn.wrapping_add(1);
            while let Some(m) = stream.waiting.remove(&stream.next_ssn) {
                self.ready.push_back(m);
                stream.next_ssn = stream.next_ssn.wrapping_add(1);
            }
        }
        true
    }

    /// Resets the incoming SSNs of `streams` (all if empty) to 0 (RFC 6525).
    pub(crate) fn reset_streams(&mut self, streams: &[u16]) {
        let ids: Vec<u16> = if streams.is_empty() {
            self.streams.keys().copied().collect()
        } else {
            streams.to_vec()
        };
        for id in ids {
            let Some(s) = self.streams.get_mut(&id) else {
                continue;
            };
            s.next_ssn = 0;
            // Anything still waiting predates the reset and can never be
            // delivered in order; messages held since the reset move in.
            for (_, m) in std::mem::take(&mut s.waiting) {
                self.held -= (m.data.len() + PER_CHUNK_OVERHEAD).min(self.held);
                self.dropped_messages += 1;
            }
            for (ssn, m) in std::mem::take(&mut s.after_reset) {
                s.waiting.insert(ssn, m);
            }
            while let Some(m) = s.waiting.remove(&s.next_ssn) {
                self.ready.push_back(m);
                s.next_ssn = s.next_ssn.wrapping_add(1);
            }
        }
    }

    /// The SACK contents: cumulative TSN, a_rwnd, gap blocks (at most
    /// `max_blocks`) and the duplicates, which are cleared.
    pub(crate) fn sack(&mut self, max_blocks: usize) -> (u32, u32, Vec<(u16, u16)>, Vec<u32>) {
        let base = self.cum_tsn;
        let gaps: Vec<(u16, u16)> = self
            .above
            .iter()
            .take(max_blocks)
            .filter_map(|(s, e)| {
                let s = u16::try_from(s - base).ok()?;
                let e = u16::try_from(e - base).unwrap_or(u16::MAX);
                Some((s, e))
            })
            .collect();
        let dups = std::mem::take(&mut self.duplicates);
        let rwnd = self.a_rwnd();
        self.last_advertised = rwnd;
        (base as u32, rwnd.min(u32::MAX as usize) as u32, gaps, dups)
    }

    /// The highest TSN received (for the SHUTDOWN cumulative ack too).
    pub(crate) fn cum_tsn_wire(&self) -> u32 {
        self.cum_tsn as u32
    }

    /// Drops everything (association ending); returns nothing.
    pub(crate) fn clear(&mut self) {
        self.fragments.clear();
        self.streams.clear();
        self.above.clear();
        self.held = self
            .ready
            .iter()
            .map(|m| m.data.len() + PER_CHUNK_OVERHEAD)
            .sum();
    }
}

/// Takes the messages of `waiting` whose SSNs run from `from` to `to`
/// (serial order, wrapping past 65535), in that order; costs a logarithm
/// per message taken, not the width of the span.
fn take_ssns(waiting: &mut BTreeMap<u16, Message>, from: u16, to: u16) -> Vec<Message> {
    let keys: Vec<u16> = if from <= to {
        waiting.range(from..=to).map(|(&k, _)| k).collect()
    } else {
        let high = waiting.range(from..).map(|(&k, _)| k);
        high.chain(waiting.range(..=to).map(|(&k, _)| k)).collect()
    };
    keys.into_iter()
        .filter_map(|k| waiting.remove(&k))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunk::{self, kind, Chunk};
    use crate::packet::RawChunk;

    /// A FORWARD TSN chunk value: the new cumulative TSN and the pairs.
    fn forward_tsn_value(new_cum: u32, pairs: &[(u16, u16)]) -> Vec<u8> {
        let mut v = new_cum.to_be_bytes().to_vec();
        for (stream, ssn) in pairs {
            v.extend_from_slice(&stream.to_be_bytes());
            v.extend_from_slice(&ssn.to_be_bytes());
        }
        v
    }

    fn apply(r: &mut Receiver, value: &[u8], inbound_streams: u16) -> bool {
        let raw = RawChunk {
            chunk_type: kind::FORWARD_TSN,
            flags: 0,
            value,
            whole: value,
        };
        let Ok(Chunk::ForwardTsn(f)) = chunk::parse(&raw) else {
            panic!("not a FORWARD TSN");
        };
        r.on_forward_tsn(&f, inbound_streams)
    }

    fn message(stream_id: u16, byte: u8) -> Message {
        Message {
            stream_id,
            ppid: 51,
            unordered: false,
            data: Bytes::from(vec![byte]),
        }
    }

    #[test]
    fn forward_tsn_makes_no_state_for_streams_past_the_negotiated_count() {
        let mut r = Receiver::new(100, 1 << 20, 1 << 18);
        let pairs: Vec<(u16, u16)> = (16..=u16::MAX).step_by(97).map(|s| (s, 7)).collect();
        assert!(apply(&mut r, &forward_tsn_value(100, &pairs), 16));
        assert_eq!(r.cum_tsn_wire(), 100, "the cumulative TSN still moves");
        assert!(r.streams.is_empty(), "state for an unnegotiated stream");
        // A negotiated stream in the same list gets its entry.
        assert!(apply(
            &mut r,
            &forward_tsn_value(101, &[(40, 1), (15, 3)]),
            16
        ));
        assert_eq!(r.streams.len(), 1);
        assert_eq!(r.streams[&15].next_ssn, 4);
    }

    #[test]
    fn skipping_releases_waiting_messages_in_ssn_order_across_the_wrap() {
        let mut r = Receiver::new(1, 1 << 20, 1 << 18);
        let stream = r.streams.entry(2).or_default();
        stream.next_ssn = 65_530;
        for ssn in [65_533u16, 0, 2, 40_000] {
            stream.waiting.insert(ssn, message(2, ssn as u8));
        }
        // Skip up to SSN 1: 65 533 and 0 are released, then 2 follows.
        assert!(apply(&mut r, &forward_tsn_value(10, &[(2, 1)]), 16));
        let got: Vec<u8> = std::iter::from_fn(|| r.read()).map(|m| m.data[0]).collect();
        assert_eq!(got, vec![65_533u16 as u8, 0, 2]);
        assert_eq!(r.streams[&2].next_ssn, 3);
        assert_eq!(r.streams[&2].waiting.len(), 1, "40 000 still waits");
        // An SSN behind the stream's is ignored; so is an old TSN.
        assert!(apply(&mut r, &forward_tsn_value(11, &[(2, 65_000)]), 16));
        assert_eq!(r.streams[&2].next_ssn, 3);
        assert!(!apply(&mut r, &forward_tsn_value(11, &[(2, 5)]), 16));
        assert_eq!(r.streams[&2].next_ssn, 3);
    }

    #[test]
    fn take_ssns_takes_the_span_only() {
        let mut waiting = BTreeMap::new();
        for ssn in [0u16, 5, 9, 65_534, 65_535] {
            waiting.insert(ssn, message(1, ssn as u8));
        }
        let ssns = |v: Vec<Message>| v.iter().map(|m| m.data[0]).collect::<Vec<_>>();
        assert_eq!(ssns(take_ssns(&mut waiting, 65_535, 4)), vec![255, 0]);
        assert_eq!(ssns(take_ssns(&mut waiting, 6, 6)), Vec::<u8>::new());
        assert_eq!(ssns(take_ssns(&mut waiting, 5, 9)), vec![5, 9]);
        assert_eq!(waiting.keys().copied().collect::<Vec<_>>(), vec![65_534]);
    }
}
