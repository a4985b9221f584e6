//! Key updates (RFC 9147 §8), the ACK of a partial flight on a gap
//! (§7.1) and the AEAD usage limits (§4.5.3), end to end between two
//! connections in memory.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use super::aead_limits::{AeadLimits, INTEGRITY_LIMIT};
use super::connection_event::Dtls13Event;
use super::connection_test_support::{
    config_pair, ecdsa_identity, shared_mut, Impairment, Pair, SideLog,
};
use super::handshake_context::msg_type;
use super::key_share::KeyShareGroup;
use super::key_update::KEY_UPDATE;
use super::record_header::split_datagram;
use crate::DtlsError;

const LIMIT: Duration = Duration::from_secs(120);

fn application_data(log: &SideLog) -> Vec<Vec<u8>> {
    log.events
        .iter()
        .filter_map(|e| match e {
            Dtls13Event::ApplicationData(d) => Some(d.clone()),
            _ => None,
        })
        .collect()
}

/// A connected pair (X25519, the default MTU) under `impairment`.
fn connected(seed: u64, impairment: Impairment) -> Pair {
    let (mut client, mut server) = config_pair(ecdsa_identity(), ecdsa_identity());
    client.client_key_shares = vec![KeyShareGroup::X25519];
    if impairment.loss_percent > 0 {
        // Lossy runs: a shorter backoff and more patience, so that a
        // KeyUpdate lost several times in a row still gets through.
        for c in [&mut client, &mut server] {
            shared_mut(c).max_retransmit_timeout = Duration::from_secs(4);
            shared_mut(c).max_retransmissions = 40;
        }
    }
    let mut pair = Pair::new(client, server, seed, impairment);
    pair.run(LIMIT);
    assert!(
        pair.client.is_connected() && pair.server.is_connected(),
        "client {:?} server {:?}",
        pair.client_log.events,
        pair.server_log.events
    );
    pair
}

/// Sends `tag` both ways and checks both arrive.
fn exchange(pair: &mut Pair, tag: &str) {
    let (c, s) = (format!("c:{tag}"), format!("s:{tag}"));
    pair.client.send_application_data(c.as_bytes()).unwrap();
    pair.server.send_application_data(s.as_bytes()).unwrap();
    pair.run(Duration::from_secs(5));
    assert_eq!(
        application_data(&pair.server_log).last(),
        Some(&c.into_bytes())
    );
    assert_eq!(
        application_data(&pair.client_log).last(),
        Some(&s.into_bytes())
    );
}

/// Both sides agree on who updated how often, and each reads the epoch
/// the other writes (and at most one before it).
fn assert_epochs_agree(pair: &Pair) {
    let (c, s) = (
        pair.client.key_update_counts(),
        pair.server.key_update_counts(),
    );
    assert_eq!((c.sent, c.received), (s.received, s.sent));
    assert_eq!(pair.client.write_epoch(), 3 + c.sent);
    assert_eq!(pair.server.write_epoch(), 3 + s.sent);
    for (reader, writer) in [(&pair.client, &pair.server), (&pair.server, &pair.client)] {
        let read = reader.read_epochs();
        assert_eq!(read.last(), Some(&writer.write_epoch()));
        assert!(
            read.len() <= 2,
            "at most the current and previous: {read:?}"
        );
    }
}

#[test]
fn many_key_updates_in_a_row_with_data_between() {
    let mut pair = connected(1, Impairment::default());
    exchange(&mut pair, "before");
    for i in 0..12u32 {
        let side = if i % 2 == 0 {
            &mut pair.client
        } else {
            &mut pair.server
        };
        side.request_key_update(i % 3 == 0).unwrap();
        pair.run(Duration::from_secs(5));
        assert_epochs_agree(&pair);
        exchange(&mut pair, &format!("after {i}"));
    }
    let (c, s) = (
        pair.client.key_update_counts(),
        pair.server.key_update_counts(),
    );
    // Six each asked for, and the peer answered the four that requested.
    assert_eq!((c.sent, s.sent), (6 + 2, 6 + 2));
    assert!(pair.client.write_epoch() >= 11 && pair.server.write_epoch() >= 11);
    // Two requests at once: the second waits for the first's ACK.
    pair.client.request_key_update(false).unwrap();
    pair.client.request_key_update(true).unwrap();
    pair.run(Duration::from_secs(5));
    assert_epochs_agree(&pair);
    assert_eq!(pair.client.key_update_counts().sent, c.sent + 2);
    exchange(&mut pair, "end");
    assert!(pair.client_log.failure().is_none() && pair.server_log.failure().is_none());
}

#[test]
fn key_updates_work_with_every_suite() {
    use super::cipher_suite::Tls13CipherSuite;
    for suite in Tls13CipherSuite::ALL {
        let (mut client, server) = config_pair(ecdsa_identity(), ecdsa_identity());
        client.client_key_shares = vec![KeyShareGroup::X25519];
        client.cipher_suites = vec![suite];
        let mut pair = Pair::new(client, server, 11, Impairment::default());
        pair.run(LIMIT);
        assert_eq!(pair.client_log.connected().unwrap().cipher_suite, suite);
        for i in 0..5 {
            pair.server.request_key_update(true).unwrap();
            pair.run(Duration::from_secs(5));
            assert_epochs_agree(&pair);
            exchange(&mut pair, &format!("{suite:?} {i}"));
        }
        assert_eq!(
            (pair.client.write_epoch(), pair.server.write_epoch()),
            (8, 8)
        );
    }
}

/// A filter that drops the next `n` datagrams one way, on demand.
fn drop_next(pair: &mut Pair) -> Rc<RefCell<(bool, u32)>> {
    let control = Rc::new(RefCell::new((true, 0)));
    let c = control.clone();
    pair.drop_filter = Some(Box::new(move |to_server, _: &[u8]| {
        let mut c = c.borrow_mut();
        if c.1 > 0 && c.0 == to_server {
            c.1 -= 1;
            return true;
        }
        false
    }));
    control
}

#[test]
fn a_lost_key_update_and_a_lost_ack_are_recovered() {
    let mut pair = connected(2, Impairment::default());
    let control = drop_next(&mut pair);
    // The KeyUpdate itself is lost: the client resends it on its timer and
    // keeps writing epoch 3 until it is ACKed.
    *control.borrow_mut() = (true, 1);
    pair.client.request_key_update(false).unwrap();
    pair.run(Duration::from_millis(500));
    assert_eq!(pair.client.write_epoch(), 3);
    assert_eq!(pair.server.key_update_counts().received, 0);
    exchange(&mut pair, "while lost");
    pair.run(Duration::from_secs(5));
    assert_eq!(pair.client.write_epoch(), 4);
    assert_epochs_agree(&pair);
    exchange(&mut pair, "after lost key update");
    // The ACK is lost: the server has the new read keys, the client still
    // writes epoch 4 and resends; the server ACKs the repeat (processing
    // it once).
    *control.borrow_mut() = (false, 1);
    pair.client.request_key_update(false).unwrap();
    pair.run(Duration::from_millis(500));
    assert_eq!(pair.client.write_epoch(), 4);
    assert_eq!(pair.server.key_update_counts().received, 2);
    exchange(&mut pair, "ack lost");
    pair.run(Duration::from_secs(5));
    assert_eq!(pair.client.write_epoch(), 5);
    assert_eq!(pair.server.key_update_counts().received, 2);
    assert_epochs_agree(&pair);
    exchange(&mut pair, "after lost ack");
    // A requested update whose answer is lost, from the server's side.
    *control.borrow_mut() = (true, 1);
    pair.server.request_key_update(true).unwrap();
    pair.run(Duration::from_secs(5));
    assert_epochs_agree(&pair);
    assert_eq!(pair.server.write_epoch(), 4);
    assert_eq!(pair.client.write_epoch(), 6);
    exchange(&mut pair, "end");
}

#[test]
fn late_records_of_the_previous_epoch_are_read_older_ones_not() {
    let mut pair = connected(3, Impairment::default());
    let held = Rc::new(RefCell::new(Vec::new()));
    let h = held.clone();
    pair.drop_filter = Some(Box::new(move |to_server, d: &[u8]| {
        let mut h = h.borrow_mut();
        if to_server && h.len() < 2 {
            h.push(d.to_vec());
            return true;
        }
        false
    }));
    pair.client.send_application_data(b"late 1").unwrap();
    pair.client.send_application_data(b"late 2").unwrap();
    pair.run(Duration::from_millis(100));
    assert_eq!(held.borrow().len(), 2);
    pair.client.request_key_update(false).unwrap();
    pair.run(Duration::from_secs(5));
    assert_eq!(pair.client.write_epoch(), 4);
    pair.client.send_application_data(b"new").unwrap();
    pair.run(Duration::from_secs(1));
    // Epoch 3 arrives after epoch 4: still read.
    let now = pair.now;
    pair.server.handle_receive(now, &held.borrow()[0]);
    pair.run(Duration::from_secs(1));
    assert_eq!(
        application_data(&pair.server_log),
        [b"new".to_vec(), b"late 1".to_vec()]
    );
    // Two updates later epoch 3 is gone.
    pair.client.request_key_update(false).unwrap();
    pair.run(Duration::from_secs(5));
    assert_eq!(pair.server.read_epochs(), [4, 5]);
    let now = pair.now;
    pair.server.handle_receive(now, &held.borrow()[1]);
    pair.run(Duration::from_secs(1));
    assert_eq!(application_data(&pair.server_log).len(), 2);
    exchange(&mut pair, "end");
}

#[test]
fn key_updates_survive_loss_and_reordering() {
    let impairment = Impairment {
        loss_percent: 20,
        reorder_percent: 20,
        duplicate_percent: 10,
    };
    for seed in 0..10 {
        let mut pair = connected(100 + seed, impairment);
        let mut sent = 0;
        for i in 0..8u32 {
            let side = if i % 2 == 0 {
                &mut pair.client
            } else {
                &mut pair.server
            };
            side.request_key_update(i % 4 == 0).unwrap();
            for k in 0..5 {
                let data = format!("{seed}/{i}/{k}");
                pair.client.send_application_data(data.as_bytes()).unwrap();
                sent += 1;
                pair.run(Duration::from_millis(20));
            }
            pair.run(Duration::from_secs(30));
        }
        // A KeyUpdate may still be backing off after several losses.
        pair.run(LIMIT);
        assert!(
            pair.client_log.failure().is_none() && pair.server_log.failure().is_none(),
            "seed {seed}: {:?} {:?}",
            pair.client_log.failure(),
            pair.server_log.failure()
        );
        assert_epochs_agree(&pair);
        let received = application_data(&pair.server_log).len();
        assert!(
            received * 2 > sent && received <= sent,
            "seed {seed}: {received} of {sent}"
        );
    }
}

#[test]
fn a_key_update_with_a_bad_value_fails_with_an_alert() {
    for (body, alert) in [(&[2u8][..], 47), (&[][..], 50), (&[0, 0][..], 50)] {
        let mut pair = connected(4, Impairment::default());
        let seq = pair.client.next_send_seq();
        let epoch = pair.client.write_epoch();
        pair.client
            .send_handshake_record_for_test(epoch, KEY_UPDATE, seq, body);
        pair.run(Duration::from_secs(1));
        assert!(
            pair.server_log.failure().is_some(),
            "{:?}",
            pair.server_log.events
        );
        assert_eq!(
            pair.client_log.failure(),
            Some(&DtlsError::PeerAlert(alert))
        );
        assert_eq!(pair.server.key_update_counts().received, 0);
    }
}

#[test]
fn a_key_update_before_the_handshake_completes_is_refused() {
    let (mut client, server) = config_pair(ecdsa_identity(), ecdsa_identity());
    client.client_key_shares = vec![KeyShareGroup::X25519];
    let mut pair = Pair::new(client, server, 5, Impairment::default());
    assert_eq!(
        pair.client.request_key_update(false),
        Err(DtlsError::NotConnected)
    );
    assert_eq!(
        pair.server.request_key_update(true),
        Err(DtlsError::NotConnected)
    );
    // The client's protected records (its final flight) are lost; a
    // KeyUpdate in epoch 2 where the server awaits the client's
    // Certificate is refused.
    pair.drop_filter = Some(Box::new(|to_server, d: &[u8]| {
        to_server && d[0] & 0xe0 == 0x20
    }));
    pair.run(Duration::from_millis(200));
    assert!(!pair.client.is_connected() && !pair.server.is_connected());
    assert_eq!(
        pair.client.request_key_update(false),
        Err(DtlsError::NotConnected)
    );
    pair.drop_filter = None;
    pair.client
        .send_handshake_record_for_test(2, KEY_UPDATE, 1, &[0]);
    pair.run(Duration::from_secs(1));
    assert!(
        matches!(
            pair.server_log.failure(),
            Some(DtlsError::UnexpectedMessage(_))
        ),
        "{:?}",
        pair.server_log.events
    );
    assert_eq!(pair.client_log.failure(), Some(&DtlsError::PeerAlert(10)));
    assert!(pair.client_log.connected().is_none() && pair.server_log.connected().is_none());
}

#[test]
fn an_unknown_post_handshake_message_fails() {
    let mut pair = connected(6, Impairment::default());
    let seq = pair.client.next_send_seq();
    let epoch = pair.client.write_epoch();
    pair.client
        .send_handshake_record_for_test(epoch, msg_type::CERTIFICATE, seq, &[0; 4]);
    pair.run(Duration::from_secs(1));
    assert_eq!(pair.client_log.failure(), Some(&DtlsError::PeerAlert(10)));
}

/// Records per datagram.
fn records(datagram: &[u8]) -> usize {
    split_datagram(datagram).0.len()
}

#[test]
fn a_gap_in_the_server_flight_is_acked_at_once_and_only_the_rest_resent() {
    // (pair, datagrams sent by client and server at 25 ms, both connected
    // at 300 ms)
    let run = |drop: Option<usize>| {
        let (mut client, mut server) = config_pair(ecdsa_identity(), ecdsa_identity());
        client.client_key_shares = vec![KeyShareGroup::X25519];
        for c in [&mut client, &mut server] {
            shared_mut(c).mtu = 200;
        }
        let mut pair = Pair::new(client, server, 7, Impairment::default());
        let mut from_server = 0;
        pair.drop_filter = Some(Box::new(move |to_server, _: &[u8]| {
            if to_server {
                return false;
            }
            from_server += 1;
            Some(from_server) == drop
        }));
        // 10 ms each way: the ClientHello arrives at 10 ms, the server's
        // flight at 20 ms, an ACK of it at 30 ms.
        pair.run(Duration::from_millis(25));
        let early = (
            pair.client_log.datagrams.len(),
            pair.server_log.datagrams.len(),
        );
        // Well before either side's first timer (1 s).
        pair.run(Duration::from_millis(275));
        let connected = pair.client.is_connected() && pair.server.is_connected();
        pair.run(LIMIT);
        assert!(pair.client_log.connected().is_some() && pair.server_log.connected().is_some());
        (pair, early, connected)
    };
    let (clean, _, _) = run(None);
    let flight = clean.server_log.datagrams.len() - 1; // less the final ACK
    assert!(flight >= 4, "the flight spans {flight} datagrams");
    let dropped_index = 2; // the third datagram: a later one arrives
    let (lossy, (client_early, server_early), connected) = run(Some(dropped_index + 1));
    let hello = clean
        .client_log
        .datagrams
        .iter()
        .take_while(|d| d[0] == 22)
        .count();
    // At 25 ms the client has sent its ClientHello and, on seeing the gap,
    // an ACK of what it has (its flight is incomplete: nothing else).
    assert_eq!(client_early, hello + 1, "an ACK on the gap");
    assert_eq!(server_early, flight);
    // The server resent the rest on that ACK, once, and the handshake
    // completed before any timer fired (no second ClientHello).
    assert!(connected, "recovered within round trips, not timers");
    assert_eq!(
        lossy
            .client_log
            .datagrams
            .iter()
            .filter(|d| d[0] == 22)
            .count(),
        hello
    );
    let resent = &lossy.server_log.datagrams[flight..lossy.server_log.datagrams.len() - 1];
    assert_eq!(resent.len(), 1, "one resend");
    // It carries the lost record's bytes only, not the whole flight nor
    // the whole messages around it (the lost record is part of the
    // Certificate).
    let dropped = &clean.server_log.datagrams[dropped_index];
    let flight_records: usize = clean.server_log.datagrams[..flight]
        .iter()
        .map(|d| records(d))
        .sum();
    assert_eq!(
        records(&resent[0]),
        records(dropped),
        "of a {flight_records}-record flight"
    );
    assert!(
        resent[0].len() <= dropped.len() + 16,
        "{} > {}",
        resent[0].len(),
        dropped.len()
    );
}

/// A forged protected record claiming `epoch_low_bits`.
fn forged(epoch_low_bits: u8, n: u8) -> Vec<u8> {
    let mut d = vec![0x2c | epoch_low_bits, 0, n, 0, 40];
    d.extend((0..40).map(|i| i ^ n));
    d
}

#[test]
fn the_confidentiality_limit_triggers_key_updates() {
    let mut pair = connected(8, Impairment::default());
    pair.client.override_aead_limits(AeadLimits {
        confidentiality: 16,
        integrity: INTEGRITY_LIMIT,
    });
    for i in 0..100u32 {
        pair.client
            .send_application_data(format!("{i}").as_bytes())
            .unwrap();
        pair.run(Duration::from_millis(50));
    }
    assert_eq!(application_data(&pair.server_log).len(), 100);
    let c = pair.client.key_update_counts();
    assert!(c.sent >= 6, "{c:?}");
    assert_eq!(pair.server.key_update_counts().sent, 0);
    assert_epochs_agree(&pair);
    exchange(&mut pair, "end");
}

#[test]
fn the_integrity_limit_asks_for_new_keys_then_fails() {
    let mut pair = connected(9, Impairment::default());
    pair.server.override_aead_limits(AeadLimits {
        confidentiality: AeadLimits::for_suite(
            super::cipher_suite::Tls13CipherSuite::Aes128GcmSha256,
        )
        .confidentiality,
        integrity: 8,
    });
    let now = pair.now;
    // 7 = 7/8 of 8: the server asks the client for new keys…
    for n in 0..7 {
        pair.server.handle_receive(now, &forged(3, n));
    }
    assert_eq!(pair.server.key_update_counts().sent, 1);
    // …and at 8 records failing in its newest epoch it gives up.
    pair.server.handle_receive(now, &forged(3, 7));
    pair.run(Duration::from_secs(1));
    assert!(matches!(
        pair.server_log.failure(),
        Some(DtlsError::TooLarge(_))
    ));
    assert_eq!(pair.client_log.failure(), Some(&DtlsError::PeerAlert(22)));
}

#[test]
fn an_old_key_at_its_integrity_limit_is_dropped_not_fatal() {
    let mut pair = connected(10, Impairment::default());
    pair.server.override_aead_limits(AeadLimits {
        confidentiality: 1 << 20,
        integrity: 8,
    });
    let now = pair.now;
    for n in 0..7 {
        pair.server.handle_receive(now, &forged(3, n));
    }
    // The requested update completes: the client writes epoch 4.
    pair.run(Duration::from_secs(5));
    assert_eq!(pair.client.write_epoch(), 4);
    assert_eq!(pair.server.read_epochs(), [3, 4]);
    let now = pair.now;
    for n in 7..12 {
        pair.server.handle_receive(now, &forged(3, n));
    }
    assert_eq!(pair.server.read_epochs(), [4]);
    exchange(&mut pair, "still up");
    assert!(pair.server_log.failure().is_none());
}
