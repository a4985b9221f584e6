//! A set of 64-bit values stored as disjoint inclusive ranges, used for
//! received TSNs above the cumulative point (gap-ack blocks on the receiver)
//! and for gap-acknowledged TSNs on the sender. Operations cost a logarithm
//! of the number of ranges, never the number of values.
//!
//! Each range is kept under a key that lies inside it and does not change
//! while the range grows (the value it was made with): ranges are
//! disjoint, so keys are in the ranges' order, and a range extended
//! downwards by one value — TSNs arriving backwards — is updated in place
//! rather than removed and inserted again under a new start.

use std::collections::BTreeMap;

/// A range with its key: `(key, start, end)`.
type Keyed = (u64, u64, u64);

/// What [`RangeSet::insert_if`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inserted {
    /// The value was already in the set.
    Present,
    /// The caller's check refused it; the set is unchanged.
    Refused,
    /// Added.
    Added,
}

/// Disjoint, non-adjacent inclusive ranges `(start, end)`, each under a
/// key inside it.
#[derive(Debug, Clone, Default)]
pub(crate) struct RangeSet {
    ranges: BTreeMap<u64, (u64, u64)>,
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

    /// The range nearest below `value` (the one with the greatest key at
    /// or below it) and the one nearest above (least key above it): one of
    /// them holds `value` if any does, and they are the only ones that can
    /// touch it. Keys are returned with the ranges.
    fn around(&self, value: u64) -> (Option<Keyed>, Option<Keyed>) {
        let below = self.ranges.range(..=value).next_back();
        let above = value
            .checked_add(1)
            .and_then(|next| self.ranges.range(next..).next());
        let flat = |(&k, &(s, e)): (&u64, &(u64, u64))| (k, s, e);
        (below.map(flat), above.map(flat))
    }

    /// Whether `value` is in the set.
    #[cfg(test)]
    pub(crate) fn contains(&self, value: u64) -> bool {
        let (below, above) = self.around(value);
        below.is_some_and(|(_, _, e)| e >= value) || above.is_some_and(|(_, s, _)| s <= value)
    }

    /// Whether inserting `value` would create a new range (it touches none).
    #[cfg(test)]
    pub(crate) fn would_add_range(&self, value: u64) -> bool {
        let (below, above) = self.around(value);
        let touches_below = below.is_some_and(|(_, _, e)| e.saturating_add(1) >= value);
        let touches_above = above.is_some_and(|(_, s, _)| s <= value.saturating_add(1));
        !touches_below && !touches_above
    }

    /// Inserts `start..=end`; returns the sub-ranges that were newly added
    /// (not already present), in order, through `on_new`.
    pub(crate) fn insert_range(&mut self, start: u64, end: u64, mut on_new: impl FnMut(u64, u64)) {
        if start > end {
            return;
        }
        let lo = start.saturating_sub(1);
        let hi = end.saturating_add(1);
        // The ranges touching [lo, hi]: those keyed inside it, and the
        // nearest on either side if they reach into it.
        let mut merged: Vec<Keyed> = Vec::new();
        if let Some((&k, &(s, e))) = self.ranges.range(..lo).next_back() {
            if e >= lo {
                merged.push((k, s, e));
            }
        }
        merged.extend(self.ranges.range(lo..=hi).map(|(&k, &(s, e))| (k, s, e)));
        if let Some((&k, &(s, e))) = hi
            .checked_add(1)
            .and_then(|h| self.ranges.range(h..).next())
        {
            if s <= hi {
                merged.push((k, s, e));
            }
        }
        let (mut new_start, mut new_end, mut key) = (start, end, start);
        let mut cursor = start;
        for (i, &(k, s, e)) in merged.iter().enumerate() {
            if s > cursor && cursor <= end {
                on_new(cursor, (s - 1).min(end));
            }
            cursor = cursor.max(e.saturating_add(1));
            new_start = new_start.min(s);
            new_end = new_end.max(e);
            if i == 0 {
                key = k;
            } else {
                self.ranges.remove(&k);
            }
        }
        if cursor <= end {
            on_new(cursor, end);
        }
        self.ranges.insert(key, (new_start, new_end));
    }

    /// Inserts one value; returns whether it was new.
    #[cfg(test)]
    pub(crate) fn insert(&mut self, value: u64) -> bool {
        self.insert_if(value, |_| true) == Inserted::Added
    }

    /// Inserts `value` unless it is present or `accept` refuses it; `accept`
    /// is told whether the value would make a new range (touch none). One
    /// lookup for both questions — two searches — and an update in place:
    /// a range grown at either end keeps its key; a removal only when the
    /// value joins two ranges. No allocation (the receiver's per-chunk
    /// path).
    pub(crate) fn insert_if(&mut self, value: u64, accept: impl FnOnce(bool) -> bool) -> Inserted {
        let (below, above) = self.around(value);
        let joins_below = match below {
            Some((_, _, e)) if e >= value => return Inserted::Present,
            Some((k, s, e)) if e + 1 == value => Some((k, s)),
            _ => None,
        };
        let joins_above = match above {
            Some((_, s, _)) if s <= value => return Inserted::Present,
            Some((k, s, e)) if s == value + 1 => Some((k, e)),
            _ => None,
        };
        if !accept(joins_below.is_none() && joins_above.is_none()) {
            return Inserted::Refused;
        }
        match (joins_below, joins_above) {
            (Some((kb, s)), Some((ka, e))) => {
                self.ranges.remove(&ka);
                self.ranges.insert(kb, (s, e));
            }
            (Some((kb, _)), None) => {
                if let Some(r) = self.ranges.get_mut(&kb) {
                    r.1 = value;
                }
            }
            (None, Some((ka, _))) => {
                if let Some(r) = self.ranges.get_mut(&ka) {
                    r.0 = value;
                }
            }
            (None, None) => {
                self.ranges.insert(value, (value, value));
            }
        }
        Inserted::Added
    }

    /// Removes every value `<= value`.
    pub(crate) fn remove_up_to(&mut self, value: u64) {
        let Some(above) = value.checked_add(1) else {
            self.ranges.clear();
            return;
        };
        let keep = self.ranges.split_off(&above);
        let low = std::mem::replace(&mut self.ranges, keep);
        // A range keyed at or below `value` may reach above it; one keyed
        // above may start at or below it. At most one of each.
        if let Some((_, &(_, e))) = low.last_key_value() {
            if e > value {
                self.ranges.insert(above, (above, e));
            }
        }
        if let Some(mut first) = self.ranges.first_entry() {
            let r = first.get_mut();
            r.0 = r.0.max(above);
        }
    }

    /// If the lowest range starts at `value`, removes and returns its end.
    pub(crate) fn pop_if_starts_at(&mut self, value: u64) -> Option<u64> {
        let first = self.ranges.first_entry()?;
        let &(s, e) = first.get();
        if s != value {
            return None;
        }
        first.remove();
        Some(e)
    }

    /// The ranges in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.ranges.values().copied()
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
        // Joining the ranges on both sides, extending one from below or
        // from above.
        assert!(s.insert(12) && s.insert(14) && s.insert(13));
        assert_eq!(collect(&s), vec![(3, 10), (12, 14)]);
        assert!(s.insert(11) && !s.insert(11));
        assert!(s.insert(16) && s.insert(15) && s.insert(1));
        assert_eq!(collect(&s), vec![(1, 1), (3, 16)]);
        s.insert_range(3, 10, |_, _| panic!("nothing new"));
        assert!(s.would_add_range(20));
        assert!(!s.would_add_range(17));
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

    #[test]
    fn agrees_with_a_set_of_values_under_random_operations() {
        use rand_chacha::ChaCha20Rng;
        use rand_core::{RngCore, SeedableRng};
        use std::collections::BTreeSet;
        let mut rng = ChaCha20Rng::seed_from_u64(11);
        for _ in 0..40 {
            let mut s = RangeSet::default();
            let mut model = BTreeSet::new();
            for _ in 0..150 {
                let v = u64::from(rng.next_u32() % 120);
                match rng.next_u32() % 8 {
                    0 => {
                        let e = v + u64::from(rng.next_u32() % 6);
                        let mut new = Vec::new();
                        s.insert_range(v, e, |a, b| new.extend(a..=b));
                        let want: Vec<u64> = (v..=e).filter(|x| !model.contains(x)).collect();
                        assert_eq!(new, want);
                        model.extend(v..=e);
                    }
                    1 => {
                        s.remove_up_to(v / 2);
                        model.retain(|&x| x > v / 2);
                    }
                    2 => {
                        let popped = s.pop_if_starts_at(v);
                        if model.first() == Some(&v) {
                            let mut end = v;
                            while model.contains(&(end + 1)) {
                                end += 1;
                            }
                            assert_eq!(popped, Some(end));
                            model.retain(|&x| x > end);
                        } else {
                            assert_eq!(popped, None);
                        }
                    }
                    3 => {
                        // Refused: nothing changes; told whether it is new.
                        let new_range = s.would_add_range(v);
                        let mut told = None;
                        let got = s.insert_if(v, |n| {
                            told = Some(n);
                            false
                        });
                        if model.contains(&v) {
                            assert_eq!((got, told), (Inserted::Present, None));
                        } else {
                            assert_eq!((got, told), (Inserted::Refused, Some(new_range)));
                        }
                    }
                    _ => assert_eq!(s.insert(v), model.insert(v)),
                }
                // Ranges, containment and touching, all against the model.
                let mut want = Vec::new();
                for &x in &model {
                    match want.last_mut() {
                        Some((_, e)) if *e + 1 == x => *e = x,
                        _ => want.push((x, x)),
                    }
                }
                assert_eq!(collect(&s), want);
                assert_eq!(s.range_count(), want.len());
                for x in 0..130 {
                    assert_eq!(s.contains(x), model.contains(&x));
                    let touches = model.contains(&x)
                        || model.contains(&(x + 1))
                        || x.checked_sub(1).is_some_and(|p| model.contains(&p));
                    assert_eq!(s.would_add_range(x), !touches, "{x}");
                }
                for (&k, &(a, b)) in &s.ranges {
                    assert!(a <= k && k <= b, "key {k} outside {a}..={b}");
                }
            }
        }
    }
}
