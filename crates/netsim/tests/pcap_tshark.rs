//! The capture opens in tshark (Wireshark's command-line reader), which
//! decodes the synthesized IPv4/IPv6 and UDP headers and checks the UDP
//! checksums.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{addr, flow};
use sansrtc_netsim::{Echo, LinkConfig, NatConfig, Network, Probe};

fn tshark(args: &[&str]) -> String {
    let out = Command::new("tshark").args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run `tshark` ({e}): install it (Debian package `tshark`, which .ci/run installs) \
             to check the simulator's pcap files"
        )
    });
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("tshark prints UTF-8")
}

#[test]
fn tshark_decodes_ipv4_ipv6_and_nat_translated_datagrams() {
    let start = Instant::now();
    let mut net = Network::new(start, 5);
    net.enable_capture();
    let internet = net.internet();
    let nat = net
        .add_nat(
            internet,
            NatConfig::full_cone(addr("203.0.113.1:0").ip()),
            LinkConfig::default(),
        )
        .unwrap();
    let server4 = addr("192.0.2.1:7");
    let server6 = addr("[2001:db8::1]:7");
    net.add_host(
        internet,
        &[server4.ip(), server6.ip()],
        LinkConfig::default(),
        Echo::new(),
    )
    .unwrap();
    let inside = addr("10.0.0.2:5000");
    net.add_host(
        nat.inside(),
        &[inside.ip()],
        LinkConfig::default(),
        Probe::with_flow(inside, flow(start, server4, 10, 3, 33)),
    )
    .unwrap();
    let v6 = addr("[2001:db8::2]:6000");
    net.add_host(
        internet,
        &[v6.ip()],
        LinkConfig::default(),
        Probe::with_flow(v6, flow(start, server6, 10, 2, 1001)),
    )
    .unwrap();
    net.run_for(Duration::from_secs(1));
    let pcap = net.pcap().unwrap().to_vec();

    let dir = std::env::temp_dir().join(format!("sansrtc-netsim-pcap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("capture.pcap");
    std::fs::write(&path, &pcap).unwrap();
    let file = path.to_str().unwrap();
    let fields = tshark(&[
        "-r",
        file,
        "-o",
        "udp.check_checksum:TRUE",
        "-T",
        "fields",
        "-E",
        "separator=,",
        "-e",
        "ip.src",
        "-e",
        "ipv6.src",
        "-e",
        "udp.srcport",
        "-e",
        "ip.dst",
        "-e",
        "ipv6.dst",
        "-e",
        "udp.dstport",
        "-e",
        "udp.length",
        "-e",
        "udp.checksum.status",
    ]);
    let lines: Vec<&str> = fields.lines().collect();
    // IPv4: 3 sent inside + 3 translated + 3 echoes + 3 echoes translated;
    // IPv6: 2 sent + 2 echoes.
    assert_eq!(lines.len(), 16, "{fields}");
    let first = lines[0];
    assert_eq!(first, "10.0.0.2,,5000,192.0.2.1,,7,41,1", "{fields}");
    assert!(
        lines.iter().any(|l| l.starts_with("203.0.113.1,,")),
        "{fields}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(",2001:db8::2,6000,,2001:db8::1,7,1009,1")),
        "{fields}"
    );
    // Status 1 = "good": every UDP checksum verified (0 would be "bad").
    assert!(lines.iter().all(|l| l.ends_with(",1")), "{fields}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("192.0.2.1,,7,10.0.0.2,,5000,")),
        "{fields}"
    );
    // Timestamps are simulated time after the fixed epoch.
    let times = tshark(&["-r", file, "-T", "fields", "-e", "frame.time_epoch"]);
    let t0: f64 = times.lines().next().unwrap().trim().parse().unwrap();
    assert!((t0 - 1_700_000_000.0).abs() < 1e-6, "{times}");
    // The check can fail: corrupt the last payload byte and tshark says so.
    let mut bad = pcap;
    *bad.last_mut().unwrap() ^= 0xff;
    std::fs::write(&path, &bad).unwrap();
    let fields = tshark(&[
        "-r",
        file,
        "-o",
        "udp.check_checksum:TRUE",
        "-T",
        "fields",
        "-e",
        "udp.checksum.status",
    ]);
    assert_eq!(fields.lines().last(), Some("0"), "{fields}");
    let _ = std::fs::remove_dir_all(&dir);
}
