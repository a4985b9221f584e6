//! Shared helpers of the netsim integration tests.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sansrtc_netsim::{Flow, LinkConfig, Network, NodeId, Probe};

pub fn addr(s: &str) -> SocketAddr {
    s.parse().expect("test address")
}

/// A sink and a sender on the internet; the sender's access link has
/// `uplink`; returns (network, start, sink).
pub fn sender_and_sink(
    seed: u64,
    uplink: LinkConfig,
    flow: impl FnOnce(Instant, SocketAddr) -> Flow,
) -> (Network, Instant, NodeId<Probe>, NodeId<Probe>) {
    let start = Instant::now();
    let mut net = Network::new(start, seed);
    let zone = net.internet();
    let sink = addr("198.51.100.1:9");
    let sender = addr("198.51.100.2:9000");
    let receiver = net
        .add_host(zone, &[sink.ip()], LinkConfig::default(), Probe::new(sink))
        .unwrap();
    let probe = net
        .add_host(
            zone,
            &[sender.ip()],
            uplink,
            Probe::with_flow(sender, flow(start, sink)),
        )
        .unwrap();
    (net, start, probe, receiver)
}

/// A periodic flow of `count` datagrams of `size` bytes.
pub fn flow(
    start: Instant,
    destination: SocketAddr,
    interval_ms: u64,
    count: u64,
    size: usize,
) -> Flow {
    Flow {
        destination,
        start,
        interval: Duration::from_millis(interval_ms),
        count,
        size,
    }
}

/// Sequence numbers of what a probe received, in arrival order.
pub fn sequence_numbers(net: &mut Network, probe: &NodeId<Probe>) -> Vec<u64> {
    net.take_events(probe)
        .into_iter()
        .map(|r| u64::from_be_bytes(r.contents[..8].try_into().unwrap()))
        .collect()
}
