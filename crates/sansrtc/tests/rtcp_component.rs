//! RTCP on its own ICE component (`rtcpMuxPolicy: negotiate`, RFC 5761 not
//! used, RFC 5764 §4.1): with a peer that does not multiplex, RTCP leaves
//! and arrives on the RTCP sockets, under SRTCP keys from a DTLS handshake
//! of its own, while RTP stays on component 1.
//!
//! The offer is the offerer's minus `a=rtcp-mux` (what an endpoint that
//! does not multiplex sends); the answerer, under `negotiate` with an RTCP
//! socket, answers without multiplexing, and so both sides carry RTCP on
//! component 2.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::net::{connection, Net};
use sansrtc::*;

const A: &str = "127.0.0.1:7101";
const A_RTCP: &str = "127.0.0.1:7102";
const B: &str = "127.0.0.1:7201";
const B_RTCP: &str = "127.0.0.1:7202";

fn negotiate() -> RtcConfiguration {
    RtcConfiguration {
        rtcp_mux_policy: RtcpMuxPolicy::Negotiate,
        ..RtcConfiguration::default()
    }
}

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn is_rtcp(datagram: &[u8]) -> bool {
    datagram.len() >= 2 && (128..192).contains(&datagram[0]) && (192..=223).contains(&datagram[1])
}

fn frames(events: &[PeerEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, PeerEvent::Media(MediaEvent::Frame { .. })))
        .count()
}

/// A and B under `negotiate`, each with an RTCP socket; A offers audio
/// (without `a=rtcp-mux` when `b_muxes` is false), B answers. Returns the
/// network, A's sender and B's answer.
fn negotiated(seed: u64, b_muxes: bool) -> (Net, TransceiverId, String) {
    let now = Instant::now();
    let mut a = connection(seed, A, negotiate(), now);
    let mut b = connection(seed + 1, B, negotiate(), now);
    a.pc.add_local_rtcp_address(now, addr(A_RTCP)).unwrap();
    b.pc.add_local_rtcp_address(now, addr(B_RTCP)).unwrap();
    a.addresses.push(addr(A_RTCP));
    b.addresses.push(addr(B_RTCP));
    let sender =
        a.pc.add_transceiver(MediaKind::Audio, RtpTransceiverInit::default())
            .unwrap();
    a.pc.set_local_description_implicit(now).unwrap();
    let offer = a.pc.local_description().unwrap().sdp;
    assert!(
        offer.contains(" 2 udp ") && offer.contains(" 7102 typ host"),
        "the offer gathers RTCP's component: {offer}"
    );
    let offer = if b_muxes {
        offer
    } else {
        offer.replace("a=rtcp-mux\r\n", "")
    };
    b.pc.set_remote_description(now, RtcSessionDescription::offer(offer))
        .unwrap();
    b.pc.set_local_description_implicit(now).unwrap();
    let answer = b.pc.local_description().unwrap().sdp;
    a.pc.set_remote_description(now, RtcSessionDescription::answer(answer.clone()))
        .unwrap();
    (Net::new(vec![a, b], now), sender, answer)
}

#[test]
fn a_peer_that_does_not_multiplex_gets_rtcp_on_component_two() {
    let (mut net, sender, answer) = negotiated(1, false);
    assert!(!answer.contains("a=rtcp-mux"), "{answer}");
    assert!(answer.contains(" 7202 typ host"), "{answer}");
    assert!(
        net.run_until(Duration::from_secs(10), |n| n.peers.iter().all(|p| {
            p.pc.connection_state() == PeerConnectionState::Connected
                && p.pc.rtcp_components() == [true]
        })),
        "both components connect, each with its DTLS"
    );
    let answered = net.carried.len();
    net.send_audio(0, sender, 0..150);
    assert!(frames(&net.peers[1].events) >= 140, "audio on component 1");
    let after = &net.carried[answered..];
    let between = |from: &str, to: &str| {
        after
            .iter()
            .filter(|t| t.source == addr(from) && t.destination == addr(to) && is_rtcp(&t.contents))
            .count()
    };
    // Sender reports one way, receiver reports the other, on component 2
    // only; none on the RTP sockets.
    assert!(between(A_RTCP, B_RTCP) >= 2, "SR from a");
    assert!(between(B_RTCP, A_RTCP) >= 2, "RR from b");
    assert_eq!(between(A, B) + between(B, A), 0, "no RTCP on component 1");
    assert!(net.peers[0].pc.media_stats().rtcp_received >= 2);
    assert!(net.peers[1].pc.media_stats().rtcp_received >= 2);
    for p in &net.peers {
        let stats = p.pc.transport_stats();
        assert_eq!(stats.srtp_rejected, 0);
        assert_eq!(stats.media_unsent, 0, "{stats:?}");
    }

    // Hostile datagrams on component 2, from the peer's RTCP address: a
    // forged SRTCP packet, RTP, DTLS garbage, a truncated byte and an
    // oversized datagram are refused and counted; the call goes on.
    let before = net.peers[0].pc.transport_stats();
    let forged_rtcp = [&[0x80u8, 200, 0, 6][..], &[7; 40]].concat();
    let rtp = [&[0x80u8, 111, 0, 1][..], &[9; 40]].concat();
    let dtls_garbage = [&[22u8, 0xfe, 0xfd][..], &[0xff; 30]].concat();
    let oversized = vec![0x81u8; 65_000];
    for datagram in [&forged_rtcp[..], &rtp, &dtls_garbage, &[0x80], &oversized] {
        let now = net.now;
        net.peers[0].pc.handle_receive(
            now,
            Receive {
                protocol: Protocol::Udp,
                source: addr(B_RTCP),
                destination: addr(A_RTCP),
                contents: datagram,
            },
        );
    }
    let after = net.peers[0].pc.transport_stats();
    assert_eq!(after.srtp_rejected, before.srtp_rejected + 1, "{after:?}");
    assert!(after.unknown_dropped > before.unknown_dropped, "{after:?}");
    let frames_before = frames(&net.peers[1].events);
    net.send_audio(0, sender, 150..170);
    assert!(frames(&net.peers[1].events) >= frames_before + 18);
    assert_eq!(net.peers[0].pc.rtcp_components(), [true]);
}

/// Under `require`, an RTCP socket is refused: it would never be used.
#[test]
fn an_rtcp_socket_needs_the_negotiate_policy() {
    let now = Instant::now();
    let mut a = connection(1, A, RtcConfiguration::default(), now);
    assert_eq!(
        a.pc.add_local_rtcp_address(now, addr(A_RTCP))
            .unwrap_err()
            .dom_name(),
        "TypeError"
    );
    let mut n = connection(2, B, negotiate(), now);
    n.pc.add_local_rtcp_address(now, addr(B_RTCP)).unwrap();
    assert!(n.pc.add_local_rtcp_address(now, addr(B_RTCP)).is_err());
    assert!(n.pc.add_local_rtcp_address(now, addr(B)).is_err());
}

/// With RTCP sockets but a peer that multiplexes, component 2 is gathered
/// for the offer and then dropped: RTCP stays on component 1 and nothing
/// waits for the second component.
#[test]
fn a_peer_that_multiplexes_leaves_component_two_unused() {
    let (mut net, sender, answer) = negotiated(3, true);
    assert!(answer.contains("a=rtcp-mux"), "{answer}");
    assert!(
        !answer.contains(" 7202 typ host"),
        "no RTCP candidate: {answer}"
    );
    assert!(net.run_until(Duration::from_secs(10), |n| n
        .peers
        .iter()
        .all(|p| p.pc.connection_state() == PeerConnectionState::Connected)));
    net.send_audio(0, sender, 0..100);
    assert_eq!(net.peers[0].pc.rtcp_components(), [false]);
    let rtcp_sockets = net
        .carried
        .iter()
        .filter(|t| [addr(A_RTCP), addr(B_RTCP)].contains(&t.source))
        .count();
    assert_eq!(rtcp_sockets, 0, "component 2 never used");
    assert!(net.peers[1].pc.media_stats().rtcp_received >= 1);
}
