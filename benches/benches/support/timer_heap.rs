//! One heap of deadlines for many machines, with lazy invalidation: the
//! scheme of `sansrtc-mio`'s server (`adapters/mio/src/server/timers.rs`,
//! crate-private there, so written again here for the in-memory fleet).
//!
//! Each machine remembers the one entry it counts on (`scheduled`); an
//! entry is pushed only when a deadline comes *earlier* than that one, and
//! an entry that comes due is checked against the machine's real deadline
//! by the caller (outdated: skipped; early: pushed again; due: fired). So a
//! turn of the loop pops only due entries and touches no machine whose
//! deadline has not passed. Rebuilt from the machines' entries when
//! outdated ones outnumber them.
#![allow(dead_code)]

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

/// Outdated entries allowed beyond one per machine before a rebuild.
const SLACK: usize = 64;

/// Deadlines of all machines (by index), earliest first.
#[derive(Debug, Default)]
pub struct TimerHeap {
    heap: BinaryHeap<Reverse<(Instant, u32)>>,
}

impl TimerHeap {
    /// Makes sure machine `id` is woken at `deadline`, given `scheduled`,
    /// the entry it counts on now; returns the entry to count on
    /// afterwards. Pushes only when `deadline` is earlier than `scheduled`.
    pub fn schedule(
        &mut self,
        id: u32,
        deadline: Option<Instant>,
        scheduled: Option<Instant>,
    ) -> Option<Instant> {
        match (deadline, scheduled) {
            (Some(at), Some(current)) if at >= current => Some(current),
            (Some(at), _) => {
                self.heap.push(Reverse((at, id)));
                Some(at)
            }
            (None, current) => current,
        }
    }

    /// The earliest entry (perhaps outdated).
    pub fn next(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((at, _))| *at)
    }

    /// Moves every entry due at `now` into `due`, earliest first.
    pub fn pop_due(&mut self, now: Instant, due: &mut Vec<(Instant, u32)>) {
        while let Some(Reverse((at, id))) = self.heap.peek().copied() {
            if at > now {
                return;
            }
            self.heap.pop();
            due.push((at, id));
        }
    }

    /// Entries held, outdated ones included.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether the heap holds many more entries than `live` machines can
    /// count on.
    pub fn needs_rebuild(&self, live: usize) -> bool {
        self.heap.len() > 2 * live + SLACK
    }

    /// Replaces the heap with exactly the given entries.
    pub fn rebuild(&mut self, entries: impl Iterator<Item = (Instant, u32)>) {
        self.heap = entries.map(Reverse).collect();
    }
}
