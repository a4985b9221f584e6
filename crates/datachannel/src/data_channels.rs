//! `DataChannels`: every data channel of one SCTP association, with the
//! application-facing commands (`createDataChannel`, `send`, `close`).
//! Inputs from the association are in `association_input.rs`.

use std::collections::{BTreeMap, VecDeque};

use sansrtc_proto::Output;

use crate::channel::{Channel, DataChannelInfo};
use crate::config::{DataChannelConfig, DEFAULT_REMOTE_MAX_MESSAGE_SIZE};
use crate::dcep::{DcepMessage, DcepOpen};
use crate::error::DataChannelError;
use crate::event::{ChannelId, DataChannelEvent, DataChannelState, SctpCommand};
use crate::init::DataChannelInit;
use crate::message::DataChannelMessage;
use crate::ppid::Ppid;
use crate::reliability::{ChannelType, Reliability};

/// Where and how one message goes, from [`DataChannels::check_send`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendPlan {
    /// The SCTP stream.
    pub stream: u16,
    /// Ordered delivery (forced while an in-band OPEN awaits its ACK).
    pub ordered: bool,
    /// The channel's reliability.
    pub reliability: Reliability,
    /// The message size `bufferedAmount` counts.
    pub size: usize,
}

/// The DTLS role (one type for the workspace, in `sansrtc-proto`): it picks
/// the parity of the stream ids given to in-band channels (RFC 8832 §6).
pub use sansrtc_proto::DtlsRole;

/// Counters for a stats API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataChannelStats {
    /// Application messages handed to SCTP.
    pub messages_sent: u64,
    /// Application messages delivered.
    pub messages_received: u64,
    /// Bytes of data sent.
    pub bytes_sent: u64,
    /// Bytes of data delivered.
    pub bytes_received: u64,
    /// Messages on a stream without a channel, dropped.
    pub dropped_unknown_stream: u64,
    /// Malformed or unexpected DCEP messages, dropped.
    pub dropped_dcep: u64,
    /// Received messages over `max_message_size`, dropped.
    pub dropped_oversized: u64,
    /// Received messages with a PPID WebRTC does not define, dropped.
    pub dropped_unknown_ppid: u64,
}

/// Every data channel over one SCTP association, as a Sans-IO machine:
/// application commands and association inputs in, [`SctpCommand`]s and
/// [`DataChannelEvent`]s out through [`DataChannels::poll_output`].
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub struct DataChannels {
    pub(crate) config: DataChannelConfig,
    pub(crate) role: Option<DtlsRole>,
    pub(crate) association_up: bool,
    pub(crate) closed: bool,
    pub(crate) remote_max_message_size: u64,
    pub(crate) channels: BTreeMap<ChannelId, Channel>,
    pub(crate) streams: BTreeMap<u16, ChannelId>,
    /// Bytes of labels and protocols of the channels alive.
    pub(crate) label_bytes: usize,
    next_handle: u64,
    pub(crate) commands: VecDeque<SctpCommand>,
    pub(crate) events: VecDeque<DataChannelEvent>,
    pub(crate) stats: DataChannelStats,
}

impl DataChannels {
    /// No channels yet; the DTLS role and the association come later.
    pub fn new(config: DataChannelConfig) -> Self {
        DataChannels {
            config,
            role: None,
            association_up: false,
            closed: false,
            remote_max_message_size: DEFAULT_REMOTE_MAX_MESSAGE_SIZE,
            channels: BTreeMap::new(),
            streams: BTreeMap::new(),
            label_bytes: 0,
            next_handle: 0,
            commands: VecDeque::new(),
            events: VecDeque::new(),
            stats: DataChannelStats::default(),
        }
    }

    /// The remote's `a=max-message-size`: `None` when SDP had none (64 KiB
    /// is then assumed), `Some(0)` for "any size".
    pub fn set_remote_max_message_size(&mut self, size: Option<u64>) {
        self.remote_max_message_size = size.unwrap_or(DEFAULT_REMOTE_MAX_MESSAGE_SIZE);
    }

    /// Our `max-message-size`, to advertise in SDP.
    pub fn local_max_message_size(&self) -> usize {
        self.config.max_message_size
    }

    /// Counters.
    pub fn stats(&self) -> &DataChannelStats {
        &self.stats
    }

    /// The attributes of a channel, while the layer knows it.
    pub fn channel(&self, channel: ChannelId) -> Option<&DataChannelInfo> {
        self.channels.get(&channel).map(|c| &c.info)
    }

    /// Whether an in-band channel we opened still waits for its
    /// DATA_CHANNEL_ACK (and so sends ordered, RFC 8832 §6); `None` for an
    /// unknown channel.
    pub fn awaiting_ack(&self, channel: ChannelId) -> Option<bool> {
        self.channels.get(&channel).map(|c| c.awaiting_ack)
    }

    /// Every channel known now.
    pub fn channels(&self) -> impl Iterator<Item = &DataChannelInfo> {
        self.channels.values().map(|c| &c.info)
    }

    /// `createDataChannel()`: checks the arguments as the W3C spec does and
    /// creates the channel. It opens once the association is up (in band:
    /// after the DTLS role gives it a stream id and DATA_CHANNEL_OPEN is
    /// sent).
    pub fn create_data_channel(
        &mut self,
        init: DataChannelInit,
    ) -> Result<ChannelId, DataChannelError> {
        if self.closed {
            return Err(DataChannelError::Closed);
        }
        let reliability = init.validate()?;
        if self.channels.len() >= self.config.max_channels {
            return Err(DataChannelError::TooManyChannels(self.config.max_channels));
        }
        let stream = if init.negotiated {
            let id = init.id.ok_or(DataChannelError::NegotiatedWithoutId)?;
            self.check_free(id)?;
            Some(id)
        } else if let Some(role) = self.role {
            Some(self.allocate_stream(role)?)
        } else {
            None
        };
        let channel = self.insert(DataChannelInfo {
            channel: ChannelId(0),
            id: stream,
            label: init.label,
            protocol: init.protocol,
            ordered: init.ordered,
            reliability,
            negotiated: init.negotiated,
            priority: init.priority,
            state: DataChannelState::Connecting,
            buffered_amount: 0,
            buffered_amount_low_threshold: 0,
        });
        if self.association_up {
            self.start(channel);
        }
        Ok(channel)
    }

    /// `send()`: queues one message. Only open channels send; the message
    /// must fit the remote's `max-message-size` and the channel's buffer.
    pub fn send(
        &mut self,
        channel: ChannelId,
        message: DataChannelMessage,
    ) -> Result<(), DataChannelError> {
        let plan = self.check_send(channel, message.len())?;
        let (ppid, payload) = message.into_wire();
        self.commands.push_back(SctpCommand::Send {
            stream: plan.stream,
            ppid,
            payload,
            ordered: plan.ordered,
            reliability: plan.reliability,
        });
        self.record_send(channel, plan.size);
        Ok(())
    }

    /// The checks of `send()` without queuing anything: where and how a
    /// message of `size` bytes would go. A binding that hands messages to
    /// SCTP itself calls this, then SCTP, then [`Self::record_send`], so
    /// that a message SCTP refuses is refused to the application too and
    /// never lost after being accepted.
    pub fn check_send(
        &self,
        channel: ChannelId,
        size: usize,
    ) -> Result<SendPlan, DataChannelError> {
        if self.closed {
            return Err(DataChannelError::Closed);
        }
        let c = self
            .channels
            .get(&channel)
            .ok_or(DataChannelError::UnknownChannel)?;
        let (DataChannelState::Open, Some(stream)) = (c.info.state, c.info.id) else {
            return Err(DataChannelError::NotOpen);
        };
        let remote_limit = self.remote_max_message_size;
        if remote_limit != 0 && size as u64 > remote_limit {
            return Err(DataChannelError::MessageTooLarge {
                size,
                limit: remote_limit,
            });
        }
        let buffer_limit = self.config.max_buffered_amount;
        // Saturating: the amount the layer below reports is not bounded
        // by our own limit (found by the `data_channels` fuzz target).
        if c.info.buffered_amount.saturating_add(size as u64) > buffer_limit {
            return Err(DataChannelError::BufferFull {
                buffered: c.info.buffered_amount,
                limit: buffer_limit,
            });
        }
        Ok(SendPlan {
            stream,
            ordered: c.send_ordered(),
            reliability: c.info.reliability,
            size,
        })
    }

    /// Accounts a message that [`Self::check_send`] allowed and the layer
    /// below accepted: `bufferedAmount` grows and the counters move.
    pub fn record_send(&mut self, channel: ChannelId, size: usize) {
        if let Some(c) = self.channels.get_mut(&channel) {
            c.info.buffered_amount = c.info.buffered_amount.saturating_add(size as u64);
            self.stats.messages_sent += 1;
            self.stats.bytes_sent += size as u64;
        }
    }

    /// Sets `bufferedAmountLowThreshold`.
    pub fn set_buffered_amount_low_threshold(
        &mut self,
        channel: ChannelId,
        threshold: u64,
    ) -> Result<(), DataChannelError> {
        let c = self
            .channels
            .get_mut(&channel)
            .ok_or(DataChannelError::UnknownChannel)?;
        c.info.buffered_amount_low_threshold = threshold;
        Ok(())
    }

    /// `close()`: starts the closing procedure (an outgoing stream reset,
    /// RFC 8831 §6.7). A channel that never got a stream closes at once.
    pub fn close(&mut self, channel: ChannelId) -> Result<(), DataChannelError> {
        let c = self
            .channels
            .get_mut(&channel)
            .ok_or(DataChannelError::UnknownChannel)?;
        match (c.info.state, c.info.id) {
            (DataChannelState::Closing | DataChannelState::Closed, _) => Ok(()),
            (_, None) => {
                self.finish_close(channel);
                Ok(())
            }
            (_, Some(_)) if !self.association_up => {
                self.finish_close(channel);
                Ok(())
            }
            (_, Some(stream)) => {
                c.info.state = DataChannelState::Closing;
                c.reset_requested = true;
                self.commands
                    .push_back(SctpCommand::ResetStreams(vec![stream]));
                Ok(())
            }
        }
    }

    /// The peer connection closes: every channel is closed now and nothing
    /// more is accepted.
    pub fn close_all(&mut self) {
        self.closed = true;
        let all: Vec<ChannelId> = self.channels.keys().copied().collect();
        for channel in all {
            self.finish_close(channel);
        }
    }

    /// The next command for SCTP, event for the application, or (always
    /// `None`: this layer keeps no timers) the timeout that ends a drain.
    pub fn poll_output(&mut self) -> Output<SctpCommand, DataChannelEvent> {
        if let Some(command) = self.commands.pop_front() {
            return Output::Transmit(command);
        }
        if let Some(event) = self.events.pop_front() {
            return Output::Event(event);
        }
        Output::Timeout(None)
    }

    /// Whether commands for SCTP are queued.
    pub(crate) fn has_commands(&self) -> bool {
        !self.commands.is_empty()
    }

    /// Closes the channels on these streams at once (their reset cannot
    /// complete).
    pub(crate) fn force_close_streams(&mut self, streams: &[u16]) {
        for stream in streams {
            if let Some(&channel) = self.streams.get(stream) {
                self.finish_close(channel);
            }
        }
    }

    /// The next queued command for SCTP, leaving events queued.
    pub(crate) fn pop_command(&mut self) -> Option<SctpCommand> {
        self.commands.pop_front()
    }

    pub(crate) fn insert(&mut self, mut info: DataChannelInfo) -> ChannelId {
        let handle = ChannelId(self.next_handle);
        self.next_handle += 1;
        info.channel = handle;
        if let Some(stream) = info.id {
            self.streams.insert(stream, handle);
        }
        self.label_bytes += info.label.len() + info.protocol.len();
        self.channels.insert(handle, Channel::new(info));
        handle
    }

    fn check_free(&self, id: u16) -> Result<(), DataChannelError> {
        if id >= self.config.max_streams {
            return Err(DataChannelError::IdOutOfRange {
                id,
                limit: self.config.max_streams,
            });
        }
        if self.streams.contains_key(&id) {
            return Err(DataChannelError::IdInUse(id));
        }
        Ok(())
    }

    /// The lowest free stream id of this role's parity.
    fn allocate_stream(&self, role: DtlsRole) -> Result<u16, DataChannelError> {
        let first = match role {
            DtlsRole::Client => 0,
            DtlsRole::Server => 1,
        };
        (first..self.config.max_streams)
            .step_by(2)
            .find(|id| !self.streams.contains_key(id))
            .ok_or(DataChannelError::NoFreeId)
    }

    /// Opens a channel now that the association is up: a negotiated one at
    /// once, an in-band one by sending DATA_CHANNEL_OPEN.
    pub(crate) fn start(&mut self, channel: ChannelId) {
        let Some(c) = self.channels.get_mut(&channel) else {
            return;
        };
        let (DataChannelState::Connecting, Some(stream)) = (c.info.state, c.info.id) else {
            return;
        };
        if !c.info.negotiated {
            let open = DcepMessage::Open(DcepOpen {
                channel_type: ChannelType {
                    ordered: c.info.ordered,
                    reliability: c.info.reliability,
                },
                priority: c.info.priority.value(),
                label: c.info.label.clone(),
                protocol: c.info.protocol.clone(),
            });
            // Label and protocol lengths were checked at creation.
            let Ok(payload) = open.to_bytes() else {
                return;
            };
            self.commands.push_back(SctpCommand::Send {
                stream,
                ppid: Ppid::Dcep,
                payload,
                ordered: true,
                reliability: Reliability::Reliable,
            });
            c.awaiting_ack = true;
        }
        c.info.state = DataChannelState::Open;
        self.events.push_back(DataChannelEvent::Open(channel));
    }

    /// Gives stream ids to in-band channels created before the role was
    /// known; a channel that cannot get one fails with an `error` event.
    pub(crate) fn assign_pending_streams(&mut self, role: DtlsRole) {
        let pending: Vec<ChannelId> = self
            .channels
            .values()
            .filter(|c| c.info.id.is_none() && c.info.state == DataChannelState::Connecting)
            .map(|c| c.info.channel)
            .collect();
        for channel in pending {
            match self.allocate_stream(role) {
                Ok(stream) => {
                    self.streams.insert(stream, channel);
                    if let Some(c) = self.channels.get_mut(&channel) {
                        c.info.id = Some(stream);
                    }
                }
                Err(error) => {
                    self.events
                        .push_back(DataChannelEvent::Error { channel, error });
                    self.finish_close(channel);
                }
            }
        }
    }

    /// Marks a channel closed, frees its stream id and forgets it.
    pub(crate) fn finish_close(&mut self, channel: ChannelId) {
        let Some(c) = self.channels.remove(&channel) else {
            return;
        };
        if let Some(stream) = c.info.id {
            self.streams.remove(&stream);
        }
        self.label_bytes -= c.info.label.len() + c.info.protocol.len();
        self.events.push_back(DataChannelEvent::Close(channel));
    }
}
