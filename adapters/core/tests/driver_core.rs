//! The runtime-independent driver state without any runtime: bounds of the
//! drain, the outbox and the event queue, when a drain happens, the timer,
//! and how the outbox is sent through a scripted send call.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sansrtc_adapter_core::{
    DriverCore, SendOutcome, SocketTable, DRAIN_LIMIT, EVENT_LIMIT, OUTBOX_LIMIT,
};
use sansrtc_proto::{Machine, Output, Protocol, Receive, Transmit};

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn udp(source: SocketAddr, destination: SocketAddr, contents: &[u8]) -> Transmit {
    Transmit {
        protocol: Protocol::Udp,
        source,
        destination,
        contents: contents.to_vec(),
    }
}

/// Returns its queued outputs, then `Timeout(next)`; records its inputs.
#[derive(Default)]
struct Scripted {
    outputs: VecDeque<Output<Transmit, u32>>,
    next: Option<Instant>,
    polls: usize,
    received: Vec<(SocketAddr, SocketAddr, Vec<u8>)>,
    timeouts: Vec<Instant>,
    /// Never return a timeout: an endless stream of transmits.
    flood: Option<Transmit>,
}

impl Machine for Scripted {
    type Event = u32;
    fn handle_receive(&mut self, _now: Instant, d: Receive<'_>) {
        self.received
            .push((d.source, d.destination, d.contents.to_vec()));
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.timeouts.push(now);
    }
    fn poll_output(&mut self) -> Output<Transmit, u32> {
        self.polls += 1;
        if let Some(t) = &self.flood {
            return Output::Transmit(t.clone());
        }
        self.outputs
            .pop_front()
            .unwrap_or(Output::Timeout(self.next))
    }
}

#[test]
fn a_drain_that_never_ends_is_cut_off_and_the_outbox_stays_bounded() {
    let flood = udp(addr("127.0.0.1:1"), addr("127.0.0.1:2"), b"flood");
    let mut core = DriverCore::new(Scripted {
        flood: Some(flood),
        ..Scripted::default()
    });
    core.drain();
    let counters = core.counters();
    assert_eq!(core.machine().polls, DRAIN_LIMIT);
    assert_eq!(counters.runaway_drains, 1);
    assert_eq!(
        counters.transmits_dropped,
        (DRAIN_LIMIT - OUTBOX_LIMIT) as u64
    );
    assert_eq!(core.pending_transmits(), OUTBOX_LIMIT);
    assert_eq!(core.next_timeout(), None);
}

#[test]
fn past_the_event_limit_the_oldest_events_are_dropped() {
    let extra = 3u32;
    let total = EVENT_LIMIT as u32 + extra;
    let mut core = DriverCore::new(Scripted {
        outputs: (0..total).map(Output::Event).collect(),
        ..Scripted::default()
    });
    core.drain();
    assert_eq!(core.counters().events_dropped, u64::from(extra));
    assert_eq!(core.counters().runaway_drains, 0);
    let mut taken = Vec::new();
    while let Some(event) = core.take_event() {
        taken.push(event);
    }
    assert_eq!(taken, (extra..total).collect::<Vec<_>>());
    assert!(!core.has_events());
}

#[test]
fn the_machine_is_drained_once_at_the_start_and_then_only_after_an_input() {
    let mut core = DriverCore::new(Scripted::default());
    core.drain();
    assert_eq!(core.machine().polls, 1);
    core.drain();
    assert_eq!(core.machine().polls, 1, "no input, no drain");

    let result = core.command(|m| {
        m.outputs.push_back(Output::Event(7));
        "done"
    });
    assert_eq!(result, "done");
    assert!(!core.has_events(), "outputs wait for the drain");
    core.drain();
    assert_eq!(core.machine().polls, 3);
    assert_eq!(core.take_event(), Some(7));

    core.receive(
        Instant::now(),
        Receive {
            protocol: Protocol::Udp,
            source: addr("[::1]:9"),
            destination: addr("[::1]:8"),
            contents: b"in",
        },
    );
    core.receive_failed();
    core.drain();
    assert_eq!(core.machine().polls, 4);
    assert_eq!(
        core.machine().received,
        vec![(addr("[::1]:9"), addr("[::1]:8"), b"in".to_vec())]
    );
    assert_eq!(core.counters().received, 1);
    assert_eq!(core.counters().receive_errors, 1);
}

#[test]
fn the_timeout_becomes_the_deadline_and_firing_it_disarms_and_counts() {
    let start = Instant::now();
    let at = start + Duration::from_millis(5);
    let mut core = DriverCore::new(Scripted {
        next: Some(at),
        ..Scripted::default()
    });
    core.drain();
    assert_eq!(core.next_timeout(), Some(at));
    core.command(|m| m.next = None);
    core.timeout(at);
    assert_eq!(core.next_timeout(), None, "disarmed before the drain");
    assert_eq!(core.machine().timeouts, vec![at]);
    assert_eq!(core.counters().timeouts, 1);
    core.drain();
    assert_eq!(core.next_timeout(), None);
}

#[test]
fn the_outbox_is_sent_in_order_through_the_socket_that_serves_each_source() {
    let local = addr("127.0.0.1:5000");
    let v6 = addr("[::1]:5000");
    let peer = addr("127.0.0.1:6000");
    let mut tcp = udp(local, peer, b"tcp");
    tcp.protocol = Protocol::Tcp;
    let mut tls = udp(local, peer, b"tls");
    tls.protocol = Protocol::Tls;
    let script = [
        udp(local, peer, b"1"),
        tcp,
        udp(addr("127.0.0.1:5001"), peer, b"unknown port"),
        udp(v6, addr("[::1]:6000"), b"2"),
        tls,
        udp(local, peer, b"refused"),
        udp(local, peer, b"3"),
    ];
    let mut core = DriverCore::new(Scripted {
        outputs: script.into_iter().map(Output::Transmit).collect(),
        ..Scripted::default()
    });
    core.drain();
    assert_eq!(core.pending_transmits(), 7);

    let mut sockets = SocketTable::new();
    sockets.push(addr("0.0.0.0:5000"), "v4 wildcard");
    sockets.push(v6, "v6");

    // The socket is full at once: nothing leaves, nothing is lost.
    let mut calls = 0;
    core.send_outbox(&sockets, |_, _| {
        calls += 1;
        SendOutcome::WouldBlock
    });
    assert_eq!((calls, core.pending_transmits()), (1, 7));

    // Interrupted once, then the same transmit again; "refused" fails.
    let mut wire = Vec::new();
    let mut interrupted = false;
    core.send_outbox(&sockets, |socket, t| {
        if !interrupted {
            interrupted = true;
            return SendOutcome::Interrupted;
        }
        wire.push((*socket, t.contents.clone()));
        if t.contents == b"refused" {
            SendOutcome::Failed
        } else {
            SendOutcome::Sent
        }
    });
    let sent: Vec<(&str, &[u8])> = wire.iter().map(|(s, c)| (*s, c.as_slice())).collect();
    assert_eq!(
        sent,
        vec![
            ("v4 wildcard", &b"1"[..]),
            ("v6", &b"2"[..]),
            ("v4 wildcard", &b"refused"[..]),
            ("v4 wildcard", &b"3"[..]),
        ]
    );
    let counters = core.counters();
    assert_eq!(core.pending_transmits(), 0);
    assert_eq!(counters.sent, 3);
    assert_eq!(counters.send_errors, 1);
    assert_eq!(counters.unsupported_protocol, 0);
    assert_eq!(counters.unknown_source, 1);
    // TCP and TLS went to two streams (same addresses, two protocols),
    // waiting for the runtime to connect them.
    let mut opened = Vec::new();
    core.start_streams(Instant::now(), |_, key| {
        opened.push((key.protocol, key.local, key.remote));
        Ok(())
    });
    assert_eq!(
        opened,
        vec![(Protocol::Tcp, local, peer), (Protocol::Tls, local, peer)]
    );
    assert_eq!(core.counters().streams_opened, 2);
}
