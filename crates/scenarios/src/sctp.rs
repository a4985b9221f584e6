//! SCTP scenarios: two of our associations (no DTLS yet) on two hosts of
//! the simulated network, through lossy, reordering, duplicating links of
//! several round-trip times, and the Reno-bound throughput target of the
//! `sansrtc-sctp` issue.
//!
//! Every message carries its index, its stream and its send time, and a
//! body derived from the index, so that a receiver checks it is intact,
//! delivered once, in order where ordered, and (for lifetime-limited
//! streams) not delivered after its lifetime ran out.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use sansrtc_netsim::{FixedPeerNode, LinkConfig, Loss, Network, NodeId};
use sansrtc_sctp::{Association, Message, Reliability, SctpConfig, SctpEvent, SendOptions};

use crate::setup::{fixed_peer_pair, network};
use crate::{Outcome, Scenario, ScenarioInput};

/// The SCTP scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "sctp/loss-0pct",
            description: "ordered, unordered and reverse streams at once over a clean 20 ms RTT link: exactly once, intact, in order",
            default_seeds: 5,
            cases: 1,
            run: |input| mixed(input, 0.0),
        },
        Scenario {
            name: "sctp/loss-5pct",
            description: "the same at 5% loss with reordering and duplication",
            default_seeds: 10,
            cases: 1,
            run: |input| mixed(input, 0.05),
        },
        Scenario {
            name: "sctp/loss-20pct",
            description: "the same at 20% loss with reordering and duplication",
            default_seeds: 10,
            cases: 1,
            run: |input| mixed(input, 0.20),
        },
        Scenario {
            name: "sctp/rtt-1ms",
            description: "2 MB of 1200-byte messages at 1 ms RTT, 1% loss, 2% reordering, 1% duplication: exactly once, in order",
            default_seeds: 3,
            cases: 1,
            run: |input| bulk_rtt(input, Duration::from_millis(1)),
        },
        Scenario {
            name: "sctp/rtt-50ms",
            description: "2 MB of 1200-byte messages at 50 ms RTT, 1% loss, 2% reordering, 1% duplication: exactly once, in order",
            default_seeds: 3,
            cases: 1,
            run: |input| bulk_rtt(input, Duration::from_millis(50)),
        },
        Scenario {
            name: "sctp/rtt-150ms",
            description: "2 MB of 1200-byte messages at 150 ms RTT, 1% loss, 2% reordering, 1% duplication: exactly once, in order",
            default_seeds: 3,
            cases: 1,
            run: |input| bulk_rtt(input, Duration::from_millis(150)),
        },
        Scenario {
            name: "sctp/partial-reliability",
            description: "maxRetransmits 0 and 2 and a 100 ms lifetime at 20% loss drop as configured, never corrupt; a reliable stream beside them loses nothing",
            default_seeds: 10,
            cases: 1,
            run: partial_reliability,
        },
        Scenario {
            name: "sctp/stream-reset",
            description: "a stream reset mid-transfer at 5% loss: everything sent before arrives, the stream restarts at SSN 0, other streams carry on",
            default_seeds: 10,
            cases: 1,
            run: stream_reset,
        },
        Scenario {
            name: "sctp/reno-bound",
            description: "bulk transfer at 150 ms RTT and 1% random loss: goodput at least half the Mathis Reno bound MSS/RTT*1.22/sqrt(p)",
            default_seeds: 5,
            cases: 1,
            run: reno_bound,
        },
    ]
}

type Endpoint = FixedPeerNode<Association, SctpEvent>;

/// What one end received and saw.
#[derive(Default)]
struct Received {
    /// Messages with the simulated instant they were read.
    messages: Vec<(Message, Duration)>,
    events: Vec<SctpEvent>,
}

/// Two associations on two hosts, with the run's clock and network.
struct Pair {
    net: Network,
    start: Instant,
    a: NodeId<Endpoint>,
    b: NodeId<Endpoint>,
    a_got: Received,
    b_got: Received,
}

/// How each host's access link behaves. A datagram crosses two of them
/// (sender's up, receiver's down), so the round trip crosses four.
#[derive(Debug, Clone, Copy)]
struct Path {
    rtt: Duration,
    /// End-to-end loss per direction.
    loss: f64,
    /// Reordering and duplication (and jitter) on top of the loss.
    disorder: bool,
    /// Whether jitter may reorder packets too (as netem's does), or only
    /// the explicit reordering does.
    jitter_reorders: bool,
}

impl Path {
    fn link(self) -> LinkConfig {
        let per_link = 1.0 - (1.0 - self.loss).sqrt();
        let delay = self.rtt / 4;
        LinkConfig {
            delay,
            jitter: if self.disorder {
                (delay / 4).max(Duration::from_micros(100))
            } else {
                Duration::ZERO
            },
            loss: if self.loss > 0.0 {
                Loss::Independent(per_link)
            } else {
                Loss::None
            },
            jitter_keeps_order: !self.jitter_reorders,
            reorder: if self.disorder { 0.02 } else { 0.0 },
            reorder_delay: (delay / 2).max(Duration::from_millis(1)),
            duplicate: if self.disorder { 0.01 } else { 0.0 },
            ..LinkConfig::default()
        }
    }
}

impl Pair {
    /// Two associations that both send INIT at once, as WebRTC ends do.
    fn new(input: &ScenarioInput, path: Path, config: SctpConfig) -> Result<Pair, String> {
        let (mut net, start) = network(input);
        if !input.capture {
            net.set_trace_limit(0);
        }
        net.set_event_limit(u64::MAX);
        let mut rng = net.rng_for(1);
        let mut a = Association::new(config.clone(), &mut rng, start);
        let mut b = Association::new(config, &mut rng, start);
        a.connect(start).map_err(|e| e.to_string())?;
        b.connect(start).map_err(|e| e.to_string())?;
        let (a, b) = fixed_peer_pair(
            &mut net,
            (a, b),
            &path.link(),
            |m: &mut Association, now, bytes| m.handle_receive(now, bytes),
            |m: &mut Association, now| m.handle_timeout(now),
            |m: &mut Association| m.poll_output(),
        )?;
        let mut pair = Pair {
            net,
            start,
            a,
            b,
            a_got: Received::default(),
            b_got: Received::default(),
        };
        pair.run_until(Duration::from_secs(60), "both ends established", |p| {
            p.net.node(&p.a).machine().is_established()
                && p.net.node(&p.b).machine().is_established()
        })?;
        Ok(pair)
    }

    fn a(&mut self) -> &mut Association {
        self.net.node_mut(&self.a).machine_mut()
    }

    fn b(&mut self) -> &mut Association {
        self.net.node_mut(&self.b).machine_mut()
    }

    fn now(&self) -> Instant {
        self.net.now()
    }

    fn elapsed(&self) -> Duration {
        self.now() - self.start
    }

    /// Takes events and reads every whole message on both ends (reading
    /// opens the receive window: the application reads as fast as it can).
    fn collect(&mut self) {
        let at = self.elapsed();
        for (id, got) in [(self.a, &mut self.a_got), (self.b, &mut self.b_got)] {
            let events = self.net.take_events(&id);
            if events.is_empty() {
                continue;
            }
            let readable = events.contains(&SctpEvent::Readable);
            got.events.extend(events);
            if readable {
                let m = self.net.node_mut(&id).machine_mut();
                while let Some(msg) = m.read() {
                    got.messages.push((msg, at));
                }
            }
        }
    }

    /// Runs until `done` holds or `limit` of simulated time passes.
    fn run_until(
        &mut self,
        limit: Duration,
        what: &str,
        mut done: impl FnMut(&Pair) -> bool,
    ) -> Result<(), String> {
        let deadline = self.now() + limit;
        loop {
            self.collect();
            if done(self) {
                return Ok(());
            }
            if self.now() >= deadline || !self.net.step() {
                return Err(format!("{what}: not reached after {:?}", self.elapsed()));
            }
        }
    }

    /// Runs `for_how_long` of simulated time, calling `each` after every
    /// step (to keep queues full, for instance).
    fn run_for(&mut self, for_how_long: Duration, mut each: impl FnMut(&mut Pair)) {
        let deadline = self.now() + for_how_long;
        loop {
            self.collect();
            each(self);
            if self.now() >= deadline || !self.net.step() {
                return;
            }
        }
    }

    fn outcome(&self, bytes: u64) -> Outcome {
        let time_to_goal = self.elapsed();
        let secs = time_to_goal.as_secs_f64();
        Outcome {
            time_to_goal,
            throughput_bytes_per_sec: (bytes > 0 && secs > 0.0).then(|| bytes as f64 / secs),
            pcap: self.net.pcap().map(<[u8]>::to_vec),
        }
    }
}

/// Header of every test message: index, stream, send time in ms.
const HEADER: usize = 16;

/// Message `i` of stream `stream`, `size` bytes (at least the header),
/// stamped with its send time.
fn message(stream: u16, i: u32, size: usize, sent: Duration) -> Vec<u8> {
    let size = size.max(HEADER);
    let mut v = Vec::with_capacity(size);
    v.extend_from_slice(&i.to_be_bytes());
    v.extend_from_slice(&u32::from(stream).to_be_bytes());
    v.extend_from_slice(&(sent.as_millis() as u64).to_be_bytes());
    let mut x = i.wrapping_mul(2_654_435_761) ^ u32::from(stream) ^ 0x9e37_79b9;
    while v.len() < size {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v.push(x as u8);
    }
    v
}

/// What a received message says about itself, once checked intact:
/// `(index, sent)`.
fn check_message(m: &Message, size_of: impl Fn(u32) -> usize) -> Result<(u32, Duration), String> {
    let field = |r: std::ops::Range<usize>| m.data.get(r).ok_or("message shorter than its header");
    let i = u32::from_be_bytes(field(0..4)?.try_into().map_err(|_| "header")?);
    let stream = u32::from_be_bytes(field(4..8)?.try_into().map_err(|_| "header")?);
    let sent_ms = u64::from_be_bytes(field(8..16)?.try_into().map_err(|_| "header")?);
    let sent = Duration::from_millis(sent_ms);
    if stream != u32::from(m.stream_id) {
        return Err(format!(
            "message {i} of stream {stream} arrived on stream {}",
            m.stream_id
        ));
    }
    if m.data != message(m.stream_id, i, size_of(i), sent) {
        return Err(format!("message {i} on stream {} corrupted", m.stream_id));
    }
    Ok((i, sent))
}

/// Checks the messages of `stream` in `got`: each intact, none twice,
/// in index order if `ordered`. Returns the indices in arrival order.
fn check_stream(
    got: &Received,
    stream: u16,
    ordered: bool,
    size_of: impl Fn(u32) -> usize,
) -> Result<Vec<u32>, String> {
    let mut seen = BTreeSet::new();
    let mut order = Vec::new();
    for (m, _) in got.messages.iter().filter(|(m, _)| m.stream_id == stream) {
        let (i, _) = check_message(m, &size_of)?;
        if !seen.insert(i) {
            return Err(format!("message {i} on stream {stream} delivered twice"));
        }
        if ordered && order.last().is_some_and(|&last| last > i) {
            return Err(format!("stream {stream}: message {i} after a later one"));
        }
        if ordered == m.unordered {
            return Err(format!("stream {stream}: message {i} with the wrong U bit"));
        }
        order.push(i);
    }
    Ok(order)
}

/// Checks that `stream` delivered exactly `0..count` (in order if ordered).
fn check_complete(
    got: &Received,
    stream: u16,
    ordered: bool,
    count: u32,
    size_of: impl Fn(u32) -> usize,
) -> Result<(), String> {
    let mut order = check_stream(got, stream, ordered, size_of)?;
    if order.len() != count as usize {
        return Err(format!(
            "stream {stream}: {} of {count} messages",
            order.len()
        ));
    }
    order.sort_unstable();
    if order.iter().copied().ne(0..count) {
        return Err(format!("stream {stream}: wrong set of messages"));
    }
    Ok(())
}

fn count_on(got: &Received, stream: u16) -> usize {
    got.messages
        .iter()
        .filter(|(m, _)| m.stream_id == stream)
        .count()
}

/// Sizes from tiny to several fragments (up to 5000 bytes = 5 chunks).
fn mixed_size(i: u32) -> usize {
    [16, 200, 1144, 1145, 3000, 5000, 700][i as usize % 7]
}

/// Sends messages `next..count` on `stream` from `a` (or `b`) while the
/// send buffer takes them.
fn feed(
    p: &mut Pair,
    from_a: bool,
    stream: u16,
    next: &mut u32,
    count: u32,
    size_of: impl Fn(u32) -> usize,
    options: SendOptions,
) {
    let (now, sent) = (p.now(), p.elapsed());
    let assoc = if from_a { p.a() } else { p.b() };
    while *next < count {
        let m = message(stream, *next, size_of(*next), sent);
        if assoc.send(now, stream, 51, m, options).is_err() {
            return;
        }
        *next += 1;
    }
}

fn mixed(input: &ScenarioInput, loss: f64) -> Result<Outcome, String> {
    const ORDERED: u32 = 300;
    const UNORDERED: u32 = 150;
    const REVERSE: u32 = 150;
    let path = Path {
        rtt: Duration::from_millis(20),
        loss,
        disorder: loss > 0.0,
        jitter_reorders: true,
    };
    let mut p = Pair::new(input, path, SctpConfig::default())?;
    let unordered = SendOptions {
        unordered: true,
        ..SendOptions::default()
    };
    let (mut o, mut u, mut r) = (0, 0, 0);
    feed(
        &mut p,
        true,
        1,
        &mut o,
        ORDERED,
        mixed_size,
        SendOptions::default(),
    );
    feed(&mut p, true, 2, &mut u, UNORDERED, mixed_size, unordered);
    feed(
        &mut p,
        false,
        3,
        &mut r,
        REVERSE,
        mixed_size,
        SendOptions::default(),
    );
    if (o, u, r) != (ORDERED, UNORDERED, REVERSE) {
        return Err("the send buffer refused messages".into());
    }
    p.run_until(Duration::from_secs(300), "every message arrives", |p| {
        count_on(&p.b_got, 1) >= ORDERED as usize
            && count_on(&p.b_got, 2) >= UNORDERED as usize
            && count_on(&p.a_got, 3) >= REVERSE as usize
    })?;
    // Let late duplicates and retransmissions arrive: nothing more may be
    // delivered.
    p.run_for(Duration::from_secs(2), |_| {});
    check_complete(&p.b_got, 1, true, ORDERED, mixed_size)?;
    check_complete(&p.b_got, 2, false, UNORDERED, mixed_size)?;
    check_complete(&p.a_got, 3, true, REVERSE, mixed_size)?;
    let bytes: usize = p
        .b_got
        .messages
        .iter()
        .chain(&p.a_got.messages)
        .map(|(m, _)| m.data.len())
        .sum();
    Ok(p.outcome(bytes as u64))
}

fn bulk_rtt(input: &ScenarioInput, rtt: Duration) -> Result<Outcome, String> {
    const COUNT: u32 = 2_000_000 / 1200;
    let path = Path {
        rtt,
        loss: 0.01,
        disorder: true,
        jitter_reorders: false,
    };
    let mut p = Pair::new(input, path, SctpConfig::default())?;
    let size = |_| 1200;
    let mut next = 0;
    let begin = p.now();
    loop {
        feed(
            &mut p,
            true,
            1,
            &mut next,
            COUNT,
            size,
            SendOptions::default(),
        );
        p.collect();
        if count_on(&p.b_got, 1) >= COUNT as usize {
            break;
        }
        if p.now() - begin > Duration::from_secs(600) || !p.net.step() {
            return Err(format!(
                "the transfer did not complete: {} of {COUNT} after {:?}",
                count_on(&p.b_got, 1),
                p.now() - begin
            ));
        }
    }
    let took = p.now() - begin;
    p.run_for(Duration::from_secs(1), |_| {});
    check_complete(&p.b_got, 1, true, COUNT, size)?;
    let mut outcome = p.outcome(0);
    // Time to goal and goodput of the transfer itself (handshake and the
    // settling second left out).
    outcome.time_to_goal = took;
    outcome.throughput_bytes_per_sec = Some(f64::from(COUNT) * 1200.0 / took.as_secs_f64());
    Ok(outcome)
}

fn partial_reliability(input: &ScenarioInput) -> Result<Outcome, String> {
    const COUNT: u32 = 300;
    const LIFETIME: Duration = Duration::from_millis(100);
    let rtt = Duration::from_millis(40);
    let path = Path {
        rtt,
        loss: 0.20,
        disorder: true,
        jitter_reorders: false,
    };
    // Longest one-way trip: two links of rtt/4 with rtt/16 jitter, and a
    // reordered packet held rtt/8 more on each.
    let max_one_way = 2 * (rtt / 4 + rtt / 16 + rtt / 8);
    let mut p = Pair::new(input, path, SctpConfig::default())?;
    let size = |_| 300;
    let streams = [
        (
            1u16,
            SendOptions {
                unordered: true,
                reliability: Reliability::MaxRetransmits(0),
            },
        ),
        (
            2,
            SendOptions {
                unordered: false,
                reliability: Reliability::MaxRetransmits(2),
            },
        ),
        (
            3,
            SendOptions {
                unordered: true,
                reliability: Reliability::MaxLifetime(LIFETIME),
            },
        ),
        (4, SendOptions::default()),
    ];
    for i in 0..COUNT {
        let (now, at) = (p.now(), p.elapsed());
        for (stream, options) in streams {
            let m = message(stream, i, size(i), at);
            p.a()
                .send(now, stream, 51, m, options)
                .map_err(|e| e.to_string())?;
        }
        p.run_for(Duration::from_millis(10), |_| {});
    }
    p.run_until(
        Duration::from_secs(300),
        "the reliable stream completes",
        |p| count_on(&p.b_got, 4) >= COUNT as usize,
    )?;
    p.run_for(Duration::from_secs(5), |_| {});
    check_complete(&p.b_got, 4, true, COUNT, size)?;
    let mut delivered = Vec::new();
    for (stream, options) in streams.iter().take(3) {
        let got = check_stream(&p.b_got, *stream, !options.unordered, size)?;
        delivered.push(got.len());
    }
    // maxRetransmits=0: one transmission each, so about 80 % arrive (the
    // bundle with a lost chunk is lost whole); never all of them.
    let frac = |n: usize| n as f64 / f64::from(COUNT);
    if !(0.55..0.97).contains(&frac(delivered[0])) {
        return Err(format!(
            "maxRetransmits=0 delivered {} of {COUNT}: not what one try at 20% loss gives",
            delivered[0]
        ));
    }
    // maxRetransmits=2: three tries each; more than with one try.
    if delivered[1] <= delivered[0] {
        return Err(format!(
            "maxRetransmits=2 delivered {} of {COUNT}, no more than maxRetransmits=0 ({})",
            delivered[1], delivered[0]
        ));
    }
    // The lifetime stream: nothing delivered later than its lifetime plus
    // the longest one-way trip after it was sent.
    for (m, at) in p.b_got.messages.iter().filter(|(m, _)| m.stream_id == 3) {
        let (i, sent) = check_message(m, size)?;
        // `at` is when it was read (within a step of arriving), to the ms.
        if *at > sent + LIFETIME + max_one_way + Duration::from_millis(2) {
            return Err(format!(
                "lifetime stream: message {i} sent at {sent:?} read at {at:?}, past its {LIFETIME:?}"
            ));
        }
    }
    if delivered[2] == COUNT as usize {
        return Err("the lifetime stream lost nothing at 20% loss: nothing was tested".into());
    }
    Ok(p.outcome(0))
}

fn stream_reset(input: &ScenarioInput) -> Result<Outcome, String> {
    const BEFORE: u32 = 200;
    const AFTER: u32 = 100;
    const OTHER: u32 = 300;
    let path = Path {
        rtt: Duration::from_millis(40),
        loss: 0.05,
        disorder: true,
        jitter_reorders: false,
    };
    let mut p = Pair::new(input, path, SctpConfig::default())?;
    let size = |i: u32| 100 + (i as usize * 37) % 3000;
    let (mut n1, mut n2) = (0, 0);
    feed(
        &mut p,
        true,
        1,
        &mut n1,
        BEFORE,
        size,
        SendOptions::default(),
    );
    feed(
        &mut p,
        true,
        2,
        &mut n2,
        OTHER,
        size,
        SendOptions::default(),
    );
    // Mid-transfer: once part of stream 1 has arrived, reset it.
    p.run_until(Duration::from_secs(60), "part of stream 1 arrives", |p| {
        count_on(&p.b_got, 1) >= BEFORE as usize / 4
    })?;
    if count_on(&p.b_got, 1) >= BEFORE as usize {
        return Err("stream 1 completed before the reset: not mid-transfer".into());
    }
    let now = p.now();
    p.a().reset_streams(now, &[1]).map_err(|e| e.to_string())?;
    if p.a()
        .send(now, 1, 51, vec![0; 16], SendOptions::default())
        .is_ok()
    {
        return Err("a send on a resetting stream was accepted".into());
    }
    p.run_until(
        Duration::from_secs(120),
        "the reset completes on both ends",
        |p| {
            p.a_got.events.iter().any(
                |e| matches!(e, SctpEvent::OutgoingStreamsReset { streams } if streams == &[1]),
            ) && p.b_got.events.iter().any(
                |e| matches!(e, SctpEvent::IncomingStreamsReset { streams } if streams == &[1]),
            )
        },
    )?;
    // Everything sent before the reset arrived before the peer reset it.
    check_complete(&p.b_got, 1, true, BEFORE, size)?;
    // The stream restarts at SSN 0: new messages (indices BEFORE..) arrive
    // in order after the old ones.
    let mut n1 = BEFORE;
    feed(
        &mut p,
        true,
        1,
        &mut n1,
        BEFORE + AFTER,
        size,
        SendOptions::default(),
    );
    p.run_until(
        Duration::from_secs(120),
        "the reused stream and stream 2 complete",
        |p| {
            count_on(&p.b_got, 1) >= (BEFORE + AFTER) as usize
                && count_on(&p.b_got, 2) >= OTHER as usize
        },
    )?;
    p.run_for(Duration::from_secs(2), |_| {});
    check_complete(&p.b_got, 1, true, BEFORE + AFTER, size)?;
    check_complete(&p.b_got, 2, true, OTHER, size)?;
    Ok(p.outcome(0))
}

/// The Mathis et al. bound on Reno's throughput, bytes per second.
fn mathis_bound(mss: usize, rtt: Duration, loss: f64) -> f64 {
    mss as f64 / rtt.as_secs_f64() * 1.22 / loss.sqrt()
}

fn reno_bound(input: &ScenarioInput) -> Result<Outcome, String> {
    const MEASURE: Duration = Duration::from_secs(60);
    const SIZE: usize = 1144;
    let rtt = Duration::from_millis(150);
    let loss = 0.01;
    let path = Path {
        rtt,
        loss,
        disorder: false,
        jitter_reorders: false,
    };
    let config = SctpConfig::default();
    // The MSS: the DATA payload of a full packet (MTU - common header -
    // DATA chunk header), which is also the message size used.
    let mss = config.mtu - 12 - 16;
    if mss != SIZE {
        return Err(format!("MSS {mss} is not the message size {SIZE}"));
    }
    let mut p = Pair::new(input, path, config)?;
    let size = |_| SIZE;
    let mut next = 0;
    let keep_full = |p: &mut Pair, next: &mut u32| {
        // Keep ~1 MB queued: the sender is never application-limited.
        if p.a().total_buffered_amount() < 1 << 20 {
            feed(p, true, 1, next, u32::MAX, size, SendOptions::default());
        }
    };
    // Warm up out of slow start before measuring.
    p.run_for(Duration::from_secs(10), |p| keep_full(p, &mut next));
    let base = count_on(&p.b_got, 1);
    p.run_for(MEASURE, |p| keep_full(p, &mut next));
    let delivered = count_on(&p.b_got, 1) - base;
    check_stream(&p.b_got, 1, true, size)?;
    let goodput = (delivered * SIZE) as f64 / MEASURE.as_secs_f64();
    let bound = mathis_bound(mss, rtt, loss);
    if goodput < bound / 2.0 {
        return Err(format!(
            "goodput {:.0} B/s is {:.2} of the Reno bound {bound:.0} B/s (target 0.5)",
            goodput,
            goodput / bound
        ));
    }
    let mut outcome = p.outcome(0);
    outcome.throughput_bytes_per_sec = Some(goodput);
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mathis_bound_of_the_target_link() {
        // 1144 B / 0.15 s * 1.22 / 0.1 = 93 045 B/s.
        let b = mathis_bound(1144, Duration::from_millis(150), 0.01);
        assert!((b - 93_045.3).abs() < 1.0, "{b}");
    }

    #[test]
    fn a_corrupted_message_is_caught() {
        let mut m = Message {
            stream_id: 7,
            ppid: 51,
            unordered: false,
            data: message(7, 3, 500, Duration::from_millis(12)).into(),
        };
        assert_eq!(
            check_message(&m, |_| 500),
            Ok((3, Duration::from_millis(12)))
        );
        let mut corrupted = m.data.to_vec();
        corrupted[300] ^= 1;
        m.data = corrupted.into();
        assert!(check_message(&m, |_| 500).is_err());
        m.stream_id = 8;
        assert!(check_message(&m, |_| 500).is_err());
    }
}
