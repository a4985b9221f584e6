//! A criterion measurement of the bench thread's own CPU time, for this
//! shared machine: wall-clock samples there include whatever time the
//! scheduler gives to other processes (the load is often 5 on 2 cores),
//! CPU time does not. Read from `/proc/thread-self/schedstat` (Linux; its
//! first field is the nanoseconds the thread has spent on a CPU), so no
//! `unsafe` and no new dependency. Selected with `SANSRTC_BENCH_CPU_TIME=1`.
#![allow(dead_code)]

use criterion::measurement::{Measurement, ValueFormatter, WallTime};

/// The calling thread's CPU time, in nanoseconds.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .expect("/proc/thread-self/schedstat is readable (Linux)")
}

/// `fn main` of a bench binary: runs the bench function `$bench` (generic
/// over the measurement) with CPU time when [`requested`], else with
/// wall-clock time, then prints criterion's summary.
macro_rules! main_with_cpu_time {
    ($bench:ident) => {
        fn main() {
            if cpu_time::requested() {
                let mut c = Criterion::default()
                    .with_measurement(cpu_time::CpuTime)
                    .configure_from_args();
                $bench(&mut c);
                c.final_summary();
            } else {
                let mut c = Criterion::default().configure_from_args();
                $bench(&mut c);
                c.final_summary();
            }
        }
    };
}
pub(crate) use main_with_cpu_time;

/// Whether the environment asks for CPU time instead of wall-clock time.
pub fn requested() -> bool {
    std::env::var_os("SANSRTC_BENCH_CPU_TIME").is_some_and(|v| v != "0")
}

/// CPU time of the measuring thread, reported like wall-clock time.
pub struct CpuTime;

impl Measurement for CpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        // Values are nanoseconds, as with wall-clock time.
        WallTime.formatter()
    }
}
