//! The check list: pairing, unfreezing, pacing (Ta), triggered checks,
//! retransmissions, nomination and selection (RFC 8445 §6.1.2, §7.2, §8).

use std::net::SocketAddr;
use std::time::Instant;

use sansrtc_config::IceTransportPolicy;
use sansrtc_sdp::{Candidate, CandidateKind};
use sansrtc_stun::attributes::{
    ErrorCode, IceControlled, IceControlling, Priority, UseCandidate, Username, XorMappedAddress,
};
use sansrtc_stun::{Class, Message, MessageBuilder, MessageType, TransactionId};

use crate::agent::{Agent, Path, Transaction, TxKind};
use crate::candidate::{candidate_priority, pair_priority, LocalCandidate, RemoteCandidate};
use crate::config::Nomination;
use crate::error::IceError;
use crate::event::{IceEvent, SelectedPair};
use crate::pair::{Pair, PairState};

impl Agent {
    /// Adds a signalled remote candidate at `address` and pairs it.
    pub(crate) fn add_remote(
        &mut self,
        now: Instant,
        candidate: &Candidate,
        address: SocketAddr,
    ) -> Result<(), IceError> {
        if let Some(i) = self
            .remotes
            .iter()
            .position(|r| r.component == candidate.component && r.address == address)
        {
            // A signalled candidate replaces what a check taught us (prflx).
            let r = &mut self.remotes[i];
            if r.kind == CandidateKind::PeerReflexive {
                r.kind = candidate.kind;
                r.foundation.clone_from(&candidate.foundation);
            }
            return Ok(());
        }
        if self.remotes.len() >= self.config.max_remote_candidates {
            self.stats.remote_candidates_dropped += 1;
            return Err(IceError::TooManyRemoteCandidates(
                self.config.max_remote_candidates,
            ));
        }
        self.remotes.push(RemoteCandidate {
            kind: candidate.kind,
            component: candidate.component,
            address,
            priority: candidate.priority,
            foundation: candidate.foundation.clone(),
        });
        self.pair_remote(self.remotes.len() - 1);
        self.schedule_checks(now);
        Ok(())
    }

    /// Whether a local candidate takes part in pairs: a host base (unless
    /// the relay policy) or a relay candidate. Server-reflexive candidates
    /// are replaced by their base and so pruned as redundant (§6.1.2.4).
    pub(crate) fn pairable(&self, c: &LocalCandidate) -> bool {
        match c.kind {
            CandidateKind::Host => {
                self.config.transport_policy != IceTransportPolicy::Relay
                    && !self.base_removed(c.base)
            }
            CandidateKind::Relay => true,
            _ => false,
        }
    }

    pub(crate) fn pair_remote(&mut self, remote: usize) {
        for local in 0..self.locals.len() {
            self.form_pair(local, remote);
        }
        self.unfreeze_foundations();
    }

    pub(crate) fn pair_local(&mut self, local: usize) {
        for remote in 0..self.remotes.len() {
            self.form_pair(local, remote);
        }
        self.unfreeze_foundations();
    }

    /// Forms the pair (local, remote) if they match; returns its index.
    pub(crate) fn form_pair(&mut self, local: usize, remote: usize) -> Option<usize> {
        let (l, r) = (&self.locals[local], &self.remotes[remote]);
        if l.component != r.component
            || l.address.is_ipv4() != r.address.is_ipv4()
            || !self.pairable(l)
            || !self.component_active(l.component)
        {
            return None;
        }
        if let Some(i) = self
            .pairs
            .iter()
            .position(|p| p.local == local && p.remote == remote)
        {
            return Some(i);
        }
        if self.pairs.len() >= self.config.max_pairs {
            self.stats.pairs_dropped += 1;
            return None;
        }
        let priority = self.priority_of(l.priority, r.priority);
        let foundation = format!("{}:{}", l.foundation, r.foundation);
        self.pairs.push(Pair {
            local,
            remote,
            component: l.component,
            priority,
            state: PairState::Frozen,
            foundation,
            nominated: false,
            nominate_on_success: false,
            nominating: false,
        });
        Some(self.pairs.len() - 1)
    }

    fn priority_of(&self, local: u32, remote: u32) -> u64 {
        if self.controlling {
            pair_priority(local, remote)
        } else {
            pair_priority(remote, local)
        }
    }

    pub(crate) fn recompute_priorities(&mut self) {
        for i in 0..self.pairs.len() {
            let (l, r) = (self.pairs[i].local, self.pairs[i].remote);
            self.pairs[i].priority =
                self.priority_of(self.locals[l].priority, self.remotes[r].priority);
        }
    }

    /// RFC 8445 §6.1.2.6: for each foundation with nothing waiting, in
    /// progress or valid, the best frozen pair becomes Waiting.
    pub(crate) fn unfreeze_foundations(&mut self) {
        let mut foundations: Vec<&str> = self.pairs.iter().map(|p| p.foundation.as_str()).collect();
        foundations.sort_unstable();
        foundations.dedup();
        let foundations: Vec<String> = foundations.into_iter().map(String::from).collect();
        for f in foundations {
            let busy = self.pairs.iter().any(|p| {
                p.foundation == f
                    && matches!(
                        p.state,
                        PairState::Waiting | PairState::InProgress | PairState::Succeeded
                    )
            });
            if busy {
                continue;
            }
            if let Some(best) = self
                .pairs
                .iter()
                .enumerate()
                .filter(|(_, p)| p.foundation == f && p.state == PairState::Frozen)
                .max_by_key(|(_, p)| (std::cmp::Reverse(p.component), p.priority))
                .map(|(i, _)| i)
            {
                self.pairs[best].state = PairState::Waiting;
            }
        }
    }

    /// Whether every active component has a selected pair.
    pub(crate) fn all_selected(&self) -> bool {
        self.active_components()
            .all(|c| self.selected[usize::from(c) - 1].is_some_and(|p| !p.lost))
    }

    /// Whether a paced check could be sent now.
    pub(crate) fn has_check_work(&self) -> bool {
        if self.config.lite || self.remote.is_none() || self.closed {
            return false;
        }
        if !self.triggered.is_empty() {
            return true;
        }
        !self.all_selected()
            && self
                .pairs
                .iter()
                .any(|p| matches!(p.state, PairState::Waiting | PairState::Frozen))
    }

    /// Arms the pacing timer if there is work: at most one new check per Ta.
    pub(crate) fn schedule_checks(&mut self, now: Instant) {
        if self.next_check_at.is_some() || !self.has_check_work() {
            return;
        }
        let at = self
            .last_check_at
            .map_or(now, |last| (last + self.config.ta).max(now));
        self.next_check_at = Some(at);
    }

    /// Sends one check: the triggered queue first, then the best Waiting
    /// pair, then the best Frozen one (RFC 8445 §6.1.4.2).
    pub(crate) fn run_one_check(&mut self, now: Instant) {
        if !self.has_check_work() {
            return;
        }
        let mut chosen = None;
        while let Some((pair, nominate)) = self.triggered.pop_front() {
            // A pair that became valid meanwhile needs no plain triggered check.
            let valid = self
                .pairs
                .get(pair)
                .is_some_and(|p| p.state == PairState::Succeeded);
            if pair < self.pairs.len() && (nominate || !valid) {
                chosen = Some((pair, nominate));
                break;
            }
        }
        if chosen.is_none() && !self.all_selected() {
            let pick = |state: PairState| {
                self.pairs
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.state == state && self.component_active(p.component))
                    .max_by_key(|(_, p)| p.priority)
                    .map(|(i, _)| i)
            };
            chosen = pick(PairState::Waiting)
                .or_else(|| pick(PairState::Frozen))
                .map(|i| (i, false));
        }
        let Some((pair, nominate)) = chosen else {
            return;
        };
        let aggressive = self.controlling && self.config.nomination == Nomination::Aggressive;
        self.send_check(now, pair, nominate || aggressive);
        self.last_check_at = Some(now);
    }

    /// Builds and sends a connectivity check on `pair`.
    pub(crate) fn send_check(&mut self, now: Instant, pair: usize, nominate: bool) {
        if self.transactions.len() >= self.config.max_transactions {
            self.stats.transactions_dropped += 1;
            return;
        }
        let Some(request) = self.build_check(pair, nominate && self.controlling) else {
            return;
        };
        let (id, bytes, priority) = request;
        let p = &mut self.pairs[pair];
        if p.state != PairState::Succeeded {
            p.state = PairState::InProgress;
        }
        let (local, remote) = (&self.locals[p.local], &self.remotes[p.remote]);
        let tx = Transaction {
            id,
            kind: TxKind::Check {
                pair,
                nominate: nominate && self.controlling,
            },
            source: local.base,
            destination: remote.address,
            relay: local.relay,
            request: bytes,
            key: self.remote.as_ref().map(|r| r.pwd.clone().into_bytes()),
            controlling: self.controlling,
            priority,
            sent: 1,
            max_sends: self.config.check_max_transmissions,
            rto: self.config.check_rto,
            next: now + self.config.check_rto,
            cancelled: false,
        };
        self.stats.checks_sent += 1;
        let (source, destination, relay) = (tx.source, tx.destination, tx.relay);
        let bytes = tx.request.clone();
        self.transactions.push(tx);
        self.transmit(now, source, destination, relay, &bytes);
    }

    /// A Binding request for `pair`: USERNAME, PRIORITY, the role with our
    /// tie-breaker, USE-CANDIDATE, MESSAGE-INTEGRITY, FINGERPRINT.
    pub(crate) fn build_check(
        &mut self,
        pair: usize,
        use_candidate: bool,
    ) -> Option<(TransactionId, Vec<u8>, u32)> {
        let remote = self.remote.as_ref()?;
        let p = self.pairs.get(pair)?;
        let local = &self.locals[p.local];
        let local_pref = ((local.priority >> 8) & 0xffff) as u16;
        let priority =
            candidate_priority(CandidateKind::PeerReflexive, local_pref, local.component);
        let username = format!("{}:{}", remote.ufrag, self.local.ufrag);
        let key = remote.pwd.clone();
        let (id, buf) = self.build_request(&username, &key, priority, use_candidate)?;
        Some((id, buf, priority))
    }

    /// A Binding request with our role and tie-breaker, signed with `key`.
    pub(crate) fn build_request(
        &mut self,
        username: &str,
        key: &str,
        priority: u32,
        use_candidate: bool,
    ) -> Option<(TransactionId, Vec<u8>)> {
        let id = TransactionId::random(&mut *self.rng);
        let mut buf = Vec::with_capacity(128);
        let mut b = MessageBuilder::new(&mut buf, MessageType::BINDING_REQUEST, id);
        let built = (|| {
            b.add(&Username(username))?.add(&Priority(priority))?;
            if self.controlling {
                b.add(&IceControlling(self.tie_breaker))?;
            } else {
                b.add(&IceControlled(self.tie_breaker))?;
            }
            if use_candidate {
                b.add(&UseCandidate)?;
            }
            b.add_message_integrity(key.as_bytes())?.add_fingerprint()?;
            Ok::<(), sansrtc_stun::StunError>(())
        })();
        built.ok()?;
        b.finish();
        Some((id, buf))
    }

    /// Retransmits due transactions; gives up after their last send.
    pub(crate) fn retransmit(&mut self, now: Instant) {
        let mut i = 0;
        while i < self.transactions.len() {
            if self.transactions[i].next > now {
                i += 1;
                continue;
            }
            let t = &mut self.transactions[i];
            if t.sent >= t.max_sends {
                let t = self.transactions.remove(i);
                self.transaction_failed(now, &t);
                continue;
            }
            t.sent += 1;
            let is_server = matches!(t.kind, TxKind::ServerBinding { .. });
            t.rto = if is_server {
                t.rto * 2
            } else {
                (t.rto * 2).min(self.config.check_rto_max)
            };
            t.next = now + t.rto;
            if t.sent == t.max_sends && is_server {
                // RFC 8489 §6.2.1: wait Rm (16) × the initial RTO after the last send.
                t.next = now + crate::gather::SERVER_RTO * 16;
            }
            let (source, destination, relay, bytes) =
                (t.source, t.destination, t.relay, t.request.clone());
            if matches!(t.kind, TxKind::Check { .. }) {
                self.stats.check_retransmissions += 1;
            }
            self.transmit(now, source, destination, relay, &bytes);
            i += 1;
        }
    }

    fn transaction_failed(&mut self, now: Instant, t: &Transaction) {
        match t.kind {
            TxKind::Check { pair, .. } if t.cancelled => {
                // Not a failure; if nothing else checks the pair, it waits for another turn.
                let other = self
                    .transactions
                    .iter()
                    .any(|u| matches!(u.kind, TxKind::Check { pair: q, .. } if q == pair));
                if let Some(p) = self.pairs.get_mut(pair) {
                    if !other && p.state == PairState::InProgress {
                        p.state = PairState::Waiting;
                        self.schedule_checks(now);
                    }
                }
            }
            TxKind::Check { pair, .. } => {
                if let Some(p) = self.pairs.get_mut(pair) {
                    p.nominating = false;
                    if p.state == PairState::InProgress {
                        p.state = PairState::Failed;
                    }
                }
                self.unfreeze_foundations();
            }
            TxKind::Consent { .. } => {}
            TxKind::ServerBinding { server } => self.server_binding_failed(now, t, server),
        }
    }

    /// A response to one of our checks or consent checks, integrity verified
    /// with the password the request was signed with.
    pub(crate) fn handle_check_response(
        &mut self,
        now: Instant,
        index: usize,
        response: &Message<'_>,
        source: SocketAddr,
        local: SocketAddr,
    ) {
        let t = self.transactions.remove(index);
        self.stats.responses_received += 1;
        let pair = match t.kind {
            TxKind::Check { pair, .. } => Some(pair),
            TxKind::Consent { component } => {
                if response.class() == Class::SuccessResponse
                    && source == t.destination
                    && local == t.source
                {
                    let slot = usize::from(component) - 1;
                    for p in [self.selected[slot].as_mut(), self.previous[slot].as_mut()]
                        .into_iter()
                        .flatten()
                    {
                        if p.info.remote == t.destination && p.info.local_base == t.source {
                            p.last_response = now;
                        }
                    }
                }
                None
            }
            TxKind::ServerBinding { .. } => None,
        };
        let Some(pair) = pair.filter(|&p| p < self.pairs.len()) else {
            return;
        };
        // RFC 8445 §7.2.5.2.1: the addresses must be symmetric.
        if source != t.destination || local != t.source {
            self.pairs[pair].state = PairState::Failed;
            self.pairs[pair].nominating = false;
            return;
        }
        if response.class() == Class::ErrorResponse {
            let code = response
                .get::<ErrorCode<'_>>()
                .ok()
                .flatten()
                .map(|e| e.code);
            if code == Some(ErrorCode::ROLE_CONFLICT) {
                // §7.2.5.1: switch to the role opposite to the one we sent, and retry.
                self.stats.role_conflicts += 1;
                self.set_role(!t.controlling);
                self.pairs[pair].state = PairState::Waiting;
                self.pairs[pair].nominating = false;
                self.push_triggered(pair, false);
                self.schedule_checks(now);
            } else {
                self.pairs[pair].state = PairState::Failed;
                self.pairs[pair].nominating = false;
            }
            return;
        }
        if response.class() != Class::SuccessResponse {
            return;
        }
        // A mapped address we do not know is a peer-reflexive local candidate (§7.2.5.3.1).
        if let Ok(Some(XorMappedAddress(mapped))) = response.get::<XorMappedAddress>() {
            let component = self.pairs[pair].component;
            let known = self
                .locals
                .iter()
                .any(|c| c.component == component && c.address == mapped);
            if !known && t.relay.is_none() {
                let foundation =
                    self.foundations
                        .get(CandidateKind::PeerReflexive, t.source.ip(), None);
                self.locals.push(LocalCandidate {
                    kind: CandidateKind::PeerReflexive,
                    component,
                    address: mapped,
                    base: t.source,
                    priority: t.priority,
                    foundation,
                    related: Some(t.source),
                    relay: None,
                });
            }
        }
        let component = self.pairs[pair].component;
        let p = &mut self.pairs[pair];
        p.state = PairState::Succeeded;
        if matches!(t.kind, TxKind::Check { nominate: true, .. }) || p.nominate_on_success {
            p.nominated = true;
        }
        p.nominating = false;
        let foundation = p.foundation.clone();
        for q in self.pairs.iter_mut() {
            if q.foundation == foundation && q.state == PairState::Frozen {
                q.state = PairState::Waiting;
            }
        }
        let slot = usize::from(component) - 1;
        if self.first_valid_at[slot].is_none() {
            self.first_valid_at[slot] = Some(now);
        }
        if let Some(path) = self.selected[slot].as_mut() {
            if path.pair == Some(pair) {
                path.last_response = now;
            }
        }
        self.update_selection(now);
        self.nominate(now);
        self.schedule_checks(now);
    }

    pub(crate) fn push_triggered(&mut self, pair: usize, nominate: bool) {
        if self
            .triggered
            .iter()
            .any(|&(p, n)| p == pair && n == nominate)
        {
            return;
        }
        if self.triggered.len() >= self.config.max_triggered_checks {
            self.stats.triggered_dropped += 1;
            return;
        }
        self.triggered.push_back((pair, nominate));
    }

    /// The best valid pair of a component, for nomination.
    pub(crate) fn best_valid(&self, component: u16) -> Option<usize> {
        self.pairs
            .iter()
            .enumerate()
            .filter(|(_, p)| p.component == component && p.state == PairState::Succeeded)
            .max_by_key(|(_, p)| p.priority)
            .map(|(i, _)| i)
    }

    /// Components the controlling agent still has to nominate with regular
    /// nomination. In a fixed array (there are at most two components):
    /// the timeout asks on every poll while nomination is pending, which is
    /// as long as data may already flow on a valid pair.
    fn nomination_pending(&self) -> impl Iterator<Item = u16> {
        let mut pending = [0u16; 2];
        let mut n = 0;
        if self.controlling
            && !self.config.lite
            && self.config.nomination == Nomination::Regular
            && self.remote.is_some()
        {
            for c in self.active_components() {
                let waiting = self.selected[usize::from(c) - 1].is_none_or_lost()
                    && !self
                        .pairs
                        .iter()
                        .any(|p| p.component == c && (p.nominating || p.nominated));
                if waiting && n < pending.len() {
                    pending[n] = c;
                    n += 1;
                }
            }
        }
        pending.into_iter().take(n)
    }

    /// When each pending nomination is due (`nominate` acts on them), and
    /// when a controlled agent selects an unnominated pair itself.
    pub(crate) fn nomination_deadlines(&self) -> impl Iterator<Item = Instant> + '_ {
        let nominations = self
            .nomination_pending()
            .filter(|&c| self.best_valid(c).is_some())
            .filter_map(|c| self.first_valid_at[usize::from(c) - 1])
            .map(|t| t + self.config.nomination_wait);
        let unnominated = self
            .unnominated_pending()
            .filter_map(|c| self.first_valid_at[usize::from(c) - 1])
            .map(|t| t + self.config.unnominated_wait);
        nominations.chain(unnominated)
    }

    /// Components of a controlled full agent with a valid pair, nothing
    /// selected, and no nomination yet: after `unnominated_wait` it
    /// selects the best valid pair itself. In a fixed array, as
    /// [`Agent::nomination_pending`].
    fn unnominated_pending(&self) -> impl Iterator<Item = u16> {
        let mut pending = [0u16; 2];
        let mut n = 0;
        if !self.controlling && !self.config.lite && self.remote.is_some() {
            for c in self.active_components() {
                let slot = usize::from(c) - 1;
                let waiting = self.selected[slot].is_none()
                    && self.previous[slot].is_none()
                    && self.best_valid(c).is_some();
                if waiting && n < pending.len() {
                    pending[n] = c;
                    n += 1;
                }
            }
        }
        pending.into_iter().take(n)
    }

    /// A controlled agent's own selection of the best valid pair of a
    /// component the peer has not nominated within `unnominated_wait`
    /// (see [`crate::AgentConfig::unnominated_wait`]): a path whose
    /// consent is then checked like any selected one.
    fn select_unnominated(&mut self, now: Instant) {
        for c in self.unnominated_pending() {
            let slot = usize::from(c) - 1;
            let waited =
                self.first_valid_at[slot].is_some_and(|t| now >= t + self.config.unnominated_wait);
            if let (true, Some(best)) = (waited, self.best_valid(c)) {
                self.select(now, c, best, false);
            }
        }
    }

    /// Regular nomination: once the best valid pair cannot be beaten by a
    /// pair still being checked (or `nomination_wait` has passed), check it
    /// again with USE-CANDIDATE.
    pub(crate) fn nominate(&mut self, now: Instant) {
        self.select_unnominated(now);
        for c in self.nomination_pending() {
            let Some(best) = self.best_valid(c) else {
                continue;
            };
            let best_priority = self.pairs[best].priority;
            let better_pending = self.pairs.iter().any(|p| {
                p.component == c
                    && p.priority > best_priority
                    && matches!(
                        p.state,
                        PairState::Waiting | PairState::InProgress | PairState::Frozen
                    )
            });
            let waited = self.first_valid_at[usize::from(c) - 1]
                .is_some_and(|t| now >= t + self.config.nomination_wait);
            if !better_pending || waited {
                self.pairs[best].nominating = true;
                self.push_triggered(best, true);
                self.schedule_checks(now);
            }
        }
    }

    /// Selects, per component, the best nominated valid pair.
    pub(crate) fn update_selection(&mut self, now: Instant) {
        let components: Vec<u16> = self.active_components().collect();
        for c in components {
            let slot = usize::from(c) - 1;
            let best = self
                .pairs
                .iter()
                .enumerate()
                .filter(|(_, p)| p.component == c && p.nominated && p.state == PairState::Succeeded)
                .max_by_key(|(_, p)| p.priority)
                .map(|(i, _)| i);
            let Some(best) = best else { continue };
            if let Some(path) = self.selected[slot].as_mut() {
                if path.pair == Some(best) && !path.lost {
                    // Already in use (perhaps selected before the peer
                    // nominated it): now nominated, same path.
                    path.nominated = true;
                    continue;
                }
            }
            self.select(now, c, best, true);
        }
        if self.previous.iter().all(Option::is_none) && self.all_selected() {
            self.previous_local = None;
            self.previous_remote = None;
        }
    }

    /// Makes `best` the selected path of component `c`.
    fn select(&mut self, now: Instant, c: u16, best: usize, nominated: bool) {
        let slot = usize::from(c) - 1;
        let jitter = self.consent_jitter();
        let p = &self.pairs[best];
        let (l, r) = (&self.locals[p.local], &self.remotes[p.remote]);
        let info = SelectedPair {
            component: c,
            local: l.address,
            local_base: l.base,
            local_kind: l.kind,
            remote: r.address,
            remote_kind: r.kind,
        };
        let local_pref = ((l.priority >> 8) & 0xffff) as u16;
        let prflx_priority = candidate_priority(CandidateKind::PeerReflexive, local_pref, c);
        self.selected[slot] = Some(Path {
            pair: Some(best),
            prflx_priority,
            info,
            relay: l.relay,
            last_response: now,
            consent_next: now + jitter,
            lost: false,
            nominated,
        });
        self.previous[slot] = None;
        // A pair that works ends a failure (as libwebrtc does; see docs/ice.md).
        self.failed = false;
        self.emit(IceEvent::Selected(info));
    }
}

/// `Option<Path>`: nothing selected, or a path that lost consent.
trait PathSlot {
    fn is_none_or_lost(&self) -> bool;
}

impl PathSlot for Option<Path> {
    fn is_none_or_lost(&self) -> bool {
        self.map_or(true, |p| p.lost)
    }
}
