//! Media tracks: [`TrackSender`] writes frames or RTP on a local track's
//! transceiver, [`TrackReceiver`] reads what a remote track brings.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use sansrtc::{MediaKind, TransceiverId};

use super::error::Error;
use super::link::{Link, WeakLink};

/// Sends media on one transceiver (from [`crate::PeerConnection::add_track`]).
/// Holding it keeps the connection running, like a
/// [`crate::PeerConnection`].
#[derive(Clone)]
pub struct TrackSender {
    pub(crate) transceiver: TransceiverId,
    pub(crate) kind: MediaKind,
    pub(crate) link: Link,
}

impl TrackSender {
    /// The transceiver it sends on.
    pub fn transceiver(&self) -> TransceiverId {
        self.transceiver
    }

    /// Audio or video.
    pub fn kind(&self) -> MediaKind {
        self.kind
    }

    /// Sends one encoded frame: packetized by the negotiated codec's
    /// payloader, protected with SRTP. `media_timestamp` is its capture
    /// time in the codec's clock (48 kHz Opus, 90 kHz video), from any
    /// origin. Fails until the transceiver is negotiated and the transport
    /// connected.
    pub async fn write_frame(&self, media_timestamp: u32, frame: &[u8]) -> Result<(), Error> {
        let (id, frame) = (self.transceiver, frame.to_vec());
        Ok(self
            .link
            .call(move |pc, _, now| pc.write_frame(now, id, media_timestamp, &frame))
            .await??)
    }

    /// Sends a ready RTP packet (its SSRC is replaced by the sender's; its
    /// sequence number and timestamp are kept, so do not mix it with
    /// [`TrackSender::write_frame`] on one track: the receiver would see
    /// two numberings).
    pub async fn write_rtp(&self, packet: &[u8]) -> Result<(), Error> {
        let (id, packet) = (self.transceiver, packet.to_vec());
        Ok(self
            .link
            .call(move |pc, _, now| pc.write_rtp(now, id, &packet))
            .await??)
    }
}

impl std::fmt::Debug for TrackSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrackSender")
            .field("transceiver", &self.transceiver)
            .field("kind", &self.kind)
            .finish()
    }
}

/// What a [`TrackReceiver`] hands out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MediaSample {
    /// A whole frame, depacketized.
    Frame {
        /// The encoded frame.
        data: Vec<u8>,
        /// Its RTP timestamp.
        rtp_timestamp: u32,
        /// A decoder can start here.
        keyframe: bool,
        /// The payload type it came with.
        payload_type: u8,
        /// The source.
        ssrc: u32,
    },
    /// One RTP packet after SRTP (receive mode RTP, or a codec without a
    /// depayloader).
    Rtp(Vec<u8>),
}

/// Reads what a remote track brings (from
/// [`crate::PeerConnection::accept_track`]). Its queue is bounded
/// ([`crate::PeerConnectionOptions::track_queue_len`]): media is real time,
/// so when the application falls behind the oldest samples are dropped and
/// counted ([`TrackReceiver::dropped`]). It does not keep the connection
/// running; it ends when the connection does.
#[derive(Clone)]
pub struct TrackReceiver {
    pub(crate) shared: Arc<TrackShared>,
    pub(crate) link: WeakLink,
}

impl TrackReceiver {
    /// The transceiver it receives on.
    pub fn transceiver(&self) -> TransceiverId {
        self.shared.transceiver
    }

    /// Audio or video.
    pub fn kind(&self) -> MediaKind {
        self.shared.kind
    }

    /// The remote's track id.
    pub fn track_id(&self) -> &str {
        &self.shared.track_id
    }

    /// The next frame or packet; `None` once the connection has ended.
    /// Cancel-safe.
    pub async fn recv(&self) -> Option<MediaSample> {
        poll_fn(|cx| self.shared.poll_recv(cx)).await
    }

    /// The next whole frame, skipping RTP packets: `(data, rtp_timestamp,
    /// keyframe)`. Cancel-safe.
    pub async fn recv_frame(&self) -> Option<(Vec<u8>, u32, bool)> {
        loop {
            if let MediaSample::Frame {
                data,
                rtp_timestamp,
                keyframe,
                ..
            } = self.recv().await?
            {
                return Some((data, rtp_timestamp, keyframe));
            }
        }
    }

    /// Asks the remote for a keyframe: a PLI, or a FIR when `full_intra`.
    pub async fn request_keyframe(&self, full_intra: bool) -> Result<(), Error> {
        let link = self.link.upgrade().ok_or(Error::TaskEnded)?;
        let id = self.shared.transceiver;
        Ok(link
            .call(move |pc, _, now| pc.request_keyframe(now, id, full_intra))
            .await??)
    }

    /// Samples dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.shared.lock().dropped
    }
}

/// The received samples as a stream (the same as [`TrackReceiver::recv`]).
impl futures_core::Stream for TrackReceiver {
    type Item = MediaSample;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<MediaSample>> {
        self.shared.poll_recv(cx)
    }
}

impl std::fmt::Debug for TrackReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrackReceiver")
            .field("transceiver", &self.shared.transceiver)
            .field("kind", &self.shared.kind)
            .field("track_id", &self.shared.track_id)
            .finish()
    }
}

/// A remote track's queue, shared by the task and the receivers.
pub(crate) struct TrackShared {
    pub(crate) transceiver: TransceiverId,
    pub(crate) kind: MediaKind,
    pub(crate) track_id: String,
    limit: usize,
    state: Mutex<TrackState>,
}

struct TrackState {
    queue: VecDeque<MediaSample>,
    ended: bool,
    dropped: u64,
    wakers: Vec<Waker>,
}

impl TrackShared {
    pub(crate) fn new(
        transceiver: TransceiverId,
        kind: MediaKind,
        track_id: String,
        limit: usize,
    ) -> Self {
        Self {
            transceiver,
            kind,
            track_id,
            limit: limit.max(1),
            state: Mutex::new(TrackState {
                queue: VecDeque::new(),
                ended: false,
                dropped: 0,
                wakers: Vec::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, TrackState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn poll_recv(&self, cx: &mut Context<'_>) -> Poll<Option<MediaSample>> {
        let mut s = self.lock();
        if let Some(sample) = s.queue.pop_front() {
            return Poll::Ready(Some(sample));
        }
        if s.ended {
            return Poll::Ready(None);
        }
        if !s.wakers.iter().any(|w| w.will_wake(cx.waker())) {
            s.wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }

    /// A received sample (the oldest is dropped when the queue is full).
    pub(crate) fn push(&self, sample: MediaSample) {
        let mut s = self.lock();
        if s.queue.len() >= self.limit {
            s.queue.pop_front();
            s.dropped += 1;
        }
        s.queue.push_back(sample);
        s.wakers.drain(..).for_each(Waker::wake);
    }

    /// The connection ended.
    pub(crate) fn end(&self) {
        let mut s = self.lock();
        s.ended = true;
        s.wakers.drain(..).for_each(Waker::wake);
    }
}
