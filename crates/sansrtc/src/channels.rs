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
        self.pump_all(now);
        self.drain(now);
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
