//! One shape of the SCTP throughput bench without criterion, for
//! profilers: `valgrind --tool=callgrind` (instruction counts, repeatable
//! on a loaded machine) or `perf record`. Ten iterations of 1 MiB from A to
//! B between two of our associations, as in `sctp.rs`.
//!
//! ```text
//! cargo bench -p sansrtc-benches --bench sctp_profile --no-run
//! valgrind --tool=callgrind target/release/deps/sctp_profile-<hash> 1200 ping-pong [zero]
//! ```
//!
//! Arguments, in any order: the message size (default 1200), `batch` or
//! `ping-pong` (default), and `zero` for RFC 9653 zero checksums. It prints
//! the pair's counters at the end, so a change in behaviour shows as well.
#![allow(missing_docs)]

use bytes::Bytes;

#[path = "support/pair.rs"]
mod pair;

use pair::{our_pair_with, Shape, BATCH_BYTES};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let shape = if args.iter().any(|a| a == "batch") {
        Shape::Batch
    } else {
        Shape::PingPong
    };
    let size: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(1200);
    let zero = args.iter().any(|a| a == "zero");
    let mut pair = our_pair_with(size.max(64 * 1024), zero);
    let message = Bytes::from(vec![0x5a; size]);
    let count = BATCH_BYTES / size;
    for _ in 0..10 {
        pair.transfer(shape, &message, count);
    }
    println!("{shape:?} {size} B, zero checksum {zero}");
    println!("A: {:?}", pair.a.assoc.stats());
    println!("B: {:?}", pair.b.assoc.stats());
}
