//! The `RTCDataChannel` API of the connection, over the transport's SCTP
//! association (`sansrtc-datachannel`).

use std::time::Instant;

use sansrtc_datachannel::{ChannelId, DataChannelInfo, DataChannelInit, DataChannelMessage};

use crate::error::RtcError;
use crate::peer_connection::RtcPeerConnection;

impl RtcPeerConnection {
    /// `createDataChannel(label, init)`: the spec's `TypeError`s for a
    /// label or protocol over 65535 bytes, both reliability limits, or a
    /// negotiated channel without id; `negotiationneeded` when no data
    /// section was negotiated yet.
    pub fn create_data_channel(
        &mut self,
        now: Instant,
        init: DataChannelInit,
    ) -> Result<ChannelId, RtcError> {
        self.ensure_open()?;
        let channel = self.sctp_mut().create_data_channel(init)?;
        self.update_negotiation_needed();
        self.pump_all(now);
        self.drain(now);
        Ok(channel)
    }

    /// `send()`: a message over the remote's `a=max-message-size` is a
    /// `TypeError`; a message is accepted only if SCTP takes it, so an
    /// accepted message is never dropped below.
    pub fn send(
        &mut self,
        now: Instant,
        channel: ChannelId,
        message: DataChannelMessage,
    ) -> Result<(), RtcError> {
        self.ensure_open()?;
        self.sctp_mut().send(now, channel, message)?;
        // The transports are pumped at the next `poll_output` (or any
        // input), not here: messages sent one after another before the
        // application drains then leave together, packed into full SCTP
        // packets (a fragmented message starts in the room its
        // predecessor's tail left), each pump costing once per batch.
        self.defer_pump(now);
        Ok(())
    }

    /// `close()` on one channel.
    pub fn close_channel(&mut self, now: Instant, channel: ChannelId) -> Result<(), RtcError> {
        self.ensure_open()?;
        self.sctp_mut().close_channel(now, channel)?;
        self.pump_all(now);
        self.drain(now);
        Ok(())
    }

    /// Pauses (`true`) or resumes the delivery of received data-channel
    /// messages: the receive backpressure of an application that cannot
    /// take more. While paused, messages wait in the SCTP association,
    /// whose receive window closes as they accumulate, so the peer stops
    /// sending at the window (1 MiB); SACKs, our own sending, ICE, DTLS and
    /// media go on and nothing is dropped. One association carries every
    /// channel, so all of them pause together. Resuming delivers what
    /// waited (at most the window) and reopens the window.
    pub fn set_data_channels_paused(&mut self, now: Instant, paused: bool) {
        self.set_data_channel_read_budget(now, if paused { Some(0) } else { None });
    }

    /// The finer form of [`RtcPeerConnection::set_data_channels_paused`]:
    /// at most `budget` more bytes of received messages are delivered (a
    /// message is delivered while the budget is above zero and spends its
    /// length), then delivery pauses until a new budget is set; `None`: no
    /// limit (the default). An application with `n` bytes of room sets
    /// `Some(n)`, and its queues never pass their bound by more than one
    /// message.
    pub fn set_data_channel_read_budget(&mut self, now: Instant, budget: Option<usize>) {
        if self.sctp().read_budget() == budget {
            return;
        }
        self.sctp_mut().set_read_budget(budget);
        self.pump_all(now);
        self.drain(now);
    }

    /// What is left of the read budget
    /// ([`RtcPeerConnection::set_data_channel_read_budget`]).
    pub fn data_channel_read_budget(&self) -> Option<usize> {
        self.sctp().read_budget()
    }

    /// Whether data-channel delivery is paused
    /// ([`RtcPeerConnection::set_data_channels_paused`]).
    pub fn data_channels_paused(&self) -> bool {
        self.sctp().reading_paused()
    }

    /// The channel's attributes (`label`, `id`, `readyState`, …).
    pub fn data_channel(&self, channel: ChannelId) -> Option<&DataChannelInfo> {
        self.sctp().channels().channel(channel)
    }

    /// Every channel, open or not.
    pub fn data_channels(&self) -> impl Iterator<Item = &DataChannelInfo> {
        self.sctp().channels().channels()
    }

    /// `bufferedAmount`.
    pub fn buffered_amount(&self, channel: ChannelId) -> Result<u64, RtcError> {
        self.sctp()
            .buffered_amount(channel)
            .ok_or(RtcError::UnknownChannel)
    }

    /// `bufferedAmountLowThreshold = threshold`.
    pub fn set_buffered_amount_low_threshold(
        &mut self,
        channel: ChannelId,
        threshold: u64,
    ) -> Result<(), RtcError> {
        self.sctp_mut()
            .set_buffered_amount_low_threshold(channel, threshold)?;
        Ok(())
    }
}
