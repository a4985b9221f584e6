//! RFC 7983 §7 demultiplexing: the checks and ranges of
//! ../shared/conformance/vectors/demux-rfc7983.json (copied to tests/data),
//! every first byte, and the RFC 5761 §4 RTP/RTCP split.

use sansrtc_rtp::{classify, is_rtcp_packet_type, PacketKind};
use serde_json::Value;

fn vectors() -> Value {
    let path = format!(
        "{}/tests/data/demux-rfc7983.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Maps a vector's protocol name to what the classifier answers for a
/// datagram starting with `first` then an RTP payload type byte of 96.
fn expected(name: &str) -> PacketKind {
    match name {
        "STUN" => PacketKind::Stun,
        "ZRTP" => PacketKind::Zrtp,
        "DTLS" => PacketKind::Dtls,
        "TURN Channel" => PacketKind::TurnChannelData,
        "RTP/RTCP" => PacketKind::Rtp,
        n if n.starts_with("drop") => PacketKind::Unknown,
        other => panic!("unknown protocol {other:?} in the vectors"),
    }
}

#[test]
fn the_vector_checks() {
    let v = vectors();
    let checks = v["checks"].as_array().unwrap();
    assert!(checks.len() >= 18);
    for c in checks {
        let b = c["firstByte"].as_u64().unwrap() as u8;
        let want = expected(c["expect"].as_str().unwrap());
        assert_eq!(classify(&[b, 96, 0, 0]), want, "first byte {b}");
    }
}

#[test]
fn every_first_byte_follows_the_ranges() {
    let v = vectors();
    let mut covered = [false; 256];
    for r in v["ranges"].as_array().unwrap() {
        let from = r["from"].as_u64().unwrap() as usize;
        let to = r["to"].as_u64().unwrap() as usize;
        let want = expected(r["protocol"].as_str().unwrap());
        for (b, seen) in covered.iter_mut().enumerate().take(to + 1).skip(from) {
            assert_eq!(classify(&[b as u8, 96]), want, "first byte {b}");
            *seen = true;
        }
    }
    assert!(covered.iter().all(|&c| c), "the ranges cover 0..=255");
}

#[test]
fn rtp_versus_rtcp_by_the_second_byte() {
    for second in 0..=255u8 {
        let rtcp = (192..=223).contains(&(second | 0x80));
        assert_eq!(is_rtcp_packet_type(second), rtcp, "second byte {second}");
        let want = if rtcp {
            PacketKind::Rtcp
        } else {
            PacketKind::Rtp
        };
        assert_eq!(classify(&[0x80, second]), want);
        assert_eq!(classify(&[0xbf, second, 1, 2]), want);
    }
    for pt in [200u8, 201, 202, 203, 204, 205, 206, 207] {
        assert_eq!(classify(&[0x81, pt]), PacketKind::Rtcp);
    }
    // Marker bit set on PT 111 (0xef) stays RTP.
    assert_eq!(classify(&[0x80, 0xef]), PacketKind::Rtp);
}

#[test]
fn short_datagrams() {
    assert_eq!(classify(&[]), PacketKind::Unknown);
    assert_eq!(
        classify(&[0x80]),
        PacketKind::Unknown,
        "RTP/RTCP needs two bytes"
    );
    assert_eq!(classify(&[0x00]), PacketKind::Stun);
    assert_eq!(classify(&[0x17]), PacketKind::Dtls);
}
