//! Bad input and bounds: unknown sources, a TCP/TLS transmit, a machine that
//! never ends a drain, the largest datagram, setup errors.

mod machines;
mod support;

use std::net::UdpSocket as StdUdpSocket;

use machines::*;
use sansrtc_proto::Protocol;
use sansrtc_tokio::{Driver, DriverError, DRAIN_LIMIT, OUTBOX_LIMIT};
use support::bounded;
use tokio::net::UdpSocket;

#[tokio::test]
async fn transmits_from_unknown_sources_are_dropped_and_counted_and_tcp_opens_a_stream() {
    let peer = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let peer_address = peer.local_addr().unwrap();
    let mut driver = Driver::new(Messenger::default());
    let local = driver.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let elsewhere = "127.0.0.1:9".parse().unwrap();
    driver.with_machine(|m| {
        m.send(udp(elsewhere, peer_address, b"unknown source".to_vec()));
        let mut tcp = udp(local, peer_address, b"tcp".to_vec());
        tcp.protocol = Protocol::Tcp;
        m.send(tcp);
        m.send(udp(local, peer_address, b"good".to_vec()));
    });
    bounded(driver.flush()).await;
    let counters = driver.counters();
    assert_eq!(counters.unknown_source, 1);
    // The TCP transmit went to a stream (to a port where no TCP listens:
    // its connect fails, and the machine is told).
    assert_eq!(counters.unsupported_protocol, 0);
    assert_eq!(counters.streams_opened, 1);
    assert_eq!(counters.sent, 1);
    let mut buf = [0u8; 64];
    let (n, from) = bounded(peer.recv_from(&mut buf)).await.unwrap();
    assert_eq!((&buf[..n], from), (&b"good"[..], local));

    // The driver keeps working afterwards.
    peer.send_to(b"still there?", local).await.unwrap();
    let event = bounded(driver.next_event()).await.unwrap();
    assert_eq!(event.contents, b"still there?");
}

#[tokio::test]
async fn a_machine_that_never_ends_a_drain_is_cut_off_and_bounded() {
    let peer = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let local = socket.local_addr().unwrap();
    let mut driver = Driver::new(Flood::new(local, peer.local_addr().unwrap()));
    driver.add_socket(socket).unwrap();
    bounded(driver.flush()).await;
    let counters = driver.counters();
    assert_eq!(counters.runaway_drains, 1);
    assert_eq!(
        counters.transmits_dropped,
        (DRAIN_LIMIT - OUTBOX_LIMIT) as u64
    );
    assert_eq!(counters.sent + counters.send_errors, OUTBOX_LIMIT as u64);
    // Stopped, the machine is quiet and the driver usable.
    driver.with_machine(|m| m.flooding = false);
    bounded(driver.flush()).await;
    assert_eq!(driver.counters().runaway_drains, 1);
}

#[tokio::test]
async fn the_largest_udp_datagram_arrives_whole() {
    let mut driver = Driver::new(Messenger::default());
    let local = driver.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let client = StdUdpSocket::bind("127.0.0.1:0").unwrap();
    // 65,535 − 8 (UDP header) − 20 (IPv4 header).
    let big: Vec<u8> = (0..65_507u32).map(|i| (i % 251) as u8).collect();
    client.send_to(&big, local).unwrap();
    let event = bounded(driver.next_event()).await.unwrap();
    assert_eq!(event.contents.len(), big.len());
    assert_eq!(event.contents, big);
}

#[tokio::test]
async fn a_driver_with_nothing_to_wait_for_says_so() {
    let mut driver = Driver::new(Messenger::default());
    assert!(matches!(
        driver.next_event().await,
        Err(DriverError::NothingToWaitFor)
    ));
}

#[tokio::test]
async fn binding_an_address_in_use_fails_with_the_address() {
    let taken = StdUdpSocket::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap();
    let mut driver = Driver::new(Messenger::default());
    match driver.bind(address).await {
        Err(DriverError::Bind { address: a, .. }) => assert_eq!(a, address),
        other => panic!("expected a bind error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_second_socket_on_the_same_address_is_refused() {
    let first = StdUdpSocket::bind("127.0.0.1:0").unwrap();
    let clone = first.try_clone().unwrap();
    first.set_nonblocking(true).unwrap();
    clone.set_nonblocking(true).unwrap();
    let mut driver = Driver::new(Messenger::default());
    let address = driver
        .add_socket(UdpSocket::from_std(first).unwrap())
        .unwrap();
    match driver.add_socket(UdpSocket::from_std(clone).unwrap()) {
        Err(DriverError::DuplicateAddress(a)) => assert_eq!(a, address),
        other => panic!("expected a duplicate-address error, got {other:?}"),
    }
}
