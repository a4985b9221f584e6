//! Which bytes of a handshake message have arrived: one bit per byte and a
//! count of the bits set. Marking a fragment costs one word operation per
//! 64 bytes of it, whatever arrived before (order, overlaps, duplicates),
//! so reassembly is linear in the bytes received; completeness is one
//! comparison. The memory is fixed by the message length (length / 8).

/// The set of received byte offsets of a message of a known length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ByteSet {
    words: Vec<u64>,
    len: usize,
    count: usize,
}

impl ByteSet {
    /// An empty set for a message of `len` bytes.
    pub(crate) fn new(len: usize) -> Self {
        Self {
            words: vec![0; len.div_ceil(64)],
            len,
            count: 0,
        }
    }

    /// Marks offsets `start..end` as received; a range reaching past the
    /// message is refused (`false`, nothing marked).
    pub(crate) fn insert(&mut self, start: usize, end: usize) -> bool {
        if start > end || end > self.len {
            return false;
        }
        if start == end {
            return true;
        }
        let (first, last) = (start / 64, (end - 1) / 64);
        for (i, word) in self.words[first..=last].iter_mut().enumerate() {
            let index = first + i;
            let lo = if index == first { start % 64 } else { 0 };
            let hi = if index == last {
                (end - 1) % 64 + 1
            } else {
                64
            };
            let mask = (u64::MAX >> (64 - (hi - lo))) << lo;
            self.count += (mask & !*word).count_ones() as usize;
            *word |= mask;
        }
        true
    }

    /// Whether every byte arrived (an empty message always has).
    pub(crate) fn is_full(&self) -> bool {
        self.count == self.len
    }

    /// How many distinct bytes arrived.
    #[cfg(test)]
    pub(crate) fn count(&self) -> usize {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same set kept naively, one bool per byte.
    fn naive(len: usize, ranges: &[(usize, usize)]) -> Vec<bool> {
        let mut have = vec![false; len];
        for &(s, e) in ranges {
            have[s..e].iter_mut().for_each(|b| *b = true);
        }
        have
    }

    #[test]
    fn overlapping_ranges_across_word_boundaries_count_each_byte_once() {
        let len = 200;
        let ranges = [
            (0, 1),
            (63, 65),
            (60, 130),
            (64, 64),
            (128, 128),
            (127, 129),
            (199, 200),
            (0, 1),
            (10, 74),
        ];
        let mut set = ByteSet::new(len);
        for (i, &(s, e)) in ranges.iter().enumerate() {
            assert!(set.insert(s, e));
            let expected = naive(len, &ranges[..=i]).iter().filter(|b| **b).count();
            assert_eq!(set.count(), expected, "after {:?}", &ranges[..=i]);
        }
        assert!(!set.is_full());
        assert!(set.insert(0, len));
        assert!(set.is_full());
        assert_eq!(set.count(), len);
    }

    #[test]
    fn ranges_past_the_end_are_refused_and_empty_messages_are_full() {
        let mut set = ByteSet::new(10);
        assert!(!set.insert(5, 11));
        assert!(!set.insert(7, 6));
        assert_eq!(set.count(), 0);
        assert!(set.insert(10, 10));
        assert!(ByteSet::new(0).is_full());
        let mut exact = ByteSet::new(64);
        assert!(exact.insert(0, 64));
        assert!(exact.is_full());
    }
}
