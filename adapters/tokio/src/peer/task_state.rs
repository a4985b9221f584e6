//! What the connection's task keeps beside the driver, and where each
//! event of the machine goes: a channel's queue or state, a track's queue,
//! the accept queues, the event stream, or an answer to a name request.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use sansrtc::{
    ChannelId, DataChannelEvent, DataChannelState, MediaEvent, PeerConnectionState, PeerEvent,
    RtcPeerConnection, TransceiverId,
};
use tokio::sync::{mpsc, watch, Notify};

use super::channel_state::ChannelShared;
use super::counters::Counters;
use super::data_channel::{ChannelOwner, DataChannel};
use super::events::PeerConnectionEvent;
use super::link::{Link, WeakLink};
use super::media::{MediaSample, TrackReceiver, TrackShared};
use super::options::PeerConnectionOptions;
use super::resolve::{resolution, Resolution};

/// What the task keeps beside the driver; commands get it with the
/// machine.
pub(crate) struct TaskState {
    pub(crate) options: PeerConnectionOptions,
    /// The task's own link: handles for remote channels are made from it.
    pub(crate) link: WeakLink,
    pub(crate) channels: HashMap<ChannelId, Arc<ChannelShared>>,
    pub(crate) tracks: HashMap<TransceiverId, Arc<TrackShared>>,
    pub(crate) events: mpsc::Sender<PeerConnectionEvent>,
    pub(crate) remote_channels: mpsc::Sender<DataChannel>,
    pub(crate) remote_tracks: mpsc::Sender<TrackReceiver>,
    pub(crate) state: watch::Sender<PeerConnectionState>,
    pub(crate) counters: Arc<Counters>,
    /// Notified whenever a message leaves a channel queue.
    pub(crate) room: Arc<Notify>,
    /// The `<uuid>.local` names registered for our hidden host addresses
    /// (unregistered when the task ends).
    pub(crate) host_names: Vec<String>,
    /// Resolved ICE server host names for the driver's TLS streams, taken
    /// by the loop ([`TaskState::take_tls_host_names`]).
    pub(crate) tls_host_names: Vec<(std::net::IpAddr, String)>,
}

impl TaskState {
    /// Registers a channel of the machine and makes its first handle.
    pub(crate) fn register_channel(
        &mut self,
        pc: &mut RtcPeerConnection,
        id: ChannelId,
        link: Link,
    ) -> DataChannel {
        let (label, ready) = pc
            .data_channel(id)
            .map(|info| (info.label.clone(), info.state))
            .unwrap_or((String::new(), DataChannelState::Closed));
        // bufferedamountlow at the low-water mark wakes waiting senders (a
        // mark above the high-water one could never wake them).
        let low = self
            .options
            .send_low_water
            .min(self.options.send_high_water);
        let _ = pc.set_buffered_amount_low_threshold(id, low);
        let shared = Arc::new(ChannelShared::new(
            id,
            label,
            ready,
            self.options.channel_queue_bytes,
            self.options.send_high_water,
            self.room.clone(),
        ));
        self.channels.insert(id, shared.clone());
        DataChannel {
            shared,
            owner: Arc::new(ChannelOwner {
                id,
                link,
                chunk_size: self.options.stream_chunk_size,
            }),
        }
    }

    /// The last handle of the channel went: its messages have nowhere to go.
    pub(crate) fn forget_channel(&mut self, id: ChannelId) {
        if let Some(shared) = self.channels.remove(&id) {
            shared.set_ready_state(DataChannelState::Closed);
        }
    }

    /// How many more bytes of messages the queues can take: the least of
    /// every channel's room (to [`PeerConnectionOptions::channel_queue_bytes`])
    /// and the room of all of them together (to
    /// [`PeerConnectionOptions::connection_queue_bytes`]). Zero: the task
    /// pauses the data channels.
    ///
    /// A closed channel counts until its queue is read (a remote could
    /// otherwise fill, close and reopen channels nobody reads); it is
    /// forgotten once its queue is empty.
    pub(crate) fn queue_room(&mut self) -> usize {
        self.channels.retain(|_, c| !c.closed_and_empty());
        let mut total = 0;
        let mut room = usize::MAX;
        for channel in self.channels.values() {
            let (bytes, _) = channel.fill();
            total += bytes;
            room = room.min(self.options.channel_queue_bytes.saturating_sub(bytes));
        }
        room.min(self.options.connection_queue_bytes.saturating_sub(total))
    }

    fn emit(&self, event: PeerConnectionEvent) {
        if self.events.try_send(event).is_err() {
            Counters::bump(&self.counters.events_dropped);
        }
    }

    /// One event of the machine.
    pub(crate) fn on_event(&mut self, pc: &mut RtcPeerConnection, now: Instant, event: PeerEvent) {
        match event {
            PeerEvent::DataChannel(event) => self.on_channel_event(pc, event),
            PeerEvent::Resolve { id, name } => self.resolve(pc, now, id, name),
            PeerEvent::HostName { name, address } => self.register_host_name(name, address),
            PeerEvent::Track(track) => {
                if self.tracks.contains_key(&track.transceiver) {
                    return;
                }
                let shared = Arc::new(TrackShared::new(
                    track.transceiver,
                    track.kind,
                    track.track_id,
                    self.options.track_queue_len,
                ));
                self.tracks.insert(track.transceiver, shared.clone());
                let receiver = TrackReceiver {
                    shared,
                    link: self.link.clone(),
                };
                if self.remote_tracks.try_send(receiver).is_err() {
                    Counters::bump(&self.counters.remote_handles_dropped);
                }
            }
            PeerEvent::Media(MediaEvent::Frame {
                transceiver,
                data,
                rtp_timestamp,
                keyframe,
                payload_type,
                ssrc,
                ..
            }) => self.on_media(
                transceiver,
                MediaSample::Frame {
                    data,
                    rtp_timestamp,
                    keyframe,
                    payload_type,
                    ssrc,
                },
            ),
            PeerEvent::Media(MediaEvent::Rtp {
                transceiver,
                packet,
            }) => self.on_media(transceiver, MediaSample::Rtp(packet)),
            PeerEvent::Media(MediaEvent::KeyframeRequest {
                transceiver,
                full_intra,
            }) => self.emit(PeerConnectionEvent::KeyframeRequest {
                transceiver,
                full_intra,
            }),
            PeerEvent::IceCandidate(c) => self.emit(PeerConnectionEvent::IceCandidate(c)),
            PeerEvent::IceCandidateError(e) => self.emit(PeerConnectionEvent::IceCandidateError(e)),
            PeerEvent::IceConnectionStateChange(s) => {
                self.emit(PeerConnectionEvent::IceConnectionStateChange(s))
            }
            PeerEvent::IceGatheringStateChange(s) => {
                self.emit(PeerConnectionEvent::IceGatheringStateChange(s))
            }
            PeerEvent::ConnectionStateChange(s) => {
                self.state.send_replace(s);
                self.emit(PeerConnectionEvent::ConnectionStateChange(s));
            }
            PeerEvent::SignalingStateChange(s) => {
                self.emit(PeerConnectionEvent::SignalingStateChange(s))
            }
            PeerEvent::NegotiationNeeded => self.emit(PeerConnectionEvent::NegotiationNeeded),
            other => self.emit(PeerConnectionEvent::Other(other)),
        }
    }

    fn on_media(&self, transceiver: TransceiverId, sample: MediaSample) {
        match self.tracks.get(&transceiver) {
            Some(track) => track.push(sample),
            None => Counters::bump(&self.counters.media_without_receiver),
        }
    }

    fn on_channel_event(&mut self, pc: &mut RtcPeerConnection, event: DataChannelEvent) {
        match event {
            DataChannelEvent::DataChannel(id) => {
                // No handle left means nobody could accept it: the
                // connection is closing anyway.
                let Some(link) = self.link.upgrade() else {
                    return;
                };
                let channel = self.register_channel(pc, id, link);
                if self.remote_channels.try_send(channel).is_err() {
                    Counters::bump(&self.counters.remote_handles_dropped);
                }
            }
            DataChannelEvent::Message { channel, message } => match self.channels.get(&channel) {
                Some(shared) => shared.push(message),
                None => Counters::bump(&self.counters.messages_without_handle),
            },
            DataChannelEvent::Open(id) => self.set_channel_state(id, DataChannelState::Open),
            DataChannelEvent::Closing(id) => self.set_channel_state(id, DataChannelState::Closing),
            // Kept until its queue is read (see `queues_full`).
            DataChannelEvent::Close(id) => self.set_channel_state(id, DataChannelState::Closed),
            DataChannelEvent::BufferedAmountLow(id) => {
                if let Some(shared) = self.channels.get(&id) {
                    shared.set_buffered(pc.buffered_amount(id).unwrap_or(0));
                }
            }
            DataChannelEvent::Error { channel, error } => {
                tracing::debug!(?channel, %error, "data channel error");
            }
        }
    }

    fn set_channel_state(&self, id: ChannelId, state: DataChannelState) {
        if let Some(shared) = self.channels.get(&id) {
            shared.set_ready_state(state);
        }
    }

    /// Our hidden host address `address` goes by `name`: the mDNS
    /// responder answers for it while the connection lives.
    fn register_host_name(&mut self, name: String, address: std::net::IpAddr) {
        let Some(mdns) = self.options.mdns.clone() else {
            tracing::debug!(%name, "no mDNS handle: nobody answers for the name");
            return;
        };
        self.host_names.push(name.clone());
        tokio::spawn(async move {
            if let Err(error) = mdns.register(&name, address).await {
                tracing::warn!(%name, %error, "mDNS registration failed");
            }
        });
    }

    /// The resolved ICE server names not yet given to the driver.
    pub(crate) fn take_tls_host_names(&mut self) -> Vec<(std::net::IpAddr, String)> {
        std::mem::take(&mut self.tls_host_names)
    }

    /// Answers a name-resolution request: at once, or from a task of its
    /// own whose answer comes back as a command.
    fn resolve(
        &self,
        pc: &mut RtcPeerConnection,
        now: Instant,
        id: sansrtc::ResolveId,
        name: String,
    ) {
        let handle = self
            .options
            .mdns
            .as_ref()
            .map(|h| h as &dyn crate::Resolver);
        let mdns = self.options.mdns_resolver.as_deref().or(handle);
        let dns_name = matches!(
            sansrtc_adapter_core::classify_name(&name),
            sansrtc_adapter_core::NameKind::Dns
        );
        match resolution(&name, self.options.dns_resolver.as_ref(), mdns) {
            Resolution::Now(addresses) => {
                if let Err(error) = pc.resolved(now, id, &addresses) {
                    tracing::debug!(%name, %error, "resolved() refused");
                }
            }
            Resolution::Later(resolving) => {
                let link = self.link.clone();
                tokio::spawn(async move {
                    let addresses = resolving.await;
                    tracing::debug!(%name, ?addresses, "resolved");
                    if let Some(link) = link.upgrade() {
                        let _ = link.send(Box::new(move |pc, state, now| {
                            if dns_name {
                                // A `turns:` server's certificate is checked
                                // against the name its URL gave.
                                for ip in &addresses {
                                    state.tls_host_names.push((*ip, name.clone()));
                                }
                            }
                            if let Err(error) = pc.resolved(now, id, &addresses) {
                                tracing::debug!(%name, %error, "resolved() refused");
                            }
                        }));
                    }
                });
            }
        }
    }

    /// The task ends: every channel and track ends with it, and our mDNS
    /// names are withdrawn.
    pub(crate) fn end(&mut self) {
        if let Some(mdns) = &self.options.mdns {
            for name in self.host_names.drain(..) {
                mdns.unregister(&name);
            }
        }
        for (_, channel) in self.channels.drain() {
            channel.set_ready_state(DataChannelState::Closed);
        }
        for (_, track) in self.tracks.drain() {
            track.end();
        }
        self.state.send_replace(PeerConnectionState::Closed);
    }
}
