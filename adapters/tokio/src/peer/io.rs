//! `DataChannelStream`: a data channel as a byte stream (`AsyncRead` and
//! `AsyncWrite`).

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::{Buf, Bytes};
use sansrtc::DataChannelMessage;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::data_channel::DataChannel;

/// A data channel as a byte stream, from [`DataChannel::into_stream`]. Use
/// it on a reliable, ordered channel (the default
/// [`sansrtc::DataChannelInit`]): on any other, bytes may be lost or
/// reordered.
///
/// - **write**: each write sends one binary message of at most
///   [`crate::PeerConnectionOptions::stream_chunk_size`] bytes, once the
///   channel's `bufferedAmount` is at most the high-water mark (so a slow
///   network or reader makes writes wait). A write returns when the
///   message is handed to the connection's task; a failure to send it is
///   reported by the next write, flush or shutdown.
/// - **flush**: waits until every written byte is in the machine.
/// - **shutdown**: flushes, then closes the channel. A data channel has no
///   half-close: the channel closes both ways, so shut down once the
///   remote has sent what it will.
/// - **read**: the bytes of the received messages in order (text messages
///   as their UTF-8 bytes); a message larger than the read buffer is kept
///   and read in parts. End of file when the channel is closed.
pub struct DataChannelStream {
    channel: DataChannel,
    /// The unread rest of the last received message.
    unread: Bytes,
    /// Shutdown sent the close.
    closed: bool,
}

impl DataChannelStream {
    pub(crate) fn new(channel: DataChannel) -> Self {
        Self {
            channel,
            unread: Bytes::new(),
            closed: false,
        }
    }

    /// The channel underneath.
    pub fn channel(&self) -> &DataChannel {
        &self.channel
    }
}

fn broken(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, error)
}

impl AsyncRead for DataChannelStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.unread.is_empty() {
            match ready!(self.channel.shared.poll_recv(cx)) {
                Some(DataChannelMessage::Binary(bytes)) => self.unread = bytes,
                Some(DataChannelMessage::Text(text)) => self.unread = Bytes::from(text),
                None => return Poll::Ready(Ok(())),
            }
        }
        let n = self.unread.len().min(buf.remaining());
        buf.put_slice(&self.unread[..n]);
        self.unread.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for DataChannelStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let shared = &self.channel.shared;
        if let Some(error) = shared.take_write_error() {
            return Poll::Ready(Err(broken(error)));
        }
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        ready!(shared.poll_room(cx)).map_err(broken)?;
        let n = buf.len().min(self.channel.owner.chunk_size.max(1));
        let message = DataChannelMessage::Binary(Bytes::copy_from_slice(&buf[..n]));
        let (id, shared) = (shared.id, shared.clone());
        shared.add_pending(n as u64);
        let sent = self.channel.owner.link.send(Box::new(move |pc, _, now| {
            let error = pc.send(now, id, message).err().map(|e| e.to_string());
            shared.handed_over(n as u64, pc.buffered_amount(id).unwrap_or(0), error);
        }));
        sent.map_err(broken)?;
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.channel.shared.poll_handed_over(cx)).map_err(broken)?;
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.as_mut().poll_flush(cx))?;
        if !self.closed {
            let id = self.channel.shared.id;
            let close = self.channel.owner.link.send(Box::new(move |pc, _, now| {
                let _ = pc.close_channel(now, id);
            }));
            close.map_err(broken)?;
            self.closed = true;
        }
        Poll::Ready(Ok(()))
    }
}
