//! Subsequent offers and answers: an ICE restart mid-call with data going
//! on, a data section added by a later offer, glare resolved by rollback.

mod common;

use std::time::Duration;

use common::Pair;
use sansrtc::*;

fn ufrag(sdp: &str) -> String {
    sdp.lines()
        .find_map(|l| l.strip_prefix("a=ice-ufrag:"))
        .unwrap()
        .to_owned()
}

#[test]
fn ice_restart_mid_call_keeps_the_data_flowing() {
    let (mut p, chat) = Pair::connected("chat");
    let old_a = ufrag(&p.a.local_description().unwrap().sdp);
    let old_b = ufrag(&p.b.local_description().unwrap().sdp);
    let now = p.now;
    p.a.send(now, chat, DataChannelMessage::Text("before".into()))
        .unwrap();
    p.a.restart_ice();
    assert!(p.a.create_offer(now).is_ok());
    p.negotiate();
    assert_ne!(ufrag(&p.a.local_description().unwrap().sdp), old_a);
    assert_ne!(ufrag(&p.b.local_description().unwrap().sdp), old_b);
    p.a.send(p.now, chat, DataChannelMessage::Text("during".into()))
        .unwrap();
    let restarted = p.run_until(Duration::from_secs(10), |p| {
        matches!(
            p.a.ice_connection_state(),
            IceConnectionState::Connected | IceConnectionState::Completed
        ) && Pair::messages(&p.events_b).len() == 2
    });
    assert!(restarted);
    p.a.send(p.now, chat, DataChannelMessage::Text("after".into()))
        .unwrap();
    assert!(
        p.run_until(Duration::from_secs(5), |p| Pair::messages(&p.events_b)
            .len()
            == 3)
    );
    let texts: Vec<DataChannelMessage> = Pair::messages(&p.events_b)
        .into_iter()
        .map(|(_, m)| m)
        .collect();
    assert_eq!(
        texts,
        ["before", "during", "after"].map(|t| DataChannelMessage::Text(t.into()))
    );
    assert_eq!(p.a.connection_state(), PeerConnectionState::Connected);
}

#[test]
fn a_later_offer_adds_the_data_section() {
    let mut p = Pair::new();
    // First an exchange with nothing to negotiate.
    p.negotiate();
    assert!(!p
        .a
        .local_description()
        .unwrap()
        .sdp
        .contains("m=application"));
    let now = p.now;
    let chat =
        p.a.create_data_channel(now, DataChannelInit::new("late"))
            .unwrap();
    p.offer_to_b();
    let answer = p.answer_from_b();
    p.a.set_remote_description(now, answer).unwrap();
    assert!(p
        .a
        .local_description()
        .unwrap()
        .sdp
        .contains("m=application"));
    assert!(
        p.run_until(Duration::from_secs(10), |p| Pair::opened(&p.events_a)
            .contains(&chat))
    );
}

#[test]
fn glare_is_resolved_by_rollback() {
    let mut p = Pair::new();
    let now = p.now;
    let ca =
        p.a.create_data_channel(now, DataChannelInit::new("from-a"))
            .unwrap();
    p.b.create_data_channel(now, DataChannelInit::new("from-b"))
        .unwrap();
    // Both offer at once.
    let offer_a = p.a.create_offer(now).unwrap();
    p.a.set_local_description(now, offer_a).unwrap();
    let offer_b = p.b.create_offer(now).unwrap();
    p.b.set_local_description(now, offer_b).unwrap();
    // b is polite: it rolls back explicitly and takes a's offer.
    p.b.set_local_description(now, RtcSessionDescription::rollback())
        .unwrap();
    assert_eq!(p.b.signaling_state(), SignalingState::Stable);
    p.b.set_remote_description(now, p.a.local_description().unwrap())
        .unwrap();
    let answer = p.b.create_answer().unwrap();
    p.b.set_local_description(now, answer).unwrap();
    p.a.set_remote_description(now, p.b.local_description().unwrap())
        .unwrap();
    assert!(
        p.run_until(Duration::from_secs(10), |p| Pair::opened(&p.events_a)
            .contains(&ca)
            && Pair::opened(&p.events_b).len() == 2)
    );
    // b's own channel opened over the same association.
    assert_eq!(Pair::opened(&p.events_a).len(), 2);
}

#[test]
fn glare_with_the_implicit_rollback() {
    let mut p = Pair::new();
    let now = p.now;
    p.a.create_data_channel(now, DataChannelInit::new("from-a"))
        .unwrap();
    p.b.create_data_channel(now, DataChannelInit::new("from-b"))
        .unwrap();
    let offer_a = p.a.create_offer(now).unwrap();
    p.a.set_local_description(now, offer_a).unwrap();
    let offer_b = p.b.create_offer(now).unwrap();
    p.b.set_local_description(now, offer_b).unwrap();
    // setRemoteDescription(offer) in have-local-offer rolls back first.
    p.b.set_remote_description(now, p.a.local_description().unwrap())
        .unwrap();
    assert_eq!(p.b.signaling_state(), SignalingState::HaveRemoteOffer);
    let answer = p.b.create_answer().unwrap();
    p.b.set_local_description(now, answer).unwrap();
    p.a.set_remote_description(now, p.b.local_description().unwrap())
        .unwrap();
    assert!(
        p.run_until(Duration::from_secs(10), |p| Pair::opened(&p.events_a).len()
            == 2
            && Pair::opened(&p.events_b).len() == 2)
    );
}

/// Rolling back a remote offer (webrtc-pc §4.4.1.5) removes the
/// transceivers it created and gives the one it associated its null mid
/// back; the transports it made close. The offer applied again afterwards
/// works as the first time.
#[test]
fn a_rolled_back_remote_offer_leaves_no_transceiver_behind() {
    let mut p = Pair::new();
    let now = p.now;
    p.a.add_transceiver(MediaKind::Audio, RtpTransceiverInit::default())
        .unwrap();
    p.a.add_transceiver(MediaKind::Video, RtpTransceiverInit::default())
        .unwrap();
    let mine =
        p.b.add_track(MediaStreamTrack::new("mic", MediaKind::Audio), &["s"])
            .unwrap();
    let offer = p.a.create_offer(now).unwrap();
    p.a.set_local_description(now, offer).unwrap();
    let offer = p.a.local_description().unwrap();
    p.b.set_remote_description(now, offer.clone()).unwrap();
    assert_eq!(
        p.b.get_transceivers().len(),
        2,
        "video created, audio adopted"
    );
    assert!(p.b.transceiver(mine).unwrap().mid.is_some());
    assert_eq!(p.b.transport_count(), 1, "the offer bundles: one transport");
    p.b.set_remote_description(now, RtcSessionDescription::rollback())
        .unwrap();
    assert_eq!(p.b.signaling_state(), SignalingState::Stable);
    assert_eq!(p.b.get_transceivers().len(), 1);
    assert_eq!(p.b.transceiver(mine).unwrap().mid, None);
    assert_eq!(p.b.transport_count(), 1);
    // The same offer again, answered: media is negotiated as usual.
    p.b.set_remote_description(now, offer).unwrap();
    let answer = p.b.create_answer().unwrap();
    p.b.set_local_description(now, answer).unwrap();
    p.a.set_remote_description(now, p.b.local_description().unwrap())
        .unwrap();
    assert!(p.run_until(Duration::from_secs(10), |p| {
        p.a.connection_state() == PeerConnectionState::Connected
            && p.b.connection_state() == PeerConnectionState::Connected
    }));
    assert_eq!(p.b.get_transceivers().len(), 2);
    assert_eq!(p.a.transport_count(), 1);
    assert_eq!(p.b.transport_count(), 1);
}
