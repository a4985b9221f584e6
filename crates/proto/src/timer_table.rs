//! A small table of deadlines indexed by an enum, so that a machine can say
//! both *when* it next wants `handle_timeout` and *why*.

use std::marker::PhantomData;
use std::time::Instant;

/// An enum of the timers a machine keeps. Implement it for a fieldless enum.
pub trait TimerKind: Copy + 'static {
    /// Every timer, in index order (`ALL[k.index()] == k`).
    const ALL: &'static [Self];
    /// The index of this timer in a [`TimerTable`]; less than its `N`.
    fn index(self) -> usize;
}

/// Deadlines for up to `N` timers of kind `K`.
#[derive(Debug, Clone)]
pub struct TimerTable<K: TimerKind, const N: usize> {
    deadlines: [Option<Instant>; N],
    kind: PhantomData<K>,
}

impl<K: TimerKind, const N: usize> Default for TimerTable<K, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: TimerKind, const N: usize> TimerTable<K, N> {
    /// A table with no timer armed.
    pub fn new() -> Self {
        Self {
            deadlines: [None; N],
            kind: PhantomData,
        }
    }

    /// Arms (or re-arms) `timer` for `at`.
    pub fn set(&mut self, timer: K, at: Instant) {
        self.deadlines[timer.index()] = Some(at);
    }

    /// Disarms `timer`.
    pub fn stop(&mut self, timer: K) {
        self.deadlines[timer.index()] = None;
    }

    /// When `timer` fires, if armed.
    pub fn get(&self, timer: K) -> Option<Instant> {
        self.deadlines[timer.index()]
    }

    /// Whether `timer` is armed and due at `now`.
    pub fn is_expired(&self, timer: K, now: Instant) -> bool {
        self.get(timer).is_some_and(|at| at <= now)
    }

    /// The earliest armed timer and its deadline: the answer to "when" and
    /// "why" for the next `handle_timeout`.
    ///
    /// On a tie the timer listed first in [`TimerKind::ALL`] wins. A plain
    /// loop: machines ask this at the end of every drain of their outputs.
    #[inline]
    pub fn next(&self) -> Option<(Instant, K)> {
        let mut best: Option<(Instant, K)> = None;
        for &k in K::ALL {
            if let Some(at) = self.deadlines[k.index()] {
                if best.map_or(true, |(b, _)| at < b) {
                    best = Some((at, k));
                }
            }
        }
        best
    }

    /// Disarms and returns every timer due at `now`, earliest first.
    pub fn take_expired(&mut self, now: Instant) -> impl Iterator<Item = K> {
        let mut due: Vec<(Instant, K)> = K::ALL
            .iter()
            .filter_map(|&k| self.get(k).filter(|&at| at <= now).map(|at| (at, k)))
            .collect();
        due.sort_by_key(|&(at, _)| at);
        for &(_, k) in &due {
            self.stop(k);
        }
        due.into_iter().map(|(_, k)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum T {
        A,
        B,
        C,
    }
    impl TimerKind for T {
        const ALL: &'static [Self] = &[T::A, T::B, T::C];
        fn index(self) -> usize {
            self as usize
        }
    }

    #[test]
    fn next_is_the_earliest_armed_timer() {
        let now = Instant::now();
        let mut t: TimerTable<T, 3> = TimerTable::new();
        assert_eq!(t.next(), None);
        t.set(T::B, now + Duration::from_secs(2));
        t.set(T::C, now + Duration::from_secs(1));
        assert_eq!(t.next(), Some((now + Duration::from_secs(1), T::C)));
        t.stop(T::C);
        assert_eq!(t.next(), Some((now + Duration::from_secs(2), T::B)));
        // A tie goes to the timer listed first.
        t.set(T::C, now + Duration::from_secs(2));
        assert_eq!(t.next(), Some((now + Duration::from_secs(2), T::B)));
        t.set(T::A, now + Duration::from_secs(2));
        assert_eq!(t.next(), Some((now + Duration::from_secs(2), T::A)));
    }

    #[test]
    fn take_expired_disarms_due_timers_in_order() {
        let now = Instant::now();
        let mut t: TimerTable<T, 3> = TimerTable::new();
        t.set(T::A, now + Duration::from_millis(5));
        t.set(T::B, now + Duration::from_millis(1));
        t.set(T::C, now + Duration::from_secs(9));
        let due: Vec<T> = t.take_expired(now + Duration::from_millis(5)).collect();
        assert_eq!(due, vec![T::B, T::A]);
        assert!(!t.is_expired(T::A, now + Duration::from_secs(1)));
        assert!(t.is_expired(T::C, now + Duration::from_secs(9)));
    }
}
