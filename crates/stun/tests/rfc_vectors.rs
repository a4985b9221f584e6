//! RFC 5769 and RFC 8489 Appendix B sample messages: parse, verify, and
//! rebuild byte for byte.

use sansrtc_stun::attributes::{
    IceControlled, MessageIntegrity, MessageIntegritySha256, Nonce, PasswordAlgorithm, Priority,
    Realm, Software, UserHash, Username, XorMappedAddress,
};
use sansrtc_stun::{
    long_term_key, long_term_key_sha256, user_hash, AttributeType, Class, Message, MessageBuilder,
    Method, StunError,
};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn vector(name: &str) -> Value {
    load("stun-rfc5769.json")["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap()
        .clone()
}

fn bytes(v: &Value, key: &str) -> Vec<u8> {
    hex::decode(v[key].as_str().unwrap()).unwrap()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap()
}

#[test]
fn rfc5769_sample_request() {
    let v = vector("sample-request");
    let wire = bytes(&v, "messageHex");
    let password = s(&v, "password");
    let msg = Message::parse(&wire).unwrap();
    assert_eq!(msg.method(), Method::BINDING);
    assert_eq!(msg.class(), Class::Request);
    assert_eq!(msg.require::<Software<'_>>().unwrap().0, s(&v, "software"));
    assert_eq!(msg.require::<Priority>().unwrap().0, 0x6e0001ff);
    assert_eq!(
        msg.require::<IceControlled>().unwrap().0,
        0x932ff9b151263b36
    );
    assert_eq!(msg.require::<Username<'_>>().unwrap().0, s(&v, "username"));
    assert_eq!(
        hex::encode(msg.require::<MessageIntegrity<'_>>().unwrap().0),
        v["verified"]["hmacComputed"].as_str().unwrap()
    );
    msg.verify_integrity(password.as_bytes()).unwrap();
    msg.verify_fingerprint().unwrap();
    assert_eq!(
        msg.verify_integrity(b"wrong"),
        Err(StunError::IntegrityMismatch(
            AttributeType::MESSAGE_INTEGRITY
        ))
    );
    let types: Vec<_> = msg.attributes().map(|a| a.attribute_type).collect();
    assert_eq!(
        types,
        [
            AttributeType::SOFTWARE,
            AttributeType::PRIORITY,
            AttributeType::ICE_CONTROLLED,
            AttributeType::USERNAME,
            AttributeType::MESSAGE_INTEGRITY,
            AttributeType::FINGERPRINT
        ]
    );

    let mut out = Vec::new();
    let mut b = MessageBuilder::new(&mut out, msg.message_type(), msg.transaction_id());
    b.padding_byte(0x20);
    b.add(&Software(s(&v, "software"))).unwrap();
    b.add(&Priority(0x6e0001ff)).unwrap();
    b.add(&IceControlled(0x932ff9b151263b36)).unwrap();
    b.add(&Username(s(&v, "username"))).unwrap();
    b.add_message_integrity(password.as_bytes()).unwrap();
    b.add_fingerprint().unwrap();
    assert_eq!(b.finish(), wire.len());
    assert_eq!(hex::encode(&out), hex::encode(&wire));
}

fn check_response(name: &str) {
    let v = vector(name);
    let wire = bytes(&v, "messageHex");
    let password = s(&v, "password");
    let msg = Message::parse(&wire).unwrap();
    assert_eq!(msg.class(), Class::SuccessResponse);
    let expected: std::net::SocketAddr = std::net::SocketAddr::new(
        s(&v, "mappedAddress").parse().unwrap(),
        v["mappedPort"].as_u64().unwrap() as u16,
    );
    assert_eq!(msg.require::<XorMappedAddress>().unwrap().0, expected);
    assert_eq!(msg.require::<Software<'_>>().unwrap().0, s(&v, "software"));
    msg.verify_integrity(password.as_bytes()).unwrap();
    msg.verify_fingerprint().unwrap();

    // Rebuild into a BytesMut this time.
    let mut out = bytes::BytesMut::new();
    let mut b = MessageBuilder::new(&mut out, msg.message_type(), msg.transaction_id());
    b.padding_byte(0x20);
    b.add(&Software(s(&v, "software"))).unwrap();
    b.add(&XorMappedAddress(expected)).unwrap();
    b.add_message_integrity(password.as_bytes()).unwrap();
    b.add_fingerprint().unwrap();
    b.finish();
    assert_eq!(hex::encode(&out), hex::encode(&wire));
}

#[test]
fn rfc5769_sample_ipv4_response() {
    check_response("sample-ipv4-response");
}

#[test]
fn rfc5769_sample_ipv6_response() {
    check_response("sample-ipv6-response");
}

#[test]
fn rfc5769_sample_long_term_request() {
    let v = vector("sample-request-long-term");
    let wire = bytes(&v, "messageHex");
    let msg = Message::parse(&wire).unwrap();
    let username = msg.require::<Username<'_>>().unwrap().0;
    assert_eq!(username, s(&v, "username"));
    assert_eq!(hex::encode(username), s(&v, "usernameUtf8Hex"));
    let nonce = msg.require::<Nonce<'_>>().unwrap().0;
    let realm = msg.require::<Realm<'_>>().unwrap().0;
    assert_eq!(nonce, s(&v, "nonce"));
    assert_eq!(realm, s(&v, "realm"));
    let key = long_term_key(username, realm, s(&v, "password"));
    assert_eq!(hex::encode(key), s(&v, "longTermKeyHex"));
    msg.verify_integrity(&key).unwrap();
    assert!(!msg.has_fingerprint());
    assert_eq!(msg.verify_fingerprint(), Err(StunError::NoFingerprint));

    let mut out = Vec::new();
    let mut b = MessageBuilder::new(&mut out, msg.message_type(), msg.transaction_id());
    b.add(&Username(username)).unwrap();
    b.add(&Nonce(nonce)).unwrap();
    b.add(&Realm(realm)).unwrap();
    b.add_message_integrity(&key).unwrap();
    b.finish();
    assert_eq!(hex::encode(&out), hex::encode(&wire));
}

#[test]
fn rfc8489_b1_sha256_userhash_corrected() {
    let f = load("stun-rfc8489-sha256.json");
    let p = &f["parameters"];
    let c = &f["corrected"];
    let wire = bytes(c, "messageHex");
    let msg = Message::parse(&wire).unwrap();
    let (username, realm, password) = (s(p, "username"), s(p, "realm"), s(p, "password"));
    let hash = user_hash(username, realm);
    assert_eq!(hex::encode(hash), s(&f, "userhashHex"));
    assert_eq!(msg.require::<UserHash<'_>>().unwrap().0, &hash);
    assert_eq!(msg.require::<Nonce<'_>>().unwrap().0, s(p, "nonce"));
    assert_eq!(msg.require::<Realm<'_>>().unwrap().0, realm);
    assert_eq!(
        msg.require::<PasswordAlgorithm<'_>>().unwrap(),
        PasswordAlgorithm::SHA256
    );
    let key = long_term_key_sha256(username, realm, password);
    assert_eq!(hex::encode(key), s(c, "keyHex"));
    assert_eq!(
        hex::encode(msg.require::<MessageIntegritySha256<'_>>().unwrap().0),
        s(c, "hmacRecomputed")
    );
    msg.verify_integrity_sha256(&key).unwrap();
    msg.verify_any_integrity(&key).unwrap();
    // The MD5 key must not verify.
    assert!(msg
        .verify_integrity_sha256(&long_term_key(username, realm, password))
        .is_err());

    let mut out = Vec::new();
    let mut b = MessageBuilder::new(&mut out, msg.message_type(), msg.transaction_id());
    b.add(&UserHash(&hash)).unwrap();
    b.add(&Nonce(s(p, "nonce"))).unwrap();
    b.add(&Realm(realm)).unwrap();
    b.add(&PasswordAlgorithm::SHA256).unwrap();
    b.add_message_integrity_sha256(&key).unwrap();
    b.finish();
    assert_eq!(hex::encode(&out), hex::encode(&wire));
}

#[test]
fn rfc8489_b1_as_published_is_rejected_as_inconsistent() {
    // The printed message's length field (0x9c) disagrees with its 136
    // attribute bytes; see the vector file's note.
    let f = load("stun-rfc8489-sha256.json");
    let wire = bytes(&f["asPublished"], "messageHex");
    assert_eq!(
        Message::parse(&wire),
        Err(StunError::LengthMismatch {
            declared: 0x9c,
            actual: wire.len() - 20
        })
    );
}
