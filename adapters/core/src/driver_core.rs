//! The runtime-independent state of a driver: the machine, the outbox, the
//! event queue, the machine's deadline and the counters.

use std::collections::VecDeque;
use std::time::Instant;

use sansrtc_proto::{Machine, Output, Protocol, Receive, Transmit};

use crate::counters::DriverCounters;
use crate::limits::{DRAIN_LIMIT, EVENT_LIMIT, OUTBOX_LIMIT};
use crate::sockets::SocketTable;
use crate::streams::{StreamClose, StreamTable};

/// What the runtime's send call did with one transmit, for
/// [`DriverCore::send_outbox`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    /// The OS took the datagram (counted in [`DriverCounters::sent`]).
    Sent,
    /// The OS refused it; it is dropped (counted in
    /// [`DriverCounters::send_errors`]).
    Failed,
    /// The socket is not writable now: the transmit stays first in the
    /// outbox and sending stops until the runtime reports it writable.
    WouldBlock,
    /// The call was interrupted: the same transmit is tried again at once.
    Interrupted,
}

/// A machine with what every driver keeps around it, whatever its runtime:
/// the bounded outbox and event queue the machine is drained into, the
/// instant of its last [`Output::Timeout`], and the [`DriverCounters`].
///
/// The runtime's glue feeds it one input at a time
/// ([`DriverCore::receive`], [`DriverCore::timeout`],
/// [`DriverCore::command`]), then calls [`DriverCore::drain`] and
/// [`DriverCore::send_outbox`] with its sockets, and hands out events with
/// [`DriverCore::take_event`]. It owns no socket and reads no clock: `now`
/// comes from the runtime.
#[derive(Debug)]
pub struct DriverCore<M: Machine> {
    machine: M,
    deadline: Option<Instant>,
    /// An input reached the machine since the last drain (or it was never
    /// drained).
    must_drain: bool,
    outbox: VecDeque<Transmit>,
    events: VecDeque<M::Event>,
    pub(crate) counters: DriverCounters,
    /// The TCP/TLS streams and their TLS settings.
    pub(crate) streams: StreamTable,
    /// Streams that ended where no `now` was at hand (a transmit refused
    /// in [`DriverCore::send_outbox`]): the machine is told at the next
    /// [`DriverCore::start_streams`].
    pub(crate) unreported_closes: Vec<StreamClose>,
    pub(crate) last_stream_close: Option<StreamClose>,
}

impl<M: Machine> DriverCore<M> {
    /// A core for `machine`; its first outputs are taken at the first
    /// [`DriverCore::drain`].
    pub fn new(machine: M) -> Self {
        Self {
            machine,
            deadline: None,
            must_drain: true,
            outbox: VecDeque::new(),
            events: VecDeque::new(),
            counters: DriverCounters::default(),
            streams: StreamTable::default(),
            unreported_closes: Vec::new(),
            last_stream_close: None,
        }
    }

    /// The machine.
    pub fn machine(&self) -> &M {
        &self.machine
    }

    /// Gives the machine back.
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

    /// Runs `command` on the machine (an application command, or the
    /// application's reaction to an event); the machine must be drained
    /// afterwards.
    pub fn command<R>(&mut self, command: impl FnOnce(&mut M) -> R) -> R {
        self.must_drain = true;
        command(&mut self.machine)
    }

    /// Runs `input` on the machine (the streams' inputs); it must be drained
    /// afterwards.
    pub(crate) fn input(&mut self, input: impl FnOnce(&mut M)) {
        self.must_drain = true;
        input(&mut self.machine);
    }

    /// Whether an input reached the machine since the last drain: a runtime
    /// that fed the streams checks it before it waits.
    pub fn needs_drain(&self) -> bool {
        self.must_drain
    }

    /// Hands a received datagram to the machine (counted in
    /// [`DriverCounters::received`]); the machine must be drained
    /// afterwards.
    pub fn receive(&mut self, now: Instant, datagram: Receive<'_>) {
        self.counters.received += 1;
        self.must_drain = true;
        self.machine.handle_receive(now, datagram);
    }

    /// Counts a receive call that failed ([`DriverCounters::receive_errors`]).
    pub fn receive_failed(&mut self) {
        self.counters.receive_errors += 1;
    }

    /// The machine's timer expired: disarms it and calls `handle_timeout`
    /// (counted in [`DriverCounters::timeouts`]); the machine must be
    /// drained afterwards. The runtime checks that
    /// [`DriverCore::next_timeout`] has passed.
    pub fn timeout(&mut self, now: Instant) {
        self.deadline = None;
        self.counters.timeouts += 1;
        self.must_drain = true;
        self.machine.handle_timeout(now);
    }

    /// Pulls outputs until the machine's timeout, if an input reached it
    /// since the last drain: transmits go to the outbox (new ones dropped
    /// past [`OUTBOX_LIMIT`]), events to the event queue (the oldest
    /// dropped past [`EVENT_LIMIT`]), and the timeout becomes
    /// [`DriverCore::next_timeout`]. Cut off after [`DRAIN_LIMIT`] outputs.
    pub fn drain(&mut self) {
        if !self.must_drain {
            return;
        }
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

    /// Sends the outbox in order until `send` returns
    /// [`SendOutcome::WouldBlock`] or the outbox is empty. A TCP or TLS
    /// transmit goes to its stream's queue (opening the stream: the runtime
    /// connects it at [`DriverCore::start_streams`]); a UDP transmit whose
    /// `source` no socket in `sockets` serves (see
    /// [`SocketTable::for_source`]) is dropped and counted without calling
    /// `send`; otherwise `send` gets the socket and the transmit, which
    /// leaves the outbox unless the socket would block or the call was
    /// interrupted.
    pub fn send_outbox<S>(
        &mut self,
        sockets: &SocketTable<S>,
        mut send: impl FnMut(&S, &Transmit) -> SendOutcome,
    ) {
        while let Some(t) = self.outbox.front() {
            if t.protocol != Protocol::Udp {
                if let Some(t) = self.outbox.pop_front() {
                    self.queue_stream_frame(t);
                }
                continue;
            }
            let Some(bound) = sockets.for_source(t.source) else {
                self.counters.unknown_source += 1;
                self.outbox.pop_front();
                continue;
            };
            match send(&bound.socket, t) {
                SendOutcome::Sent => self.counters.sent += 1,
                SendOutcome::Failed => self.counters.send_errors += 1,
                SendOutcome::WouldBlock => return,
                SendOutcome::Interrupted => continue,
            }
            self.outbox.pop_front();
        }
    }

    /// Transmits waiting for a socket to become writable.
    pub fn pending_transmits(&self) -> usize {
        self.outbox.len()
    }

    /// Whether events are waiting for the application.
    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// The oldest event the application has not taken yet.
    pub fn take_event(&mut self) -> Option<M::Event> {
        self.events.pop_front()
    }
}
