//! Classifying into a reused verdict allocates nothing once its buffers
//! (and the scratch's) have grown: the promise of
//! `Classifier::classify_into`, and what keeps a batch run off the
//! allocator.
//!
//! A test binary of its own: counting allocations takes a global
//! allocator, which is the whole process's (a counter per thread keeps the
//! test harness's own allocations out of the count).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use classify_core::{Ad, Classifier, Scratch, Verdict};

#[allow(dead_code)]
mod util;

/// The system allocator, counting the allocations of each thread.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the thread's counter may already be gone while it exits.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

// SAFETY: every call goes to `System` unchanged; counting touches only a
// thread-local `Cell` that allocates nothing.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's guarantees, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's guarantees, passed on.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: the caller's guarantees, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's guarantees, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn classify_into_allocates_nothing_once_warm() {
    let classifier = Classifier::new();
    let ads = util::fixtures();
    let ads: Vec<Ad<'_>> = ads.iter().map(|a| Ad::new(&a.title, &a.text)).collect();
    let (mut scratch, mut verdict) = (Scratch::default(), Verdict::default());
    // Each pass over the fixtures, forwards then backwards, so that the
    // verdict keeps growing and shrinking; the first pass grows the
    // buffers, the next ones find them grown.
    let mut per_pass = Vec::new();
    for _ in 0..3 {
        let before = allocations();
        for ad in ads.iter().chain(ads.iter().rev()) {
            classifier.classify_into(ad, &mut scratch, &mut verdict);
        }
        per_pass.push(allocations() - before);
    }
    assert!(per_pass[0] > 0, "the counter counts: {per_pass:?}");
    assert_eq!(per_pass[1..], [0, 0], "allocations per pass: {per_pass:?}");
}
