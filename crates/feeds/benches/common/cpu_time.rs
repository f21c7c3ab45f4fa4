//! On-CPU time of the benchmark thread, beside the wall-clock figures: the bars are per
//! core, and on a machine other jobs share, wall time also counts the time the scheduler
//! gave them. A figure from it reads as "per CPU-second of this thread".

use std::time::{Duration, Instant};

/// Nanoseconds this thread has spent on a CPU (Linux `schedstat`); `None` off Linux.
pub fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// For `Bencher::iter_custom`: runs `routine` `iters` times and returns the on-CPU time
/// they took (the wall time off Linux).
pub fn on_cpu<T>(iters: u64, mut routine: impl FnMut() -> T) -> Duration {
    let (wall, cpu) = (Instant::now(), thread_cpu_ns());
    for _ in 0..iters {
        std::hint::black_box(routine());
    }
    match (cpu, thread_cpu_ns()) {
        (Some(start), Some(end)) => Duration::from_nanos(end - start),
        _ => wall.elapsed(),
    }
}
