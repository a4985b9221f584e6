//! What the application sends and receives: messages, send options and
//! events.

use std::time::Duration;

use bytes::Bytes;

/// How hard the association tries to deliver a message (RFC 3758, as data
/// channels use it: RFC 8831 §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reliability {
    /// Retransmit until acknowledged.
    #[default]
    Reliable,
    /// Give up after this many retransmissions (`maxRetransmits`).
    MaxRetransmits(u32),
    /// Give up once this long has passed since `send` (`maxPacketLifeTime`).
    MaxLifetime(Duration),
}

/// Options for one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SendOptions {
    /// Deliver without regard to stream order (the U bit).
    pub unordered: bool,
    /// The reliability policy.
    pub reliability: Reliability,
}

/// A whole user message received on a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The stream it arrived on.
    pub stream_id: u16,
    /// Its payload protocol identifier.
    pub ppid: u32,
    /// Whether it was sent unordered.
    pub unordered: bool,
    /// The bytes (possibly a slice of the packet they arrived in, see
    /// [`Association::handle_receive_owned`](crate::Association::handle_receive_owned)).
    pub data: Bytes,
}

/// Why the association ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The SHUTDOWN sequence completed.
    Shutdown,
    /// We aborted (the application asked to).
    LocalAbort,
    /// The peer sent ABORT.
    PeerAbort,
    /// Too many retransmissions without an answer (INIT, COOKIE ECHO,
    /// DATA, SHUTDOWN or RE-CONFIG).
    Timeout,
    /// The peer violated the protocol badly enough to abort.
    ProtocolViolation,
}

/// Something the application should know, from `poll_output`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SctpEvent {
    /// The association is established: messages may be sent.
    Connected,
    /// Messages are waiting: call `read` until it returns `None`. Emitted
    /// when the queue of whole messages goes from empty to non-empty.
    Readable,
    /// The buffered amount of a stream fell to or below its threshold.
    BufferedAmountLow {
        /// The stream.
        stream_id: u16,
    },
    /// The total buffered amount fell to or below the total threshold.
    TotalBufferedAmountLow,
    /// Our outgoing streams were reset (RFC 6525): their sequence numbers
    /// restart at 0 and the ids may be reused.
    OutgoingStreamsReset {
        /// The streams.
        streams: Vec<u16>,
    },
    /// The peer reset these incoming streams (a data channel closing).
    IncomingStreamsReset {
        /// The streams.
        streams: Vec<u16>,
    },
    /// The peer refused to reset these outgoing streams.
    StreamResetFailed {
        /// The streams.
        streams: Vec<u16>,
    },
    /// The association is closed; nothing more will be sent or received.
    Closed(CloseReason),
}
