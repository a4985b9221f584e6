//! Adapters that turn a machine from another crate into a [`Node`] in a few
//! lines, without a newtype per machine (the orphan rule forbids
//! `impl Node for sansrtc_ice::Agent` outside the netsim and ice crates).

use std::net::SocketAddr;
use std::time::Instant;

use sansrtc_proto::{Output, Protocol, Receive, Transmit};

use crate::node::Node;

/// An address-aware machine (ICE agent, peer connection, STUN client …)
/// driven through three functions.
///
/// ```
/// # use std::time::Instant;
/// # use sansrtc_proto::{Output, Receive, Transmit};
/// # struct Agent;
/// # impl Agent {
/// #   fn handle_receive(&mut self, _: Instant, _: Receive<'_>) -> Result<(), ()> { Ok(()) }
/// #   fn handle_timeout(&mut self, _: Instant) {}
/// #   fn poll_output(&mut self) -> Output<Transmit, u32> { Output::Timeout(None) }
/// # }
/// use sansrtc_netsim::MachineNode;
/// let node = MachineNode::new(
///     Agent,
///     |a, now, d| { let _ = a.handle_receive(now, d); },
///     |a, now| a.handle_timeout(now),
///     |a| a.poll_output(),
/// );
/// ```
pub struct MachineNode<M, E> {
    machine: M,
    on_receive: fn(&mut M, Instant, Receive<'_>),
    on_timeout: fn(&mut M, Instant),
    poll: fn(&mut M) -> Output<Transmit, E>,
}

impl<M, E> MachineNode<M, E> {
    /// Wraps `machine`; the functions are usually non-capturing closures.
    pub fn new(
        machine: M,
        on_receive: fn(&mut M, Instant, Receive<'_>),
        on_timeout: fn(&mut M, Instant),
        poll: fn(&mut M) -> Output<Transmit, E>,
    ) -> Self {
        Self {
            machine,
            on_receive,
            on_timeout,
            poll,
        }
    }

    /// The machine.
    pub fn machine(&self) -> &M {
        &self.machine
    }

    /// The machine, to issue commands (use [`crate::Network::node_mut`] so
    /// that the network drains it afterwards).
    pub fn machine_mut(&mut self) -> &mut M {
        &mut self.machine
    }
}

impl<M, E> Node for MachineNode<M, E> {
    type Event = E;

    fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) {
        (self.on_receive)(&mut self.machine, now, datagram);
    }

    fn handle_timeout(&mut self, now: Instant) {
        (self.on_timeout)(&mut self.machine, now);
    }

    fn poll_output(&mut self) -> Output<Transmit, E> {
        (self.poll)(&mut self.machine)
    }
}

/// A byte-oriented machine (DTLS endpoint, SCTP association: input `&[u8]`,
/// output `Vec<u8>`) placed at `local` and talking to one fixed `peer`.
///
/// Its outputs become UDP datagrams `local → peer`; datagrams arriving from
/// any other address are ignored and counted in
/// [`FixedPeerNode::ignored_datagrams`].
///
/// ```
/// # use std::time::Instant;
/// # use sansrtc_proto::Output;
/// # struct Endpoint;
/// # impl Endpoint {
/// #   fn handle_receive(&mut self, _: Instant, _: &[u8]) -> Result<(), ()> { Ok(()) }
/// #   fn handle_timeout(&mut self, _: Instant) {}
/// #   fn poll_output(&mut self) -> Output<Vec<u8>, &'static str> { Output::Timeout(None) }
/// # }
/// use sansrtc_netsim::FixedPeerNode;
/// let local = "10.0.0.1:5000".parse().unwrap();
/// let peer = "10.0.0.2:5000".parse().unwrap();
/// let node = FixedPeerNode::new(
///     Endpoint,
///     local,
///     peer,
///     |e, now, bytes| { let _ = e.handle_receive(now, bytes); },
///     |e, now| e.handle_timeout(now),
///     |e| e.poll_output(),
/// );
/// ```
pub struct FixedPeerNode<M, E> {
    machine: M,
    local: SocketAddr,
    peer: SocketAddr,
    on_input: fn(&mut M, Instant, &[u8]),
    on_timeout: fn(&mut M, Instant),
    poll: fn(&mut M) -> Output<Vec<u8>, E>,
    ignored: u64,
}

impl<M, E> FixedPeerNode<M, E> {
    /// Wraps `machine` at `local`, talking to `peer`.
    pub fn new(
        machine: M,
        local: SocketAddr,
        peer: SocketAddr,
        on_input: fn(&mut M, Instant, &[u8]),
        on_timeout: fn(&mut M, Instant),
        poll: fn(&mut M) -> Output<Vec<u8>, E>,
    ) -> Self {
        Self {
            machine,
            local,
            peer,
            on_input,
            on_timeout,
            poll,
            ignored: 0,
        }
    }

    /// The machine.
    pub fn machine(&self) -> &M {
        &self.machine
    }

    /// The machine, to issue commands (through [`crate::Network::node_mut`]).
    pub fn machine_mut(&mut self) -> &mut M {
        &mut self.machine
    }

    /// The address the machine sends from.
    pub fn local(&self) -> SocketAddr {
        self.local
    }

    /// The one peer it talks to.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Datagrams that came from another address or to another local
    /// address, and were not given to the machine.
    pub fn ignored_datagrams(&self) -> u64 {
        self.ignored
    }
}

impl<M, E> Node for FixedPeerNode<M, E> {
    type Event = E;

    fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) {
        if datagram.source != self.peer || datagram.destination != self.local {
            self.ignored += 1;
            return;
        }
        (self.on_input)(&mut self.machine, now, datagram.contents);
    }

    fn handle_timeout(&mut self, now: Instant) {
        (self.on_timeout)(&mut self.machine, now);
    }

    fn poll_output(&mut self) -> Output<Transmit, E> {
        (self.poll)(&mut self.machine).map_transmit(|contents| Transmit {
            protocol: Protocol::Udp,
            source: self.local,
            destination: self.peer,
            contents,
        })
    }
}
