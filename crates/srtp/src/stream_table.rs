//! Per-SSRC state, created on demand, with a bound on the number of SSRCs.

use std::collections::HashMap;

use sansrtc_proto::SeededState;

use crate::SrtpError;

/// Streams of one kind (SRTP send, SRTP receive, SRTCP send, SRTCP
/// receive), looked up by SSRC. The last SSRC used is remembered, so a
/// context that sees one stream at a time does no hashing at all. SSRCs
/// are chosen by the peer, so the index is keyed ([`SeededState`], from the
/// configuration's seed): deterministic for a given seed, and a peer that
/// does not know the seed cannot pick colliding SSRCs.
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct StreamTable<S> {
    slots: Vec<(u32, S)>,
    by_ssrc: HashMap<u32, usize, SeededState>,
    last: usize,
    limit: usize,
}

impl<S> StreamTable<S> {
    pub(crate) fn new(limit: usize, hash: SeededState) -> Self {
        StreamTable {
            slots: Vec::new(),
            by_ssrc: HashMap::with_hasher(hash),
            last: usize::MAX,
            limit,
        }
    }

    /// The slot of `ssrc`, if it has state.
    #[inline]
    pub(crate) fn find(&mut self, ssrc: u32) -> Option<usize> {
        if let Some((s, _)) = self.slots.get(self.last) {
            if *s == ssrc {
                return Some(self.last);
            }
        }
        let slot = *self.by_ssrc.get(&ssrc)?;
        self.last = slot;
        Some(slot)
    }

    /// The state in `slot` (from [`find`](Self::find) or
    /// [`insert`](Self::insert)).
    #[inline]
    pub(crate) fn get_mut(&mut self, slot: usize) -> &mut S {
        &mut self.slots[slot].1
    }

    /// Whether a new SSRC would exceed the bound.
    pub(crate) fn is_full(&self) -> bool {
        self.slots.len() >= self.limit
    }

    /// Adds state for a new `ssrc` (not present yet).
    pub(crate) fn insert(&mut self, ssrc: u32, state: S) -> Result<usize, SrtpError> {
        if self.is_full() {
            return Err(SrtpError::StreamLimit { limit: self.limit });
        }
        let slot = self.slots.len();
        self.slots.push((ssrc, state));
        self.by_ssrc.insert(ssrc, slot);
        self.last = slot;
        Ok(slot)
    }

    /// Drops the state of `ssrc`; returns whether it existed.
    pub(crate) fn remove(&mut self, ssrc: u32) -> bool {
        let Some(slot) = self.by_ssrc.remove(&ssrc) else {
            return false;
        };
        self.slots.swap_remove(slot);
        if let Some((moved, _)) = self.slots.get(slot) {
            self.by_ssrc.insert(*moved, slot);
        }
        self.last = usize::MAX;
        true
    }

    /// Number of SSRCs with state.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_lookup_insert_remove() {
        let mut t = StreamTable::new(3, SeededState::new(1, 2));
        assert_eq!(t.find(1), None);
        let a = t.insert(1, 'a').unwrap();
        let b = t.insert(2, 'b').unwrap();
        t.insert(3, 'c').unwrap();
        assert_eq!(t.insert(4, 'd'), Err(SrtpError::StreamLimit { limit: 3 }));
        assert_eq!(t.find(1), Some(a));
        assert_eq!(t.find(2), Some(b));
        assert!(t.remove(1));
        assert!(!t.remove(1));
        assert_eq!(t.find(1), None);
        let slot = t.find(3).unwrap();
        assert_eq!(*t.get_mut(slot), 'c');
        let slot = t.find(2).unwrap();
        assert_eq!(*t.get_mut(slot), 'b');
        t.insert(4, 'd').unwrap();
        assert_eq!(t.len(), 3);
        let slot = t.find(4).unwrap();
        assert_eq!(*t.get_mut(slot), 'd');
    }
}
