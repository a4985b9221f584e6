//! Datagrams handed to a peer connection before it is polled are
//! acknowledged by one SACK when it is polled (the transport holds the
//! SACK its pump would send alone after each datagram); polled after
//! every datagram, it acknowledges every second one at once, as RFC 9260
//! §6.2 asks. Either way every message is delivered and the sender,
//! given what was sent back, has nothing left to retransmit.

mod common;

use std::time::Duration;

use common::{net, Pair};
use sansrtc::*;

/// Messages a sends in one burst.
const MESSAGES: usize = 4;

/// What b did with a's burst.
struct Burst {
    /// Datagrams a's burst took.
    datagrams: usize,
    /// Datagrams b sent back.
    replies: usize,
    /// SCTP packets b sent for them.
    sctp_packets: u64,
    /// Messages b received.
    messages: usize,
}

/// A connected, settled pair; a sends a burst of messages, handed to b
/// all before b is polled (`batched`) or each followed by a drain of b;
/// b's replies go back to a, and the pair then runs for 10 s.
fn burst(batched: bool) -> (Pair, Burst) {
    let (mut p, channel) = Pair::connected("acks");
    p.run_for(Duration::from_secs(1));
    let now = p.now;
    let b_packets = p.b.sctp_stats().packets_sent;
    let b_messages = Pair::messages(&p.events_b).len();
    for i in 0..MESSAGES {
        let message = DataChannelMessage::Binary(vec![i as u8; 1000].into());
        p.a.send(now, channel, message).unwrap();
    }
    let mut wire = Vec::new();
    net::drain(&mut p.a, &mut p.events_a, &mut wire);
    let datagrams = wire.len();
    let mut replies = Vec::new();
    for t in &wire {
        p.b.handle_receive(now, t.as_received());
        if !batched {
            net::drain(&mut p.b, &mut p.events_b, &mut replies);
        }
    }
    net::drain(&mut p.b, &mut p.events_b, &mut replies);
    let result = Burst {
        datagrams,
        replies: replies.len(),
        sctp_packets: p.b.sctp_stats().packets_sent - b_packets,
        messages: Pair::messages(&p.events_b).len() - b_messages,
    };
    for t in &replies {
        p.a.handle_receive(now, t.as_received());
    }
    p.run_for(Duration::from_secs(10));
    (p, result)
}

/// Nothing a sent was retransmitted: every DATA chunk was acknowledged.
fn assert_all_acknowledged(p: &Pair) {
    let stats = p.a.sctp_stats();
    assert_eq!(stats.retransmitted_chunks, 0, "{stats:?}");
    assert_eq!(stats.retransmission_timeouts, 0, "{stats:?}");
}

#[test]
fn a_batch_of_datagrams_is_acknowledged_by_one_sack() {
    let (p, b) = burst(true);
    assert!(b.datagrams >= MESSAGES, "{} datagrams", b.datagrams);
    assert_eq!(b.messages, MESSAGES);
    assert_eq!(b.replies, 1, "one datagram back");
    assert_eq!(b.sctp_packets, 1, "one SCTP packet (the SACK) back");
    assert_all_acknowledged(&p);
}

#[test]
fn datagrams_polled_one_by_one_are_acknowledged_every_second_one() {
    let (p, b) = burst(false);
    assert!(b.datagrams >= MESSAGES, "{} datagrams", b.datagrams);
    assert_eq!(b.messages, MESSAGES);
    assert_eq!(b.replies, b.datagrams / 2);
    assert_eq!(b.sctp_packets, (b.datagrams / 2) as u64);
    assert_all_acknowledged(&p);
}
