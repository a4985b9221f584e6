//! A STUN server answering Binding requests (RFC 8489 §6.3) with the
//! source address it saw, so clients behind a NAT learn their
//! server-reflexive address.

use std::collections::VecDeque;
use std::time::Instant;

use sansrtc_proto::{Output, Receive, Transmit};
use sansrtc_stun::attributes::ErrorCode;
use sansrtc_stun::{AttributeType, Class, Message, Method};

use super::{binding_success, error_response, udp};
use crate::node::Node;

/// Counters of a [`StunServer`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StunServerCounters {
    /// Binding requests answered with success.
    pub binding_requests: u64,
    /// Requests answered with an error (unknown method or attribute).
    pub error_responses: u64,
    /// Datagrams that were not STUN, failed their FINGERPRINT, or were not
    /// requests (dropped silently).
    pub ignored: u64,
}

/// A STUN Binding server: put it on a host with [`crate::Network::add_host`];
/// it answers on whatever address and port a request arrived at.
#[derive(Debug, Default)]
pub struct StunServer {
    outbox: VecDeque<Transmit>,
    counters: StunServerCounters,
}

impl StunServer {
    /// A new server.
    pub fn new() -> Self {
        Self::default()
    }

    /// Its counters.
    pub fn counters(&self) -> StunServerCounters {
        self.counters
    }
}

/// Answers a STUN request that is not for a TURN method: Binding → success;
/// anything else → 400; unknown comprehension-required attributes → 420.
/// Returns `None` for what must be dropped silently.
pub(crate) fn answer_binding(
    message: &Message<'_>,
    source: std::net::SocketAddr,
) -> Option<(bool, Vec<u8>)> {
    if message.class() != Class::Request {
        return None;
    }
    let unknown: Vec<AttributeType> = message.unknown_comprehension_required().collect();
    let reply = if !unknown.is_empty() {
        (
            false,
            error_response(message, ErrorCode::UNKNOWN_ATTRIBUTE, None, None, &unknown),
        )
    } else if message.method() == Method::BINDING {
        (true, binding_success(message, source))
    } else {
        (
            false,
            error_response(message, ErrorCode::BAD_REQUEST, None, None, &[]),
        )
    };
    match reply {
        (ok, Ok(bytes)) => Some((ok, bytes)),
        (_, Err(_)) => None,
    }
}

impl Node for StunServer {
    type Event = ();

    fn handle_receive(&mut self, _now: Instant, datagram: Receive<'_>) {
        let Ok(message) = Message::parse(datagram.contents) else {
            self.counters.ignored += 1;
            return;
        };
        if message.has_fingerprint() && message.verify_fingerprint().is_err() {
            self.counters.ignored += 1;
            return;
        }
        match answer_binding(&message, datagram.source) {
            Some((success, bytes)) => {
                if success {
                    self.counters.binding_requests += 1;
                } else {
                    self.counters.error_responses += 1;
                }
                self.outbox
                    .push_back(udp(datagram.destination, datagram.source, bytes));
            }
            None => self.counters.ignored += 1,
        }
    }

    fn handle_timeout(&mut self, _now: Instant) {}

    fn poll_output(&mut self) -> Output<Transmit, ()> {
        match self.outbox.pop_front() {
            Some(t) => Output::Transmit(t),
            None => Output::Timeout(None),
        }
    }
}
