//! SDP for WebRTC: a reader and writer for session descriptions (RFC 8866)
//! that keeps what real peers write, the ICE candidate grammar (RFC 8839)
//! shared with trickle ICE, a typed view of the WebRTC attributes, and JSEP
//! offers and answers built from types (RFC 9429).
//!
//! Three layers:
//! - [`SessionDescription`]: every line in order, unknown attributes kept;
//!   parse → write gives the same text (CRLF line endings) for canonical
//!   input, and the canonical form of the looser text real peers write.
//! - [`SessionView`]: the WebRTC attributes as types (mids, BUNDLE groups,
//!   ICE credentials, fingerprints, setup, candidates, codecs, …).
//! - [`jsep`]: [`create_offer`] / [`create_answer`] under a bundle policy and
//!   an RTCP mux policy.
//!
//! The crate has no I/O, clock or randomness: session ids and credentials
//! are arguments.
//!
//! Parsing an offer and building an answer to it:
//!
//! ```
//! use sansrtc_sdp::jsep::{create_answer, AnswerMedia, AnswerOptions, TransportParams};
//! use sansrtc_sdp::{Candidate, SessionDescription, SessionView};
//!
//! let offer: SessionDescription = "v=0\r\n\
//!     o=- 9145737996444806206 2 IN IP4 127.0.0.1\r\n\
//!     s=-\r\n\
//!     t=0 0\r\n\
//!     a=group:BUNDLE 0\r\n\
//!     m=application 35214 UDP/DTLS/SCTP webrtc-datachannel\r\n\
//!     c=IN IP4 127.0.0.1\r\n\
//!     a=candidate:1303704831 1 udp 2122260223 127.0.0.1 35214 typ host generation 0\r\n\
//!     a=ice-ufrag:1z/G\r\n\
//!     a=ice-pwd:9gUZdc7UUpfqbm/cjhIKTfEg\r\n\
//!     a=fingerprint:sha-256 F1:DC:3C:64:15:67:3F:0A:E3:A5:9C:DF:61:FB:F8:3E:C5:DE:7F:18:71:90:77:35:E7:52:D4:D1:A9:90:F9:B2\r\n\
//!     a=setup:actpass\r\n\
//!     a=mid:0\r\n\
//!     a=sctp-port:5000\r\n\
//!     a=x-unknown-attribute:kept\r\n"
//!     .parse()?;
//! // Round trip: the same text back, unknown attribute included.
//! assert!(offer.to_string().contains("a=x-unknown-attribute:kept\r\n"));
//!
//! let view = SessionView::new(&offer)?;
//! assert_eq!(view.bundle_group().unwrap().mids, ["0"]);
//! assert_eq!(view.media[0].ice_ufrag.as_deref(), Some("1z/G"));
//! let remote: &Candidate = &view.media[0].candidates[0];
//! assert_eq!(remote.port, 35214);
//!
//! let fingerprint = "sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99";
//! let transport = TransportParams::new(
//!     "Ab1+",
//!     "0123456789abcdefABCDEF+/",
//!     vec![sansrtc_sdp::parse_fingerprint(fingerprint)?],
//! );
//! let answer = create_answer(
//!     &offer,
//!     &AnswerOptions::new(4_242_424_242),
//!     &transport,
//!     &[AnswerMedia::Data { sctp_port: 5000, max_message_size: 262_144 }],
//! )?;
//! let text = answer.to_string();
//! assert!(text.contains("a=group:BUNDLE 0\r\n"));
//! assert!(text.contains("m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"));
//! assert!(text.contains("a=setup:active\r\n"));
//! // What we write, we read back.
//! assert_eq!(text.parse::<SessionDescription>()?, answer);
//! # Ok::<(), sansrtc_sdp::SdpError>(())
//! ```
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

pub mod attributes;
pub mod candidate;
pub mod candidate_error;
pub mod check;
mod description;
pub mod dom;
mod error;
mod grammar;
pub mod jsep;
mod liberal;
pub mod limits;
mod lines;
mod parse;
mod view;

pub use attributes::{AttributeError, WebRtcAttribute};
pub use candidate::{Candidate, CandidateAddress, CandidateKind, CandidateTransport, TcpType};
pub use candidate_error::{CandidateError, CandidateField};
pub use description::{MediaSection, SessionDescription};
pub use error::SdpError;
pub use jsep::{create_answer, create_offer};
pub use lines::{Attribute, Bandwidth, Connection, Line, MediaLine, Origin, Timing};
pub use view::{Codec, MediaView, SessionView};

/// Parses the value of an `a=fingerprint` attribute
/// (`<hash-func> <XX:XX:…>`).
pub fn parse_fingerprint(value: &str) -> Result<attributes::Fingerprint, SdpError> {
    attributes::Fingerprint::parse(value).map_err(|expected| SdpError::InvalidAttribute {
        line: 0,
        name: "fingerprint",
        expected,
    })
}
