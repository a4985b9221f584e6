//! The one trait every address-aware machine implements, so that a single
//! driver (the netsim network, the tokio and mio adapters, the peer
//! connection composing sub-machines) can run any of them.

use std::net::SocketAddr;
use std::time::Instant;

use crate::{Output, Protocol, Receive, ReceiveOwned, Transmit};

/// A Sans-IO machine that knows addresses: it receives datagrams with their
/// source and destination and asks for [`Transmit`]s from a local address it
/// owns.
///
/// The contract is the workspace's (docs/architecture.md): **after every
/// `handle_*` call, and after any application command, the driver drains
/// [`Machine::poll_output`] until it returns [`Output::Timeout`]**. Every
/// [`Output::Transmit`] is sent from its `source`, every [`Output::Event`]
/// goes to the application, and the instant in the final timeout is when the
/// driver calls [`Machine::handle_timeout`] next (`None`: only new input
/// wakes the machine). `now` is the driver's clock: a simulated one in
/// netsim, tokio's or the system's in the adapters; the machine never reads
/// a clock itself.
///
/// Byte-oriented machines (DTLS records, SCTP packets) are not `Machine`s:
/// they have no addresses, and the layer that owns the addresses wraps them.
///
/// ```
/// use std::collections::VecDeque;
/// use std::time::{Duration, Instant};
/// use sansrtc_proto::{Machine, Output, Protocol, Receive, Transmit};
///
/// /// Echoes every datagram back to where it came from, and counts them.
/// #[derive(Default)]
/// struct Echo { outbox: VecDeque<Transmit>, echoed: u64 }
///
/// impl Machine for Echo {
///     type Event = u64;
///     fn handle_receive(&mut self, _now: Instant, d: Receive<'_>) {
///         self.echoed += 1;
///         self.outbox.push_back(Transmit {
///             protocol: d.protocol,
///             source: d.destination,
///             destination: d.source,
///             contents: d.contents.to_vec(),
///         });
///     }
///     fn handle_timeout(&mut self, _now: Instant) {}
///     fn poll_output(&mut self) -> Output<Transmit, u64> {
///         match self.outbox.pop_front() {
///             Some(t) => Output::Transmit(t),
///             None => Output::Timeout(None),
///         }
///     }
/// }
///
/// /// A generic driver step: feed one datagram, then drain until the timeout.
/// fn step<M: Machine>(m: &mut M, now: Instant, d: Receive<'_>, sent: &mut Vec<Transmit>) -> Option<Instant> {
///     m.handle_receive(now, d);
///     loop {
///         match m.poll_output() {
///             Output::Transmit(t) => sent.push(t),
///             Output::Event(_) => {}
///             Output::Timeout(at) => return at,
///         }
///     }
/// }
///
/// let (me, peer) = ("127.0.0.1:3478".parse().unwrap(), "127.0.0.1:5000".parse().unwrap());
/// let mut echo = Echo::default();
/// let mut sent = Vec::new();
/// let datagram = Receive { protocol: Protocol::Udp, source: peer, destination: me, contents: b"hi" };
/// assert_eq!(step(&mut echo, Instant::now(), datagram, &mut sent), None);
/// assert_eq!(sent, vec![Transmit { protocol: Protocol::Udp, source: me, destination: peer, contents: b"hi".to_vec() }]);
/// // `&mut M` and `Box<M>` are machines too.
/// let mut boxed: Box<dyn Machine<Event = u64>> = Box::new(echo);
/// assert_eq!(step(&mut boxed, Instant::now(), datagram, &mut sent), None);
/// assert_eq!(sent.len(), 2);
/// ```
pub trait Machine {
    /// What the machine tells the application.
    type Event;

    /// A datagram arrived at one of the machine's local addresses
    /// (`datagram.destination`) from `datagram.source`.
    fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>);

    /// [`Self::handle_receive`] with the datagram by value: a machine that
    /// would copy what it keeps (a record it decrypts, a packet it
    /// unprotects) may use the buffer itself. The default borrows it.
    fn handle_receive_owned(&mut self, now: Instant, datagram: ReceiveOwned) {
        self.handle_receive(now, datagram.as_received());
    }

    /// The instant last returned in [`Output::Timeout`] has been reached.
    /// Calling it early or late is allowed: a machine acts only on timers
    /// that are due at `now`.
    fn handle_timeout(&mut self, now: Instant);

    /// The next output; [`Output::Timeout`] ends a drain.
    fn poll_output(&mut self) -> Output<Transmit, Self::Event>;

    /// The driver's stream (`protocol` TCP or TLS) from the machine's local
    /// address `local` to `remote` closed, failed, or could not be opened:
    /// bytes queued for it are lost, and a later transmit to `remote` opens
    /// a new stream. Streams are opened by the driver for the machine's
    /// first TCP/TLS [`Transmit`] from `local` to `remote` (TURN over TCP or
    /// TLS). The default does nothing (a machine that never sends over a
    /// stream).
    fn handle_stream_closed(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
        protocol: Protocol,
    ) {
        let _ = (now, local, remote, protocol);
    }
}

impl<M: Machine + ?Sized> Machine for &mut M {
    type Event = M::Event;

    fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) {
        (**self).handle_receive(now, datagram);
    }

    fn handle_receive_owned(&mut self, now: Instant, datagram: ReceiveOwned) {
        (**self).handle_receive_owned(now, datagram);
    }

    fn handle_timeout(&mut self, now: Instant) {
        (**self).handle_timeout(now);
    }

    fn poll_output(&mut self) -> Output<Transmit, Self::Event> {
        (**self).poll_output()
    }

    fn handle_stream_closed(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
        protocol: Protocol,
    ) {
        (**self).handle_stream_closed(now, local, remote, protocol);
    }
}

impl<M: Machine + ?Sized> Machine for Box<M> {
    type Event = M::Event;

    fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) {
        (**self).handle_receive(now, datagram);
    }

    fn handle_receive_owned(&mut self, now: Instant, datagram: ReceiveOwned) {
        (**self).handle_receive_owned(now, datagram);
    }

    fn handle_timeout(&mut self, now: Instant) {
        (**self).handle_timeout(now);
    }

    fn poll_output(&mut self) -> Output<Transmit, Self::Event> {
        (**self).poll_output()
    }

    fn handle_stream_closed(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
        protocol: Protocol,
    ) {
        (**self).handle_stream_closed(now, local, remote, protocol);
    }
}
