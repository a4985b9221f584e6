//! A TURN server over UDP (RFC 8656): long-term credentials with a nonce,
//! allocations with lifetimes, permissions, channels, Send/Data indications
//! and ChannelData. It also answers Binding requests, as real TURN servers
//! do.

use std::collections::{BTreeMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use rand_chacha::ChaCha20Rng;
use rand_core::RngCore;
use sansrtc_proto::{Output, Receive, Transmit};
use sansrtc_stun::attributes::{Data, XorPeerAddress};
use sansrtc_stun::{
    ChannelData, Class, Message, MessageBuilder, MessageType, Method, TransactionId,
};

use super::stun_server::answer_binding;
use super::turn_allocation::{Allocation, FiveTuple};
use super::udp;
use crate::node::Node;

/// How a [`TurnServer`] is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnConfig {
    /// The REALM of the long-term credentials.
    pub realm: String,
    /// Accepted (username, password) pairs.
    pub users: Vec<(String, String)>,
    /// Addresses clients send to (TURN and Binding); on the server's host.
    pub listen: Vec<SocketAddr>,
    /// Relay IPs, at most one per family; on the server's host.
    pub relay: Vec<IpAddr>,
    /// First relayed port handed out (counting upwards).
    pub first_relay_port: u16,
    /// Most allocations at once (486 Allocation Quota Reached beyond).
    pub max_allocations: usize,
    /// Most permissions per allocation (508 beyond).
    pub max_permissions: usize,
    /// Most channels per allocation (508 beyond).
    pub max_channels: usize,
    /// Lifetime given when the client asks for less (RFC 8656: 600 s).
    pub default_lifetime: Duration,
    /// Longest lifetime granted (RFC 8656 recommends 3600 s).
    pub max_lifetime: Duration,
}

impl TurnConfig {
    /// One user, one listen address, one relay IP, RFC defaults.
    pub fn new(listen: SocketAddr, relay: IpAddr, username: &str, password: &str) -> Self {
        Self {
            realm: "sansrtc.test".into(),
            users: vec![(username.into(), password.into())],
            listen: vec![listen],
            relay: vec![relay],
            first_relay_port: 49_152,
            max_allocations: 256,
            max_permissions: 64,
            max_channels: 64,
            default_lifetime: Duration::from_secs(600),
            max_lifetime: Duration::from_secs(3600),
        }
    }
}

/// Counters of a [`TurnServer`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TurnCounters {
    /// Allocations created.
    pub allocations_created: u64,
    /// Allocations removed (expired or refreshed to 0).
    pub allocations_removed: u64,
    /// 401 challenges and rejections sent.
    pub unauthenticated: u64,
    /// 438 Stale Nonce sent.
    pub stale_nonces: u64,
    /// Other error responses sent.
    pub error_responses: u64,
    /// Binding requests answered.
    pub binding_requests: u64,
    /// Datagrams relayed from a client to a peer.
    pub relayed_to_peer: u64,
    /// Datagrams relayed from a peer to a client.
    pub relayed_to_client: u64,
    /// Relay attempts dropped for lack of a permission.
    pub no_permission: u64,
    /// Datagrams for no allocation or channel, non-STUN garbage, responses.
    pub ignored: u64,
}

/// What a [`TurnServer`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TurnEvent {
    /// An allocation was created.
    AllocationCreated {
        /// The client's address (as the server sees it).
        client: SocketAddr,
        /// The relayed transport address.
        relayed: SocketAddr,
    },
    /// An allocation ended (expired or deleted by the client).
    AllocationRemoved {
        /// Its relayed address.
        relayed: SocketAddr,
    },
}

/// The simulated TURN server. Put it on a host whose addresses include
/// every `listen` and `relay` address of its [`TurnConfig`].
pub struct TurnServer {
    pub(crate) config: TurnConfig,
    pub(crate) nonce: String,
    rng: ChaCha20Rng,
    pub(crate) allocations: BTreeMap<FiveTuple, Allocation>,
    pub(crate) by_relayed: BTreeMap<SocketAddr, FiveTuple>,
    next_port: u16,
    pub(crate) outbox: VecDeque<Transmit>,
    pub(crate) events: VecDeque<TurnEvent>,
    pub(crate) counters: TurnCounters,
}

impl TurnServer {
    /// A server with `config`; its nonces come from `rng` (use
    /// [`crate::Network::rng_for`]).
    pub fn new(config: TurnConfig, mut rng: ChaCha20Rng) -> Self {
        let nonce = Self::fresh_nonce(&mut rng);
        let next_port = config.first_relay_port.max(1024);
        Self {
            config,
            nonce,
            rng,
            allocations: BTreeMap::new(),
            by_relayed: BTreeMap::new(),
            next_port,
            outbox: VecDeque::new(),
            events: VecDeque::new(),
            counters: TurnCounters::default(),
        }
    }

    fn fresh_nonce(rng: &mut ChaCha20Rng) -> String {
        format!("{:016x}", rng.next_u64())
    }

    /// Replaces the nonce: requests with the old one get 438 Stale Nonce.
    pub fn rotate_nonce(&mut self) {
        self.nonce = Self::fresh_nonce(&mut self.rng);
    }

    /// The current nonce.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// Its counters.
    pub fn counters(&self) -> TurnCounters {
        self.counters
    }

    /// Live allocations as (client, relayed address).
    pub fn allocations(&self) -> Vec<(SocketAddr, SocketAddr)> {
        self.allocations
            .iter()
            .map(|((client, _), a)| (*client, a.relayed))
            .collect()
    }

    /// A free relayed address of `family_v4`'s family, if any.
    pub(crate) fn allocate_relayed(&mut self, v4: bool) -> Option<SocketAddr> {
        let ip = self
            .config
            .relay
            .iter()
            .copied()
            .find(|ip| ip.is_ipv4() == v4)?;
        for _ in 0..(65_536 - 1024) {
            let port = self.next_port;
            self.next_port = if port == u16::MAX { 1024 } else { port + 1 };
            let candidate = SocketAddr::new(ip, port);
            if !self.by_relayed.contains_key(&candidate) {
                return Some(candidate);
            }
        }
        None
    }

    pub(crate) fn remove_allocation(&mut self, tuple: FiveTuple) {
        if let Some(a) = self.allocations.remove(&tuple) {
            self.by_relayed.remove(&a.relayed);
            self.counters.allocations_removed += 1;
            self.events
                .push_back(TurnEvent::AllocationRemoved { relayed: a.relayed });
        }
    }

    fn expire(&mut self, now: Instant) {
        let expired: Vec<FiveTuple> = self
            .allocations
            .iter()
            .filter(|(_, a)| a.expires <= now)
            .map(|(t, _)| *t)
            .collect();
        for t in expired {
            self.remove_allocation(t);
        }
    }

    /// From a client, at a listen address.
    fn handle_client_datagram(&mut self, now: Instant, d: Receive<'_>) {
        let tuple = (d.source, d.destination);
        if ChannelData::looks_like_channel_data(d.contents) {
            let Ok(cd) = ChannelData::parse(d.contents) else {
                self.counters.ignored += 1;
                return;
            };
            let peer = self
                .allocations
                .get(&tuple)
                .and_then(|a| a.channel_peer(cd.channel, now).map(|p| (a.relayed, p)));
            match peer {
                Some((relayed, peer)) => self.relay_to_peer(now, tuple, relayed, peer, cd.data),
                None => self.counters.ignored += 1,
            }
            return;
        }
        let Ok(message) = Message::parse(d.contents) else {
            self.counters.ignored += 1;
            return;
        };
        if message.has_fingerprint() && message.verify_fingerprint().is_err() {
            self.counters.ignored += 1;
            return;
        }
        match (message.method(), message.class()) {
            (Method::SEND, Class::Indication) => self.send_indication(now, tuple, &message),
            (
                Method::ALLOCATE
                | Method::REFRESH
                | Method::CREATE_PERMISSION
                | Method::CHANNEL_BIND,
                Class::Request,
            ) => {
                self.turn_request(now, tuple, &message);
            }
            _ => match answer_binding(&message, d.source) {
                Some((success, bytes)) => {
                    if success {
                        self.counters.binding_requests += 1;
                    } else {
                        self.counters.error_responses += 1;
                    }
                    self.outbox.push_back(udp(d.destination, d.source, bytes));
                }
                None => self.counters.ignored += 1,
            },
        }
    }

    fn send_indication(&mut self, now: Instant, tuple: FiveTuple, message: &Message<'_>) {
        let (Ok(Some(XorPeerAddress(peer))), Ok(Some(Data(data)))) =
            (message.get::<XorPeerAddress>(), message.get::<Data<'_>>())
        else {
            self.counters.ignored += 1;
            return;
        };
        match self.allocations.get(&tuple).map(|a| a.relayed) {
            Some(relayed) => self.relay_to_peer(now, tuple, relayed, peer, data),
            None => self.counters.ignored += 1,
        }
    }

    fn relay_to_peer(
        &mut self,
        now: Instant,
        tuple: FiveTuple,
        relayed: SocketAddr,
        peer: SocketAddr,
        data: &[u8],
    ) {
        let permitted = self
            .allocations
            .get(&tuple)
            .is_some_and(|a| a.permits(peer.ip(), now));
        if !permitted || peer.is_ipv4() != relayed.is_ipv4() {
            self.counters.no_permission += 1;
            return;
        }
        self.counters.relayed_to_peer += 1;
        self.outbox.push_back(udp(relayed, peer, data.to_vec()));
    }

    /// From a peer, at a relayed address.
    fn handle_peer_datagram(&mut self, now: Instant, d: Receive<'_>) {
        let Some(&tuple) = self.by_relayed.get(&d.destination) else {
            self.counters.ignored += 1;
            return;
        };
        let Some(a) = self.allocations.get(&tuple) else {
            self.counters.ignored += 1;
            return;
        };
        if !a.permits(d.source.ip(), now) {
            self.counters.no_permission += 1;
            return;
        }
        let (client, server) = tuple;
        let mut buf = Vec::with_capacity(d.contents.len() + 64);
        let encoded = match a.channel_for(d.source, now) {
            Some(channel) => ChannelData {
                channel,
                data: d.contents,
            }
            .encode(&mut buf, false)
            .is_ok(),
            None => {
                let tid = TransactionId::random(&mut self.rng);
                let mut b = MessageBuilder::new(
                    &mut buf,
                    MessageType::new(Method::DATA, Class::Indication),
                    tid,
                );
                let ok =
                    b.add(&XorPeerAddress(d.source)).is_ok() && b.add(&Data(d.contents)).is_ok();
                b.finish();
                ok
            }
        };
        if !encoded {
            self.counters.ignored += 1;
            return;
        }
        self.counters.relayed_to_client += 1;
        self.outbox.push_back(udp(server, client, buf));
    }
}

impl Node for TurnServer {
    type Event = TurnEvent;

    fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) {
        self.expire(now);
        if self.config.listen.contains(&datagram.destination) {
            self.handle_client_datagram(now, datagram);
        } else {
            self.handle_peer_datagram(now, datagram);
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.expire(now);
    }

    fn poll_output(&mut self) -> Output<Transmit, TurnEvent> {
        if let Some(t) = self.outbox.pop_front() {
            return Output::Transmit(t);
        }
        if let Some(e) = self.events.pop_front() {
            return Output::Event(e);
        }
        Output::Timeout(self.allocations.values().map(|a| a.expires).min())
    }
}
