//! Shared helpers: a netsim world with a TURN client, netsim's TURN server
//! and a peer.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sansrtc_netsim::{
    LinkConfig, MachineNode, NatConfig, Network, NodeId, Probe, TurnConfig, TurnServer,
};
use sansrtc_proto::Protocol;
use sansrtc_turn::{TurnClient, TurnClientConfig, TurnEvent};

pub const TURN_LISTEN: &str = "192.0.2.100:3478";
pub const RELAY_IP: &str = "192.0.2.101";
pub const PEER: &str = "198.51.100.7:7000";
pub const PEER6: &str = "[2001:db8:7::7]:7000";
pub const RELAY_IP6: &str = "2001:db8:100::101";
pub const NAT_PUBLIC: &str = "203.0.113.1";
pub const CLIENT_LOCAL: &str = "10.0.0.2:5000";
pub const USER: &str = "alice";
pub const PASSWORD: &str = "secret";
pub const URL: &str = "turn:192.0.2.100:3478?transport=udp";

pub type ClientNode = MachineNode<TurnClient, TurnEvent>;

pub fn addr(s: &str) -> SocketAddr {
    s.parse().expect("test address")
}

pub fn client_node(client: TurnClient) -> ClientNode {
    MachineNode::new(
        client,
        |c, now, d| {
            c.handle_receive(now, d);
        },
        |c, now| c.handle_timeout(now),
        |c| c.poll_output(),
    )
}

pub fn client_config(password: &str) -> TurnClientConfig {
    TurnClientConfig::new(
        addr(TURN_LISTEN),
        Protocol::Udp,
        addr(CLIENT_LOCAL),
        USER,
        password,
        URL,
    )
}

/// The pieces of a test world.
pub struct World {
    pub net: Network,
    pub start: Instant,
    pub client: NodeId<ClientNode>,
    pub turn: NodeId<TurnServer>,
    pub peer: NodeId<Probe>,
    pub client_link: sansrtc_netsim::LinkId,
}

/// Options for [`world`].
pub struct Setup {
    pub seed: u64,
    pub client_seed: u64,
    pub config: TurnClientConfig,
    pub server: TurnConfig,
    pub client_link: LinkConfig,
    pub behind_nat: bool,
}

impl Setup {
    pub fn new(seed: u64) -> Self {
        Setup {
            seed,
            client_seed: seed,
            config: client_config(PASSWORD),
            server: TurnConfig::new(addr(TURN_LISTEN), RELAY_IP.parse().unwrap(), USER, PASSWORD),
            client_link: LinkConfig::default(),
            behind_nat: true,
        }
    }
}

/// A client (behind a port-restricted NAT unless told otherwise), netsim's
/// TURN server, and a peer on the internet.
pub fn world(setup: Setup) -> World {
    let start = Instant::now();
    let mut net = Network::new(start, setup.seed);
    let internet = net.internet();
    let server = TurnServer::new(setup.server.clone(), net.rng_for(1));
    let relay_ip = RELAY_IP.parse().unwrap();
    let turn = net
        .add_host(
            internet,
            &[addr(TURN_LISTEN).ip(), relay_ip, RELAY_IP6.parse().unwrap()],
            LinkConfig::default(),
            server,
        )
        .unwrap();
    let peer = net
        .add_host(
            internet,
            &[addr(PEER).ip(), addr(PEER6).ip()],
            LinkConfig::default(),
            Probe::new(addr(PEER)),
        )
        .unwrap();
    let zone = if setup.behind_nat {
        let nat = net
            .add_nat(
                internet,
                NatConfig::port_restricted_cone(NAT_PUBLIC.parse().unwrap()),
                LinkConfig::default(),
            )
            .unwrap();
        nat.inside()
    } else {
        internet
    };
    let client = TurnClient::new(setup.config, ChaCha20Rng::seed_from_u64(setup.client_seed));
    let client = net
        .add_host(
            zone,
            &[addr(CLIENT_LOCAL).ip()],
            setup.client_link,
            client_node(client),
        )
        .unwrap();
    let client_link = net.host_link(client.host());
    World {
        net,
        start,
        client,
        turn,
        peer,
        client_link,
    }
}

impl World {
    pub fn client(&self) -> &TurnClient {
        self.net.node(&self.client).machine()
    }

    /// Runs a command on the client at the current simulated time.
    pub fn with_client<T>(&mut self, f: impl FnOnce(&mut TurnClient, Instant) -> T) -> T {
        let now = self.net.now();
        f(self.net.node_mut(&self.client).machine_mut(), now)
    }

    pub fn server(&self) -> &TurnServer {
        self.net.node(&self.turn)
    }

    pub fn events(&mut self) -> Vec<TurnEvent> {
        self.net.take_events(&self.client)
    }

    /// Starts the client and runs until it reports an event; returns the
    /// events so far.
    pub fn start_and_wait(&mut self, limit: Duration) -> Vec<TurnEvent> {
        self.with_client(|c, now| c.start(now)).unwrap();
        let deadline = self.net.now() + limit;
        let client = self.client;
        self.net
            .run_until(deadline, |net| net.events(&client).next().is_some());
        self.events()
    }

    /// What the peer received: (source, payload).
    pub fn peer_received(&mut self) -> Vec<(SocketAddr, Vec<u8>)> {
        self.net
            .take_events(&self.peer)
            .into_iter()
            .map(|r| (r.source, r.contents))
            .collect()
    }

    /// Makes the peer send `data` to `to`.
    pub fn peer_send(&mut self, to: SocketAddr, data: &[u8]) {
        self.net.node_mut(&self.peer).send(to, data.to_vec());
    }
}

/// The `Data` events' (peer, payload) among `events`.
pub fn data_events(events: &[TurnEvent]) -> Vec<(SocketAddr, Vec<u8>)> {
    events
        .iter()
        .filter_map(|e| match e {
            TurnEvent::Data { peer, data } => Some((*peer, data.clone())),
            _ => None,
        })
        .collect()
}
