//! The live heap and its peak, counted by the `cap` crate's allocator, for
//! tests that bound what hostile input can make a connection hold. A test
//! binary that includes this module runs its measured test alone (one
//! `#[test]`), so no other thread's allocations are counted.

use cap::Cap;

#[global_allocator]
static ALLOCATOR: Cap<std::alloc::System> = Cap::new(std::alloc::System, usize::MAX);

/// Bytes allocated and not yet freed.
pub fn live() -> usize {
    ALLOCATOR.allocated()
}

/// The highest live heap so far.
pub fn peak() -> usize {
    ALLOCATOR.max_allocated()
}
