//! The W3C signaling state machine (webrtc-pc §4.3.1, RFC 9429 §3.2): the
//! six states, the four description types, and which `set*Description`
//! call is allowed in which state, as one table.

use std::fmt;

use crate::error::RtcError;

/// `RTCSignalingState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignalingState {
    /// No offer/answer exchange in progress.
    Stable,
    /// A local offer was applied.
    HaveLocalOffer,
    /// A remote offer was applied.
    HaveRemoteOffer,
    /// A remote offer and a local provisional answer were applied.
    HaveLocalPranswer,
    /// A local offer and a remote provisional answer were applied.
    HaveRemotePranswer,
    /// The connection was closed.
    Closed,
}

impl SignalingState {
    /// The W3C spelling (`have-local-offer`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            SignalingState::Stable => "stable",
            SignalingState::HaveLocalOffer => "have-local-offer",
            SignalingState::HaveRemoteOffer => "have-remote-offer",
            SignalingState::HaveLocalPranswer => "have-local-pranswer",
            SignalingState::HaveRemotePranswer => "have-remote-pranswer",
            SignalingState::Closed => "closed",
        }
    }
}

impl fmt::Display for SignalingState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `RTCSdpType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SdpType {
    /// `offer`.
    Offer,
    /// `pranswer`.
    Pranswer,
    /// `answer`.
    Answer,
    /// `rollback`.
    Rollback,
}

impl SdpType {
    /// The W3C spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SdpType::Offer => "offer",
            SdpType::Pranswer => "pranswer",
            SdpType::Answer => "answer",
            SdpType::Rollback => "rollback",
        }
    }

    /// Reads the W3C spelling.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            SdpType::Offer,
            SdpType::Pranswer,
            SdpType::Answer,
            SdpType::Rollback,
        ]
        .into_iter()
        .find(|t| t.as_str() == name)
    }
}

impl fmt::Display for SdpType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `RTCSessionDescriptionInit`: a type and the SDP text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtcSessionDescription {
    /// The description type.
    pub sdp_type: SdpType,
    /// The SDP (empty for a rollback).
    pub sdp: String,
}

impl RtcSessionDescription {
    /// An offer.
    pub fn offer(sdp: impl Into<String>) -> Self {
        Self {
            sdp_type: SdpType::Offer,
            sdp: sdp.into(),
        }
    }

    /// An answer.
    pub fn answer(sdp: impl Into<String>) -> Self {
        Self {
            sdp_type: SdpType::Answer,
            sdp: sdp.into(),
        }
    }

    /// A provisional answer.
    pub fn pranswer(sdp: impl Into<String>) -> Self {
        Self {
            sdp_type: SdpType::Pranswer,
            sdp: sdp.into(),
        }
    }

    /// A rollback.
    pub fn rollback() -> Self {
        Self {
            sdp_type: SdpType::Rollback,
            sdp: String::new(),
        }
    }
}

/// Which side a description is applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// `setLocalDescription`.
    Local,
    /// `setRemoteDescription`.
    Remote,
}

/// What applying a description of `sdp_type` on `side` in `state` does
/// (webrtc-pc §4.4.1.5 and §4.4.1.6, RFC 9429 §3.2 figure 1): the next
/// state, whether a remote offer first rolls back our own (the implicit
/// rollback of "perfect negotiation"), or the `InvalidStateError`.
pub fn transition(
    state: SignalingState,
    side: Side,
    sdp_type: SdpType,
) -> Result<Transition, RtcError> {
    use SdpType::*;
    use Side::*;
    use SignalingState::*;
    let next = match (side, sdp_type, state) {
        (_, _, Closed) => return Err(RtcError::Closed),
        (Local, Offer, Stable | HaveLocalOffer) => HaveLocalOffer,
        (Remote, Offer, Stable | HaveRemoteOffer) => HaveRemoteOffer,
        (Remote, Offer, HaveLocalOffer) => {
            return Ok(Transition {
                next: HaveRemoteOffer,
                implicit_rollback: true,
            })
        }
        (Local, Answer, HaveRemoteOffer | HaveLocalPranswer) => Stable,
        (Local, Pranswer, HaveRemoteOffer | HaveLocalPranswer) => HaveLocalPranswer,
        (Remote, Answer, HaveLocalOffer | HaveRemotePranswer) => Stable,
        (Remote, Pranswer, HaveLocalOffer | HaveRemotePranswer) => HaveRemotePranswer,
        (_, Rollback, HaveLocalOffer | HaveRemoteOffer) => Stable,
        (side, sdp_type, state) => {
            return Err(RtcError::WrongSignalingState {
                method: method_name(side, sdp_type),
                state,
            })
        }
    };
    Ok(Transition {
        next,
        implicit_rollback: false,
    })
}

/// The outcome of [`transition`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The state after the call.
    pub next: SignalingState,
    /// A remote offer in `have-local-offer`: roll back the local offer first.
    pub implicit_rollback: bool,
}

/// `createAnswer` is allowed only with a remote offer pending
/// (webrtc-pc §4.4.1.3: `have-remote-offer` or `have-local-pranswer`).
pub fn check_create_answer(state: SignalingState) -> Result<(), RtcError> {
    match state {
        SignalingState::Closed => Err(RtcError::Closed),
        SignalingState::HaveRemoteOffer | SignalingState::HaveLocalPranswer => Ok(()),
        state => Err(RtcError::WrongSignalingState {
            method: "createAnswer",
            state,
        }),
    }
}

/// The type the parameterless `setLocalDescription()` creates in `state`
/// (webrtc-pc §4.4.1.5: an offer in stable, have-local-offer and
/// have-remote-pranswer; otherwise an answer).
pub fn implicit_type(state: SignalingState) -> SdpType {
    match state {
        SignalingState::Stable
        | SignalingState::HaveLocalOffer
        | SignalingState::HaveRemotePranswer => SdpType::Offer,
        _ => SdpType::Answer,
    }
}

fn method_name(side: Side, sdp_type: SdpType) -> &'static str {
    match (side, sdp_type) {
        (Side::Local, SdpType::Offer) => "setLocalDescription(offer)",
        (Side::Local, SdpType::Answer) => "setLocalDescription(answer)",
        (Side::Local, SdpType::Pranswer) => "setLocalDescription(pranswer)",
        (Side::Local, SdpType::Rollback) => "setLocalDescription(rollback)",
        (Side::Remote, SdpType::Offer) => "setRemoteDescription(offer)",
        (Side::Remote, SdpType::Answer) => "setRemoteDescription(answer)",
        (Side::Remote, SdpType::Pranswer) => "setRemoteDescription(pranswer)",
        (Side::Remote, SdpType::Rollback) => "setRemoteDescription(rollback)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SdpType::*;
    use Side::*;
    use SignalingState::*;

    /// Every (side, type, state) of webrtc-pc's table: the next state or
    /// the error's DOM name.
    #[test]
    fn the_spec_table() {
        let states = [
            Stable,
            HaveLocalOffer,
            HaveRemoteOffer,
            HaveLocalPranswer,
            HaveRemotePranswer,
            Closed,
        ];
        let expected: &[(Side, SdpType, [&str; 6])] = &[
            (
                Local,
                Offer,
                [
                    "have-local-offer",
                    "have-local-offer",
                    "InvalidStateError",
                    "InvalidStateError",
                    "InvalidStateError",
                    "InvalidStateError",
                ],
            ),
            (
                Local,
                Answer,
                [
                    "InvalidStateError",
                    "InvalidStateError",
                    "stable",
                    "stable",
                    "InvalidStateError",
                    "InvalidStateError",
                ],
            ),
            (
                Local,
                Pranswer,
                [
                    "InvalidStateError",
                    "InvalidStateError",
                    "have-local-pranswer",
                    "have-local-pranswer",
                    "InvalidStateError",
                    "InvalidStateError",
                ],
            ),
            (
                Local,
                Rollback,
                [
                    "InvalidStateError",
                    "stable",
                    "stable",
                    "InvalidStateError",
                    "InvalidStateError",
                    "InvalidStateError",
                ],
            ),
            (
                Remote,
                Offer,
                [
                    "have-remote-offer",
                    "have-remote-offer",
                    "have-remote-offer",
                    "InvalidStateError",
                    "InvalidStateError",
                    "InvalidStateError",
                ],
            ),
            (
                Remote,
                Answer,
                [
                    "InvalidStateError",
                    "stable",
                    "InvalidStateError",
                    "InvalidStateError",
                    "stable",
                    "InvalidStateError",
                ],
            ),
            (
                Remote,
                Pranswer,
                [
                    "InvalidStateError",
                    "have-remote-pranswer",
                    "InvalidStateError",
                    "InvalidStateError",
                    "have-remote-pranswer",
                    "InvalidStateError",
                ],
            ),
            (
                Remote,
                Rollback,
                [
                    "InvalidStateError",
                    "stable",
                    "stable",
                    "InvalidStateError",
                    "InvalidStateError",
                    "InvalidStateError",
                ],
            ),
        ];
        for (side, sdp_type, outcomes) in expected {
            for (state, want) in states.iter().zip(outcomes) {
                let got = match transition(*state, *side, *sdp_type) {
                    Ok(t) => t.next.as_str(),
                    Err(e) => e.dom_name(),
                };
                assert_eq!(got, *want, "{side:?} {sdp_type} in {state}");
            }
        }
        assert!(
            transition(HaveLocalOffer, Remote, Offer)
                .unwrap()
                .implicit_rollback
        );
        assert!(!transition(Stable, Remote, Offer).unwrap().implicit_rollback);
    }

    #[test]
    fn create_answer_and_the_implicit_type() {
        let allowed: Vec<_> = [
            Stable,
            HaveLocalOffer,
            HaveRemoteOffer,
            HaveLocalPranswer,
            HaveRemotePranswer,
            Closed,
        ]
        .into_iter()
        .filter(|s| check_create_answer(*s).is_ok())
        .collect();
        assert_eq!(allowed, [HaveRemoteOffer, HaveLocalPranswer]);
        assert_eq!(
            check_create_answer(Closed).unwrap_err().dom_name(),
            "InvalidStateError"
        );
        assert_eq!(implicit_type(Stable), Offer);
        assert_eq!(implicit_type(HaveRemotePranswer), Offer);
        assert_eq!(implicit_type(HaveRemoteOffer), Answer);
        assert_eq!(implicit_type(HaveLocalPranswer), Answer);
    }
}
