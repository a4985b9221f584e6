//! Hostile or broken input: remote SDP that must be refused with a typed
//! error and its DOM name, leaving the state unchanged; datagrams at every
//! layer after connect, dropped and counted while the call goes on.

mod common;

use std::time::{Duration, Instant};

use common::{peer, Pair, ADDR_A, ADDR_B};
use sansrtc::*;

fn an_offer(now: Instant) -> String {
    let mut other = peer(2, ADDR_B, RtcConfiguration::default(), now);
    other
        .create_data_channel(now, DataChannelInit::new("x"))
        .unwrap();
    let offer = other.create_offer(now).unwrap();
    other.set_local_description(now, offer).unwrap();
    other.local_description().unwrap().sdp
}

fn refused(sdp: String, dom: &str) {
    let now = Instant::now();
    let mut pc = peer(1, ADDR_A, RtcConfiguration::default(), now);
    let err = pc
        .set_remote_description(now, RtcSessionDescription::offer(sdp))
        .unwrap_err();
    assert_eq!(err.dom_name(), dom, "{err}");
    assert_eq!(pc.signaling_state(), SignalingState::Stable);
    assert!(pc.remote_description().is_none());
}

#[test]
fn garbage_and_incomplete_remote_descriptions_are_refused() {
    let now = Instant::now();
    let offer = an_offer(now);
    refused("not sdp at all".into(), "OperationError");
    refused(String::new(), "OperationError");
    refused("\u{0}\u{1}\u{2}".repeat(1000), "OperationError");
    let no_fingerprint: String = offer
        .lines()
        .filter(|l| !l.starts_with("a=fingerprint"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    refused(no_fingerprint, "InvalidAccessError");
    let unknown_hash = offer.replace("a=fingerprint:sha-256", "a=fingerprint:sha-999");
    refused(unknown_hash, "InvalidAccessError");
    let short_digest: String = offer
        .lines()
        .map(|l| {
            if l.starts_with("a=fingerprint") {
                "a=fingerprint:sha-256 AB:CD".to_owned()
            } else {
                l.to_owned()
            }
        })
        .map(|l| format!("{l}\r\n"))
        .collect();
    refused(short_digest, "OperationError");
    let no_ufrag: String = offer
        .lines()
        .filter(|l| !l.starts_with("a=ice-ufrag"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    refused(no_ufrag, "InvalidAccessError");
    refused(
        offer.replace("a=setup:actpass", "a=setup:holdconn"),
        "InvalidAccessError",
    );
    refused(
        offer.replace("a=setup:actpass", "a=setup:sideways"),
        "OperationError",
    );
}

#[test]
fn ten_thousand_candidates_are_refused_without_growing() {
    let now = Instant::now();
    let offer = an_offer(now);
    let mut lines = String::new();
    for i in 0..10_000u32 {
        lines.push_str(&format!(
            "a=candidate:{i} 1 udp 2130706431 10.{}.{}.{} {} typ host\r\n",
            (i >> 16) & 255,
            (i >> 8) & 255,
            i & 255,
            1024 + (i % 60000)
        ));
    }
    let huge = offer.replacen("a=mid:0\r\n", &format!("a=mid:0\r\n{lines}"), 1);
    let mut pc = peer(1, ADDR_A, RtcConfiguration::default(), now);
    let err = pc
        .set_remote_description(now, RtcSessionDescription::offer(huge))
        .unwrap_err();
    assert!(
        ["OperationError", "InvalidAccessError"].contains(&err.dom_name()),
        "{err}"
    );
    assert_eq!(pc.signaling_state(), SignalingState::Stable);
    assert_eq!(pc.ice_stats().remote_candidates_dropped, 0);
}

/// In an answer, every section of the BUNDLE group uses the tagged one's
/// transport: other credentials there are refused (RFC 8843 §7.3).
#[test]
fn conflicting_ufrags_in_one_answered_bundle_are_refused() {
    let mut p = Pair::new();
    let now = p.now;
    p.a.create_data_channel(now, DataChannelInit::new("x"))
        .unwrap();
    p.a.add_transceiver(MediaKind::Audio, RtpTransceiverInit::default())
        .unwrap();
    p.offer_to_b();
    let answer = p.answer_from_b().sdp;
    let ufrag = answer
        .lines()
        .find_map(|l| l.strip_prefix("a=ice-ufrag:"))
        .unwrap()
        .to_owned();
    // The second section's ufrag only.
    let at = answer.rfind(&format!("a=ice-ufrag:{ufrag}")).unwrap();
    let mut forged = answer.clone();
    forged.replace_range(at..at + 12 + ufrag.len(), "a=ice-ufrag:Zz99");
    assert_ne!(forged, answer);
    let err =
        p.a.set_remote_description(now, RtcSessionDescription::answer(forged))
            .unwrap_err();
    assert_eq!(err.dom_name(), "InvalidAccessError", "{err}");
    assert_eq!(p.a.signaling_state(), SignalingState::HaveLocalOffer);
}

/// In an offer, a bundled section may carry a transport of its own (RFC
/// 8843 §7.2: the answerer picks the tagged one's).
#[test]
fn an_offer_with_a_transport_per_bundled_section_is_answered_on_the_tag() {
    let now = Instant::now();
    let offer = an_offer(now);
    let extra = "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:Zz99\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=mid:1\r\na=sctp-port:5000\r\n";
    let two = format!(
        "{}{}",
        offer.replace("a=group:BUNDLE 0", "a=group:BUNDLE 0 1"),
        extra
    );
    let mut pc = peer(1, ADDR_A, RtcConfiguration::default(), now);
    pc.set_remote_description(now, RtcSessionDescription::offer(two))
        .unwrap();
    let answer = pc.create_answer().unwrap().sdp;
    assert!(answer.contains("a=group:BUNDLE 0\r\n"), "{answer}");
    assert_eq!(pc.transport_count(), 1);
}

#[test]
fn trickled_candidates_we_cannot_use_are_skipped_and_bad_ones_refused() {
    let mut p = Pair::new();
    let now = p.now;
    p.a.create_data_channel(now, DataChannelInit::new("x"))
        .unwrap();
    p.offer_to_b();
    let tcp = IceCandidateInit::new(
        "candidate:2 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active",
        "0",
    );
    p.b.add_ice_candidate(now, &tcp).unwrap();
    assert_eq!(p.b.skipped_remote_candidates(), 1);
    let garbage = IceCandidateInit::new("candidate:what", "0");
    assert_eq!(
        p.b.add_ice_candidate(now, &garbage).unwrap_err().dom_name(),
        "OperationError"
    );
    let wrong_mid = IceCandidateInit::new("candidate:1 1 udp 1 127.0.0.1 9 typ host", "7");
    assert_eq!(
        p.b.add_ice_candidate(now, &wrong_mid)
            .unwrap_err()
            .dom_name(),
        "OperationError"
    );
    let mut wrong_ufrag = IceCandidateInit::new("candidate:1 1 udp 1 127.0.0.1 9 typ host", "0");
    wrong_ufrag.username_fragment = Some("nope".into());
    assert_eq!(
        p.b.add_ice_candidate(now, &wrong_ufrag)
            .unwrap_err()
            .dom_name(),
        "OperationError"
    );
    p.b.add_ice_candidate(now, &IceCandidateInit::end_of_candidates())
        .unwrap();
}

#[test]
fn a_wrong_fingerprint_fails_dtls_and_nothing_is_delivered() {
    let mut p = Pair::new();
    let now = p.now;
    p.a.create_data_channel(now, DataChannelInit::new("x"))
        .unwrap();
    let offer = p.a.create_offer(now).unwrap();
    p.a.set_local_description(now, offer).unwrap();
    // A well-formed fingerprint of some other certificate.
    let forged: String =
        p.a.local_description()
            .unwrap()
            .sdp
            .lines()
            .map(|l| {
                if l.starts_with("a=fingerprint:sha-256 ") {
                    format!("a=fingerprint:sha-256 {}", vec!["AB"; 32].join(":"))
                } else {
                    l.to_owned()
                }
            })
            .map(|l| format!("{l}\r\n"))
            .collect();
    p.b.set_remote_description(now, RtcSessionDescription::offer(forged))
        .unwrap();
    let answer = p.b.create_answer().unwrap();
    p.b.set_local_description(now, answer).unwrap();
    p.a.set_remote_description(now, p.b.local_description().unwrap())
        .unwrap();
    assert!(
        p.run_until(Duration::from_secs(30), |p| p.b.connection_state()
            == PeerConnectionState::Failed)
    );
    assert_eq!(p.b.dtls_state(), DtlsTransportState::Failed);
    assert!(Pair::opened(&p.events_a).is_empty() && Pair::opened(&p.events_b).is_empty());
}

#[test]
fn hostile_datagrams_after_connect_are_dropped_and_counted() {
    let (mut p, chat) = Pair::connected("chat");
    let from_peer = ADDR_A.parse().unwrap();
    let stranger = "127.0.0.1:9999".parse().unwrap();
    let to_b = ADDR_B.parse().unwrap();
    let mut seed = 0x1234_5678_9abc_def0u64;
    let mut noise = |len: usize| -> Vec<u8> {
        (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect()
    };
    let before = p.b.transport_stats();
    let now = p.now;
    for first in [0u8, 1, 17, 20, 22, 23, 25, 64, 70, 128, 129, 200, 255] {
        for len in [0usize, 1, 4, 13, 20, 100, 1500, 70_000] {
            for source in [from_peer, stranger] {
                let mut d = noise(len);
                if let Some(b) = d.first_mut() {
                    *b = first;
                }
                p.b.handle_receive(
                    now,
                    Receive {
                        protocol: Protocol::Udp,
                        source,
                        destination: to_b,
                        contents: &d,
                    },
                );
            }
        }
    }
    let after = p.b.transport_stats();
    // SRTP keys exist once DTLS is up: forged RTP and RTCP fail authentication.
    assert!(after.srtp_rejected > before.srtp_rejected);
    assert!(after.unknown_dropped > before.unknown_dropped);
    assert!(p.b.ice_stats().unknown_source_dropped > 0 || p.b.ice_stats().malformed_dropped > 0);
    let dtls = p.b.dtls_stats().unwrap();
    assert!(dtls.malformed_datagrams + dtls.bad_record_mac + dtls.wrong_epoch_records > 0);
    // The call goes on.
    assert_eq!(p.b.connection_state(), PeerConnectionState::Connected);
    p.a.send(p.now, chat, DataChannelMessage::Text("still here".into()))
        .unwrap();
    assert!(
        p.run_until(Duration::from_secs(5), |p| Pair::messages(&p.events_b)
            .len()
            == 1)
    );
}
