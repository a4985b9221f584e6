//! Which connection a received datagram is for.
//!
//! A STUN Binding request names the connection it is for: the first part
//! of its USERNAME (`"<ours>:<theirs>"`, RFC 8445 §7.2.2) is the receiving
//! agent's ufrag. Such a request goes to the connection with that ufrag;
//! if the connection answers it with a success response (so its
//! MESSAGE-INTEGRITY was good: only the connection knows the password),
//! its source address becomes a route to that connection. Every other
//! datagram (STUN responses and indications, DTLS, SRTP, SCTP in DTLS)
//! goes by its source address along a route learned that way. The tables
//! are `BTreeMap`s: their keys come from peers, and a B-tree cannot be
//! flooded with colliding keys (and needs no random seed).

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;

use sansrtc_proto::{Protocol, Transmit};
use sansrtc_stun::attributes::Username;
use sansrtc_stun::{Class, Message, MessageType, TransactionId};

use super::connection::ConnectionId;

/// Most source addresses routed to one connection; a request from one
/// more evicts the one heard from least recently. Sixteen covers every
/// candidate a real peer checks from (host addresses per interface and
/// family, server-reflexive, relayed) and keeps a peer that knows a ufrag
/// from growing the table: it can hold at most this many routes per
/// connection.
pub const ROUTES_PER_CONNECTION: usize = 16;

/// Where a received datagram goes, by its contents alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Destination<'a> {
    /// A Binding request for the connection with this local ufrag.
    Ufrag {
        /// The connection's ufrag.
        ufrag: &'a str,
        /// The request's transaction, to recognise the answer.
        transaction: TransactionId,
    },
    /// A STUN response (success or error): by its transaction if a
    /// connection sent the request, else by source address.
    Response(TransactionId),
    /// Anything else: by source address.
    SourceAddress,
}

/// Reads where `contents` goes: a well-formed STUN Binding request whose
/// USERNAME has the form `ours:theirs` goes by `ours`; a well-formed STUN
/// response by its transaction; everything else (including STUN that does
/// not parse) by its source address.
pub(crate) fn destination(contents: &[u8]) -> Destination<'_> {
    if !Message::looks_like_stun(contents) {
        return Destination::SourceAddress;
    }
    let Ok(message) = Message::parse(contents) else {
        return Destination::SourceAddress;
    };
    if matches!(
        message.class(),
        Class::SuccessResponse | Class::ErrorResponse
    ) {
        return Destination::Response(message.transaction_id());
    }
    if message.message_type() != MessageType::BINDING_REQUEST {
        return Destination::SourceAddress;
    }
    match message.get::<Username<'_>>() {
        Ok(Some(Username(username))) => match username.split_once(':') {
            Some((ours, _)) => Destination::Ufrag {
                ufrag: ours,
                transaction: message.transaction_id(),
            },
            None => Destination::SourceAddress,
        },
        _ => Destination::SourceAddress,
    }
}

/// A Binding request a connection was handed: answered with a success
/// response, its source address may become a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Request {
    /// Where it came from.
    pub(crate) source: SocketAddr,
    /// Its transaction.
    pub(crate) transaction: TransactionId,
}

impl Request {
    /// Whether `transmit` is the Binding success response to this request.
    pub(crate) fn answered_by(&self, transmit: &Transmit) -> bool {
        if transmit.protocol != Protocol::Udp
            || transmit.destination != self.source
            || !Message::looks_like_stun(&transmit.contents)
        {
            return false;
        }
        Message::parse(&transmit.contents).is_ok_and(|m| {
            m.message_type() == MessageType::BINDING_SUCCESS
                && m.transaction_id() == self.transaction
        })
    }
}

/// What [`Routes::learn`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Learned {
    /// The address was not routed to this connection before.
    pub(crate) new: bool,
    /// It was routed to another connection.
    pub(crate) moved: bool,
    /// The connection's oldest route was evicted to make room.
    pub(crate) evicted: bool,
}

/// What one connection owns in the tables.
#[derive(Debug, Default)]
struct Owned {
    ufrags: Vec<String>,
    /// The ufrags before the last change (an ICE restart): an agent still
    /// accepts checks with its previous credentials for a while, and the
    /// peer keeps using them until it has the new ones.
    previous: Vec<String>,
    /// Its routes, heard from least recently first.
    addresses: VecDeque<SocketAddr>,
}

/// The ufrag and address tables.
#[derive(Debug, Default)]
pub(crate) struct Routes {
    by_ufrag: BTreeMap<String, ConnectionId>,
    by_address: BTreeMap<SocketAddr, ConnectionId>,
    owned: BTreeMap<ConnectionId, Owned>,
}

impl Routes {
    /// The connection whose local ufrag is `ufrag`.
    pub(crate) fn ufrag_owner(&self, ufrag: &str) -> Option<ConnectionId> {
        self.by_ufrag.get(ufrag).copied()
    }

    /// The connection routed from `source`.
    pub(crate) fn address_owner(&self, source: SocketAddr) -> Option<ConnectionId> {
        self.by_address.get(&source).copied()
    }

    /// Sets `id`'s local ufrags to `ufrags`. The ones it had until now
    /// stay routed to it too, until the next change. Returns how many of
    /// the new ones another connection already had: those stay with the
    /// other connection.
    pub(crate) fn set_ufrags(&mut self, id: ConnectionId, ufrags: Vec<String>) -> u64 {
        let owned = self.owned.entry(id).or_default();
        if owned.ufrags == ufrags {
            return 0;
        }
        let current = std::mem::take(&mut owned.ufrags);
        for old in owned.previous.drain(..) {
            if !ufrags.contains(&old)
                && !current.contains(&old)
                && self.by_ufrag.get(&old) == Some(&id)
            {
                self.by_ufrag.remove(&old);
            }
        }
        owned.previous = current
            .into_iter()
            .filter(|u| !ufrags.contains(u))
            .collect();
        let mut conflicts = 0;
        for ufrag in &ufrags {
            match self.by_ufrag.get(ufrag) {
                Some(other) if *other != id => conflicts += 1,
                _ => {
                    self.by_ufrag.insert(ufrag.clone(), id);
                }
            }
        }
        owned.ufrags = ufrags;
        conflicts
    }

    /// Routes `source` to `id` (a Binding request from there named one of
    /// its ufrags), or marks the route as heard from most recently.
    pub(crate) fn learn(&mut self, source: SocketAddr, id: ConnectionId) -> Learned {
        let mut learned = Learned::default();
        match self.by_address.insert(source, id) {
            Some(previous) if previous == id => {
                let addresses = &mut self.owned.entry(id).or_default().addresses;
                if let Some(at) = addresses.iter().position(|a| *a == source) {
                    addresses.remove(at);
                }
                addresses.push_back(source);
                return learned;
            }
            Some(previous) => {
                learned.moved = true;
                if let Some(other) = self.owned.get_mut(&previous) {
                    other.addresses.retain(|a| *a != source);
                }
            }
            None => {}
        }
        learned.new = true;
        let addresses = &mut self.owned.entry(id).or_default().addresses;
        addresses.push_back(source);
        if addresses.len() > ROUTES_PER_CONNECTION {
            if let Some(oldest) = addresses.pop_front() {
                self.by_address.remove(&oldest);
                learned.evicted = true;
            }
        }
        learned
    }

    /// Forgets `id`'s ufrags and routes (it was removed).
    pub(crate) fn forget(&mut self, id: ConnectionId) {
        let Some(owned) = self.owned.remove(&id) else {
            return;
        };
        for ufrag in owned.ufrags.into_iter().chain(owned.previous) {
            if self.by_ufrag.get(&ufrag) == Some(&id) {
                self.by_ufrag.remove(&ufrag);
            }
        }
        for address in owned.addresses {
            self.by_address.remove(&address);
        }
    }

    /// How many source addresses are routed, to all connections.
    pub(crate) fn route_count(&self) -> usize {
        self.by_address.len()
    }

    /// How many source addresses are routed to `id`.
    pub(crate) fn routes_of(&self, id: ConnectionId) -> usize {
        self.owned.get(&id).map_or(0, |o| o.addresses.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sansrtc_stun::attributes::Software;
    use sansrtc_stun::{MessageBuilder, Method};

    fn id(index: u32) -> ConnectionId {
        ConnectionId {
            index,
            generation: 0,
        }
    }

    fn addr(port: u16) -> SocketAddr {
        SocketAddr::from(([192, 0, 2, 1], port))
    }

    fn stun(class: Class, username: Option<&str>) -> Vec<u8> {
        let mut buf = Vec::new();
        let mut b = MessageBuilder::new(
            &mut buf,
            MessageType::new(Method::BINDING, class),
            TransactionId([7; 12]),
        );
        if let Some(u) = username {
            b.add(&Username(u)).unwrap();
        }
        b.add(&Software("test")).unwrap();
        b.finish();
        buf
    }

    #[test]
    fn a_binding_request_goes_by_the_first_ufrag_of_its_username() {
        let request = stun(Class::Request, Some("server1:client1"));
        assert_eq!(
            destination(&request),
            Destination::Ufrag {
                ufrag: "server1",
                transaction: TransactionId([7; 12])
            }
        );
    }

    #[test]
    fn only_the_success_response_to_the_source_answers_a_request() {
        let request = Request {
            source: addr(1),
            transaction: TransactionId([7; 12]),
        };
        let transmit = |to: SocketAddr, contents: Vec<u8>| Transmit {
            protocol: Protocol::Udp,
            source: addr(9),
            destination: to,
            contents,
        };
        assert!(request.answered_by(&transmit(addr(1), stun(Class::SuccessResponse, None))));
        assert!(!request.answered_by(&transmit(addr(2), stun(Class::SuccessResponse, None))));
        assert!(!request.answered_by(&transmit(addr(1), stun(Class::ErrorResponse, None))));
        assert!(!request.answered_by(&transmit(addr(1), stun(Class::Request, Some("a:b")))));
        assert!(!request.answered_by(&transmit(addr(1), b"DTLS".to_vec())));
        let other = Request {
            transaction: TransactionId([8; 12]),
            ..request
        };
        assert!(!other.answered_by(&transmit(addr(1), stun(Class::SuccessResponse, None))));
    }

    #[test]
    fn everything_else_goes_by_source_address() {
        for class in [Class::SuccessResponse, Class::ErrorResponse] {
            assert_eq!(
                destination(&stun(class, None)),
                Destination::Response(TransactionId([7; 12]))
            );
        }
        for contents in [
            stun(Class::Indication, Some("a:b")),
            stun(Class::Request, None),
            stun(Class::Request, Some("no-colon")),
            vec![22, 254, 253, 0, 0], // DTLS
            vec![0x80, 96, 0, 1],     // RTP
            vec![],
        ] {
            assert_eq!(destination(&contents), Destination::SourceAddress);
        }
        let request = stun(Class::Request, Some("server1:client1"));
        // Truncated (the length no longer matches) and trailing garbage.
        assert_eq!(
            destination(&request[..request.len() - 4]),
            Destination::SourceAddress
        );
        let mut longer = request.clone();
        longer.extend_from_slice(&[0; 4]);
        assert_eq!(destination(&longer), Destination::SourceAddress);
    }

    #[test]
    fn a_taken_ufrag_stays_with_its_owner() {
        let mut routes = Routes::default();
        assert_eq!(routes.set_ufrags(id(1), vec!["aaaa".into()]), 0);
        let both = vec!["aaaa".into(), "bbbb".into()];
        assert_eq!(routes.set_ufrags(id(2), both), 1);
        assert_eq!(routes.ufrag_owner("aaaa"), Some(id(1)));
        assert_eq!(routes.ufrag_owner("bbbb"), Some(id(2)));
    }

    #[test]
    fn replaced_ufrags_stay_routed_until_the_next_change() {
        let mut routes = Routes::default();
        routes.set_ufrags(id(1), vec!["aaaa".into()]);
        // An ICE restart: the old ufrag still finds the connection.
        routes.set_ufrags(id(1), vec!["bbbb".into()]);
        assert_eq!(routes.ufrag_owner("aaaa"), Some(id(1)));
        assert_eq!(routes.ufrag_owner("bbbb"), Some(id(1)));
        // Another restart: only the last two are routed.
        routes.set_ufrags(id(1), vec!["cccc".into()]);
        assert_eq!(routes.ufrag_owner("aaaa"), None);
        assert_eq!(routes.ufrag_owner("bbbb"), Some(id(1)));
        assert_eq!(routes.ufrag_owner("cccc"), Some(id(1)));
        // Reading the same ufrags again changes nothing.
        routes.set_ufrags(id(1), vec!["cccc".into()]);
        assert_eq!(routes.ufrag_owner("bbbb"), Some(id(1)));
        routes.forget(id(1));
        assert_eq!(routes.ufrag_owner("bbbb"), None);
        assert_eq!(routes.ufrag_owner("cccc"), None);
    }

    #[test]
    fn a_connection_keeps_its_most_recent_routes_only() {
        let mut routes = Routes::default();
        let cap = ROUTES_PER_CONNECTION as u16;
        for port in 0..cap {
            let learned = routes.learn(addr(port), id(1));
            assert!(learned.new && !learned.evicted);
        }
        // Hearing from port 0 again makes port 1 the oldest.
        assert_eq!(routes.learn(addr(0), id(1)), Learned::default());
        let learned = routes.learn(addr(cap), id(1));
        assert!(learned.new && learned.evicted);
        assert_eq!(routes.address_owner(addr(1)), None);
        assert_eq!(routes.address_owner(addr(0)), Some(id(1)));
        assert_eq!(routes.routes_of(id(1)), ROUTES_PER_CONNECTION);
        assert_eq!(routes.route_count(), ROUTES_PER_CONNECTION);
    }

    #[test]
    fn a_route_moves_to_the_connection_last_asked_for() {
        let mut routes = Routes::default();
        routes.learn(addr(1), id(1));
        let learned = routes.learn(addr(1), id(2));
        assert!(learned.new && learned.moved);
        assert_eq!(routes.address_owner(addr(1)), Some(id(2)));
        assert_eq!((routes.routes_of(id(1)), routes.routes_of(id(2))), (0, 1));
    }

    #[test]
    fn forgetting_a_connection_removes_its_ufrags_and_routes() {
        let mut routes = Routes::default();
        routes.set_ufrags(id(1), vec!["aaaa".into()]);
        routes.set_ufrags(id(2), vec!["bbbb".into()]);
        routes.learn(addr(1), id(1));
        routes.learn(addr(2), id(2));
        routes.forget(id(1));
        assert_eq!(routes.ufrag_owner("aaaa"), None);
        assert_eq!(routes.address_owner(addr(1)), None);
        assert_eq!(routes.ufrag_owner("bbbb"), Some(id(2)));
        assert_eq!(routes.address_owner(addr(2)), Some(id(2)));
        assert_eq!(routes.route_count(), 1);
    }
}
