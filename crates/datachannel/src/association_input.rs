//! Inputs from the layers below: the DTLS role, the SCTP association's state,
//! received messages, stream resets and buffered amounts.

use bytes::Bytes;

use crate::channel::DataChannelInfo;
use crate::data_channels::{DataChannels, DtlsRole};
use crate::dcep::{DcepMessage, DcepOpen};
use crate::event::{ChannelId, DataChannelEvent, DataChannelState, SctpCommand};
use crate::init::Priority;
use crate::message::Reassembled;
use crate::ppid::Ppid;
use crate::reliability::Reliability;

impl DataChannels {
    /// The DTLS role is known: in-band channels created so far get their
    /// stream ids (even for the client, odd for the server).
    pub fn set_dtls_role(&mut self, role: DtlsRole) {
        if self.role.is_some() {
            return;
        }
        self.role = Some(role);
        self.assign_pending_streams(role);
    }

    /// The SCTP association is established: channels open (in band ones
    /// send DATA_CHANNEL_OPEN).
    pub fn handle_association_established(&mut self) {
        if self.closed || self.association_up {
            return;
        }
        self.association_up = true;
        let all: Vec<ChannelId> = self.channels.keys().copied().collect();
        for channel in all {
            self.start(channel);
        }
    }

    /// The association is gone (shutdown, abort, DTLS closed): every
    /// channel is closed.
    pub fn handle_association_closed(&mut self) {
        self.association_up = false;
        let all: Vec<ChannelId> = self.channels.keys().copied().collect();
        for channel in all {
            self.finish_close(channel);
        }
    }

    /// One whole SCTP user message arrived on `stream` with `ppid`.
    pub fn handle_message(&mut self, stream: u16, ppid: u32, payload: &[u8]) {
        self.handle_owned_message(stream, ppid, Bytes::copy_from_slice(payload));
    }

    /// [`handle_message`](Self::handle_message) with the payload handed
    /// over, so that a data message reaches the application without a copy.
    pub fn handle_owned_message(&mut self, stream: u16, ppid: u32, payload: Bytes) {
        if self.closed {
            return;
        }
        let Some(ppid) = Ppid::from_value(ppid) else {
            self.stats.dropped_unknown_ppid += 1;
            tracing::debug!(stream, ppid, "dropping message with an unknown PPID");
            return;
        };
        if ppid == Ppid::Dcep {
            self.handle_dcep(stream, &payload);
            return;
        }
        let Some(&channel) = self.streams.get(&stream) else {
            self.stats.dropped_unknown_stream += 1;
            tracing::debug!(stream, "dropping message on a stream without a channel");
            return;
        };
        let limit = self.config.max_message_size;
        let Some(c) = self.channels.get_mut(&channel) else {
            return;
        };
        if matches!(
            c.info.state,
            DataChannelState::Connecting | DataChannelState::Closed
        ) {
            self.stats.dropped_unknown_stream += 1;
            return;
        }
        match c.reassembly.feed(ppid, payload, limit) {
            Reassembled::Pending => {}
            Reassembled::Oversized => {
                self.stats.dropped_oversized += 1;
                tracing::debug!(stream, limit, "dropping a message over max-message-size");
            }
            Reassembled::Message(message) => {
                self.stats.messages_received += 1;
                self.stats.bytes_received += message.len() as u64;
                self.events
                    .push_back(DataChannelEvent::Message { channel, message });
            }
        }
    }

    fn handle_dcep(&mut self, stream: u16, payload: &[u8]) {
        match DcepMessage::parse(payload) {
            Ok(DcepMessage::Open(open)) => self.handle_open(stream, open),
            Ok(DcepMessage::Ack) => {
                let channel = self.streams.get(&stream).copied();
                match channel.and_then(|ch| self.channels.get_mut(&ch)) {
                    Some(c) if c.awaiting_ack => c.awaiting_ack = false,
                    _ => {
                        self.stats.dropped_dcep += 1;
                        tracing::debug!(stream, "unexpected DATA_CHANNEL_ACK");
                    }
                }
            }
            Err(error) => {
                self.stats.dropped_dcep += 1;
                tracing::debug!(stream, %error, "dropping malformed DCEP message");
            }
        }
    }

    /// The remote opened a channel in band: announce it, ACK it.
    fn handle_open(&mut self, stream: u16, open: DcepOpen) {
        let ours = match self.role {
            Some(DtlsRole::Client) => stream % 2 == 0,
            Some(DtlsRole::Server) => stream % 2 == 1,
            None => false,
        };
        if ours
            || self.streams.contains_key(&stream)
            || stream >= self.config.max_streams
            || self.channels.len() >= self.config.max_channels
            || self.label_bytes + open.label.len() + open.protocol.len()
                > self.config.max_label_bytes
        {
            self.stats.dropped_dcep += 1;
            tracing::debug!(stream, "refusing DATA_CHANNEL_OPEN on this stream");
            return;
        }
        let channel = self.insert(DataChannelInfo {
            channel: ChannelId(0),
            id: Some(stream),
            label: open.label,
            protocol: open.protocol,
            ordered: open.channel_type.ordered,
            reliability: open.channel_type.reliability,
            negotiated: false,
            priority: Priority::from_value(open.priority),
            state: DataChannelState::Open,
            buffered_amount: 0,
            buffered_amount_low_threshold: 0,
        });
        self.commands.push_back(SctpCommand::Send {
            stream,
            ppid: Ppid::Dcep,
            payload: vec![0x02],
            ordered: true,
            reliability: Reliability::Reliable,
        });
        self.events
            .push_back(DataChannelEvent::DataChannel(channel));
        self.events.push_back(DataChannelEvent::Open(channel));
    }

    /// The remote reset these of its outgoing streams: their channels close
    /// (we reset ours too, RFC 8831 §6.7).
    pub fn handle_incoming_reset(&mut self, streams: &[u16]) {
        let mut to_reset = Vec::new();
        for stream in streams {
            let Some(&channel) = self.streams.get(stream) else {
                continue;
            };
            let Some(c) = self.channels.get_mut(&channel) else {
                continue;
            };
            c.incoming_reset = true;
            if !c.reset_requested {
                c.reset_requested = true;
                c.info.state = DataChannelState::Closing;
                self.events.push_back(DataChannelEvent::Closing(channel));
                to_reset.push(*stream);
            }
            if c.outgoing_reset {
                self.finish_close(channel);
            }
        }
        if !to_reset.is_empty() {
            self.commands.push_back(SctpCommand::ResetStreams(to_reset));
        }
    }

    /// Our reset of these outgoing streams completed.
    pub fn handle_outgoing_reset_done(&mut self, streams: &[u16]) {
        for stream in streams {
            let Some(&channel) = self.streams.get(stream) else {
                continue;
            };
            let Some(c) = self.channels.get_mut(&channel) else {
                continue;
            };
            c.outgoing_reset = true;
            if c.incoming_reset {
                self.finish_close(channel);
            }
        }
    }

    /// SCTP reports how many bytes of `stream` are still queued. Crossing
    /// the threshold downwards fires `bufferedamountlow`.
    pub fn handle_buffered_amount(&mut self, stream: u16, amount: u64) {
        let Some(&channel) = self.streams.get(&stream) else {
            return;
        };
        let Some(c) = self.channels.get_mut(&channel) else {
            return;
        };
        let before = c.info.buffered_amount;
        c.info.buffered_amount = amount;
        let threshold = c.info.buffered_amount_low_threshold;
        if before > threshold && amount <= threshold {
            self.events
                .push_back(DataChannelEvent::BufferedAmountLow(channel));
        }
    }
}
