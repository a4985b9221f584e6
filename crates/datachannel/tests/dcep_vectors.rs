//! The DCEP examples of `../shared/conformance/vectors/dcep-rfc8832.json`
//! (copied to tests/data), parsed and re-encoded byte for byte.

use sansrtc_datachannel::{ChannelType, DcepMessage, DcepOpen, Reliability};

fn vectors() -> serde_json::Value {
    serde_json::from_str(include_str!("data/dcep-rfc8832.json")).unwrap()
}

fn example(name_prefix: &str) -> Vec<u8> {
    let v = vectors();
    let ex = v["examples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"].as_str().unwrap().starts_with(name_prefix))
        .unwrap_or_else(|| panic!("no example {name_prefix}"));
    hex::decode(ex["hex"].as_str().unwrap()).unwrap()
}

fn expect_open(
    bytes: &[u8],
    ordered: bool,
    reliability: Reliability,
    priority: u16,
    label: &str,
    protocol: &str,
) {
    let msg = DcepMessage::parse(bytes).unwrap();
    let want = DcepMessage::Open(DcepOpen {
        channel_type: ChannelType {
            ordered,
            reliability,
        },
        priority,
        label: label.into(),
        protocol: protocol.into(),
    });
    assert_eq!(msg, want);
    assert_eq!(msg.to_bytes().unwrap(), bytes, "re-encoding differs");
}

#[test]
fn pion_open_foo_bar() {
    let b = example("open reliable ordered, label \"foo\"");
    expect_open(&b, true, Reliability::Reliable, 0, "foo", "bar");
}

#[test]
fn empty_label_and_protocol() {
    let b = example("open reliable ordered, label \"\"");
    expect_open(&b, true, Reliability::Reliable, 0, "", "");
}

#[test]
fn unordered_three_retransmits() {
    let b = example("open unordered, max 3");
    expect_open(&b, false, Reliability::MaxRetransmits(3), 256, "chat", "");
}

#[test]
fn timed_1500_ms() {
    let b = example("open partial reliable timed");
    expect_open(
        &b,
        true,
        Reliability::MaxPacketLifeTime(1500),
        512,
        "x",
        "json",
    );
}

#[test]
fn non_ascii_label_counts_bytes() {
    let b = example("open, non-ASCII");
    expect_open(&b, true, Reliability::Reliable, 0, "été", "");
}

#[test]
fn ack() {
    assert_eq!(
        DcepMessage::parse(&example("ack")).unwrap(),
        DcepMessage::Ack
    );
}

#[test]
fn channel_type_table_matches_the_registry() {
    let v = vectors();
    for (name, hex_byte) in v["channelTypes"].as_object().unwrap() {
        let byte =
            u8::from_str_radix(hex_byte.as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
        let ty = ChannelType::decode(byte, 7).unwrap();
        assert_eq!(ty.ordered, !name.contains("UNORDERED"), "{name}");
        let kind_ok = match ty.reliability {
            Reliability::Reliable => !name.contains("PARTIAL"),
            Reliability::MaxRetransmits(7) => name.contains("REXMIT"),
            Reliability::MaxPacketLifeTime(7) => name.contains("TIMED"),
            _ => false,
        };
        assert!(kind_ok, "{name}");
    }
}
