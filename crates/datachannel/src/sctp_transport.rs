//! `SctpTransport`: the data channels of one peer connection bound to our
//! SCTP association (`sansrtc-sctp`): the W3C `RTCSctpTransport` with its
//! `RTCDataChannel`s, as one Sans-IO machine whose transmits are SCTP
//! packets (for DTLS application data).

use std::time::{Duration, Instant};

use rand_core::{CryptoRng, RngCore};
use sansrtc_proto::Output;
use sansrtc_sctp::{Association, SctpConfig, SctpError, SctpEvent, SendOptions};

use crate::config::DataChannelConfig;
use crate::data_channels::{DataChannels, DtlsRole};
use crate::error::DataChannelError;
use crate::event::{ChannelId, DataChannelEvent, SctpCommand};
use crate::init::DataChannelInit;
use crate::message::DataChannelMessage;
use crate::reliability::Reliability;

/// Counters of what the binding itself had to drop.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SctpTransportStats {
    /// DCEP messages or stream resets SCTP refused (its buffer or state).
    pub refused_control: u64,
}

/// Data channels over one SCTP association.
///
/// Drive it like every sansrtc machine: feed SCTP packets that arrived in
/// DTLS application data with [`SctpTransport::handle_receive`], call
/// [`SctpTransport::handle_timeout`] when asked, and after any call drain
/// [`SctpTransport::poll_output`] until it returns `Output::Timeout`.
#[derive(Debug)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub struct SctpTransport {
    channels: DataChannels,
    association: Association,
    now: Instant,
    stats: SctpTransportStats,
    /// Bytes of messages still to be taken out of the association before it
    /// stops (`None`: no limit); see [`SctpTransport::set_read_budget`].
    read_budget: Option<usize>,
    /// Streams the peer reset while whole messages of theirs were still
    /// unread in the association (the budget ran out): each channel closes
    /// only after its last message.
    deferred_resets: Vec<u16>,
}

impl SctpTransport {
    /// A transport whose association is not started yet.
    pub fn new(
        channels: DataChannelConfig,
        sctp: SctpConfig,
        rng: &mut (impl RngCore + CryptoRng),
        now: Instant,
    ) -> Self {
        SctpTransport {
            channels: DataChannels::new(channels),
            association: Association::new(sctp, rng, now),
            now,
            stats: SctpTransportStats::default(),
            read_budget: None,
            deferred_resets: Vec::new(),
        }
    }

    /// How many bytes of received messages may still be handed to the
    /// channels (`None`, the default: no limit): the receive backpressure
    /// of an application that cannot take more. A message is taken while
    /// the budget is above zero (so the last one may pass it by its own
    /// size) and spends its length; at zero, whole messages wait in the
    /// association, whose advertised receive window (a_rwnd) shrinks by
    /// what they hold, so the peer stops sending at the window. Everything
    /// else goes on: SACKs are sent and taken (our own sending proceeds),
    /// zero-window probes are answered, timers run, nothing is dropped.
    /// Setting a budget hands over what waits, up to it, and reopens the
    /// window by what was taken. Drain [`SctpTransport::poll_output`]
    /// afterwards.
    pub fn set_read_budget(&mut self, budget: Option<usize>) {
        self.read_budget = budget;
        self.read_messages();
    }

    /// What is left of the read budget ([`SctpTransport::set_read_budget`]).
    pub fn read_budget(&self) -> Option<usize> {
        self.read_budget
    }

    /// Stops (`true`: a budget of zero) or resumes (`false`: no limit)
    /// handing received messages to the channels; see
    /// [`SctpTransport::set_read_budget`].
    pub fn set_reading_paused(&mut self, paused: bool) {
        self.set_read_budget(if paused { Some(0) } else { None });
    }

    /// Whether reading is paused: a budget of zero.
    pub fn reading_paused(&self) -> bool {
        self.read_budget == Some(0)
    }

    /// Hands the whole messages waiting in the association to the
    /// channels, within the budget.
    fn read_messages(&mut self) {
        while self.read_budget != Some(0) {
            let Some(m) = self.association.read() else {
                return;
            };
            let stream = m.stream_id;
            if let Some(budget) = &mut self.read_budget {
                *budget = budget.saturating_sub(m.data.len().max(1));
            }
            self.channels
                .handle_owned_message(m.stream_id, m.ppid, m.data);
            // Its last message delivered, a reset stream's channel closes.
            if self.deferred_resets.contains(&stream) && !self.association.has_unread(stream) {
                self.deferred_resets.retain(|s| *s != stream);
                self.channels.handle_incoming_reset(&[stream]);
            }
        }
    }

    /// Replaces the association, which must not have started yet, by one
    /// with `sctp` (the ports, MTU and message size the peer connection
    /// learned from the descriptions and DTLS); the channels created so far
    /// are kept. Refused ([`SctpError::InvalidState`]) once [`Self::connect`]
    /// or a received packet has started the association.
    pub fn configure_association(
        &mut self,
        sctp: SctpConfig,
        rng: &mut (impl RngCore + CryptoRng),
        now: Instant,
    ) -> Result<(), SctpError> {
        if self.association.state() != sansrtc_sctp::AssociationState::Idle
            || self.association.stats().packets_received > 0
        {
            return Err(SctpError::InvalidState);
        }
        let (headroom, tailroom) = self.association.packet_room();
        self.association = Association::new(sctp, rng, now);
        self.association.set_packet_room(headroom, tailroom);
        self.now = now;
        Ok(())
    }

    /// The DTLS role, which picks the parity of in-band stream ids.
    pub fn set_dtls_role(&mut self, role: DtlsRole) {
        self.channels.set_dtls_role(role);
    }

    /// DTLS is up: start the association (both ends call this; SCTP
    /// resolves the collision).
    pub fn connect(&mut self, now: Instant) -> Result<(), SctpError> {
        self.now = now;
        self.association.connect(now)
    }

    /// An SCTP packet arrived (DTLS application data).
    pub fn handle_receive(&mut self, now: Instant, packet: &[u8]) {
        self.now = now;
        self.association.handle_receive(now, packet);
    }

    /// An SCTP packet arrived and is handed over (the `Vec` DTLS decrypted
    /// it into): the association checks it in place and keeps large
    /// payloads without copying them
    /// ([`Association::handle_receive_owned`](sansrtc_sctp::Association::handle_receive_owned)).
    pub fn handle_receive_owned(&mut self, now: Instant, packet: Vec<u8>) {
        self.now = now;
        self.association.handle_receive_owned(now, packet);
    }

    /// Holds (or lets go) a SACK with nothing else to send
    /// ([`Association::hold_sack`](sansrtc_sctp::Association::hold_sack)).
    pub fn hold_sack(&mut self, hold: bool) {
        self.association.hold_sack(hold);
    }

    /// Whether the association owes a SACK
    /// ([`Association::sack_owed`](sansrtc_sctp::Association::sack_owed)).
    pub fn sack_owed(&self) -> bool {
        self.association.sack_owed()
    }

    /// Gives back a packet `poll_output` returned, once it has been copied
    /// (sealed into a DTLS record), for the next packet to reuse
    /// ([`Association::recycle_packet`](sansrtc_sctp::Association::recycle_packet)).
    pub fn recycle_packet(&mut self, packet: Vec<u8>) {
        self.association.recycle_packet(packet);
    }

    /// Room around every packet [`Self::poll_output`] gives from now on
    /// (see [`Association::set_packet_room`]): DTLS's record header before
    /// it and its tag after, so that the packet is sealed where it lies.
    pub fn set_packet_room(&mut self, headroom: usize, tailroom: usize) {
        self.association.set_packet_room(headroom, tailroom);
    }

    /// A timeout asked for by `poll_output` is due.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        self.association.handle_timeout(now);
    }

    /// The remote's `a=max-message-size` (see
    /// [`DataChannels::set_remote_max_message_size`]).
    pub fn set_remote_max_message_size(&mut self, size: Option<u64>) {
        self.channels.set_remote_max_message_size(size);
    }

    /// `createDataChannel()`.
    pub fn create_data_channel(
        &mut self,
        init: DataChannelInit,
    ) -> Result<ChannelId, DataChannelError> {
        self.channels.create_data_channel(init)
    }

    /// `send()`: the message is accepted only if SCTP accepts it, so an
    /// accepted message is never dropped by the layers below.
    pub fn send(
        &mut self,
        now: Instant,
        channel: ChannelId,
        message: DataChannelMessage,
    ) -> Result<(), DataChannelError> {
        self.now = now;
        self.refresh_buffered_amount(channel);
        let plan = self.channels.check_send(channel, message.len())?;
        let (ppid, payload) = message.into_wire();
        let options = send_options(plan.ordered, plan.reliability);
        if let Some(info) = self.channels.channel(channel) {
            let threshold =
                usize::try_from(info.buffered_amount_low_threshold).unwrap_or(usize::MAX);
            self.association
                .set_buffered_amount_low_threshold(plan.stream, threshold);
        }
        self.association
            .send(now, plan.stream, ppid.value(), payload, options)
            .map_err(|e| match e {
                SctpError::SendBufferFull => DataChannelError::BufferFull {
                    buffered: self.association.total_buffered_amount() as u64,
                    limit: self.association.total_buffered_amount() as u64,
                },
                SctpError::MessageTooLarge { size, max } => DataChannelError::MessageTooLarge {
                    size,
                    limit: max as u64,
                },
                _ => DataChannelError::NotOpen,
            })?;
        self.channels.record_send(channel, plan.size);
        Ok(())
    }

    /// `close()` on one channel.
    pub fn close_channel(
        &mut self,
        now: Instant,
        channel: ChannelId,
    ) -> Result<(), DataChannelError> {
        self.now = now;
        self.channels.close(channel)
    }

    /// Sets `bufferedAmountLowThreshold`.
    pub fn set_buffered_amount_low_threshold(
        &mut self,
        channel: ChannelId,
        threshold: u64,
    ) -> Result<(), DataChannelError> {
        self.channels
            .set_buffered_amount_low_threshold(channel, threshold)?;
        if let Some(stream) = self.channels.channel(channel).and_then(|i| i.id) {
            let threshold = usize::try_from(threshold).unwrap_or(usize::MAX);
            self.association
                .set_buffered_amount_low_threshold(stream, threshold);
        }
        Ok(())
    }

    /// `bufferedAmount`, as SCTP has it now.
    pub fn buffered_amount(&self, channel: ChannelId) -> Option<u64> {
        let info = self.channels.channel(channel)?;
        Some(
            info.id
                .map_or(0, |s| self.association.buffered_amount(s) as u64),
        )
    }

    /// The peer connection closes: every channel closes and the association
    /// shuts down gracefully.
    pub fn close(&mut self, now: Instant) {
        self.now = now;
        self.channels.close_all();
        let _ = self.association.shutdown(now);
    }

    /// The peer connection closes at once (W3C `close()`): every channel
    /// closes and the association is aborted (an ABORT chunk goes out), so
    /// the peer's channels close without waiting for a shutdown handshake.
    pub fn abort(&mut self, now: Instant) {
        self.now = now;
        self.channels.close_all();
        self.association.abort(now);
    }

    /// The data channels (their attributes and counters).
    pub fn channels(&self) -> &DataChannels {
        &self.channels
    }

    /// The association (its state and counters).
    pub fn association(&self) -> &Association {
        &self.association
    }

    /// Counters of the binding.
    pub fn stats(&self) -> &SctpTransportStats {
        &self.stats
    }

    /// The next SCTP packet to send, event for the application, or the
    /// instant of the next timeout (which ends a drain).
    pub fn poll_output(&mut self) -> Output<Vec<u8>, DataChannelEvent> {
        loop {
            self.apply_commands();
            match self.association.poll_output() {
                Output::Transmit(packet) => return Output::Transmit(packet),
                Output::Event(event) => self.on_sctp_event(event),
                Output::Timeout(at) => {
                    if self.channels.has_commands() {
                        continue;
                    }
                    return match self.channels.poll_output() {
                        Output::Event(e) => Output::Event(e),
                        // Commands were drained above; none can be left here.
                        Output::Transmit(_) => continue,
                        Output::Timeout(_) => Output::Timeout(at),
                    };
                }
            }
        }
    }

    fn apply_commands(&mut self) {
        while let Some(command) = self.channels.pop_command() {
            let result = match command {
                SctpCommand::Send {
                    stream,
                    ppid,
                    payload,
                    ordered,
                    reliability,
                } => self.association.send(
                    self.now,
                    stream,
                    ppid.value(),
                    payload,
                    send_options(ordered, reliability),
                ),
                SctpCommand::ResetStreams(streams) => {
                    let result = self.association.reset_streams(self.now, &streams);
                    if result.is_err() {
                        // The peer cannot reset streams (or the association
                        // is going away): close the channels here.
                        self.channels.force_close_streams(&streams);
                    }
                    result
                }
            };
            if let Err(error) = result {
                self.stats.refused_control += 1;
                tracing::debug!(%error, "SCTP refused a data-channel control message");
            }
        }
    }

    fn on_sctp_event(&mut self, event: SctpEvent) {
        match event {
            SctpEvent::Connected => self.channels.handle_association_established(),
            SctpEvent::Readable => self.read_messages(),
            SctpEvent::BufferedAmountLow { stream_id } => {
                let amount = self.association.buffered_amount(stream_id) as u64;
                self.channels.handle_buffered_amount(stream_id, amount);
            }
            SctpEvent::OutgoingStreamsReset { streams } => {
                self.channels.handle_outgoing_reset_done(&streams)
            }
            SctpEvent::IncomingStreamsReset { streams } => {
                // A stream with messages still unread closes after them.
                let (later, now): (Vec<u16>, Vec<u16>) = streams
                    .into_iter()
                    .partition(|s| self.association.has_unread(*s));
                self.deferred_resets.extend(later);
                if !now.is_empty() {
                    self.channels.handle_incoming_reset(&now);
                }
            }
            SctpEvent::StreamResetFailed { streams } => self.channels.force_close_streams(&streams),
            SctpEvent::Closed(_) => self.channels.handle_association_closed(),
            _ => {}
        }
    }

    fn refresh_buffered_amount(&mut self, channel: ChannelId) {
        if let Some(stream) = self.channels.channel(channel).and_then(|i| i.id) {
            let amount = self.association.buffered_amount(stream) as u64;
            self.channels.handle_buffered_amount(stream, amount);
        }
    }
}

fn send_options(ordered: bool, reliability: Reliability) -> SendOptions {
    SendOptions {
        unordered: !ordered,
        reliability: match reliability {
            Reliability::Reliable => sansrtc_sctp::Reliability::Reliable,
            Reliability::MaxRetransmits(n) => {
                sansrtc_sctp::Reliability::MaxRetransmits(u32::from(n))
            }
            Reliability::MaxPacketLifeTime(ms) => {
                sansrtc_sctp::Reliability::MaxLifetime(Duration::from_millis(u64::from(ms)))
            }
        },
    }
}
