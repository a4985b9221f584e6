//! NAT behaviour as RFC 4787 defines it: mapping (§4.1) and filtering (§5)
//! behaviours, mapping refresh and timeout (§4.3), hairpinning (§6), port
//! assignment (§4.2), and the table bound.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::addr;
use sansrtc_netsim::{
    Fate, LinkConfig, NatBehavior, NatConfig, NatId, Network, NodeId, PortAssignment, Probe,
    Reflector,
};
use NatBehavior::{
    AddressAndPortDependent as Apd, AddressDependent as Ad, EndpointIndependent as Ei,
};

const PUBLIC: &str = "203.0.113.1:0";
const R1: &str = "192.0.2.1:3478"; // reflector host 1, port A
const R1_OTHER_PORT: &str = "192.0.2.1:3479"; // same host, port B
const R2: &str = "192.0.2.2:3478"; // reflector host 2
const OUTSIDER: &str = "192.0.2.9:5000";
const CLIENT: &str = "10.0.0.2:5000";

struct Setup {
    net: Network,
    nat: NatId,
    client: NodeId<Probe>,
    outsider: NodeId<Probe>,
    reflector1: NodeId<Reflector>,
}

fn setup(config: NatConfig) -> Setup {
    let mut net = Network::new(Instant::now(), 42);
    let internet = net.internet();
    let nat = net
        .add_nat(internet, config, LinkConfig::default())
        .unwrap();
    let reflector1 = net
        .add_host(
            internet,
            &[addr(R1).ip()],
            LinkConfig::default(),
            Reflector::new(),
        )
        .unwrap();
    net.add_host(
        internet,
        &[addr(R2).ip()],
        LinkConfig::default(),
        Reflector::new(),
    )
    .unwrap();
    let outsider = net
        .add_host(
            internet,
            &[addr(OUTSIDER).ip()],
            LinkConfig::default(),
            Probe::new(addr(OUTSIDER)),
        )
        .unwrap();
    let client = net
        .add_host(
            nat.inside(),
            &[addr(CLIENT).ip()],
            LinkConfig::default(),
            Probe::new(addr(CLIENT)),
        )
        .unwrap();
    Setup {
        net,
        nat,
        client,
        outsider,
        reflector1,
    }
}

fn nat(mapping: NatBehavior, filtering: NatBehavior) -> NatConfig {
    NatConfig::new(addr(PUBLIC).ip(), mapping, filtering)
}

/// The client asks `server` what address it sees.
fn mapped(s: &mut Setup, server: &str) -> Option<SocketAddr> {
    s.net.node_mut(&s.client).send(addr(server), b"?".to_vec());
    s.net.run_for(Duration::from_millis(100));
    let answers = s.net.take_events(&s.client);
    answers
        .first()
        .and_then(|r| Reflector::parse_answer(&r.contents))
}

/// Whether an unsolicited datagram from `from` (a host of the setup) to
/// `to` reaches the client.
fn admitted(s: &mut Setup, from: &str, to: SocketAddr) -> bool {
    let from = addr(from);
    let transmit = sansrtc_proto::Transmit {
        protocol: sansrtc_proto::Protocol::Udp,
        source: from,
        destination: to,
        contents: b"unsolicited".to_vec(),
    };
    let host = if from.ip() == addr(OUTSIDER).ip() {
        s.outsider.host()
    } else {
        s.reflector1.host()
    };
    s.net.inject(host, transmit);
    s.net.run_for(Duration::from_millis(100));
    s.net
        .take_events(&s.client)
        .iter()
        .any(|r| r.contents == b"unsolicited" && r.source == from)
}

#[test]
fn endpoint_independent_mapping_reuses_one_external_address() {
    let mut s = setup(nat(Ei, Apd));
    let a = mapped(&mut s, R1).unwrap();
    assert_eq!(a.ip(), addr(PUBLIC).ip());
    assert_eq!(mapped(&mut s, R1_OTHER_PORT), Some(a));
    assert_eq!(mapped(&mut s, R2), Some(a));
    assert_eq!(s.net.nat_mappings(s.nat), vec![(addr(CLIENT), a)]);
}

#[test]
fn address_dependent_mapping_changes_with_the_remote_ip_only() {
    let mut s = setup(nat(Ad, Apd));
    let a = mapped(&mut s, R1).unwrap();
    assert_eq!(mapped(&mut s, R1_OTHER_PORT), Some(a));
    let b = mapped(&mut s, R2).unwrap();
    assert_ne!(a, b);
    assert_eq!(s.net.nat_counters(s.nat).mappings_created, 2);
}

#[test]
fn address_and_port_dependent_mapping_changes_with_every_remote() {
    let mut s = setup(nat(Apd, Apd));
    let a = mapped(&mut s, R1).unwrap();
    let a2 = mapped(&mut s, R1_OTHER_PORT).unwrap();
    let b = mapped(&mut s, R2).unwrap();
    assert!(a != a2 && a != b && a2 != b);
    assert_eq!(s.net.nat_counters(s.nat).mappings_created, 3);
}

#[test]
fn endpoint_independent_filtering_admits_anyone_once_mapped() {
    let mut s = setup(nat(Ei, Ei));
    let a = mapped(&mut s, R1).unwrap();
    assert!(admitted(&mut s, "192.0.2.1:9999", a));
    assert!(admitted(&mut s, OUTSIDER, a));
}

#[test]
fn address_dependent_filtering_admits_only_contacted_ips() {
    let mut s = setup(nat(Ei, Ad));
    let a = mapped(&mut s, R1).unwrap();
    assert!(admitted(&mut s, "192.0.2.1:9999", a));
    assert!(!admitted(&mut s, OUTSIDER, a));
    assert_eq!(s.net.nat_counters(s.nat).filtered, 1);
}

#[test]
fn address_and_port_dependent_filtering_admits_only_contacted_endpoints() {
    let mut s = setup(nat(Ei, Apd));
    let a = mapped(&mut s, R1).unwrap();
    assert!(!admitted(&mut s, "192.0.2.1:9999", a));
    assert!(!admitted(&mut s, OUTSIDER, a));
    // The reflector's own port is admitted (that is how answers arrive).
    assert!(admitted(&mut s, R1, a));
    let filtered = s
        .net
        .trace()
        .records()
        .iter()
        .filter(|r| r.fate == Fate::DroppedNatFiltered)
        .count();
    assert_eq!(filtered, 2);
}

#[test]
fn unmapped_ports_are_dropped_whatever_the_filtering() {
    let mut s = setup(nat(Ei, Ei));
    let _ = mapped(&mut s, R1).unwrap();
    let unmapped = SocketAddr::new(addr(PUBLIC).ip(), 1);
    assert!(!admitted(&mut s, OUTSIDER, unmapped));
    assert_eq!(s.net.nat_counters(s.nat).no_mapping, 1);
}

#[test]
fn mappings_expire_after_the_idle_timeout_and_outbound_traffic_refreshes_them() {
    let mut config = nat(Ei, Ei);
    config.mapping_timeout = Duration::from_secs(120);
    config.ports = PortAssignment::Sequential(40_000);
    let mut s = setup(config);
    let a = mapped(&mut s, R1).unwrap();
    // Keep-alives every 100 s keep it (REQ-6: outbound refreshes).
    for _ in 0..3 {
        s.net.run_for(Duration::from_secs(100));
        assert_eq!(mapped(&mut s, R1), Some(a));
    }
    // Inbound traffic does not refresh it by default.
    s.net.run_for(Duration::from_secs(100));
    assert!(admitted(&mut s, OUTSIDER, a));
    s.net.run_for(Duration::from_secs(21));
    assert!(!admitted(&mut s, OUTSIDER, a), "expired after 120 s idle");
    assert_eq!(s.net.nat_counters(s.nat).mappings_expired, 1);
    // A new flow gets a new port.
    let b = mapped(&mut s, R1).unwrap();
    assert_ne!(a, b);
}

#[test]
fn inbound_refresh_keeps_a_mapping_alive_when_configured() {
    let mut config = nat(Ei, Ei);
    config.mapping_timeout = Duration::from_secs(30);
    config.inbound_refresh = true;
    let mut s = setup(config);
    let a = mapped(&mut s, R1).unwrap();
    for _ in 0..4 {
        s.net.run_for(Duration::from_secs(20));
        assert!(admitted(&mut s, OUTSIDER, a));
    }
}

fn hairpin_setup(hairpinning: bool) -> (Setup, NodeId<Probe>) {
    let mut config = nat(Ei, Ei);
    config.hairpinning = hairpinning;
    let mut s = setup(config);
    let peer_addr = addr("10.0.0.3:6000");
    let peer = s
        .net
        .add_host(
            s.nat.inside(),
            &[peer_addr.ip()],
            LinkConfig::default(),
            Probe::new(peer_addr),
        )
        .unwrap();
    (s, peer)
}

#[test]
fn hairpinning_delivers_inside_with_the_external_source() {
    let (mut s, peer) = hairpin_setup(true);
    let client_external = mapped(&mut s, R1).unwrap();
    s.net.node_mut(&peer).send(addr(R1), b"?".to_vec());
    s.net.run_for(Duration::from_millis(100));
    let peer_external = Reflector::parse_answer(&s.net.take_events(&peer)[0].contents).unwrap();
    s.net
        .node_mut(&peer)
        .send(client_external, b"hairpin".to_vec());
    s.net.run_for(Duration::from_millis(100));
    let got = s.net.take_events(&s.client);
    assert_eq!(got.len(), 1);
    // RFC 4787 REQ-9: the source is the sender's external address.
    assert_eq!(got[0].source, peer_external);
    assert_eq!(got[0].destination, addr(CLIENT));
    assert_eq!(s.net.nat_counters(s.nat).hairpinned, 1);
}

#[test]
fn without_hairpinning_the_public_address_is_unreachable_from_inside() {
    let (mut s, peer) = hairpin_setup(false);
    let client_external = mapped(&mut s, R1).unwrap();
    s.net
        .node_mut(&peer)
        .send(client_external, b"hairpin".to_vec());
    s.net.run_for(Duration::from_millis(100));
    assert!(s.net.take_events(&s.client).is_empty());
    assert_eq!(s.net.nat_counters(s.nat).hairpin_refused, 1);
    assert!(s
        .net
        .trace()
        .records()
        .iter()
        .any(|r| r.fate == Fate::DroppedNatHairpin));
}

#[test]
fn port_assignment_preserves_or_counts_as_configured() {
    let mut config = nat(Apd, Apd);
    config.ports = PortAssignment::Preserve;
    let mut s = setup(config);
    assert_eq!(mapped(&mut s, R1).unwrap().port(), 5000);
    // Taken: the next free port upwards.
    assert_eq!(mapped(&mut s, R2).unwrap().port(), 1024);
    let mut config = nat(Apd, Apd);
    config.ports = PortAssignment::Sequential(50_000);
    let mut s = setup(config);
    assert_eq!(mapped(&mut s, R1).unwrap().port(), 50_000);
    assert_eq!(mapped(&mut s, R2).unwrap().port(), 50_001);
}

#[test]
fn a_full_table_drops_new_flows_and_counts_them() {
    let mut config = nat(Apd, Apd);
    config.max_mappings = 2;
    let mut s = setup(config);
    assert!(mapped(&mut s, R1).is_some());
    assert!(mapped(&mut s, R2).is_some());
    assert!(mapped(&mut s, R1_OTHER_PORT).is_none());
    assert_eq!(s.net.nat_counters(s.nat).table_full, 1);
    // Existing flows still work.
    assert!(mapped(&mut s, R1).is_some());
}

#[test]
fn nested_nats_translate_twice() {
    let mut net = Network::new(Instant::now(), 3);
    let internet = net.internet();
    let cgn = net
        .add_nat(
            internet,
            NatConfig::full_cone(addr("203.0.113.50:0").ip()),
            LinkConfig::default(),
        )
        .unwrap();
    let home = net
        .add_nat(
            cgn.inside(),
            NatConfig::port_restricted_cone(addr("100.64.0.2:0").ip()),
            LinkConfig::default(),
        )
        .unwrap();
    net.add_host(
        internet,
        &[addr(R1).ip()],
        LinkConfig::default(),
        Reflector::new(),
    )
    .unwrap();
    let client = net
        .add_host(
            home.inside(),
            &[addr(CLIENT).ip()],
            LinkConfig::default(),
            Probe::new(addr(CLIENT)),
        )
        .unwrap();
    net.node_mut(&client).send(addr(R1), b"?".to_vec());
    net.run_for(Duration::from_millis(200));
    let got = net.take_events(&client);
    let seen = Reflector::parse_answer(&got[0].contents).unwrap();
    assert_eq!(seen.ip(), addr("203.0.113.50:0").ip());
    // Each way: the two access links and the two NAT links, 5 ms each.
    assert_eq!(got[0].at - net.start(), Duration::from_millis(40));
}

#[test]
fn a_family_without_a_public_address_has_no_route() {
    let mut s = setup(nat(Ei, Ei));
    let v6 = addr("[2001:db8::1]:5000");
    let client6 = s
        .net
        .add_host(
            s.nat.inside(),
            &[addr("[fd00::2]:0").ip()],
            LinkConfig::default(),
            Probe::new(addr("[fd00::2]:5000")),
        )
        .unwrap();
    s.net.node_mut(&client6).send(v6, b"x".to_vec());
    s.net.run_for(Duration::from_millis(100));
    assert_eq!(s.net.trace().records().last().unwrap().fate, Fate::NoRoute);
}

#[test]
fn flushing_a_nat_rebinds_flows_to_new_ports() {
    let mut config = nat(Ei, Apd);
    config.ports = PortAssignment::Sequential(30_000);
    let mut s = setup(config);
    let before = mapped(&mut s, R1).unwrap();
    s.net.flush_nat(s.nat);
    assert!(s.net.nat_mappings(s.nat).is_empty());
    // The server's answer to the old mapping no longer gets in.
    assert!(!admitted(&mut s, R1, before));
    let after = mapped(&mut s, R1).unwrap();
    assert_ne!(before.port(), after.port());
}
