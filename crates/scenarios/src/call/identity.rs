//! `call/peer-identity` and `call/peer-identity-refused`: a test identity
//! provider answers the connections' `PeerEvent::Identity` requests; B,
//! configured with `peerIdentity: "alice@idp.example"`, opens no channel
//! until A's assertion validates, and fails the connection when A asserts
//! someone else.

use std::time::Duration;

use sansrtc::{
    DataChannelInit, DataChannelMessage, IdentityProvider, PeerConnectionState, PeerEvent,
    RtcConfiguration, ValidatedAssertion,
};

use super::harness::{Call, Side, SignalingOptions};
use super::{outcome, public_pair};
use crate::setup::network;
use crate::{Outcome, ScenarioInput};

/// The identity B expects.
pub(crate) const EXPECTED: &str = "alice@idp.example";
/// The IdP's domain.
pub(crate) const IDP_DOMAIN: &str = "idp.example";
/// The IdP's key: assertions it signs validate only with it.
const IDP_SECRET: u64 = 0x05ee_d1d9;

/// A test identity provider: the assertion is `identity|contents|tag`,
/// where the tag is a keyed hash only this IdP (knowing the secret) makes.
#[derive(Debug, Clone)]
pub struct TestIdp {
    /// The identity it asserts for its user.
    pub identity: String,
    secret: u64,
    /// Assertions generated.
    pub generated: u32,
    /// Assertions validated (successfully or not).
    pub validated: u32,
}

impl TestIdp {
    /// An IdP asserting `identity`.
    pub fn new(identity: &str) -> TestIdp {
        TestIdp {
            identity: identity.to_owned(),
            secret: IDP_SECRET,
            generated: 0,
            validated: 0,
        }
    }

    fn tag(&self, identity: &str, contents: &str) -> u64 {
        identity
            .bytes()
            .chain([0])
            .chain(contents.bytes())
            .fold(self.secret, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
    }
}

impl IdentityProvider for TestIdp {
    fn generate_assertion(&mut self, contents: &str) -> Result<String, String> {
        self.generated += 1;
        let tag = self.tag(&self.identity, contents);
        Ok(format!("{}|{tag:016x}|{contents}", self.identity))
    }

    fn validate_assertion(&mut self, assertion: &str) -> Result<ValidatedAssertion, String> {
        self.validated += 1;
        let mut parts = assertion.splitn(3, '|');
        let (Some(identity), Some(tag), Some(contents)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err("malformed assertion".into());
        };
        if tag != format!("{:016x}", self.tag(identity, contents)) {
            return Err("bad signature".into());
        }
        Ok(ValidatedAssertion {
            identity: identity.to_owned(),
            contents: contents.to_owned(),
        })
    }
}

/// How long the IdP takes per request: longer than the DTLS handshake, so
/// that B's DTLS is up while the validation is pending.
const IDP_DELAY: Duration = Duration::from_millis(400);

fn setup(input: &ScenarioInput, asserted: &str) -> Result<(Call, sansrtc::ChannelId), String> {
    let (mut net, _) = network(input);
    let b_config = RtcConfiguration {
        peer_identity: Some(EXPECTED.into()),
        ..RtcConfiguration::default()
    };
    let (a, b) = public_pair(&mut net, RtcConfiguration::default(), b_config)?;
    let options = SignalingOptions {
        idp_delay: IDP_DELAY,
        ..SignalingOptions::default()
    };
    let mut call = Call::new(net, a, b, options);
    call.idp = [Some(TestIdp::new(asserted)), Some(TestIdp::new(""))];
    call.pc(Side::A)
        .set_identity_provider(IDP_DOMAIN, "default")
        .map_err(|e| format!("setIdentityProvider: {e}"))?;
    // The assertion must be in A's offer: wait for the IdP.
    call.run_until(Duration::from_secs(5), "A's assertion", |c| {
        c.identity_results.iter().any(|(s, _, _)| *s == Side::A)
    })?;
    if let Some((_, _, Err(e))) = call.identity_results.first() {
        return Err(format!("A's assertion was refused: {e}"));
    }
    let channel = call.create_channel(Side::A, DataChannelInit::new("private"))?;
    call.offer(Side::A)?;
    Ok((call, channel))
}

/// When B's validation was answered, and how.
fn validation(call: &Call) -> Option<(Duration, Result<(), String>)> {
    call.identity_results
        .iter()
        .find(|(s, _, _)| *s == Side::B)
        .map(|(_, at, r)| (*at, r.clone()))
}

pub(super) fn accepted(input: &ScenarioInput) -> Result<Outcome, String> {
    let (mut call, channel) = setup(input, EXPECTED)?;
    let start = call.elapsed();
    let (connected, theirs) =
        call.until_open(Side::A, channel, "private", Duration::from_secs(20))?;
    call.check_errors()?;
    let Some((validated_at, result)) = validation(&call) else {
        return Err("B's channel opened without a validation".into());
    };
    result.map_err(|e| format!("B refused alice's assertion: {e}"))?;
    let b_open = call.opened_at(Side::B, theirs).ok_or("no open on B")?;
    if b_open < validated_at {
        return Err(format!(
            "B's channel opened at {b_open:?}, before the validation at {validated_at:?}"
        ));
    }
    let announced_at = call.events[1]
        .iter()
        .find_map(|(at, e)| {
            matches!(
                e,
                PeerEvent::DataChannel(sansrtc::DataChannelEvent::DataChannel(_))
            )
            .then_some(*at)
        })
        .ok_or("no datachannel event on B")?;
    if announced_at < validated_at {
        return Err("B was told of the channel before the identity validated".into());
    }
    // The validation really was the gate: B's DTLS was up before it.
    let dtls_up = call.events[1]
        .iter()
        .find_map(|(at, e)| {
            matches!(
                e,
                PeerEvent::ConnectionStateChange(PeerConnectionState::Connected)
            )
            .then_some(*at)
        })
        .ok_or("B never connected")?;
    if dtls_up >= validated_at {
        return Err(format!(
            "B connected at {dtls_up:?}, after the validation at {validated_at:?}: the gate was not exercised"
        ));
    }
    if call.peer(Side::B).peer_identity() != Some(EXPECTED) {
        return Err(format!(
            "B's peerIdentity is {:?}",
            call.peer(Side::B).peer_identity()
        ));
    }
    if !call.events[1]
        .iter()
        .any(|(_, e)| matches!(e, PeerEvent::PeerIdentity(i) if i == EXPECTED))
    {
        return Err("no PeerIdentity event on B".into());
    }
    // And data flows both ways once open.
    call.send(
        Side::A,
        channel,
        DataChannelMessage::Text("hello bob".into()),
    )?;
    call.send(Side::B, theirs, DataChannelMessage::Text("hi alice".into()))?;
    call.run_until(
        call.elapsed() + Duration::from_secs(5),
        "messages both ways",
        |c| !c.messages(Side::B, theirs).is_empty() && !c.messages(Side::A, channel).is_empty(),
    )?;
    Ok(outcome(&call, connected - start, None, input.capture))
}

pub(super) fn refused(input: &ScenarioInput) -> Result<Outcome, String> {
    let (mut call, _channel) = setup(input, "mallory@idp.example")?;
    let failed = call.run_until(Duration::from_secs(10), "B refuses mallory", |c| {
        validation(c).is_some() && c.peer(Side::B).connection_state() == PeerConnectionState::Failed
    });
    let Some((_, result)) = validation(&call) else {
        return Err(format!("B never validated: {}", failed.unwrap_err()));
    };
    match result {
        Ok(()) => return Err("B accepted mallory as alice".into()),
        Err(e) if !e.starts_with("InvalidModificationError") => {
            return Err(format!(
                "B refused with {e}, expected an InvalidModificationError"
            ))
        }
        Err(_) => {}
    }
    let failed_at = failed?;
    // Nothing opens, on either side, for a while after.
    call.run_for(Duration::from_secs(5))?;
    if !call.opened(Side::B).is_empty() || !call.opened(Side::A).is_empty() {
        return Err(format!(
            "a channel opened despite the refused identity (A {:?}, B {:?})",
            call.opened(Side::A),
            call.opened(Side::B)
        ));
    }
    if call.peer(Side::B).connection_state() != PeerConnectionState::Failed {
        return Err(format!(
            "B's connection went from failed to {}",
            call.peer(Side::B).connection_state()
        ));
    }
    if call.peer(Side::B).peer_identity().is_some() {
        return Err("B has a peerIdentity".into());
    }
    call.check_errors()?;
    Ok(outcome(&call, failed_at, None, input.capture))
}
