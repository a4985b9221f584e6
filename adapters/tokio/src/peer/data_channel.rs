//! `DataChannel`: a handle on one data channel of a running connection.

use std::future::poll_fn;
use std::sync::Arc;

use bytes::Bytes;
use sansrtc::{ChannelId, DataChannelMessage, DataChannelState, RtcError};
use sansrtc_datachannel::DataChannelError;

use super::channel_state::ChannelShared;
use super::error::Error;
use super::io::DataChannelStream;
use super::link::Link;

/// A data channel of a [`crate::PeerConnection`]: from
/// [`crate::PeerConnection::create_data_channel`], or opened by the remote
/// and taken with [`crate::PeerConnection::accept_data_channel`].
///
/// Cheap to clone; the clones share one channel (each received message
/// goes to one [`DataChannel::recv`] caller). Dropping the last clone
/// closes the channel, and a live `DataChannel` keeps its connection
/// running (see [`crate::PeerConnection`]).
///
/// Received messages wait in a bounded queue
/// ([`crate::PeerConnectionOptions::channel_queue_bytes`]); while it is
/// full the connection's data channels pause, so a slow reader slows
/// the remote sender down instead of growing memory.
#[derive(Clone)]
pub struct DataChannel {
    pub(crate) shared: Arc<ChannelShared>,
    pub(crate) owner: Arc<ChannelOwner>,
}

/// Closes the channel when the last handle goes.
pub(crate) struct ChannelOwner {
    pub(crate) id: ChannelId,
    pub(crate) link: Link,
    pub(crate) chunk_size: usize,
}

impl Drop for ChannelOwner {
    fn drop(&mut self) {
        let id = self.id;
        // The task may be gone already: then the channel is closed anyway.
        let _ = self.link.send(Box::new(move |pc, state, now| {
            state.forget_channel(id);
            let _ = pc.close_channel(now, id);
        }));
    }
}

/// What [`DataChannel::send`] takes: text (`&str`, `String`) is sent as a
/// text message, bytes (`Bytes`, `Vec<u8>`, `&[u8]`) as a binary one.
pub trait IntoMessage {
    /// The message.
    fn into_message(self) -> DataChannelMessage;
}

impl IntoMessage for DataChannelMessage {
    fn into_message(self) -> DataChannelMessage {
        self
    }
}
impl IntoMessage for &str {
    fn into_message(self) -> DataChannelMessage {
        DataChannelMessage::Text(self.to_owned())
    }
}
impl IntoMessage for String {
    fn into_message(self) -> DataChannelMessage {
        DataChannelMessage::Text(self)
    }
}
impl IntoMessage for Bytes {
    fn into_message(self) -> DataChannelMessage {
        DataChannelMessage::Binary(self)
    }
}
impl IntoMessage for Vec<u8> {
    fn into_message(self) -> DataChannelMessage {
        DataChannelMessage::Binary(Bytes::from(self))
    }
}
impl IntoMessage for &[u8] {
    fn into_message(self) -> DataChannelMessage {
        DataChannelMessage::Binary(Bytes::copy_from_slice(self))
    }
}

impl DataChannel {
    /// The channel's handle in the machine.
    pub fn id(&self) -> ChannelId {
        self.shared.id
    }

    /// `label`.
    pub fn label(&self) -> &str {
        &self.shared.label
    }

    /// `readyState`, as last reported by the connection's task.
    pub fn ready_state(&self) -> DataChannelState {
        self.shared.ready_state()
    }

    /// Waits until the channel is open. Fails with
    /// [`Error::ChannelClosed`] if it closes first. Cancel-safe.
    pub async fn wait_open(&self) -> Result<(), Error> {
        poll_fn(|cx| self.shared.poll_open(cx)).await
    }

    /// The next whole received message; `None` once the channel is closed
    /// and every message before the close was read. Cancel-safe: a
    /// message leaves the queue only when `recv` returns it.
    pub async fn recv(&self) -> Option<DataChannelMessage> {
        poll_fn(|cx| self.shared.poll_recv(cx)).await
    }

    /// Sends a message (text for `&str`/`String`, binary for bytes) once
    /// the channel is open and its `bufferedAmount` is at most
    /// [`crate::PeerConnectionOptions::send_high_water`]: the
    /// backpressured send. Woken by the `bufferedamountlow` event at
    /// [`crate::PeerConnectionOptions::send_low_water`].
    ///
    /// Cancel-safe while it waits for room (nothing is sent); once room
    /// was found the message is handed to the task and will be sent even
    /// if the future is dropped.
    pub async fn send(&self, message: impl IntoMessage) -> Result<(), Error> {
        poll_fn(|cx| self.shared.poll_room(cx)).await?;
        self.send_now(message).await
    }

    /// Sends a message at once, whatever `bufferedAmount` is (the W3C
    /// `send()`): fails only if the machine refuses it (channel not open,
    /// larger than the remote's `max-message-size`, the machine's send
    /// buffer limit reached).
    pub async fn send_now(&self, message: impl IntoMessage) -> Result<(), Error> {
        let message = message.into_message();
        let (id, bytes) = (self.shared.id, message.len() as u64);
        let shared = self.shared.clone();
        self.shared.add_pending(bytes);
        self.owner
            .link
            .call(move |pc, _, now| {
                let result = pc.send(now, id, message);
                shared.handed_over(bytes, pc.buffered_amount(id).unwrap_or(0), None);
                result
            })
            .await?
            .map_err(channel_error)
    }

    /// `bufferedAmount`: bytes sent and not yet handed to the network.
    /// [`Error::ChannelClosed`] once the channel is closed (the machine
    /// forgets closed channels; so do `send_now` and `close`).
    pub async fn buffered_amount(&self) -> Result<u64, Error> {
        let id = self.shared.id;
        self.owner
            .link
            .call(move |pc, _, _| pc.buffered_amount(id))
            .await?
            .map_err(channel_error)
    }

    /// Bytes of received messages waiting for [`DataChannel::recv`].
    pub fn queued_bytes(&self) -> usize {
        self.shared.queued_bytes()
    }

    /// `close()`: closes the channel (RFC 8831: resets its stream after
    /// what was sent). [`DataChannel::recv`] then returns the messages
    /// received before the close, then `None`.
    pub async fn close(&self) -> Result<(), Error> {
        let id = self.shared.id;
        self.owner
            .link
            .call(move |pc, _, now| pc.close_channel(now, id))
            .await?
            .map_err(channel_error)
    }

    /// The channel as a byte stream (`AsyncRead + AsyncWrite`), for a
    /// reliable, ordered channel: see [`DataChannelStream`].
    pub fn into_stream(self) -> DataChannelStream {
        DataChannelStream::new(self)
    }
}

/// The machine's "no such channel" (it forgets closed channels) is
/// [`Error::ChannelClosed`] here.
fn channel_error(error: RtcError) -> Error {
    match error {
        RtcError::UnknownChannel | RtcError::DataChannel(DataChannelError::UnknownChannel) => {
            Error::ChannelClosed
        }
        error => Error::Rtc(error),
    }
}

/// The received messages as a stream (the same as [`DataChannel::recv`]):
/// ends once the channel is closed and read.
impl futures_core::Stream for DataChannel {
    type Item = DataChannelMessage;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<DataChannelMessage>> {
        self.shared.poll_recv(cx)
    }
}

impl std::fmt::Debug for DataChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataChannel")
            .field("id", &self.shared.id)
            .field("label", &self.shared.label)
            .field("ready_state", &self.ready_state())
            .finish()
    }
}
