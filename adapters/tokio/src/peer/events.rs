//! The connection's events for the application, and their stream.

use std::pin::Pin;
use std::task::{Context, Poll};

use sansrtc::{
    IceCandidateErrorEvent, IceCandidateInit, IceConnectionState, IceGatheringState,
    PeerConnectionState, PeerEvent, SignalingState, TransceiverId,
};
use tokio::sync::mpsc;

/// An event of a [`crate::PeerConnection`], from
/// [`crate::PeerConnection::events`]: the W3C events that are not about one
/// data channel or one track. Data channel messages and state go to their
/// [`crate::DataChannel`], remote channels to
/// [`crate::PeerConnection::accept_data_channel`], remote tracks to
/// [`crate::PeerConnection::accept_track`] and their media to the
/// [`crate::TrackReceiver`]; name resolution is answered by the task.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PeerConnectionEvent {
    /// `icecandidate`: a local candidate to signal to the remote (with
    /// [`crate::PeerConnection::add_ice_candidate`] there), or `None` when
    /// gathering is complete.
    IceCandidate(Option<IceCandidateInit>),
    /// `icecandidateerror`: a STUN or TURN server failed.
    IceCandidateError(IceCandidateErrorEvent),
    /// `iceconnectionstatechange`.
    IceConnectionStateChange(IceConnectionState),
    /// `icegatheringstatechange`.
    IceGatheringStateChange(IceGatheringState),
    /// `connectionstatechange` (also readable at any time with
    /// [`crate::PeerConnection::connection_state`]).
    ConnectionStateChange(PeerConnectionState),
    /// `signalingstatechange`.
    SignalingStateChange(SignalingState),
    /// `negotiationneeded`.
    NegotiationNeeded,
    /// The remote asked for a keyframe (PLI, or FIR when `full_intra`) on
    /// what this transceiver sends.
    KeyframeRequest {
        /// The sending transceiver.
        transceiver: TransceiverId,
        /// FIR rather than PLI.
        full_intra: bool,
    },
    /// Any other event of the machine (identity requests and results,
    /// RTCP packets when asked for), as it gave it.
    Other(PeerEvent),
}

/// The stream of [`PeerConnectionEvent`]s (one per connection; see
/// [`crate::PeerConnection::events`]). Implements
/// [`futures_core::Stream`]; ends when the connection's task has ended.
///
/// Bounded ([`crate::PeerConnectionOptions::event_capacity`]): the task
/// never waits for the application here, so when the queue is full new
/// events are dropped and counted
/// ([`crate::PeerConnectionCounters::events_dropped`]). The states they
/// report stay readable (`connection_state`, `local_description`).
#[derive(Debug)]
pub struct Events {
    pub(crate) rx: mpsc::Receiver<PeerConnectionEvent>,
}

impl Events {
    /// The next event; `None` once the connection's task has ended.
    /// Cancel-safe.
    pub async fn recv(&mut self) -> Option<PeerConnectionEvent> {
        self.rx.recv().await
    }
}

impl futures_core::Stream for Events {
    type Item = PeerConnectionEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}
