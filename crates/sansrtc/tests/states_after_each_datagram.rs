//! The states a peer connection aggregates (`iceConnectionState`,
//! `iceGatheringState`, `connectionState`) are current after every
//! datagram, including those it handles without a full drain (data that
//! raised no transport event, the common case of a connected peer's DTLS
//! and SCTP traffic). Checked over a whole call, by both receive calls:
//! after each datagram is delivered and its peer drained, a
//! `handle_timeout` at the same instant (no timer due, so a full drain
//! and nothing else) must find no state left to change.

mod common;

use std::collections::VecDeque;
use std::time::Duration;

use common::{net, Pair, ADDR_A};
use sansrtc::*;

/// A state change event (the ones a skipped drain would hold back).
fn is_state_change(e: &PeerEvent) -> bool {
    matches!(
        e,
        PeerEvent::IceConnectionStateChange(_)
            | PeerEvent::IceGatheringStateChange(_)
            | PeerEvent::ConnectionStateChange(_)
    )
}

/// What the check saw over a run.
#[derive(Default)]
struct Checked {
    /// Datagrams delivered, then checked with a forced drain.
    checked: usize,
    /// State changes the forced drains found: must stay empty.
    late: Vec<PeerEvent>,
}

/// One round: drains both peers, then delivers each datagram (and what
/// its delivery makes the receiver send, at once) and checks the
/// receiver after each; when nothing moved, time goes to the next
/// timeout. Returns false once nothing is left to do.
fn round(p: &mut Pair, seen: &mut Checked) -> bool {
    let mut wire = Vec::new();
    let next_a = net::drain(&mut p.a, &mut p.events_a, &mut wire);
    let next_b = net::drain(&mut p.b, &mut p.events_b, &mut wire);
    if wire.is_empty() {
        let Some(at) = [next_a, next_b].into_iter().flatten().min() else {
            return false;
        };
        p.now = p.now.max(at);
        p.a.handle_timeout(p.now);
        p.b.handle_timeout(p.now);
        return true;
    }
    let mut work = VecDeque::from(wire);
    while let Some(t) = work.pop_front() {
        let (pc, events) = if t.destination == ADDR_A.parse().unwrap() {
            (&mut p.a, &mut p.events_a)
        } else {
            (&mut p.b, &mut p.events_b)
        };
        if p.owned {
            pc.handle_receive_owned(p.now, t.clone().into_received());
        } else {
            pc.handle_receive(p.now, t.as_received());
        }
        let mut out = Vec::new();
        let next = net::drain(pc, events, &mut out);
        // With no timer due now, a full drain must have nothing new to say.
        if next.map_or(true, |at| at > p.now) {
            let before = events.len();
            pc.handle_timeout(p.now);
            net::drain(pc, events, &mut out);
            let late = events[before..].iter().filter(|e| is_state_change(e));
            seen.late.extend(late.cloned());
            seen.checked += 1;
        }
        p.carried.push(t);
        work.extend(out);
    }
    true
}

/// Runs `d` of simulated time through [`round`].
fn run(p: &mut Pair, d: Duration, seen: &mut Checked) {
    let end = p.now + d;
    let mut rounds = 0;
    while p.now < end && rounds < 100_000 && round(p, seen) {
        rounds += 1;
    }
}

fn whole_call(owned: bool) -> (Checked, Pair) {
    let mut seen = Checked::default();
    let mut p = Pair::new();
    p.owned = owned;
    let now = p.now;
    let chat =
        p.a.create_data_channel(now, DataChannelInit::new("chat"))
            .unwrap();
    p.negotiate();
    run(&mut p, Duration::from_secs(5), &mut seen);
    assert_eq!(p.a.connection_state(), PeerConnectionState::Connected);
    assert_eq!(p.b.connection_state(), PeerConnectionState::Connected);
    assert!(Pair::opened(&p.events_a).contains(&chat));
    // Data both ways, large enough to fragment.
    for i in 0..20u8 {
        let now = p.now;
        p.a.send(now, chat, DataChannelMessage::Binary(vec![i; 5000].into()))
            .unwrap();
        run(&mut p, Duration::from_millis(50), &mut seen);
    }
    let now = p.now;
    p.a.close(now);
    run(&mut p, Duration::from_secs(40), &mut seen);
    (seen, p)
}

#[test]
fn states_are_current_after_every_datagram() {
    for owned in [false, true] {
        let (seen, p) = whole_call(owned);
        assert!(
            seen.late.is_empty(),
            "owned {owned}: state changes held back until the next drain: {:?}",
            seen.late
        );
        // The check ran on the call's datagrams, and the call did what it
        // should: the messages arrived and b saw a's close.
        assert!(
            seen.checked > 100,
            "owned {owned}: {} checked",
            seen.checked
        );
        assert_eq!(Pair::messages(&p.events_b).len(), 20, "owned {owned}");
        assert!(
            p.events_b
                .iter()
                .any(|e| matches!(e, PeerEvent::DataChannel(DataChannelEvent::Close(_)))),
            "owned {owned}: b did not see the close"
        );
    }
}
