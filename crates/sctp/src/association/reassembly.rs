//! Fragments waiting for the rest of their message (RFC 9260 §6.9).
//!
//! The fragments of one DATA message have consecutive TSNs, from the one
//! with the B bit to the one with the E bit. When they arrive in order —
//! the usual case — they are appended to a *run*: the fragments of the
//! message under way, no map, no search. Anything else (a gap, a fragment
//! out of order, a run broken by a stray BEGIN) moves the run into a map
//! keyed by TSN, where a message completes once every TSN from its BEGIN
//! to its END is there; the run is used again once the map is empty.
//! Either way a message costs one allocation and one copy when it
//! completes: until then the fragments are slices of their packets (or
//! their own small copies, see the receiver).

use std::collections::BTreeMap;

use bytes::Bytes;

use crate::chunk::data_flags;

/// A fragment waiting for the rest of its message.
#[derive(Debug)]
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

/// The fragments held, in a run or in the map (never both).
#[derive(Debug, Default)]
pub(crate) struct Reassembly {
    /// Consecutive TSNs from `run_first`, of one message begun with its
    /// BEGIN fragment and not ended yet. Only used while `map` is empty.
    run: Vec<Fragment>,
    run_first: u64,
    map: BTreeMap<u64, Fragment>,
}

impl Reassembly {
    /// Whether no fragment is held.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.run.is_empty() && self.map.is_empty()
    }

    /// Adds the fragment with TSN `tsn` (new: the caller filtered
    /// duplicates); returns its message if that is now complete.
    pub(crate) fn insert(&mut self, tsn: u64, fragment: Fragment) -> Option<Assembled> {
        if self.map.is_empty() {
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
                let done = assemble(self.run_first, &self.run);
                self.run.clear();
                return done;
            }
            self.spill();
        }
        self.map.insert(tsn, fragment);
        self.complete_around(tsn)
    }

    /// Moves the run into the map.
    fn spill(&mut self) {
        let first = self.run_first;
        for (i, f) in self.run.drain(..).enumerate() {
            self.map.insert(first + i as u64, f);
        }
    }

    /// Completes the message around `tsn` if all its fragments are in the
    /// map. Walks forward to the END first, so in-order arrival costs O(1)
    /// per fragment and O(n) once per message.
    fn complete_around(&mut self, tsn: u64) -> Option<Assembled> {
        let me = self.map.get(&tsn)?;
        let mut last = tsn;
        let mut cursor = me;
        while !cursor.ends() {
            let next = self.map.get(&(last + 1))?;
            if !cursor.continued_by(next) {
                return None;
            }
            last += 1;
            cursor = next;
        }
        let mut first = tsn;
        let mut cursor = me;
        while !cursor.begins() {
            let prev = self.map.get(&(first - 1))?;
            if !prev.continued_by(cursor) {
                return None;
            }
            first -= 1;
            cursor = prev;
        }
        let parts: Vec<Fragment> = (first..=last).filter_map(|t| self.map.remove(&t)).collect();
        assemble(first, &parts)
    }

    /// Drops every fragment with a TSN at or below `tsn` (they can never
    /// complete); returns the payload bytes and the number dropped.
    pub(crate) fn drop_up_to(&mut self, tsn: u64) -> (usize, usize) {
        self.spill();
        let keep = self.map.split_off(&(tsn + 1));
        let dropped = std::mem::replace(&mut self.map, keep);
        let bytes = dropped.values().map(|f| f.data.len()).sum();
        (bytes, dropped.len())
    }

    /// Drops the fragments `useless` says so of; returns the payload bytes
    /// and the number dropped.
    pub(crate) fn drop_where(&mut self, useless: impl Fn(&Fragment) -> bool) -> (usize, usize) {
        self.spill();
        let (mut bytes, mut count) = (0, 0);
        self.map.retain(|_, f| {
            let drop = useless(f);
            if drop {
                bytes += f.data.len();
                count += 1;
            }
            !drop
        });
        (bytes, count)
    }

    /// Drops everything.
    pub(crate) fn clear(&mut self) {
        self.run.clear();
        self.map.clear();
    }
}

/// One buffer from the fragments of a message, in TSN order, allocated at
/// its exact size (so that `Bytes` takes it without a second allocation);
/// `None` if there are no fragments.
fn assemble(first_tsn: u64, parts: &[Fragment]) -> Option<Assembled> {
    let head = parts.first()?;
    let mut data = Vec::with_capacity(parts.iter().map(|f| f.data.len()).sum());
    for f in parts {
        data.extend_from_slice(&f.data);
    }
    Some(Assembled {
        first_tsn,
        fragments: parts.len(),
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
            assert!(r.map.is_empty() && r.run.len() == 2);
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
        let (_, mut r) = feed(&[0, 1]);
        assert_eq!(r.run.len(), 2);
        assert_eq!(r.drop_up_to(10), (3, 1));
        let (_, mut r) = feed(&[0, 2]);
        assert_eq!(r.drop_where(|f| f.flags & B != 0), (3, 1));
        assert_eq!(r.drop_up_to(100), (3, 1));
        assert!(r.is_empty());
    }
}
