//! The long-term credential retry helper against a scripted server.

use sansrtc_stun::attributes::{
    ErrorCode, Nonce, PasswordAlgorithm, PasswordAlgorithmId, PasswordAlgorithms, Realm, UserHash,
    Username,
};
use sansrtc_stun::{
    long_term_key, long_term_key_sha256, user_hash, AttributeType, AuthStep, Class, LongTermAuth,
    Message, MessageBuilder, MessageType, Method, StunError, TransactionId,
};

const ALLOCATE: Method = Method::ALLOCATE;

struct Reply<'a> {
    class: Class,
    code: Option<u16>,
    realm: Option<&'a str>,
    nonce: Option<&'a str>,
    algorithms: Option<&'a [PasswordAlgorithm<'a>]>,
    key: Option<&'a [u8]>,
}

impl Default for Reply<'_> {
    fn default() -> Self {
        Reply {
            class: Class::ErrorResponse,
            code: Some(401),
            realm: Some("sansrtc.test"),
            nonce: Some("nonce-1"),
            algorithms: None,
            key: None,
        }
    }
}

fn reply(r: Reply<'_>) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::new(
        &mut buf,
        MessageType::new(ALLOCATE, r.class),
        TransactionId([4; 12]),
    );
    if let Some(code) = r.code {
        b.add(&ErrorCode::with_default_reason(code)).unwrap();
    }
    if let Some(realm) = r.realm {
        b.add(&Realm(realm)).unwrap();
    }
    if let Some(nonce) = r.nonce {
        b.add(&Nonce(nonce)).unwrap();
    }
    if let Some(list) = r.algorithms {
        b.add(&PasswordAlgorithms::new(list)).unwrap();
    }
    if let Some(key) = r.key {
        b.add_message_integrity(key).unwrap();
    }
    buf
}

fn request(auth: &LongTermAuth) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::new(
        &mut buf,
        MessageType::new(ALLOCATE, Class::Request),
        TransactionId([5; 12]),
    );
    auth.add_credentials(&mut b).unwrap();
    auth.add_integrity(&mut b).unwrap();
    buf
}

fn step(auth: &mut LongTermAuth, bytes: &[u8]) -> Result<AuthStep, StunError> {
    auth.handle_response(&Message::parse(bytes).unwrap())
}

#[test]
fn challenge_then_success_with_md5() {
    let mut auth = LongTermAuth::new("test", "test");
    assert!(!auth.is_ready());
    assert_eq!(
        step(&mut auth, &reply(Reply::default())),
        Ok(AuthStep::Retry)
    );
    let key = long_term_key("test", "sansrtc.test", "test");
    assert_eq!(auth.key(), Some(&key[..]));
    assert_eq!(auth.algorithm(), Some(PasswordAlgorithmId::Md5));

    let req = request(&auth);
    let msg = Message::parse(&req).unwrap();
    assert_eq!(msg.require::<Username<'_>>().unwrap().0, "test");
    assert_eq!(msg.require::<Realm<'_>>().unwrap().0, "sansrtc.test");
    assert_eq!(msg.require::<Nonce<'_>>().unwrap().0, "nonce-1");
    assert!(!msg.has(AttributeType::PASSWORD_ALGORITHM));
    msg.verify_integrity(&key).unwrap();

    let ok = reply(Reply {
        class: Class::SuccessResponse,
        code: None,
        realm: None,
        nonce: None,
        key: Some(&key),
        ..Reply::default()
    });
    assert_eq!(step(&mut auth, &ok), Ok(AuthStep::Accepted));

    let forged = reply(Reply {
        class: Class::SuccessResponse,
        code: None,
        key: Some(b"not the key"),
        ..Reply::default()
    });
    assert_eq!(
        step(&mut auth, &forged),
        Err(StunError::IntegrityMismatch(
            AttributeType::MESSAGE_INTEGRITY
        ))
    );
    let unsigned = reply(Reply {
        class: Class::SuccessResponse,
        code: None,
        ..Reply::default()
    });
    assert!(matches!(
        step(&mut auth, &unsigned),
        Err(StunError::NoIntegrity(_))
    ));
}

#[test]
fn stale_nonce_is_retried_a_bounded_number_of_times() {
    let mut auth = LongTermAuth::new("test", "test").with_max_stale_nonces(2);
    step(&mut auth, &reply(Reply::default())).unwrap();
    for i in 0..2 {
        let nonce = format!("nonce-stale-{i}");
        let r = reply(Reply {
            code: Some(438),
            realm: None, // a 438 may omit REALM
            nonce: Some(&nonce),
            ..Reply::default()
        });
        assert_eq!(step(&mut auth, &r), Ok(AuthStep::Retry));
        assert_eq!(auth.nonce(), Some(nonce.as_str()));
        assert_eq!(auth.realm(), Some("sansrtc.test"));
        let req = request(&auth);
        let msg = Message::parse(&req).unwrap();
        assert_eq!(msg.require::<Nonce<'_>>().unwrap().0, nonce);
    }
    let r = reply(Reply {
        code: Some(438),
        nonce: Some("again"),
        ..Reply::default()
    });
    assert_eq!(step(&mut auth, &r), Err(StunError::TooManyStaleNonces(3)));
}

#[test]
fn a_second_401_means_wrong_credentials() {
    let mut auth = LongTermAuth::new("test", "wrong");
    step(&mut auth, &reply(Reply::default())).unwrap();
    assert_eq!(
        step(&mut auth, &reply(Reply::default())),
        Err(StunError::CredentialsRejected(401))
    );
    let r = reply(Reply {
        code: Some(441),
        ..Reply::default()
    });
    assert_eq!(
        step(&mut auth, &r),
        Err(StunError::CredentialsRejected(441))
    );
}

#[test]
fn malformed_challenges_and_misuse() {
    let mut auth = LongTermAuth::new("u", "p");
    let r = reply(Reply {
        nonce: None,
        ..Reply::default()
    });
    assert_eq!(step(&mut auth, &r), Err(StunError::ChallengeWithoutNonce));
    let r = reply(Reply {
        realm: None,
        ..Reply::default()
    });
    assert_eq!(step(&mut auth, &r), Err(StunError::ChallengeWithoutRealm));
    let mut buf = Vec::new();
    let mut b = MessageBuilder::new(
        &mut buf,
        MessageType::new(ALLOCATE, Class::Request),
        TransactionId([0; 12]),
    );
    assert_eq!(auth.add_credentials(&mut b), Err(StunError::NoChallengeYet));
    b.finish();
    assert_eq!(step(&mut auth, &buf), Err(StunError::NotAResponse));
    let r = reply(Reply {
        class: Class::SuccessResponse,
        code: None,
        ..Reply::default()
    });
    assert_eq!(step(&mut auth, &r), Err(StunError::NoChallengeYet));
    // A non-auth error passes through with its code.
    step(&mut auth, &reply(Reply::default())).unwrap();
    let r = reply(Reply {
        code: Some(437),
        ..Reply::default()
    });
    assert_eq!(step(&mut auth, &r), Ok(AuthStep::Error(437)));
}

#[test]
fn rfc8489_password_algorithms_and_username_anonymity() {
    let offer = [PasswordAlgorithm::SHA256, PasswordAlgorithm::MD5];
    // "wAAA": security feature bits 0 and 1 (password algorithms, anonymity).
    let nonce = "obMatJos2wAAAsome-nonce";
    let mut auth = LongTermAuth::new("user", "pass");
    let r = reply(Reply {
        nonce: Some(nonce),
        algorithms: Some(&offer),
        ..Reply::default()
    });
    assert_eq!(step(&mut auth, &r), Ok(AuthStep::Retry));
    assert_eq!(auth.algorithm(), Some(PasswordAlgorithmId::Sha256));
    let key = long_term_key_sha256("user", "sansrtc.test", "pass");
    assert_eq!(auth.key(), Some(&key[..]));

    let req = request(&auth);
    let msg = Message::parse(&req).unwrap();
    assert!(!msg.has(AttributeType::USERNAME));
    assert_eq!(
        msg.require::<UserHash<'_>>().unwrap().0,
        &user_hash("user", "sansrtc.test")
    );
    assert_eq!(
        msg.require::<PasswordAlgorithm<'_>>().unwrap(),
        PasswordAlgorithm::SHA256
    );
    let echoed: Vec<_> = msg
        .require::<PasswordAlgorithms<'_>>()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(echoed, offer);
    assert!(!msg.has_integrity());
    msg.verify_integrity_sha256(&key).unwrap();

    // A later challenge that changes the offer is a bid-down attempt.
    let weaker = [PasswordAlgorithm::MD5];
    let r = reply(Reply {
        code: Some(438),
        nonce: Some("obMatJos2gAAAnext"),
        algorithms: Some(&weaker),
        ..Reply::default()
    });
    assert_eq!(
        step(&mut auth, &r),
        Err(StunError::PasswordAlgorithmsChanged)
    );
}

#[test]
fn unsupported_algorithms_only() {
    let params = [1u8, 2, 3, 4];
    let offer = [PasswordAlgorithm {
        algorithm: PasswordAlgorithmId::Other(9),
        parameters: &params,
    }];
    let mut auth = LongTermAuth::new("user", "pass");
    let r = reply(Reply {
        nonce: Some("obMatJos2gAAAx"),
        algorithms: Some(&offer),
        ..Reply::default()
    });
    assert_eq!(
        step(&mut auth, &r),
        Err(StunError::UnsupportedPasswordAlgorithm)
    );
}
