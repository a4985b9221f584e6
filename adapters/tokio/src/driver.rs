//! The async driver: a machine, its sockets, its timer, and the loop that
//! feeds one with the others.

use std::future::{poll_fn, Future};
use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use std::sync::Arc;

use sansrtc_adapter_core::rustls::pki_types::ServerName;
use sansrtc_adapter_core::rustls::{self, ClientConfig, RootCertStore};
use sansrtc_adapter_core::{
    DriverCore, DriverCounters, SendOutcome, SocketTable, StreamClose, RECEIVE_BUFFER_SIZE,
};
use sansrtc_proto::{Machine, Protocol, Receive};
use tokio::io::ReadBuf;
use tokio::net::UdpSocket;
use tokio::time::Sleep;

use crate::error::DriverError;
use crate::streams::StreamSockets;

/// Inputs handled in one poll before yielding to the runtime, so a busy
/// socket cannot starve the other tasks.
const STEPS_PER_POLL: usize = 256;

/// The clock the machine sees: tokio's (so a paused tokio clock in tests
/// pauses the machine's time too).
fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// Runs one [`Machine`] over tokio UDP sockets and a tokio timer.
///
/// - [`Driver::bind`] / [`Driver::add_socket`] add a socket per local
///   address. Datagrams arriving on a socket reach the machine as a
///   [`Receive`] whose `destination` is that socket's local address; a
///   [`Transmit`](sansrtc_proto::Transmit) goes out of the socket bound to
///   its `source` (exactly, or a socket bound to `0.0.0.0:port` /
///   `[::]:port`), and one with an unknown source is dropped and counted.
/// - The machine's timer is the instant of its last
///   [`Output::Timeout`](sansrtc_proto::Output::Timeout);
///   `handle_timeout(now)` is called when tokio's clock reaches it.
/// - [`Driver::next_event`] (or [`Driver::run_until`]) runs the loop: after
///   every input (one datagram, one timeout, a command) it drains
///   `poll_output()` until the timeout, sends the transmits and returns the
///   events one at a time.
/// - Commands: [`Driver::with_machine`] gives `&mut M`; its outputs are
///   drained and sent at the next [`Driver::next_event`] / [`Driver::flush`].
///
/// - TCP and TLS transmits (TURN over TCP and `turns:`) go over streams the
///   driver opens at the first transmit from a `source` to a
///   `destination` (a TCP connect from the source's IP, then for TLS a
///   rustls handshake, see [`Driver::set_tls_roots`] and
///   [`Driver::set_tls_server_name`]); the bytes read come back as a
///   [`Receive`] with that protocol, from the destination to the source;
///   a stream that cannot be opened, fails or ends is reported with
///   [`Machine::handle_stream_closed`]. Bounded by
///   [`STREAM_LIMIT`](crate::STREAM_LIMIT) and
///   [`STREAM_QUEUE_LIMIT`](crate::STREAM_QUEUE_LIMIT); see
///   `docs/adapters-streams.md`.
///
/// [`Driver::next_event`] is cancel-safe: a transmit is dequeued only once
/// the OS took it, a datagram is handed to the machine in the same poll that
/// received it, stream bytes leave their queue only once written, and the
/// timer and the connects in progress live in the driver. So it can sit in
/// a `tokio::select!` next to a command channel.
pub struct Driver<M: Machine> {
    /// The machine, its outbox, event queue, deadline and counters.
    core: DriverCore<M>,
    sockets: SocketTable<UdpSocket>,
    /// Where the next receive poll starts (round robin over the sockets).
    next_socket: usize,
    timer: Option<Pin<Box<Sleep>>>,
    /// The timer completed and must be reset before it is polled again.
    timer_fired: bool,
    buffer: Box<[u8]>,
    /// The TCP sockets of the streams.
    streams: StreamSockets,
}

impl<M: Machine> Driver<M> {
    /// A driver for `machine`, with no socket yet. Its first outputs (a
    /// client's first request, say) are drained at the first
    /// [`Driver::next_event`].
    pub fn new(machine: M) -> Self {
        Self {
            core: DriverCore::new(machine),
            sockets: SocketTable::new(),
            next_socket: 0,
            timer: None,
            timer_fired: false,
            buffer: vec![0; RECEIVE_BUFFER_SIZE].into_boxed_slice(),
            streams: StreamSockets::default(),
        }
    }

    /// Binds a UDP socket to `address` and adds it; returns the bound
    /// address (with the port the OS chose for port 0). Tell the machine
    /// about it (e.g. through [`Driver::with_machine`]) if it needs to know.
    pub async fn bind(&mut self, address: SocketAddr) -> Result<SocketAddr, DriverError> {
        let socket = UdpSocket::bind(address)
            .await
            .map_err(|source| DriverError::Bind { address, source })?;
        self.add_socket(socket)
    }

    /// Adds a socket the application bound itself; returns its local
    /// address.
    pub fn add_socket(&mut self, socket: UdpSocket) -> Result<SocketAddr, DriverError> {
        let local = socket.local_addr().map_err(DriverError::LocalAddress)?;
        if self.sockets.contains(local) {
            return Err(DriverError::DuplicateAddress(local));
        }
        self.sockets.push(local, socket);
        Ok(local)
    }

    /// The local addresses of the driver's sockets, in the order added.
    pub fn local_addrs(&self) -> impl Iterator<Item = SocketAddr> + '_ {
        self.sockets.local_addrs()
    }

    /// The machine.
    pub fn machine(&self) -> &M {
        self.core.machine()
    }

    /// Runs `command` on the machine (an application command: open a
    /// channel, add a candidate …). The outputs it causes are drained and
    /// sent at the next [`Driver::next_event`], [`Driver::run_until`] or
    /// [`Driver::flush`].
    pub fn with_machine<R>(&mut self, command: impl FnOnce(&mut M) -> R) -> R {
        self.core.command(command)
    }

    /// Ends the driver, giving the machine back (the sockets are closed).
    pub fn into_machine(self) -> M {
        self.core.into_machine()
    }

    /// What went through the driver and what it dropped.
    pub fn counters(&self) -> DriverCounters {
        self.core.counters()
    }

    /// Whether events the machine gave are waiting for
    /// [`Driver::next_event`].
    pub fn has_pending_events(&self) -> bool {
        self.core.has_events()
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

    /// The next event of the machine, running the I/O loop until there is
    /// one. Cancel-safe (see [`Driver`]).
    ///
    /// Fails with [`DriverError::NothingToWaitFor`] when no socket is bound
    /// and no timer is armed.
    pub async fn next_event(&mut self) -> Result<M::Event, DriverError> {
        poll_fn(|cx| self.poll_event(cx)).await
    }

    /// Runs the loop, handing each event to `on_event` with the machine (to
    /// react with commands), until it returns [`ControlFlow::Break`].
    pub async fn run_until<B>(
        &mut self,
        mut on_event: impl FnMut(&mut M, M::Event) -> ControlFlow<B>,
    ) -> Result<B, DriverError> {
        loop {
            let event = self.next_event().await?;
            if let ControlFlow::Break(b) = self.core.command(|m| on_event(m, event)) {
                return Ok(b);
            }
        }
    }

    /// Drains the machine and waits until every transmit waiting in the
    /// driver has been handed to the OS, the bytes of connected streams
    /// included (events stay queued for [`Driver::next_event`]; streams
    /// still connecting are not waited for).
    pub async fn flush(&mut self) {
        poll_fn(|cx| {
            loop {
                self.core.drain();
                self.send_outbox(cx);
                let connected = self.streams.poll_connects(cx, now, &mut self.core);
                if connected {
                    self.streams.write(cx, now, &mut self.core);
                }
                if !connected && !self.core.needs_drain() {
                    break;
                }
            }
            if self.core.pending_transmits() == 0 && !self.streams.has_output(&self.core) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await
    }

    /// The poll behind [`Driver::next_event`], for hand-written futures.
    pub fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Result<M::Event, DriverError>> {
        for _ in 0..STEPS_PER_POLL {
            self.core.drain();
            self.send_outbox(cx);
            if self.core.needs_drain() {
                // A stream ended while the outbox was sent: the machine knows.
                continue;
            }
            if let Some(event) = self.core.take_event() {
                return Poll::Ready(Ok(event));
            }
            if self.sockets.is_empty()
                && self.streams.is_empty()
                && self.core.next_timeout().is_none()
            {
                return Poll::Ready(Err(DriverError::NothingToWaitFor));
            }
            if self.poll_timer(cx)
                || self.poll_sockets(cx)
                || self.streams.poll_connects(cx, now, &mut self.core)
                || self
                    .streams
                    .poll_reads(cx, now, &mut self.core, &mut self.buffer)
            {
                continue;
            }
            return Poll::Pending;
        }
        // Busy: let the runtime run other tasks, then come back.
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    /// Sends queued transmits in order until a socket is not writable (its
    /// waker is then registered) or the queue is empty; TCP/TLS transmits
    /// go to their streams (new ones start connecting), whose queued bytes
    /// are written until a socket would block.
    fn send_outbox(&mut self, cx: &mut Context<'_>) {
        self.core.send_outbox(&self.sockets, |socket, t| {
            match socket.poll_send_to(cx, &t.contents, t.destination) {
                Poll::Ready(Ok(_)) => SendOutcome::Sent,
                Poll::Ready(Err(_)) => SendOutcome::Failed,
                Poll::Pending => SendOutcome::WouldBlock,
            }
        });
        self.streams.start(now(), &mut self.core);
        self.streams.write(cx, now, &mut self.core);
    }

    /// Fires the machine's timer if it is due; true if it did.
    fn poll_timer(&mut self, cx: &mut Context<'_>) -> bool {
        let Some(at) = self.core.next_timeout() else {
            return false;
        };
        let at_tokio = tokio::time::Instant::from_std(at);
        let timer = match &mut self.timer {
            Some(timer) => {
                if self.timer_fired || timer.deadline() != at_tokio {
                    timer.as_mut().reset(at_tokio);
                }
                timer
            }
            None => self
                .timer
                .insert(Box::pin(tokio::time::sleep_until(at_tokio))),
        };
        self.timer_fired = false;
        if timer.as_mut().poll(cx).is_pending() {
            return false;
        }
        self.timer_fired = true;
        self.core.timeout(now());
        true
    }

    /// Hands at most one received datagram to the machine (so that it is
    /// drained after every input); true if it did. Every socket polled
    /// without a datagram has its waker registered.
    fn poll_sockets(&mut self, cx: &mut Context<'_>) -> bool {
        let count = self.sockets.len();
        for i in 0..count {
            let index = (self.next_socket + i) % count;
            let bound = &self.sockets[index];
            let mut buf = ReadBuf::new(&mut self.buffer);
            match bound.socket.poll_recv_from(cx, &mut buf) {
                Poll::Ready(Ok(source)) => {
                    let contents = buf.filled();
                    self.next_socket = (index + 1) % count;
                    self.core.receive(
                        now(),
                        Receive {
                            protocol: Protocol::Udp,
                            source,
                            destination: bound.local,
                            contents,
                        },
                    );
                    return true;
                }
                Poll::Ready(Err(_)) => {
                    // The socket is readable again at once; report progress
                    // so the loop polls it again (bounded by STEPS_PER_POLL).
                    self.next_socket = (index + 1) % count;
                    self.core.receive_failed();
                    return true;
                }
                Poll::Pending => {}
            }
        }
        false
    }
}
