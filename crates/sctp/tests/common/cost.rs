//! Cost ratios measured inside a test, robust on a loaded shared machine:
//! the thread's own CPU time (`/proc/thread-self/schedstat`, Linux; wall
//! clock elsewhere), the cheapest of several interleaved repetitions. The
//! kernel updates that figure at scheduler ticks (4 ms here), so a
//! measurement should last tens of milliseconds.

use std::time::Instant;

/// Nanoseconds of CPU time the calling thread has used, if the kernel
/// says; `None` off Linux.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The cost of `run` in nanoseconds (CPU time when available); `setup`'s
/// result is handed to it and not counted.
pub fn cost<S>(setup: impl FnOnce() -> S, run: impl FnOnce(S)) -> u64 {
    let state = setup();
    let (cpu, wall) = (thread_cpu_ns(), Instant::now());
    run(state);
    match (cpu, thread_cpu_ns()) {
        (Some(a), Some(b)) => b.saturating_sub(a).max(1),
        _ => (wall.elapsed().as_nanos() as u64).max(1),
    }
}

/// The cheapest of `reps` measurements of each of `cases`, taken in
/// turn (so that a busy moment of the machine hits them alike).
pub fn cheapest(reps: usize, cases: &mut [&mut dyn FnMut() -> u64]) -> Vec<u64> {
    let mut best = vec![u64::MAX; cases.len()];
    for _ in 0..reps {
        for (b, case) in best.iter_mut().zip(cases.iter_mut()) {
            *b = (*b).min(case());
        }
    }
    best
}
