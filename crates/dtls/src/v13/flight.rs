//! Our current flight (RFC 9147 §5.8, §7): its handshake messages, which
//! of them the peer acknowledged, which records carried them, and the
//! retransmission timer (initial timeout doubling up to a cap).

use std::time::{Duration, Instant};

use super::ack::RecordNumber;
use super::epoch_keys::{EpochKeys, PLAINTEXT_RECORD_OVERHEAD, PROTECTED_RECORD_OVERHEAD};
use super::error::Dtls13Error;
use super::record_header::CONTENT_TYPE_HANDSHAKE;
use crate::byte_set::ByteSet;
use crate::handshake::{encode_fragment, HEADER_LEN};

/// One handshake message of a flight.
#[derive(Debug, Clone)]
struct FlightMessage {
    /// The epoch it is sent in.
    epoch: u64,
    /// Its handshake type.
    msg_type: u8,
    /// Its message_seq.
    message_seq: u16,
    /// Its body (without the 12-byte header).
    body: Vec<u8>,
    /// The body bytes ACKed records carried.
    acknowledged_bytes: ByteSet,
    /// Whether ACKs covered the whole message (every byte, or the one
    /// record of an empty body).
    acknowledged: bool,
    /// The body ranges ACKed records carried (at most one per record
    /// sent), to resend only the others.
    acknowledged_ranges: Vec<(usize, usize)>,
}

impl FlightMessage {
    /// The body ranges no ACK covered, in order (the whole of an empty
    /// body: its one record).
    fn unacknowledged_ranges(&self) -> Vec<(usize, usize)> {
        if self.body.is_empty() {
            return vec![(0, 0)];
        }
        let mut acked = self.acknowledged_ranges.clone();
        acked.sort_unstable();
        let mut missing = Vec::new();
        let mut cursor = 0;
        for (start, end) in acked {
            if start > cursor {
                missing.push((cursor, start));
            }
            cursor = cursor.max(end);
        }
        if cursor < self.body.len() {
            missing.push((cursor, self.body.len()));
        }
        missing
    }
}

/// One record we sent: which part of which message it carried.
#[derive(Debug, Clone, Copy)]
struct SentRecord {
    /// The record number.
    number: RecordNumber,
    /// The message's index in the flight.
    message: usize,
    /// The fragment's start in the body.
    start: usize,
    /// The fragment's end in the body.
    end: usize,
}

/// The flight we are responsible for delivering.
#[derive(Debug, Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Flight {
    /// The messages, in order.
    messages: Vec<FlightMessage>,
    /// Each record we sent of this flight: its number, the message it
    /// carried a fragment of, and the fragment's body range.
    sent_records: Vec<SentRecord>,
    /// When to retransmit; `None` when nothing is outstanding.
    deadline: Option<Instant>,
    /// The current retransmission timeout (doubles per timer firing).
    timeout: Duration,
    /// How often the timer fired for this flight.
    retransmissions: u32,
    /// How many flights were begun (tells the connection a new one began).
    generation: u32,
    /// When we last sent (part of) the flight.
    last_transmit: Option<Instant>,
}

impl Flight {
    /// Starts a new flight (the previous one is implicitly acknowledged).
    pub(crate) fn begin(&mut self, initial_timeout: Duration) {
        *self = Flight {
            timeout: initial_timeout,
            generation: self.generation.wrapping_add(1),
            ..Flight::default()
        };
    }

    /// Adds a message to the flight being built.
    pub(crate) fn push(&mut self, epoch: u64, msg_type: u8, message_seq: u16, body: Vec<u8>) {
        self.messages.push(FlightMessage {
            epoch,
            msg_type,
            message_seq,
            acknowledged_bytes: ByteSet::new(body.len()),
            body,
            acknowledged: false,
            acknowledged_ranges: Vec::new(),
        });
    }

    /// Arms the timer of a flight that was already sent (by the DTLS 1.2
    /// code, before the version was known).
    pub(crate) fn arm(&mut self, now: Instant) {
        self.deadline = Some(now + self.timeout);
    }

    /// Drops the flight: the peer's answer acknowledged it.
    pub(crate) fn finish(&mut self) {
        // Freed, not cleared: an idle connection holds no flight.
        self.messages = Vec::new();
        self.sent_records = Vec::new();
        self.deadline = None;
    }

    /// Whether every message of the flight was acknowledged (or there is none).
    pub(crate) fn is_done(&self) -> bool {
        self.messages.iter().all(|m| m.acknowledged)
    }

    /// Counts the flights begun.
    pub(crate) fn generation(&self) -> u32 {
        self.generation
    }

    /// When the retransmission timer fires.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// When we last sent (part of) the flight.
    pub(crate) fn last_transmit(&self) -> Option<Instant> {
        self.last_transmit
    }

    /// How often the flight was retransmitted on its timer.
    pub(crate) fn retransmissions(&self) -> u32 {
        self.retransmissions
    }

    /// Marks the fragments the ACKed records carried; only the bytes no
    /// ACK covered are sent again; the timer stops once all are (RFC 9147
    /// §7.1, §7.2). Returns whether the ACK covered anything new.
    pub(crate) fn on_ack(&mut self, acknowledged: &[RecordNumber]) -> bool {
        let mut progress = false;
        for sent in &self.sent_records {
            if acknowledged.contains(&sent.number) {
                if let Some(m) = self.messages.get_mut(sent.message) {
                    m.acknowledged_bytes.insert(sent.start, sent.end);
                    m.acknowledged = m.acknowledged_bytes.is_full();
                    if !m.acknowledged_ranges.contains(&(sent.start, sent.end)) {
                        m.acknowledged_ranges.push((sent.start, sent.end));
                        progress = true;
                    }
                }
            }
        }
        if self.is_done() {
            // Nothing is left to resend.
            self.finish();
        }
        progress
    }

    /// The timer fired: doubles the timeout (up to `max_timeout`) and
    /// returns the datagrams to resend, or `None` once `max_retransmissions`
    /// were spent.
    pub(crate) fn on_timeout(
        &mut self,
        now: Instant,
        max_timeout: Duration,
        max_retransmissions: u32,
        keys: &mut EpochKeys,
        mtu: usize,
    ) -> Option<Result<Vec<Vec<u8>>, Dtls13Error>> {
        if self.retransmissions >= max_retransmissions {
            return None;
        }
        self.retransmissions += 1;
        self.timeout = (self.timeout * 2).min(max_timeout);
        Some(self.transmit(now, keys, mtu))
    }

    /// Seals what no ACK covered (whole messages, or the missing ranges of
    /// partly ACKed ones), fragmented so that each datagram fits `mtu`,
    /// with fresh record numbers; arms the timer.
    pub(crate) fn transmit(
        &mut self,
        now: Instant,
        keys: &mut EpochKeys,
        mtu: usize,
    ) -> Result<Vec<Vec<u8>>, Dtls13Error> {
        let datagrams = self.transmit_before(now, keys, mtu, None)?;
        self.deadline = (!datagrams.is_empty()).then(|| now + self.timeout);
        Ok(datagrams)
    }

    /// After an ACK that covered part of the flight: seals only what is
    /// presumed lost, the unacknowledged bytes that come before the last
    /// acknowledged record in flight order (later ones may still be on
    /// their way; the timer covers them). The timer is re-armed only if
    /// something was sent.
    pub(crate) fn transmit_presumed_lost(
        &mut self,
        now: Instant,
        keys: &mut EpochKeys,
        mtu: usize,
    ) -> Result<Vec<Vec<u8>>, Dtls13Error> {
        let Some(last) = self.sent_records.iter().rev().find(|r| {
            self.messages
                .get(r.message)
                .is_some_and(|m| m.acknowledged_ranges.contains(&(r.start, r.end)))
        }) else {
            return Ok(Vec::new());
        };
        let cut = (last.message, last.start);
        let datagrams = self.transmit_before(now, keys, mtu, Some(cut))?;
        if !datagrams.is_empty() {
            self.deadline = Some(now + self.timeout);
        }
        Ok(datagrams)
    }

    /// Seals the unacknowledged ranges, only those before `cut` (message
    /// index, body offset) if given.
    fn transmit_before(
        &mut self,
        now: Instant,
        keys: &mut EpochKeys,
        mtu: usize,
        cut: Option<(usize, usize)>,
    ) -> Result<Vec<Vec<u8>>, Dtls13Error> {
        let mut datagrams: Vec<Vec<u8>> = Vec::new();
        let mut current = Vec::new();
        for (index, m) in self.messages.iter().enumerate() {
            if m.acknowledged || cut.is_some_and(|(message, _)| index > message) {
                continue;
            }
            let overhead = HEADER_LEN
                + if m.epoch == 0 {
                    PLAINTEXT_RECORD_OVERHEAD
                } else {
                    PROTECTED_RECORD_OVERHEAD
                };
            if mtu <= overhead {
                return Err(Dtls13Error::TooLarge("MTU below the record overhead"));
            }
            let ranges =
                m.unacknowledged_ranges()
                    .into_iter()
                    .filter_map(|(start, end)| match cut {
                        Some((message, offset)) if message == index => {
                            (start < offset).then_some((start, end.min(offset)))
                        }
                        _ => Some((start, end)),
                    });
            for (range_start, range_end) in ranges {
                let mut offset = range_start;
                loop {
                    let room = mtu.saturating_sub(current.len());
                    if room <= overhead {
                        datagrams.push(std::mem::take(&mut current));
                        continue;
                    }
                    let take = (room - overhead).min(range_end - offset);
                    let mut fragment = Vec::with_capacity(HEADER_LEN + take);
                    encode_fragment(
                        &mut fragment,
                        m.msg_type,
                        m.body.len(),
                        m.message_seq,
                        offset,
                        &m.body[offset..offset + take],
                    );
                    let number =
                        keys.seal(m.epoch, CONTENT_TYPE_HANDSHAKE, &fragment, &mut current)?;
                    self.sent_records.push(SentRecord {
                        number,
                        message: index,
                        start: offset,
                        end: offset + take,
                    });
                    offset += take;
                    if offset == range_end {
                        break;
                    }
                }
            }
        }
        if !current.is_empty() {
            datagrams.push(current);
        }
        if !datagrams.is_empty() {
            self.last_transmit = Some(now);
        }
        Ok(datagrams)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handshake::parse_fragments;
    use crate::v13::record_header::{split_datagram, Record};

    #[test]
    fn fragments_to_the_mtu_and_resends_only_what_was_not_acknowledged() {
        let mut keys = EpochKeys::default();
        let mut flight = Flight::default();
        let start = Instant::now();
        flight.begin(Duration::from_secs(1));
        flight.push(0, 1, 0, vec![7; 1400]);
        flight.push(0, 2, 1, vec![8; 10]);
        let datagrams = flight.transmit(start, &mut keys, 1200).unwrap();
        assert_eq!(datagrams.len(), 2);
        let mut body = Vec::new();
        for d in &datagrams {
            assert!(d.len() <= 1200);
            for record in split_datagram(d).0 {
                let Record::Plaintext(p) = record else {
                    panic!("protected")
                };
                for f in parse_fragments(p.fragment).unwrap() {
                    if f.msg_type == 1 {
                        assert_eq!(f.offset as usize, body.len());
                        body.extend_from_slice(f.body);
                    }
                }
            }
        }
        assert_eq!(body, vec![7; 1400]);
        assert_eq!(flight.deadline(), Some(start + Duration::from_secs(1)));
        // ACK the records of the second message only (the last one sent),
        // and the first fragment of the first: not enough for it.
        let last = flight.sent_records.last().unwrap().number;
        let first = flight.sent_records[0].number;
        flight.on_ack(&[last, first]);
        assert!(!flight.is_done());
        assert!(!flight.messages[0].acknowledged && flight.messages[1].acknowledged);
        let again = flight
            .on_timeout(start, Duration::from_secs(60), 2, &mut keys, 1200)
            .unwrap()
            .unwrap();
        // Only the first message's bytes after its ACKed first fragment.
        let first_len = flight.sent_records[0].end;
        let mut resent_ranges = Vec::new();
        for d in &again {
            for record in split_datagram(d).0 {
                let Record::Plaintext(p) = record else {
                    panic!("protected")
                };
                for f in parse_fragments(p.fragment).unwrap() {
                    assert_eq!(f.msg_type, 1);
                    resent_ranges.push((f.offset as usize, f.offset as usize + f.body.len()));
                }
            }
        }
        assert_eq!(resent_ranges.first().map(|r| r.0), Some(first_len));
        assert_eq!(resent_ranges.last().map(|r| r.1), Some(1400));
        assert!(resent_ranges.windows(2).all(|w| w[0].1 == w[1].0));
        assert_eq!(flight.deadline(), Some(start + Duration::from_secs(2)));
        let numbers: Vec<_> = flight.sent_records.iter().map(|r| r.number).collect();
        flight.on_ack(&numbers);
        assert!(flight.is_done());
        assert_eq!(flight.deadline(), None);
        // An acknowledged flight holds no memory (an idle connection keeps
        // its last flight otherwise).
        assert_eq!(flight.messages.capacity(), 0);
        assert_eq!(flight.sent_records.capacity(), 0);
        assert!(flight
            .on_timeout(start, Duration::from_secs(60), 1, &mut keys, 1200)
            .is_none());
    }

    #[test]
    fn a_partial_ack_resends_only_what_came_before_its_last_record() {
        let mut keys = EpochKeys::default();
        let mut flight = Flight::default();
        let start = Instant::now();
        flight.begin(Duration::from_secs(1));
        for seq in 0..3 {
            flight.push(0, 1 + seq as u8, seq, vec![seq as u8; 20]);
        }
        let first = flight.transmit(start, &mut keys, 1200).unwrap();
        assert_eq!(split_datagram(&first[0]).0.len(), 3);
        // The second record is ACKed: the first is lost, the third may be
        // on its way.
        let second = flight.sent_records[1].number;
        assert!(flight.on_ack(&[second]));
        assert!(!flight.on_ack(&[second]), "nothing new");
        let later = start + Duration::from_millis(30);
        let resent = flight
            .transmit_presumed_lost(later, &mut keys, 1200)
            .unwrap();
        let types: Vec<u8> = resent
            .iter()
            .flat_map(|d| split_datagram(d).0)
            .flat_map(|r| {
                let Record::Plaintext(p) = r else {
                    panic!("protected")
                };
                parse_fragments(p.fragment)
                    .unwrap()
                    .into_iter()
                    .map(|f| f.msg_type)
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(types, [1]);
        assert_eq!(flight.deadline(), Some(later + Duration::from_secs(1)));
        // Nothing ACKed before the first record: nothing presumed lost.
        let mut other = Flight::default();
        other.begin(Duration::from_secs(1));
        other.push(0, 1, 0, vec![1; 20]);
        other.transmit(start, &mut keys, 1200).unwrap();
        assert!(other
            .transmit_presumed_lost(later, &mut keys, 1200)
            .unwrap()
            .is_empty());
        assert_eq!(other.deadline(), Some(start + Duration::from_secs(1)));
    }
}
