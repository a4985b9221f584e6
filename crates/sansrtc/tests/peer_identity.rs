//! `peerIdentity` enforced: nothing is delivered until the remote's
//! assertion validates to the configured identity and binds its DTLS
//! fingerprints; a mismatch fails the connection.

mod common;

use std::time::Duration;

use common::Pair;
use sansrtc::*;

/// A test identity provider: the assertion is `identity|contents|tag`,
/// where the tag is a keyed checksum only this IdP can make.
struct TestIdp {
    identity: String,
    secret: u64,
}

impl TestIdp {
    fn tag(&self, identity: &str, contents: &str) -> u64 {
        identity
            .bytes()
            .chain(contents.bytes())
            .fold(self.secret, |h, b| {
                h.wrapping_mul(0x100_0000_01b3).wrapping_add(u64::from(b))
            })
    }
}

impl IdentityProvider for TestIdp {
    fn generate_assertion(&mut self, contents: &str) -> Result<String, String> {
        Ok(format!(
            "{}|{}|{}",
            self.identity,
            contents,
            self.tag(&self.identity, contents)
        ))
    }

    fn validate_assertion(&mut self, assertion: &str) -> Result<ValidatedAssertion, String> {
        let mut parts = assertion.splitn(3, '|');
        let (Some(identity), Some(rest)) = (parts.next(), parts.next()) else {
            return Err("malformed".into());
        };
        let tail = parts.next().ok_or("malformed")?;
        // contents may contain '|': the tag is after the last one.
        let full = format!("{rest}|{tail}");
        let (contents, tag) = full.rsplit_once('|').ok_or("malformed")?;
        if tag != self.tag(identity, contents).to_string() {
            return Err("bad signature".into());
        }
        Ok(ValidatedAssertion {
            identity: identity.into(),
            contents: contents.into(),
        })
    }
}

fn requests(events: &[PeerEvent]) -> Vec<IdentityRequest> {
    events
        .iter()
        .filter_map(|e| match e {
            PeerEvent::Identity(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

fn pair_with_identity(asserted: &str) -> Pair {
    let b_config = RtcConfiguration {
        peer_identity: Some("alice@idp.example".into()),
        ..RtcConfiguration::default()
    };
    let mut p = Pair::with_configs(RtcConfiguration::default(), b_config);
    let now = p.now;
    p.a.set_identity_provider("idp.example", "default").unwrap();
    let mut idp = TestIdp {
        identity: asserted.into(),
        secret: 7,
    };
    p.step();
    let generate = requests(&p.events_a);
    assert_eq!(generate.len(), 1);
    idp.answer(now, &mut p.a, &generate[0]).unwrap();
    p.a.create_data_channel(now, DataChannelInit::new("private"))
        .unwrap();
    p.negotiate();
    p
}

#[test]
fn nothing_is_delivered_until_the_identity_validates() {
    let mut p = pair_with_identity("alice@idp.example");
    assert!(p.a.local_description().unwrap().sdp.contains("a=identity:"));
    // DTLS connects, but no channel opens while validation is pending.
    p.run_until(Duration::from_secs(3), |_| false);
    assert_eq!(p.b.dtls_state(), DtlsTransportState::Connected);
    assert!(Pair::opened(&p.events_a).is_empty() && Pair::opened(&p.events_b).is_empty());
    let validate = requests(&p.events_b);
    assert!(matches!(
        validate.as_slice(),
        [IdentityRequest::Validate { .. }]
    ));
    let mut idp = TestIdp {
        identity: String::new(),
        secret: 7,
    };
    let now = p.now;
    idp.answer(now, &mut p.b, &validate[0]).unwrap();
    assert_eq!(p.b.peer_identity(), Some("alice@idp.example"));
    assert!(
        p.run_until(Duration::from_secs(10), |p| !Pair::opened(&p.events_b)
            .is_empty()
            || p.events_b.iter().any(|e| matches!(
                e,
                PeerEvent::DataChannel(DataChannelEvent::DataChannel(_))
            )))
    );
    assert!(p
        .events_b
        .iter()
        .any(|e| matches!(e, PeerEvent::PeerIdentity(i) if i == "alice@idp.example")));
}

#[test]
fn another_identity_fails_the_connection() {
    let mut p = pair_with_identity("mallory@idp.example");
    p.run_until(Duration::from_secs(3), |_| false);
    let validate = requests(&p.events_b);
    let mut idp = TestIdp {
        identity: String::new(),
        secret: 7,
    };
    let now = p.now;
    let err = idp.answer(now, &mut p.b, &validate[0]).unwrap_err();
    assert_eq!(err.dom_name(), "InvalidModificationError");
    assert_eq!(p.b.connection_state(), PeerConnectionState::Failed);
    p.run_until(Duration::from_secs(5), |_| false);
    assert!(Pair::opened(&p.events_b).is_empty());
    assert!(Pair::opened(&p.events_a).is_empty());
    assert_eq!(p.b.peer_identity(), None);
}

#[test]
fn a_forged_assertion_or_missing_identity_is_refused() {
    let mut p = pair_with_identity("alice@idp.example");
    p.run_until(Duration::from_secs(1), |_| false);
    let validate = requests(&p.events_b);
    // An IdP with another key cannot validate it.
    let mut other = TestIdp {
        identity: String::new(),
        secret: 8,
    };
    let now = p.now;
    assert_eq!(
        other
            .answer(now, &mut p.b, &validate[0])
            .unwrap_err()
            .dom_name(),
        "InvalidModificationError"
    );
    // An answer to a request that is not pending.
    assert_eq!(
        p.b.identity_validated(now, 999, Err("x".into()))
            .unwrap_err()
            .dom_name(),
        "InvalidStateError"
    );
    // peerIdentity set and a remote description without a=identity.
    let b_config = RtcConfiguration {
        peer_identity: Some("alice@idp.example".into()),
        ..RtcConfiguration::default()
    };
    let mut q = Pair::with_configs(RtcConfiguration::default(), b_config);
    let now = q.now;
    q.a.create_data_channel(now, DataChannelInit::new("x"))
        .unwrap();
    let offer = q.a.create_offer(now).unwrap();
    let err = q.b.set_remote_description(now, offer).unwrap_err();
    assert_eq!(err.dom_name(), "InvalidModificationError");
    assert_eq!(q.b.signaling_state(), SignalingState::Stable);
}
