//! The peer connection authenticates DTLS by the remote SDP's fingerprints
//! and never accepts any certificate: a DTLS peer presenting a certificate
//! whose fingerprint the remote description does not list (here: the
//! description lists a third connection's real certificate instead) fails
//! the connection, in both DTLS roles; one listed fingerprint among others
//! is enough.

mod common;

use std::time::Duration;

use common::Pair;
use sansrtc::*;

/// `sdp` with its `a=fingerprint` lines replaced by one line per entry
/// of `fingerprints` (`sha-256 AB:CD:…`).
fn with_fingerprints(sdp: &str, fingerprints: &[String]) -> String {
    let mut out = String::new();
    let mut written = false;
    for line in sdp.lines() {
        if line.starts_with("a=fingerprint:") {
            if !written {
                for fp in fingerprints {
                    out.push_str(&format!("a=fingerprint:{fp}\r\n"));
                }
                written = true;
            }
        } else {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    assert!(written, "no a=fingerprint in {sdp}");
    out
}

/// The fingerprint of another connection's (real, valid) certificate.
fn stranger_fingerprint(now: std::time::Instant) -> String {
    let stranger = common::peer(9, "127.0.0.1:5009", RtcConfiguration::default(), now);
    stranger.certificates()[0].sha256_fingerprint().to_string()
}

fn real_fingerprint(pc: &RtcPeerConnection) -> String {
    pc.certificates()[0].sha256_fingerprint().to_string()
}

/// Negotiates a data channel; `offer_fps` / `answer_fps` replace the
/// fingerprints of the offer (as b receives it) and of the answer (as a
/// receives it) when given.
fn negotiate(p: &mut Pair, offer_fps: Option<Vec<String>>, answer_fps: Option<Vec<String>>) {
    let now = p.now;
    p.a.create_data_channel(now, DataChannelInit::new("x"))
        .unwrap();
    let offer = p.a.create_offer(now).unwrap();
    p.a.set_local_description(now, offer).unwrap();
    let mut offer = p.a.local_description().unwrap().sdp;
    if let Some(fps) = offer_fps {
        offer = with_fingerprints(&offer, &fps);
    }
    p.b.set_remote_description(now, RtcSessionDescription::offer(offer))
        .unwrap();
    let mut answer = p.answer_from_b().sdp;
    if let Some(fps) = answer_fps {
        answer = with_fingerprints(&answer, &fps);
    }
    p.a.set_remote_description(now, RtcSessionDescription::answer(answer))
        .unwrap();
}

fn both_failed(p: &mut Pair) {
    assert!(
        p.run_until(Duration::from_secs(30), |p| {
            p.a.connection_state() == PeerConnectionState::Failed
                && p.b.connection_state() == PeerConnectionState::Failed
        }),
        "a: {:?}/{:?}, b: {:?}/{:?}",
        p.a.connection_state(),
        p.a.dtls_state(),
        p.b.connection_state(),
        p.b.dtls_state()
    );
    assert_eq!(p.a.dtls_state(), DtlsTransportState::Failed);
    assert_eq!(p.b.dtls_state(), DtlsTransportState::Failed);
    assert!(Pair::opened(&p.events_a).is_empty() && Pair::opened(&p.events_b).is_empty());
    assert!(Pair::messages(&p.events_a).is_empty() && Pair::messages(&p.events_b).is_empty());
}

#[test]
fn a_dtls_client_whose_certificate_is_not_in_the_answer_fails_the_connection() {
    // b answers (a=setup:active: the DTLS client); a, the DTLS server,
    // finds b's certificate nowhere in the answer it applied.
    let mut p = Pair::new();
    let stranger = stranger_fingerprint(p.now);
    negotiate(&mut p, None, Some(vec![stranger]));
    both_failed(&mut p);
}

#[test]
fn a_dtls_server_whose_certificate_is_not_in_the_offer_fails_the_connection() {
    let mut p = Pair::new();
    let stranger = stranger_fingerprint(p.now);
    negotiate(&mut p, Some(vec![stranger]), None);
    both_failed(&mut p);
}

#[test]
fn a_certificate_listed_among_other_fingerprints_connects() {
    let mut p = Pair::new();
    let stranger = stranger_fingerprint(p.now);
    let (a_real, b_real) = (real_fingerprint(&p.a), real_fingerprint(&p.b));
    negotiate(
        &mut p,
        Some(vec![stranger.clone(), a_real]),
        Some(vec![stranger, b_real]),
    );
    assert!(p.run_until(Duration::from_secs(10), |p| {
        p.a.connection_state() == PeerConnectionState::Connected
            && p.b.connection_state() == PeerConnectionState::Connected
            && !Pair::opened(&p.events_a).is_empty()
    }));
}
