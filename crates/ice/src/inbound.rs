//! Received datagrams: the demultiplexer (TURN server traffic, STUN,
//! application data) and the answer to connectivity checks (RFC 8445
//! §7.3). MESSAGE-INTEGRITY is verified before anything else is read.

use std::net::SocketAddr;
use std::time::Instant;

use sansrtc_config::IceTransportPolicy;
use sansrtc_proto::Receive;
use sansrtc_sdp::CandidateKind;
use sansrtc_stun::attributes::{
    ErrorCode, IceControlled, IceControlling, Priority, Username, XorMappedAddress,
};
use sansrtc_stun::{AttributeType, Class, Message, MessageBuilder, Method, TransactionId};

use crate::agent::{Agent, TxKind};
use crate::candidate::RemoteCandidate;
use crate::event::IceEvent;
use crate::pair::PairState;

/// What [`Agent::handle_receive`] made of a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received<'a> {
    /// A STUN message for the agent (check, response, server answer).
    Stun,
    /// Traffic with a TURN server; relayed application data, if any,
    /// comes out as [`crate::IceEvent::Data`].
    Relay,
    /// Application data (DTLS, SRTP) from the peer on `component`, borrowed
    /// from the datagram.
    Data {
        /// Component id.
        component: u16,
        /// The bytes.
        data: &'a [u8],
    },
    /// Not for this agent, unauthenticated or malformed: dropped and counted.
    Dropped,
}

impl Agent {
    /// A datagram arrived on one of our local addresses.
    pub fn handle_receive<'a>(&mut self, now: Instant, datagram: Receive<'a>) -> Received<'a> {
        self.now = Some(now);
        // Offer server traffic to each relay on that 5-tuple until one claims it.
        for i in 0..self.relays.len() {
            let r = &self.relays[i];
            if r.server != datagram.source
                || r.base != datagram.destination
                || r.protocol != datagram.protocol
            {
                continue;
            }
            // The relay client's timers may move even when it declines.
            self.timers_changed();
            if self.relays[i].client.handle_receive(now, datagram) {
                self.drain_relay(now, i);
                self.update_gathering(now);
                self.update_state(now);
                return Received::Relay;
            }
        }
        if self.closed {
            return Received::Dropped;
        }
        if Message::looks_like_stun(datagram.contents) {
            self.timers_changed();
            let Ok(message) = Message::parse(datagram.contents) else {
                self.stats.malformed_dropped += 1;
                return Received::Dropped;
            };
            let handled =
                self.handle_stun(now, &message, datagram.source, datagram.destination, None);
            self.update_gathering(now);
            self.update_state(now);
            return if handled {
                Received::Stun
            } else {
                Received::Dropped
            };
        }
        match self.data_component(datagram.destination, datagram.source, None) {
            Some(component) => {
                self.note_reply_path(component, datagram.destination, datagram.source, None);
                Received::Data {
                    component,
                    data: datagram.contents,
                }
            }
            None => {
                self.stats.unknown_source_dropped += 1;
                Received::Dropped
            }
        }
    }

    /// Whether `datagram` is this agent's, without handling it: traffic
    /// with one of its TURN servers, a STUN request whose USERNAME starts
    /// with our ufrag, a response to one of our transactions, or anything
    /// else from a peer address our pairs or remote candidates know. A
    /// connection whose transports share sockets (one ICE agent each) asks
    /// its agents in turn.
    pub fn claims(&self, datagram: &Receive<'_>) -> bool {
        let relayed = self.relays.iter().any(|r| {
            r.server == datagram.source
                && r.base == datagram.destination
                && r.protocol == datagram.protocol
        });
        if relayed {
            return true;
        }
        if Message::looks_like_stun(datagram.contents) {
            let Ok(message) = Message::parse(datagram.contents) else {
                return false;
            };
            return match message.class() {
                Class::Request => match message.get::<Username<'_>>() {
                    Ok(Some(Username(u))) => u
                        .split_once(':')
                        .is_some_and(|(ours, _)| ours == self.local_credentials().ufrag),
                    _ => false,
                },
                Class::SuccessResponse | Class::ErrorResponse => {
                    let id = message.transaction_id();
                    self.transactions.iter().any(|t| t.id == id)
                }
                Class::Indication => self.knows_source(datagram),
            };
        }
        self.knows_source(datagram)
    }

    fn knows_source(&self, datagram: &Receive<'_>) -> bool {
        self.data_component(datagram.destination, datagram.source, None)
            .is_some()
    }

    /// Remembers where the peer's data came from, for replies before a
    /// pair is selected.
    pub(crate) fn note_reply_path(
        &mut self,
        component: u16,
        local: SocketAddr,
        remote: SocketAddr,
        relay: Option<usize>,
    ) {
        if let Some(slot) = usize::from(component)
            .checked_sub(1)
            .and_then(|i| self.reply_path.get_mut(i))
        {
            *slot = Some((local, remote, relay));
        }
    }

    /// The component of application data from `source` to `local`, if we
    /// know the peer there.
    pub(crate) fn data_component(
        &self,
        local: SocketAddr,
        source: SocketAddr,
        relay: Option<usize>,
    ) -> Option<u16> {
        let on_path = self
            .selected
            .iter()
            .chain(self.previous.iter())
            .flatten()
            .find(|p| p.info.local_base == local && p.info.remote == source && p.relay == relay);
        if let Some(p) = on_path {
            return Some(p.info.component);
        }
        let base = self
            .locals
            .iter()
            .find(|c| c.base == local && c.relay == relay && !self.base_removed(c.base))?;
        self.remotes
            .iter()
            .any(|r| r.component == base.component && r.address == source)
            .then_some(base.component)
    }

    /// A parsed STUN message from `source` to `local` (the relayed address
    /// when it came through relay `relay`). Returns whether it was used.
    pub(crate) fn handle_stun(
        &mut self,
        now: Instant,
        message: &Message<'_>,
        source: SocketAddr,
        local: SocketAddr,
        relay: Option<usize>,
    ) -> bool {
        match message.class() {
            Class::Request if message.method() == Method::BINDING => {
                self.handle_request(now, message, source, local, relay)
            }
            Class::Indication => true, // Binding indications: keepalives (RFC 8445 §11).
            Class::SuccessResponse | Class::ErrorResponse => {
                let id = message.transaction_id();
                let Some(index) = self.transactions.iter().position(|t| t.id == id) else {
                    self.stats.unknown_transaction_dropped += 1;
                    return false;
                };
                let t = &self.transactions[index];
                if t.relay != relay {
                    self.stats.unknown_transaction_dropped += 1;
                    return false;
                }
                if let TxKind::ServerBinding { .. } = t.kind {
                    // No integrity with a STUN server: at least the addresses must match.
                    if source != t.destination || local != t.source {
                        self.stats.unknown_transaction_dropped += 1;
                        return false;
                    }
                    if message.has_fingerprint() && message.verify_fingerprint().is_err() {
                        self.stats.malformed_dropped += 1;
                        return false;
                    }
                    self.handle_server_response(now, index, message);
                    return true;
                }
                let authentic = t
                    .key
                    .as_ref()
                    .is_some_and(|k| message.verify_integrity(k).is_ok());
                if !authentic {
                    self.stats.unauthenticated_dropped += 1;
                    return false;
                }
                if message.has_fingerprint() && message.verify_fingerprint().is_err() {
                    self.stats.malformed_dropped += 1;
                    return false;
                }
                self.handle_check_response(now, index, message, source, local);
                true
            }
            _ => {
                self.stats.malformed_dropped += 1;
                false
            }
        }
    }

    fn handle_request(
        &mut self,
        now: Instant,
        message: &Message<'_>,
        source: SocketAddr,
        local: SocketAddr,
        relay: Option<usize>,
    ) -> bool {
        // MESSAGE-INTEGRITY first: our password (or the one before an ICE restart).
        let credentials = [Some(&self.local), self.previous_local.as_ref()]
            .into_iter()
            .flatten()
            .find(|c| message.verify_integrity(c.pwd.as_bytes()).is_ok())
            .cloned();
        let Some(credentials) = credentials else {
            self.stats.unauthenticated_dropped += 1;
            return false;
        };
        if message.has_fingerprint() && message.verify_fingerprint().is_err() {
            self.stats.malformed_dropped += 1;
            return false;
        }
        let username_ok = matches!(
            message.get::<Username<'_>>(),
            Ok(Some(Username(u))) if u.split_once(':').is_some_and(|(ours, _)| ours == credentials.ufrag)
        );
        if !username_ok {
            self.stats.unauthenticated_dropped += 1;
            return false;
        }
        if relay.is_none() && self.config.transport_policy == IceTransportPolicy::Relay {
            // Answering would send to the peer from a host address.
            self.stats.relay_policy_dropped += 1;
            return false;
        }
        let local_index = self.locals.iter().position(|c| match relay {
            Some(r) => c.kind == CandidateKind::Relay && c.relay == Some(r),
            None => c.kind == CandidateKind::Host && c.base == local && !self.base_removed(c.base),
        });
        let Some(local_index) = local_index else {
            self.stats.unknown_source_dropped += 1;
            return false;
        };
        let component = self.locals[local_index].component;
        if !self.component_active(component) {
            self.stats.unknown_source_dropped += 1;
            return false;
        }
        let Ok(Some(Priority(priority))) = message.get::<Priority>() else {
            self.stats.malformed_dropped += 1;
            return false;
        };
        self.stats.requests_received += 1;
        self.last_request_at = Some(now);

        // Role conflicts (RFC 8445 §7.3.1.1).
        let their_controlling = message.get::<IceControlling>().ok().flatten();
        let their_controlled = message.get::<IceControlled>().ok().flatten();
        if self.controlling {
            if let Some(IceControlling(theirs)) = their_controlling {
                self.stats.role_conflicts += 1;
                if self.tie_breaker >= theirs {
                    self.answer(
                        now,
                        message.transaction_id(),
                        local,
                        source,
                        relay,
                        &credentials.pwd,
                        Some(487),
                    );
                    return true;
                }
                self.set_role(false);
            }
        } else if let Some(IceControlled(theirs)) = their_controlled {
            self.stats.role_conflicts += 1;
            if self.tie_breaker >= theirs && !self.config.lite {
                self.set_role(true);
            } else if !self.config.lite {
                self.answer(
                    now,
                    message.transaction_id(),
                    local,
                    source,
                    relay,
                    &credentials.pwd,
                    Some(487),
                );
                return true;
            }
        }
        self.answer(
            now,
            message.transaction_id(),
            local,
            source,
            relay,
            &credentials.pwd,
            None,
        );

        // The source is a remote candidate, peer-reflexive if unknown (§7.3.1.3).
        let remote_index = match self
            .remotes
            .iter()
            .position(|r| r.component == component && r.address == source)
        {
            Some(i) => i,
            None => {
                if self.remotes.len() >= self.config.max_remote_candidates {
                    self.stats.remote_candidates_dropped += 1;
                    return true;
                }
                self.prflx_count += 1;
                self.remotes.push(RemoteCandidate {
                    kind: CandidateKind::PeerReflexive,
                    component,
                    address: source,
                    priority,
                    foundation: format!("prflx{}", self.prflx_count),
                });
                self.remotes.len() - 1
            }
        };
        let Some(pair) = self.form_pair(local_index, remote_index) else {
            return true;
        };
        let use_candidate = message.has(AttributeType::USE_CANDIDATE) && !self.controlling;
        if self.config.lite {
            // A lite agent's valid pairs are those it answered (RFC 8445 §7.3.2).
            let p = &mut self.pairs[pair];
            p.state = PairState::Succeeded;
            if use_candidate {
                p.nominated = true;
            }
            for path in self.selected.iter_mut().flatten() {
                if path.pair == Some(pair) {
                    path.last_response = now;
                }
            }
            self.update_selection(now);
            return true;
        }
        let p = &mut self.pairs[pair];
        match p.state {
            PairState::Succeeded => {
                if use_candidate && !p.nominated {
                    p.nominated = true;
                    self.update_selection(now);
                }
            }
            PairState::InProgress => {
                if use_candidate {
                    p.nominate_on_success = true;
                }
                // §7.3.1.4: cancel the running check (no more retransmissions,
                // a late answer still counts) and check again now.
                let wait = self.config.check_rto_max;
                for t in self.transactions.iter_mut() {
                    if matches!(t.kind, TxKind::Check { pair: q, nominate: false } if q == pair)
                        && !t.cancelled
                    {
                        t.cancelled = true;
                        t.max_sends = t.sent;
                        t.next = now + wait;
                    }
                }
                self.push_triggered(pair, false);
            }
            PairState::Frozen | PairState::Waiting | PairState::Failed => {
                if use_candidate {
                    p.nominate_on_success = true;
                }
                p.state = PairState::Waiting;
                self.push_triggered(pair, false);
            }
        }
        self.schedule_checks(now);
        true
    }

    /// Answers a Binding request: success with XOR-MAPPED-ADDRESS, or an
    /// error (487), signed with our password, from where it arrived.
    #[allow(clippy::too_many_arguments)]
    fn answer(
        &mut self,
        now: Instant,
        id: TransactionId,
        local: SocketAddr,
        source: SocketAddr,
        relay: Option<usize>,
        pwd: &str,
        error: Option<u16>,
    ) {
        let mut buf = Vec::with_capacity(96);
        let class = if error.is_some() {
            Class::ErrorResponse
        } else {
            Class::SuccessResponse
        };
        let mut b = MessageBuilder::new(
            &mut buf,
            sansrtc_stun::MessageType::new(Method::BINDING, class),
            id,
        );
        let built = (|| {
            match error {
                Some(code) => b.add(&ErrorCode::with_default_reason(code))?,
                None => b.add(&XorMappedAddress(source))?,
            };
            b.add_message_integrity(pwd.as_bytes())?.add_fingerprint()?;
            Ok::<(), sansrtc_stun::StunError>(())
        })();
        if built.is_err() {
            return;
        }
        b.finish();
        self.transmit(now, local, source, relay, &buf);
    }
}

/// The agent under the workspace's [`sansrtc_proto::Machine`] trait, so the
/// tokio and mio adapters drive it. The trait's `handle_receive` returns
/// nothing, so direct application data comes out as [`IceEvent::Data`]
/// (copied) like relayed data; use the inherent [`Agent::handle_receive`]
/// to get it borrowed instead.
impl sansrtc_proto::Machine for Agent {
    type Event = IceEvent;

    fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) {
        if let Received::Data { component, data } = Agent::handle_receive(self, now, datagram) {
            let data = data.to_vec();
            self.outbox
                .push_back(sansrtc_proto::Output::Event(IceEvent::Data {
                    component,
                    data,
                }));
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        Agent::handle_timeout(self, now);
    }

    fn poll_output(&mut self) -> sansrtc_proto::Output<sansrtc_proto::Transmit, IceEvent> {
        Agent::poll_output(self)
    }
}
