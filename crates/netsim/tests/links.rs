//! Each link behaviour, measured over many packets with bounded run times.

mod common;

use std::time::Duration;

use common::{addr, flow, sender_and_sink, sequence_numbers};
use sansrtc_netsim::{Bandwidth, Fate, LinkConfig, Loss, Network, Probe};

fn three_sigma(p: f64, n: u64) -> f64 {
    3.0 * (p * (1.0 - p) / n as f64).sqrt()
}

#[test]
fn delay_is_exact_without_jitter() {
    let link = LinkConfig::with_delay(Duration::from_millis(30));
    let (mut net, start, _, sink) = sender_and_sink(1, link, |s, d| flow(s, d, 10, 10, 50));
    net.run_for(Duration::from_secs(1));
    let got = net.take_events(&sink);
    assert_eq!(got.len(), 10);
    for (i, r) in got.iter().enumerate() {
        // 30 ms up the sender's link, 5 ms down the sink's default link.
        assert_eq!(r.at - start, Duration::from_millis(10 * i as u64 + 35));
    }
}

#[test]
fn independent_loss_rate_is_within_three_sigma() {
    for (seed, p) in [(1, 0.01), (2, 0.05), (3, 0.3)] {
        let n = 20_000;
        let link = LinkConfig {
            loss: Loss::Independent(p),
            ..LinkConfig::default()
        };
        let (mut net, _, _, sink) = sender_and_sink(seed, link, |s, d| flow(s, d, 1, n, 20));
        net.run_for(Duration::from_secs(25));
        let received = sequence_numbers(&mut net, &sink).len() as u64;
        let measured = (n - received) as f64 / n as f64;
        assert!(
            (measured - p).abs() <= three_sigma(p, n),
            "p={p}: measured {measured}"
        );
        assert_eq!(net.counters().lost, n - received);
    }
}

#[test]
fn gilbert_elliott_loss_is_bursty_with_the_model_mean() {
    let loss = Loss::GilbertElliott {
        good_to_bad: 0.01,
        bad_to_good: 0.2,
        loss_good: 0.0,
        loss_bad: 1.0,
    };
    let n = 40_000u64;
    let link = LinkConfig {
        loss,
        ..LinkConfig::default()
    };
    let (mut net, _, _, sink) = sender_and_sink(7, link, |s, d| flow(s, d, 1, n, 20));
    net.run_for(Duration::from_secs(45));
    let mut arrived = vec![false; n as usize];
    for seq in sequence_numbers(&mut net, &sink) {
        arrived[seq as usize] = true;
    }
    let lost = arrived.iter().filter(|a| !**a).count() as f64;
    let expected = loss.mean_rate();
    assert!((expected - 0.01 / 0.21).abs() < 1e-12);
    let measured = lost / n as f64;
    assert!(
        (measured - expected).abs() < 0.2 * expected,
        "measured {measured}, model {expected}"
    );
    // Mean burst length ~ 1/bad_to_good = 5, far from independent loss (~1).
    let bursts = arrived.windows(2).filter(|w| w[0] && !w[1]).count() as f64;
    let mean_burst = lost / bursts;
    assert!((4.0..6.0).contains(&mean_burst), "mean burst {mean_burst}");
}

#[test]
fn mtu_drops_oversize_datagrams_counting_ip_and_udp_headers() {
    let start = std::time::Instant::now();
    let mut net = Network::new(start, 1);
    let zone = net.internet();
    let link = LinkConfig {
        mtu: 1280,
        ..LinkConfig::default()
    };
    let a4 = addr("192.0.2.1:1");
    let b4 = addr("192.0.2.2:2");
    let a6 = addr("[2001:db8::1]:1");
    let b6 = addr("[2001:db8::2]:2");
    let sender = net
        .add_host(zone, &[a4.ip(), a6.ip()], link, Probe::new(a4))
        .unwrap();
    let sink = net
        .add_host(
            zone,
            &[b4.ip(), b6.ip()],
            LinkConfig::default(),
            Probe::new(b4),
        )
        .unwrap();
    // IPv4: 1280 - 28 fits, one more byte does not; IPv6: 1280 - 48.
    for (src, dst, fits) in [(a4, b4, 1252), (a6, b6, 1232)] {
        net.node_mut(&sender).send_from(src, dst, vec![1; fits]);
        net.node_mut(&sender).send_from(src, dst, vec![2; fits + 1]);
    }
    net.run_for(Duration::from_millis(100));
    let sizes: Vec<usize> = net
        .take_events(&sink)
        .iter()
        .map(|r| r.contents.len())
        .collect();
    assert_eq!(sizes, vec![1252, 1232]);
    assert_eq!(net.counters().dropped_mtu, 2);
    let mtu_drops: Vec<usize> = net
        .trace()
        .records()
        .iter()
        .filter(|r| r.fate == Fate::DroppedMtu)
        .map(|r| r.size)
        .collect();
    assert_eq!(mtu_drops, vec![1253, 1233]);
}

#[test]
fn bandwidth_cap_holds_the_rate_and_the_queue_bound() {
    let bw = Bandwidth {
        bits_per_second: 2_000_000,
        queue_bytes: 10_000,
    };
    let link = LinkConfig {
        bandwidth: Some(bw),
        delay: Duration::from_millis(10),
        ..LinkConfig::default()
    };
    // 500 datagrams of 1000 bytes all at once: 4 Mbit offered instantly.
    let (mut net, start, _, sink) = sender_and_sink(3, link, |s, d| flow(s, d, 0, 500, 972));
    net.run_for(Duration::from_secs(5));
    let got = net.take_events(&sink);
    // The buffer holds 10 000 bytes, counting the packet on the wire.
    assert_eq!(got.len(), 10, "queue bound");
    assert_eq!(net.counters().dropped_queue, 490);
    // Each 1000-byte IP packet takes 4 ms at 2 Mbit/s.
    for (i, r) in got.iter().enumerate() {
        let expected = Duration::from_millis(4 * (i as u64 + 1) + 10 + 5);
        assert_eq!(r.at - start, expected, "packet {i}");
    }
}

#[test]
fn bandwidth_cap_delivers_at_the_rate_under_sustained_load() {
    let link = LinkConfig {
        bandwidth: Some(Bandwidth {
            bits_per_second: 500_000,
            queue_bytes: 20_000,
        }),
        ..LinkConfig::default()
    };
    // 1000-byte IP packets every 8 ms = 1 Mbit/s offered for 4 s.
    let (mut net, _, _, sink) = sender_and_sink(4, link, |s, d| flow(s, d, 8, 500, 972));
    net.run_for(Duration::from_secs(6));
    let got = net.take_events(&sink);
    let span = (got.last().unwrap().at - got.first().unwrap().at).as_secs_f64();
    let rate = (got.len() - 1) as f64 * 8000.0 / span;
    assert!((rate - 500_000.0).abs() < 1000.0, "rate {rate}");
    assert!(net.counters().dropped_queue > 200);
}

#[test]
fn link_down_drops_and_up_restores_at_scheduled_times() {
    let (mut net, start, probe, sink) =
        sender_and_sink(5, LinkConfig::default(), |s, d| flow(s, d, 10, 100, 40));
    let link = net.host_link(probe.host());
    net.schedule_link_state(link, start + Duration::from_millis(200), false);
    net.schedule_link_state(link, start + Duration::from_millis(500), true);
    net.run_until(start + Duration::from_millis(300), |_| false);
    assert!(!net.link_is_up(link));
    net.run_for(Duration::from_secs(2));
    assert!(net.link_is_up(link));
    let seqs = sequence_numbers(&mut net, &sink);
    let expected: Vec<u64> = (0..20).chain(50..100).collect();
    assert_eq!(seqs, expected);
    assert_eq!(net.counters().dropped_link_down, 30);
}

#[test]
fn duplication_and_reordering_happen_at_their_rates() {
    let n = 10_000u64;
    let link = LinkConfig {
        duplicate: 0.05,
        reorder: 0.1,
        reorder_delay: Duration::from_millis(3),
        ..LinkConfig::default()
    };
    let (mut net, _, _, sink) = sender_and_sink(6, link, |s, d| flow(s, d, 1, n, 20));
    net.run_for(Duration::from_secs(12));
    let seqs = sequence_numbers(&mut net, &sink);
    let dups = seqs.len() as u64 - n;
    assert!((dups as f64 / n as f64 - 0.05).abs() <= three_sigma(0.05, n));
    assert_eq!(dups, net.counters().duplicated);
    let reordered = net.counters().reordered;
    assert!((reordered as f64 / n as f64 - 0.1).abs() <= three_sigma(0.1, n));
    // Held back 3 ms on a 1 ms flow: arrivals out of order.
    let inversions = seqs.windows(2).filter(|w| w[1] < w[0]).count();
    assert!(inversions > 500, "{inversions} inversions");
    let mut unique = seqs.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len() as u64, n);
}

#[test]
fn jitter_stays_within_its_bound() {
    let link = LinkConfig {
        delay: Duration::from_millis(20),
        jitter: Duration::from_millis(8),
        ..LinkConfig::default()
    };
    let (mut net, start, _, sink) = sender_and_sink(8, link, |s, d| flow(s, d, 50, 200, 20));
    net.run_for(Duration::from_secs(12));
    let got = net.take_events(&sink);
    assert_eq!(got.len(), 200);
    let mut extra = Vec::new();
    for r in &got {
        let seq = u64::from_be_bytes(r.contents[..8].try_into().unwrap());
        let one_way = r.at - start - Duration::from_millis(50 * seq);
        let e = one_way - Duration::from_millis(25);
        assert!(e <= Duration::from_millis(8));
        extra.push(e);
    }
    let mean = extra.iter().sum::<Duration>() / extra.len() as u32;
    assert!(mean > Duration::from_millis(3) && mean < Duration::from_millis(5));
}

#[test]
fn jitter_reorders_unless_told_to_keep_order() {
    for keep in [false, true] {
        let link = LinkConfig {
            jitter: Duration::from_millis(20),
            jitter_keeps_order: keep,
            ..LinkConfig::default()
        };
        let (mut net, _, _, sink) = sender_and_sink(9, link, |s, d| flow(s, d, 2, 1000, 20));
        net.run_for(Duration::from_secs(3));
        let seqs = sequence_numbers(&mut net, &sink);
        assert_eq!(seqs.len(), 1000);
        let inversions = seqs.windows(2).filter(|w| w[1] < w[0]).count();
        if keep {
            assert_eq!(inversions, 0);
        } else {
            assert!(inversions > 100, "{inversions}");
        }
    }
}

#[test]
fn bursty_loss_constructor_hits_its_mean_rate_and_burst_length() {
    let loss = Loss::bursty(0.05, 3.0);
    assert!((loss.mean_rate() - 0.05).abs() < 1e-12);
    let n = 40_000u64;
    let link = LinkConfig {
        loss,
        ..LinkConfig::default()
    };
    let (mut net, _, _, sink) = sender_and_sink(10, link, |s, d| flow(s, d, 1, n, 20));
    net.run_for(Duration::from_secs(45));
    let mut arrived = vec![false; n as usize];
    for seq in sequence_numbers(&mut net, &sink) {
        arrived[seq as usize] = true;
    }
    let lost = arrived.iter().filter(|a| !**a).count() as f64;
    let rate = lost / n as f64;
    assert!((rate - 0.05).abs() < 0.01, "rate {rate}");
    let bursts = arrived.windows(2).filter(|w| w[0] && !w[1]).count() as f64;
    let mean_burst = lost / bursts;
    assert!((2.6..3.4).contains(&mean_burst), "mean burst {mean_burst}");
}

#[test]
fn a_scheduled_link_change_applies_from_its_instant() {
    let (mut net, start, probe, sink) =
        sender_and_sink(11, LinkConfig::default(), |s, d| flow(s, d, 10, 20, 20));
    let link = net.host_link(probe.host());
    let slow = LinkConfig::with_delay(Duration::from_millis(100));
    net.schedule_link_config(link, start + Duration::from_millis(100), None, slow);
    net.run_for(Duration::from_secs(1));
    let got = net.take_events(&sink);
    for r in &got {
        let seq = u64::from_be_bytes(r.contents[..8].try_into().unwrap());
        let one_way = r.at - start - Duration::from_millis(10 * seq);
        let expected = if seq < 10 { 10 } else { 105 };
        assert_eq!(one_way, Duration::from_millis(expected), "packet {seq}");
    }
    assert_eq!(got.len(), 20);
}
