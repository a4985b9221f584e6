//! Same seed → the same trace and the same pcap, byte for byte, even with
//! a different clock anchor; another seed → another trace.

mod common;

use std::time::{Duration, Instant};

use common::{addr, flow};
use sansrtc_netsim::{Bandwidth, Echo, LinkConfig, Loss, NatConfig, Network, Probe, Reflector};

/// A busy run: NATs, loss, jitter, reordering, duplication, a bandwidth cap.
fn run(seed: u64, start: Instant) -> (String, Vec<u8>) {
    let mut net = Network::new(start, seed);
    net.enable_capture();
    let internet = net.internet();
    let rough = LinkConfig {
        delay: Duration::from_millis(15),
        jitter: Duration::from_millis(10),
        loss: Loss::GilbertElliott {
            good_to_bad: 0.05,
            bad_to_good: 0.3,
            loss_good: 0.01,
            loss_bad: 0.6,
        },
        reorder: 0.05,
        duplicate: 0.02,
        bandwidth: Some(Bandwidth {
            bits_per_second: 3_000_000,
            queue_bytes: 30_000,
        }),
        ..LinkConfig::default()
    };
    let nat = net
        .add_nat(
            internet,
            NatConfig::symmetric(addr("203.0.113.1:0").ip()),
            rough.clone(),
        )
        .unwrap();
    net.add_host(
        internet,
        &[addr("192.0.2.1:7").ip()],
        rough.clone(),
        Echo::new(),
    )
    .unwrap();
    net.add_host(
        internet,
        &[addr("192.0.2.2:7").ip(), addr("[2001:db8::2]:7").ip()],
        rough.clone(),
        Reflector::new(),
    )
    .unwrap();
    for (i, local) in ["10.0.0.2:5000", "10.0.0.3:5000"].iter().enumerate() {
        let local = addr(local);
        let f = flow(
            start,
            addr(if i == 0 { "192.0.2.1:7" } else { "192.0.2.2:7" }),
            3,
            400,
            300 + i * 500,
        );
        net.add_host(
            nat.inside(),
            &[local.ip()],
            rough.clone(),
            Probe::with_flow(local, f),
        )
        .unwrap();
    }
    let v6 = addr("[2001:db8::9]:4000");
    let f = flow(start, addr("[2001:db8::2]:7"), 7, 200, 100);
    net.add_host(internet, &[v6.ip()], rough, Probe::with_flow(v6, f))
        .unwrap();
    net.run_for(Duration::from_secs(3));
    assert!(net.counters().delivered > 500);
    assert!(net.counters().lost > 0 && net.counters().duplicated > 0);
    (net.trace().to_text(), net.pcap().unwrap().to_vec())
}

#[test]
fn the_same_seed_gives_identical_trace_and_pcap_bytes() {
    let first = run(1234, Instant::now());
    let later = Instant::now() + Duration::from_secs(3600);
    let second = run(1234, later);
    assert!(first.0 == second.0, "traces differ");
    assert!(first.1 == second.1, "pcaps differ");
    assert!(first.0.lines().count() > 1000);
}

#[test]
fn another_seed_gives_another_trace() {
    let now = Instant::now();
    assert_ne!(run(1, now).0, run(2, now).0);
}
