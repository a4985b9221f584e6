//! One heap of deadlines for all connections, with lazy invalidation.
//!
//! A connection's deadline changes after almost every input; removing its
//! old heap entry each time would cost a search. Instead each connection
//! remembers the one entry it counts on (`scheduled`); an entry is pushed
//! only when a deadline comes *earlier* than that one, and an entry that
//! comes due is checked against the connection's real deadline: outdated
//! (the connection is gone, or a newer entry replaced it) it is skipped,
//! early (the deadline moved later) it is pushed again for the real
//! deadline, due it fires. So a poll pops only entries that are due, and
//! touches no connection whose deadline has not passed. The heap is
//! rebuilt from the connections' entries when outdated ones outnumber
//! them, which bounds it at about twice the number of connections.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

use super::connection::ConnectionId;

/// Outdated entries allowed beyond one per connection before a rebuild.
const SLACK: usize = 64;

/// Deadlines of all connections, earliest first.
#[derive(Debug, Default)]
pub(crate) struct TimerHeap {
    heap: BinaryHeap<Reverse<(Instant, ConnectionId)>>,
}

impl TimerHeap {
    /// Makes sure `id` is woken at `deadline`, given `scheduled`, the
    /// entry it counts on now; returns the entry to count on afterwards.
    /// Pushes only when `deadline` is earlier than `scheduled`: a later
    /// deadline is found when the earlier entry comes due.
    pub(crate) fn schedule(
        &mut self,
        id: ConnectionId,
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

    /// The earliest entry (perhaps outdated: waking for it early is
    /// harmless).
    pub(crate) fn next(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((at, _))| *at)
    }

    /// Moves every entry due at `now` into `due`, earliest first.
    pub(crate) fn pop_due(&mut self, now: Instant, due: &mut Vec<(Instant, ConnectionId)>) {
        while let Some(Reverse((at, id))) = self.heap.peek().copied() {
            if at > now {
                return;
            }
            self.heap.pop();
            due.push((at, id));
        }
    }

    /// How many entries the heap holds, outdated ones included.
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether the heap holds many more entries than the `live`
    /// connections can count on.
    pub(crate) fn needs_rebuild(&self, live: usize) -> bool {
        self.heap.len() > 2 * live + SLACK
    }

    /// Replaces the heap with exactly the entries the connections count on.
    pub(crate) fn rebuild(&mut self, entries: impl Iterator<Item = (Instant, ConnectionId)>) {
        self.heap = entries.map(Reverse).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn id(index: u32) -> ConnectionId {
        ConnectionId {
            index,
            generation: 0,
        }
    }

    #[test]
    fn only_an_earlier_deadline_is_pushed() {
        let t0 = Instant::now();
        let mut heap = TimerHeap::default();
        let s = heap.schedule(id(1), Some(t0 + Duration::from_secs(5)), None);
        assert_eq!(s, Some(t0 + Duration::from_secs(5)));
        // Later: counted on the earlier entry, nothing pushed.
        let s = heap.schedule(id(1), Some(t0 + Duration::from_secs(9)), s);
        assert_eq!((s, heap.len()), (Some(t0 + Duration::from_secs(5)), 1));
        // No deadline: nothing pushed either.
        assert_eq!(heap.schedule(id(1), None, s), s);
        // Earlier: pushed, the old entry becomes outdated.
        let s = heap.schedule(id(1), Some(t0 + Duration::from_secs(1)), s);
        assert_eq!((s, heap.len()), (Some(t0 + Duration::from_secs(1)), 2));
        assert_eq!(heap.next(), Some(t0 + Duration::from_secs(1)));
    }

    #[test]
    fn due_entries_come_out_earliest_first_and_later_ones_stay() {
        let t0 = Instant::now();
        let mut heap = TimerHeap::default();
        for (i, secs) in [(1, 3), (2, 1), (3, 2), (4, 10)] {
            heap.schedule(id(i), Some(t0 + Duration::from_secs(secs)), None);
        }
        let mut due = Vec::new();
        heap.pop_due(t0 + Duration::from_secs(3), &mut due);
        let order: Vec<u32> = due.iter().map(|(_, id)| id.index).collect();
        assert_eq!(order, vec![2, 3, 1]);
        assert_eq!(heap.len(), 1);
        assert_eq!(heap.next(), Some(t0 + Duration::from_secs(10)));
    }

    #[test]
    fn a_rebuild_keeps_only_the_given_entries() {
        let t0 = Instant::now();
        let mut heap = TimerHeap::default();
        let mut s = None;
        for back in 0..200u64 {
            s = heap.schedule(id(1), Some(t0 + Duration::from_secs(1000 - back)), s);
        }
        assert!(heap.needs_rebuild(1));
        heap.rebuild([(s.unwrap(), id(1))].into_iter());
        assert_eq!(heap.len(), 1);
        assert!(!heap.needs_rebuild(1));
    }
}
