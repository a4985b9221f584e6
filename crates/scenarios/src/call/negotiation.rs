//! Offer/answer beyond the first exchange and the DTLS identities: an ICE
//! restart mid-call, glare resolved by perfect negotiation, a late answer
//! (early DTLS), and an ECDSA peer calling an RSA peer.

use std::sync::Arc;
use std::time::Duration;

use sansrtc::{
    DataChannelInit, DataChannelMessage, IceConnectionState, PeerEvent, RtcCertificate,
    RtcConfiguration, SdpType, SignalingState,
};
use sansrtc_config::{CertificateOptions, KeyKind};
use sansrtc_netsim::{Fate, NatConfig};

use super::harness::{wall_clock, Call, Side, SignalingOptions};
use super::{nat_ip, outcome, place_behind, public_pair, stun_server};
use crate::ice::{access_link, add_stun_server};
use crate::setup::network;
use crate::{Outcome, Scenario, ScenarioInput};

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "call/ice-restart",
            description: "peers behind port-restricted NATs with a STUN server, trickle: mid-call restartIce() on A, a new offer/answer with new ufrags on both sides; messages sent every 20 ms before, during and after the restart all arrive in order",
            default_seeds: 10,
            cases: 1,
            run: ice_restart,
        },
        Scenario {
            name: "call/glare",
            description: "both peers create a channel and an offer at the same instant (trickle): impolite A ignores B's offer, polite B applies A's offer in have-local-offer (implicit rollback) and answers; both channels open on both ends",
            default_seeds: 10,
            cases: 1,
            run: glare,
        },
        Scenario {
            name: "call/early-dtls",
            description: "the answer reaches A 1 s late (signaling delay on the answer only): B's checks succeed and B (DTLS client) starts DTLS on that valid pair before A has the answer; A keeps every early DTLS datagram (ClientHello and its retransmission), none dropped, and the call connects once the answer lands",
            default_seeds: 10,
            cases: 1,
            run: early_dtls,
        },
        Scenario {
            name: "call/certificates",
            description: "one peer with a generated ECDSA P-256 certificate, the other with a generated RSA-2048 one (B on odd seeds, A on even: RSA as DTLS client or server), both passed in RTCConfiguration.certificates: connects, each side authenticated the other's certificate, data both ways",
            default_seeds: 6,
            cases: 2,
            run: certificates,
        },
    ]
}

fn ufrag(sdp: &str) -> Option<String> {
    sdp.lines()
        .find_map(|l| l.strip_prefix("a=ice-ufrag:"))
        .map(str::to_owned)
}

fn local_ufrag(call: &Call, side: Side) -> Result<String, String> {
    call.peer(side)
        .local_description()
        .and_then(|d| ufrag(&d.sdp))
        .ok_or_else(|| format!("{} has no local ufrag", side.name()))
}

fn remote_ufrag(call: &Call, side: Side) -> Result<String, String> {
    call.peer(side)
        .remote_description()
        .and_then(|d| ufrag(&d.sdp))
        .ok_or_else(|| format!("{} has no remote ufrag", side.name()))
}

fn ice_up(state: IceConnectionState) -> bool {
    matches!(
        state,
        IceConnectionState::Connected | IceConnectionState::Completed
    )
}

fn ice_restart(input: &ScenarioInput) -> Result<Outcome, String> {
    const STEP: Duration = Duration::from_millis(20);
    let (mut net, _) = network(input);
    add_stun_server(&mut net)?;
    let config = || RtcConfiguration {
        ice_servers: vec![stun_server()],
        ..RtcConfiguration::default()
    };
    let (a, _, _) = place_behind(
        &mut net,
        Side::A,
        NatConfig::port_restricted_cone(nat_ip(Side::A)),
        config(),
        access_link(),
    )?;
    let (b, _, _) = place_behind(
        &mut net,
        Side::B,
        NatConfig::port_restricted_cone(nat_ip(Side::B)),
        config(),
        access_link(),
    )?;
    let options = SignalingOptions {
        trickle: true,
        ..SignalingOptions::default()
    };
    let mut call = Call::new(net, a, b, options);
    let chat = call.create_channel(Side::A, DataChannelInit::new("chat"))?;
    call.offer(Side::A)?;
    let (connected, theirs) = call.until_open(Side::A, chat, "chat", Duration::from_secs(20))?;
    let (old_a, old_b) = (local_ufrag(&call, Side::A)?, local_ufrag(&call, Side::B)?);
    let mut sent = Vec::new();
    let mut send = |call: &mut Call, text: String| -> Result<(), String> {
        call.send(Side::A, chat, DataChannelMessage::Text(text.clone()))?;
        sent.push(DataChannelMessage::Text(text));
        call.run_for(STEP)
    };
    for i in 0..10 {
        send(&mut call, format!("before {i}"))?;
    }
    let offers_before = call
        .signals
        .iter()
        .filter(|s| s.what.starts_with("offer"))
        .count();
    call.restart_ice(Side::A)?;
    let restart_at = call.elapsed();
    let restarted = |c: &Call| -> bool {
        let new_remote = |side: Side, old: &str| remote_ufrag(c, side).is_ok_and(|u| u != old);
        c.peer(Side::A).signaling_state() == SignalingState::Stable
            && new_remote(Side::A, &old_b)
            && new_remote(Side::B, &old_a)
            && ice_up(c.peer(Side::A).ice_connection_state())
            && ice_up(c.peer(Side::B).ice_connection_state())
    };
    let mut during = 0;
    while !restarted(&call) {
        if call.elapsed() > restart_at + Duration::from_secs(10) {
            return Err(format!(
                "the restart did not complete in 10 s: {}",
                call.status()
            ));
        }
        send(&mut call, format!("during {during}"))?;
        during += 1;
    }
    let restart_took = call.elapsed() - restart_at;
    if during == 0 {
        return Err("the restart completed before any message was sent during it".into());
    }
    for i in 0..10 {
        send(&mut call, format!("after {i}"))?;
    }
    call.run_until(
        call.elapsed() + Duration::from_secs(10),
        "every message arrives",
        |c| c.messages(Side::B, theirs).len() >= sent.len(),
    )?;
    let got: Vec<&DataChannelMessage> = call
        .messages(Side::B, theirs)
        .iter()
        .map(|d| &d.message)
        .collect();
    if got != sent.iter().collect::<Vec<_>>() {
        return Err(format!(
            "B received {} of {} messages, or out of order ({during} sent during a {restart_took:?} restart)",
            got.len(),
            sent.len()
        ));
    }
    // The new descriptions carry the new ufrags, and a second offer went.
    let (new_a, new_b) = (local_ufrag(&call, Side::A)?, local_ufrag(&call, Side::B)?);
    if new_a == old_a || new_b == old_b {
        return Err(format!(
            "ufrags not renewed: A {old_a} → {new_a}, B {old_b} → {new_b}"
        ));
    }
    let signalled = |side: Side, kind: &str, u: &str| {
        call.signals.iter().any(|s| {
            s.from == side && s.what.starts_with(kind) && s.what.contains(&format!("ufrag {u} "))
        })
    };
    if !signalled(Side::A, "offer", &new_a) || !signalled(Side::B, "answer", &new_b) {
        return Err(format!(
            "the restart offer/answer did not carry the new ufrags: {:?}",
            call.signals.iter().map(|s| &s.what).collect::<Vec<_>>()
        ));
    }
    let offers = call
        .signals
        .iter()
        .filter(|s| s.what.starts_with("offer"))
        .count();
    if offers != offers_before + 1 {
        return Err(format!("{offers} offers after one restart"));
    }
    if let Some(e) = call.candidate_errors.iter().flatten().next() {
        return Err(format!("a candidate was refused: {e}"));
    }
    call.check_errors()?;
    Ok(outcome(&call, connected, None, input.capture))
}

fn glare(input: &ScenarioInput) -> Result<Outcome, String> {
    let (mut net, _) = network(input);
    let (a, b) = public_pair(
        &mut net,
        RtcConfiguration::default(),
        RtcConfiguration::default(),
    )?;
    let options = SignalingOptions {
        trickle: true,
        polite: Side::B,
        ..SignalingOptions::default()
    };
    let mut call = Call::new(net, a, b, options);
    let from_a = call.create_channel(Side::A, DataChannelInit::new("from-a"))?;
    let from_b = call.create_channel(Side::B, DataChannelInit::new("from-b"))?;
    // Both offer at the same instant.
    call.offer(Side::A)?;
    call.offer(Side::B)?;
    let (at_a, b_end) = call.until_open(Side::A, from_a, "from-a", Duration::from_secs(20))?;
    let (at_b, a_end) = call.until_open(Side::B, from_b, "from-b", Duration::from_secs(20))?;
    call.check_errors()?;
    if call.ignored_offers != [1, 0] {
        return Err(format!(
            "ignored offers {:?}: impolite A should ignore B's one offer, polite B none",
            call.ignored_offers
        ));
    }
    // A refused B's trickled candidates while it ignored B's offer (it had
    // no remote description); B, which applied A's offer, refused none.
    if let Some(e) = call.candidate_errors[Side::B.index()].first() {
        return Err(format!("B refused a candidate of A: {e}"));
    }
    // B went have-local-offer → (rollback) → have-remote-offer → stable.
    let b_states: Vec<SignalingState> = call.events[1]
        .iter()
        .filter_map(|(_, e)| match e {
            PeerEvent::SignalingStateChange(s) => Some(*s),
            _ => None,
        })
        .collect();
    let expected = [
        SignalingState::HaveLocalOffer,
        SignalingState::Stable,
        SignalingState::HaveRemoteOffer,
        SignalingState::Stable,
    ];
    if b_states != expected && b_states != [expected[0], expected[2], expected[3]] {
        return Err(format!("B's signaling states {b_states:?}"));
    }
    for side in [Side::A, Side::B] {
        if call.peer(side).signaling_state() != SignalingState::Stable {
            return Err(format!(
                "{} ends in {}",
                side.name(),
                call.peer(side).signaling_state()
            ));
        }
    }
    // One offer (A's) and one answer (B's) were applied: B's rolled-back offer left no trace.
    if call.peer(Side::A).remote_description().map(|d| d.sdp_type) != Some(SdpType::Answer) {
        return Err("A's remote description is not B's answer".into());
    }
    // Messages both ways on both channels.
    let pairs = [(from_a, b_end), (a_end, from_b)];
    for (ours, theirs) in pairs {
        call.send(Side::A, ours, DataChannelMessage::Text("from A".into()))?;
        call.send(Side::B, theirs, DataChannelMessage::Text("from B".into()))?;
    }
    call.run_until(
        call.elapsed() + Duration::from_secs(5),
        "messages on both channels",
        |c| {
            pairs.iter().all(|(ours, theirs)| {
                c.messages(Side::A, *ours).len() == 1 && c.messages(Side::B, *theirs).len() == 1
            })
        },
    )?;
    Ok(outcome(&call, at_a.max(at_b), None, input.capture))
}

fn early_dtls(input: &ScenarioInput) -> Result<Outcome, String> {
    const LATE: Duration = Duration::from_secs(1);
    let (mut net, _) = network(input);
    let (a, b) = public_pair(
        &mut net,
        RtcConfiguration::default(),
        RtcConfiguration::default(),
    )?;
    let options = SignalingOptions {
        answer_delay: LATE,
        ..SignalingOptions::default()
    };
    let mut call = Call::new(net, a, b, options);
    let chat = call.create_channel(Side::A, DataChannelInit::new("early"))?;
    call.offer(Side::A)?;
    let (connected, theirs) = call.until_open(Side::A, chat, "early", Duration::from_secs(20))?;
    call.check_errors()?;
    let answer_at = call
        .signals
        .iter()
        .find(|s| s.from == Side::B && s.what.starts_with("answer"))
        .map(|s| s.arrives)
        .ok_or("B sent no answer")?;
    if answer_at < LATE {
        return Err(format!("the answer arrived at {answer_at:?}, not late"));
    }
    // B's connectivity checks ran while A had no answer (A answered
    // them: they carry its own credentials).
    let b_local = crate::ice::sa(super::PUBLIC_B);
    let b_sent = &call.node(Side::B).sent;
    let checks_early = b_sent
        .iter()
        .filter(|s| s.at < answer_at && !s.dtls)
        .count();
    if checks_early == 0 {
        return Err("B sent no connectivity check before the answer reached A".into());
    }
    // B's DTLS datagrams that reached A before the answer did: B starts
    // DTLS on its first valid pair, before A (controlling) can nominate.
    let early = call
        .net
        .trace()
        .records()
        .iter()
        .filter(|r| r.from == b_local && r.fate == Fate::Delivered && r.at < answer_at)
        .filter(|r| {
            b_sent
                .iter()
                .any(|s| s.dtls && s.at == r.sent && s.size == r.size)
        })
        .count();
    let stats = call.peer(Side::A).transport_stats();
    if early == 0 {
        return Err(format!(
            "no DTLS from B reached A before the answer ({checks_early} checks did): nothing early to keep"
        ));
    }
    if stats.early_dtls_dropped > 0 || stats.early_dtls_kept != early as u64 {
        return Err(format!(
            "{early} DTLS datagrams from B arrived before the answer; A kept {} and dropped {}",
            stats.early_dtls_kept, stats.early_dtls_dropped
        ));
    }
    call.send(
        Side::B,
        theirs,
        DataChannelMessage::Text("late but here".into()),
    )?;
    call.run_until(
        call.elapsed() + Duration::from_secs(5),
        "a message back",
        |c| !c.messages(Side::A, chat).is_empty(),
    )?;
    Ok(outcome(&call, connected, None, input.capture))
}

fn certificates(input: &ScenarioInput) -> Result<Outcome, String> {
    let rsa_side = if input.seed % 2 == 1 {
        Side::B
    } else {
        Side::A
    };
    let (mut net, _) = network(input);
    let generate = |kind: KeyKind, stream: u64| {
        let options = CertificateOptions {
            key_kind: kind,
            ..CertificateOptions::default()
        };
        RtcCertificate::generate(&options, wall_clock(), &mut net.rng_for(stream))
            .map(Arc::new)
            .map_err(|e| format!("generateCertificate({kind:?}): {e}"))
    };
    let kind = |side: Side| {
        if side == rsa_side {
            KeyKind::RsaPkcs1Sha256
        } else {
            KeyKind::EcdsaP256Sha256
        }
    };
    let cert_a = generate(kind(Side::A), 4)?;
    let cert_b = generate(kind(Side::B), 5)?;
    let config = |c: &Arc<RtcCertificate>| RtcConfiguration {
        certificates: vec![c.clone()],
        ..RtcConfiguration::default()
    };
    let (a, b) = public_pair(&mut net, config(&cert_a), config(&cert_b))?;
    let mut call = Call::new(net, a, b, SignalingOptions::default());
    let chat = call.create_channel(Side::A, DataChannelInit::new("certs"))?;
    call.offer(Side::A)?;
    let (connected, theirs) = call.until_open(Side::A, chat, "certs", Duration::from_secs(20))?;
    call.check_errors()?;
    for (side, mine, peer) in [(Side::A, &cert_a, &cert_b), (Side::B, &cert_b, &cert_a)] {
        let name = side.name();
        let pc = call.peer(side);
        if pc.certificates().len() != 1 || !Arc::ptr_eq(&pc.certificates()[0], mine) {
            return Err(format!("{name} does not use the configured certificate"));
        }
        let params = pc
            .dtls_parameters()
            .ok_or_else(|| format!("{name}: DTLS not connected"))?;
        if params.peer_certificate_chain.first().map(Vec::as_slice) != Some(peer.certificate_der())
        {
            return Err(format!("{name} authenticated another certificate"));
        }
        // Its description announced its own fingerprint.
        let fingerprint = mine.sha256_fingerprint().digest_hex();
        let sdp = pc.local_description().ok_or("no local description")?.sdp;
        if !sdp.contains(&format!("a=fingerprint:sha-256 {fingerprint}")) {
            return Err(format!("{name}'s description lacks its fingerprint"));
        }
    }
    if call.peer(rsa_side).certificates()[0].key_kind() != KeyKind::RsaPkcs1Sha256 {
        return Err("the RSA side's certificate is not RSA".into());
    }
    call.send(Side::A, chat, DataChannelMessage::Text("ecdsa/rsa".into()))?;
    call.send(
        Side::B,
        theirs,
        DataChannelMessage::Text("rsa/ecdsa".into()),
    )?;
    call.run_until(
        call.elapsed() + Duration::from_secs(5),
        "messages both ways",
        |c| !c.messages(Side::A, chat).is_empty() && !c.messages(Side::B, theirs).is_empty(),
    )?;
    Ok(outcome(&call, connected, None, input.capture))
}
