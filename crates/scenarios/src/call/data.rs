//! Data over a call: echo (non-trickle and trickle), every reliability
//! type under loss, and a 1 MiB transfer at 10% loss.

use std::collections::BTreeSet;
use std::time::Duration;

use sansrtc::{DataChannelInit, DataChannelMessage, RtcConfiguration};

use super::harness::{Call, Side, SignalingOptions};
use super::{outcome, payload, public_pair, public_pair_on, size_of};
use crate::setup::{network, two_link_loss};
use crate::{Outcome, Scenario, ScenarioInput};

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "call/echo",
            description: "two peer connections on the internet, non-trickle signaling (50 ms ± 20 ms): a channel opens, 9 messages up to 256 KiB (text and binary) are echoed back intact and in order; throughput of the echo",
            default_seeds: 10,
            cases: 1,
            run: |input| echo(input, false),
        },
        Scenario {
            name: "call/echo-trickle",
            description: "call/echo with trickle ICE: descriptions leave without candidates, every candidate goes through icecandidate → addIceCandidate, end-of-candidates included",
            default_seeds: 10,
            cases: 1,
            run: |input| echo(input, true),
        },
        Scenario {
            name: "call/reliability",
            description: "10% loss each way with reordering and duplication: ordered and unordered reliable channels deliver all 300 messages (in order / each once), maxRetransmits=0 delivers a strict subset, maxPacketLifeTime=100 delivers nothing past its lifetime, no partial channel stalls",
            default_seeds: 10,
            cases: 1,
            run: reliability,
        },
        Scenario {
            name: "call/loss-10",
            description: "10% loss each way with reordering and duplication: the call connects and moves 1 MiB (64 × 16 KiB) intact and in order; throughput of the transfer",
            default_seeds: 10,
            cases: 1,
            run: loss_10,
        },
    ]
}

fn echo(input: &ScenarioInput, trickle: bool) -> Result<Outcome, String> {
    echo_call(input, trickle).map(|(outcome, _)| outcome)
}

/// `call/echo` (or `-trickle`), returning the call for inspection.
pub(crate) fn echo_call(input: &ScenarioInput, trickle: bool) -> Result<(Outcome, Call), String> {
    let (mut net, _) = network(input);
    let (a, b) = public_pair(
        &mut net,
        RtcConfiguration::default(),
        RtcConfiguration::default(),
    )?;
    let options = SignalingOptions {
        trickle,
        ..SignalingOptions::default()
    };
    let mut call = Call::new(net, a, b, options);
    let chat = call.create_channel(Side::A, DataChannelInit::new("echo"))?;
    call.offer(Side::A)?;
    let (connected, theirs) = call.until_open(Side::A, chat, "echo", Duration::from_secs(20))?;
    check_signaling(&call, trickle)?;
    let sent = vec![
        DataChannelMessage::Text("hello".into()),
        DataChannelMessage::Text("ünïcödé ✓ 🦀".into()),
        payload(1, 1),
        payload(2, 1000),
        payload(3, 1200),
        payload(4, 16 * 1024),
        payload(5, 64 * 1024),
        payload(6, 256 * 1024),
        DataChannelMessage::Text("bye".into()),
    ];
    let t0 = call.elapsed();
    for m in &sent {
        call.send(Side::A, chat, m.clone())?;
    }
    // B echoes every message as it arrives.
    let limit = t0 + Duration::from_secs(30);
    let mut echoed = 0;
    while echoed < sent.len() {
        call.run_until(limit, "B receives every message", |c| {
            c.messages(Side::B, theirs).len() > echoed
        })?;
        let new: Vec<DataChannelMessage> = call.messages(Side::B, theirs)[echoed..]
            .iter()
            .map(|d| d.message.clone())
            .collect();
        for m in new {
            call.send(Side::B, theirs, m)?;
            echoed += 1;
        }
    }
    let done = call.run_until(limit, "every echo returns", |c| {
        c.messages(Side::A, chat).len() >= sent.len()
    })?;
    for (side, channel, what) in [
        (Side::B, theirs, "B received"),
        (Side::A, chat, "A got back"),
    ] {
        let got: Vec<&DataChannelMessage> = call
            .messages(side, channel)
            .iter()
            .map(|d| &d.message)
            .collect();
        if got != sent.iter().collect::<Vec<_>>() {
            return Err(format!(
                "{what} {} messages of sizes {:?}, sent {:?}",
                got.len(),
                got.iter().map(|m| size_of(m)).collect::<Vec<_>>(),
                sent.iter().map(size_of).collect::<Vec<_>>()
            ));
        }
    }
    call.check_errors()?;
    let bytes: usize = sent.iter().map(size_of).sum();
    let outcome = outcome(
        &call,
        connected,
        Some((2 * bytes as u64, done - t0)),
        input.capture,
    );
    Ok((outcome, call))
}

/// Trickle: the first offer and answer carried no candidate, candidates
/// and an end-of-candidates went each way, none was refused. Without:
/// both descriptions carried candidates and nothing was trickled.
fn check_signaling(call: &Call, trickle: bool) -> Result<(), String> {
    for from in [Side::A, Side::B] {
        let signals: Vec<&str> = call
            .signals
            .iter()
            .filter(|s| s.from == from)
            .map(|s| s.what.as_str())
            .collect();
        let description = signals
            .iter()
            .find(|w| w.starts_with("offer") || w.starts_with("answer"))
            .ok_or_else(|| format!("{} sent no description", from.name()))?;
        let candidates = signals
            .iter()
            .filter(|w| w.starts_with("candidate:"))
            .count();
        let ends = signals
            .iter()
            .filter(|w| **w == "end-of-candidates")
            .count();
        let ok = if trickle {
            description.ends_with("candidates 0") && candidates > 0 && ends == 1
        } else {
            !description.ends_with("candidates 0") && candidates == 0 && ends == 0
        };
        if !ok {
            return Err(format!(
                "{} signaled {description:?}, {candidates} candidates, {ends} end-of-candidates (trickle {trickle})",
                from.name()
            ));
        }
        if let Some(e) = call.candidate_errors[from.other().index()].first() {
            return Err(format!("{} refused a candidate: {e}", from.other().name()));
        }
    }
    Ok(())
}

/// A message carrying its index and its send time in ms.
fn stamped(i: usize, sent_ms: u64, size: usize) -> DataChannelMessage {
    let mut bytes = vec![(i % 251) as u8; size];
    bytes[..8].copy_from_slice(&(i as u64).to_be_bytes());
    bytes[8..16].copy_from_slice(&sent_ms.to_be_bytes());
    DataChannelMessage::Binary(bytes.into())
}

fn stamp_of(message: &DataChannelMessage) -> Option<(usize, u64)> {
    let DataChannelMessage::Binary(bytes) = message else {
        return None;
    };
    let index = u64::from_be_bytes(bytes.get(..8)?.try_into().ok()?);
    let sent = u64::from_be_bytes(bytes.get(8..16)?.try_into().ok()?);
    Some((usize::try_from(index).ok()?, sent))
}

fn reliability(input: &ScenarioInput) -> Result<Outcome, String> {
    const COUNT: usize = 300;
    const SIZE: usize = 200;
    const LIFETIME_MS: u64 = 100;
    // The longest one-way trip: two links of 10 ms + 4 ms jitter, and a
    // reordered packet held 10 ms more on each.
    const MAX_ONE_WAY_MS: u64 = 2 * (10 + 4 + 10);
    // A partial channel never waits for a retransmission (nor behind the
    // reliable channels' ones): a delivered message is at most this late,
    // well under any retransmission timeout (queueing included).
    const NO_STALL_MS: u64 = 300;
    let (mut net, _) = network(input);
    let (a, b) = public_pair_on(
        &mut net,
        RtcConfiguration::default(),
        RtcConfiguration::default(),
        two_link_loss(0.10, 0.02, 0.01),
    )?;
    let mut call = Call::new(net, a, b, SignalingOptions::default());
    let mut unordered = DataChannelInit::new("unordered");
    unordered.ordered = false;
    let mut rexmit = DataChannelInit::new("rexmit0");
    rexmit.ordered = false;
    rexmit.max_retransmits = Some(0);
    let mut lifetime = DataChannelInit::new("lifetime");
    lifetime.ordered = false;
    lifetime.max_packet_life_time = Some(LIFETIME_MS as u16);
    let inits = [DataChannelInit::new("ordered"), unordered, rexmit, lifetime];
    let mut ours = Vec::new();
    for init in &inits {
        ours.push(call.create_channel(Side::A, init.clone())?);
    }
    call.offer(Side::A)?;
    let mut theirs = Vec::new();
    let mut connected = Duration::ZERO;
    for (init, ch) in inits.iter().zip(&ours) {
        let (at, remote) = call.until_open(Side::A, *ch, &init.label, Duration::from_secs(60))?;
        connected = connected.max(at);
        theirs.push(remote);
    }
    for (init, remote) in inits.iter().zip(&theirs) {
        let info = call
            .peer(Side::B)
            .data_channel(*remote)
            .ok_or("B lost a channel")?;
        if info.ordered != init.ordered {
            return Err(format!("{}: B sees ordered={}", init.label, info.ordered));
        }
    }
    // Let the DATA_CHANNEL_ACKs arrive (until then a channel sends ordered).
    call.run_for(Duration::from_secs(1))?;
    let t0 = call.elapsed();
    let mut sent = Vec::new();
    for i in 0..COUNT {
        let sent_ms = call.elapsed().as_millis() as u64;
        let m = stamped(i, sent_ms, SIZE);
        for ch in &ours {
            call.send(Side::A, *ch, m.clone())?;
        }
        sent.push(m);
        call.run_for(Duration::from_millis(10))?;
    }
    let done = call.run_until(
        call.elapsed() + Duration::from_secs(120),
        "the reliable channels complete",
        |c| {
            c.messages(Side::B, theirs[0]).len() >= COUNT
                && c.messages(Side::B, theirs[1]).len() >= COUNT
        },
    )?;
    call.run_for(Duration::from_secs(3))?;
    // Ordered: everything, in order.
    let ordered: Vec<&DataChannelMessage> = call
        .messages(Side::B, theirs[0])
        .iter()
        .map(|d| &d.message)
        .collect();
    if ordered != sent.iter().collect::<Vec<_>>() {
        return Err(format!(
            "ordered: {} messages, not the {COUNT} sent in order",
            ordered.len()
        ));
    }
    // Unordered: everything, each once.
    let mut unordered: Vec<&DataChannelMessage> = call
        .messages(Side::B, theirs[1])
        .iter()
        .map(|d| &d.message)
        .collect();
    unordered.sort_by_key(|m| stamp_of(m));
    if unordered != sent.iter().collect::<Vec<_>>() {
        return Err(format!(
            "unordered: {} messages, not each of the {COUNT} once",
            unordered.len()
        ));
    }
    let mut partial = Vec::new();
    for (name, ch) in [
        ("maxRetransmits=0", theirs[2]),
        ("maxPacketLifeTime=100", theirs[3]),
    ] {
        let mut seen = BTreeSet::new();
        let mut worst_ms = 0;
        for d in call.messages(Side::B, ch) {
            let Some((index, sent_ms)) = stamp_of(&d.message) else {
                return Err(format!("{name}: not one of ours"));
            };
            if sent.get(index) != Some(&d.message) {
                return Err(format!("{name}: message {index} corrupted"));
            }
            if !seen.insert(index) {
                return Err(format!("{name}: message {index} arrived twice"));
            }
            let late = (d.at.as_millis() as u64).saturating_sub(sent_ms);
            worst_ms = worst_ms.max(late);
            if ch == theirs[3] && late > LIFETIME_MS + MAX_ONE_WAY_MS {
                return Err(format!(
                    "{name}: message {index} arrived {late} ms after it was sent, past its lifetime"
                ));
            }
        }
        if worst_ms > NO_STALL_MS {
            return Err(format!(
                "{name}: a message arrived {worst_ms} ms after it was sent: the channel stalled"
            ));
        }
        partial.push((name, seen.len(), worst_ms));
    }
    let (_, rexmit_count, _) = partial[0];
    if !(COUNT / 2..COUNT).contains(&rexmit_count) {
        return Err(format!(
            "maxRetransmits=0: {rexmit_count} of {COUNT} arrived; one try each at 10% loss should deliver about 90%, never all"
        ));
    }
    call.check_errors()?;
    Ok(outcome(
        &call,
        connected,
        Some(((2 * COUNT * SIZE) as u64, done - t0)),
        input.capture,
    ))
}

fn loss_10(input: &ScenarioInput) -> Result<Outcome, String> {
    const SIZE: usize = 16 * 1024;
    const COUNT: usize = 64;
    let (mut net, _) = network(input);
    let (a, b) = public_pair_on(
        &mut net,
        RtcConfiguration::default(),
        RtcConfiguration::default(),
        two_link_loss(0.10, 0.02, 0.01),
    )?;
    let mut call = Call::new(net, a, b, SignalingOptions::default());
    let bulk = call.create_channel(Side::A, DataChannelInit::new("bulk"))?;
    call.offer(Side::A)?;
    let (connected, theirs) = call.until_open(Side::A, bulk, "bulk", Duration::from_secs(60))?;
    let t0 = call.elapsed();
    let sent: Vec<DataChannelMessage> = (0..COUNT).map(|i| payload(i, SIZE)).collect();
    for m in &sent {
        call.send(Side::A, bulk, m.clone())?;
    }
    let done = call.run_until(t0 + Duration::from_secs(300), "1 MiB arrives", |c| {
        c.messages(Side::B, theirs).len() >= COUNT
    })?;
    let got: Vec<&DataChannelMessage> = call
        .messages(Side::B, theirs)
        .iter()
        .map(|d| &d.message)
        .collect();
    if got != sent.iter().collect::<Vec<_>>() {
        return Err("the 1 MiB arrived corrupted, reordered or duplicated".into());
    }
    call.check_errors()?;
    Ok(outcome(
        &call,
        connected,
        Some(((COUNT * SIZE) as u64, done - t0)),
        input.capture,
    ))
}
