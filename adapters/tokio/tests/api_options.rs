//! Construction: the default binds every usable interface address (no
//! datagram is sent: no ICE server, no remote); an explicit address that
//! cannot be bound is an error naming it.

use std::collections::BTreeSet;
use std::net::IpAddr;

use sansrtc_tokio::sansrtc::RtcConfiguration;
use sansrtc_tokio::{Error, PeerConnection, PeerConnectionOptions};

#[tokio::test]
async fn the_default_binds_every_interface_address_ipv4_and_ipv6() {
    let interfaces: BTreeSet<IpAddr> = if_addrs::get_if_addrs()
        .expect("interfaces")
        .iter()
        .map(|i| i.ip())
        .filter(|ip| !matches!(ip, IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80))
        .collect();
    let pc = PeerConnection::new(
        RtcConfiguration::default(),
        PeerConnectionOptions::default(),
    )
    .await
    .expect("peer");
    let bound: BTreeSet<IpAddr> = pc.local_addresses().iter().map(|a| a.ip()).collect();
    eprintln!(
        "interfaces {interfaces:?}, bound {:?}",
        pc.local_addresses()
    );
    assert!(!bound.is_empty());
    assert!(pc.local_addresses().iter().all(|a| a.port() != 0));
    // Every interface address that can be bound is (an address the OS
    // refuses, e.g. an IPv6 one still in duplicate address detection, is
    // skipped).
    assert!(bound.is_subset(&interfaces), "{bound:?} ⊄ {interfaces:?}");
    for ip in &interfaces {
        if std::net::UdpSocket::bind((*ip, 0)).is_ok() {
            assert!(bound.contains(ip), "{ip} bindable but not bound");
        }
    }
    pc.close().await;
}

#[tokio::test]
async fn an_explicit_address_that_cannot_be_bound_is_an_error() {
    // TEST-NET-3 (RFC 5737), on no interface of this host.
    let address: IpAddr = "203.0.113.77".parse().expect("ip");
    let on_host = if_addrs::get_if_addrs()
        .expect("interfaces")
        .iter()
        .any(|i| i.ip() == address);
    assert!(!on_host, "pick another address: {address} is on this host");
    let options = PeerConnectionOptions::with_local_addresses([address]);
    match PeerConnection::new(RtcConfiguration::default(), options).await {
        Err(Error::Bind { address: a, .. }) => assert_eq!(a, address),
        other => panic!("{other:?}"),
    }
}

/// The handles can be shared across tasks and threads.
#[test]
fn the_handles_are_send_and_sync() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<PeerConnection>();
    send_sync::<sansrtc_tokio::DataChannel>();
    send_sync::<sansrtc_tokio::DataChannelStream>();
    send_sync::<sansrtc_tokio::TrackSender>();
    send_sync::<sansrtc_tokio::TrackReceiver>();
    send_sync::<sansrtc_tokio::Events>();
    send_sync::<Error>();
}
