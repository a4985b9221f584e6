//! Fragments waiting for the rest of their message (RFC 9260 §6.9).
//!
//! The fragments of one DATA message have consecutive TSNs, from the one
//! with the B bit to the one with the E bit. When they arrive in order —
//! the usual case — they are appended to a *run*: the fragments of the
//! message under way, no map, no search. Anything else (a gap, a fragment
//! out of order, a run broken by a stray BEGIN) moves the run into the
//! stretches below, and the run is used again once they are empty.
//!
//! Out of order, fragments that continue one another (consecutive TSNs,
//! same message) form *stretches*, each a `VecDeque` in a map under a
//! TSN inside it that does not change as it grows (so growing at either
//! end touches no key). A new fragment looks at its two neighbours only:
//! it joins the stretch ending just below it and the one starting just
//! above it, and its message is complete when the stretch it is now in
//! starts with a BEGIN and ends with an END. So an insert costs two or
//! three `BTreeMap` searches (O(log n)) whatever the arrival order, and
//! no walk over the fragments already held, which a peer sending the
//! fragments of one message backwards would make quadratic.
//!
//! Either way a message costs one allocation and one copy when it
//! completes: until then the fragments are slices of their packets (or
//! their own small copies, see the receiver).

use std::collections::{BTreeMap, VecDeque};

use bytes::Bytes;

use crate::chunk::data_flags;

/// A fragment waiting for the rest of its message.
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Fragment {
    pub(crate) stream: u16,
    pub(crate) ssn: u16,
    pub(crate) ppid: u32,
    pub(crate) flags: u8,
    pub(crate) data: Bytes,
}

impl Fragment {
    fn begins(&self) -> bool {
        self.flags & data_flags::BEGIN != 0
    }

    fn ends(&self) -> bool {
        self.flags & data_flags::END != 0
    }

    fn unordered(&self) -> bool {
        self.flags & data_flags::UNORDERED != 0
    }

    /// Whether `next` can follow `self` within one message.
    fn continued_by(&self, next: &Fragment) -> bool {
        self.stream == next.stream
            && self.unordered() == next.unordered()
            && (self.unordered() || self.ssn == next.ssn)
            && !self.ends()
            && !next.begins()
    }
}

/// A message put back together from its fragments.
#[derive(Debug)]
pub(crate) struct Assembled {
    pub(crate) first_tsn: u64,
    /// How many fragments it was made of.
    pub(crate) fragments: usize,
    pub(crate) stream: u16,
    pub(crate) ssn: u16,
    pub(crate) ppid: u32,
    pub(crate) unordered: bool,
    pub(crate) data: Bytes,
}

/// Fragments with consecutive TSNs from `first`, each continuing the one
/// before.
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
struct Stretch {
    first: u64,
    fragments: VecDeque<Fragment>,
}

impl Stretch {
    /// The TSN after the last fragment.
    fn end(&self) -> u64 {
        self.first + self.fragments.len() as u64
    }

    /// Whether it holds a whole message, BEGIN to END.
    fn whole(&self) -> bool {
        self.fragments.front().is_some_and(Fragment::begins)
            && self.fragments.back().is_some_and(Fragment::ends)
    }

    /// The message it holds.
    fn assemble(&self) -> Option<Assembled> {
        assemble(self.first, self.fragments.as_slices())
    }
}

/// The fragments held, in a run or in stretches (never both).
#[derive(Debug, Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Reassembly {
    /// Consecutive TSNs from `run_first`, of one message begun with its
    /// BEGIN fragment and not ended yet. Only used while there are no
    /// stretches.
    run: Vec<Fragment>,
    run_first: u64,
    /// The other fragments. No stretch is continued by the fragment right
    /// after it or continues the one right before it (those would be in
    /// it), and none holds a whole message (that is delivered at once).
    /// The key is a TSN inside the stretch that never changes (its first
    /// fragment's when it was made): stretches are disjoint, so the keys
    /// are in the stretches' order, and a stretch that grows at either
    /// end keeps its entry — no removal and insertion per fragment.
    stretches: BTreeMap<u64, Stretch>,
}

impl Reassembly {
    /// Whether no fragment is held.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.run.is_empty() && self.stretches.is_empty()
    }

    /// Adds the fragment with TSN `tsn` (new: the caller filtered
    /// duplicates); returns its message if that is now complete.
    pub(crate) fn insert(&mut self, tsn: u64, fragment: Fragment) -> Option<Assembled> {
        if self.stretches.is_empty() {
            let extends = match self.run.last() {
                None => fragment.begins(),
                Some(last) => {
                    tsn == self.run_first + self.run.len() as u64 && last.continued_by(&fragment)
                }
            };
            if extends {
                if self.run.is_empty() {
                    self.run_first = tsn;
                }
                let ends = fragment.ends();
                self.run.push(fragment);
                if !ends {
                    return None;
                }
                let done = assemble(self.run_first, (&self.run, &[]));
                self.run.clear();
                return done;
            }
            self.spill();
        }
        self.insert_in_stretches(tsn, fragment)
    }

    /// Moves the run into the stretches, as one (no copy).
    fn spill(&mut self) {
        if !self.run.is_empty() {
            let fragments = VecDeque::from(std::mem::take(&mut self.run));
            let first = self.run_first;
            self.stretches.insert(first, Stretch { first, fragments });
        }
    }

    /// Adds a fragment to the stretches: it joins the one ending at
    /// `tsn - 1` and the one starting at `tsn + 1` if it continues them
    /// (when both, the smaller moves into the larger, so that a fragment
    /// moves a logarithmic number of times at most); the message is
    /// complete if the stretch it is now in begins and ends it. Two or
    /// three `BTreeMap` searches.
    fn insert_in_stretches(&mut self, tsn: u64, fragment: Fragment) -> Option<Assembled> {
        // The stretch with the greatest key below `tsn` is the one just
        // below it, and the one with the least key above, just above.
        let below = self
            .stretches
            .range(..tsn)
            .next_back()
            .filter(|(_, s)| {
                s.end() == tsn
                    && s.fragments
                        .back()
                        .is_some_and(|p| p.continued_by(&fragment))
            })
            .map(|(&key, _)| key);
        let above = self.stretches.range_mut(tsn + 1..).next().filter(|(_, s)| {
            s.first == tsn + 1
                && s.fragments
                    .front()
                    .is_some_and(|n| fragment.continued_by(n))
        });
        let (key, whole) = match (below, above) {
            (None, None) => {
                let mut fragments = VecDeque::with_capacity(1);
                fragments.push_back(fragment);
                let stretch = Stretch {
                    first: tsn,
                    fragments,
                };
                if stretch.whole() {
                    return stretch.assemble();
                }
                self.stretches.insert(tsn, stretch);
                return None;
            }
            (None, Some((&key, above))) => {
                above.first = tsn;
                above.fragments.push_front(fragment);
                (key, above.whole())
            }
            (Some(key), None) => {
                let below = self.stretches.get_mut(&key)?;
                below.fragments.push_back(fragment);
                (key, below.whole())
            }
            (Some(below_key), Some((&above_key, _))) => {
                let key = self.join(below_key, fragment, above_key)?;
                (key, self.stretches.get(&key)?.whole())
            }
        };
        if !whole {
            return None;
        }
        self.stretches.remove(&key)?.assemble()
    }

    /// Joins the stretches at `below` and `above` with `fragment` between
    /// them, the smaller moving into the larger; returns the key kept.
    fn join(&mut self, below: u64, fragment: Fragment, above: u64) -> Option<u64> {
        let below_len = self.stretches.get(&below)?.fragments.len();
        let above_len = self.stretches.get(&above)?.fragments.len();
        if below_len >= above_len {
            let moved = self.stretches.remove(&above)?;
            let kept = self.stretches.get_mut(&below)?;
            kept.fragments.push_back(fragment);
            kept.fragments.extend(moved.fragments);
            Some(below)
        } else {
            let moved = self.stretches.remove(&below)?;
            let kept = self.stretches.get_mut(&above)?;
            kept.first = moved.first;
            kept.fragments.push_front(fragment);
            for f in moved.fragments.into_iter().rev() {
                kept.fragments.push_front(f);
            }
            Some(above)
        }
    }

    /// Drops every fragment with a TSN at or below `tsn` (they can never
    /// complete), and the fragments above it that continue a message begun
    /// at or below it (RFC 3758 §3.6: a partly reassembled message still
    /// missing a TSN at or below the new cumulative point is removed);
    /// returns the payload bytes and the number dropped. Costs what it
    /// drops plus a logarithm.
    pub(crate) fn drop_up_to(&mut self, tsn: u64) -> (usize, usize) {
        self.spill();
        let keep = self.stretches.split_off(&(tsn + 1));
        let mut dropped: Vec<Stretch> = std::mem::replace(&mut self.stretches, keep)
            .into_values()
            .collect();
        // The first stretch kept may reach below the point (its key is
        // above): it goes whole, as a stretch dropped may reach above. So
        // does one starting just above it without a BEGIN.
        if let Some(e) = self.stretches.first_entry() {
            let s = e.get();
            let begins = s.fragments.front().is_some_and(Fragment::begins);
            if s.first <= tsn || (s.first == tsn + 1 && !begins) {
                dropped.push(e.remove());
            }
        }
        let fragments = dropped.iter().flat_map(|s| &s.fragments);
        let bytes = fragments.clone().map(|f| f.data.len()).sum();
        (bytes, fragments.count())
    }

    /// Drops everything.
    pub(crate) fn clear(&mut self) {
        self.run.clear();
        self.stretches.clear();
    }
}

/// One buffer from the fragments of a message, in TSN order (`parts.0`
/// then `parts.1`: the two halves of a `VecDeque`), allocated at its exact
/// size (so that `Bytes` takes it without a second allocation); `None` if
/// there are no fragments.
fn assemble(first_tsn: u64, parts: (&[Fragment], &[Fragment])) -> Option<Assembled> {
    let all = || parts.0.iter().chain(parts.1);
    let head = all().next()?;
    let mut data = Vec::with_capacity(all().map(|f| f.data.len()).sum());
    for f in all() {
        data.extend_from_slice(&f.data);
    }
    Some(Assembled {
        first_tsn,
        fragments: parts.0.len() + parts.1.len(),
        stream: head.stream,
        ssn: head.ssn,
        ppid: head.ppid,
        unordered: head.unordered(),
        data: Bytes::from(data),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: u8 = data_flags::BEGIN;
    const E: u8 = data_flags::END;
    const U: u8 = data_flags::UNORDERED;

    fn frag(ssn: u16, flags: u8, byte: u8) -> Fragment {
        Fragment {
            stream: 1,
            ssn,
            ppid: 51,
            flags,
            data: Bytes::from(vec![byte; 3]),
        }
    }

    /// Fragments of one message at TSNs 10..=13, fed in `order`.
    fn feed(order: &[usize]) -> (Vec<Assembled>, Reassembly) {
        let flags = [B, 0, 0, E];
        let mut r = Reassembly::default();
        let mut done = Vec::new();
        for &i in order {
            done.extend(r.insert(10 + i as u64, frag(4, flags[i], i as u8)));
        }
        (done, r)
    }

    #[test]
    fn every_arrival_order_completes_the_message_once_and_intact() {
        let orders = [
            [0, 1, 2, 3],
            [3, 2, 1, 0],
            [1, 0, 3, 2],
            [2, 0, 3, 1],
            [0, 2, 1, 3],
            [0, 1, 3, 2],
        ];
        for order in orders {
            let (done, r) = feed(&order);
            assert_eq!(done.len(), 1, "{order:?}");
            let m = &done[0];
            assert_eq!((m.first_tsn, m.fragments, m.ssn), (10, 4, 4));
            assert_eq!(&m.data[..], &[0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
            assert!(r.is_empty(), "{order:?}: fragments left");
        }
    }

    #[test]
    fn in_order_messages_use_the_run_and_leave_the_map_empty() {
        let mut r = Reassembly::default();
        for m in 0..3u16 {
            let base = 100 + 3 * u64::from(m);
            assert!(r.insert(base, frag(m, B, 1)).is_none());
            assert!(r.insert(base + 1, frag(m, 0, 2)).is_none());
            assert!(r.stretches.is_empty() && r.run.len() == 2);
            let done = r.insert(base + 2, frag(m, E, 3)).expect("complete");
            assert_eq!((done.first_tsn, done.ssn), (base, m));
            assert!(r.is_empty());
        }
    }

    #[test]
    fn fragments_of_different_messages_never_join() {
        let mut r = Reassembly::default();
        // A BEGIN, then a middle of another SSN, then an END of the first
        // SSN: no message, since the TSNs between do not continue it.
        assert!(r.insert(1, frag(1, B, 1)).is_none());
        assert!(r.insert(2, frag(2, 0, 2)).is_none());
        assert!(r.insert(3, frag(1, E, 3)).is_none());
        // Ordered and unordered fragments of the same SSN do not join.
        assert!(r.insert(10, frag(5, B, 1)).is_none());
        assert!(r.insert(11, frag(5, E | U, 2)).is_none());
        // A stray BEGIN in the middle of a run breaks it.
        assert!(r.insert(20, frag(6, B, 1)).is_none());
        assert!(r.insert(21, frag(7, B, 2)).is_none());
        let done = r.insert(22, frag(7, E, 3)).expect("the second message");
        assert_eq!((done.first_tsn, done.ssn, done.fragments), (21, 7, 2));
        assert!(!r.is_empty());
    }

    #[test]
    fn dropping_counts_what_goes_from_the_run_and_the_map() {
        // The run 10 (BEGIN), 11: dropping up to 10 takes 11 too, the rest
        // of a message begun at or below the point.
        let (_, mut r) = feed(&[0, 1]);
        assert_eq!(r.run.len(), 2);
        assert_eq!(r.drop_up_to(10), (6, 2));
        assert!(r.is_empty());
        // 10 (BEGIN) and 12 with 11 missing: 12 may still be joined by 11,
        // so it stays; once 11 is below the point it goes.
        let (_, mut r) = feed(&[0, 2]);
        assert_eq!(r.drop_up_to(10), (3, 1));
        assert_eq!(r.stretches.len(), 1);
        assert_eq!(r.drop_up_to(11), (3, 1));
        assert!(r.is_empty());
        // A stretch made at 12 and grown down to 10 (its key stays 12):
        // dropping up to 10 takes it whole, its key above the point.
        let mut r = Reassembly::default();
        for t in [12, 11, 10] {
            assert!(r.insert(t, frag(3, 0, 1)).is_none());
        }
        assert_eq!(r.stretches.len(), 1);
        assert_eq!(r.drop_up_to(10), (9, 3));
        assert!(r.is_empty());
        // A message beginning right above the point is kept.
        let mut r = Reassembly::default();
        assert!(r.insert(5, frag(1, 0, 1)).is_none());
        assert!(r.insert(6, frag(2, B, 2)).is_none());
        assert_eq!(r.drop_up_to(5), (3, 1));
        let done = r.insert(7, frag(2, E, 3)).expect("the kept message");
        assert_eq!((done.first_tsn, done.fragments), (6, 2));
        assert!(r.is_empty());
    }

    /// Checks the stretch invariants by brute force.
    fn check_stretches(r: &Reassembly) {
        let mut prev: Option<&Stretch> = None;
        for (&key, stretch) in &r.stretches {
            assert!(!stretch.fragments.is_empty());
            assert!(
                (stretch.first..stretch.end()).contains(&key),
                "{key}: key outside"
            );
            assert!(!stretch.whole(), "{key}: a whole message held");
            if let Some(p) = prev {
                assert!(p.end() <= stretch.first, "{key}: stretches overlap");
                let (last, front) = (p.fragments.back(), stretch.fragments.front());
                assert!(
                    p.end() < stretch.first || !last.unwrap().continued_by(front.unwrap()),
                    "{key}: continues the stretch before"
                );
            }
            let f = &stretch.fragments;
            for (a, b) in f.iter().zip(f.iter().skip(1)) {
                assert!(a.continued_by(b), "{key}: a stretch of two messages");
            }
            prev = Some(stretch);
        }
    }

    /// Every permutation of `0..n`, by Heap's algorithm.
    fn permutations(n: usize) -> Vec<Vec<usize>> {
        fn heap(k: usize, a: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
            if k <= 1 {
                out.push(a.clone());
                return;
            }
            for i in 0..k {
                heap(k - 1, a, out);
                let j = if k % 2 == 0 { i } else { 0 };
                a.swap(j, k - 1);
            }
        }
        let mut out = Vec::new();
        heap(n, &mut (0..n).collect(), &mut out);
        out
    }

    #[test]
    fn every_order_of_two_messages_and_strays_completes_each_once() {
        // TSN 1..=3: message A (ssn 1, ordered); 4: a stray middle of
        // ssn 9; 5..=6: message B (ssn 2, unordered). 7! orders.
        let parts = [
            (1, frag(1, B, 1)),
            (2, frag(1, 0, 2)),
            (3, frag(1, E, 3)),
            (4, frag(9, 0, 9)),
            (5, frag(2, B | U, 4)),
            (6, frag(2, E | U, 5)),
            (7, frag(3, B, 6)),
        ];
        for order in permutations(parts.len()) {
            let mut r = Reassembly::default();
            let mut done = Vec::new();
            for &i in &order {
                let (t, f) = &parts[i];
                let f = Fragment {
                    data: f.data.clone(),
                    ..*f
                };
                done.extend(r.insert(*t, f));
                check_stretches(&r);
            }
            done.sort_by_key(|m| m.first_tsn);
            let got: Vec<_> = done
                .iter()
                .map(|m| (m.first_tsn, m.fragments, m.unordered, m.data.to_vec()))
                .collect();
            let a = [[1u8; 3], [2; 3], [3; 3]].concat();
            let b = [[4u8; 3], [5; 3]].concat();
            assert_eq!(got, vec![(1, 3, false, a), (5, 2, true, b)], "{order:?}");
            // The stray middle and the lone BEGIN stay, as two stretches.
            let held: usize = r.stretches.values().map(|s| s.fragments.len()).sum();
            assert_eq!(held + r.run.len(), 2, "{order:?}");
            assert_eq!(r.drop_up_to(7), (6, 2));
            assert!(r.is_empty());
        }
    }

    /// A message of `n` fragments at TSNs `first..first + n`, each of three
    /// bytes equal to its index.
    fn message(first: u64, n: usize, ssn: u16, u: u8) -> Vec<(u64, Fragment)> {
        (0..n)
            .map(|i| {
                let mut flags = u;
                if i == 0 {
                    flags |= B;
                }
                if i == n - 1 {
                    flags |= E;
                }
                (first + i as u64, frag(ssn, flags, i as u8))
            })
            .collect()
    }

    fn intact(m: &Assembled, n: usize) -> bool {
        let want: Vec<u8> = (0..n as u8).flat_map(|i| [i; 3]).collect();
        m.fragments == n && m.data[..] == want[..]
    }

    #[test]
    fn joining_moves_the_smaller_stretch_into_the_larger() {
        // 1, then 4..=10, then 3 and 2: the last joins [1, 2] to [3..=10].
        let parts = message(1, 10, 0, 0);
        let mut r = Reassembly::default();
        let mut done = Vec::new();
        for i in [0, 3, 4, 5, 6, 7, 8, 9, 2, 1] {
            let (t, f) = &parts[i];
            done.extend(r.insert(
                *t,
                Fragment {
                    data: f.data.clone(),
                    ..*f
                },
            ));
            check_stretches(&r);
        }
        assert!(done.len() == 1 && intact(&done[0], 10) && r.is_empty());
        // 1..=8 in order (the run), 10, then 9: [1..=9] takes [10].
        let mut r = Reassembly::default();
        let mut done = Vec::new();
        for i in [0, 1, 2, 3, 4, 5, 6, 7, 9, 8] {
            let (t, f) = &parts[i];
            done.extend(r.insert(
                *t,
                Fragment {
                    data: f.data.clone(),
                    ..*f
                },
            ));
            check_stretches(&r);
        }
        assert!(done.len() == 1 && intact(&done[0], 10) && r.is_empty());
    }

    #[test]
    fn random_orders_of_many_messages_complete_each_once_and_intact() {
        use rand_chacha::ChaCha20Rng;
        use rand_core::{RngCore, SeedableRng};
        let mut rng = ChaCha20Rng::seed_from_u64(16);
        for _ in 0..300 {
            // Messages of 1..=12 fragments, ordered and unordered, back to
            // back, plus a stray middle fragment now and then.
            let mut parts = Vec::new();
            let mut sizes = Vec::new();
            let mut tsn = 1000;
            for m in 0..8u16 {
                let n = 1 + (rng.next_u32() % 12) as usize;
                let u = if rng.next_u32() % 2 == 0 { U } else { 0 };
                parts.extend(message(tsn, n, m, u));
                sizes.push((tsn, n));
                tsn += n as u64;
                if rng.next_u32() % 4 == 0 {
                    parts.push((tsn, frag(99, 0, 0)));
                    tsn += 1;
                }
            }
            for i in (1..parts.len()).rev() {
                parts.swap(i, (rng.next_u32() as usize) % (i + 1));
            }
            let mut r = Reassembly::default();
            let mut done = Vec::new();
            for (t, f) in parts {
                done.extend(r.insert(t, f));
                check_stretches(&r);
            }
            done.sort_by_key(|m| m.first_tsn);
            let got: Vec<(u64, usize)> = done.iter().map(|m| (m.first_tsn, m.fragments)).collect();
            assert_eq!(got, sizes);
            for (m, &(_, n)) in done.iter().zip(&sizes) {
                assert!(intact(m, n));
            }
        }
    }
}
