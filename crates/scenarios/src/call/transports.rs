//! Transports per `bundlePolicy` and RTCP per `rtcpMuxPolicy`, against
//! peers that do not bundle or do not multiplex (RFC 9429 §4.1.1, §4.1.2;
//! RFC 8843; RFC 5761; RFC 5764 §4.1).
//!
//! - `call/bundle-policies`: A offers audio, video, video and a data
//!   channel under each policy in turn to a peer that does not bundle: a
//!   legacy endpoint with a port (here a sansrtc connection of its own, on
//!   its own address) per section it accepts, which rejects the
//!   bundle-only sections (RFC 8843 §6: port 0 without BUNDLE). A keeps a
//!   transport per media type under `balanced` (3), one per section under
//!   `max-compat` (4) and one under `max-bundle` (1: every other section
//!   was bundle-only). The count is read off the wire: the distinct local
//!   ufrags of A's connectivity checks. Every accepted section then works:
//!   A's frames reach each media peer, a message crosses the data channel.
//! - `call/rtcp-mux-negotiate`: A and B under `rtcpMuxPolicy: negotiate`,
//!   each with an RTCP socket; the offer reaches B without `a=rtcp-mux`
//!   (a peer that does not multiplex), so B answers without it. Both run a
//!   second DTLS handshake on component 2, and every SR and RR crosses
//!   between the RTCP sockets, none between the RTP ones.
//!
//! Time to goal: when every connection was connected (bundle-policies:
//! under the last policy run; rtcp-mux-negotiate: both components keyed).

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

use sansrtc::{
    BundlePolicy, DataChannelEvent, DataChannelInit, DataChannelMessage, MediaEvent, MediaKind,
    PeerConnectionState, PeerEvent, RtcConfiguration, RtcSessionDescription, RtcpMuxPolicy,
    RtpTransceiverInit, SdpType,
};
use sansrtc_netsim::{Network, NodeId};
use sansrtc_sdp::SessionDescription;

use super::harness::{Call, PeerNode, Side, SignalingOptions};
use super::{outcome, public_pair, PUBLIC_A, PUBLIC_B};
use crate::ice::{access_link, err, sa};
use crate::setup::network;
use crate::{Outcome, Scenario, ScenarioInput};

/// The RTCP sockets of `call/rtcp-mux-negotiate`: the RTP ones' IPs, port + 1.
const RTCP_A: &str = "198.51.100.10:50001";
const RTCP_B: &str = "198.51.100.20:50001";

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "call/bundle-policies",
            description: "A offers audio, video, video and data under balanced, max-compat and max-bundle to a peer that does not bundle (a port per accepted section, bundle-only sections rejected): A's connectivity checks use 3, 4 and 1 ufrags (transports), and on each every accepted section carries A's frames and the data channel a message",
            default_seeds: 3,
            cases: 3,
            run: bundle_policies,
        },
        Scenario {
            name: "call/rtcp-mux-negotiate",
            description: "rtcpMuxPolicy negotiate on both sides with an RTCP socket each; B does not multiplex (the offer reaches it without a=rtcp-mux): a DTLS handshake on component 2 each, then 5 s of audio from A; every SR/RR crosses between the RTCP sockets and none between the RTP ones",
            default_seeds: 5,
            cases: 1,
            run: rtcp_mux_negotiate,
        },
    ]
}

/// The session part of `sdp` and its sections (each from its `m=` line),
/// as the sdp crate writes them.
fn split(sdp: &str) -> Result<(String, Vec<String>), String> {
    let d: SessionDescription = sdp.parse().map_err(|e| format!("{e}"))?;
    let sections = d.media.iter().map(ToString::to_string).collect();
    let session = SessionDescription {
        media: Vec::new(),
        ..d
    };
    Ok((session.to_string(), sections))
}

/// `session` without its `a=group` lines, with one `a=group:BUNDLE mid`
/// when `mid` is given.
fn regroup(session: &str, mid: Option<&str>) -> String {
    let mut out: String = session
        .lines()
        .filter(|l| !l.starts_with("a=group:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    if let Some(mid) = mid {
        out.push_str(&format!("a=group:BUNDLE {mid}\r\n"));
    }
    out
}

fn attribute<'a>(section: &'a str, name: &str) -> Option<&'a str> {
    section
        .lines()
        .find_map(|l| l.strip_prefix(&format!("a={name}:")))
}

/// A rejected answer section for an offered one: its media line with port
/// 0, and its mid.
fn rejected(section: &str) -> String {
    let line = section.lines().next().unwrap_or_default();
    let mut words: Vec<&str> = line.split(' ').collect();
    if words.len() > 1 {
        words[1] = "0";
    }
    let mid = attribute(section, "mid").unwrap_or_default();
    format!("{}\r\nc=IN IP4 0.0.0.0\r\na=mid:{mid}\r\n", words.join(" "))
}

/// The distinct local ufrags of a node's connectivity checks.
fn check_ufrags(node: &PeerNode) -> BTreeSet<String> {
    node.sent
        .iter()
        .filter_map(|s| s.check_username.as_deref())
        .filter_map(|u| u.split_once(':').map(|(_, local)| local.to_owned()))
        .collect()
}

fn place(
    net: &mut Network,
    stream: u64,
    address: &str,
    config: RtcConfiguration,
) -> Result<NodeId<PeerNode>, String> {
    let local: SocketAddr = sa(address);
    let internet = net.internet();
    let node = PeerNode::new(net, stream, config, local)?;
    net.add_host(internet, &[local.ip()], access_link(), node)
        .map_err(err)
}

/// Drains every node's events into `events` (per node, in order).
fn collect(net: &mut Network, nodes: &[NodeId<PeerNode>], events: &mut [Vec<PeerEvent>]) {
    let now = net.now();
    net.run_until(now, |_| true);
    for (i, id) in nodes.iter().enumerate() {
        events[i].extend(net.take_events(id));
    }
}

fn bundle_policies(input: &ScenarioInput) -> Result<Outcome, String> {
    let mut connected = Duration::ZERO;
    for (policy, expected) in [
        (BundlePolicy::Balanced, 3),
        (BundlePolicy::MaxCompat, 4),
        (BundlePolicy::MaxBundle, 1),
    ] {
        connected =
            one_policy(input, policy, expected).map_err(|e| format!("{}: {e}", policy.as_str()))?;
    }
    Ok(Outcome {
        time_to_goal: connected,
        throughput_bytes_per_sec: None,
        pcap: None,
    })
}

/// One policy against the peer that does not bundle; returns when every
/// connection was connected.
fn one_policy(
    input: &ScenarioInput,
    policy: BundlePolicy,
    expected: usize,
) -> Result<Duration, String> {
    let (mut net, _) = network(input);
    let config = RtcConfiguration {
        bundle_policy: policy,
        ..RtcConfiguration::default()
    };
    let a = place(&mut net, 1, PUBLIC_A, config)?;
    let now = net.now();
    let mut senders = Vec::new();
    {
        let pc = &mut net.node_mut(&a).pc;
        for kind in [MediaKind::Audio, MediaKind::Video, MediaKind::Video] {
            let init = RtpTransceiverInit {
                direction: sansrtc::RtpTransceiverDirection::SendOnly,
                ..RtpTransceiverInit::default()
            };
            senders.push(pc.add_transceiver(kind, init).map_err(|e| e.to_string())?);
        }
        pc.create_data_channel(now, DataChannelInit::new("chat"))
            .map_err(|e| e.to_string())?;
        let offer = pc.create_offer(now).map_err(|e| e.to_string())?;
        pc.set_local_description(now, offer)
            .map_err(|e| e.to_string())?;
    }
    let mut nodes = vec![a];
    let mut events = vec![Vec::new()];
    collect(&mut net, &nodes, &mut events);
    let offer = net
        .node(&a)
        .pc
        .local_description()
        .ok_or("A has no local description")?;
    let offered_ufrags: BTreeSet<&str> = offer
        .sdp
        .lines()
        .filter_map(|l| l.strip_prefix("a=ice-ufrag:"))
        .collect();
    if offered_ufrags.len() != expected {
        return Err(format!(
            "the offer names {} transports, {expected} expected",
            offered_ufrags.len()
        ));
    }
    // The peer that does not bundle: a connection per section it accepts,
    // each answering its section alone; bundle-only sections rejected.
    let (session, sections) = split(&offer.sdp)?;
    let mut answer_sections = Vec::new();
    let mut answer_session = None;
    // Which node serves each section (None: rejected).
    let mut serving = Vec::new();
    for (i, section) in sections.iter().enumerate() {
        if section.contains("a=bundle-only") {
            answer_sections.push(rejected(section));
            serving.push(None);
            continue;
        }
        let address = format!("198.51.100.{}:50000", 21 + i);
        let half = place(
            &mut net,
            10 + i as u64,
            &address,
            RtcConfiguration::default(),
        )?;
        let mid = attribute(section, "mid").unwrap_or_default().to_owned();
        let half_offer = format!("{}{section}", regroup(&session, Some(&mid)));
        let pc = &mut net.node_mut(&half).pc;
        pc.set_remote_description(now, RtcSessionDescription::offer(half_offer))
            .map_err(|e| format!("section {i}: {e}"))?;
        let answer = pc.create_answer().map_err(|e| e.to_string())?;
        pc.set_local_description(now, answer)
            .map_err(|e| e.to_string())?;
        let answer = pc.local_description().ok_or("no answer")?;
        let (their_session, their_sections) = split(&answer.sdp)?;
        answer_session.get_or_insert_with(|| regroup(&their_session, None));
        answer_sections.push(their_sections.into_iter().next().ok_or("empty answer")?);
        serving.push(Some(nodes.len()));
        nodes.push(half);
        events.push(Vec::new());
    }
    let answer = format!(
        "{}{}",
        answer_session.ok_or("every section was bundle-only")?,
        answer_sections.concat()
    );
    net.node_mut(&a)
        .pc
        .set_remote_description(
            now,
            RtcSessionDescription {
                sdp_type: SdpType::Answer,
                sdp: answer,
            },
        )
        .map_err(|e| format!("A setRemoteDescription(answer): {e}"))?;
    let transports = net.node(&a).pc.transport_count();
    if transports != expected {
        return Err(format!(
            "A keeps {transports} transports, {expected} expected"
        ));
    }
    // Run until every connection is connected.
    let deadline = net.now() + Duration::from_secs(20);
    loop {
        collect(&mut net, &nodes, &mut events);
        let all = nodes
            .iter()
            .all(|n| net.node(n).pc.connection_state() == PeerConnectionState::Connected);
        if all {
            break;
        }
        if net.now() >= deadline {
            let states: Vec<String> = nodes
                .iter()
                .map(|n| net.node(n).pc.connection_state().to_string())
                .collect();
            return Err(format!("not every connection connected: {states:?}"));
        }
        let step = net.now() + Duration::from_millis(10);
        net.run_until(step, |_| false);
    }
    let connected = net.elapsed();
    let ufrags = check_ufrags(net.node(&a));
    if ufrags.len() != expected {
        return Err(format!(
            "A's checks use {} ufrags ({ufrags:?}), {expected} expected",
            ufrags.len()
        ));
    }
    // Media on every accepted section, a message on the data channel.
    for i in 0..25u32 {
        let now = net.now();
        for (s, sender) in senders.iter().enumerate() {
            if serving[s].is_none() {
                continue;
            }
            let first: &[u8] = if s == 0 {
                &[0x48]
            } else {
                &[0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a]
            };
            let mut frame = first.to_vec();
            frame.extend_from_slice(&i.to_be_bytes());
            net.node_mut(&a)
                .pc
                .write_frame(now, *sender, i * 3000, &frame)
                .map_err(|e| format!("write_frame on section {s}: {e}"))?;
        }
        collect(&mut net, &nodes, &mut events);
        net.run_for(Duration::from_millis(20));
    }
    if let Some(data) = serving[3] {
        let channel = events[0]
            .iter()
            .find_map(|e| match e {
                PeerEvent::DataChannel(DataChannelEvent::Open(c)) => Some(*c),
                _ => None,
            })
            .ok_or("the data channel did not open")?;
        let now = net.now();
        net.node_mut(&a)
            .pc
            .send(now, channel, DataChannelMessage::Text("hello".into()))
            .map_err(|e| e.to_string())?;
        net.run_for(Duration::from_millis(500));
        collect(&mut net, &nodes, &mut events);
        let got = events[data].iter().any(|e| {
            matches!(e, PeerEvent::DataChannel(DataChannelEvent::Message { message: DataChannelMessage::Text(t), .. }) if t == "hello")
        });
        if !got {
            return Err("the message did not cross the data channel".into());
        }
    }
    net.run_for(Duration::from_millis(500));
    collect(&mut net, &nodes, &mut events);
    for (s, serving) in serving.iter().take(3).enumerate() {
        let Some(node) = serving else { continue };
        let frames = events[*node]
            .iter()
            .filter(|e| matches!(e, PeerEvent::Media(MediaEvent::Frame { .. })))
            .count();
        if frames < 20 {
            return Err(format!("section {s}'s peer got {frames} of 25 frames"));
        }
    }
    Ok(connected)
}

fn strip_rtcp_mux(to: Side, description: &mut RtcSessionDescription) {
    if to == Side::B && description.sdp_type == SdpType::Offer {
        description.sdp = description.sdp.replace("a=rtcp-mux\r\n", "");
    }
}

fn rtcp_mux_negotiate(input: &ScenarioInput) -> Result<Outcome, String> {
    let (mut net, _) = network(input);
    let config = RtcConfiguration {
        rtcp_mux_policy: RtcpMuxPolicy::Negotiate,
        ..RtcConfiguration::default()
    };
    let (a, b) = public_pair(&mut net, config.clone(), config)?;
    let options = SignalingOptions {
        rewrite: Some(strip_rtcp_mux),
        ..SignalingOptions::default()
    };
    let mut call = Call::new(net, a, b, options);
    let now = call.net.now();
    call.pc(Side::A)
        .add_local_rtcp_address(now, sa(RTCP_A))
        .map_err(|e| format!("A: {e}"))?;
    call.pc(Side::B)
        .add_local_rtcp_address(now, sa(RTCP_B))
        .map_err(|e| format!("B: {e}"))?;
    let sender = call
        .pc(Side::A)
        .add_transceiver(MediaKind::Audio, RtpTransceiverInit::default())
        .map_err(|e| e.to_string())?;
    call.offer(Side::A)?;
    let keyed = call.run_until(Duration::from_secs(30), "both RTCP components keyed", |c| {
        [Side::A, Side::B].iter().all(|&s| {
            c.peer(s).connection_state() == PeerConnectionState::Connected
                && c.peer(s).rtcp_components() == [true]
        })
    })?;
    let start = call.elapsed();
    for i in 0..250u32 {
        let now = call.net.now();
        call.pc(Side::A)
            .write_frame(now, sender, i * 960, &[0x48, i as u8, (i >> 8) as u8])
            .map_err(|e| format!("write_frame: {e}"))?;
        call.run_for(Duration::from_millis(20))?;
    }
    call.run_for(Duration::from_secs(1))?;
    call.check_errors()?;
    let count = |side: Side, from: &str, to: &str| {
        call.node(side)
            .sent
            .iter()
            .filter(|s| s.at >= start && s.rtcp && s.source == sa(from) && s.destination == sa(to))
            .count()
    };
    let (sr, rr) = (
        count(Side::A, RTCP_A, RTCP_B),
        count(Side::B, RTCP_B, RTCP_A),
    );
    let on_rtp = count(Side::A, PUBLIC_A, PUBLIC_B) + count(Side::B, PUBLIC_B, PUBLIC_A);
    // One report a second each way for 6 s.
    if sr < 4 || rr < 4 || on_rtp > 0 {
        return Err(format!(
            "RTCP between the RTCP sockets: {sr} from A, {rr} from B; between the RTP sockets: {on_rtp}"
        ));
    }
    let received = (
        call.peer(Side::A).media_stats().rtcp_received,
        call.peer(Side::B).media_stats().rtcp_received,
    );
    if received.0 < 4 || received.1 < 4 {
        return Err(format!("RTCP received (A, B): {received:?}"));
    }
    let frames = call.events[Side::B.index()]
        .iter()
        .filter(|(_, e)| matches!(e, PeerEvent::Media(MediaEvent::Frame { .. })))
        .count();
    if frames < 240 {
        return Err(format!("B received {frames} of 250 frames"));
    }
    Ok(outcome(&call, keyed, None, input.capture))
}
