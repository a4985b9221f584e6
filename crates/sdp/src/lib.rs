//! SDP for WebRTC: a reader and writer for session descriptions (RFC 8866)
//! that keeps what real peers write, the ICE candidate grammar (RFC 8839)
//! shared with trickle ICE, and the JSEP session model (RFC 9429).
//!
//! One candidate parser serves both SDP lines and trickled candidates:
//!
//! ```
//! use sansrtc_sdp::{Candidate, CandidateKind};
//!
//! let trickled: Candidate = "candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host".parse()?;
//! let in_sdp: Candidate = "a=candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host".parse()?;
//! assert_eq!(trickled, in_sdp);
//! assert_eq!(in_sdp.kind, CandidateKind::Host);
//! assert_eq!(in_sdp.to_string(), "candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host");
//! # Ok::<(), sansrtc_sdp::CandidateError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod candidate;
pub mod candidate_error;
mod grammar;
pub mod limits;

pub use candidate::{Candidate, CandidateAddress, CandidateKind, CandidateTransport, TcpType};
pub use candidate_error::{CandidateError, CandidateField};
