//! Simulated STUN (RFC 8489 Binding) and TURN (RFC 8656, UDP) servers,
//! built on `sansrtc-stun`, so ICE scenarios get server-reflexive and
//! relayed candidates.

pub(crate) mod stun_server;
mod turn_allocation;
mod turn_requests;
pub(crate) mod turn_server;

use std::net::SocketAddr;

use sansrtc_proto::{Protocol, Transmit};
use sansrtc_stun::attributes::{ErrorCode, Nonce, Realm, Software, XorMappedAddress};
use sansrtc_stun::{AttributeType, Class, Message, MessageBuilder, StunError};

/// The SOFTWARE attribute the simulated servers send.
pub const SERVER_SOFTWARE: &str = "sansrtc-netsim";

/// A response to `request`, with integrity under `key` when given, and a
/// FINGERPRINT. `fill` adds the attributes in between.
pub(crate) fn response(
    request: &Message<'_>,
    class: Class,
    key: Option<&[u8]>,
    fill: impl FnOnce(&mut MessageBuilder<'_, Vec<u8>>) -> Result<(), StunError>,
) -> Result<Vec<u8>, StunError> {
    let mut buf = Vec::with_capacity(128);
    let mut b = MessageBuilder::new(
        &mut buf,
        request.message_type().with_class(class),
        request.transaction_id(),
    );
    fill(&mut b)?;
    if let Some(key) = key {
        b.add_message_integrity(key)?;
    }
    b.add_fingerprint()?;
    b.finish();
    Ok(buf)
}

/// An error response with `code` (and REALM/NONCE when given, for 401/438).
pub(crate) fn error_response(
    request: &Message<'_>,
    code: u16,
    key: Option<&[u8]>,
    challenge: Option<(&str, &str)>,
    unknown: &[AttributeType],
) -> Result<Vec<u8>, StunError> {
    response(request, Class::ErrorResponse, key, |b| {
        b.add(&ErrorCode::with_default_reason(code))?;
        if let Some((realm, nonce)) = challenge {
            b.add(&Realm(realm))?;
            b.add(&Nonce(nonce))?;
        }
        if !unknown.is_empty() {
            b.add_unknown_attributes(unknown)?;
        }
        Ok(())
    })
}

/// The Binding success response: XOR-MAPPED-ADDRESS = the source seen.
pub(crate) fn binding_success(
    request: &Message<'_>,
    source: SocketAddr,
) -> Result<Vec<u8>, StunError> {
    response(request, Class::SuccessResponse, None, |b| {
        b.add(&XorMappedAddress(source))?;
        b.add(&Software(SERVER_SOFTWARE))?;
        Ok(())
    })
}

/// A UDP transmit.
pub(crate) fn udp(source: SocketAddr, destination: SocketAddr, contents: Vec<u8>) -> Transmit {
    Transmit {
        protocol: Protocol::Udp,
        source,
        destination,
        contents,
    }
}
