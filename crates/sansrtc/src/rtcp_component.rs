//! RTCP on its own ICE component: with `rtcpMuxPolicy: negotiate` and a
//! peer that does not multiplex RTP and RTCP (RFC 5761 not answered, or not
//! offered), RTCP goes on component 2, from the sockets the driver gave for
//! it. RFC 5764 §4.1 wants a DTLS-SRTP session per pair of ports, so
//! component 2 runs a DTLS handshake of its own (same role, same
//! fingerprints as component 1), and its exported keys protect SRTCP.

use std::time::Instant;

use sansrtc_dtls::{DtlsEndpoint, DtlsError, DtlsEvent, Role};
use sansrtc_ice::Agent;
use sansrtc_proto::Output;
use sansrtc_rtp::{classify, PacketKind};
use sansrtc_srtp::SrtpContext;

use crate::early_dtls::EarlyDtls;
use crate::transport::{srtp_contexts, TransportStats};

/// The RTCP component of a transport.
#[derive(Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct RtcpComponent {
    pub(crate) dtls: Option<DtlsEndpoint>,
    started: bool,
    early: EarlyDtls,
    pub(crate) timeout: Option<Instant>,
    /// SRTCP: what we protect with, what we unprotect with.
    srtcp: Option<(SrtpContext, SrtpContext)>,
    /// Why the handshake failed (or `Closed`: the peer closed it), until
    /// the transport reports it.
    pub(crate) failure: Option<DtlsError>,
}

impl RtcpComponent {
    /// Installs the DTLS endpoint and replays what arrived before it.
    pub(crate) fn install(&mut self, now: Instant, endpoint: DtlsEndpoint) {
        self.early.replay(now, self.dtls.insert(endpoint));
    }

    /// Whether SRTCP keys exist (its handshake completed).
    pub(crate) fn has_keys(&self) -> bool {
        self.srtcp.is_some()
    }

    /// Application data ICE accepted on component 2: DTLS, or SRTCP (a
    /// compound RTCP packet comes back, SRTCP removed).
    pub(crate) fn on_data(
        &mut self,
        now: Instant,
        data: &[u8],
        stats: &mut TransportStats,
    ) -> Option<Vec<u8>> {
        match classify(data) {
            PacketKind::Dtls => {
                self.early.receive(self.dtls.as_mut(), now, data, stats);
                None
            }
            PacketKind::Rtcp => {
                let Some((_, rx)) = &mut self.srtcp else {
                    stats.media_dropped += 1;
                    return None;
                };
                let mut packet = data.to_vec();
                match rx.unprotect_rtcp(&mut packet) {
                    Ok(()) => Some(packet),
                    Err(error) => {
                        tracing::trace!(%error, "SRTCP refused a packet on component 2");
                        stats.srtp_rejected += 1;
                        None
                    }
                }
            }
            // RTP belongs on component 1.
            _ => {
                stats.unknown_dropped += 1;
                None
            }
        }
    }

    /// Protects an RTCP packet and sends it on component 2.
    pub(crate) fn send(&mut self, now: Instant, agent: &mut Agent, mut packet: Vec<u8>) -> bool {
        let Some((tx, _)) = &mut self.srtcp else {
            return false;
        };
        tx.protect_rtcp(&mut packet).is_ok() && agent.send_owned(now, 2, packet).is_ok()
    }

    /// Drives the handshake: a client starts on the first valid pair of
    /// component 2; records leave on component 2. Whether anything
    /// happened.
    pub(crate) fn drain(
        &mut self,
        now: Instant,
        agent: &mut Agent,
        stats: &mut TransportStats,
    ) -> bool {
        let Some(dtls) = &mut self.dtls else {
            self.timeout = None;
            return false;
        };
        let mut progress = false;
        let ready = agent.has_valid_pair(2) || agent.selected_pair(2).is_some();
        if dtls.role() == Role::Client && !self.started && !dtls.is_connected() && ready {
            dtls.start(now);
            self.started = true;
            progress = true;
        }
        loop {
            match dtls.poll_output() {
                Output::Transmit(record) => {
                    if agent.send_owned(now, 2, record).is_err() {
                        stats.dtls_unsent += 1;
                    }
                    progress = true;
                }
                Output::Event(DtlsEvent::Connected(_)) => {
                    self.srtcp = srtp_contexts(dtls);
                    progress = true;
                }
                Output::Event(DtlsEvent::ApplicationData(_)) => stats.unknown_dropped += 1,
                Output::Event(DtlsEvent::Closed) => self.failure = Some(DtlsError::Closed),
                Output::Event(DtlsEvent::Failed(error)) => {
                    tracing::debug!(%error, "DTLS on the RTCP component failed");
                    self.failure = Some(error);
                }
                Output::Timeout(at) => {
                    self.timeout = at;
                    return progress;
                }
            }
        }
    }

    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        if self.timeout.is_some_and(|t| t <= now) {
            if let Some(dtls) = &mut self.dtls {
                dtls.handle_timeout(now);
            }
        }
    }
}
