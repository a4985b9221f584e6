//! One data channel's state as the data-channel layer keeps it.

use crate::event::{ChannelId, DataChannelState};
use crate::init::Priority;
use crate::message::PartialReassembly;
use crate::reliability::Reliability;

/// A read-only view of one channel: the attributes of `RTCDataChannel`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataChannelInfo {
    /// The handle.
    pub channel: ChannelId,
    /// The SCTP stream id, once known (`RTCDataChannel.id`).
    pub id: Option<u16>,
    /// The label.
    pub label: String,
    /// The sub-protocol.
    pub protocol: String,
    /// In-order delivery.
    pub ordered: bool,
    /// Partial reliability.
    pub reliability: Reliability,
    /// Negotiated out of band.
    pub negotiated: bool,
    /// The priority.
    pub priority: Priority,
    /// The ready state.
    pub state: DataChannelState,
    /// Bytes queued but not yet handed to the network.
    pub buffered_amount: u64,
    /// The `bufferedAmountLowThreshold`.
    pub buffered_amount_low_threshold: u64,
}

/// The layer's own record of a channel.
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct Channel {
    pub(crate) info: DataChannelInfo,
    /// We opened it in band and have not seen DATA_CHANNEL_ACK: messages go
    /// ordered so that none overtakes the OPEN (RFC 8832 §6).
    pub(crate) awaiting_ack: bool,
    /// Our outgoing stream was reset.
    pub(crate) outgoing_reset: bool,
    /// The remote's outgoing stream was reset.
    pub(crate) incoming_reset: bool,
    /// Our reset was asked of SCTP.
    pub(crate) reset_requested: bool,
    pub(crate) reassembly: PartialReassembly,
}

impl Channel {
    pub(crate) fn new(info: DataChannelInfo) -> Self {
        Channel {
            info,
            awaiting_ack: false,
            outgoing_reset: false,
            incoming_reset: false,
            reset_requested: false,
            reassembly: PartialReassembly::default(),
        }
    }

    /// Whether messages must go ordered now.
    pub(crate) fn send_ordered(&self) -> bool {
        self.info.ordered || self.awaiting_ack
    }
}
