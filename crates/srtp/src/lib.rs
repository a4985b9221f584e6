//! SRTP and SRTCP (RFC 3711) for sansrtc, with the four protection profiles
//! DTLS-SRTP negotiates (RFC 5764, RFC 7714): `AES_CM_128_HMAC_SHA1_80`,
//! `AES_CM_128_HMAC_SHA1_32`, `AEAD_AES_128_GCM` and `AEAD_AES_256_GCM`.
//!
//! - [`SrtpContext`]: keys of one direction, derived from the master key and
//!   salt (RFC 3711 §4.3, KDR = 0), with per-SSRC state created on demand
//!   under a bound ([`SrtpConfig::max_streams`]): rollover counter and index
//!   estimation (RFC 3711 Appendix A), SRTCP index and E-bit, replay windows
//!   (64 packets by default, up to [`MAX_REPLAY_WINDOW`]).
//! - `protect_*_in_place` / `unprotect_*_in_place` work on the caller's
//!   buffer without allocating; `protect_rtp(&mut Vec<u8>)` and friends are
//!   the convenience forms.
//! - [`SrtpError`] says why a packet was refused; [`SrtpStats`] counts.
//!
//! The crate is a pure transform: no I/O, no clock, no randomness (SRTP
//! needs none). Crypto comes from `ring` (AES-GCM), `aes` + `ctr` (AES-CM)
//! and `hmac` + `sha1`; the keyed cipher and MAC objects are built once per
//! context.
//!
//! Protecting and unprotecting a packet:
//!
//! ```
//! use sansrtc_srtp::{Profile, SrtpConfig, SrtpContext};
//!
//! let key = [7u8; 16];
//! let salt = [9u8; 12];
//! let mut tx = SrtpContext::new(Profile::AeadAes128Gcm, &key, &salt, SrtpConfig::default())?;
//! let mut rx = SrtpContext::new(Profile::AeadAes128Gcm, &key, &salt, SrtpConfig::default())?;
//!
//! // A 12-byte RTP header (PT 111, seq 1, SSRC 0x1234) and 160 bytes of audio,
//! // in a buffer with room for the 16-byte tag.
//! let mut buf = [0u8; 12 + 160 + 16];
//! buf[..12].copy_from_slice(&[0x80, 111, 0, 1, 0, 0, 0, 0, 0, 0, 0x12, 0x34]);
//! buf[12..172].fill(0xab);
//! let n = tx.protect_rtp_in_place(&mut buf, 172)?;
//! assert_eq!(n, 188);
//! assert_ne!(buf[12..172], [0xab; 160]);
//!
//! let protected = buf;
//! let m = rx.unprotect_rtp_in_place(&mut buf[..n])?;
//! assert_eq!(m, 172);
//! assert_eq!(buf[12..172], [0xab; 160]);
//!
//! // The same packet again is a replay.
//! let mut again = protected;
//! assert!(matches!(
//!     rx.unprotect_rtp_in_place(&mut again[..n]),
//!     Err(sansrtc_srtp::SrtpError::Replayed { index: 1 })
//! ));
//! assert_eq!(rx.stats().replayed, 1);
//! # Ok::<(), sansrtc_srtp::SrtpError>(())
//! ```
//!
//! **The `snapshot` feature** (off by default): `SrtpContext` is `Clone`,
//! for fuzz harnesses that build a context once and clone it per input.
//! Never clone a live connection: two copies that both send would reuse
//! nonces and sequence numbers under the same keys.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod aead_gcm;
mod aes_cm;
mod context;
mod error;
mod index;
pub mod kdf;
mod profile;
mod replay;
mod rtp_header;
mod stats;
mod stream_table;

pub use context::{SessionKeys, SrtpConfig, SrtpContext, DEFAULT_MAX_STREAMS};
pub use error::SrtpError;
pub use profile::Profile;
pub use replay::{DEFAULT_REPLAY_WINDOW, MAX_REPLAY_WINDOW};
/// The key type of [`SrtpConfig::hash_seed`] (from `sansrtc-proto`).
pub use sansrtc_proto::SeededState;
pub use stats::SrtpStats;
