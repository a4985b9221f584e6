//! Data-channel scenarios: two `SctpTransport`s (DCEP + our SCTP, no DTLS
//! yet) on two hosts of the simulated network, through lossy, reordering,
//! duplicating links.

use std::time::{Duration, Instant};

use sansrtc_datachannel::{
    ChannelId, DataChannelConfig, DataChannelEvent, DataChannelInit, DataChannelMessage, DtlsRole,
    SctpTransport,
};
use sansrtc_netsim::{FixedPeerNode, LinkConfig, Network, NodeId};
use sansrtc_sctp::SctpConfig;

use crate::setup::{fixed_peer_pair, network, two_link_loss};
use crate::{Outcome, Scenario, ScenarioInput};

/// The data-channel scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "datachannel/echo-0pct",
            description: "open, 50 messages echoed, close over a clean 20 ms link",
            default_seeds: 10,
            cases: 1,
            run: |input| echo(input, 0.0),
        },
        Scenario {
            name: "datachannel/echo-5pct",
            description: "open, 50 messages echoed, close at 5% loss with reordering and duplication",
            default_seeds: 20,
            cases: 1,
            run: |input| echo(input, 0.05),
        },
        Scenario {
            name: "datachannel/echo-20pct",
            description: "open, 50 messages echoed, close at 20% loss with reordering and duplication",
            default_seeds: 20,
            cases: 1,
            run: |input| echo(input, 0.20),
        },
        Scenario {
            name: "datachannel/many-channels",
            description: "100 in-band channels opened at once, one message on each, at 5% loss",
            default_seeds: 10,
            cases: 1,
            run: many_channels,
        },
        Scenario {
            name: "datachannel/negotiated",
            description: "negotiated channels on both ends (no DCEP) carry messages both ways at 5% loss",
            default_seeds: 10,
            cases: 1,
            run: negotiated,
        },
        Scenario {
            name: "datachannel/partial-reliability",
            description: "unordered maxRetransmits=0 and maxPacketLifeTime=50ms channels at 20% loss drop as configured, never corrupt",
            default_seeds: 10,
            cases: 1,
            run: partial_reliability,
        },
        Scenario {
            name: "datachannel/256k-messages",
            description: "four 256 KiB messages each way at 1% loss arrive intact",
            default_seeds: 5,
            cases: 1,
            run: large_messages,
        },
        Scenario {
            name: "datachannel/close-reopen",
            description: "a channel closed by stream reset and a new one on the same stream id",
            default_seeds: 10,
            cases: 1,
            run: close_reopen,
        },
    ]
}

type Endpoint = FixedPeerNode<SctpTransport, DataChannelEvent>;

/// Two transports on two hosts, with the run's clock and network.
struct Call {
    net: Network,
    start: Instant,
    a: NodeId<Endpoint>,
    b: NodeId<Endpoint>,
    a_events: Vec<DataChannelEvent>,
    b_events: Vec<DataChannelEvent>,
    /// When each of `b_events` was collected (within one simulator step).
    b_times: Vec<Instant>,
}

/// The access link of each host. A datagram crosses two of them, so each
/// drops `1 - sqrt(1 - loss)` to give `loss` end to end.
fn link(loss: f64) -> LinkConfig {
    two_link_loss(loss, 0.02, 0.01)
}

impl Call {
    fn new(input: &ScenarioInput, loss: f64, config: DataChannelConfig) -> Result<Call, String> {
        let (mut net, start) = network(input);
        let sctp = SctpConfig {
            max_message_size: config.max_message_size,
            ..SctpConfig::default()
        };
        let mut rng = net.rng_for(1);
        let mut a = SctpTransport::new(config.clone(), sctp.clone(), &mut rng, start);
        let mut b = SctpTransport::new(config, sctp, &mut rng, start);
        a.set_dtls_role(DtlsRole::Client);
        b.set_dtls_role(DtlsRole::Server);
        a.set_remote_max_message_size(Some(256 * 1024));
        b.set_remote_max_message_size(Some(256 * 1024));
        a.connect(start).map_err(|e| e.to_string())?;
        b.connect(start).map_err(|e| e.to_string())?;
        let (a, b) = fixed_peer_pair(
            &mut net,
            (a, b),
            &link(loss),
            |t: &mut SctpTransport, now, bytes| t.handle_receive(now, bytes),
            |t: &mut SctpTransport, now| t.handle_timeout(now),
            |t: &mut SctpTransport| t.poll_output(),
        )?;
        Ok(Call {
            net,
            start,
            a,
            b,
            a_events: vec![],
            b_events: vec![],
            b_times: vec![],
        })
    }

    fn a(&mut self) -> &mut SctpTransport {
        self.net.node_mut(&self.a).machine_mut()
    }

    fn b(&mut self) -> &mut SctpTransport {
        self.net.node_mut(&self.b).machine_mut()
    }

    fn now(&self) -> Instant {
        self.net.now()
    }

    /// Runs until `done` holds (checked on the collected events) or
    /// `limit` of simulated time passes.
    fn run_until(
        &mut self,
        limit: Duration,
        what: &str,
        mut done: impl FnMut(&[DataChannelEvent], &[DataChannelEvent]) -> bool,
    ) -> Result<(), String> {
        let deadline = self.now() + limit;
        loop {
            self.collect();
            if done(&self.a_events, &self.b_events) {
                return Ok(());
            }
            if self.now() >= deadline || !self.net.step() {
                let (sa, sb) = (
                    self.a().association().stats(),
                    self.b().association().stats(),
                );
                return Err(format!(
                    "{what}: not reached after {:?} (a: {sa:?}; b: {sb:?})",
                    self.now() - self.start
                ));
            }
        }
    }

    /// Takes the events both nodes emitted, noting when `b`'s arrived.
    fn collect(&mut self) {
        let now = self.now();
        self.a_events.extend(self.net.take_events(&self.a));
        let new = self.net.take_events(&self.b);
        self.b_times.extend(std::iter::repeat(now).take(new.len()));
        self.b_events.extend(new);
    }

    /// Opens an in-band channel from `a`; returns both ends' handles.
    fn open(&mut self, init: DataChannelInit) -> Result<(ChannelId, ChannelId), String> {
        let before = announced(&self.b_events).len();
        let ours = self
            .a()
            .create_data_channel(init)
            .map_err(|e| e.to_string())?;
        self.run_until(
            Duration::from_secs(60),
            "remote announces the channel",
            |_, b| announced(b).len() > before,
        )?;
        let theirs = *announced(&self.b_events).last().ok_or("no channel")?;
        Ok((ours, theirs))
    }

    fn outcome(&self, bytes: u64) -> Outcome {
        let time_to_goal = self.now() - self.start;
        let secs = time_to_goal.as_secs_f64();
        Outcome {
            time_to_goal,
            throughput_bytes_per_sec: (bytes > 0 && secs > 0.0).then(|| bytes as f64 / secs),
            pcap: self.net.pcap().map(<[u8]>::to_vec),
        }
    }
}

fn announced(events: &[DataChannelEvent]) -> Vec<ChannelId> {
    events
        .iter()
        .filter_map(|e| match e {
            DataChannelEvent::DataChannel(c) => Some(*c),
            _ => None,
        })
        .collect()
}

fn messages(events: &[DataChannelEvent], channel: ChannelId) -> Vec<&DataChannelMessage> {
    events
        .iter()
        .filter_map(|e| match e {
            DataChannelEvent::Message {
                channel: c,
                message,
            } if *c == channel => Some(message),
            _ => None,
        })
        .collect()
}

fn payload(i: usize, size: usize) -> DataChannelMessage {
    let mut bytes = vec![(i % 251) as u8; size];
    bytes[..8].copy_from_slice(&(i as u64).to_be_bytes());
    DataChannelMessage::Binary(bytes.into())
}

fn echo(input: &ScenarioInput, loss: f64) -> Result<Outcome, String> {
    const COUNT: usize = 50;
    const SIZE: usize = 1000;
    let mut call = Call::new(input, loss, DataChannelConfig::default())?;
    let (a_ch, b_ch) = call.open(DataChannelInit::new("echo"))?;
    let now = call.now();
    for i in 0..COUNT {
        call.a()
            .send(now, a_ch, payload(i, SIZE))
            .map_err(|e| e.to_string())?;
    }
    call.run_until(Duration::from_secs(120), "all messages arrive", |_, b| {
        messages(b, b_ch).len() >= COUNT
    })?;
    let got: Vec<DataChannelMessage> = messages(&call.b_events, b_ch)
        .into_iter()
        .cloned()
        .collect();
    let want: Vec<DataChannelMessage> = (0..COUNT).map(|i| payload(i, SIZE)).collect();
    if got != want {
        return Err("messages arrived out of order, duplicated or corrupted".into());
    }
    let now = call.now();
    for m in got {
        call.b().send(now, b_ch, m).map_err(|e| e.to_string())?;
    }
    call.run_until(Duration::from_secs(120), "all echoes arrive", |a, _| {
        messages(a, a_ch).len() >= COUNT
    })?;
    let echoed: Vec<DataChannelMessage> = messages(&call.a_events, a_ch)
        .into_iter()
        .cloned()
        .collect();
    if echoed != want {
        return Err("echoes arrived out of order, duplicated or corrupted".into());
    }
    let now = call.now();
    call.a()
        .close_channel(now, a_ch)
        .map_err(|e| e.to_string())?;
    call.run_until(Duration::from_secs(120), "both ends close", |a, b| {
        a.contains(&DataChannelEvent::Close(a_ch)) && b.contains(&DataChannelEvent::Close(b_ch))
    })?;
    Ok(call.outcome((2 * COUNT * SIZE) as u64))
}

fn many_channels(input: &ScenarioInput) -> Result<Outcome, String> {
    const CHANNELS: usize = 100;
    let mut call = Call::new(input, 0.05, DataChannelConfig::default())?;
    let mut ours = Vec::new();
    for i in 0..CHANNELS {
        let ch = call
            .a()
            .create_data_channel(DataChannelInit::new(format!("c{i}")))
            .map_err(|e| e.to_string())?;
        ours.push(ch);
    }
    call.run_until(
        Duration::from_secs(60),
        "every channel announced",
        |_, b| announced(b).len() == CHANNELS,
    )?;
    let now = call.now();
    for (i, ch) in ours.iter().enumerate() {
        call.a()
            .send(now, *ch, payload(i, 100))
            .map_err(|e| e.to_string())?;
    }
    call.run_until(
        Duration::from_secs(60),
        "one message on each channel",
        |_, b| {
            b.iter()
                .filter(|e| matches!(e, DataChannelEvent::Message { .. }))
                .count()
                == CHANNELS
        },
    )?;
    for remote in announced(&call.b_events) {
        let b = call.net.node(&call.b).machine();
        let label = b
            .channels()
            .channel(remote)
            .map(|i| i.label.clone())
            .unwrap_or_default();
        let i: usize = label
            .trim_start_matches('c')
            .parse()
            .map_err(|_| "bad label")?;
        if messages(&call.b_events, remote) != vec![&payload(i, 100)] {
            return Err(format!("channel {label} got the wrong messages"));
        }
    }
    Ok(call.outcome((CHANNELS * 100) as u64))
}

fn negotiated(input: &ScenarioInput) -> Result<Outcome, String> {
    let mut call = Call::new(input, 0.05, DataChannelConfig::default())?;
    let mut pairs = Vec::new();
    for id in [0u16, 1, 7, 500] {
        let mut init = DataChannelInit::new(format!("n{id}"));
        init.negotiated = true;
        init.id = Some(id);
        let a = call
            .a()
            .create_data_channel(init.clone())
            .map_err(|e| e.to_string())?;
        let b = call
            .b()
            .create_data_channel(init)
            .map_err(|e| e.to_string())?;
        pairs.push((a, b));
    }
    call.run_until(
        Duration::from_secs(30),
        "negotiated channels open",
        |a, b| {
            pairs.iter().all(|(x, y)| {
                a.contains(&DataChannelEvent::Open(*x)) && b.contains(&DataChannelEvent::Open(*y))
            })
        },
    )?;
    let now = call.now();
    for (i, (x, y)) in pairs.iter().enumerate() {
        call.a()
            .send(now, *x, payload(i, 500))
            .map_err(|e| e.to_string())?;
        call.b()
            .send(now, *y, payload(i + 10, 500))
            .map_err(|e| e.to_string())?;
    }
    call.run_until(Duration::from_secs(60), "messages both ways", |a, b| {
        pairs
            .iter()
            .all(|(x, y)| messages(a, *x).len() == 1 && messages(b, *y).len() == 1)
    })?;
    if !announced(&call.b_events).is_empty() || !announced(&call.a_events).is_empty() {
        return Err("a negotiated channel was announced in band".into());
    }
    Ok(call.outcome(8 * 500))
}

/// A message carrying its index and its send time (ms of simulated time).
fn stamped(i: usize, sent_ms: u64, size: usize) -> DataChannelMessage {
    let mut bytes = vec![(i % 251) as u8; size];
    bytes[..8].copy_from_slice(&(i as u64).to_be_bytes());
    bytes[8..16].copy_from_slice(&sent_ms.to_be_bytes());
    DataChannelMessage::Binary(bytes.into())
}

fn partial_reliability(input: &ScenarioInput) -> Result<Outcome, String> {
    const COUNT: usize = 300;
    const LIFETIME_MS: u64 = 50;
    // The longest one-way trip: two links of 10 ms + 4 ms jitter, and a
    // reordered packet held 10 ms more on each.
    const MAX_ONE_WAY_MS: u64 = 2 * (10 + 4 + 10);
    let mut call = Call::new(input, 0.20, DataChannelConfig::default())?;
    let mut rexmit = DataChannelInit::new("rexmit0");
    rexmit.ordered = false;
    rexmit.max_retransmits = Some(0);
    let (a_rx, b_rx) = call.open(rexmit)?;
    let mut timed = DataChannelInit::new("life50");
    timed.ordered = false;
    timed.max_packet_life_time = Some(LIFETIME_MS as u16);
    let (a_t, b_t) = call.open(timed)?;
    let (a_rel, b_rel) = call.open(DataChannelInit::new("reliable"))?;
    // Until its DATA_CHANNEL_ACK arrives an in-band channel sends ordered
    // (RFC 8832 §6); wait for the ACKs so that the unordered paths are the
    // ones tested.
    let acked = |call: &Call| {
        let a = call.net.node(&call.a).machine().channels();
        [a_rx, a_t, a_rel]
            .iter()
            .all(|ch| a.awaiting_ack(*ch) == Some(false))
    };
    let deadline = call.now() + Duration::from_secs(60);
    while !acked(&call) {
        if call.now() >= deadline || !call.net.step() {
            return Err("DATA_CHANNEL_ACKs never arrived".into());
        }
        call.collect();
    }
    let mut sent = Vec::new();
    for i in 0..COUNT {
        let now = call.now();
        let sent_ms = (now - call.start).as_millis() as u64;
        let m = stamped(i, sent_ms, 200);
        for ch in [a_rx, a_t, a_rel] {
            call.a()
                .send(now, ch, m.clone())
                .map_err(|e| e.to_string())?;
        }
        sent.push(m);
        let step_to = now + Duration::from_millis(10);
        while call.now() < step_to && call.net.step() {
            call.collect();
        }
    }
    call.run_until(
        Duration::from_secs(300),
        "the reliable channel completes",
        |_, b| messages(b, b_rel).len() == COUNT,
    )?;
    let settle = call.now() + Duration::from_secs(5);
    while call.now() < settle && call.net.step() {
        call.collect();
    }
    for (name, ch) in [("maxRetransmits=0", b_rx), ("maxPacketLifeTime=50", b_t)] {
        let mut seen = std::collections::BTreeSet::new();
        let mut count = 0;
        for (event, at) in call.b_events.iter().zip(&call.b_times) {
            let DataChannelEvent::Message { channel, message } = event else {
                continue;
            };
            if *channel != ch {
                continue;
            }
            count += 1;
            if !sent.contains(message) {
                return Err(format!("{name}: a corrupted message arrived"));
            }
            if !seen.insert(format!("{message:?}")) {
                return Err(format!("{name}: a message arrived twice"));
            }
            if ch == b_t {
                let DataChannelMessage::Binary(bytes) = message else {
                    return Err(format!("{name}: not binary"));
                };
                let mut stamp = [0u8; 8];
                stamp.copy_from_slice(&bytes[8..16]);
                let sent_ms = u64::from_be_bytes(stamp);
                let arrived_ms = (*at - call.start).as_millis() as u64;
                if arrived_ms > sent_ms + LIFETIME_MS + MAX_ONE_WAY_MS {
                    return Err(format!(
                        "{name}: sent at {sent_ms} ms, arrived at {arrived_ms} ms, past its lifetime"
                    ));
                }
            }
        }
        if count == COUNT {
            return Err(format!("{name}: nothing was dropped at 20% loss"));
        }
        if ch == b_rx && !(COUNT / 2..COUNT * 95 / 100).contains(&count) {
            return Err(format!("{name}: {count} of {COUNT} arrived; one try each at 20% loss should deliver about 80%"));
        }
    }
    let reliable: Vec<&DataChannelMessage> = sent.iter().collect();
    if messages(&call.b_events, b_rel) != reliable {
        return Err("the reliable channel lost or reordered a message".into());
    }
    Ok(call.outcome((COUNT * 200) as u64))
}

fn large_messages(input: &ScenarioInput) -> Result<Outcome, String> {
    const SIZE: usize = 256 * 1024;
    let mut call = Call::new(input, 0.01, DataChannelConfig::default())?;
    let (a_ch, b_ch) = call.open(DataChannelInit::new("big"))?;
    let now = call.now();
    for i in 0..4 {
        call.a()
            .send(now, a_ch, payload(i, SIZE))
            .map_err(|e| e.to_string())?;
        call.b()
            .send(now, b_ch, payload(i + 4, SIZE))
            .map_err(|e| e.to_string())?;
    }
    call.run_until(Duration::from_secs(300), "all large messages", |a, b| {
        messages(a, a_ch).len() == 4 && messages(b, b_ch).len() == 4
    })?;
    for i in 0..4 {
        if messages(&call.b_events, b_ch)[i] != &payload(i, SIZE)
            || messages(&call.a_events, a_ch)[i] != &payload(i + 4, SIZE)
        {
            return Err(format!("message {i} corrupted or reordered"));
        }
    }
    Ok(call.outcome((8 * SIZE) as u64))
}

fn close_reopen(input: &ScenarioInput) -> Result<Outcome, String> {
    let mut call = Call::new(input, 0.05, DataChannelConfig::default())?;
    let (a1, b1) = call.open(DataChannelInit::new("first"))?;
    let stream = call
        .net
        .node(&call.a)
        .machine()
        .channels()
        .channel(a1)
        .and_then(|i| i.id);
    let now = call.now();
    call.a()
        .send(now, a1, payload(1, 100))
        .map_err(|e| e.to_string())?;
    call.a().close_channel(now, a1).map_err(|e| e.to_string())?;
    call.run_until(Duration::from_secs(60), "first channel closes", |a, b| {
        a.contains(&DataChannelEvent::Close(a1)) && b.contains(&DataChannelEvent::Close(b1))
    })?;
    if messages(&call.b_events, b1) != vec![&payload(1, 100)] {
        return Err("the message sent before close was lost".into());
    }
    let (a2, b2) = call.open(DataChannelInit::new("second"))?;
    let stream2 = call
        .net
        .node(&call.a)
        .machine()
        .channels()
        .channel(a2)
        .and_then(|i| i.id);
    if stream != stream2 {
        return Err(format!("stream id not reused: {stream:?} then {stream2:?}"));
    }
    let now = call.now();
    call.a()
        .send(now, a2, payload(2, 100))
        .map_err(|e| e.to_string())?;
    call.run_until(
        Duration::from_secs(60),
        "message on the reopened channel",
        |_, b| messages(b, b2).len() == 1,
    )?;
    Ok(call.outcome(200))
}
