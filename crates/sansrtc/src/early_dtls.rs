//! DTLS datagrams that arrive before their endpoint exists (the remote's
//! ClientHello can come before we apply its answer): kept once each, at
//! most [`EARLY_DTLS_LIMIT`], and replayed to the endpoint when it is a
//! server (a client starts its own flight). Component 1 of a transport and
//! its RTCP component (when RTCP is not multiplexed) each have one.

use std::collections::VecDeque;
use std::time::Instant;

use sansrtc_dtls::{DtlsEndpoint, Role};

use crate::transport::{TransportStats, EARLY_DTLS_LIMIT};

/// The datagrams kept.
#[derive(Debug, Default)]
#[cfg_attr(feature = "snapshot", derive(Clone))]
pub(crate) struct EarlyDtls(VecDeque<Vec<u8>>);

impl EarlyDtls {
    /// A DTLS datagram for `endpoint`, or kept while there is none.
    pub(crate) fn receive(
        &mut self,
        endpoint: Option<&mut DtlsEndpoint>,
        now: Instant,
        data: &[u8],
        stats: &mut TransportStats,
    ) {
        match endpoint {
            Some(dtls) => dtls.handle_receive(now, data),
            // A retransmission of a datagram already kept adds nothing
            // (replaying both would answer the flight twice).
            None if self.0.iter().any(|d| d.as_slice() == data) => {}
            None if self.0.len() < EARLY_DTLS_LIMIT => {
                stats.early_dtls_kept += 1;
                self.0.push_back(data.to_vec());
            }
            None => stats.early_dtls_dropped += 1,
        }
    }

    /// [`Self::receive`] by value: the endpoint may open the record in
    /// its own buffer. Before the endpoint exists (rare: only before the
    /// answer is applied) it is kept as `receive` keeps it.
    pub(crate) fn receive_owned(
        &mut self,
        endpoint: Option<&mut DtlsEndpoint>,
        now: Instant,
        data: Vec<u8>,
        stats: &mut TransportStats,
    ) {
        match endpoint {
            Some(dtls) => dtls.handle_receive_owned(now, data),
            None => self.receive(None, now, &data, stats),
        }
    }

    /// The endpoint now exists: a server gets what was kept; nothing is
    /// kept any more.
    pub(crate) fn replay(&mut self, now: Instant, endpoint: &mut DtlsEndpoint) {
        if endpoint.role() == Role::Server {
            for datagram in self.0.drain(..) {
                endpoint.handle_receive(now, &datagram);
            }
        }
        self.0.clear();
    }
}
