//! Putting a NACK-protected source's packets back in sequence before the
//! depayloader: a packet after a gap waits until the gap is filled (by a
//! late or retransmitted packet) or until it has waited too long or too
//! many wait, then the gap is skipped (the depayloader drops the frame it
//! belonged to and the next keyframe recovers).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Packets held at most per source.
pub const MAX_HELD_PACKETS: usize = 512;

/// How long the oldest held packet waits for the gap before it.
pub const MAX_HOLD: Duration = Duration::from_millis(500);

/// The reorder buffer of one source.
#[derive(Debug, Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct ReorderBuffer {
    /// The extended sequence number expected next.
    next: Option<u64>,
    /// Held packets by extended sequence number, with their arrival.
    held: BTreeMap<u64, (Instant, Vec<u8>)>,
    /// Gaps skipped (sequence numbers given up).
    pub skipped: u64,
}

impl ReorderBuffer {
    /// The extended sequence number of `seq` nearest the expected one.
    fn extend(&self, seq: u16) -> u64 {
        let Some(next) = self.next else {
            return u64::from(seq) + (1 << 32);
        };
        // The candidate in the cycle before, the same or the next one,
        // whichever is nearest `next` (the earlier one on a tie).
        let base = next & !0xffff;
        let same = base | u64::from(seq);
        let mut best = base.wrapping_sub(1 << 16) | u64::from(seq);
        if same.abs_diff(next) < best.abs_diff(next) {
            best = same;
        }
        let after = (base + (1 << 16)) | u64::from(seq);
        if after.abs_diff(next) < best.abs_diff(next) {
            best = after;
        }
        best
    }

    /// The common case without a copy: nothing is held and `seq` is the
    /// one expected (or the first); it is accounted for and the caller
    /// delivers it. Otherwise `false`, and the packet goes to
    /// [`ReorderBuffer::push`].
    pub(crate) fn pass(&mut self, seq: u16) -> bool {
        if !self.held.is_empty() {
            return false;
        }
        let ext = self.extend(seq);
        match self.next {
            Some(next) if next != ext => false,
            _ => {
                self.next = Some(ext + 1);
                true
            }
        }
    }

    /// Takes a packet; appends the packets now in order to `out`.
    pub(crate) fn push(&mut self, seq: u16, packet: Vec<u8>, now: Instant, out: &mut Vec<Vec<u8>>) {
        let ext = self.extend(seq);
        let next = *self.next.get_or_insert(ext);
        if ext < next {
            // Late: its frame was given up; the depayloader counts it.
            out.push(packet);
            return;
        }
        if self.held.len() >= MAX_HELD_PACKETS && !self.held.contains_key(&ext) {
            self.skip_to_first(out);
        }
        self.held.entry(ext).or_insert((now, packet));
        self.release(out);
    }

    /// Moves the in-order run at the head out.
    fn release(&mut self, out: &mut Vec<Vec<u8>>) {
        while let Some(next) = self.next {
            let Some((_, packet)) = self.held.remove(&next) else {
                break;
            };
            out.push(packet);
            self.next = Some(next + 1);
        }
    }

    /// Gives up the gap before the first held packet.
    fn skip_to_first(&mut self, out: &mut Vec<Vec<u8>>) {
        if let (Some(next), Some((&first, _))) = (self.next, self.held.first_key_value()) {
            self.skipped += first.saturating_sub(next);
            self.next = Some(first);
            self.release(out);
        }
    }

    /// When the oldest held packet has waited long enough.
    pub(crate) fn next_timeout(&self) -> Option<Instant> {
        self.held.values().map(|(at, _)| *at + MAX_HOLD).min()
    }

    /// Skips the gaps whose packets waited too long.
    pub(crate) fn handle_timeout(&mut self, now: Instant, out: &mut Vec<Vec<u8>>) {
        // Each round releases at least the first held packet. The packet
        // that waited longest need not be the first held (a retransmission
        // fills an older gap later), so the gaps before it all go.
        while self.next_timeout().is_some_and(|t| t <= now) {
            self.skip_to_first(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seqs(out: &[Vec<u8>]) -> Vec<u8> {
        out.iter().map(|p| p[0]).collect()
    }

    #[test]
    fn a_gap_holds_until_filled_or_too_old() {
        let t = Instant::now();
        let mut r = ReorderBuffer::default();
        let mut out = Vec::new();
        r.push(65534, vec![1], t, &mut out);
        r.push(0, vec![3], t, &mut out); // 65535 missing
        assert_eq!(seqs(&out), [1]);
        r.push(65535, vec![2], t, &mut out);
        assert_eq!(seqs(&out), [1, 2, 3]);
        out.clear();
        r.push(2, vec![5], t, &mut out); // 1 missing, never comes
        assert!(out.is_empty());
        assert_eq!(r.next_timeout(), Some(t + MAX_HOLD));
        r.handle_timeout(t + MAX_HOLD, &mut out);
        assert_eq!(seqs(&out), [5]);
        assert_eq!(r.skipped, 1);
        // The late packet passes through (its frame was given up).
        out.clear();
        r.push(1, vec![4], t, &mut out);
        assert_eq!(seqs(&out), [4]);
    }

    #[test]
    fn the_longest_waiting_packet_decides() {
        let t = Instant::now();
        let mut r = ReorderBuffer::default();
        let mut out = Vec::new();
        r.push(0, vec![0], t, &mut out);
        r.push(5, vec![5], t, &mut out); // 1..=4 missing
        let later = t + Duration::from_millis(300);
        r.push(3, vec![3], later, &mut out); // 1, 2 still missing
        assert_eq!(r.next_timeout(), Some(t + MAX_HOLD));
        r.handle_timeout(t + MAX_HOLD, &mut out);
        assert_eq!(seqs(&out), [0, 3, 5]);
        assert_eq!(r.next_timeout(), None);
        assert_eq!(r.skipped, 3);
    }

    #[test]
    fn in_order_packets_pass_without_being_held() {
        let t = Instant::now();
        let mut r = ReorderBuffer::default();
        let mut out = Vec::new();
        assert!(r.pass(65535));
        assert!(r.pass(0));
        assert!(!r.pass(2)); // 1 missing: held instead
        r.push(2, vec![2], t, &mut out);
        assert!(out.is_empty());
        assert!(!r.pass(1)); // something is held: through push
        r.push(1, vec![1], t, &mut out);
        assert_eq!(seqs(&out), [1, 2]);
        assert!(r.pass(3));
    }

    #[test]
    fn extension_is_the_nearest_candidate() {
        // The iterator form this replaced: min_by_key keeps the first
        // of equal keys.
        let reference = |next: u64, seq: u16| {
            let base = next & !0xffff;
            [base.wrapping_sub(1 << 16), base, base + (1 << 16)]
                .into_iter()
                .map(|b| b | u64::from(seq))
                .min_by_key(|c| c.abs_diff(next))
                .unwrap()
        };
        let mut r = ReorderBuffer::default();
        for next in [
            1 << 32,
            (1 << 32) + 1,
            (1 << 32) + 0x7fff,
            (1 << 32) + 0x8000,
            (1 << 32) + 0xffff,
            3 << 32,
            5,
            0x8000,
        ] {
            r.next = Some(next);
            for seq in (0..=u16::MAX)
                .step_by(251)
                .chain([0, 1, 0x7fff, 0x8000, 0x8001, 0xffff])
            {
                assert_eq!(r.extend(seq), reference(next, seq), "{next} {seq}");
            }
        }
    }

    #[test]
    fn held_packets_are_bounded() {
        let t = Instant::now();
        let mut r = ReorderBuffer::default();
        let mut out = Vec::new();
        r.push(0, vec![0], t, &mut out);
        for i in 0..2000u16 {
            r.push(2 + i, vec![1], t, &mut out);
            assert!(r.held.len() <= MAX_HELD_PACKETS);
        }
        assert_eq!(r.skipped, 1);
        assert_eq!(out.len(), 2001);
    }
}
