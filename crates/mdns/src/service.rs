//! A resolver and a responder on the same sockets, as one machine: what a
//! driver runs for a peer connection that both resolves remote `.local`
//! candidates and hides its own host addresses.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use sansrtc_proto::{Machine, Output, Receive, Transmit};

use crate::{
    MdnsError, MdnsResolver, MdnsResponder, Name, QueryId, ResolverConfig, ResolverEvent,
    ResolverStats, ResponderConfig, ResponderStats,
};

/// An [`MdnsResolver`] and an [`MdnsResponder`] sharing the driver's mDNS
/// sockets: every datagram goes to both (the resolver takes responses,
/// the responder queries, each counts the other kind as ignored), their
/// transmits come out in turn (the responder's first: answers are due at
/// once), and the timeout is the earlier of theirs. Its events are the
/// resolver's.
#[derive(Debug)]
pub struct MdnsService {
    resolver: MdnsResolver,
    responder: MdnsResponder,
}

impl MdnsService {
    /// Both machines with their defaults, on the sockets bound to
    /// `sources`.
    pub fn new(sources: Vec<SocketAddr>) -> MdnsService {
        Self::with_configs(
            ResolverConfig::new(sources.clone()),
            ResponderConfig::new(sources),
        )
    }

    /// Both machines with the given configurations.
    pub fn with_configs(resolver: ResolverConfig, responder: ResponderConfig) -> MdnsService {
        MdnsService {
            resolver: MdnsResolver::new(resolver),
            responder: MdnsResponder::new(responder),
        }
    }

    /// Resolves `name` ([`MdnsResolver::resolve`]); the answer is a
    /// [`ResolverEvent::Resolved`] with the returned id.
    pub fn resolve(&mut self, now: Instant, name: &str) -> Result<QueryId, MdnsError> {
        self.resolver.resolve(now, name)
    }

    /// Stops waiting for a query ([`MdnsResolver::cancel`]).
    pub fn cancel(&mut self, id: QueryId) -> bool {
        self.resolver.cancel(id)
    }

    /// Answers for `name` with `address` from now on
    /// ([`MdnsResponder::register`]).
    pub fn register(
        &mut self,
        now: Instant,
        name: &str,
        address: IpAddr,
    ) -> Result<Name, MdnsError> {
        self.responder.register(now, name, address)
    }

    /// Stops answering for `name`, with a goodbye
    /// ([`MdnsResponder::unregister`]).
    pub fn unregister(&mut self, name: &Name) -> bool {
        self.responder.unregister(name)
    }

    /// The resolver.
    pub fn resolver(&self) -> &MdnsResolver {
        &self.resolver
    }

    /// The responder.
    pub fn responder(&self) -> &MdnsResponder {
        &self.responder
    }

    /// The resolver's counters.
    pub fn resolver_stats(&self) -> ResolverStats {
        self.resolver.stats()
    }

    /// The responder's counters.
    pub fn responder_stats(&self) -> ResponderStats {
        self.responder.stats()
    }
}

impl Machine for MdnsService {
    type Event = ResolverEvent;

    fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) {
        self.responder.handle_receive(now, datagram);
        self.resolver.handle_receive(now, datagram);
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.responder.handle_timeout(now);
        self.resolver.handle_timeout(now);
    }

    fn poll_output(&mut self) -> Output<Transmit, ResolverEvent> {
        let responder_next = match self.responder.poll_output() {
            Output::Transmit(t) => return Output::Transmit(t),
            Output::Event(never) => match never {},
            Output::Timeout(at) => at,
        };
        match self.resolver.poll_output() {
            Output::Timeout(at) => {
                Output::Timeout([responder_next, at].into_iter().flatten().min())
            }
            other => other,
        }
    }
}
