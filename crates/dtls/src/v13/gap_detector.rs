//! A gap in the peer's handshake flight (RFC 9147 §7.1): a record of the
//! flight arrives while an earlier one is missing, so we ACK what we have
//! at once and the peer resends only the rest, instead of waiting for a
//! timer.

use super::ack::RecordNumber;
use super::epoch_keys::HANDSHAKE_EPOCH;

/// Watches the sequence numbers of the peer's epoch-2 handshake records.
#[derive(Debug, Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct GapDetector {
    /// One above the highest epoch-2 record seen.
    next_expected: u64,
    /// Whether a record skipped past a missing one since the last `take`.
    gap: bool,
}

impl GapDetector {
    /// A handshake record of the peer opened: a gap if it skips past an
    /// epoch-2 record not seen (lost or late).
    pub(crate) fn observe(&mut self, number: RecordNumber) {
        if number.epoch != HANDSHAKE_EPOCH {
            return;
        }
        if number.sequence_number > self.next_expected {
            self.gap = true;
        }
        self.next_expected = self.next_expected.max(number.sequence_number + 1);
    }

    /// A record of the peer's that is not a handshake record (an ACK): it
    /// takes a sequence number, so the next handshake record skipping it
    /// is no gap.
    pub(crate) fn advance(&mut self, number: RecordNumber) {
        if number.epoch == HANDSHAKE_EPOCH {
            self.next_expected = self.next_expected.max(number.sequence_number + 1);
        }
    }

    /// Whether a gap was seen since the last call (at most one ACK per
    /// datagram).
    pub(crate) fn take(&mut self) -> bool {
        std::mem::take(&mut self.gap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(epoch: u64, sequence_number: u64) -> RecordNumber {
        RecordNumber {
            epoch,
            sequence_number,
        }
    }

    #[test]
    fn a_skipped_record_is_a_gap_once() {
        let mut g = GapDetector::default();
        g.observe(n(2, 0));
        g.observe(n(2, 1));
        assert!(!g.take());
        g.observe(n(2, 3));
        g.observe(n(2, 5));
        assert!(g.take());
        assert!(!g.take());
        // The late record fills the hole: no new gap.
        g.observe(n(2, 2));
        g.observe(n(2, 6));
        assert!(!g.take());
        // Other epochs do not count.
        g.observe(n(0, 9));
        g.observe(n(3, 9));
        assert!(!g.take());
        // An ACK record between handshake records is no gap.
        g.advance(n(2, 7));
        g.observe(n(2, 8));
        assert!(!g.take());
        // The first epoch-2 record seen being late is a gap too.
        let mut h = GapDetector::default();
        h.observe(n(2, 2));
        assert!(h.take());
    }
}
