//! A connected peer connection whose remote peer is hostile above DTLS:
//! it speaks SCTP by hand (tests/support/hostile_peer.rs) and sends
//! adversarially ordered fragments, TSNs outside the window, duplicates,
//! FORWARD-TSN for streams that were never negotiated, unknown chunk types,
//! INIT in the established state, packets with a wrong tag or checksum,
//! garbage, and storms of DCEP opens, bad DCEP and messages on streams
//! without a channel. The heap stays under the per-connection cap of
//! docs/sansrtc.md ("Bounded under attack") and the channels in both
//! directions keep carrying every message intact.

mod common;
#[path = "support/counting_alloc.rs"]
mod counting_alloc;
#[path = "support/hostile_peer.rs"]
mod hostile_peer;

use std::time::Duration;

use hostile_peer::{data_chunk, dcep_open, raw_chunk, Duel, PPID_DCEP, PPID_STRING};
use sansrtc::*;

/// What hostile input may add to a connected connection's heap (see
/// docs/sansrtc.md, "Bounded under attack").
const HOSTILE_GROWTH_CAP: usize = 4 * 1024 * 1024;

const ROUNDS: u16 = 20;

/// The stream the hostile peer's legitimate channel uses (it is the DTLS
/// client: even ids, RFC 8832 §6).
const LEGIT: u16 = 0;

fn incoming(events: &[PeerEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, PeerEvent::DataChannel(DataChannelEvent::DataChannel(_))))
        .count()
}

#[test]
fn sctp_and_dcep_abuse_stays_bounded_and_data_flows() {
    let (mut d, chat) = Duel::connected("chat");
    // Our channel "legit", opened by the hostile peer; and the
    // connection's "chat" acknowledged (DATA_CHANNEL_ACK).
    d.send_message(LEGIT, PPID_DCEP, &dcep_open(b"legit", b""));
    assert!(d.run_until(Duration::from_secs(5), |d| d
        .received
        .iter()
        .any(|(_, ppid, m)| *ppid == PPID_DCEP && m.first() == Some(&0x03))));
    let chat_stream = d
        .received
        .iter()
        .find(|(_, ppid, m)| *ppid == PPID_DCEP && m.first() == Some(&0x03))
        .unwrap()
        .0;
    d.send_message(chat_stream, PPID_DCEP, &[0x02]);
    assert!(
        d.run_until(Duration::from_secs(5), |d| incoming(&d.events) == 1
            && Pair_opened(&d.events, chat))
    );
    d.events.clear();
    d.received.clear();

    let baseline = counting_alloc::live();
    let peak_before = counting_alloc::peak();
    let mut storm_stream = 2u16;
    for round in 0..ROUNDS {
        // A 64-fragment message of the legitimate channel, END first and
        // the rest in reverse: delivered whole.
        let body: Vec<u8> = (0..64 * 16).map(|i| b'a' + (i % 26) as u8).collect();
        let ssn = d.take_ssn(LEGIT);
        let first = d.next_tsn;
        let fragments: Vec<Vec<u8>> = body
            .chunks(16)
            .enumerate()
            .map(|(i, part)| {
                let flags = match i {
                    0 => 0x02,
                    63 => 0x01,
                    _ => 0x00,
                };
                data_chunk(flags, first + i as u32, LEGIT, ssn, PPID_STRING, part)
            })
            .collect();
        d.next_tsn = first + 64;
        for f in fragments.iter().rev() {
            d.send_chunks(f);
        }
        // TSNs outside any window, duplicates of acknowledged ones.
        for k in 0..50u32 {
            let far = d.next_tsn.wrapping_add(10_000_000 + k * 7919);
            d.send_chunks(&data_chunk(0x03, far, LEGIT, 7, PPID_STRING, b"far"));
            d.send_chunks(&data_chunk(
                0x03,
                first + k % 64,
                LEGIT,
                ssn,
                PPID_STRING,
                b"dup",
            ));
        }
        // FORWARD-TSN that moves nothing but names streams and SSNs that
        // were never negotiated or used.
        let mut fwd = (d.next_tsn - 1).to_be_bytes().to_vec();
        for s in 0..200u16 {
            fwd.extend_from_slice(&(60_000 + s).to_be_bytes());
            fwd.extend_from_slice(&(65_000u16 - s).to_be_bytes());
        }
        d.send_chunks(&raw_chunk(192, 0, &fwd));
        // Unknown chunk types with every action bit pattern.
        for kind in [0x3f, 0x7f, 0xbf, 0xff] {
            d.send_chunks(&raw_chunk(kind, 0, &[0xab; 64]));
        }
        // INIT in the established state (answered statelessly).
        let mut init = 0x0bad_0000u32
            .wrapping_add(u32::from(round))
            .to_be_bytes()
            .to_vec();
        init.extend_from_slice(&(1u32 << 20).to_be_bytes());
        init.extend_from_slice(&[0x04, 0x00, 0x04, 0x00]);
        init.extend_from_slice(&7u32.to_be_bytes());
        d.send_chunks(&raw_chunk(1, 0, &init));
        // A wrong tag, a broken checksum, garbage in a DTLS record.
        d.send_tagged(0xdead_beef, &raw_chunk(6, 0, &[]));
        let mut bad = vec![0x13, 0x88, 0x13, 0x88];
        bad.extend_from_slice(&d.peer_tag.to_be_bytes());
        bad.extend_from_slice(&[1, 2, 3, 4]);
        bad.extend_from_slice(&data_chunk(0x03, d.next_tsn, LEGIT, 0, PPID_STRING, b"crc"));
        d.send_sctp_packet(&bad);
        d.send_sctp_packet(&[0xff; 300]);
        d.send_sctp_packet(&[]);
        // DCEP: opens on fresh streams, malformed DCEP, a second open on
        // a stream in use, and messages on streams with no channel.
        for _ in 0..20 {
            if storm_stream < 1022 {
                d.send_message(storm_stream, PPID_DCEP, &dcep_open(&[b'x'; 60_000], b"p"));
                storm_stream += 2;
            }
        }
        d.send_message(LEGIT, PPID_DCEP, &dcep_open(b"again", b""));
        d.send_message(900, PPID_DCEP, &[0x03, 0x00]);
        d.send_message(902, PPID_DCEP, &[0x77; 40]);
        d.send_message(904, PPID_STRING, b"nobody listens");
        // The legitimate traffic of this round.
        let ours = format!("hostile-says-{round}");
        d.send_message(LEGIT, PPID_STRING, ours.as_bytes());
        let theirs = format!("a-says-{round}");
        let now = d.now;
        d.a.send(now, chat, DataChannelMessage::Text(theirs.clone()))
            .unwrap();
        let body_text = String::from_utf8(body).unwrap();
        assert!(
            d.run_until(Duration::from_secs(10), |d| {
                let got = common::Pair::texts(&d.events);
                got.contains(&body_text)
                    && got.contains(&ours)
                    && d.received.iter().any(|(s, p, m)| {
                        *s == chat_stream && *p == PPID_STRING && *m == theirs.as_bytes()
                    })
            }),
            "round {round}: legitimate messages stopped: {:?}",
            common::Pair::texts(&d.events)
        );
        assert_eq!(d.a.connection_state(), PeerConnectionState::Connected);
        d.events.clear();
        d.received.clear();
    }
    let grown = counting_alloc::live().saturating_sub(baseline);
    let peak = counting_alloc::peak().saturating_sub(peak_before.max(baseline));
    eprintln!("heap after the abuse: +{grown} B live, +{peak} B at the peak");
    let sctp = d.a.sctp_stats();
    eprintln!("sctp {sctp:?}");
    let rounds = u64::from(ROUNDS);
    // Wrong tag and broken checksum: whole packets dropped.
    assert!(sctp.packets_dropped >= 2 * rounds, "{sctp:?}");
    // The duplicates of every round were seen as such.
    assert!(sctp.duplicate_chunks >= 50 * rounds, "{sctp:?}");
    assert!(grown <= HOSTILE_GROWTH_CAP, "live heap grew by {grown} B");
    assert!(peak <= HOSTILE_GROWTH_CAP, "peak heap grew by {peak} B");
}

#[allow(non_snake_case)]
fn Pair_opened(events: &[PeerEvent], channel: ChannelId) -> bool {
    common::Pair::opened(events).contains(&channel)
}
