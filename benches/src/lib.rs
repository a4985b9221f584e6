//! Criterion benches of sansrtc's hot paths.
//!
//! The benches live in `benches/benches/*.rs` and run with `cargo bench -p
//! sansrtc-benches` or, with a table of ratios against the references
//! measured in the same run, `cargo xtask bench`. This library holds only
//! what several benches share.
//!
//! ```
//! // Payload sizes every per-packet bench uses: audio and video.
//! assert_eq!(sansrtc_benches::PAYLOAD_SIZES, [160, 1200]);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// Payload sizes of the per-packet benches: a 20 ms Opus frame (160 B) and a
/// full video packet (1200 B).
pub const PAYLOAD_SIZES: [usize; 2] = [160, 1200];
