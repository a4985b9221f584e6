//! A set of 64-bit values stored as disjoint inclusive ranges, used for
//! received TSNs above the cumulative point (gap-ack blocks on the receiver)
//! and for gap-acknowledged TSNs on the sender. Operations cost a logarithm
//! of the number of ranges, never the number of values.

use std::collections::BTreeMap;

/// Disjoint, non-adjacent inclusive ranges `start -> end`.
#[derive(Debug, Clone, Default)]
pub(crate) struct RangeSet {
    ranges: BTreeMap<u64, u64>,
}

impl RangeSet {
    /// The number of disjoint ranges.
    pub(crate) fn range_count(&self) -> usize {
        self.ranges.len()
    }

    /// Whether the set is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Whether `value` is in the set.
    pub(crate) fn contains(&self, value: u64) -> bool {
        self.ranges
            .range(..=value)
            .next_back()
            .is_some_and(|(_, &end)| end >= value)
    }

    /// Whether inserting `value` would create a new range (it touches none).
    pub(crate) fn would_add_range(&self, value: u64) -> bool {
        let below = self
            .ranges
            .range(..=value)
            .next_back()
            .is_some_and(|(_, &end)| end.saturating_add(1) >= value);
        let above = value
            .checked_add(1)
            .is_some_and(|v| self.ranges.contains_key(&v));
        !below && !above
    }

    /// Inserts `start..=end`; returns the sub-ranges that were newly added
    /// (not already present), in order, through `on_new`.
    pub(crate) fn insert_range(&mut self, start: u64, end: u64, mut on_new: impl FnMut(u64, u64)) {
        if start > end {
            return;
        }
        let mut new_start = start;
        let mut new_end = end;
        // Walk the ranges that overlap or touch [start-1, end+1].
        let lo = start.saturating_sub(1);
        let mut cursor = start;
        let mut merged: Vec<(u64, u64)> = Vec::new();
        if let Some((&s, &e)) = self.ranges.range(..lo).next_back() {
            if e >= lo {
                merged.push((s, e));
            }
        }
        for (&s, &e) in self.ranges.range(lo..=end.saturating_add(1)) {
            merged.push((s, e));
        }
        for &(s, e) in &merged {
            if s > cursor && cursor <= end {
                on_new(cursor, (s - 1).min(end));
            }
            cursor = cursor.max(e.saturating_add(1));
            new_start = new_start.min(s);
            new_end = new_end.max(e);
            self.ranges.remove(&s);
        }
        if cursor <= end {
            on_new(cursor, end);
        }
        self.ranges.insert(new_start, new_end);
    }

    /// Inserts one value; returns whether it was new.
    pub(crate) fn insert(&mut self, value: u64) -> bool {
        let mut added = false;
        self.insert_range(value, value, |_, _| added = true);
        added
    }

    /// Removes every value `<= value`.
    pub(crate) fn remove_up_to(&mut self, value: u64) {
        while let Some((&s, &e)) = self.ranges.first_key_value() {
            if s > value {
                break;
            }
            self.ranges.remove(&s);
            if e > value {
                self.ranges.insert(value + 1, e);
                break;
            }
        }
    }

    /// If the lowest range starts at `value`, removes and returns its end.
    pub(crate) fn pop_if_starts_at(&mut self, value: u64) -> Option<u64> {
        let (&s, &e) = self.ranges.first_key_value()?;
        if s != value {
            return None;
        }
        self.ranges.remove(&s);
        Some(e)
    }

    /// The ranges in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.ranges.iter().map(|(&s, &e)| (s, e))
    }

    /// Empties the set.
    pub(crate) fn clear(&mut self) {
        self.ranges.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(set: &RangeSet) -> Vec<(u64, u64)> {
        set.iter().collect()
    }

    #[test]
    fn merges_adjacent_and_reports_new_parts() {
        let mut s = RangeSet::default();
        assert!(s.insert(5));
        assert!(s.insert(7));
        assert!(!s.insert(7));
        assert_eq!(collect(&s), vec![(5, 5), (7, 7)]);
        let mut new = Vec::new();
        s.insert_range(3, 9, |a, b| new.push((a, b)));
        assert_eq!(new, vec![(3, 4), (6, 6), (8, 9)]);
        assert_eq!(collect(&s), vec![(3, 9)]);
        assert!(s.insert(10));
        assert_eq!(collect(&s), vec![(3, 10)]);
        assert!(s.would_add_range(20));
        assert!(!s.would_add_range(11));
        assert!(!s.would_add_range(2));
    }

    #[test]
    fn remove_and_pop() {
        let mut s = RangeSet::default();
        s.insert_range(10, 20, |_, _| {});
        s.insert_range(30, 40, |_, _| {});
        s.remove_up_to(15);
        assert_eq!(collect(&s), vec![(16, 20), (30, 40)]);
        assert_eq!(s.pop_if_starts_at(16), Some(20));
        assert_eq!(s.pop_if_starts_at(16), None);
        assert!(s.contains(35));
        assert!(!s.contains(29));
        assert_eq!(s.range_count(), 1);
    }
}
