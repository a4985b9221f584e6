//! Hostile and malformed input: every case is a typed error, never a panic.

use sansrtc_stun::attributes::{ErrorCode, Software, Username, XorMappedAddress};
use sansrtc_stun::{
    AttributeType, Message, MessageBuilder, MessageType, StunError, TransactionId, MAX_ATTRIBUTES,
};

fn header(len: u16) -> Vec<u8> {
    let mut m = vec![0x00, 0x01];
    m.extend_from_slice(&len.to_be_bytes());
    m.extend_from_slice(&0x2112_A442u32.to_be_bytes());
    m.extend_from_slice(&[9; 12]);
    m
}

fn with_attrs(attrs: &[(u16, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (t, v) in attrs {
        body.extend_from_slice(&t.to_be_bytes());
        body.extend_from_slice(&(v.len() as u16).to_be_bytes());
        body.extend_from_slice(v);
        while body.len() % 4 != 0 {
            body.push(0);
        }
    }
    let mut m = header(body.len() as u16);
    m.extend_from_slice(&body);
    m
}

fn valid_message() -> Vec<u8> {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::new(
        &mut buf,
        MessageType::BINDING_REQUEST,
        TransactionId([1; 12]),
    );
    b.add(&Username("user:name")).unwrap();
    b.add(&Software("sansrtc")).unwrap();
    b.add_message_integrity(b"pw").unwrap();
    b.add_fingerprint().unwrap();
    buf
}

#[test]
fn every_truncation_is_an_error() {
    let m = valid_message();
    for len in 0..m.len() {
        assert!(Message::parse(&m[..len]).is_err(), "prefix {len} parsed");
    }
    assert!(Message::parse(&m).is_ok());
}

#[test]
fn header_errors() {
    assert_eq!(
        Message::parse(&[0; 19]),
        Err(StunError::TruncatedHeader(19))
    );
    let mut m = header(0);
    m[0] = 0x40;
    assert_eq!(Message::parse(&m), Err(StunError::NotStun));
    let mut m = header(0);
    m[4] = 0;
    assert!(matches!(
        Message::parse(&m),
        Err(StunError::BadMagicCookie(_))
    ));
    let mut m = header(2);
    m.extend_from_slice(&[0, 0]);
    assert_eq!(Message::parse(&m), Err(StunError::LengthNotMultipleOf4(2)));
}

#[test]
fn over_long_buffer_is_a_length_mismatch() {
    let mut m = valid_message();
    m.extend_from_slice(&[0; 4]);
    assert!(matches!(
        Message::parse(&m),
        Err(StunError::LengthMismatch { .. })
    ));
}

#[test]
fn attribute_running_past_the_end() {
    // USERNAME claims 100 bytes in an 8-byte body.
    let mut m = header(8);
    m.extend_from_slice(&[0x00, 0x06, 0x00, 100, b'a', b'b', b'c', b'd']);
    assert_eq!(
        Message::parse(&m),
        Err(StunError::TruncatedAttribute { offset: 20 })
    );
}

#[test]
fn mis_padded_attribute() {
    // A 5-byte value needs 3 bytes of padding; the message has only 4+5+0.
    let mut m = header(12);
    m.extend_from_slice(&[0x00, 0x06, 0x00, 0x05, b'a', b'b', b'c', b'd']);
    m.extend_from_slice(&[b'e', 0, 0, 0]);
    assert!(Message::parse(&m).is_ok());
    // Length says 9 (needs 12 padded) but only 8 value bytes follow.
    let mut m = header(12);
    m.extend_from_slice(&[0x00, 0x06, 0x00, 0x09, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert!(matches!(
        Message::parse(&m),
        Err(StunError::TruncatedAttribute { .. })
    ));
}

#[test]
fn absurd_attribute_count() {
    let attrs: Vec<(u16, &[u8])> = (0..=MAX_ATTRIBUTES as u16)
        .map(|i| (0x8100 + i, &[][..]))
        .collect();
    assert_eq!(
        Message::parse(&with_attrs(&attrs)),
        Err(StunError::TooManyAttributes(MAX_ATTRIBUTES))
    );
    // 16383 empty attributes: the largest possible count in one message.
    let mut m = header(65532);
    for i in 0..16383u16 {
        m.extend_from_slice(&(0x8100 + i).to_be_bytes());
        m.extend_from_slice(&[0, 0]);
    }
    assert_eq!(
        Message::parse(&m),
        Err(StunError::TooManyAttributes(MAX_ATTRIBUTES))
    );
}

#[test]
fn duplicates_are_errors_except_repeatable_ones() {
    let m = with_attrs(&[(0x0006, b"a"), (0x0006, b"b")]);
    assert_eq!(
        Message::parse(&m),
        Err(StunError::DuplicateAttribute(AttributeType::USERNAME))
    );
    let peer = [0, 1, 0, 1, 1, 2, 3, 4];
    let m = with_attrs(&[(0x0012, &peer), (0x0012, &peer)]);
    let msg = Message::parse(&m).unwrap();
    assert_eq!(
        msg.get_all::<sansrtc_stun::attributes::XorPeerAddress>()
            .count(),
        2
    );
    let mi = [0u8; 20];
    let m = with_attrs(&[(0x0008, &mi), (0x0008, &mi)]);
    assert_eq!(
        Message::parse(&m),
        Err(StunError::DuplicateAttribute(
            AttributeType::MESSAGE_INTEGRITY
        ))
    );
}

#[test]
fn fingerprint_must_be_last_and_well_sized() {
    let m = with_attrs(&[(0x8028, &[0; 4]), (0x8022, b"x")]);
    assert_eq!(
        Message::parse(&m),
        Err(StunError::AttributeAfterFingerprint(
            AttributeType::SOFTWARE
        ))
    );
    let m = with_attrs(&[(0x8028, &[0; 8])]);
    assert!(matches!(
        Message::parse(&m),
        Err(StunError::InvalidAttributeLength { .. })
    ));
    let m = with_attrs(&[(0x0008, &[0; 19])]);
    assert!(matches!(
        Message::parse(&m),
        Err(StunError::InvalidAttributeLength { .. })
    ));
    let m = with_attrs(&[(0x001C, &[0; 12])]);
    assert!(matches!(
        Message::parse(&m),
        Err(StunError::InvalidAttributeLength { .. })
    ));
}

#[test]
fn attributes_after_integrity_are_ignored() {
    // Build a valid message, then splice a SOFTWARE and an XOR-MAPPED-ADDRESS
    // after MESSAGE-INTEGRITY (adjusting the length field).
    let mut buf = Vec::new();
    let mut b = MessageBuilder::new(
        &mut buf,
        MessageType::BINDING_REQUEST,
        TransactionId([3; 12]),
    );
    b.add(&Username("u")).unwrap();
    b.add_message_integrity(b"key").unwrap();
    buf.extend_from_slice(&[0x80, 0x22, 0x00, 0x04, b'e', b'v', b'i', b'l']);
    buf.extend_from_slice(&[0x00, 0x06, 0x00, 0x04, b'd', b'u', b'p', b'e']);
    let len = (buf.len() - 20) as u16;
    buf[2..4].copy_from_slice(&len.to_be_bytes());
    let msg = Message::parse(&buf).unwrap();
    // Integrity still verifies: it covers only what precedes it.
    msg.verify_integrity(b"key").unwrap();
    assert_eq!(msg.get::<Software<'_>>().unwrap(), None);
    // The duplicate USERNAME after integrity is ignored, not an error.
    assert_eq!(msg.get::<Username<'_>>().unwrap(), Some(Username("u")));
    assert_eq!(msg.attribute_count(), 4);
    assert_eq!(msg.attributes().count(), 2);
    // And a builder refuses to write such a message.
    let mut out = Vec::new();
    let mut b = MessageBuilder::new(
        &mut out,
        MessageType::BINDING_REQUEST,
        TransactionId([3; 12]),
    );
    b.add_message_integrity(b"key").unwrap();
    assert_eq!(
        b.add(&Software("x")).err(),
        Some(StunError::AttributeAfterIntegrity(AttributeType::SOFTWARE))
    );
    b.add_fingerprint().unwrap();
    assert!(b.add_fingerprint().is_err());
}

#[test]
fn malformed_typed_values_are_errors_at_lookup() {
    let m = with_attrs(&[(0x0020, &[0, 1, 0]), (0x0009, &[0, 0, 7, 0])]);
    let msg = Message::parse(&m).unwrap();
    assert!(msg.get::<XorMappedAddress>().is_err());
    assert!(matches!(
        msg.get::<ErrorCode<'_>>(),
        Err(StunError::InvalidErrorCode { class: 7, .. })
    ));
    assert_eq!(
        msg.require::<Username<'_>>(),
        Err(StunError::MissingAttribute(AttributeType::USERNAME))
    );
}

#[test]
fn unknown_comprehension_required_are_reported() {
    let m = with_attrs(&[
        (0x0006, b"u"),
        (0x7f00, b"?"),
        (0xfe00, b"?"),
        (0x0042, b""),
    ]);
    let msg = Message::parse(&m).unwrap();
    let unknown: Vec<_> = msg.unknown_comprehension_required().collect();
    assert_eq!(unknown, [AttributeType(0x7f00), AttributeType(0x0042)]);
}

#[test]
fn integrity_flipping_any_byte_fails_verification() {
    let m = valid_message();
    let mi_end = m.len() - 8;
    for i in 0..mi_end {
        if (2..4).contains(&i) {
            continue; // the length field: changes the structure instead
        }
        let mut bad = m.clone();
        bad[i] ^= 0x01;
        if let Ok(msg) = Message::parse(&bad) {
            assert!(msg.verify_integrity(b"pw").is_err(), "byte {i}");
            assert!(msg.verify_fingerprint().is_err(), "byte {i}");
        }
    }
}
