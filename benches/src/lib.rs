//! Criterion benches of sansrtc's hot paths.
//!
//! The benches live in `benches/benches/*.rs` and run with `cargo bench -p
//! sansrtc-benches` or, with a table of ratios against the references
//! measured in the same run, `cargo xtask bench`. This library holds only
//! what several benches share.
//!
//! Naming convention read by `cargo xtask bench`: a criterion group is one
//! operation (`srtp protect AEAD_AES_128_GCM`), its functions are the
//! implementations ([`OURS`] and the references), and the parameter is the
//! payload size or packet shape.
//!
//! ```
//! // Payload sizes every per-packet bench uses: audio and video.
//! assert_eq!(sansrtc_benches::PAYLOAD_SIZES, [160, 1200]);
//! assert_eq!(sansrtc_benches::OURS, "sansrtc");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// Payload sizes of the per-packet benches: a 20 ms Opus frame (160 B) and a
/// full video packet (1200 B).
pub const PAYLOAD_SIZES: [usize; 2] = [160, 1200];

/// The function name of our implementation in every group.
pub const OURS: &str = "sansrtc";
/// libsrtp2, the system library (reference).
pub const LIBSRTP2: &str = "libsrtp2";
/// `webrtc-srtp` from crates.io (reference).
pub const WEBRTC_SRTP: &str = "webrtc-srtp";
/// The raw crypto of the same bytes, or a bare `match` (the ceiling).
pub const CEILING: &str = "ceiling";
/// The `rtp` crate's `Header::unmarshal` (reference).
pub const RTP_CRATE: &str = "rtp-crate";

/// A 12-byte RTP header (V=2, PT 96) followed by `payload` bytes.
pub fn rtp_packet(ssrc: u32, seq: u16, payload: usize) -> Vec<u8> {
    let mut p = vec![0x80, 96, 0, 0, 0, 0, 0x10, 0x00];
    p[2..4].copy_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend((0..payload).map(|i| i as u8));
    p
}
