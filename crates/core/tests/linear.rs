//! The linear-time check shared by the hostile suites of the library and of
//! the binary (the CLI's tests include this file by path).
//!
//! Each case is timed at size N and at N/10, best of 3 each with the runs
//! interleaved, and fails when the ratio says super-linear: linear growth
//! gives about 10, quadratic about 100, and a fixed start-up cost only
//! lowers the ratio.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Largest accepted time ratio between the input of size N and the one of
/// size N/10.
pub const MAX_RATIO: f64 = 25.0;

/// Shortest run of the small input that the ratio is computed from, when
/// the case lets the check grow N.
const MIN_SMALL: Duration = Duration::from_millis(20);

/// One timing case at a time in a test binary, so that they do not skew
/// each other.
static TIMING: Mutex<()> = Mutex::new(());

fn time(f: &mut dyn FnMut()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

/// Times `run` on `build(n / 10)` and `build(n)` and fails on super-linear
/// growth. A run of a few milliseconds is mostly noise, so N is doubled (up
/// to `max_growth` times in all) until the small input takes long enough;
/// pass 1 to keep N as given (inputs that are already big). A ratio over
/// the limit is measured twice more before failing, to rule out a
/// neighbour stealing the CPU.
pub fn assert_linear<T>(
    name: &str,
    n: usize,
    max_growth: usize,
    build: impl Fn(usize) -> T,
    run: impl Fn(&T),
) {
    let _guard = TIMING.lock().unwrap_or_else(|e| e.into_inner());
    let mut n = n;
    let limit = n * max_growth.max(1);
    let mut small = build(n / 10);
    while n < limit && time(&mut || run(&small)) < MIN_SMALL {
        n *= 2;
        small = build(n / 10);
    }
    let big = build(n);
    let mut best = (Duration::MAX, Duration::MAX);
    for attempt in 0..3 {
        for _ in 0..3 {
            best.0 = best.0.min(time(&mut || run(&small)));
            best.1 = best.1.min(time(&mut || run(&big)));
        }
        let ratio = best.1.as_secs_f64() / best.0.as_secs_f64().max(1e-6);
        eprintln!(
            "{name}: n/10 {:?}, n {:?}, ratio {ratio:.1} (attempt {attempt})",
            best.0, best.1
        );
        if ratio <= MAX_RATIO {
            return;
        }
        if ratio > 3.0 * MAX_RATIO {
            break; // far beyond noise: no need to measure again
        }
    }
    let ratio = best.1.as_secs_f64() / best.0.as_secs_f64().max(1e-6);
    panic!(
        "{name}: {:?} for n = {n}, {:?} for n/10: ratio {ratio:.1} > {MAX_RATIO}, \
         super-linear growth",
        best.1, best.0
    );
}
