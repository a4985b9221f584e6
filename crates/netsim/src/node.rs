//! The one trait through which the simulator drives any Sans-IO machine, and
//! the type-erased wrapper the [`crate::Network`] keeps for each host.

use std::any::Any;
use std::collections::VecDeque;
use std::marker::PhantomData;
use std::time::Instant;

use sansrtc_proto::{Output, Receive, Transmit};

use crate::topology::HostId;

/// A Sans-IO machine that knows addresses, as the simulator drives it.
///
/// The contract is the workspace's (docs/architecture.md): after every
/// `handle_*` call the simulator drains [`Node::poll_output`] until it
/// returns [`Output::Timeout`]; transmits go onto the simulated network,
/// events are kept for the test (see [`crate::Network::take_events`]), and
/// the timeout is when `handle_timeout` is called next.
///
/// A machine defined in another crate cannot implement this trait in the
/// scenarios crate (orphan rule); wrap it in [`crate::MachineNode`] (address-
/// aware machines) or [`crate::FixedPeerNode`] (byte-oriented machines).
pub trait Node {
    /// What the machine tells the application.
    type Event;
    /// A datagram arrived at one of the host's addresses.
    fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>);
    /// The instant last returned in [`Output::Timeout`] has been reached.
    fn handle_timeout(&mut self, now: Instant);
    /// The next output; [`Output::Timeout`] ends a drain.
    fn poll_output(&mut self) -> Output<Transmit, Self::Event>;
}

/// A typed handle to a node added with [`crate::Network::add_host`].
pub struct NodeId<N> {
    pub(crate) host: HostId,
    kind: PhantomData<fn() -> N>,
}

impl<N> NodeId<N> {
    pub(crate) fn new(host: HostId) -> Self {
        Self {
            host,
            kind: PhantomData,
        }
    }

    /// The host the node runs on (for its link, addresses and counters).
    pub fn host(&self) -> HostId {
        self.host
    }
}

impl<N> Clone for NodeId<N> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<N> Copy for NodeId<N> {}
impl<N> std::fmt::Debug for NodeId<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NodeId({:?})", self.host)
    }
}

/// Most events kept per node before older ones are dropped (and counted).
pub const EVENT_QUEUE_LIMIT: usize = 65_536;

/// Most outputs taken in one drain; a machine that never returns a timeout
/// is cut off there (counted in [`crate::Counters::runaway_drains`]).
pub const DRAIN_LIMIT: usize = 100_000;

/// A node with its event queue.
pub(crate) struct Hosted<N: Node> {
    pub(crate) node: N,
    pub(crate) events: VecDeque<N::Event>,
    pub(crate) events_dropped: u64,
}

/// What a drain produced besides transmits.
pub(crate) struct Drained {
    pub(crate) timeout: Option<Instant>,
    pub(crate) runaway: bool,
}

/// The object-safe face of [`Hosted`].
pub(crate) trait Driven {
    fn receive(&mut self, now: Instant, datagram: Receive<'_>);
    fn timeout(&mut self, now: Instant);
    fn drain(&mut self, out: &mut Vec<Transmit>) -> Drained;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn events_dropped(&self) -> u64;
}

impl<N: Node + 'static> Driven for Hosted<N>
where
    N::Event: 'static,
{
    fn receive(&mut self, now: Instant, datagram: Receive<'_>) {
        self.node.handle_receive(now, datagram);
    }

    fn timeout(&mut self, now: Instant) {
        self.node.handle_timeout(now);
    }

    fn drain(&mut self, out: &mut Vec<Transmit>) -> Drained {
        for _ in 0..DRAIN_LIMIT {
            match self.node.poll_output() {
                Output::Transmit(t) => out.push(t),
                Output::Event(e) => {
                    if self.events.len() >= EVENT_QUEUE_LIMIT {
                        self.events.pop_front();
                        self.events_dropped += 1;
                    }
                    self.events.push_back(e);
                }
                Output::Timeout(at) => {
                    return Drained {
                        timeout: at,
                        runaway: false,
                    }
                }
            }
        }
        Drained {
            timeout: None,
            runaway: true,
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }

    fn events_dropped(&self) -> u64 {
        self.events_dropped
    }
}
