//! [`Server`]: many connections on one UDP socket (or one per address),
//! in one thread, the way an SFU is built.

mod connection;
mod counters;
mod demux;
#[cfg(feature = "peer-connection")]
mod peer_connection;
mod sending;
mod slots;
mod socket;
mod timers;
mod transactions;

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use mio::{Events, Poll, Registry, Token};
use sansrtc_adapter_core::{DriverCore, DriverCounters, SocketTable, RECEIVE_BUFFER_SIZE};
use sansrtc_proto::{Protocol, Receive};

pub use connection::{ConnectionId, ServerConnection};
pub use counters::ServerCounters;
pub use demux::ROUTES_PER_CONNECTION;
pub use socket::SERVER_SOCKET_BUFFER;
pub use transactions::TRANSACTIONS_PER_CONNECTION;

use crate::sockets::{register_socket, RegisteredSocket};
use demux::{Destination, Request, Routes};
use sending::{send_outbox, Watch};
use slots::Slots;
use socket::bind_udp;
use timers::TimerHeap;
use transactions::Transactions;

use crate::error::DriverError;
use crate::FIRST_SOCKET_TOKEN;

/// Datagrams read from one socket in one [`Server::poll_once`]; the rest
/// waits for the next call (which then does not block). Larger than the
/// driver's [`RECEIVE_BATCH`](crate::RECEIVE_BATCH): every connection
/// shares the socket.
pub const SERVER_RECEIVE_BATCH: usize = 1024;

/// Most events waiting for the application, all connections together;
/// past it the oldest is dropped (counted in
/// [`ServerCounters::events_dropped`]).
pub const SERVER_EVENT_LIMIT: usize = 65_536;

/// Readiness events taken from the OS in one poll.
const EVENTS_CAPACITY: usize = 256;

/// Runs many [`ServerConnection`]s (for instance
/// `sansrtc::RtcPeerConnection`s) over the same mio UDP sockets in one
/// thread: one socket per local address, shared by every connection.
///
/// - **Sockets**: [`Server::bind`] / [`Server::add_socket`]. Every
///   connection is told every socket's address
///   ([`ServerConnection::add_server_address`]). Bind specific addresses,
///   not `0.0.0.0`: the address is what the connections put in their
///   candidates.
/// - **Connections**: [`Server::add_connection`] returns a
///   [`ConnectionId`]; [`Server::remove_connection`] gives the machine
///   back. Both at any time.
/// - **Routing**: a STUN Binding request goes to the connection whose
///   local ufrag its USERNAME names first; when the connection answers it
///   with a success response, its source address becomes a route to that
///   connection (at most [`ROUTES_PER_CONNECTION`] per connection, the
///   least recently heard evicted); a STUN response to a request a
///   connection sent goes to it by transaction id (at most
///   [`TRANSACTIONS_PER_CONNECTION`] remembered per connection); every
///   other datagram goes by its source address. What nobody claims is
///   dropped and counted
///   ([`ServerCounters::unknown_ufrag`], [`ServerCounters::unroutable`]).
/// - **Timers**: one heap of deadlines; a poll touches only connections
///   that received a datagram or whose deadline passed
///   ([`Server::touched_last_poll`]), so an idle connection costs nothing
///   per poll.
/// - **Commands**: [`Server::with_connection`] runs one on a connection,
///   then drains it and sends at once.
/// - **Events**: `(ConnectionId, event)` pairs, from [`Server::take_event`]
///   or [`Server::run_until`].
///
/// Each connection has its own [`DriverCore`]: the outbox, drain and
/// event bounds of a [`Driver`](crate::Driver) hold per connection, and
/// [`Server::connection_counters`] reads its [`DriverCounters`].
/// `now` is `std::time::Instant::now()` at each input.
pub struct Server<M: ServerConnection> {
    poll: Poll,
    readiness: Events,
    foreign: Vec<Token>,
    sockets: SocketTable<RegisteredSocket>,
    buffer: Box<[u8]>,
    connections: Slots<M>,
    routes: Routes,
    /// The connections' outstanding STUN requests.
    transactions: Transactions,
    timers: TimerHeap,
    /// Scratch space for the timer entries due in one poll.
    due: Vec<(Instant, ConnectionId)>,
    /// Connections with transmits waiting for a writable socket.
    blocked: VecDeque<ConnectionId>,
    events: VecDeque<(ConnectionId, M::Event)>,
    counters: ServerCounters,
    /// Numbers the polls, to count each connection once per poll.
    poll_number: u64,
    touched_this_poll: usize,
    touched_last_poll: usize,
}

impl<M: ServerConnection> Server<M> {
    /// A server with its own `mio::Poll`, no socket and no connection yet.
    pub fn new() -> Result<Self, DriverError> {
        Ok(Self {
            poll: Poll::new().map_err(DriverError::CreatePoll)?,
            readiness: Events::with_capacity(EVENTS_CAPACITY),
            foreign: Vec::new(),
            sockets: SocketTable::new(),
            buffer: vec![0; RECEIVE_BUFFER_SIZE].into_boxed_slice(),
            connections: Slots::default(),
            routes: Routes::default(),
            transactions: Transactions::default(),
            timers: TimerHeap::default(),
            due: Vec::new(),
            blocked: VecDeque::new(),
            events: VecDeque::new(),
            counters: ServerCounters::default(),
            poll_number: 0,
            touched_this_poll: 0,
            touched_last_poll: 0,
        })
    }

    /// Binds a UDP socket to `address`, asks for
    /// [`SERVER_SOCKET_BUFFER`]-byte receive and send buffers (what the OS
    /// grants is not checked: it caps the request), and adds it; returns
    /// the bound address (with the port the OS chose for port 0).
    pub fn bind(&mut self, address: SocketAddr) -> Result<SocketAddr, DriverError> {
        let socket = bind_udp(address).map_err(|source| DriverError::Bind { address, source })?;
        self.add_socket(socket)
    }

    /// Adds a socket the application bound itself (it is made
    /// non-blocking; its buffer sizes are left as they are); returns its
    /// local address. Connections already in the server are told about it.
    pub fn add_socket(&mut self, socket: std::net::UdpSocket) -> Result<SocketAddr, DriverError> {
        let local = register_socket(self.poll.registry(), &mut self.sockets, socket)?;
        let now = Instant::now();
        let ids: Vec<ConnectionId> = self.connection_ids().collect();
        for id in ids {
            if let Some(slot) = self.connections.get_mut(id) {
                slot.core.command(|m| m.add_server_address(now, local));
                self.settle(id);
            }
        }
        Ok(local)
    }

    /// The local addresses of the server's sockets, in the order added.
    pub fn local_addrs(&self) -> impl Iterator<Item = SocketAddr> + '_ {
        self.sockets.local_addrs()
    }

    /// The poll's registry, for the application's own sources (tokens below
    /// [`FIRST_SOCKET_TOKEN`]).
    pub fn registry(&self) -> &Registry {
        self.poll.registry()
    }

    /// The application's tokens that were ready in the last
    /// [`Server::poll_once`].
    pub fn foreign_tokens(&self) -> &[Token] {
        &self.foreign
    }

    /// Adds a connection: tells it every socket's address, reads its
    /// ufrags, drains it and sends what it has.
    pub fn add_connection(&mut self, connection: M) -> ConnectionId {
        let now = Instant::now();
        let mut core = DriverCore::new(connection);
        core.command(|m| {
            for local in self.sockets.local_addrs() {
                m.add_server_address(now, local);
            }
        });
        let id = self.connections.insert(core);
        self.sync_ufrags(id);
        self.settle(id);
        id
    }

    /// Removes a connection and gives it back. What it still had to send
    /// is sent once more, then dropped if a socket would block; its routes
    /// and ufrags are forgotten at once. Its events already queued stay
    /// queued. `None` if no such connection is in the server.
    pub fn remove_connection(&mut self, id: ConnectionId) -> Option<M> {
        let mut slot = self.connections.remove(id)?;
        let mut watch = Watch::new(id, None, &mut self.transactions);
        send_outbox(&mut slot.core, &self.sockets, &mut watch);
        self.routes.forget(id);
        self.transactions.forget(id);
        Some(slot.core.into_machine())
    }

    /// The connection `id`, if it is in the server.
    pub fn connection(&self, id: ConnectionId) -> Option<&M> {
        self.connections.get(id).map(|s| s.core.machine())
    }

    /// Runs `command` on the connection `id`, then re-reads its ufrags,
    /// drains it and sends what it can at once (events wait for
    /// [`Server::take_event`]). `None` if no such connection is in the
    /// server.
    pub fn with_connection<R>(
        &mut self,
        id: ConnectionId,
        command: impl FnOnce(&mut M) -> R,
    ) -> Option<R> {
        let slot = self.connections.get_mut(id)?;
        let result = slot.span.in_scope(|| slot.core.command(command));
        self.counters.commands += 1;
        self.sync_ufrags(id);
        self.settle(id);
        Some(result)
    }

    /// The connections in the server, by slot number.
    pub fn connection_ids(&self) -> impl Iterator<Item = ConnectionId> + '_ {
        self.connections.iter().map(|s| s.id)
    }

    /// How many connections are in the server.
    pub fn len(&self) -> usize {
        self.connections.len()
    }

    /// Whether no connection is in the server.
    pub fn is_empty(&self) -> bool {
        self.connections.len() == 0
    }

    /// What went through the server and what it dropped.
    pub fn counters(&self) -> ServerCounters {
        self.counters
    }

    /// The outbox and event counts of connection `id`.
    pub fn connection_counters(&self, id: ConnectionId) -> Option<DriverCounters> {
        self.connections.get(id).map(|s| s.core.counters())
    }

    /// How many connections got an input (a datagram or an expired timer)
    /// in the last [`Server::poll_once`]: the measure of its work, which
    /// idle connections do not add to.
    pub fn touched_last_poll(&self) -> usize {
        self.touched_last_poll
    }

    /// How many source addresses are routed, to all connections.
    pub fn route_count(&self) -> usize {
        self.routes.route_count()
    }

    /// How many source addresses are routed to connection `id`.
    pub fn routes_of(&self, id: ConnectionId) -> usize {
        self.routes.routes_of(id)
    }

    /// Outstanding STUN requests of all connections whose responses the
    /// server will route by transaction id.
    pub fn pending_transactions(&self) -> usize {
        self.transactions.len()
    }

    /// Entries in the timer heap, outdated ones included (at most about
    /// twice the number of connections).
    pub fn timer_entries(&self) -> usize {
        self.timers.len()
    }

    /// The oldest event not taken yet, with its connection.
    pub fn take_event(&mut self) -> Option<(ConnectionId, M::Event)> {
        self.events.pop_front()
    }

    /// One turn of the loop: wait for readiness (at most `max_wait`, and at
    /// most until the earliest connection deadline; `None` and no deadline:
    /// until a socket or a foreign source is ready), then fire the
    /// deadlines that passed and read the sockets, routing each datagram to
    /// its connection. Only connections with a due deadline or a datagram
    /// are touched. Returns at once without blocking if events are waiting
    /// or a socket has more datagrams than one batch.
    pub fn poll_once(&mut self, max_wait: Option<Duration>) -> Result<(), DriverError> {
        self.counters.polls += 1;
        self.poll_number += 1;
        self.touched_this_poll = 0;
        self.retry_blocked();
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
                        self.sockets[index].socket.readable = true;
                    }
                }
                _ => self.foreign.push(token),
            }
        }
        self.fire_due_timers();
        for index in 0..self.sockets.len() {
            self.read_socket(index);
        }
        // Writable events need no bookkeeping: every turn retries.
        self.retry_blocked();
        self.touched_last_poll = self.touched_this_poll;
        Ok(())
    }

    /// Loops [`Server::poll_once`] and hands each event to `on_event` with
    /// the server (to react with commands, add or remove connections) until
    /// it returns [`ControlFlow::Break`] (`Some`) or `give_up` passes
    /// (`None`).
    pub fn run_until<B>(
        &mut self,
        give_up: Instant,
        mut on_event: impl FnMut(&mut Self, ConnectionId, M::Event) -> ControlFlow<B>,
    ) -> Result<Option<B>, DriverError> {
        loop {
            while let Some((id, event)) = self.events.pop_front() {
                if let ControlFlow::Break(b) = on_event(self, id, event) {
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
        if !self.events.is_empty() || self.sockets.iter().any(|s| s.socket.readable) {
            return Some(Duration::ZERO);
        }
        let until_timer = self
            .timers
            .next()
            .map(|at| at.saturating_duration_since(Instant::now()));
        match (until_timer, max_wait) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Re-reads the ufrags of connection `id`.
    fn sync_ufrags(&mut self, id: ConnectionId) {
        let Some(slot) = self.connections.get(id) else {
            return;
        };
        let ufrags = slot.core.machine().local_ufrags();
        self.counters.ufrag_conflicts += self.routes.set_ufrags(slot.id, ufrags);
    }

    /// Counts connection `id` as touched by this poll.
    fn touch(&mut self, id: ConnectionId) {
        let Some(slot) = self.connections.get_mut(id) else {
            return;
        };
        if slot.touched_in_poll != self.poll_number {
            slot.touched_in_poll = self.poll_number;
            self.touched_this_poll += 1;
            self.counters.connections_touched += 1;
        }
    }

    /// After an input to connection `id`: drains it, moves its events to
    /// the server's queue, schedules its deadline and sends its outbox
    /// (what a socket would not take waits in the blocked list).
    fn settle(&mut self, id: ConnectionId) {
        self.settle_answering(id, None);
    }

    /// [`Server::settle`] after handing the connection a Binding `request`:
    /// whether it sent the success response to it.
    fn settle_answering(&mut self, id: ConnectionId, request: Option<Request>) -> bool {
        let Some(slot) = self.connections.get_mut(id) else {
            return false;
        };
        slot.span.in_scope(|| slot.core.drain());
        self.counters.drains += 1;
        while let Some(event) = slot.core.take_event() {
            if self.events.len() >= SERVER_EVENT_LIMIT {
                self.events.pop_front();
                self.counters.events_dropped += 1;
            }
            self.events.push_back((slot.id, event));
        }
        slot.scheduled = self
            .timers
            .schedule(slot.id, slot.core.next_timeout(), slot.scheduled);
        let mut watch = Watch::new(slot.id, request, &mut self.transactions);
        send_outbox(&mut slot.core, &self.sockets, &mut watch);
        let answered = watch.answered;
        self.counters.transactions_forgotten += watch.forgotten;
        if slot.core.pending_transmits() > 0 && !slot.blocked {
            slot.blocked = true;
            self.blocked.push_back(slot.id);
        }
        answered
    }

    /// Retries the outboxes of connections that found a socket full, in
    /// the order they did.
    fn retry_blocked(&mut self) {
        for _ in 0..self.blocked.len() {
            let Some(id) = self.blocked.pop_front() else {
                return;
            };
            let Some(slot) = self.connections.get_mut(id) else {
                continue;
            };
            let mut watch = Watch::new(id, None, &mut self.transactions);
            send_outbox(&mut slot.core, &self.sockets, &mut watch);
            self.counters.transactions_forgotten += watch.forgotten;
            if slot.core.pending_transmits() > 0 {
                self.blocked.push_back(id);
            } else {
                slot.blocked = false;
            }
        }
    }

    /// Fires the deadlines that passed; skips outdated heap entries and
    /// pushes again those whose connection's deadline moved later.
    fn fire_due_timers(&mut self) {
        let now = Instant::now();
        let mut due = std::mem::take(&mut self.due);
        self.timers.pop_due(now, &mut due);
        for (at, id) in due.drain(..) {
            let Some(slot) = self.connections.get_mut(id) else {
                self.counters.stale_timers += 1;
                continue;
            };
            if slot.scheduled != Some(at) {
                self.counters.stale_timers += 1;
                continue;
            }
            slot.scheduled = None;
            match slot.core.next_timeout() {
                Some(deadline) if deadline <= now => {
                    slot.span.in_scope(|| slot.core.timeout(now));
                    self.counters.timeouts_fired += 1;
                    self.touch(id);
                    self.settle(id);
                }
                later => slot.scheduled = self.timers.schedule(id, later, None),
            }
        }
        self.due = due;
        if self.timers.needs_rebuild(self.connections.len()) {
            self.timers.rebuild(
                self.connections
                    .iter()
                    .filter_map(|slot| Some((slot.scheduled?, slot.id))),
            );
        }
    }

    /// Reads up to [`SERVER_RECEIVE_BATCH`] datagrams from a readable
    /// socket, each handed to its connection and the connection settled.
    fn read_socket(&mut self, index: usize) {
        for _ in 0..SERVER_RECEIVE_BATCH {
            let bound = &mut self.sockets[index];
            if !bound.socket.readable {
                return;
            }
            match bound.socket.udp.recv_from(&mut self.buffer) {
                Ok((len, source)) => {
                    let local = bound.local;
                    self.counters.datagrams_received += 1;
                    self.deliver(local, source, len);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => bound.socket.readable = false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => self.counters.receive_errors += 1,
            }
        }
    }

    /// Routes the datagram of `len` bytes in the buffer, from `source` to
    /// the socket bound to `local`, to its connection, or drops and counts
    /// it.
    fn deliver(&mut self, local: SocketAddr, source: SocketAddr, len: usize) {
        let contents = &self.buffer[..len];
        let (id, request) = match demux::destination(contents) {
            Destination::Ufrag { ufrag, transaction } => {
                let Some(id) = self.routes.ufrag_owner(ufrag) else {
                    self.counters.unknown_ufrag += 1;
                    return;
                };
                self.counters.routed_by_ufrag += 1;
                (
                    id,
                    Some(Request {
                        source,
                        transaction,
                    }),
                )
            }
            Destination::Response(transaction) => {
                if let Some(id) = self.transactions.answered(transaction) {
                    self.counters.routed_by_transaction += 1;
                    (id, None)
                } else if let Some(id) = self.routes.address_owner(source) {
                    self.counters.routed_by_address += 1;
                    (id, None)
                } else {
                    self.counters.unroutable += 1;
                    return;
                }
            }
            Destination::SourceAddress => {
                let Some(id) = self.routes.address_owner(source) else {
                    self.counters.unroutable += 1;
                    return;
                };
                self.counters.routed_by_address += 1;
                (id, None)
            }
        };
        let Some(slot) = self.connections.get_mut(id) else {
            // The tables forget a connection when it is removed.
            self.counters.unroutable += 1;
            return;
        };
        slot.span.in_scope(|| {
            slot.core.receive(
                Instant::now(),
                Receive {
                    protocol: Protocol::Udp,
                    source,
                    destination: local,
                    contents,
                },
            )
        });
        self.touch(id);
        let answered = self.settle_answering(id, request);
        if request.is_none() {
            return;
        }
        if !answered {
            self.counters.requests_unanswered += 1;
            return;
        }
        let learned = self.routes.learn(source, id);
        self.counters.routes_learned += u64::from(learned.new);
        self.counters.routes_moved += u64::from(learned.moved);
        self.counters.routes_evicted += u64::from(learned.evicted);
    }
}
