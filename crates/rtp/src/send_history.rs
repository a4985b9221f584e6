//! The sender's history of recently sent RTP packets, kept to answer NACKs
//! with retransmissions (RFC 4585 §6.2.1, RFC 4588).
//!
//! [`SendHistory`] holds the plaintext packets (before SRTP) of one stream
//! by sequence number, in a ring of fixed size: inserting and looking up
//! are O(1), the history never holds more than its capacity, and packets
//! older than its maximum age are not returned (and are freed as time
//! passes). Evictions are counted.

use std::time::{Duration, Instant};

use crate::{RtpError, RtpHeader};

/// The most packets a [`SendHistory`] can hold: half the sequence number
/// space, so that a 16-bit sequence number names one packet.
pub const MAX_HISTORY_CAPACITY: usize = 1 << 15;

/// The bounds of a [`SendHistory`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SendHistoryConfig {
    /// How many sequence numbers back the history reaches (1 to
    /// [`MAX_HISTORY_CAPACITY`]; other values are clamped): a packet is
    /// evicted when one `capacity` sequence numbers later is inserted.
    pub capacity: usize,
    /// How long a packet is kept after it was sent.
    pub max_age: Duration,
}

impl Default for SendHistoryConfig {
    /// 1024 packets, 1 second.
    fn default() -> Self {
        SendHistoryConfig {
            capacity: 1024,
            max_age: Duration::from_secs(1),
        }
    }
}

/// Counters of a [`SendHistory`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SendHistoryStats {
    /// Packets inserted.
    pub inserted: u64,
    /// Packets pushed out by newer sequence numbers (the count bound),
    /// replaced by a packet with the same sequence number included.
    pub evicted_by_count: u64,
    /// Packets freed because they were older than the maximum age.
    pub evicted_by_age: u64,
    /// Insertions refused: the sequence number was already out of the
    /// window (more than `capacity` behind the newest), or the packet was
    /// not RTP.
    pub rejected: u64,
    /// Lookups that found their packet.
    pub hits: u64,
}

/// One packet in the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryEntry<'a> {
    /// The packet as it was sent (plaintext RTP).
    pub packet: &'a [u8],
    /// When it was inserted.
    pub sent_at: Instant,
    /// Its sequence number extended by the history (rollovers counted from
    /// the first packet inserted).
    pub extended_sequence: u64,
}

#[derive(Debug, Clone, Default)]
struct Slot {
    /// Extended sequence number of the packet held; `None` when empty.
    ext: Option<u64>,
    sent_at: Option<Instant>,
    /// The packet; its allocation is kept for the next packet in the slot.
    bytes: Vec<u8>,
}

/// Recently sent packets of one RTP stream, by sequence number, bounded by
/// count and by age.
///
/// ```
/// use std::time::{Duration, Instant};
/// use sansrtc_rtp::{RtpWriter, SendHistory};
///
/// let t0 = Instant::now(); // in a real stack: the caller's clock
/// let mut history = SendHistory::default();
/// let mut packet = Vec::new();
/// RtpWriter { sequence_number: 65535, payload: b"media", ..RtpWriter::default() }
///     .write(&mut packet)?;
/// history.insert(&packet, t0).unwrap();
/// assert_eq!(history.get(65535, t0 + Duration::from_millis(20)), Some(&packet[..]));
/// // Older than the default maximum age of one second: gone.
/// assert_eq!(history.get(65535, t0 + Duration::from_secs(2)), None);
/// # Ok::<(), sansrtc_rtp::RtpWriteError>(())
/// ```
#[derive(Debug, Clone)]
pub struct SendHistory {
    config: SendHistoryConfig,
    slots: Vec<Slot>,
    /// Extended sequence number of the newest packet inserted.
    newest: Option<u64>,
    /// No packet older than this extended sequence number is held (the
    /// start of the age sweep).
    oldest: u64,
    len: usize,
    stats: SendHistoryStats,
}

impl Default for SendHistory {
    fn default() -> Self {
        SendHistory::new(SendHistoryConfig::default())
    }
}

/// The first packet's extended sequence number starts here, so that
/// packets before it extend without underflow.
const EXT_START: u64 = 1 << 32;

impl SendHistory {
    /// An empty history with these bounds (the capacity clamped to
    /// 1..=[`MAX_HISTORY_CAPACITY`]). The slots are allocated as packets
    /// arrive.
    pub fn new(config: SendHistoryConfig) -> Self {
        let config = SendHistoryConfig {
            capacity: config.capacity.clamp(1, MAX_HISTORY_CAPACITY),
            ..config
        };
        SendHistory {
            config,
            slots: Vec::new(),
            newest: None,
            oldest: 0,
            len: 0,
            stats: SendHistoryStats::default(),
        }
    }

    /// The bounds in use (capacity clamped).
    pub fn config(&self) -> SendHistoryConfig {
        self.config
    }

    /// Packets held (some may be older than the maximum age until
    /// [`SendHistory::expire`] or the next insertion frees them).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no packet is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The counters.
    pub fn stats(&self) -> SendHistoryStats {
        self.stats
    }

    /// Extends `seq` to the extended sequence number nearest the newest.
    fn extend(&self, seq: u16) -> Option<u64> {
        let newest = self.newest?;
        let delta = i64::from(seq.wrapping_sub(newest as u16) as i16);
        Some(newest.wrapping_add_signed(delta))
    }

    fn index(&self, ext: u64) -> usize {
        crate::ring_index(ext, self.config.capacity)
    }

    /// Empties the slot at `index`, counting the eviction.
    fn evict(&mut self, index: usize, by_age: bool) {
        let slot = &mut self.slots[index];
        if slot.ext.take().is_some() {
            slot.bytes.clear();
            slot.sent_at = None;
            self.len -= 1;
            if by_age {
                self.stats.evicted_by_age += 1;
            } else {
                self.stats.evicted_by_count += 1;
            }
        }
    }

    /// Stores the RTP packet `packet` (plaintext, as sent) under its
    /// sequence number, sent at `now`, and returns the sequence number.
    /// A packet `capacity` sequence numbers newer than an older one evicts
    /// it; a packet with a sequence number already held replaces it; a
    /// packet more than `capacity` behind the newest is refused with
    /// `Ok(None)`. Packets older than the maximum age are freed first.
    /// Bytes that are not an RTP packet are refused with the parse error.
    pub fn insert(&mut self, packet: &[u8], now: Instant) -> Result<Option<u16>, RtpError> {
        let seq = match RtpHeader::parse(packet) {
            Ok(h) => h.sequence_number(),
            Err(e) => {
                self.stats.rejected += 1;
                return Err(e);
            }
        };
        self.expire(now);
        let cap = self.config.capacity as u64;
        if self.slots.is_empty() {
            self.slots = vec![Slot::default(); self.config.capacity];
        }
        let ext = match self.extend(seq) {
            None => {
                let ext = EXT_START + u64::from(seq);
                self.newest = Some(ext);
                self.oldest = ext;
                ext
            }
            Some(ext) => {
                let newest = self.newest.unwrap_or(ext);
                if ext + cap <= newest {
                    self.stats.rejected += 1;
                    return Ok(None);
                }
                if ext > newest {
                    // The slots of newest+1..=ext now belong to the new
                    // window: free what they hold (at most `cap` slots).
                    let from = newest.max(ext - cap) + 1;
                    for e in from..=ext {
                        let i = self.index(e);
                        self.evict(i, false);
                    }
                    self.newest = Some(ext);
                    self.oldest = self.oldest.max(ext + 1 - cap);
                } else {
                    let i = self.index(ext);
                    self.evict(i, false);
                    self.oldest = self.oldest.min(ext);
                }
                ext
            }
        };
        let i = self.index(ext);
        let slot = &mut self.slots[i];
        slot.ext = Some(ext);
        slot.sent_at = Some(now);
        slot.bytes.clear();
        slot.bytes.extend_from_slice(packet);
        self.len += 1;
        self.stats.inserted += 1;
        Ok(Some(seq))
    }

    /// The packet with sequence number `seq`, if it is held and younger
    /// than the maximum age at `now`.
    pub fn get(&self, seq: u16, now: Instant) -> Option<&[u8]> {
        self.entry(seq, now).map(|e| e.packet)
    }

    /// The same with its send time and extended sequence number.
    pub fn entry(&self, seq: u16, now: Instant) -> Option<HistoryEntry<'_>> {
        let i = self.find(seq, now)?;
        let slot = &self.slots[i];
        Some(HistoryEntry {
            packet: &slot.bytes,
            sent_at: slot.sent_at?,
            extended_sequence: slot.ext?,
        })
    }

    /// [`SendHistory::get`], counting a hit in the statistics (for the
    /// retransmission path).
    pub fn get_for_resend(&mut self, seq: u16, now: Instant) -> Option<&[u8]> {
        let i = self.find(seq, now)?;
        self.stats.hits += 1;
        Some(&self.slots[i].bytes)
    }

    /// The slot holding `seq`, if the packet is there and young enough.
    fn find(&self, seq: u16, now: Instant) -> Option<usize> {
        let ext = self.extend(seq)?;
        let i = self.index(ext);
        let slot = self.slots.get(i)?;
        let fresh = slot.sent_at.is_some_and(|t| !self.too_old(t, now));
        (slot.ext == Some(ext) && fresh).then_some(i)
    }

    fn too_old(&self, sent_at: Instant, now: Instant) -> bool {
        now.checked_duration_since(sent_at)
            .is_some_and(|age| age > self.config.max_age)
    }

    /// Frees the packets older than the maximum age at `now`, oldest
    /// sequence number first, stopping at the first that is young enough
    /// (send times normally grow with the sequence number; a packet sent
    /// out of order is still never returned once too old). Amortised O(1)
    /// per packet inserted.
    pub fn expire(&mut self, now: Instant) {
        let Some(newest) = self.newest else {
            return;
        };
        while self.oldest <= newest {
            let i = self.index(self.oldest);
            let slot = &self.slots[i];
            if slot.ext == Some(self.oldest) {
                match slot.sent_at {
                    Some(t) if self.too_old(t, now) => self.evict(i, true),
                    _ => return,
                }
            }
            self.oldest += 1;
        }
    }

    /// Drops every packet (not counted as evictions) and forgets the
    /// sequence numbering; the counters are kept.
    pub fn clear(&mut self) {
        self.slots.clear();
        self.newest = None;
        self.oldest = 0;
        self.len = 0;
    }
}
