//! What the data-channel layer tells the application and asks of SCTP.

use crate::message::DataChannelMessage;
use crate::ppid::Ppid;
use crate::reliability::Reliability;

/// A handle on one data channel, stable for its whole life (its stream id
/// may be unknown until the DTLS role is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelId(pub(crate) u64);

impl ChannelId {
    /// The handle's number: unique per channel for the life of the
    /// association layer, in creation order (for stable stats ids).
    pub fn value(self) -> u64 {
        self.0
    }
}

/// The W3C `RTCDataChannelState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataChannelState {
    /// Not open yet.
    Connecting,
    /// Messages can be sent.
    Open,
    /// The closing procedure (stream reset) is under way.
    Closing,
    /// Closed; the stream id is free again.
    Closed,
}

/// Events for the application, named like the W3C events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataChannelEvent {
    /// The `datachannel` event: the remote opened this channel in band.
    DataChannel(ChannelId),
    /// The `open` event.
    Open(ChannelId),
    /// The `message` event.
    Message {
        /// The channel.
        channel: ChannelId,
        /// The message.
        message: DataChannelMessage,
    },
    /// The `bufferedamountlow` event.
    BufferedAmountLow(ChannelId),
    /// The `error` event (e.g. no stream id could be given to a channel).
    Error {
        /// The channel.
        channel: ChannelId,
        /// Why.
        error: crate::error::DataChannelError,
    },
    /// The `closing` event (the remote started closing).
    Closing(ChannelId),
    /// The `close` event.
    Close(ChannelId),
}

/// What the data-channel layer asks of the SCTP association below it (the
/// transmit side of its [`sansrtc_proto::Output`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SctpCommand {
    /// Send one user message on a stream.
    Send {
        /// The SCTP stream id.
        stream: u16,
        /// The payload protocol identifier.
        ppid: Ppid,
        /// The message.
        payload: Vec<u8>,
        /// Ordered delivery.
        ordered: bool,
        /// Partial reliability (RFC 3758).
        reliability: Reliability,
    },
    /// Reset these outgoing streams (RFC 6525), which closes their channels
    /// (RFC 8831 §6.7).
    ResetStreams(Vec<u16>),
}
