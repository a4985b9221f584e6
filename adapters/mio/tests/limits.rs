//! Bad input and bounds: unknown sources, a TCP/TLS transmit, a machine that
//! never ends a drain, a burst larger than one receive batch, the largest
//! datagram, setup errors.

#[path = "../../tokio/tests/machines/mod.rs"]
mod machines;
mod support;

use std::net::UdpSocket;

use machines::*;
use sansrtc_mio::{Driver, DriverError, DRAIN_LIMIT, OUTBOX_LIMIT, RECEIVE_BATCH};
use sansrtc_proto::Protocol;
use support::{blocking_socket, poll_until};

#[test]
fn transmits_from_unknown_sources_are_dropped_and_counted_and_tcp_opens_a_stream() {
    let peer = blocking_socket("127.0.0.1:0");
    let peer_address = peer.local_addr().unwrap();
    let mut driver = Driver::new(Messenger::default()).unwrap();
    let local = driver.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    driver.with_machine(|m| {
        m.send(udp(
            "127.0.0.1:9".parse().unwrap(),
            peer_address,
            b"unknown".to_vec(),
        ));
        let mut tls = udp(local, peer_address, b"tls".to_vec());
        tls.protocol = Protocol::Tls;
        m.send(tls);
        m.send(udp(local, peer_address, b"good".to_vec()));
    });
    let counters = driver.counters();
    assert_eq!(counters.unknown_source, 1);
    // The TLS transmit went to a stream (to a port where no TCP listens:
    // its connect fails, and the machine is told).
    assert_eq!(counters.unsupported_protocol, 0);
    assert_eq!(counters.streams_opened, 1);
    assert_eq!(counters.sent, 1);
    let mut buf = [0u8; 64];
    let (n, from) = peer.recv_from(&mut buf).unwrap();
    assert_eq!((&buf[..n], from), (&b"good"[..], local));

    peer.send_to(b"still there?", local).unwrap();
    poll_until(&mut driver, "the datagram", |d| d.counters().received == 1);
    assert_eq!(driver.take_event().unwrap().contents, b"still there?");
}

#[test]
fn a_machine_that_never_ends_a_drain_is_cut_off_and_bounded() {
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let local = socket.local_addr().unwrap();
    let mut driver = Driver::new(Flood::new(local, peer.local_addr().unwrap())).unwrap();
    driver.add_socket(socket).unwrap();
    driver.with_machine(|_| {});
    let counters = driver.counters();
    assert_eq!(counters.runaway_drains, 1);
    assert_eq!(
        counters.transmits_dropped,
        (DRAIN_LIMIT - OUTBOX_LIMIT) as u64
    );
    // What the socket did not take yet goes out on later turns.
    driver.with_machine(|m| m.flooding = false);
    poll_until(&mut driver, "the outbox to empty", |d| {
        d.pending_transmits() == 0
    });
    let counters = driver.counters();
    assert_eq!(
        counters.runaway_drains, 1,
        "a quiet machine drains normally"
    );
    assert_eq!(counters.sent + counters.send_errors, OUTBOX_LIMIT as u64);
}

#[test]
fn a_burst_larger_than_one_batch_is_read_over_several_turns() {
    let mut driver = Driver::new(Messenger::default()).unwrap();
    let local = driver.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    let burst = RECEIVE_BATCH * 3 + 5;
    for i in 0..burst {
        client.send_to(&(i as u32).to_be_bytes(), local).unwrap();
    }
    poll_until(&mut driver, "the whole burst", |d| {
        d.counters().received == burst as u64
    });
    for i in 0..burst {
        assert_eq!(
            driver.take_event().unwrap().contents,
            (i as u32).to_be_bytes()
        );
    }
    assert!(driver.take_event().is_none());
}

#[test]
fn the_largest_udp_datagram_arrives_whole() {
    let mut driver = Driver::new(Messenger::default()).unwrap();
    let local = driver.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    let big: Vec<u8> = (0..65_507u32).map(|i| (i % 251) as u8).collect();
    client.send_to(&big, local).unwrap();
    poll_until(&mut driver, "the big datagram", |d| {
        d.counters().received == 1
    });
    assert_eq!(driver.take_event().unwrap().contents, big);
}

#[test]
fn binding_an_address_in_use_fails_with_the_address() {
    let taken = UdpSocket::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap();
    let mut driver = Driver::new(Messenger::default()).unwrap();
    match driver.bind(address) {
        Err(DriverError::Bind { address: a, .. }) => assert_eq!(a, address),
        other => panic!("expected a bind error, got {other:?}"),
    }
}

#[test]
fn a_second_socket_on_the_same_address_is_refused() {
    let first = UdpSocket::bind("127.0.0.1:0").unwrap();
    let clone = first.try_clone().unwrap();
    let mut driver = Driver::new(Messenger::default()).unwrap();
    let address = driver.add_socket(first).unwrap();
    match driver.add_socket(clone) {
        Err(DriverError::DuplicateAddress(a)) => assert_eq!(a, address),
        other => panic!("expected a duplicate-address error, got {other:?}"),
    }
}
