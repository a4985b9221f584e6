//! The candidate grammar against every `a=candidate` line of the corpus, known
//! shapes from browsers, and hostile input.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

use sansrtc_sdp::{
    Candidate, CandidateAddress, CandidateError, CandidateField, CandidateKind, CandidateTransport,
    TcpType,
};

fn corpus_candidate_lines() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut lines = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/data exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sdp"))
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).expect("corpus file is UTF-8");
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            if line.starts_with("a=candidate:") {
                lines.push((path.display().to_string(), line.to_owned()));
            }
        }
    }
    lines
}

#[test]
fn every_corpus_candidate_round_trips_identically() {
    let lines = corpus_candidate_lines();
    assert!(
        lines.len() >= 20,
        "expected the corpus to hold candidates, got {}",
        lines.len()
    );
    for (file, line) in &lines {
        let candidate: Candidate = line
            .parse()
            .unwrap_or_else(|e| panic!("{file}: {line}: {e}"));
        assert_eq!(format!("a={candidate}"), *line, "{file}");
        // The same text without `a=`, as addIceCandidate receives it.
        let trickled: Candidate = line[2..].parse().expect("trickle form parses");
        assert_eq!(trickled, candidate);
        assert_eq!(trickled.to_string(), line[2..]);
    }
}

#[test]
fn chromium_tcp_active_candidate_fields() {
    let c: Candidate = "a=candidate:2227116758 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0 network-id 1 network-cost 50\r\n"
        .parse()
        .unwrap();
    assert_eq!(c.foundation, "2227116758");
    assert_eq!(c.component, 1);
    assert_eq!(c.transport, CandidateTransport::Tcp);
    assert_eq!(c.priority, 1518280447);
    assert_eq!(
        c.address,
        CandidateAddress::Ip(IpAddr::V4(Ipv4Addr::LOCALHOST))
    );
    assert_eq!(c.port, 9);
    assert_eq!(c.kind, CandidateKind::Host);
    assert_eq!(c.tcp_type, Some(TcpType::Active));
    assert_eq!(c.generation, Some(0));
    assert_eq!(c.network_id, Some(1));
    assert_eq!(c.network_cost, Some(50));
    assert!(c.extensions.is_empty());
}

#[test]
fn aiortc_ipv6_host_candidate_fields() {
    let c: Candidate =
        "candidate:d0bcf3d9c29a2bc887618212a1623bfa 1 udp 2130706431 fd00::2 49977 typ host"
            .parse()
            .unwrap();
    assert_eq!(c.foundation.len(), 32);
    assert_eq!(
        c.address,
        CandidateAddress::Ip(IpAddr::V6("fd00::2".parse::<Ipv6Addr>().unwrap()))
    );
    assert_eq!(c.generation, None);
}

#[test]
fn chromium_trickled_srflx_with_ufrag_and_mdns_raddr() {
    // Shape of a candidate Chromium hands to onicecandidate (reconstructed).
    let text = "candidate:842163049 1 udp 1677729535 198.51.100.7 46154 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag EsAw network-id 1 network-cost 10";
    let c: Candidate = text.parse().unwrap();
    assert_eq!(c.kind, CandidateKind::ServerReflexive);
    assert_eq!(
        c.related_address,
        Some(CandidateAddress::Ip(IpAddr::V4(Ipv4Addr::UNSPECIFIED)))
    );
    assert_eq!(c.related_port, Some(0));
    assert_eq!(c.ufrag.as_deref(), Some("EsAw"));
    assert_eq!(c.to_string(), text);
}

#[test]
fn mdns_host_name_is_kept_as_a_name() {
    let text = "candidate:1 1 udp 2122262783 4b3c1a2e-9d1f-4c6a-8f2e-0123456789ab.local 54321 typ host generation 0 ufrag abcd network-id 2";
    let c: Candidate = text.parse().unwrap();
    assert_eq!(
        c.address,
        CandidateAddress::Fqdn("4b3c1a2e-9d1f-4c6a-8f2e-0123456789ab.local".into())
    );
    assert!(c.address.is_mdns());
    assert_eq!(c.address.ip(), None);
    assert_eq!(c.to_string(), text);
}

#[test]
fn firefox_upper_case_transport_and_relay_round_trip() {
    // Firefox writes the transport in upper case (reconstructed shapes).
    for text in [
        "candidate:0 1 UDP 2122252543 192.0.2.10 56034 typ host",
        "candidate:1 1 TCP 2105524479 192.0.2.10 9 typ host tcptype active",
        "candidate:2 1 UDP 1686052607 203.0.113.5 56034 typ srflx raddr 192.0.2.10 rport 56034",
        "candidate:3 2 UDP 92217086 203.0.113.9 61525 typ relay raddr 203.0.113.5 rport 61525",
        "candidate:4 1 udp 1845501695 2001:db8::5 3478 typ prflx raddr 2001:db8::1 rport 5000",
    ] {
        let c: Candidate = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(c.to_string(), text);
    }
    let relay: Candidate =
        "candidate:3 2 UDP 92217086 203.0.113.9 61525 typ relay raddr 203.0.113.5 rport 61525"
            .parse()
            .unwrap();
    assert_eq!(relay.kind, CandidateKind::Relay);
    assert_eq!(relay.component, 2);
    assert!(relay.transport_uppercase);
}

#[test]
fn unknown_extensions_are_kept_in_order() {
    let text = "candidate:1 1 udp 100 192.0.2.1 5000 typ host generation 0 zeta 1 alpha x.y";
    let c: Candidate = text.parse().unwrap();
    assert_eq!(
        c.extensions,
        vec![
            ("zeta".to_owned(), "1".to_owned()),
            ("alpha".to_owned(), "x.y".to_owned())
        ]
    );
    assert_eq!(c.to_string(), text);
}

#[test]
fn built_candidate_writes_the_grammar() {
    let mut c = Candidate::new(
        "abc+/1",
        1,
        CandidateTransport::Udp,
        2130706431,
        CandidateAddress::Ip(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))),
        4000,
        CandidateKind::Host,
    );
    c.ufrag = Some("uFrG".into());
    assert_eq!(
        c.to_string(),
        "candidate:abc+/1 1 udp 2130706431 192.0.2.1 4000 typ host ufrag uFrG"
    );
    assert_eq!(c.to_string().parse::<Candidate>().unwrap(), c);
}

#[test]
fn lenient_prefix_case_and_surrounding_space() {
    let c: Candidate = "  A=Candidate:1 1 udp 100 192.0.2.1 5000 TYP HOST  \r\n"
        .parse()
        .unwrap();
    assert_eq!(c.kind, CandidateKind::Host);
    assert_eq!(
        c.to_string(),
        "candidate:1 1 udp 100 192.0.2.1 5000 typ host"
    );
}

fn err(text: &str) -> CandidateError {
    match text.parse::<Candidate>() {
        Ok(c) => panic!("{text:?} parsed as {c:?}"),
        Err(e) => e,
    }
}

#[test]
fn hostile_and_malformed_inputs_name_the_cause() {
    use CandidateError as E;
    let base = "candidate:1 1 udp 100 192.0.2.1 5000 typ host";
    assert_eq!(err(""), E::MissingPrefix);
    assert_eq!(err("1 1 udp 100 192.0.2.1 5000 typ host"), E::MissingPrefix);
    assert_eq!(err("a=candidat:1"), E::MissingPrefix);
    assert_eq!(err("candidate:"), E::Missing(CandidateField::Foundation));
    assert_eq!(err("candidate:1"), E::Missing(CandidateField::Component));
    assert_eq!(err("candidate:1 1"), E::Missing(CandidateField::Transport));
    assert_eq!(
        err("candidate:1 1 udp"),
        E::Missing(CandidateField::Priority)
    );
    assert_eq!(
        err("candidate:1 1 udp 100"),
        E::Missing(CandidateField::Address)
    );
    assert_eq!(
        err("candidate:1 1 udp 100 192.0.2.1"),
        E::Missing(CandidateField::Port)
    );
    assert_eq!(
        err("candidate:1 1 udp 100 192.0.2.1 5000"),
        E::Missing(CandidateField::Type)
    );
    assert_eq!(
        err("candidate:1 1 udp 100 192.0.2.1 5000 typ"),
        E::Missing(CandidateField::Type)
    );
    assert_eq!(
        err("candidate:1 1 udp 100 192.0.2.1 5000 type host"),
        E::ExpectedTyp
    );
    assert_eq!(
        err("candidate:1 1 udp 100 192.0.2.1 5000 typ relayed"),
        E::UnknownType
    );
    assert_eq!(
        err(&format!(
            "candidate:{} 1 udp 100 192.0.2.1 5000 typ host",
            "f".repeat(33)
        )),
        E::InvalidFoundation
    );
    assert_eq!(
        err("candidate:a-b 1 udp 100 192.0.2.1 5000 typ host"),
        E::InvalidFoundation
    );
    assert_eq!(
        err("candidate:1 0 udp 100 192.0.2.1 5000 typ host"),
        E::InvalidComponent
    );
    assert_eq!(
        err("candidate:1 257 udp 100 192.0.2.1 5000 typ host"),
        E::InvalidComponent
    );
    assert_eq!(
        err("candidate:1 -1 udp 100 192.0.2.1 5000 typ host"),
        E::InvalidComponent
    );
    assert_eq!(
        err("candidate:1 1 sctp 100 192.0.2.1 5000 typ host"),
        E::UnknownTransport
    );
    assert_eq!(
        err("candidate:1 1 udp 4294967296 192.0.2.1 5000 typ host"),
        E::InvalidPriority
    );
    assert_eq!(
        err("candidate:1 1 udp +100 192.0.2.1 5000 typ host"),
        E::InvalidPriority
    );
    assert_eq!(
        err("candidate:1 1 udp 100 fe80::1%eth0 5000 typ host"),
        E::InvalidAddress
    );
    assert_eq!(
        err("candidate:1 1 udp 100 ~~~ 5000 typ host"),
        E::InvalidAddress
    );
    assert_eq!(
        err("candidate:1 1 udp 100 192.0.2.1 65536 typ host"),
        E::InvalidPort
    );
    assert_eq!(
        err("candidate:1 1 udp 100 192.0.2.1 port typ host"),
        E::InvalidPort
    );
    assert_eq!(
        err(&format!("{base} raddr")),
        E::Missing(CandidateField::RelatedAddress)
    );
    assert_eq!(err(&format!("{base} raddr ::g")), E::InvalidRelatedAddress);
    assert_eq!(err(&format!("{base} rport 99999")), E::InvalidRelatedPort);
    assert_eq!(err(&format!("{base} tcptype active")), E::TcpTypeOnUdp);
    assert_eq!(
        err("candidate:1 1 tcp 100 192.0.2.1 9 typ host tcptype sideways"),
        E::UnknownTcpType
    );
    assert_eq!(err(&format!("{base} generation x")), E::InvalidGeneration);
    assert_eq!(
        err(&format!("{base} generation 0 generation 1")),
        E::Duplicate(CandidateField::Generation)
    );
    assert_eq!(err(&format!("{base} network-id -1")), E::InvalidNetworkId);
    assert_eq!(
        err(&format!("{base} network-cost 1e3")),
        E::InvalidNetworkCost
    );
    assert_eq!(err(&format!("{base} ufrag a:b")), E::InvalidUfrag);
    assert_eq!(
        err(&format!("{base} odd")),
        E::ExtensionWithoutValue("odd".into())
    );
    assert_eq!(err(&format!("{base} na(me) 1")), E::InvalidExtensionName);
    assert_eq!(err(&format!("{base} name vålue")), E::InvalidExtensionValue);
    let many: String = (0..40).map(|i| format!(" k{i} v")).collect();
    assert_eq!(
        err(&format!("{base}{many}")),
        E::TooManyExtensions { max: 32 }
    );
    let long = format!("{base} x {}", "v".repeat(5000));
    assert!(matches!(err(&long), E::TooLong { .. }));
    // Non-ASCII in any position is refused without a panic.
    for i in 0..base.len() {
        if base.is_char_boundary(i) {
            let hostile = format!("{}é{}", &base[..i], &base[i..]);
            let _ = hostile.parse::<Candidate>();
        }
    }
}

#[test]
fn errors_describe_themselves() {
    assert_eq!(
        CandidateError::Missing(CandidateField::Port).to_string(),
        "missing port"
    );
    assert_eq!(
        CandidateError::Duplicate(CandidateField::NetworkCost).to_string(),
        "network-cost given more than once"
    );
}
