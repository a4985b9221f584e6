//! What a browser rejects with for each of this crate's errors: the W3C DOM
//! exception name (webrtc-pc §4.4.1.5 "set a session description", §4.4.1.6
//! `createOffer`/`createAnswer`, §4.4.2 `addIceCandidate`) and, where the
//! rejection is an `RTCError`, its `errorDetail`.
//!
//! | error | `dom_name()` | `error_detail()` | why |
//! | --- | --- | --- | --- |
//! | [`SdpError`] from the reader or the typed view (every variant but `Build`: syntax, bounds, UTF-8, missing `v=`/`o=`, a malformed known attribute or `a=candidate`, a repeated `a=mid`/`a=setup`/…) | `OperationError` | `sdp-syntax-error` | "If the content of description is not valid SDP syntax, reject p with an `RTCError` (with `errorDetail` set to `sdp-syntax-error` and the `sdpLineNumber` attribute set to the line number …)"; an `RTCError`'s name is `OperationError`. [`SdpError::line`] gives `sdpLineNumber`. A description over this crate's bounds is treated as one that cannot be parsed. |
//! | [`SdpError::Build`] | the [`BuildError`]'s | the [`BuildError`]'s | |
//! | [`BuildError::RtcpMuxRequired`] | `InvalidAccessError` | none | "If description is set as a remote description, the connection's `RTCRtcpMuxPolicy` is `require` and the remote description does not use RTCP mux, reject p with a newly created `InvalidAccessError`." |
//! | [`BuildError::OfferedSectionWithoutMid`] | `InvalidAccessError` | none | "If the content of description is invalid, reject p with a newly created `InvalidAccessError`": JSEP requires `a=mid` in every section (RFC 9429 §5.8). |
//! | every other [`BuildError`] (what the caller asked the builder for: mids, codecs, credentials, fingerprints, answer choices) | `OperationError` | none | `createOffer`/`createAnswer`: "If … the offer/answer could not be generated, reject p with a newly created `OperationError`"; a plain `DOMException`, not an `RTCError`. |
//! | [`CandidateError`] (a trickled candidate given to `addIceCandidate`) | `OperationError` | none | "If candidate could not be successfully added … reject p with a newly created `OperationError`"; a plain `DOMException`. The same error on an `a=candidate` line of a description comes as [`SdpError::Candidate`], which is a syntax error of the description. |
//!
//! Semantic checks that browsers reject with `InvalidAccessError` (no
//! `a=ice-ufrag` or `a=fingerprint` for a section, RFC 9429 §5.8.3) are not
//! made here: the typed view reports what is there and the peer connection
//! decides.

use crate::candidate_error::CandidateError;
use crate::error::SdpError;
use crate::jsep::BuildError;

/// The name of the `DOMException` an `RTCError` carries.
const OPERATION_ERROR: &str = "OperationError";
/// The name for a description whose content is invalid.
const INVALID_ACCESS_ERROR: &str = "InvalidAccessError";
/// The `RTCErrorDetailType` of a description that cannot be parsed.
const SDP_SYNTAX_ERROR: &str = "sdp-syntax-error";

impl SdpError {
    /// The W3C DOM exception name a browser rejects `setRemoteDescription`
    /// / `setLocalDescription` with for this failure (see the table in
    /// [`crate::dom`]): `OperationError` for every description that cannot
    /// be read, or the [`BuildError`]'s name.
    pub fn dom_name(&self) -> &'static str {
        match self {
            SdpError::Build(build) => build.dom_name(),
            _ => OPERATION_ERROR,
        }
    }

    /// The `RTCError.errorDetail` that goes with [`dom_name`](Self::dom_name):
    /// `sdp-syntax-error` for every description that cannot be read (with
    /// [`line`](Self::line) as `sdpLineNumber`), `None` for builder errors
    /// (a plain `DOMException`, not an `RTCError`).
    pub fn error_detail(&self) -> Option<&'static str> {
        match self {
            SdpError::Build(build) => build.error_detail(),
            _ => Some(SDP_SYNTAX_ERROR),
        }
    }
}

impl CandidateError {
    /// The W3C DOM exception name `addIceCandidate` rejects with when the
    /// candidate cannot be parsed: always `OperationError` (webrtc-pc
    /// §4.4.2, "could not be successfully added").
    pub fn dom_name(&self) -> &'static str {
        OPERATION_ERROR
    }

    /// `None`: `addIceCandidate` rejects with a plain `DOMException`, not an
    /// `RTCError`. (Inside a description the same error is an
    /// [`SdpError::Candidate`], whose detail is `sdp-syntax-error`.)
    pub fn error_detail(&self) -> Option<&'static str> {
        None
    }
}

impl BuildError {
    /// The W3C DOM exception name for this failure: `InvalidAccessError`
    /// when the remote offer breaks a rule of the connection
    /// ([`RtcpMuxRequired`](BuildError::RtcpMuxRequired),
    /// [`OfferedSectionWithoutMid`](BuildError::OfferedSectionWithoutMid)),
    /// otherwise `OperationError` (the offer or answer could not be
    /// generated from what was asked).
    pub fn dom_name(&self) -> &'static str {
        match self {
            BuildError::RtcpMuxRequired | BuildError::OfferedSectionWithoutMid => {
                INVALID_ACCESS_ERROR
            }
            _ => OPERATION_ERROR,
        }
    }

    /// `None`: these are plain `DOMException`s, not `RTCError`s.
    pub fn error_detail(&self) -> Option<&'static str> {
        None
    }
}
