//! A connected peer connection flooded below SCTP: STUN from strangers and
//! with a forged integrity from the peer's own address, DTLS garbage and
//! replays of the peer's records, SRTP and SRTCP forgeries. The heap stays
//! under the per-connection cap of docs/sansrtc.md ("Bounded under
//! attack"), every flood is dropped at the layer it targets, and the data
//! channel keeps carrying messages both ways.

mod common;
#[path = "support/counting_alloc.rs"]
mod counting_alloc;

use std::net::SocketAddr;
use std::time::Duration;

use common::{Pair, ADDR_A, ADDR_B};
use sansrtc::*;

/// What hostile input may add to a connected connection's heap (see
/// docs/sansrtc.md, "Bounded under attack").
const HOSTILE_GROWTH_CAP: usize = 4 * 1024 * 1024;

const ROUNDS: usize = 30;

/// A small deterministic generator for the flood's bytes.
struct Bytes(u64);

impl Bytes {
    fn next(&mut self) -> u8 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u8
    }

    fn fill(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next()).collect()
    }
}

/// A STUN Binding request with USERNAME `username` and a MESSAGE-INTEGRITY
/// that cannot verify (RFC 8489 §14.5): random bytes.
fn forged_binding_request(g: &mut Bytes, username: &str) -> Vec<u8> {
    let mut attrs = Vec::new();
    let name = username.as_bytes();
    attrs.extend_from_slice(&0x0006u16.to_be_bytes());
    attrs.extend_from_slice(&(name.len() as u16).to_be_bytes());
    attrs.extend_from_slice(name);
    attrs.resize(attrs.len().next_multiple_of(4), 0);
    // PRIORITY, ICE-CONTROLLING with a random tie-breaker.
    attrs.extend_from_slice(&[0x00, 0x24, 0x00, 0x04]);
    attrs.extend(g.fill(4));
    attrs.extend_from_slice(&[0x80, 0x2a, 0x00, 0x08]);
    attrs.extend(g.fill(8));
    attrs.extend_from_slice(&[0x00, 0x08, 0x00, 0x14]);
    attrs.extend(g.fill(20));
    let mut m = vec![0x00, 0x01];
    m.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
    m.extend_from_slice(&0x2112_a442u32.to_be_bytes());
    m.extend(g.fill(12));
    m.extend(attrs);
    m
}

fn ufrag(sdp: &str) -> String {
    sdp.lines()
        .find_map(|l| l.strip_prefix("a=ice-ufrag:"))
        .expect("ufrag")
        .trim()
        .to_string()
}

fn deliver_to_a(p: &mut Pair, source: SocketAddr, contents: &[u8]) {
    let now = p.now;
    p.a.handle_receive(
        now,
        Receive {
            protocol: Protocol::Udp,
            source,
            destination: ADDR_A.parse().unwrap(),
            contents,
        },
    );
}

/// One message each way on the channel; both must arrive.
fn exchange(p: &mut Pair, chat: ChannelId, theirs: ChannelId, round: usize) {
    let now = p.now;
    let to_b = format!("a{round}");
    let to_a = format!("b{round}");
    p.a.send(now, chat, DataChannelMessage::Text(to_b.clone()))
        .unwrap();
    p.b.send(now, theirs, DataChannelMessage::Text(to_a.clone()))
        .unwrap();
    let text = |events: &[PeerEvent], want: &str| {
        Pair::messages(events)
            .iter()
            .any(|(_, m)| *m == DataChannelMessage::Text(want.to_string()))
    };
    assert!(
        p.run_until(Duration::from_secs(10), |p| text(&p.events_b, &to_b)
            && text(&p.events_a, &to_a)),
        "round {round}: the channel stopped carrying messages"
    );
}

#[test]
fn floods_below_sctp_stay_bounded_and_data_flows() {
    let (mut p, chat) = Pair::connected("chat");
    // b's side of the channel.
    assert!(
        p.run_until(Duration::from_secs(5), |p| p.events_b.iter().any(
            |e| matches!(e, PeerEvent::DataChannel(DataChannelEvent::DataChannel(_)))
        ))
    );
    let theirs = p
        .events_b
        .iter()
        .find_map(|e| match e {
            PeerEvent::DataChannel(DataChannelEvent::DataChannel(c)) => Some(*c),
            _ => None,
        })
        .unwrap();
    let b_addr: SocketAddr = ADDR_B.parse().unwrap();
    // b's DTLS records so far (its handshake flights and application
    // data), to replay.
    let replays: Vec<Vec<u8>> = p
        .carried
        .iter()
        .filter(|t| t.source == b_addr && (20..=63).contains(&t.contents[0]))
        .map(|t| t.contents.to_vec())
        .collect();
    assert!(
        replays.len() >= 3,
        "{} DTLS datagrams from b",
        replays.len()
    );
    let a_ufrag = ufrag(&p.a.local_description().unwrap().sdp);
    let b_ufrag = ufrag(&p.b.local_description().unwrap().sdp);
    exchange(&mut p, chat, theirs, 0);
    p.carried.clear();
    p.events_a.clear();
    p.events_b.clear();

    let before_ice = p.a.ice_stats();
    let before = p.a.transport_stats();
    let baseline = counting_alloc::live();
    // The peak so far includes the handshake; it is compared as a whole.
    let peak_before = counting_alloc::peak();
    let mut g = Bytes(7);
    for round in 1..=ROUNDS {
        for i in 0..300u16 {
            // Strangers: each from its own address and port.
            let stranger: SocketAddr =
                format!("127.0.{}.{}:{}", round % 250, i % 250 + 1, 10_000 + i)
                    .parse()
                    .unwrap();
            let req = forged_binding_request(&mut g, &format!("{a_ufrag}:stranger{i}"));
            deliver_to_a(&mut p, stranger, &req);
        }
        for _ in 0..100 {
            // The peer's address and the right username, forged integrity.
            let req = forged_binding_request(&mut g, &format!("{a_ufrag}:{b_ufrag}"));
            deliver_to_a(&mut p, b_addr, &req);
        }
        for _ in 0..200 {
            // DTLS garbage: a record header of every content type, any
            // epoch and sequence number, random body.
            let mut d = vec![20 + g.next() % 4, 0xfe, 0xfd];
            d.extend(g.fill(10));
            let len = usize::from(g.next()) * 4;
            d[11] = (len >> 8) as u8;
            d[12] = len as u8;
            d.extend(g.fill(len));
            deliver_to_a(&mut p, b_addr, &d);
        }
        for d in &replays {
            deliver_to_a(&mut p, b_addr, d);
        }
        for i in 0..200 {
            // SRTP and SRTCP forgeries (no media is negotiated; none may
            // be kept).
            let mut d = vec![0x80, if i % 2 == 0 { 0x60 } else { 200 }];
            let len = 10 + usize::from(g.next()) * 4;
            d.extend(g.fill(len));
            deliver_to_a(&mut p, b_addr, &d);
        }
        exchange(&mut p, chat, theirs, round);
        // The harness keeps what it carries; the connections must not.
        p.carried.clear();
        p.events_a.clear();
        p.events_b.clear();
        assert_eq!(p.a.connection_state(), PeerConnectionState::Connected);
    }
    let grown = counting_alloc::live().saturating_sub(baseline);
    let peak = counting_alloc::peak().saturating_sub(peak_before.max(baseline));
    eprintln!("heap after the flood: +{grown} B live, +{peak} B at the peak");
    assert!(grown <= HOSTILE_GROWTH_CAP, "live heap grew by {grown} B");
    assert!(peak <= HOSTILE_GROWTH_CAP, "peak heap grew by {peak} B");

    // Each flood was dropped where it was aimed.
    let ice = p.a.ice_stats();
    let stats = p.a.transport_stats();
    let dtls = p.a.dtls_stats().unwrap();
    eprintln!("ice {ice:?}\ntransport {stats:?}\ndtls {dtls:?}");
    let rounds = ROUNDS as u64;
    assert!(
        ice.unauthenticated_dropped - before_ice.unauthenticated_dropped >= 400 * rounds,
        "{ice:?}"
    );
    let dtls_dropped = dtls.malformed_datagrams
        + dtls.replayed_records
        + dtls.bad_record_mac
        + dtls.wrong_epoch_records;
    assert!(dtls_dropped >= 200 * rounds, "{dtls:?}");
    assert!(
        dtls.replayed_records >= rounds,
        "replays were not refused: {dtls:?}"
    );
    // Forged SRTP fails authentication (DTLS is up, so keys exist).
    assert!(
        stats.srtp_rejected - before.srtp_rejected >= 200 * rounds,
        "{stats:?}"
    );
}
