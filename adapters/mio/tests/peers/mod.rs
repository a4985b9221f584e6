//! Data-channel echo through a [`Server`] of `RtcPeerConnection`s: client
//! peer connections, each on its own UDP socket, driven in the same thread
//! by a small pool whose sockets sit in the server's own `mio::Poll`
//! (foreign tokens), so one wait serves both sides. Signalling is
//! in-process: each client offers, its server connection answers.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use mio::{Interest, Registry, Token};
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc::*;
use sansrtc_adapter_core::{DriverCore, SendOutcome, SocketTable};
use sansrtc_config::CertificateOptions;
use sansrtc_mio::{ConnectionId, Server};

/// Datagrams read from one client socket per turn.
const CLIENT_BATCH: usize = 64;

/// One client peer connection and its socket.
pub struct Client {
    pub core: DriverCore<RtcPeerConnection>,
    socket: SocketTable<mio::net::UdpSocket>,
    pub local: SocketAddr,
    readable: bool,
    /// Its server-side connection.
    pub server_id: ConnectionId,
    /// The message it sends once its channel opens, and whether it came back.
    pub message: String,
    pub echoes: usize,
    pub opened: Option<ChannelId>,
}

/// The clients, their sockets registered in the server's poll with
/// tokens equal to their index.
pub struct Echoes {
    pub server: Server<RtcPeerConnection>,
    pub server_addr: SocketAddr,
    pub clients: Vec<Client>,
    server_config: RtcConfiguration,
    client_config: RtcConfiguration,
    buffer: Vec<u8>,
    /// Server connections that reported `connected`.
    pub server_connected: usize,
    /// Messages the server echoed.
    pub server_echoed: usize,
}

fn configuration(seed: u64) -> RtcConfiguration {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let certificate =
        RtcCertificate::generate(&CertificateOptions::default(), SystemTime::now(), &mut rng)
            .expect("a certificate");
    RtcConfiguration {
        certificates: vec![Arc::new(certificate)],
        ..RtcConfiguration::default()
    }
}

impl Echoes {
    /// A server on 127.0.0.1 and no client yet. Every server connection
    /// shares one certificate, every client another (generating 2,000 keys
    /// would only measure key generation).
    pub fn new() -> Self {
        let mut server = Server::new().unwrap();
        let server_addr = server.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        Self {
            server,
            server_addr,
            clients: Vec::new(),
            server_config: configuration(1),
            client_config: configuration(2),
            buffer: vec![0; 65_535],
            server_connected: 0,
            server_echoed: 0,
        }
    }

    /// A new client with a data channel `echo`: it offers, a new server
    /// connection answers, the client applies the answer. Returns its index.
    pub fn connect_one(&mut self) -> usize {
        let index = self.clients.len();
        let now = Instant::now();
        let seed = index as u64;
        let mut pc = RtcPeerConnection::new(
            self.client_config.clone(),
            ChaCha20Rng::seed_from_u64(1_000_000 + seed),
            now,
            SystemTime::now(),
        )
        .unwrap();
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_nonblocking(true).unwrap();
        let local = socket.local_addr().unwrap();
        let mut socket = mio::net::UdpSocket::from_std(socket);
        register(self.server.registry(), &mut socket, index);
        let mut table = SocketTable::new();
        table.push(local, socket);
        pc.add_local_address(now, local).unwrap();
        pc.create_data_channel(now, DataChannelInit::new("echo"))
            .unwrap();
        let offer = pc.create_offer(now).unwrap();
        pc.set_local_description(now, offer).unwrap();
        let offer = pc.local_description().unwrap();

        let answerer = RtcPeerConnection::new(
            self.server_config.clone(),
            ChaCha20Rng::seed_from_u64(2_000_000 + seed),
            now,
            SystemTime::now(),
        )
        .unwrap();
        let server_id = self.server.add_connection(answerer);
        let answer = self
            .server
            .with_connection(server_id, |pc| {
                pc.set_remote_description(now, offer)?;
                let answer = pc.create_answer()?;
                pc.set_local_description(now, answer)?;
                Ok::<_, RtcError>(pc.local_description().expect("just set"))
            })
            .expect("the connection is there")
            .expect("the server answers");
        let mut core = DriverCore::new(pc);
        core.command(|pc| pc.set_remote_description(now, answer))
            .unwrap();
        let mut client = Client {
            core,
            socket: table,
            local,
            readable: true,
            server_id,
            message: format!("hello from client {index}"),
            echoes: 0,
            opened: None,
        };
        client.settle();
        self.clients.push(client);
        index
    }

    /// One turn: wait (at most 5 ms, at most until a client deadline) in
    /// the server's poll, which also reports readable client sockets; then
    /// run the clients, then answer the server's events (echo every
    /// message) and the clients' (send the message once the channel opens).
    pub fn turn(&mut self) {
        let now = Instant::now();
        let mut wait = Duration::from_millis(5);
        if self.clients.iter().any(|c| c.readable) {
            wait = Duration::ZERO;
        }
        if let Some(at) = self
            .clients
            .iter()
            .filter_map(|c| c.core.next_timeout())
            .min()
        {
            wait = wait.min(at.saturating_duration_since(now));
        }
        self.server.poll_once(Some(wait)).unwrap();
        for token in self.server.foreign_tokens() {
            if let Some(client) = self.clients.get_mut(token.0) {
                client.readable = true;
            }
        }
        for index in 0..self.clients.len() {
            self.run_client(index);
        }
        while let Some((id, event)) = self.server.take_event() {
            match event {
                PeerEvent::ConnectionStateChange(PeerConnectionState::Connected) => {
                    self.server_connected += 1;
                }
                PeerEvent::DataChannel(DataChannelEvent::Message { channel, message }) => {
                    self.server
                        .with_connection(id, |pc| pc.send(Instant::now(), channel, message))
                        .expect("the connection is there")
                        .expect("the echo is accepted");
                    self.server_echoed += 1;
                }
                _ => {}
            }
        }
    }

    /// Turns until `done` holds; fails after `limit` with `waiting_for`.
    pub fn run_until(&mut self, limit: Duration, waiting_for: &str, done: impl Fn(&Self) -> bool) {
        let give_up = Instant::now() + limit;
        while !done(self) {
            assert!(Instant::now() < give_up, "gave up waiting: {waiting_for}");
            self.turn();
        }
    }

    /// How many clients got their message back at least `n` times.
    pub fn echoed(&self, n: usize) -> usize {
        self.clients.iter().filter(|c| c.echoes >= n).count()
    }

    /// Client `index` restarts ICE: it offers again with new credentials,
    /// its server connection answers (with new ones too).
    pub fn restart_ice(&mut self, index: usize) {
        let now = Instant::now();
        let client = &mut self.clients[index];
        let offer = client
            .core
            .command(|pc| {
                pc.restart_ice();
                let offer = pc.create_offer(now)?;
                pc.set_local_description(now, offer)?;
                Ok::<_, RtcError>(pc.local_description().expect("just set"))
            })
            .expect("the client offers");
        client.settle();
        let answer = self
            .server
            .with_connection(client.server_id, |pc| {
                pc.set_remote_description(now, offer)?;
                let answer = pc.create_answer()?;
                pc.set_local_description(now, answer)?;
                Ok::<_, RtcError>(pc.local_description().expect("just set"))
            })
            .expect("the connection is there")
            .expect("the server answers");
        client
            .core
            .command(|pc| pc.set_remote_description(now, answer))
            .unwrap();
        client.settle();
    }

    /// Sends client `index`'s message again on its open channel.
    pub fn send_again(&mut self, index: usize) {
        let client = &mut self.clients[index];
        let channel = client.opened.expect("the channel is open");
        let message = DataChannelMessage::Text(client.message.clone());
        client
            .core
            .command(|pc| pc.send(Instant::now(), channel, message))
            .unwrap();
        client.settle();
    }

    /// Fires client `index`'s timer if due and reads its socket; handles
    /// its events.
    fn run_client(&mut self, index: usize) {
        let client = &mut self.clients[index];
        let now = Instant::now();
        if client.core.next_timeout().is_some_and(|at| at <= now) {
            client.core.timeout(now);
            client.settle();
        }
        for _ in 0..CLIENT_BATCH {
            if !client.readable {
                break;
            }
            let bound = &client.socket[0];
            match bound.socket.recv_from(&mut self.buffer) {
                Ok((len, source)) => {
                    client.core.receive(
                        Instant::now(),
                        Receive {
                            protocol: Protocol::Udp,
                            source,
                            destination: bound.local,
                            contents: &self.buffer[..len],
                        },
                    );
                    client.settle();
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => client.readable = false,
                Err(e) => panic!("client receive: {e}"),
            }
        }
        while let Some(event) = client.core.take_event() {
            match event {
                PeerEvent::DataChannel(DataChannelEvent::Open(channel)) => {
                    client.opened = Some(channel);
                    let message = DataChannelMessage::Text(client.message.clone());
                    client
                        .core
                        .command(|pc| pc.send(Instant::now(), channel, message))
                        .unwrap();
                    client.settle();
                }
                PeerEvent::DataChannel(DataChannelEvent::Message { message, .. }) => {
                    assert_eq!(message, DataChannelMessage::Text(client.message.clone()));
                    client.echoes += 1;
                }
                _ => {}
            }
        }
    }
}

impl Client {
    /// Drains the client and sends its outbox.
    fn settle(&mut self) {
        self.core.drain();
        self.core.send_outbox(&self.socket, |socket, t| {
            match socket.send_to(&t.contents, t.destination) {
                Ok(_) => SendOutcome::Sent,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => SendOutcome::WouldBlock,
                Err(_) => SendOutcome::Failed,
            }
        });
    }
}

fn register(registry: &Registry, socket: &mut mio::net::UdpSocket, index: usize) {
    registry
        .register(socket, Token(index), Interest::READABLE)
        .unwrap();
}
