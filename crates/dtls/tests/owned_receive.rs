//! `DtlsEndpoint::handle_receive_owned`: a connected endpoint opens the
//! last record of a datagram it is given by value in that datagram's own
//! buffer. Both versions: the handshake and the data over it, datagrams
//! of several records, and hostile ones (forged, replayed, truncated,
//! empty) that must be dropped and counted exactly as the borrowed call
//! drops them, with the data around them still delivered.

mod common;

use std::time::Duration;

use common::*;
use sansrtc_dtls::{DtlsEndpoint, DtlsEvent, DtlsVersion};
use sansrtc_proto::Output;

/// A pair of `version` connected over `handle_receive_owned` alone.
fn connected_owned(version: DtlsVersion, seed: u64) -> Pair {
    let (mut c, mut s) = configs(ecdsa_identity(), ecdsa_identity());
    (c.max_version, s.max_version) = (version, version);
    let mut p = Pair::new(c, s, seed);
    p.owned = true;
    p.run(Duration::from_secs(10), &mut perfect);
    assert!(p.connected(), "{:?} {:?}", p.client_events, p.server_events);
    assert_eq!(p.client.version(), Some(version));
    p
}

/// The datagrams `ep` sends for `messages`, one record each.
fn records(ep: &mut DtlsEndpoint, messages: &[&[u8]]) -> Vec<Vec<u8>> {
    for m in messages {
        ep.send_application_data(m).unwrap();
    }
    let mut out = Vec::new();
    loop {
        match ep.poll_output() {
            Output::Transmit(d) => out.push(d),
            Output::Event(e) => panic!("unexpected event {e:?}"),
            Output::Timeout(_) => return out,
        }
    }
}

/// The application data `ep` delivered since the last call.
fn delivered(ep: &mut DtlsEndpoint) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        match ep.poll_output() {
            Output::Event(DtlsEvent::ApplicationData(d)) => out.push(d),
            Output::Event(_) | Output::Transmit(_) => {}
            Output::Timeout(_) => return out,
        }
    }
}

const VERSIONS: [DtlsVersion; 2] = [DtlsVersion::Dtls12, DtlsVersion::Dtls13];

#[test]
fn data_of_every_size_arrives_whole_and_in_order_both_ways() {
    for version in VERSIONS {
        let mut p = connected_owned(version, 1);
        let sizes = [0usize, 1, 15, 16, 17, 100, 1148, 1200];
        let messages: Vec<Vec<u8>> = sizes
            .iter()
            .map(|&n| (0..n).map(|i| (i * 7 + n) as u8).collect())
            .collect();
        let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
        let now = p.now;
        for d in records(&mut p.client, &refs) {
            p.server.handle_receive_owned(now, d);
        }
        assert_eq!(delivered(&mut p.server), messages, "{version:?} to server");
        for d in records(&mut p.server, &refs) {
            p.client.handle_receive_owned(now, d);
        }
        assert_eq!(delivered(&mut p.client), messages, "{version:?} to client");
        let stats = p.server.stats();
        assert_eq!(stats.bad_record_mac + stats.malformed_datagrams, 0);
    }
}

#[test]
fn every_record_of_a_datagram_of_several_is_delivered() {
    for version in VERSIONS {
        let mut p = connected_owned(version, 2);
        let messages: [&[u8]; 3] = [b"first", &[9u8; 700], b"third, the one opened in place"];
        let joined: Vec<u8> = records(&mut p.client, &messages).concat();
        p.server.handle_receive_owned(p.now, joined);
        let got = delivered(&mut p.server);
        assert_eq!(got, messages.map(<[u8]>::to_vec), "{version:?}");
    }
}

#[test]
fn forged_replayed_truncated_and_empty_datagrams_are_dropped_and_counted() {
    for version in VERSIONS {
        let mut p = connected_owned(version, 3);
        let now = p.now;
        let before = p.server.stats();
        let sent = records(&mut p.client, &[b"one", b"two", b"three", b"four"]);

        // A forged copy of "one" (its last byte, in the tag, flipped):
        // dropped; the genuine one still opens afterwards.
        let mut forged = sent[0].clone();
        *forged.last_mut().unwrap() ^= 1;
        p.server.handle_receive_owned(now, forged);
        assert!(delivered(&mut p.server).is_empty(), "{version:?} forged");
        p.server.handle_receive_owned(now, sent[0].clone());
        // Replayed: dropped.
        p.server.handle_receive_owned(now, sent[0].clone());
        // Truncated by one byte and by all but one byte; empty.
        let mut short = sent[1].clone();
        short.pop();
        p.server.handle_receive_owned(now, short);
        p.server.handle_receive_owned(now, sent[1][..1].to_vec());
        p.server.handle_receive_owned(now, Vec::new());
        // A genuine record behind a forged one, and a forged one behind a
        // genuine one: the genuine ones are delivered.
        let mut bad = sent[3].clone();
        *bad.last_mut().unwrap() ^= 0x80;
        p.server
            .handle_receive_owned(now, [bad.clone(), sent[2].clone()].concat());
        p.server
            .handle_receive_owned(now, [sent[3].clone(), bad].concat());
        assert_eq!(
            delivered(&mut p.server),
            vec![b"one".to_vec(), b"three".to_vec(), b"four".to_vec()],
            "{version:?}"
        );
        let after = p.server.stats();
        // The replay, at least (DTLS 1.2 checks the window before the MAC,
        // so the forged copy of an accepted record counts as one too);
        // the forged copies, at least the two that no genuine record of
        // the same number preceded.
        assert!(
            after.replayed_records > before.replayed_records,
            "{version:?}: {after:?}"
        );
        assert!(
            after.bad_record_mac - before.bad_record_mac >= 2,
            "{version:?}: {after:?}"
        );
        assert!(p.server.is_connected(), "{version:?}");
        // The connection still carries data, and "two" can still arrive.
        p.server.handle_receive_owned(now, sent[1].clone());
        assert_eq!(delivered(&mut p.server), vec![b"two".to_vec()]);
    }
}

#[test]
fn owned_and_borrowed_calls_drop_the_same_hostile_datagrams() {
    // The same sequence, one endpoint given it by value and another (of a
    // pair connected the same way, from the same seed) borrowed: the
    // same data and the same counters.
    for version in VERSIONS {
        let mut outcomes = Vec::new();
        for owned in [false, true] {
            let mut p = connected_owned(version, 4);
            let now = p.now;
            let sent = records(&mut p.client, &[b"a", &[1u8; 1100], b"c"]);
            let mut forged = sent[1].clone();
            forged[20] ^= 4;
            let sequence = vec![
                forged,
                sent[0].clone(),
                sent[0].clone(),
                [sent[1].clone(), sent[2].clone()].concat(),
                sent[2][..sent[2].len() - 3].to_vec(),
                vec![0x17; 3],
                vec![0x2f; 40],
            ];
            for d in sequence {
                if owned {
                    p.server.handle_receive_owned(now, d);
                } else {
                    p.server.handle_receive(now, &d);
                }
            }
            outcomes.push((delivered(&mut p.server), p.server.stats()));
        }
        assert_eq!(outcomes[0], outcomes[1], "{version:?}");
        assert_eq!(outcomes[0].0.len(), 3, "{version:?}: {:?}", outcomes[0]);
    }
}

#[test]
fn the_last_record_is_opened_in_the_datagrams_own_buffer() {
    // What makes the call worth having: the content handed on is the
    // datagram's buffer itself (a copy would be a new allocation, made
    // while the datagram was still alive, so at another address).
    for version in VERSIONS {
        let mut p = connected_owned(version, 5);
        let sent = records(&mut p.client, &[b"head", &[3u8; 1000]]);
        let single = sent[1].clone();
        let single_at = single.as_ptr();
        p.server.handle_receive_owned(p.now, single);
        let got = delivered(&mut p.server);
        assert_eq!(got, vec![vec![3u8; 1000]], "{version:?}");
        assert_eq!(got[0].as_ptr(), single_at, "{version:?}: copied");

        let sent = records(&mut p.client, &[b"first", b"last"]);
        let joined = sent.concat();
        let joined_at = joined.as_ptr();
        p.server.handle_receive_owned(p.now, joined);
        let got = delivered(&mut p.server);
        assert_eq!(
            got,
            vec![b"first".to_vec(), b"last".to_vec()],
            "{version:?}"
        );
        assert_ne!(got[0].as_ptr(), joined_at, "{version:?}");
        assert_eq!(got[1].as_ptr(), joined_at, "{version:?}: copied");
    }
}
