//! JSEP (RFC 9429) offers and answers built from types.
//!
//! [`create_offer`] writes an initial offer (§5.2.1) for a list of media
//! sections under a `bundlePolicy` and an `rtcpMuxPolicy`;
//! [`create_answer`] writes an initial answer (§5.3.1) to a parsed offer,
//! with one [`AnswerMedia`] choice per offered section.
//!
//! Both are pure functions: identifiers, credentials and certificates come
//! in as arguments (from the caller's injected RNG and configuration).

mod answer;
mod common;
mod offer;
mod policy;

pub use answer::{
    create_answer, create_answer_with_transports, receive_simulcast, AnswerMedia, AnswerOptions,
    AnswerRtp, BundledSectionShape,
};
pub use offer::{create_offer, create_offer_with_transports, OfferOptions};
pub use policy::{BundlePolicy, IceTransportPolicy, RtcpMuxPolicy};

use crate::attributes::{Direction, Extmap, Fingerprint, IceOption, Msid, Ssrc, SsrcGroup};
use crate::candidate::Candidate;
use crate::view::Codec;

/// The local transport parameters written in every section that carries a
/// transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportParams {
    /// `a=ice-ufrag`.
    pub ice_ufrag: String,
    /// `a=ice-pwd`.
    pub ice_pwd: String,
    /// `a=fingerprint` lines, one per certificate (at least one).
    pub fingerprints: Vec<Fingerprint>,
    /// Candidates gathered so far (often none with trickle ICE).
    pub candidates: Vec<Candidate>,
    /// Whether gathering is complete (`a=end-of-candidates`).
    pub end_of_candidates: bool,
    /// Whether this side is ICE lite (`a=ice-lite`).
    pub ice_lite: bool,
    /// Session-level `a=ice-options` (RFC 9429 §5.2.1: `trickle ice2`).
    pub ice_options: Vec<IceOption>,
}

impl TransportParams {
    /// Parameters with trickle ICE and `ice2`, no candidates yet.
    pub fn new(ice_ufrag: &str, ice_pwd: &str, fingerprints: Vec<Fingerprint>) -> Self {
        TransportParams {
            ice_ufrag: ice_ufrag.to_owned(),
            ice_pwd: ice_pwd.to_owned(),
            fingerprints,
            candidates: Vec::new(),
            end_of_candidates: false,
            ice_lite: false,
            ice_options: vec![IceOption::Trickle, IceOption::Ice2],
        }
    }
}

/// The media type of an RTP section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// `audio`.
    Audio,
    /// `video`.
    Video,
}

impl MediaKind {
    /// The `m=` media token.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
        }
    }
}

/// An RTP media section to offer (one transceiver).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpMedia {
    /// `a=mid`.
    pub mid: String,
    /// Audio or video.
    pub kind: MediaKind,
    /// Direction.
    pub direction: Direction,
    /// Codecs in preference order (at least one).
    pub codecs: Vec<Codec>,
    /// Header extensions.
    pub extmaps: Vec<Extmap>,
    /// `a=msid` when sending.
    pub msid: Option<Msid>,
    /// `a=ssrc` lines when sending.
    pub ssrcs: Vec<Ssrc>,
    /// `a=ssrc-group` lines (FID for RTX, SIM for simulcast).
    pub ssrc_groups: Vec<SsrcGroup>,
    /// Offer `a=rtcp-rsize` (RFC 5506).
    pub rtcp_rsize: bool,
}

/// The data channel section to offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataMedia {
    /// `a=mid`.
    pub mid: String,
    /// `a=sctp-port` (5000 by convention).
    pub sctp_port: u16,
    /// `a=max-message-size` (RFC 8841 §6; 0 means no limit).
    pub max_message_size: u64,
}

impl DataMedia {
    /// A data section with SCTP port 5000 and a 256 KiB message limit.
    pub fn new(mid: &str) -> Self {
        DataMedia {
            mid: mid.to_owned(),
            sctp_port: 5000,
            max_message_size: 262_144,
        }
    }
}

/// An audio or video section offered as rejected (port 0): its
/// transceiver was stopped (RFC 9429 §5.2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedMedia {
    /// `a=mid` (kept, so the peer can match the section).
    pub mid: String,
    /// Audio or video.
    pub kind: MediaKind,
    /// The payload types on the media line (at least one).
    pub payload_types: Vec<u8>,
}

/// One media section of an offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaSpec {
    /// Audio or video.
    Rtp(RtpMedia),
    /// The data channel section (`UDP/DTLS/SCTP webrtc-datachannel`).
    Data(DataMedia),
    /// A rejected audio or video section: port 0, outside BUNDLE, no
    /// transport.
    Rejected(RejectedMedia),
}

impl MediaSpec {
    fn mid(&self) -> &str {
        match self {
            MediaSpec::Rtp(r) => &r.mid,
            MediaSpec::Data(d) => &d.mid,
            MediaSpec::Rejected(r) => &r.mid,
        }
    }

    fn media_token(&self) -> &'static str {
        match self {
            MediaSpec::Rtp(r) => r.kind.as_str(),
            MediaSpec::Data(_) => "application",
            MediaSpec::Rejected(r) => r.kind.as_str(),
        }
    }

    /// Whether the section is offered rejected.
    pub fn is_rejected(&self) -> bool {
        matches!(self, MediaSpec::Rejected(_))
    }
}

/// What the builder refuses to write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A mid is empty, too long or not a token.
    #[error("mid must be 1 to 16 token characters")]
    InvalidMid,
    /// Two sections share a mid.
    #[error("two media sections share a mid")]
    DuplicateMid,
    /// An RTP section has no codec.
    #[error("an RTP media section needs at least one codec")]
    NoCodecs,
    /// No fingerprint was given.
    #[error("at least one certificate fingerprint is needed")]
    NoFingerprint,
    /// The ICE ufrag or password is not 4..256 / 22..256 ice-chars.
    #[error("ice-ufrag must be 4 to 256 and ice-pwd 22 to 256 ALPHA/DIGIT/+// characters")]
    InvalidIceCredentials,
    /// The number of answer choices differs from the offered sections.
    #[error("one answer choice is needed per offered media section")]
    AnswerCountMismatch,
    /// An offered section has no `a=mid` (JSEP requires one).
    #[error("an offered media section has no a=mid")]
    OfferedSectionWithoutMid,
    /// The answer choice does not fit the offered section's type.
    #[error("answer choice does not match the offered media type")]
    AnswerKindMismatch,
    /// The answer accepts a payload type the offer did not list.
    #[error("answer accepts payload type {0}, which was not offered")]
    CodecNotOffered(u8),
    /// The offer does not offer RTP/RTCP multiplexing and the policy
    /// requires it.
    #[error("rtcpMuxPolicy is require but the offer has no a=rtcp-mux")]
    RtcpMuxRequired,
    /// The answer's `a=setup` must be `active` or `passive`.
    #[error("answer setup must be active or passive")]
    InvalidAnswerSetup,
    /// The answer keeps bundled sections but rejects the offerer-tagged one
    /// (RFC 8843 §7.3.3: reject the whole group instead).
    #[error(
        "the offerer-tagged BUNDLE section is rejected while others in its group are accepted"
    )]
    TaggedSectionRejected,
    /// Per-section transports were given, but not one per section (one
    /// for a description without sections).
    #[error("one transport is needed per media section")]
    TransportCountMismatch,
    /// The `o=` session id is not below 2^63 - 1 (RFC 9429 §5.2.1).
    #[error("session id must be below 2^63 - 1")]
    InvalidSessionId,
}
