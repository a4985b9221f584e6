//! Consent freshness (RFC 7675) and the W3C connection state.

use std::time::Instant;

use rand_core::RngCore;

use crate::agent::{Agent, Path, Transaction, TxKind};
use crate::event::{IceConnectionState, IceEvent, IceGatheringState};
use crate::pair::PairState;

impl Agent {
    /// The consent interval randomised to 0.8–1.2 of its mean (RFC 7675 §5.1).
    pub(crate) fn consent_jitter(&mut self) -> std::time::Duration {
        let r = f64::from(self.rng.next_u32()) / f64::from(u32::MAX);
        self.config.consent_interval.mul_f64(0.8 + 0.4 * r)
    }

    /// Sends due consent checks on the selected pairs (and, during an ICE
    /// restart, on the old pair with the old credentials); a path without
    /// a response for `consent_timeout` loses consent and is no longer used.
    pub(crate) fn consent(&mut self, now: Instant) {
        for slot in 0..self.selected.len() {
            for previous in [false, true] {
                self.consent_on(now, slot, previous);
            }
        }
    }

    fn path_mut(&mut self, slot: usize, previous: bool) -> Option<&mut Path> {
        if previous {
            self.previous[slot].as_mut()
        } else {
            self.selected[slot].as_mut()
        }
    }

    fn consent_on(&mut self, now: Instant, slot: usize, previous: bool) {
        let Some(path) = self.path_mut(slot, previous).copied() else {
            return;
        };
        if path.lost {
            return;
        }
        if now >= path.last_response + self.config.consent_timeout {
            if let Some(p) = self.path_mut(slot, previous) {
                p.lost = true;
            }
            if let Some(pair) = path.pair.and_then(|i| self.pairs.get_mut(i)) {
                pair.state = PairState::Failed;
                pair.nominated = false;
            }
            // Nothing more goes to the peer on this path, not even retransmissions.
            let component = path.info.component;
            self.transactions.retain(|t| {
                let consent = matches!(t.kind, TxKind::Consent { component: c } if c == component);
                let on_path = t.source == path.info.local_base && t.destination == path.info.remote;
                !(consent || on_path)
            });
            return;
        }
        if self.config.lite || now < path.consent_next {
            return;
        }
        let jitter = self.consent_jitter();
        if let Some(p) = self.path_mut(slot, previous) {
            p.consent_next = now + jitter;
        }
        if self.transactions.len() >= self.config.max_transactions {
            self.stats.transactions_dropped += 1;
            return;
        }
        let (remote, local_ufrag) = if previous {
            match (&self.previous_remote, &self.previous_local) {
                (Some(r), Some(l)) => (r.clone(), l.ufrag.clone()),
                _ => return,
            }
        } else {
            match &self.remote {
                Some(r) => (r.clone(), self.local.ufrag.clone()),
                None => return,
            }
        };
        let username = format!("{}:{}", remote.ufrag, local_ufrag);
        let Some((id, request)) =
            self.build_request(&username, &remote.pwd, path.prflx_priority, false)
        else {
            return;
        };
        self.stats.consent_checks_sent += 1;
        self.transactions.push(Transaction {
            id,
            kind: TxKind::Consent {
                component: path.info.component,
            },
            source: path.info.local_base,
            destination: path.info.remote,
            relay: path.relay,
            request: request.clone(),
            key: Some(remote.pwd.into_bytes()),
            controlling: self.controlling,
            priority: path.prflx_priority,
            sent: 1,
            max_sends: self.config.check_max_transmissions,
            rto: self.config.check_rto,
            next: now + self.config.check_rto,
            cancelled: false,
        });
        self.transmit(
            now,
            path.info.local_base,
            path.info.remote,
            path.relay,
            &request,
        );
    }

    /// Derives the W3C `RTCIceConnectionState` and emits changes.
    pub(crate) fn update_state(&mut self, now: Instant) {
        let state = self.derive_state(now);
        if state != self.state {
            if state == IceConnectionState::Completed && self.state != IceConnectionState::Connected
            {
                // Browsers always pass through connected first.
                self.emit(IceEvent::ConnectionState(IceConnectionState::Connected));
            }
            self.state = state;
            self.emit(IceEvent::ConnectionState(state));
        }
    }

    fn derive_state(&mut self, now: Instant) -> IceConnectionState {
        if self.closed {
            return IceConnectionState::Closed;
        }
        let components: Vec<u16> = self.active_components().collect();
        let paths: Vec<_> = components
            .iter()
            .map(|&c| {
                let i = usize::from(c) - 1;
                self.selected[i].or(self.previous[i])
            })
            .collect();
        if paths.iter().flatten().any(|p| p.lost) {
            self.failed = true;
        }
        if self.failed {
            return IceConnectionState::Failed;
        }
        if paths.iter().all(Option::is_some) && !paths.is_empty() {
            let stale = paths
                .iter()
                .flatten()
                .any(|p| now >= p.last_response + self.config.disconnected_timeout);
            if stale {
                return IceConnectionState::Disconnected;
            }
            let done = self.gathering_state == IceGatheringState::Complete
                && self.remote_end_of_candidates
                && self.triggered.is_empty()
                && self.all_selected()
                && paths.iter().flatten().all(|p| p.nominated)
                && !self
                    .transactions
                    .iter()
                    .any(|t| matches!(t.kind, TxKind::Check { .. }));
            return if done {
                IceConnectionState::Completed
            } else {
                IceConnectionState::Connected
            };
        }
        // Deviation: while the peer's checks still reach us, it may yet
        // answer ours (a triggered check revives a failed pair), so we do
        // not give up until it has been quiet for `disconnected_timeout`.
        let peer_quiet = self
            .last_request_at
            .map_or(true, |t| now >= t + self.config.disconnected_timeout);
        let exhausted = peer_quiet
            && self.remote_end_of_candidates
            && self.gathering_state == IceGatheringState::Complete
            && self.resolutions.is_empty()
            && self.remote.is_some()
            && !self.pairs.is_empty()
            && self
                .pairs
                .iter()
                .filter(|p| self.component_active(p.component))
                .all(|p| p.state == PairState::Failed)
            && self.triggered.is_empty()
            && !self
                .transactions
                .iter()
                .any(|t| matches!(t.kind, TxKind::Check { .. }));
        if exhausted {
            self.failed = true;
            return IceConnectionState::Failed;
        }
        if self.remote.is_some() || !self.remotes.is_empty() {
            IceConnectionState::Checking
        } else {
            IceConnectionState::New
        }
    }
}
