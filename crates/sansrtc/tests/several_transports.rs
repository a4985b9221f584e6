//! Several transports on one connection (`bundlePolicy`, RFC 9429 §4.1.1;
//! RFC 8843): what each policy gathers before the answer, the transports
//! closed once an answer bundles, and whole calls with a peer that does not
//! bundle, in both roles.
//!
//! The peer that does not bundle is built from two sansrtc connections on
//! two addresses — one carries the audio section, one the data section —
//! whose descriptions the test splits and joins, so that the connection
//! under test sees one description with a transport per section (no
//! BUNDLE group), as from a legacy endpoint with a port per m-line. The
//! connection under test keeps one address for all its transports: its
//! agents tell the datagrams apart.

mod common;

use std::time::{Duration, Instant};

use common::net::{config, connection, Net, Peer};
use common::Pair;
use sansrtc::stats::{RtcStats, RtcTransportStats};
use sansrtc::*;
use sansrtc_sdp::SessionDescription;

const ADDR_X: &str = "127.0.0.1:7001";
const ADDR_AUDIO: &str = "127.0.0.1:7002";
const ADDR_DATA: &str = "127.0.0.1:7003";

/// The session part of `sdp` and each section (with its `m=` line), as
/// the sdp crate writes them.
fn split(sdp: &str) -> (String, Vec<String>) {
    let d: SessionDescription = sdp.parse().unwrap();
    let sections = d.media.iter().map(ToString::to_string).collect();
    let session = SessionDescription {
        media: Vec::new(),
        ..d
    };
    (session.to_string(), sections)
}

fn without_group(session: &str) -> String {
    session
        .lines()
        .filter(|l| !l.starts_with("a=group:"))
        .map(|l| format!("{l}\r\n"))
        .collect()
}

fn with_mid(section: &str, from: &str, to: &str) -> String {
    section.replace(&format!("a=mid:{from}\r\n"), &format!("a=mid:{to}\r\n"))
}

/// Creates the description the signaling state calls for, applies it, and
/// returns it with its candidates.
fn local_description(pc: &mut RtcPeerConnection, now: Instant) -> RtcSessionDescription {
    pc.set_local_description_implicit(now).unwrap();
    pc.local_description().unwrap()
}

/// One description made of the first's session (its BUNDLE group dropped)
/// and sections.
fn joined(first: &RtcSessionDescription, sections: &[&str]) -> String {
    let (session, _) = split(&first.sdp);
    format!("{}{}", without_group(&session), sections.concat())
}

fn frames(events: &[PeerEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, PeerEvent::Media(MediaEvent::Frame { .. })))
        .count()
}

fn distinct_ufrags(sdp: &str) -> usize {
    let mut ufrags: Vec<&str> = sdp
        .lines()
        .filter_map(|l| l.strip_prefix("a=ice-ufrag:"))
        .collect();
    ufrags.sort_unstable();
    ufrags.dedup();
    ufrags.len()
}

/// Before the answer, `balanced` gathers a transport per media type,
/// `max-compat` one per section and `max-bundle` one; an answer that
/// bundles leaves one, and every candidate is signalled with its
/// transport's mid and ufrag.
#[test]
fn each_policy_gathers_its_transports_and_a_bundled_answer_leaves_one() {
    for (policy, expected) in [
        (BundlePolicy::Balanced, 3),
        (BundlePolicy::MaxCompat, 4),
        (BundlePolicy::MaxBundle, 1),
    ] {
        let now = Instant::now();
        let mut x = connection(1, ADDR_X, config(policy), now);
        let mut y = connection(2, ADDR_AUDIO, RtcConfiguration::default(), now);
        for kind in [MediaKind::Audio, MediaKind::Video, MediaKind::Video] {
            x.pc.add_transceiver(kind, RtpTransceiverInit::default())
                .unwrap();
        }
        x.pc.create_data_channel(now, DataChannelInit::new("chat"))
            .unwrap();
        let offer = x.pc.create_offer(now).unwrap();
        x.pc.set_local_description(now, offer.clone()).unwrap();
        assert_eq!(x.pc.transport_count(), expected, "{policy:?}");
        assert_eq!(distinct_ufrags(&offer.sdp), expected, "{policy:?}");
        // A second offer writes the same transports.
        let again = x.pc.create_offer(now).unwrap();
        assert_eq!(distinct_ufrags(&again.sdp), expected);
        assert_eq!(x.pc.transport_count(), expected);

        let mut net = Net::new(vec![x, y], now);
        net.run_until(Duration::from_secs(2), |n| {
            n.peers[0]
                .events
                .iter()
                .any(|e| matches!(e, PeerEvent::IceCandidate(None)))
        });
        let ufrags = net.peers[0].pc.transport_ufrags();
        let candidates: Vec<IceCandidateInit> = net.peers[0]
            .events
            .iter()
            .filter_map(|e| match e {
                PeerEvent::IceCandidate(Some(c)) => Some(c.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            candidates.len(),
            expected,
            "one host candidate each: {:?}",
            net.peers[0].events
        );
        for c in &candidates {
            let ufrag = c.username_fragment.as_deref().unwrap();
            assert!(ufrags.iter().any(|u| u == ufrag));
            let line = usize::from(c.sdp_m_line_index.unwrap());
            assert_eq!(c.sdp_mid.as_deref(), Some(line.to_string().as_str()));
        }

        let x_local = net.peers[0].pc.local_description().unwrap();
        y = net.peers.pop().unwrap();
        y.pc.set_remote_description(now, x_local).unwrap();
        let answer = y.pc.create_answer().unwrap();
        y.pc.set_local_description(now, answer).unwrap();
        let answer = y.pc.local_description().unwrap();
        net.peers[0].pc.set_remote_description(now, answer).unwrap();
        assert_eq!(net.peers[0].pc.transport_count(), 1, "{policy:?}");
        assert_eq!(y.pc.transport_count(), 1);
        net.peers.push(y);
        assert!(
            net.run_until(Duration::from_secs(10), |n| n.peers.iter().all(|p| {
                p.pc.connection_state() == PeerConnectionState::Connected
                    && !Pair::opened(&p.events).is_empty()
            })),
            "{policy:?}: the bundled call connects"
        );
    }
}

/// The two connections that make up a peer that does not bundle.
fn legacy_halves(now: Instant) -> (Peer, Peer) {
    (
        connection(20, ADDR_AUDIO, RtcConfiguration::default(), now),
        connection(30, ADDR_DATA, RtcConfiguration::default(), now),
    )
}

/// Runs the call until audio flows both ways and a message crosses the
/// data channel each way. Peer 0 is the connection under test, 1 its
/// audio peer, 2 its data peer.
fn run_call(net: &mut Net, x_audio: TransceiverId, l_audio: TransceiverId) {
    assert!(
        net.run_until(Duration::from_secs(10), |n| {
            n.peers
                .iter()
                .all(|p| p.pc.connection_state() == PeerConnectionState::Connected)
                && !Pair::opened(&n.peers[0].events).is_empty()
                && !Pair::opened(&n.peers[2].events).is_empty()
        }),
        "every transport connects and the channel opens: {:?}",
        net.peers
            .iter()
            .map(|p| (
                p.pc.connection_state(),
                p.pc.ice_connection_state(),
                p.pc.dtls_state(),
                p.pc.transport_stats(),
                p.pc.ice_stats()
            ))
            .collect::<Vec<_>>()
    );
    assert_eq!(net.peers[0].pc.transport_count(), 2);
    // Two transports with their own DTLS, on one local address.
    net.send_audio(0, x_audio, 0..20);
    net.send_audio(1, l_audio, 0..20);
    let channel_x = Pair::opened(&net.peers[0].events)[0];
    let channel_l = Pair::opened(&net.peers[2].events)[0];
    let now = net.now;
    net.peers[0]
        .pc
        .send(now, channel_x, DataChannelMessage::Text("from x".into()))
        .unwrap();
    net.peers[2]
        .pc
        .send(now, channel_l, DataChannelMessage::Text("to x".into()))
        .unwrap();
    assert!(net.run_until(Duration::from_secs(2), |n| {
        Pair::texts(&n.peers[0].events) == ["to x"] && Pair::texts(&n.peers[2].events) == ["from x"]
    }));
    assert!(frames(&net.peers[1].events) >= 15, "audio reaches the peer");
    assert!(frames(&net.peers[0].events) >= 15, "audio comes back");
    let stats = net.peers[0].pc.transport_stats();
    assert_eq!(stats.srtp_rejected, 0);
    assert_eq!(stats.unknown_dropped, 0);

    // getStats: a transport object each, with its own ufrag and selected
    // pair; the audio streams name one of them.
    let report = net.peers[0].pc.get_stats(net.now);
    let transports: Vec<RtcTransportStats> = report
        .of_type("transport")
        .filter_map(|s| match s {
            RtcStats::Transport(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    let ids: Vec<&str> = transports.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["T01", "T02"]);
    assert_ne!(
        transports[0].ice_local_username_fragment,
        transports[1].ice_local_username_fragment
    );
    for t in &transports {
        assert_eq!(t.dtls_state, "connected");
        let pair = t.selected_candidate_pair_id.as_deref().expect("a pair");
        assert!(report.contains(pair), "{pair}");
    }
    let rtp_transports: std::collections::BTreeSet<String> = report
        .iter()
        .filter_map(|(_, s)| match s {
            RtcStats::OutboundRtp(o) => Some(o.transport_id.clone()),
            RtcStats::InboundRtp(i) => Some(i.transport_id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(rtp_transports.len(), 1, "{rtp_transports:?}");
}

/// We offer; the answer bundles nothing: the audio section and the data
/// section keep the transports our offer gave them.
#[test]
fn an_answer_that_does_not_bundle_keeps_a_transport_per_section() {
    let now = Instant::now();
    let mut x = connection(10, ADDR_X, config(BundlePolicy::Balanced), now);
    let x_audio =
        x.pc.add_transceiver(MediaKind::Audio, RtpTransceiverInit::default())
            .unwrap();
    x.pc.create_data_channel(now, DataChannelInit::new("chat"))
        .unwrap();
    let offer = x.pc.create_offer(now).unwrap();
    x.pc.set_local_description(now, offer).unwrap();
    assert_eq!(x.pc.transport_count(), 2);
    let offer = x.pc.local_description().unwrap();

    let (mut audio, mut data) = legacy_halves(now);
    let (session, sections) = split(&offer.sdp);
    assert_eq!(sections.len(), 2);
    let group = |mid: &str| session.replace("a=group:BUNDLE 0 1", &format!("a=group:BUNDLE {mid}"));
    // Each half answers its own section.
    audio
        .pc
        .set_remote_description(
            now,
            RtcSessionDescription::offer(format!("{}{}", group("0"), sections[0])),
        )
        .unwrap();
    data.pc
        .set_remote_description(
            now,
            RtcSessionDescription::offer(format!("{}{}", group("1"), sections[1])),
        )
        .unwrap();
    let l_audio = audio.pc.get_transceivers()[0].id;
    audio
        .pc
        .set_direction(l_audio, RtpTransceiverDirection::SendRecv)
        .unwrap();
    let answer_audio = local_description(&mut audio.pc, now);
    let answer_data = local_description(&mut data.pc, now);
    let answer = joined(
        &answer_audio,
        &[
            &split(&answer_audio.sdp).1[0],
            &split(&answer_data.sdp).1[0],
        ],
    );
    x.pc.set_remote_description(now, RtcSessionDescription::answer(answer))
        .unwrap();
    assert_eq!(x.pc.transport_count(), 2, "nothing bundled, nothing closed");
    let ufrags = x.pc.transport_ufrags();
    assert_ne!(ufrags[0], ufrags[1]);

    let mut net = Net::new(vec![x, audio, data], now);
    run_call(&mut net, x_audio, l_audio);
}

/// The peer offers without BUNDLE; we answer each section on a transport
/// of its own.
#[test]
fn an_offer_without_bundle_is_answered_with_a_transport_per_section() {
    let now = Instant::now();
    let (mut audio, mut data) = legacy_halves(now);
    let l_audio = audio
        .pc
        .add_transceiver(MediaKind::Audio, RtpTransceiverInit::default())
        .unwrap();
    data.pc
        .create_data_channel(now, DataChannelInit::new("chat"))
        .unwrap();
    let offer_audio = local_description(&mut audio.pc, now);
    let offer_data = local_description(&mut data.pc, now);
    // Both halves named their section "0": the data one becomes "1".
    let offer = joined(
        &offer_audio,
        &[
            &split(&offer_audio.sdp).1[0],
            &with_mid(&split(&offer_data.sdp).1[0], "0", "1"),
        ],
    );

    let mut x = connection(11, ADDR_X, RtcConfiguration::default(), now);
    x.pc.set_remote_description(now, RtcSessionDescription::offer(offer))
        .unwrap();
    let x_audio = x.pc.get_transceivers()[0].id;
    x.pc.set_direction(x_audio, RtpTransceiverDirection::SendRecv)
        .unwrap();
    let answer = x.pc.create_answer().unwrap();
    x.pc.set_local_description(now, answer).unwrap();
    assert_eq!(x.pc.transport_count(), 2);
    let answer = x.pc.local_description().unwrap();
    assert!(!answer.sdp.contains("a=group:BUNDLE"));
    assert_eq!(distinct_ufrags(&answer.sdp), 2);

    let (session, sections) = split(&answer.sdp);
    audio
        .pc
        .set_remote_description(
            now,
            RtcSessionDescription::answer(format!("{session}{}", sections[0])),
        )
        .unwrap();
    data.pc
        .set_remote_description(
            now,
            RtcSessionDescription::answer(format!("{session}{}", with_mid(&sections[1], "1", "0"))),
        )
        .unwrap();

    let mut net = Net::new(vec![x, audio, data], now);
    run_call(&mut net, x_audio, l_audio);
}
