//! The event-loop driver: a machine, its sockets registered with a
//! `mio::Poll`, its timer as the poll's timeout.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use mio::{Events, Interest, Poll, Registry, Token};
use sansrtc_proto::{Machine, Output, Protocol, Receive, Transmit};

use crate::counters::DriverCounters;
use crate::error::DriverError;
use crate::sockets::{socket_for, BoundSocket};

/// Most outputs taken from the machine in one drain; a machine that never
/// returns [`Output::Timeout`] is cut off there (counted in
/// [`DriverCounters::runaway_drains`]).
pub const DRAIN_LIMIT: usize = 100_000;

/// Most transmits waiting for a socket that is not writable; past it new
/// transmits are dropped (counted in [`DriverCounters::transmits_dropped`]).
pub const OUTBOX_LIMIT: usize = 4_096;

/// Most events waiting for the application; past it the oldest is dropped
/// (counted in [`DriverCounters::events_dropped`]).
pub const EVENT_LIMIT: usize = 65_536;

/// The driver registers its sockets with tokens from this one up; tokens
/// the application registers through [`Driver::registry`] must be below it.
pub const FIRST_SOCKET_TOKEN: usize = usize::MAX / 2;

/// Datagrams read from one socket in one [`Driver::poll_once`]; the rest
/// waits for the next call (which then does not block).
pub const RECEIVE_BATCH: usize = 64;

/// The receive buffer: the largest UDP payload (IPv6 jumbograms aside).
const RECEIVE_BUFFER: usize = 65_535;

/// Readiness events taken from the OS in one poll.
const EVENTS_CAPACITY: usize = 256;

/// Runs one [`Machine`] over mio UDP sockets, for an application that owns
/// its event loop.
///
/// - [`Driver::bind`] / [`Driver::add_socket`] add a socket per local
///   address, registered with the driver's `mio::Poll`. Datagrams reach the
///   machine as a [`Receive`] whose `destination` is the socket's local
///   address; a [`Transmit`] goes out of the socket bound to its `source`
///   (exactly, or a socket bound to `0.0.0.0:port` / `[::]:port`); one with
///   an unknown source is dropped and counted.
/// - [`Driver::poll_once`] is one turn of the loop: it waits for readiness
///   at most until the machine's timer (the instant of its last
///   [`Output::Timeout`]) or the caller's limit, whichever is first, then
///   fires the timer if due, reads the sockets, and after every input
///   drains `poll_output()` until the timeout and sends the transmits.
///   Events wait in the driver for [`Driver::take_event`].
/// - [`Driver::run_until`] loops `poll_once` and hands events to a closure.
/// - Commands: [`Driver::with_machine`] runs one on the machine, then drains
///   and sends at once.
/// - The application's own sources (a `mio::Waker` for commands from other
///   threads, its own sockets) go into [`Driver::registry`] with tokens
///   below [`FIRST_SOCKET_TOKEN`]; their readiness is in
///   [`Driver::foreign_tokens`] after each `poll_once`.
///
/// `now` is `std::time::Instant::now()` at each input.
pub struct Driver<M: Machine> {
    machine: M,
    poll: Poll,
    readiness: Events,
    foreign: Vec<Token>,
    sockets: Vec<BoundSocket>,
    deadline: Option<Instant>,
    must_drain: bool,
    outbox: VecDeque<Transmit>,
    events: VecDeque<M::Event>,
    counters: DriverCounters,
    buffer: Box<[u8]>,
}

impl<M: Machine> Driver<M> {
    /// A driver for `machine` with its own `mio::Poll` and no socket yet.
    /// The machine's first outputs are drained at the first
    /// [`Driver::poll_once`].
    pub fn new(machine: M) -> Result<Self, DriverError> {
        Ok(Self {
            machine,
            poll: Poll::new().map_err(DriverError::CreatePoll)?,
            readiness: Events::with_capacity(EVENTS_CAPACITY),
            foreign: Vec::new(),
            sockets: Vec::new(),
            deadline: None,
            must_drain: true,
            outbox: VecDeque::new(),
            events: VecDeque::new(),
            counters: DriverCounters::default(),
            buffer: vec![0; RECEIVE_BUFFER].into_boxed_slice(),
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
        let local = socket.local_addr().map_err(DriverError::LocalAddress)?;
        if self.sockets.iter().any(|s| s.local == local) {
            return Err(DriverError::DuplicateAddress(local));
        }
        socket
            .set_nonblocking(true)
            .map_err(DriverError::Register)?;
        let mut socket = mio::net::UdpSocket::from_std(socket);
        let token = Token(FIRST_SOCKET_TOKEN + self.sockets.len());
        self.poll
            .registry()
            .register(&mut socket, token, Interest::READABLE | Interest::WRITABLE)
            .map_err(DriverError::Register)?;
        self.sockets.push(BoundSocket {
            local,
            socket,
            // Datagrams may have arrived before registration.
            readable: true,
        });
        Ok(local)
    }

    /// The local addresses of the driver's sockets, in the order added.
    pub fn local_addrs(&self) -> impl Iterator<Item = SocketAddr> + '_ {
        self.sockets.iter().map(|s| s.local)
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
        &self.machine
    }

    /// Runs `command` on the machine, then drains it and sends what it can
    /// at once (events wait for [`Driver::take_event`]).
    pub fn with_machine<R>(&mut self, command: impl FnOnce(&mut M) -> R) -> R {
        let result = command(&mut self.machine);
        self.drain();
        self.send_outbox();
        result
    }

    /// Ends the driver, giving the machine back (the sockets are closed).
    pub fn into_machine(self) -> M {
        self.machine
    }

    /// What went through the driver and what it dropped.
    pub fn counters(&self) -> DriverCounters {
        self.counters
    }

    /// When the machine wants `handle_timeout` next (as of the last drain).
    pub fn next_timeout(&self) -> Option<Instant> {
        self.deadline
    }

    /// The oldest event the machine produced that the application has not
    /// taken yet.
    pub fn take_event(&mut self) -> Option<M::Event> {
        self.events.pop_front()
    }

    /// Transmits waiting for a socket to become writable.
    pub fn pending_transmits(&self) -> usize {
        self.outbox.len()
    }

    /// One turn of the loop: wait for readiness (at most `max_wait`, and at
    /// most until the machine's timer; `None` and no timer: until a socket
    /// or a foreign source is ready), then handle what is due. Returns at
    /// once without blocking if events are waiting or a socket has more
    /// datagrams than one batch.
    pub fn poll_once(&mut self, max_wait: Option<Duration>) -> Result<(), DriverError> {
        if self.must_drain {
            self.drain();
        }
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
            match token.0.checked_sub(FIRST_SOCKET_TOKEN) {
                Some(index) if index < self.sockets.len() => {
                    if event.is_readable() || event.is_error() {
                        self.sockets[index].readable = true;
                    }
                }
                _ => self.foreign.push(token),
            }
        }
        self.fire_timer();
        for index in 0..self.sockets.len() {
            self.read_socket(index);
        }
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
            while let Some(event) = self.events.pop_front() {
                self.must_drain = true;
                if let ControlFlow::Break(b) = on_event(&mut self.machine, event) {
                    self.drain();
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
        if !self.events.is_empty() || self.sockets.iter().any(|s| s.readable) {
            return Some(Duration::ZERO);
        }
        let until_timer = self
            .deadline
            .map(|at| at.saturating_duration_since(Instant::now()));
        match (until_timer, max_wait) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Pulls outputs until the machine's timeout.
    fn drain(&mut self) {
        self.must_drain = false;
        for _ in 0..DRAIN_LIMIT {
            match self.machine.poll_output() {
                Output::Transmit(t) => {
                    if self.outbox.len() >= OUTBOX_LIMIT {
                        self.counters.transmits_dropped += 1;
                    } else {
                        self.outbox.push_back(t);
                    }
                }
                Output::Event(e) => {
                    if self.events.len() >= EVENT_LIMIT {
                        self.events.pop_front();
                        self.counters.events_dropped += 1;
                    }
                    self.events.push_back(e);
                }
                Output::Timeout(at) => {
                    self.deadline = at;
                    return;
                }
            }
        }
        self.counters.runaway_drains += 1;
    }

    /// Sends queued transmits in order until a socket would block (mio then
    /// reports it writable) or the queue is empty.
    fn send_outbox(&mut self) {
        while let Some(t) = self.outbox.front() {
            if t.protocol != Protocol::Udp {
                self.counters.unsupported_protocol += 1;
                self.outbox.pop_front();
                continue;
            }
            let Some(bound) = socket_for(&self.sockets, t.source) else {
                self.counters.unknown_source += 1;
                self.outbox.pop_front();
                continue;
            };
            match bound.socket.send_to(&t.contents, t.destination) {
                Ok(_) => self.counters.sent += 1,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => self.counters.send_errors += 1,
            }
            self.outbox.pop_front();
        }
    }

    /// Calls `handle_timeout` if the machine's timer is due.
    fn fire_timer(&mut self) {
        let Some(at) = self.deadline else { return };
        let now = Instant::now();
        if now < at {
            return;
        }
        self.deadline = None;
        self.counters.timeouts += 1;
        self.machine.handle_timeout(now);
        self.drain();
        self.send_outbox();
    }

    /// Reads up to [`RECEIVE_BATCH`] datagrams from a readable socket,
    /// draining the machine after each.
    fn read_socket(&mut self, index: usize) {
        for _ in 0..RECEIVE_BATCH {
            let bound = &mut self.sockets[index];
            if !bound.readable {
                return;
            }
            match bound.socket.recv_from(&mut self.buffer) {
                Ok((len, source)) => {
                    self.counters.received += 1;
                    self.machine.handle_receive(
                        Instant::now(),
                        Receive {
                            protocol: Protocol::Udp,
                            source,
                            destination: bound.local,
                            contents: &self.buffer[..len],
                        },
                    );
                    self.drain();
                    self.send_outbox();
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => bound.readable = false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => self.counters.receive_errors += 1,
            }
        }
    }
}
