//! The Sans-IO vocabulary every sansrtc state machine shares.
//!
//! Every protocol machine in sansrtc (ICE agent, DTLS endpoint, SCTP
//! association, and later the whole peer connection) owns no socket, clock or
//! thread. It is driven with one contract:
//!
//! 1. Feed it input through `&mut self` calls: a received datagram
//!    ([`Receive`]) with `now`, `handle_timeout(now)`, or an application
//!    command.
//! 2. **After any such call, drain [`Output`]s from `poll_output()` until it
//!    returns [`Output::Timeout`]**: every [`Output::Transmit`] must be sent,
//!    every [`Output::Event`] handled, and the timeout is the instant at which
//!    the driver must call `handle_timeout` (or `None`: no timer is armed).
//!
//! Machines that know addresses implement [`Machine`], the one trait the
//! I/O adapters (`sansrtc-tokio`, `sansrtc-mio`) run them through (netsim's
//! `Node` has the same shape).
//!
//! Time arrives only as an `Instant` argument and randomness only through an
//! injected RNG, so the same inputs give the same outputs. A hash map keyed
//! by values a peer chooses uses [`SeededState`], keyed from that RNG, rather
//! than `std`'s randomly seeded default.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use sansrtc_proto::{Output, TimerKind, TimerTable};
//!
//! #[derive(Clone, Copy, Debug, PartialEq, Eq)]
//! enum Timer { Retransmit, KeepAlive }
//! impl TimerKind for Timer {
//!     const ALL: &'static [Self] = &[Timer::Retransmit, Timer::KeepAlive];
//!     fn index(self) -> usize { self as usize }
//! }
//!
//! /// A toy machine: it sends "ping" once, then asks to be woken 1 s later.
//! struct Pinger { queued: Option<Vec<u8>>, timers: TimerTable<Timer, 2> }
//! impl Pinger {
//!     fn poll_output(&mut self) -> Output<Vec<u8>, &'static str> {
//!         if let Some(datagram) = self.queued.take() {
//!             return Output::Transmit(datagram);
//!         }
//!         Output::Timeout(self.timers.next().map(|(at, _)| at))
//!     }
//! }
//!
//! let now = Instant::now();
//! let mut timers = TimerTable::new();
//! timers.set(Timer::KeepAlive, now + Duration::from_secs(1));
//! let mut pinger = Pinger { queued: Some(b"ping".to_vec()), timers };
//! // Drain until the timeout.
//! let mut sent = Vec::new();
//! let next = loop {
//!     match pinger.poll_output() {
//!         Output::Transmit(d) => sent.push(d),
//!         Output::Event(_) => {}
//!         Output::Timeout(at) => break at,
//!     }
//! };
//! assert_eq!(sent, vec![b"ping".to_vec()]);
//! assert_eq!(next, Some(now + Duration::from_secs(1)));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod datagram;
mod dtls_role;
mod machine;
mod output;
mod seeded_hash;
mod timer_table;

pub use datagram::{Protocol, Receive, ReceiveOwned, Transmit};
pub use dtls_role::DtlsRole;
pub use machine::Machine;
pub use output::Output;
pub use seeded_hash::{SeededHasher, SeededState};
pub use timer_table::{TimerKind, TimerTable};
