//! The W3C signaling rules as a table: every JSEP method in every signaling
//! state, through a real connection, gives the next state or the DOM error
//! the spec names (webrtc-pc §4.4.1, §4.4.1.5, §4.4.1.6, RFC 9429 §3.2).

mod common;

use std::time::Instant;

use common::{peer, ADDR_A, ADDR_B};
use sansrtc::*;

thread_local! {
    /// The provisional answer `in_state` applied, for the final answer.
    static PRANSWERED: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// A connection in `state`, and the offer/answer texts of a second
/// connection usable as remote descriptions.
fn in_state(state: SignalingState, now: Instant) -> RtcPeerConnection {
    let mut pc = peer(1, ADDR_A, RtcConfiguration::default(), now);
    pc.create_data_channel(now, DataChannelInit::new("x"))
        .unwrap();
    let mut other = peer(2, ADDR_B, RtcConfiguration::default(), now);
    other
        .create_data_channel(now, DataChannelInit::new("y"))
        .unwrap();
    match state {
        SignalingState::Stable => {}
        SignalingState::HaveLocalOffer => {
            let offer = pc.create_offer(now).unwrap();
            pc.set_local_description(now, offer).unwrap();
        }
        SignalingState::HaveRemoteOffer | SignalingState::HaveLocalPranswer => {
            let offer = other.create_offer(now).unwrap();
            pc.set_remote_description(now, offer).unwrap();
            if state == SignalingState::HaveLocalPranswer {
                let answer = pc.create_answer().unwrap();
                pc.set_local_description(now, RtcSessionDescription::pranswer(answer.sdp))
                    .unwrap();
            }
        }
        SignalingState::HaveRemotePranswer => {
            let offer = pc.create_offer(now).unwrap();
            pc.set_local_description(now, offer.clone()).unwrap();
            other.set_remote_description(now, offer).unwrap();
            let answer = other.create_answer().unwrap();
            PRANSWERED.with(|p| *p.borrow_mut() = Some(answer.sdp.clone()));
            pc.set_remote_description(now, RtcSessionDescription::pranswer(answer.sdp))
                .unwrap();
        }
        SignalingState::Closed => pc.close(now),
    }
    assert_eq!(pc.signaling_state(), state);
    pc
}

/// A description of `sdp_type` from a fresh remote peer (an offer, or an
/// answer to `pc`'s pending offer when there is one).
fn remote(pc: &RtcPeerConnection, sdp_type: SdpType, now: Instant) -> RtcSessionDescription {
    let mut other = peer(3, ADDR_B, RtcConfiguration::default(), now);
    other
        .create_data_channel(now, DataChannelInit::new("z"))
        .unwrap();
    match sdp_type {
        SdpType::Offer => other.create_offer(now).unwrap(),
        SdpType::Rollback => RtcSessionDescription::rollback(),
        SdpType::Answer | SdpType::Pranswer
            if pc.signaling_state() == SignalingState::HaveRemotePranswer =>
        {
            // The final answer comes from the peer that sent the provisional one.
            let sdp = PRANSWERED.with(|p| p.borrow().clone()).unwrap();
            RtcSessionDescription { sdp_type, sdp }
        }
        SdpType::Answer | SdpType::Pranswer => {
            let our_offer = pc
                .pending_local_description()
                .filter(|d| d.sdp_type == SdpType::Offer)
                .unwrap_or_else(|| {
                    let mut third = peer(4, ADDR_A, RtcConfiguration::default(), now);
                    third
                        .create_data_channel(now, DataChannelInit::new("w"))
                        .unwrap();
                    third.create_offer(now).unwrap()
                });
            other.set_remote_description(now, our_offer).unwrap();
            let answer = other.create_answer().unwrap();
            RtcSessionDescription {
                sdp_type,
                sdp: answer.sdp,
            }
        }
    }
}

fn outcome(pc: &RtcPeerConnection, result: Result<(), RtcError>) -> String {
    match result {
        Ok(()) => pc.signaling_state().as_str().to_owned(),
        Err(e) => e.dom_name().to_owned(),
    }
}

const STATES: [SignalingState; 6] = [
    SignalingState::Stable,
    SignalingState::HaveLocalOffer,
    SignalingState::HaveRemoteOffer,
    SignalingState::HaveLocalPranswer,
    SignalingState::HaveRemotePranswer,
    SignalingState::Closed,
];

#[test]
fn every_method_in_every_state() {
    let now = Instant::now();
    type Op = fn(&mut RtcPeerConnection, Instant) -> Result<(), RtcError>;
    let ops: Vec<(&str, Op, [&str; 6])> = vec![
        (
            "createOffer",
            |pc, now| pc.create_offer(now).map(|_| ()),
            [
                "stable",
                "have-local-offer",
                "have-remote-offer",
                "have-local-pranswer",
                "have-remote-pranswer",
                "InvalidStateError",
            ],
        ),
        (
            "createAnswer",
            |pc, _| pc.create_answer().map(|_| ()),
            [
                "InvalidStateError",
                "InvalidStateError",
                "have-remote-offer",
                "have-local-pranswer",
                "InvalidStateError",
                "InvalidStateError",
            ],
        ),
        (
            "setLocalDescription(offer)",
            |pc, now| {
                let offer = pc.create_offer(now)?;
                pc.set_local_description(now, offer)
            },
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
            "setLocalDescription(answer)",
            |pc, now| {
                let answer = pc
                    .create_answer()
                    .unwrap_or_else(|_| RtcSessionDescription::answer("v=0\r\n"));
                pc.set_local_description(now, answer)
            },
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
            "setLocalDescription()",
            |pc, now| pc.set_local_description_implicit(now).map(|_| ()),
            [
                "have-local-offer",
                "have-local-offer",
                "stable",
                "stable",
                "InvalidStateError",
                "InvalidStateError",
            ],
        ),
        (
            "setLocalDescription(rollback)",
            |pc, now| pc.set_local_description(now, RtcSessionDescription::rollback()),
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
            "setRemoteDescription(offer)",
            |pc, now| {
                let offer = remote(pc, SdpType::Offer, now);
                pc.set_remote_description(now, offer)
            },
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
            "setRemoteDescription(answer)",
            |pc, now| {
                let answer = remote(pc, SdpType::Answer, now);
                pc.set_remote_description(now, answer)
            },
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
            "setRemoteDescription(pranswer)",
            |pc, now| {
                let answer = remote(pc, SdpType::Pranswer, now);
                pc.set_remote_description(now, answer)
            },
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
            "setRemoteDescription(rollback)",
            |pc, now| pc.set_remote_description(now, RtcSessionDescription::rollback()),
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
            "addIceCandidate",
            |pc, now| {
                let mid = "0";
                pc.add_ice_candidate(
                    now,
                    &IceCandidateInit::new(
                        "candidate:1 1 udp 2130706431 127.0.0.1 6000 typ host",
                        mid,
                    ),
                )
            },
            [
                "InvalidStateError",
                "InvalidStateError",
                "have-remote-offer",
                "have-local-pranswer",
                "have-remote-pranswer",
                "InvalidStateError",
            ],
        ),
    ];
    let mut failures = Vec::new();
    for (name, op, expected) in ops {
        for (state, want) in STATES.iter().zip(expected) {
            let mut pc = in_state(*state, now);
            let result = op(&mut pc, now);
            let got = outcome(&pc, result);
            // A failed call leaves the state as it was.
            if got.ends_with("Error") {
                assert_eq!(
                    pc.signaling_state(),
                    *state,
                    "{name} in {state} changed the state"
                );
            }
            if got != want {
                failures.push(format!("{name} in {state}: got {got}, want {want}"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_modified_offer_or_answer_is_refused() {
    let now = Instant::now();
    let mut pc = in_state(SignalingState::Stable, now);
    let offer = pc.create_offer(now).unwrap();
    let edited =
        RtcSessionDescription::offer(offer.sdp.replace("a=sctp-port:5000", "a=sctp-port:5001"));
    let err = pc.set_local_description(now, edited).unwrap_err();
    assert_eq!(err.dom_name(), "InvalidModificationError");
    assert_eq!(pc.signaling_state(), SignalingState::Stable);
    // An empty sdp means the offer last created.
    pc.set_local_description(now, RtcSessionDescription::offer(""))
        .unwrap();
    assert_eq!(pc.signaling_state(), SignalingState::HaveLocalOffer);
}

#[test]
fn negotiationneeded_fires_when_the_spec_says() {
    let now = Instant::now();
    let mut a = peer(1, ADDR_A, RtcConfiguration::default(), now);
    let mut b = peer(2, ADDR_B, RtcConfiguration::default(), now);
    let count = |pc: &mut RtcPeerConnection| {
        let mut n = 0;
        loop {
            match pc.poll_output() {
                Output::Timeout(_) => return n,
                Output::Event(PeerEvent::NegotiationNeeded) => n += 1,
                _ => {}
            }
        }
    };
    assert_eq!(count(&mut a), 0);
    a.create_data_channel(now, DataChannelInit::new("one"))
        .unwrap();
    assert_eq!(count(&mut a), 1, "the first channel needs a data section");
    a.create_data_channel(now, DataChannelInit::new("two"))
        .unwrap();
    assert_eq!(count(&mut a), 0, "the flag is already set");
    let offer = a.create_offer(now).unwrap();
    a.set_local_description(now, offer).unwrap();
    b.set_remote_description(now, a.local_description().unwrap())
        .unwrap();
    let answer = b.create_answer().unwrap();
    b.set_local_description(now, answer).unwrap();
    a.set_remote_description(now, b.local_description().unwrap())
        .unwrap();
    assert_eq!(count(&mut a), 0, "negotiated: nothing more is needed");
    a.create_data_channel(now, DataChannelInit::new("three"))
        .unwrap();
    assert_eq!(
        count(&mut a),
        0,
        "the data section exists: channels need no negotiation"
    );
    a.restart_ice();
    assert_eq!(count(&mut a), 1, "restartIce needs an offer");
    // Not in stable: the flag waits for stable, then fires again.
    let offer = b.create_offer(now).unwrap();
    b.set_local_description(now, offer).unwrap();
    b.restart_ice();
    let fired_in_offer = count(&mut b);
    assert_eq!(fired_in_offer, 0, "no event outside stable");
    b.set_local_description(now, RtcSessionDescription::rollback())
        .unwrap();
    assert_eq!(
        count(&mut b),
        1,
        "back in stable the restart still needs negotiating"
    );
}
