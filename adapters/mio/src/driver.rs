//! The event-loop driver: a machine, its sockets registered with a
//! `mio::Poll`, its timer as the poll's timeout.

use std::io;
use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mio::{Events, Poll, Registry, Token};
use sansrtc_adapter_core::rustls::pki_types::ServerName;
use sansrtc_adapter_core::rustls::{self, ClientConfig, RootCertStore};
use sansrtc_adapter_core::{
    DriverCore, DriverCounters, SendOutcome, SocketTable, StreamClose, RECEIVE_BUFFER_SIZE,
};
use sansrtc_proto::{Machine, Protocol, Receive, Transmit};

use crate::error::DriverError;
use crate::sockets::{register_socket, RegisteredSocket};
use crate::streams::StreamSockets;

/// The driver registers its sockets (UDP, and the TCP sockets of its
/// streams) with tokens from this one up; tokens the application registers
/// through [`Driver::registry`] must be below it.
pub const FIRST_SOCKET_TOKEN: usize = usize::MAX / 2;

/// Datagrams read from one socket in one [`Driver::poll_once`]; the rest
/// waits for the next call (which then does not block).
pub const RECEIVE_BATCH: usize = 64;

/// Readiness events taken from the OS in one poll.
const EVENTS_CAPACITY: usize = 256;

/// Times [`Driver`]'s `send_outbox` drains the machine again when streams
/// ended while sending (the rest waits for the next turn, which then does
/// not block).
const SEND_ROUNDS: usize = 8;

/// The runtime's send call for one datagram.
fn send_datagram(socket: &RegisteredSocket, t: &Transmit) -> SendOutcome {
    match socket.udp.send_to(&t.contents, t.destination) {
        Ok(_) => SendOutcome::Sent,
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => SendOutcome::WouldBlock,
        Err(e) if e.kind() == io::ErrorKind::Interrupted => SendOutcome::Interrupted,
        Err(_) => SendOutcome::Failed,
    }
}

/// Runs one [`Machine`] over mio UDP sockets, for an application that owns
/// its event loop.
///
/// - [`Driver::bind`] / [`Driver::add_socket`] add a socket per local
///   address, registered with the driver's `mio::Poll`. Datagrams reach the
///   machine as a [`Receive`] whose `destination` is the socket's local
///   address; a [`Transmit`](sansrtc_proto::Transmit) goes out of the
///   socket bound to its `source` (exactly, or a socket bound to
///   `0.0.0.0:port` / `[::]:port`); one with an unknown source is dropped
///   and counted.
/// - [`Driver::poll_once`] is one turn of the loop: it waits for readiness
///   at most until the machine's timer (the instant of its last
///   [`Output::Timeout`](sansrtc_proto::Output::Timeout)) or the caller's
///   limit, whichever is first, then fires the timer if due, reads the
///   sockets, and after every input drains `poll_output()` until the
///   timeout and sends the transmits. Events wait in the driver for
///   [`Driver::take_event`].
/// - [`Driver::run_until`] loops `poll_once` and hands events to a closure.
/// - Commands: [`Driver::with_machine`] runs one on the machine, then drains
///   and sends at once.
/// - The application's own sources (a `mio::Waker` for commands from other
///   threads, its own sockets) go into [`Driver::registry`] with tokens
///   below [`FIRST_SOCKET_TOKEN`]; their readiness is in
///   [`Driver::foreign_tokens`] after each `poll_once`.
/// - TCP and TLS transmits (TURN over TCP and `turns:`) go over streams the
///   driver opens at the first transmit from a `source` to a
///   `destination` (a non-blocking TCP connect from the source's IP,
///   registered with the poll, then for TLS a rustls handshake, see
///   [`Driver::set_tls_roots`] and [`Driver::set_tls_server_name`]); the
///   bytes read come back as a [`Receive`] with that protocol, from the
///   destination to the source; a stream that cannot be opened, fails or
///   ends is reported with [`Machine::handle_stream_closed`]. Bounded by
///   [`STREAM_LIMIT`](crate::STREAM_LIMIT) and
///   [`STREAM_QUEUE_LIMIT`](crate::STREAM_QUEUE_LIMIT); see
///   `docs/adapters-streams.md`.
///
/// `now` is `std::time::Instant::now()` at each input.
pub struct Driver<M: Machine> {
    /// The machine, its outbox, event queue, deadline and counters.
    core: DriverCore<M>,
    poll: Poll,
    readiness: Events,
    foreign: Vec<Token>,
    sockets: SocketTable<RegisteredSocket>,
    buffer: Box<[u8]>,
    /// The TCP sockets of the streams.
    streams: StreamSockets,
}

impl<M: Machine> Driver<M> {
    /// A driver for `machine` with its own `mio::Poll` and no socket yet.
    /// The machine's first outputs are drained at the first
    /// [`Driver::poll_once`].
    pub fn new(machine: M) -> Result<Self, DriverError> {
        Ok(Self {
            core: DriverCore::new(machine),
            poll: Poll::new().map_err(DriverError::CreatePoll)?,
            readiness: Events::with_capacity(EVENTS_CAPACITY),
            foreign: Vec::new(),
            sockets: SocketTable::new(),
            buffer: vec![0; RECEIVE_BUFFER_SIZE].into_boxed_slice(),
            streams: StreamSockets::default(),
        })
    }

    /// Binds a UDP socket to `address` and adds it; returns the bound
    /// address (with the port the OS chose for port 0).
    pub fn bind(&mut self, address: SocketAddr) -> Result<SocketAddr, DriverError> {
        let socket = std::net::UdpSocket::bind(address)
            .map_err(|source| DriverError::Bind { address, source })?;
        self.add_socket(socket)
    }

    /// Adds a socket the application bound itself (it is made
    /// non-blocking); returns its local address.
    pub fn add_socket(&mut self, socket: std::net::UdpSocket) -> Result<SocketAddr, DriverError> {
        register_socket(self.poll.registry(), &mut self.sockets, socket)
    }

    /// The local addresses of the driver's sockets, in the order added.
    pub fn local_addrs(&self) -> impl Iterator<Item = SocketAddr> + '_ {
        self.sockets.local_addrs()
    }

    /// The poll's registry, for the application's own sources (tokens below
    /// [`FIRST_SOCKET_TOKEN`]).
    pub fn registry(&self) -> &Registry {
        self.poll.registry()
    }

    /// The application's tokens that were ready in the last
    /// [`Driver::poll_once`].
    pub fn foreign_tokens(&self) -> &[Token] {
        &self.foreign
    }

    /// The machine.
    pub fn machine(&self) -> &M {
        self.core.machine()
    }

    /// Runs `command` on the machine, then drains it and sends what it can
    /// at once (events wait for [`Driver::take_event`]).
    pub fn with_machine<R>(&mut self, command: impl FnOnce(&mut M) -> R) -> R {
        let result = self.core.command(command);
        self.core.drain();
        self.send_outbox();
        result
    }

    /// Ends the driver, giving the machine back (the sockets are closed).
    pub fn into_machine(self) -> M {
        self.core.into_machine()
    }

    /// What went through the driver and what it dropped.
    pub fn counters(&self) -> DriverCounters {
        self.core.counters()
    }

    /// When the machine wants `handle_timeout` next (as of the last drain).
    pub fn next_timeout(&self) -> Option<Instant> {
        self.core.next_timeout()
    }

    /// TLS streams opened from now on trust exactly `roots` (by default
    /// the Mozilla roots of the `webpki-roots` crate). Fails only if rustls
    /// cannot build a configuration.
    pub fn set_tls_roots(&mut self, roots: RootCertStore) -> Result<(), rustls::Error> {
        self.core.tls_settings().set_roots(roots)
    }

    /// TLS streams opened from now on use `config` (a custom verifier,
    /// client certificates); it replaces [`Driver::set_tls_roots`].
    pub fn set_tls_client_config(&mut self, config: Arc<ClientConfig>) {
        self.core.tls_settings().set_client_config(config);
    }

    /// The certificate of the TLS server at `server` must be valid for
    /// `name` (the host of the `turns:` URL). Without it the driver checks
    /// the server's IP address (an IP SAN).
    pub fn set_tls_server_name(&mut self, server: SocketAddr, name: ServerName<'static>) {
        self.core.tls_settings().set_server_name(server, name);
    }

    /// The certificate of every TLS server at `ip` (any port) must be
    /// valid for `name`: the host of a `turns:` URL that resolved to `ip`.
    /// [`Driver::set_tls_server_name`] for an address wins over it.
    pub fn set_tls_host_name(&mut self, ip: std::net::IpAddr, name: ServerName<'static>) {
        self.core.tls_settings().set_host_name(ip, name);
    }

    /// How many TCP/TLS streams are open or connecting.
    pub fn stream_count(&self) -> usize {
        self.core.stream_count()
    }

    /// The last stream that ended (reported to the machine), and why.
    pub fn last_stream_close(&self) -> Option<&StreamClose> {
        self.core.last_stream_close()
    }

    /// The oldest event the machine produced that the application has not
    /// taken yet.
    pub fn take_event(&mut self) -> Option<M::Event> {
        self.core.take_event()
    }

    /// Transmits waiting for a socket to become writable.
    pub fn pending_transmits(&self) -> usize {
        self.core.pending_transmits()
    }

    /// One turn of the loop: wait for readiness (at most `max_wait`, and at
    /// most until the machine's timer; `None` and no timer: until a socket
    /// or a foreign source is ready), then handle what is due. Returns at
    /// once without blocking if events are waiting or a socket has more
    /// datagrams than one batch.
    pub fn poll_once(&mut self, max_wait: Option<Duration>) -> Result<(), DriverError> {
        self.core.drain();
        self.send_outbox();
        let wait = self.wait_time(max_wait);
        self.foreign.clear();
        match self.poll.poll(&mut self.readiness, wait) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => self.readiness.clear(),
            Err(e) => return Err(DriverError::Poll(e)),
        }
        for event in self.readiness.iter() {
            let token = event.token();
            if self.streams.note(event) {
                continue;
            }
            match token.0.checked_sub(FIRST_SOCKET_TOKEN) {
                Some(index) if index < self.sockets.len() => {
                    if event.is_readable() || event.is_error() {
                        self.sockets[index].socket.readable = true;
                    }
                }
                _ => self.foreign.push(token),
            }
        }
        self.fire_timer();
        for index in 0..self.sockets.len() {
            self.read_socket(index);
        }
        self.streams
            .connect_and_write(self.poll.registry(), &mut self.core);
        let sockets = &self.sockets;
        self.streams.read(
            self.poll.registry(),
            &mut self.core,
            &mut self.buffer,
            |core| {
                core.drain();
                core.send_outbox(sockets, send_datagram);
            },
        );
        // Writable events need no bookkeeping: every turn retries the outbox.
        self.send_outbox();
        Ok(())
    }

    /// Loops [`Driver::poll_once`] and hands each event to `on_event` with the
    /// machine (to react with commands) until it returns
    /// [`ControlFlow::Break`] (`Some`) or `give_up` passes (`None`).
    pub fn run_until<B>(
        &mut self,
        give_up: Instant,
        mut on_event: impl FnMut(&mut M, M::Event) -> ControlFlow<B>,
    ) -> Result<Option<B>, DriverError> {
        loop {
            while let Some(event) = self.core.take_event() {
                if let ControlFlow::Break(b) = self.core.command(|m| on_event(m, event)) {
                    self.core.drain();
                    self.send_outbox();
                    return Ok(Some(b));
                }
            }
            let now = Instant::now();
            if now >= give_up {
                return Ok(None);
            }
            self.poll_once(Some(give_up - now))?;
        }
    }

    /// How long the poll may block.
    fn wait_time(&self, max_wait: Option<Duration>) -> Option<Duration> {
        if self.core.has_events()
            || self.core.needs_drain()
            || self.sockets.iter().any(|s| s.socket.readable)
            || self.streams.has_work()
        {
            return Some(Duration::ZERO);
        }
        let until_timer = self
            .core
            .next_timeout()
            .map(|at| at.saturating_duration_since(Instant::now()));
        match (until_timer, max_wait) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Sends queued transmits in order until a socket would block (mio then
    /// reports it writable) or the queue is empty; TCP/TLS transmits go to
    /// their streams (new ones start connecting), whose queued bytes are
    /// written until a socket would block. A stream that ends meanwhile is
    /// reported to the machine, which is drained again (a bounded number of
    /// times).
    fn send_outbox(&mut self) {
        for _ in 0..SEND_ROUNDS {
            self.core.send_outbox(&self.sockets, send_datagram);
            self.streams
                .start(Instant::now(), self.poll.registry(), &mut self.core);
            self.streams
                .connect_and_write(self.poll.registry(), &mut self.core);
            if !self.core.needs_drain() {
                return;
            }
            self.core.drain();
        }
    }

    /// Calls `handle_timeout` if the machine's timer is due.
    fn fire_timer(&mut self) {
        let Some(at) = self.core.next_timeout() else {
            return;
        };
        let now = Instant::now();
        if now < at {
            return;
        }
        self.core.timeout(now);
        self.core.drain();
        self.send_outbox();
    }

    /// Reads up to [`RECEIVE_BATCH`] datagrams from a readable socket,
    /// draining the machine after each.
    fn read_socket(&mut self, index: usize) {
        for _ in 0..RECEIVE_BATCH {
            let bound = &mut self.sockets[index];
            if !bound.socket.readable {
                return;
            }
            match bound.socket.udp.recv_from(&mut self.buffer) {
                Ok((len, source)) => {
                    self.core.receive(
                        Instant::now(),
                        Receive {
                            protocol: Protocol::Udp,
                            source,
                            destination: bound.local,
                            contents: &self.buffer[..len],
                        },
                    );
                    self.core.drain();
                    self.send_outbox();
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => bound.socket.readable = false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => self.core.receive_failed(),
            }
        }
    }
}
