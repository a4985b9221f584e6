//! `getStats()`: a call with audio and a data channel, then the report of
//! each side checked against the W3C dictionaries — the types present, the
//! member spellings, the counts against what was sent, and every `…Id`
//! naming an object of the same report.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant, SystemTime};

use common::Pair;
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc::stats::{RtcStats, RtcStatsReport};
use sansrtc::*;
use serde_json::Value;

/// a sends `FRAMES` Opus frames to b over a negotiated audio section, with
/// a data channel open; reports have flowed both ways.
const FRAMES: u32 = 150;

fn call() -> (Pair, TransceiverId, ChannelId) {
    let mut p = Pair::new();
    let now = p.now;
    let sender =
        p.a.add_track(MediaStreamTrack::new("mic", MediaKind::Audio), &["s1"])
            .unwrap();
    let chat =
        p.a.create_data_channel(now, DataChannelInit::new("chat"))
            .unwrap();
    p.negotiate();
    assert!(p.run_until(Duration::from_secs(10), |p| {
        Pair::opened(&p.events_a).contains(&chat)
            && p.a.connection_state() == PeerConnectionState::Connected
            && p.b.connection_state() == PeerConnectionState::Connected
    }));
    // Three seconds of audio, 20 ms frames: several report intervals.
    for i in 0..FRAMES {
        p.a.write_frame(p.now, sender, i * 960, &[0xf8, 0xff, 0xfe, i as u8])
            .unwrap();
        p.run_until(Duration::from_millis(20), |_| false);
    }
    p.run_until(Duration::from_millis(1500), |_| false);
    (p, sender, chat)
}

fn json(report: &RtcStatsReport) -> Value {
    serde_json::to_value(report).unwrap()
}

fn types(report: &RtcStatsReport) -> BTreeSet<&'static str> {
    report.iter().map(|(_, s)| s.stats_type()).collect()
}

/// The one object of `stats_type` (asserting there is one).
fn only<'a>(report: &'a Value, stats_type: &str) -> &'a Value {
    let all: Vec<&Value> = report
        .as_object()
        .unwrap()
        .values()
        .filter(|s| s["type"] == stats_type)
        .collect();
    assert_eq!(all.len(), 1, "one {stats_type}: {all:#?}");
    all[0]
}

/// Every member whose name ends in `Id` (`transportId`, `codecId`, …) names
/// an object of the report; returns how many references were checked.
fn check_references(report: &Value) -> usize {
    let objects = report.as_object().unwrap();
    let mut checked = 0;
    for (id, stats) in objects {
        assert_eq!(stats["id"], id.as_str(), "the key is the object's id");
        for (member, value) in stats.as_object().unwrap() {
            if member.ends_with("Id") && member != "id" {
                let target = value.as_str().unwrap_or_else(|| panic!("{member} of {id}"));
                assert!(
                    objects.contains_key(target),
                    "{id}.{member} = {target} names no object of the report"
                );
                checked += 1;
            }
        }
    }
    checked
}

/// A connection with the default configuration, never negotiated.
fn lone_connection(seed: u64, now: Instant, wall: SystemTime) -> RtcPeerConnection {
    RtcPeerConnection::new(
        RtcConfiguration::default(),
        ChaCha20Rng::seed_from_u64(seed),
        now,
        wall,
    )
    .unwrap()
}

fn unix_ms(wall: SystemTime) -> f64 {
    wall.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

#[test]
fn a_call_reports_every_dictionary_with_w3c_names() {
    let (p, sender, _chat) = call();
    let ssrc = p.a.transceiver(sender).unwrap().sender.ssrc;

    let report_a = p.a.get_stats(p.now);
    let report_b = p.b.get_stats(p.now);
    // Both sides have these; a sends audio, b receives it.
    let both = [
        "codec",
        "peer-connection",
        "data-channel",
        "transport",
        "candidate-pair",
        "local-candidate",
        "remote-candidate",
        "certificate",
    ];
    let sender = ["outbound-rtp", "remote-inbound-rtp", "media-source"];
    for (name, report, own) in [
        ("a", &report_a, &sender[..]),
        ("b", &report_b, &["inbound-rtp", "remote-outbound-rtp"][..]),
    ] {
        let got = types(report);
        for t in both.iter().chain(own) {
            assert!(got.contains(t), "{name} has no {t}: {got:?}");
        }
    }
    // b only receives; a only sends.
    assert!(!types(&report_b).contains("outbound-rtp"));
    assert!(!types(&report_a).contains("inbound-rtp"));

    let a = json(&report_a);
    let b = json(&report_b);

    // The W3C spellings, literally.
    let inbound = only(&b, "inbound-rtp");
    assert_eq!(inbound["id"], format!("I{ssrc}"));
    assert_eq!(inbound["ssrc"], ssrc);
    assert_eq!(inbound["kind"], "audio");
    assert_eq!(inbound["mid"], "0");
    assert_eq!(inbound["packetsReceived"], FRAMES);
    assert_eq!(inbound["packetsLost"], 0);
    // RFC 3550 A.8 in RTP units, in seconds here (the harness advances
    // time by timeouts, so frames leave at uneven instants: some jitter).
    let units = p.b.receive_stats(ssrc).unwrap().jitter();
    assert_eq!(inbound["jitter"], f64::from(units) / 48_000.0);
    assert!(inbound["trackIdentifier"].is_string());
    let codec = &b[inbound["codecId"].as_str().unwrap()];
    assert_eq!(codec["type"], "codec");
    assert_eq!(codec["mimeType"], "audio/opus");
    assert_eq!(codec["clockRate"], 48_000);
    assert_eq!(codec["channels"], 2);
    assert_eq!(codec["payloadType"], 111);
    assert_eq!(codec["sdpFmtpLine"], "minptime=10;useinbandfec=1");
    assert_eq!(codec["transportId"], "T01");

    // a's sender reports, as b received them.
    let remote_outbound = only(&b, "remote-outbound-rtp");
    assert_eq!(remote_outbound["id"], format!("RO{ssrc}"));
    assert_eq!(remote_outbound["localId"], format!("I{ssrc}"));
    assert_eq!(remote_outbound["codecId"], inbound["codecId"]);
    assert!(remote_outbound["reportsSent"].as_u64().unwrap() >= 1);
    // The last report counted what a had sent by then.
    let reported = remote_outbound["packetsSent"].as_u64().unwrap();
    assert!((1..=FRAMES as u64).contains(&reported), "{reported}");
    assert_eq!(remote_outbound["bytesSent"].as_u64().unwrap(), reported * 4);
    assert!(remote_outbound["remoteTimestamp"].as_f64().unwrap() > 1.7e12);

    let outbound = only(&a, "outbound-rtp");
    assert_eq!(outbound["id"], format!("O{ssrc}"));
    assert_eq!(outbound["packetsSent"], FRAMES);
    assert_eq!(outbound["bytesSent"], FRAMES * 4, "payload octets");
    assert_eq!(outbound["kind"], "audio");
    assert_eq!(outbound["mid"], "0");
    assert_eq!(outbound["remoteId"], format!("RI{ssrc}"));
    let source = &a[outbound["mediaSourceId"].as_str().unwrap()];
    assert_eq!(source["type"], "media-source");
    assert_eq!(source["trackIdentifier"], "mic");
    assert_eq!(source["kind"], "audio");
    assert_eq!(
        a[outbound["codecId"].as_str().unwrap()]["mimeType"],
        "audio/opus"
    );

    let remote_inbound = only(&a, "remote-inbound-rtp");
    assert_eq!(remote_inbound["ssrc"], ssrc);
    assert_eq!(remote_inbound["localId"], format!("O{ssrc}"));
    assert_eq!(remote_inbound["packetsLost"], 0);
    assert_eq!(remote_inbound["fractionLost"], 0.0);
    assert!(remote_inbound["jitter"].as_f64().unwrap() >= 0.0);
    // The in-memory network has no delay: an RTT of about nothing.
    let rtt = remote_inbound["roundTripTime"]
        .as_f64()
        .expect("roundTripTime");
    assert!((0.0..0.005).contains(&rtt), "{rtt}");

    for (side, report, ice_role) in [("a", &a, "controlling"), ("b", &b, "controlled")] {
        let transport = only(report, "transport");
        assert_eq!(transport["id"], "T01", "{side}");
        assert_eq!(transport["dtlsState"], "connected");
        assert!(
            matches!(
                transport["iceState"].as_str(),
                Some("connected" | "completed")
            ),
            "{transport}"
        );
        assert_eq!(transport["iceRole"], ice_role);
        // Two sansrtc peers negotiate DTLS 1.3 with the hybrid group.
        assert_eq!(transport["tlsVersion"], "FEFC");
        assert_eq!(transport["dtlsCipher"], "TLS_AES_128_GCM_SHA256");
        assert_eq!(transport["tlsGroup"], "X25519MLKEM768");
        assert!(transport["srtpCipher"]
            .as_str()
            .unwrap()
            .starts_with("SRTP_"));
        assert!(matches!(
            transport["dtlsRole"].as_str(),
            Some("client" | "server")
        ));
        assert_eq!(
            transport["iceLocalUsernameFragment"]
                .as_str()
                .unwrap()
                .len(),
            8
        );
        let pair = &report[transport["selectedCandidatePairId"].as_str().unwrap()];
        assert_eq!(pair["type"], "candidate-pair");
        assert_eq!(pair["state"], "succeeded");
        assert_eq!(pair["nominated"], true);
        let local = &report[pair["localCandidateId"].as_str().unwrap()];
        let remote = &report[pair["remoteCandidateId"].as_str().unwrap()];
        assert_eq!(local["type"], "local-candidate");
        assert_eq!(remote["type"], "remote-candidate");
        let (ours, theirs) = if side == "a" {
            (common::ADDR_A, common::ADDR_B)
        } else {
            (common::ADDR_B, common::ADDR_A)
        };
        assert_eq!(
            format!("{}:{}", local["address"].as_str().unwrap(), local["port"]),
            ours
        );
        assert_eq!(
            format!("{}:{}", remote["address"].as_str().unwrap(), remote["port"]),
            theirs
        );
        assert_eq!(local["candidateType"], "host");
        assert_eq!(local["protocol"], "udp");
        assert!(local["priority"].as_u64().unwrap() > 0);
        assert!(local["foundation"].is_string());
        assert_eq!(
            local["usernameFragment"],
            transport["iceLocalUsernameFragment"]
        );

        // Our certificate and the peer's, as sha-256 fingerprints.
        let local_cert = &report[transport["localCertificateId"].as_str().unwrap()];
        let remote_cert = &report[transport["remoteCertificateId"].as_str().unwrap()];
        for cert in [local_cert, remote_cert] {
            assert_eq!(cert["type"], "certificate");
            assert_eq!(cert["fingerprintAlgorithm"], "sha-256");
            assert_eq!(cert["fingerprint"].as_str().unwrap().len(), 32 * 3 - 1);
            assert!(!cert["base64Certificate"].as_str().unwrap().is_empty());
        }
        assert_ne!(local_cert["id"], remote_cert["id"]);

        let channel = only(report, "data-channel");
        assert_eq!(channel["label"], "chat");
        assert_eq!(channel["protocol"], "");
        assert_eq!(channel["state"], "open");
        assert!(channel["dataChannelIdentifier"].is_u64());
        only(report, "peer-connection");

        // Every object is stamped at the same wall-clock instant.
        let stamps: BTreeSet<String> = report
            .as_object()
            .unwrap()
            .values()
            .map(|s| s["timestamp"].to_string())
            .collect();
        assert_eq!(stamps.len(), 1, "{stamps:?}");
    }
    // Each side's local certificate is the other's remote one.
    let cert_of = |report: &Value, member: &str| {
        let id = only(report, "transport")[member]
            .as_str()
            .unwrap()
            .to_owned();
        report[id.as_str()]["fingerprint"].clone()
    };
    assert_eq!(
        cert_of(&a, "localCertificateId"),
        cert_of(&b, "remoteCertificateId")
    );
    assert_eq!(
        cert_of(&b, "localCertificateId"),
        cert_of(&a, "remoteCertificateId")
    );

    // The typed view agrees with the JSON one.
    let typed = report_b.get(&format!("I{ssrc}")).unwrap();
    let RtcStats::InboundRtp(inbound) = typed else {
        panic!("{typed:?}")
    };
    assert_eq!(inbound.packets_received, u64::from(FRAMES));
    assert_eq!(report_b.of_type("inbound-rtp").count(), 1);
}

#[test]
fn every_id_reference_resolves() {
    let (p, _, _) = call();
    let a = check_references(&json(&p.a.get_stats(p.now)));
    let b = check_references(&json(&p.b.get_stats(p.now)));
    // transportId everywhere, codecId, mediaSourceId, remoteId, localId,
    // the transport's pair and certificates, each pair's candidates.
    assert!(a >= 15, "{a} references on a");
    assert!(b >= 10, "{b} references on b");
}

#[test]
fn the_report_round_trips_through_json() {
    let (p, _, _) = call();
    for report in [p.a.get_stats(p.now), p.b.get_stats(p.now)] {
        let text = serde_json::to_string(&report).unwrap();
        let back: RtcStatsReport = serde_json::from_str(&text).unwrap();
        assert_eq!(back, report);
        assert_eq!(serde_json::to_string(&back).unwrap(), text);
    }
}

#[test]
fn the_timestamp_is_the_connection_wall_clock() {
    let start = Instant::now();
    let wall = SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
    let pc = lone_connection(9, start, wall);
    let later = start + Duration::from_micros(2_500_250);
    let report = pc.get_stats(later);
    let expected = unix_ms(wall) + 2500.25;
    for (_, stats) in report.iter() {
        assert!(
            (stats.timestamp() - expected).abs() < 1e-6,
            "{}",
            stats.timestamp()
        );
    }
    assert_eq!(json(&report)["P"]["timestamp"], 1_700_000_002_623.25);
}

#[test]
fn a_fresh_connection_has_a_report_too() {
    let now = Instant::now();
    let pc = lone_connection(3, now, SystemTime::now());
    let report = pc.get_stats(now);
    let got = types(&report);
    assert!(got.contains("peer-connection"), "{got:?}");
    assert!(got.contains("certificate"), "{got:?}");
    assert!(!got.contains("inbound-rtp") && !got.contains("outbound-rtp"));
    let value = json(&report);
    check_references(&value);
    let transport = only(&value, "transport");
    assert_eq!(transport["dtlsState"], "new");
    assert_eq!(transport["iceState"], "new");
    assert_eq!(transport["iceRole"], "unknown");
    assert_eq!(transport["dtlsRole"], "unknown");
    // Unknown members are absent, not null or zero.
    for member in [
        "selectedCandidatePairId",
        "tlsVersion",
        "dtlsCipher",
        "srtpCipher",
    ] {
        assert!(transport.get(member).is_none(), "{member}: {transport}");
    }
    let cert = only(&value, "certificate");
    assert_eq!(
        cert["fingerprint"].as_str().unwrap(),
        pc.certificates()[0].sha256_fingerprint().digest_hex()
    );
    // A closed connection still reports.
    let mut pc = pc;
    pc.close(now);
    check_references(&json(&pc.get_stats(now)));
}
