//! `PeerConnection`: the handle the application holds.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sansrtc::stats::RtcStatsReport;
use sansrtc::{
    DataChannelInit, IceCandidateInit, MediaStreamTrack, PeerConnectionState, RtcConfiguration,
    RtcPeerConnection, RtcSessionDescription,
};
use tokio::sync::{mpsc, watch, Notify};
use tracing::Instrument;

use super::bind::bind_sockets;
use super::counters::{Counters, PeerConnectionCounters};
use super::data_channel::DataChannel;
use super::error::Error;
use super::events::Events;
use super::link::Link;
use super::media::{TrackReceiver, TrackSender};
use super::options::PeerConnectionOptions;
use super::task::{self, now};
use super::task_state::TaskState;
use crate::Driver;

/// Numbers the connections of the process, for their tracing spans.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Remote channels and tracks waiting to be accepted (each bounded by the
/// machine too: at most `max_channels` channels, one track per
/// transceiver).
const ACCEPT_QUEUE: usize = 1024;

/// An `RTCPeerConnection` running on its own tokio task.
///
/// Cheap to clone (`Send + Sync`); every clone talks to the same
/// connection. The machine ([`RtcPeerConnection`]) runs on one spawned
/// task, in a [`Driver`] over the UDP sockets bound at construction, with
/// tokio's clock. Each method sends a command to that task and waits for
/// its answer.
///
/// **Lifetime.** The connection runs while a `PeerConnection`, a
/// [`DataChannel`] or a [`TrackSender`] of it exists (an [`Events`] stream
/// or a [`TrackReceiver`] does not keep it). When the last one is dropped,
/// or [`PeerConnection::close`] is called, the task closes the machine
/// (channels closed, SCTP ABORT, DTLS close_notify), sends what that
/// produced for at most [`PeerConnectionOptions::close_timeout`], and
/// ends; every later call fails with [`Error::TaskEnded`], every
/// [`DataChannel::recv`] returns `None` after the queued messages.
///
/// **Cancel safety.** Every `async` method is cancel-safe in the sense that
/// dropping its future loses nothing that was not yet handed over: the
/// command is queued when the future is first polled, and from then on it
/// runs even if the future is dropped (only the answer is lost). Waiting
/// methods ([`PeerConnection::events`]' `recv`,
/// [`PeerConnection::accept_data_channel`], [`DataChannel::recv`],
/// [`DataChannel::wait_open`], the wait of [`DataChannel::send`]) take
/// nothing until they return it.
#[derive(Clone)]
pub struct PeerConnection {
    inner: Arc<Inner>,
}

struct Inner {
    id: u64,
    link: Link,
    local_addresses: Vec<SocketAddr>,
    events: Mutex<Option<mpsc::Receiver<super::PeerConnectionEvent>>>,
    remote_channels: tokio::sync::Mutex<mpsc::Receiver<DataChannel>>,
    remote_tracks: tokio::sync::Mutex<mpsc::Receiver<TrackReceiver>>,
    state: watch::Receiver<PeerConnectionState>,
    counters: Arc<Counters>,
}

impl PeerConnection {
    /// `new RTCPeerConnection(configuration)`, running: binds a UDP socket
    /// per local address ([`PeerConnectionOptions::local_addresses`]),
    /// reports each to the machine as a host address, and spawns the
    /// connection's task (instrumented with a `peer_connection` tracing
    /// span carrying a process-wide `id`). Call it inside a tokio runtime.
    pub async fn new(
        configuration: RtcConfiguration,
        options: PeerConnectionOptions,
    ) -> Result<Self, Error> {
        let rng = match options.seed {
            Some(seed) => ChaCha20Rng::seed_from_u64(seed),
            None => ChaCha20Rng::from_rng(rand_core::OsRng).map_err(Error::Randomness)?,
        };
        let pc = RtcPeerConnection::new(configuration, rng, now(), SystemTime::now())?;
        let mut driver = Driver::new(pc);
        if options.hide_host_addresses {
            // Before the addresses are added: every one gets its name.
            driver.with_machine(|pc| pc.hide_host_addresses(now()));
        }
        if let Some(roots) = options.tls_roots.clone() {
            driver.set_tls_roots(roots).map_err(Error::Tls)?;
        }
        let local_addresses = bind_sockets(&mut driver, &options)?;

        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let (link, requests) = Link::new();
        let (events_tx, events_rx) = mpsc::channel(options.event_capacity.max(1));
        let (channels_tx, channels_rx) = mpsc::channel(ACCEPT_QUEUE);
        let (tracks_tx, tracks_rx) = mpsc::channel(ACCEPT_QUEUE);
        let (state_tx, state_rx) = watch::channel(driver.machine().connection_state());
        let counters = Arc::new(Counters::default());
        let state = TaskState {
            options,
            link: link.downgrade(),
            channels: HashMap::new(),
            tracks: HashMap::new(),
            events: events_tx,
            remote_channels: channels_tx,
            remote_tracks: tracks_tx,
            state: state_tx,
            counters: counters.clone(),
            room: Arc::new(Notify::new()),
            host_names: Vec::new(),
            tls_host_names: Vec::new(),
        };
        let span = tracing::info_span!("peer_connection", id);
        span.in_scope(|| tracing::debug!(?local_addresses, "peer connection started"));
        tokio::spawn(task::run(driver, requests, state).instrument(span));
        Ok(Self {
            inner: Arc::new(Inner {
                id,
                link,
                local_addresses,
                events: Mutex::new(Some(events_rx)),
                remote_channels: tokio::sync::Mutex::new(channels_rx),
                remote_tracks: tokio::sync::Mutex::new(tracks_rx),
                state: state_rx,
                counters,
            }),
        })
    }

    /// The connection's number in this process (its tracing span's `id`).
    pub fn id(&self) -> u64 {
        self.inner.id
    }

    /// The local addresses of its sockets (the host candidates' addresses).
    pub fn local_addresses(&self) -> &[SocketAddr] {
        &self.inner.local_addresses
    }

    /// The event stream. There is one per connection: the first call takes
    /// it, later calls fail with [`Error::EventsTaken`]. Events that come
    /// before it is taken wait in it (up to its bound).
    pub fn events(&self) -> Result<Events, Error> {
        let mut events = self.inner.events.lock().unwrap_or_else(|e| e.into_inner());
        events
            .take()
            .map(|rx| Events { rx })
            .ok_or(Error::EventsTaken)
    }

    /// `connectionState`, as last reported by the task.
    pub fn connection_state(&self) -> PeerConnectionState {
        *self.inner.state.borrow()
    }

    /// Waits until `connectionState` satisfies `condition` and returns it
    /// (it is `closed` once the task has ended). Cancel-safe.
    pub async fn wait_for_connection_state(
        &self,
        mut condition: impl FnMut(PeerConnectionState) -> bool,
    ) -> PeerConnectionState {
        let mut state = self.inner.state.clone();
        let reached = state.wait_for(|s| condition(*s)).await.map(|s| *s);
        match reached {
            Ok(s) => s,
            Err(_) => *state.borrow(),
        }
    }

    /// What the task dropped or paused for.
    pub fn counters(&self) -> PeerConnectionCounters {
        self.inner.counters.snapshot()
    }

    /// Runs `f` with the machine on the connection's task, for what this
    /// API does not wrap (transceivers, `restartIce`, `setConfiguration`,
    /// the states and stats of each layer). Do not create data channels
    /// through it: they would have no [`DataChannel`] handle, and their
    /// messages would be dropped and counted.
    pub async fn with_machine<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut RtcPeerConnection, Instant) -> R + Send + 'static,
    ) -> Result<R, Error> {
        self.inner.link.call(move |pc, _, now| f(pc, now)).await
    }

    /// `createOffer()`.
    pub async fn create_offer(&self) -> Result<RtcSessionDescription, Error> {
        Ok(self
            .inner
            .link
            .call(|pc, _, now| pc.create_offer(now))
            .await??)
    }

    /// `createAnswer()`.
    pub async fn create_answer(&self) -> Result<RtcSessionDescription, Error> {
        Ok(self
            .inner
            .link
            .call(|pc, _, _| pc.create_answer())
            .await??)
    }

    /// `setLocalDescription(description)`.
    pub async fn set_local_description(
        &self,
        description: RtcSessionDescription,
    ) -> Result<(), Error> {
        Ok(self
            .inner
            .link
            .call(move |pc, _, now| pc.set_local_description(now, description))
            .await??)
    }

    /// `setRemoteDescription(description)`.
    pub async fn set_remote_description(
        &self,
        description: RtcSessionDescription,
    ) -> Result<(), Error> {
        Ok(self
            .inner
            .link
            .call(move |pc, _, now| pc.set_remote_description(now, description))
            .await??)
    }

    /// `localDescription`: the current or pending local description, with
    /// the candidates gathered so far.
    pub async fn local_description(&self) -> Result<Option<RtcSessionDescription>, Error> {
        self.inner
            .link
            .call(|pc, _, _| pc.local_description())
            .await
    }

    /// `remoteDescription`.
    pub async fn remote_description(&self) -> Result<Option<RtcSessionDescription>, Error> {
        self.inner
            .link
            .call(|pc, _, _| pc.remote_description())
            .await
    }

    /// `addIceCandidate(candidate)`: a candidate trickled by the remote
    /// (an empty candidate is the end of candidates).
    pub async fn add_ice_candidate(&self, candidate: IceCandidateInit) -> Result<(), Error> {
        Ok(self
            .inner
            .link
            .call(move |pc, _, now| pc.add_ice_candidate(now, &candidate))
            .await??)
    }

    /// `getStats()`.
    pub async fn get_stats(&self) -> Result<RtcStatsReport, Error> {
        self.inner.link.call(|pc, _, now| pc.get_stats(now)).await
    }

    /// `createDataChannel(label, init)`: the channel's handle (it opens
    /// once the connection is up; [`DataChannel::wait_open`]).
    pub async fn create_data_channel(&self, init: DataChannelInit) -> Result<DataChannel, Error> {
        let link = self.inner.link.clone();
        Ok(self
            .inner
            .link
            .call(move |pc, state, now| {
                let id = pc.create_data_channel(now, init)?;
                Ok::<_, sansrtc::RtcError>(state.register_channel(pc, id, link))
            })
            .await??)
    }

    /// The next data channel the remote opened (the `datachannel` event).
    /// Fails with [`Error::TaskEnded`] once the connection has ended.
    /// Cancel-safe. Messages on a channel not yet accepted wait in its
    /// queue, which counts toward the pause like any other: a
    /// channel nobody reads stops the whole connection once its queue is
    /// full, so close (or drop) the channels you do not want.
    pub async fn accept_data_channel(&self) -> Result<DataChannel, Error> {
        let mut channels = self.inner.remote_channels.lock().await;
        channels.recv().await.ok_or(Error::TaskEnded)
    }

    /// `addTrack(track, streams)`: a transceiver sending `track`, and the
    /// sender to write its frames or RTP with once negotiated.
    pub async fn add_track(
        &self,
        track: MediaStreamTrack,
        stream_ids: Vec<String>,
    ) -> Result<TrackSender, Error> {
        let kind = track.kind;
        let transceiver = self
            .inner
            .link
            .call(move |pc, _, _| {
                let ids: Vec<&str> = stream_ids.iter().map(String::as_str).collect();
                pc.add_track(track, &ids)
            })
            .await??;
        Ok(TrackSender {
            transceiver,
            kind,
            link: self.inner.link.clone(),
        })
    }

    /// The next remote track (the `track` event), to read its media.
    /// Fails with [`Error::TaskEnded`] once the connection has ended.
    /// Cancel-safe.
    pub async fn accept_track(&self) -> Result<TrackReceiver, Error> {
        let mut tracks = self.inner.remote_tracks.lock().await;
        tracks.recv().await.ok_or(Error::TaskEnded)
    }

    /// `close()`: closes every channel and the connection, sends what that
    /// sends (for at most [`PeerConnectionOptions::close_timeout`]), and
    /// ends the task. Every later call fails with [`Error::TaskEnded`].
    /// Closing twice (or a connection that has ended) does nothing. Not
    /// cancel-safe in one way: dropping the future does not stop the close
    /// once it was polled.
    pub async fn close(&self) {
        self.inner.link.close().await
    }
}

impl std::fmt::Debug for PeerConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeerConnection")
            .field("id", &self.inner.id)
            .field("local_addresses", &self.inner.local_addresses)
            .field("connection_state", &self.connection_state())
            .finish()
    }
}
