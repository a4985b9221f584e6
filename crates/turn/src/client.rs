//! The TURN client machine: state, timers, `poll_output`, and the
//! lifecycle commands (`start`, `close`). Receiving is in `receive.rs`,
//! request building and the data-plane commands in `requests.rs`.

use std::collections::{BTreeMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRng, RngCore, SeedableRng};
use sansrtc_proto::{Output, TimerKind, TimerTable, Transmit};
use sansrtc_stun::{LongTermAuth, StreamDeframer};

use crate::config::{TurnClientConfig, ALLOCATION_REFRESH_MARGIN};
use crate::error::TurnError;
use crate::event::{TurnEvent, TurnState};
use crate::peers::{BindingState, Channel, Permission, SendQueue};
use crate::transaction::{Due, Purpose, Timing, Transaction};

/// 438 answers retried per request before the request fails.
pub(crate) const MAX_STALE_NONCES: u32 = 3;

/// Counters of everything the client dropped or repeated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TurnStats {
    /// Requests retransmitted (UDP).
    pub retransmissions: u64,
    /// Transactions that got no answer.
    pub timeouts: u64,
    /// Responses discarded: bad FINGERPRINT, missing or wrong integrity,
    /// malformed attributes, unknown comprehension-required attributes.
    pub responses_discarded: u64,
    /// Responses matching no outstanding transaction (late duplicates).
    pub responses_unmatched: u64,
    /// Data indications or ChannelData dropped: malformed, or for a peer
    /// without permission or an unknown channel.
    pub data_dropped: u64,
    /// Datagrams handed over after `send_to` (Send indication or
    /// ChannelData).
    pub data_sent: u64,
    /// Datagrams received from peers and reported.
    pub data_received: u64,
    /// Datagrams refused by a full queue, or dropped from the queue when
    /// their permission failed or the client ended.
    pub queue_dropped: u64,
    /// Events dropped because `max_events` undrained events were waiting.
    pub events_dropped: u64,
    /// Messages from the server that are neither responses, Data
    /// indications nor ChannelData.
    pub ignored: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timer {
    Transaction,
    AllocationRefresh,
    AllocationExpiry,
    Permissions,
    Channels,
}

impl TimerKind for Timer {
    const ALL: &'static [Self] = &[
        Timer::Transaction,
        Timer::AllocationRefresh,
        Timer::AllocationExpiry,
        Timer::Permissions,
        Timer::Channels,
    ];
    fn index(self) -> usize {
        self as usize
    }
}

/// A Sans-IO TURN client for one allocation on one server. See the crate
/// documentation for the contract and an example.
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub struct TurnClient {
    pub(crate) config: TurnClientConfig,
    /// The server in use (the configured one, or an ALTERNATE-SERVER).
    pub(crate) server: SocketAddr,
    pub(crate) redirected: bool,
    pub(crate) rng: ChaCha20Rng,
    pub(crate) auth: LongTermAuth,
    pub(crate) state: TurnState,
    pub(crate) relayed: Option<SocketAddr>,
    pub(crate) mapped: Option<SocketAddr>,
    pub(crate) lifetime: Duration,
    pub(crate) refresh_at: Option<Instant>,
    pub(crate) expires_at: Option<Instant>,
    pub(crate) transactions: Vec<Transaction>,
    pub(crate) permissions: BTreeMap<IpAddr, Permission>,
    pub(crate) channels: BTreeMap<SocketAddr, Channel>,
    pub(crate) channel_peers: BTreeMap<u16, SocketAddr>,
    pub(crate) next_channel: u16,
    pub(crate) queue: SendQueue,
    pub(crate) outbox: VecDeque<Transmit>,
    pub(crate) events: VecDeque<TurnEvent>,
    pub(crate) deframer: StreamDeframer,
    timers: TimerTable<Timer, 5>,
    pub(crate) stats: TurnStats,
}

impl TurnClient {
    /// A client for `config`. Transaction ids come from a ChaCha20 RNG
    /// seeded from `rng` (pass `&mut rng` to keep using yours), so the same
    /// seed and inputs give the same outputs.
    pub fn new(config: TurnClientConfig, mut rng: impl RngCore + CryptoRng) -> Self {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        let auth = LongTermAuth::new(config.username.clone(), config.password.clone())
            // Stale nonces are bounded per request (MAX_STALE_NONCES), so
            // that concurrent requests meeting one nonce change all retry.
            .with_max_stale_nonces(u32::MAX);
        TurnClient {
            server: config.server,
            redirected: false,
            rng: ChaCha20Rng::from_seed(seed),
            auth,
            state: TurnState::New,
            relayed: None,
            mapped: None,
            lifetime: Duration::ZERO,
            refresh_at: None,
            expires_at: None,
            transactions: Vec::new(),
            permissions: BTreeMap::new(),
            channels: BTreeMap::new(),
            channel_peers: BTreeMap::new(),
            next_channel: sansrtc_stun::attributes::ChannelNumber::MIN,
            queue: SendQueue::default(),
            outbox: VecDeque::new(),
            events: VecDeque::new(),
            deframer: StreamDeframer::new(config.stream_buffer),
            timers: TimerTable::new(),
            stats: TurnStats::default(),
            config,
        }
    }

    /// Sends the first Allocate (without credentials; the server's 401
    /// challenge is answered automatically).
    pub fn start(&mut self, now: Instant) -> Result<(), TurnError> {
        if self.state != TurnState::New {
            return Err(TurnError::AlreadyStarted);
        }
        self.state = TurnState::Allocating;
        self.send_request(now, Purpose::Allocate, 0);
        self.update_timers();
        Ok(())
    }

    /// Deletes the allocation (Refresh with LIFETIME 0) and ends the
    /// client: [`TurnEvent::Closed`] follows the server's answer (or its
    /// timeout). Without an allocation the client closes at once. Queued
    /// data is dropped.
    pub fn close(&mut self, now: Instant) {
        match self.state {
            TurnState::Allocated => {
                self.transactions.clear();
                self.stats.queue_dropped += self.queue.clear() as u64;
                self.state = TurnState::Closing;
                self.send_request(now, Purpose::Refresh { lifetime: 0 }, 0);
            }
            TurnState::New | TurnState::Allocating => {
                self.transactions.clear();
                self.finish_closed();
            }
            TurnState::Closing | TurnState::Closed | TurnState::Failed => {}
        }
        self.update_timers();
    }

    /// Tells the client that the driver's TCP/TLS connection to the server
    /// failed or closed: the allocation is lost ([`TurnEvent::Failed`] with
    /// code 701), or, while closing, the client is closed.
    pub fn handle_stream_closed(&mut self, _now: Instant) {
        if self.state == TurnState::Closing {
            self.transactions.clear();
            self.finish_closed();
        } else if !self.state.is_terminal() {
            self.fail(
                crate::config::ERROR_SERVER_NOT_REACHABLE,
                "connection to the TURN server closed".into(),
            );
        }
        self.update_timers();
    }

    /// The current state.
    pub fn state(&self) -> TurnState {
        self.state
    }

    /// The relayed transport address, once allocated.
    pub fn relayed_address(&self) -> Option<SocketAddr> {
        self.relayed
    }

    /// Our address as the server saw it (XOR-MAPPED-ADDRESS), once
    /// allocated.
    pub fn mapped_address(&self) -> Option<SocketAddr> {
        self.mapped
    }

    /// The server in use: the configured one, or the ALTERNATE-SERVER after
    /// a redirect.
    pub fn server(&self) -> SocketAddr {
        self.server
    }

    /// The local address from the configuration.
    pub fn local_address(&self) -> SocketAddr {
        self.config.local
    }

    /// The configuration.
    pub fn config(&self) -> &TurnClientConfig {
        &self.config
    }

    /// The lifetime the server last granted.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// When the allocation expires unless refreshed.
    pub fn expires_at(&self) -> Option<Instant> {
        self.expires_at
    }

    /// The state of the permission for `ip`, if there is one.
    pub fn permission_state(&self, ip: IpAddr) -> Option<BindingState> {
        self.permissions.get(&ip).map(|p| p.state)
    }

    /// The channel number and state bound (or being bound) to `peer`.
    pub fn channel(&self, peer: SocketAddr) -> Option<(u16, BindingState)> {
        self.channels.get(&peer).map(|c| (c.number, c.state))
    }

    /// Permissions held (any state).
    pub fn permission_count(&self) -> usize {
        self.permissions.len()
    }

    /// Channels held (any state).
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    /// Datagrams and bytes queued while waiting for permissions.
    pub fn queued(&self) -> (usize, usize) {
        (self.queue.len(), self.queue.bytes())
    }

    /// Requests awaiting an answer.
    pub fn outstanding_requests(&self) -> usize {
        self.transactions.len()
    }

    /// The counters.
    pub fn stats(&self) -> TurnStats {
        self.stats
    }

    /// The next output: transmits first, then events, then the instant at
    /// which to call [`TurnClient::handle_timeout`]. Drain it after every
    /// call until it returns `Output::Timeout`.
    pub fn poll_output(&mut self) -> Output<Transmit, TurnEvent> {
        if let Some(t) = self.outbox.pop_front() {
            return Output::Transmit(t);
        }
        if let Some(e) = self.events.pop_front() {
            return Output::Event(e);
        }
        Output::Timeout(self.timers.next().map(|(at, _)| at))
    }

    /// Runs whatever is due at `now`: retransmissions and transaction
    /// timeouts, the allocation refresh, permission and channel refreshes.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.state.is_terminal() {
            return;
        }
        self.run_transactions(now);
        if self.state == TurnState::Allocated {
            if self.expires_at.is_some_and(|at| at <= now) {
                self.fail(
                    crate::config::ERROR_SERVER_NOT_REACHABLE,
                    "allocation expired before a refresh succeeded".into(),
                );
            } else if self.refresh_at.is_some_and(|at| at <= now) {
                self.refresh_at = None;
                self.send_refresh(now);
            }
        }
        if self.state == TurnState::Allocated {
            self.maintain_permissions(now);
            self.maintain_channels(now);
        }
        self.update_timers();
    }

    fn run_transactions(&mut self, now: Instant) {
        let timing = self.timing();
        let mut timed_out = Vec::new();
        for tx in &mut self.transactions {
            if tx.deadline > now {
                continue;
            }
            match tx.on_deadline(now, &timing) {
                Due::Retransmit => {
                    self.stats.retransmissions += 1;
                    self.outbox.push_back(Transmit {
                        protocol: self.config.protocol,
                        source: self.config.local,
                        destination: self.server,
                        contents: tx.request.clone(),
                    });
                }
                Due::TimedOut => timed_out.push(tx.id),
            }
        }
        for id in timed_out {
            if let Some(at) = self.transactions.iter().position(|t| t.id == id) {
                let tx = self.transactions.remove(at);
                self.stats.timeouts += 1;
                self.on_timeout(now, tx.purpose);
            }
        }
    }

    /// A transaction got no answer.
    fn on_timeout(&mut self, now: Instant, purpose: Purpose) {
        let code = crate::config::ERROR_SERVER_NOT_REACHABLE;
        match purpose {
            Purpose::Allocate => self.fail(code, "TURN allocate request timed out".into()),
            Purpose::Refresh { lifetime: 0 } => self.finish_closed(),
            Purpose::Refresh { .. } => {
                // Try again while the allocation lives; expiry fails it.
                if self.state == TurnState::Allocated {
                    self.send_refresh(now);
                }
            }
            // No answer is not a refusal: the next use asks again.
            Purpose::CreatePermission { ip } => self.permission_timed_out(ip),
            Purpose::ChannelBind { peer, .. } => self.channel_timed_out(peer),
        }
    }

    pub(crate) fn send_refresh(&mut self, now: Instant) {
        // Ask for the configured lifetime, or (none configured) for the
        // one the server granted last.
        let asked = match self.config.requested_lifetime {
            Duration::ZERO => self.lifetime,
            d => d,
        };
        let lifetime = u32::try_from(asked.as_secs()).unwrap_or(u32::MAX).max(1);
        self.send_request(now, Purpose::Refresh { lifetime }, 0);
    }

    /// Refreshes permissions in use, forgets idle and failed ones.
    fn maintain_permissions(&mut self, now: Instant) {
        let mut refresh = Vec::new();
        let mut forget = Vec::new();
        for (ip, p) in &mut self.permissions {
            let expired = p.expires_at.is_some_and(|at| at <= now);
            match p.state {
                BindingState::Installed | BindingState::Expired if expired && !p.in_flight => {
                    forget.push(*ip)
                }
                BindingState::Failed if p.refresh_at.is_some_and(|at| at <= now) => {
                    forget.push(*ip)
                }
                BindingState::Installed
                    if !p.in_flight && p.refresh_at.is_some_and(|at| at <= now) =>
                {
                    p.refresh_at = None;
                    if now.saturating_duration_since(p.last_used)
                        < crate::config::PERMISSION_LIFETIME
                    {
                        p.in_flight = true;
                        refresh.push(*ip);
                    } else {
                        p.state = BindingState::Expired;
                    }
                }
                _ => {}
            }
        }
        for ip in forget {
            self.permissions.remove(&ip);
        }
        for ip in refresh {
            self.send_request(now, Purpose::CreatePermission { ip }, 0);
        }
    }

    /// Refreshes channels in use, lets idle ones lapse (keeping their
    /// number for their peer).
    fn maintain_channels(&mut self, now: Instant) {
        let mut refresh = Vec::new();
        for (peer, c) in &mut self.channels {
            if c.in_flight {
                continue;
            }
            if c.state == BindingState::Installed && c.refresh_at.is_some_and(|at| at <= now) {
                c.refresh_at = None;
                if now.saturating_duration_since(c.last_used) < crate::config::CHANNEL_LIFETIME {
                    c.in_flight = true;
                    refresh.push((*peer, c.number));
                } else {
                    c.state = BindingState::Expired;
                }
            }
        }
        for (peer, channel) in refresh {
            self.send_request(now, Purpose::ChannelBind { peer, channel }, 0);
        }
    }

    /// The retransmission schedule for the configured transport.
    pub(crate) fn timing(&self) -> Timing {
        Timing {
            rto: self.config.rto,
            max_requests: self.config.max_requests,
            final_wait_rtos: self.config.final_wait_rtos,
            reliable: self.config.is_stream(),
            stream_timeout: self.config.stream_transaction_timeout,
        }
    }

    /// The instant to refresh an allocation granted `lifetime` now.
    pub(crate) fn refresh_time(now: Instant, lifetime: Duration) -> Instant {
        now + lifetime
            .saturating_sub(ALLOCATION_REFRESH_MARGIN)
            .max(lifetime / 2)
    }

    /// Queues an event, within `max_events` for data.
    pub(crate) fn emit(&mut self, event: TurnEvent) {
        if matches!(event, TurnEvent::Data { .. }) && self.events.len() >= self.config.max_events {
            self.stats.events_dropped += 1;
            return;
        }
        self.events.push_back(event);
    }

    /// Ends the client with a [`TurnEvent::Failed`].
    pub(crate) fn fail(&mut self, code: u16, text: String) {
        if self.state.is_terminal() {
            return;
        }
        self.state = TurnState::Failed;
        self.clear_all();
        let url = self.config.url.clone();
        self.events.push_back(TurnEvent::Failed { url, code, text });
    }

    pub(crate) fn finish_closed(&mut self) {
        if self.state.is_terminal() {
            return;
        }
        self.state = TurnState::Closed;
        self.clear_all();
        self.events.push_back(TurnEvent::Closed);
    }

    fn clear_all(&mut self) {
        self.transactions.clear();
        self.stats.queue_dropped += self.queue.clear() as u64;
        self.refresh_at = None;
        self.expires_at = None;
        self.permissions.clear();
        self.channels.clear();
        self.channel_peers.clear();
    }

    /// Re-arms the timer table from the state.
    pub(crate) fn update_timers(&mut self) {
        let t = &mut self.timers;
        match self.transactions.iter().map(|tx| tx.deadline).min() {
            Some(at) => t.set(Timer::Transaction, at),
            None => t.stop(Timer::Transaction),
        }
        let allocated = self.state == TurnState::Allocated;
        match self.refresh_at.filter(|_| allocated) {
            Some(at) => t.set(Timer::AllocationRefresh, at),
            None => t.stop(Timer::AllocationRefresh),
        }
        match self.expires_at.filter(|_| allocated) {
            Some(at) => t.set(Timer::AllocationExpiry, at),
            None => t.stop(Timer::AllocationExpiry),
        }
        let perm = self
            .permissions
            .values()
            .filter(|_| allocated)
            .filter_map(|p| match p.state {
                BindingState::Installed if !p.in_flight => match (p.refresh_at, p.expires_at) {
                    (Some(r), Some(e)) => Some(r.min(e)),
                    (r, e) => r.or(e),
                },
                BindingState::Expired if !p.in_flight => p.expires_at,
                BindingState::Failed => p.refresh_at,
                _ => None,
            })
            .min();
        match perm {
            Some(at) => t.set(Timer::Permissions, at),
            None => t.stop(Timer::Permissions),
        }
        let chan = self
            .channels
            .values()
            .filter(|_| allocated)
            .filter(|c| c.state == BindingState::Installed && !c.in_flight)
            .filter_map(|c| c.refresh_at)
            .min();
        match chan {
            Some(at) => t.set(Timer::Channels, at),
            None => t.stop(Timer::Channels),
        }
    }
}
