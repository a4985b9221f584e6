//! What the client does with bytes from the server: responses (checked
//! before anything changes), Data indications and ChannelData.

use std::net::SocketAddr;
use std::time::Instant;

use sansrtc_proto::Receive;
use sansrtc_stun::attributes::{
    AlternateServer, Data, ErrorCode, Lifetime, XorMappedAddress, XorPeerAddress, XorRelayedAddress,
};
use sansrtc_stun::{AuthStep, ChannelData, Class, Frame, LongTermAuth, Message, Method, StunError};

use crate::client::{TurnClient, MAX_STALE_NONCES};
use crate::config::{
    CHANNEL_LIFETIME, CHANNEL_REFRESH, ERROR_SERVER_NOT_REACHABLE, PERMISSION_LIFETIME,
    PERMISSION_REFRESH,
};
use crate::event::{TurnEvent, TurnState};
use crate::peers::{BindingState, Permission};
use crate::transaction::Purpose;

/// The method a response to `purpose` must carry.
fn method_of(purpose: Purpose) -> Method {
    match purpose {
        Purpose::Allocate => Method::ALLOCATE,
        Purpose::Refresh { .. } => Method::REFRESH,
        Purpose::CreatePermission { .. } => Method::CREATE_PERMISSION,
        Purpose::ChannelBind { .. } => Method::CHANNEL_BIND,
    }
}

/// What a validated success response carries for its purpose.
enum Success {
    Allocated {
        relayed: SocketAddr,
        mapped: Option<SocketAddr>,
        lifetime: u32,
    },
    Refreshed {
        lifetime: u32,
    },
    Other,
}

impl TurnClient {
    /// Offers a received datagram (UDP) or stream bytes (TCP/TLS: any
    /// chunk of the connection's byte stream, in order) to the client.
    ///
    /// Returns whether it was this client's: from its server on its
    /// transport, and (UDP) a response to one of its requests, a Data
    /// indication or ChannelData. Anything else returns `false` untouched,
    /// so a caller can offer the datagram to its other machines (a STUN
    /// Binding response to the ICE agent from the same server, say). On a
    /// stream every byte from the server is the client's.
    pub fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) -> bool {
        if datagram.protocol != self.config.protocol
            || datagram.source != self.server
            || self.state == TurnState::New
        {
            return false;
        }
        let consumed = if self.config.is_stream() {
            self.receive_stream(now, datagram.contents);
            true
        } else if datagram.destination != self.config.local {
            false
        } else {
            self.receive_message(now, datagram.contents)
        };
        self.update_timers();
        consumed
    }

    fn receive_stream(&mut self, now: Instant, bytes: &[u8]) {
        if self.state.is_terminal() {
            return;
        }
        if let Err(e) = self.deframer.push(bytes) {
            self.fail(
                ERROR_SERVER_NOT_REACHABLE,
                format!("stream from the TURN server overflowed: {e}"),
            );
            return;
        }
        while !self.state.is_terminal() {
            let frame = match self.deframer.next_frame() {
                None => break,
                Some(Ok(Frame::Stun(b) | Frame::ChannelData(b))) => b.to_vec(),
                Some(Err(e)) => {
                    self.fail(
                        ERROR_SERVER_NOT_REACHABLE,
                        format!("stream from the TURN server cannot be framed: {e}"),
                    );
                    break;
                }
            };
            self.receive_message(now, &frame);
        }
    }

    /// One datagram or stream frame from the server.
    fn receive_message(&mut self, now: Instant, bytes: &[u8]) -> bool {
        if ChannelData::looks_like_channel_data(bytes) {
            match ChannelData::parse(bytes) {
                Ok(cd) => self.on_channel_data(now, cd),
                Err(_) => self.stats.data_dropped += 1,
            }
            return true;
        }
        let Ok(message) = Message::parse(bytes) else {
            self.stats.ignored += 1;
            return false;
        };
        match (message.class(), message.method()) {
            (Class::SuccessResponse | Class::ErrorResponse, _) => self.on_response(now, &message),
            (Class::Indication, Method::DATA) => {
                self.on_data_indication(now, &message);
                true
            }
            _ => {
                self.stats.ignored += 1;
                false
            }
        }
    }

    fn discard(&mut self) -> bool {
        self.stats.responses_discarded += 1;
        true
    }

    fn on_response(&mut self, now: Instant, m: &Message<'_>) -> bool {
        let Some(pos) = self
            .transactions
            .iter()
            .position(|t| t.id == m.transaction_id())
        else {
            self.stats.responses_unmatched += 1;
            return false;
        };
        let purpose = self.transactions[pos].purpose;
        if m.method() != method_of(purpose)
            || (m.has_fingerprint() && m.verify_fingerprint().is_err())
        {
            return self.discard();
        }
        let code = m.get::<ErrorCode<'_>>().ok().flatten();
        if purpose == Purpose::Allocate
            && m.class() == Class::ErrorResponse
            && code.is_some_and(|c| c.code == ErrorCode::TRY_ALTERNATE)
        {
            return self.on_try_alternate(now, pos, m);
        }
        let reason = code
            .map(|c| c.reason.to_owned())
            .unwrap_or_else(|| "Error".into());
        match self.auth.handle_response(m) {
            Ok(AuthStep::Accepted) => {
                if m.unknown_comprehension_required().next().is_some() {
                    return self.discard();
                }
                let Some(success) = Self::read_success(purpose, m) else {
                    return self.discard();
                };
                self.transactions.remove(pos);
                self.on_success(now, purpose, success);
            }
            Ok(AuthStep::Retry) => {
                let tx = self.transactions.remove(pos);
                let stale = tx.stale_nonces
                    + u32::from(code.is_some_and(|c| c.code == ErrorCode::STALE_NONCE));
                if stale > MAX_STALE_NONCES {
                    self.on_error(now, purpose, ErrorCode::STALE_NONCE, reason);
                } else {
                    self.send_request(now, purpose, stale);
                }
            }
            Ok(AuthStep::Error(code)) => {
                // RFC 8489 §9.2.5: an answer to an authenticated request
                // without integrity is discarded (handle_response verified
                // it when present).
                if self.auth.is_ready() && !(m.has_integrity() || m.has_integrity_sha256()) {
                    return self.discard();
                }
                self.transactions.remove(pos);
                self.on_error(now, purpose, code, reason);
            }
            Err(StunError::CredentialsRejected(code)) => {
                self.transactions.remove(pos);
                self.on_error(now, purpose, code, reason);
            }
            Err(
                e @ (StunError::PasswordAlgorithmsChanged
                | StunError::UnsupportedPasswordAlgorithm
                | StunError::TooManyStaleNonces(_)),
            ) => {
                self.transactions.remove(pos);
                self.on_error(
                    now,
                    purpose,
                    code.map_or(ErrorCode::UNAUTHENTICATED, |c| c.code),
                    e.to_string(),
                );
            }
            // Bad or missing integrity, a challenge without REALM/NONCE, a
            // malformed ERROR-CODE: as if never received (retransmissions
            // go on; on a stream the transaction times out).
            Err(_) => return self.discard(),
        }
        true
    }

    /// Checks that a success response has what its purpose needs.
    fn read_success(purpose: Purpose, m: &Message<'_>) -> Option<Success> {
        match purpose {
            Purpose::Allocate => {
                let relayed = m.get::<XorRelayedAddress>().ok()??.0;
                let lifetime = m.get::<Lifetime>().ok()?.map_or(600, |l| l.0);
                let mapped = m.get::<XorMappedAddress>().ok().flatten().map(|a| a.0);
                if lifetime == 0 {
                    return None;
                }
                Some(Success::Allocated {
                    relayed,
                    mapped,
                    lifetime,
                })
            }
            Purpose::Refresh { lifetime: asked } => {
                let lifetime = m.get::<Lifetime>().ok()?.map_or(asked, |l| l.0);
                Some(Success::Refreshed { lifetime })
            }
            Purpose::CreatePermission { .. } | Purpose::ChannelBind { .. } => Some(Success::Other),
        }
    }

    fn on_success(&mut self, now: Instant, purpose: Purpose, success: Success) {
        match (purpose, success) {
            (
                Purpose::Allocate,
                Success::Allocated {
                    relayed,
                    mapped,
                    lifetime,
                },
            ) => {
                if self.state != TurnState::Allocating {
                    return;
                }
                let lifetime = std::time::Duration::from_secs(u64::from(lifetime));
                self.state = TurnState::Allocated;
                self.relayed = Some(relayed);
                self.mapped = mapped;
                self.lifetime = lifetime;
                self.expires_at = Some(now + lifetime);
                self.refresh_at = Some(Self::refresh_time(now, lifetime));
                self.emit(TurnEvent::Allocated {
                    relayed,
                    mapped,
                    lifetime,
                });
            }
            (Purpose::Refresh { lifetime: 0 }, _) => self.finish_closed(),
            (Purpose::Refresh { .. }, Success::Refreshed { lifetime }) => {
                if self.state != TurnState::Allocated {
                    return;
                }
                if lifetime == 0 {
                    self.fail(
                        ErrorCode::ALLOCATION_MISMATCH,
                        "the server ended the allocation".into(),
                    );
                    return;
                }
                let lifetime = std::time::Duration::from_secs(u64::from(lifetime));
                self.lifetime = lifetime;
                self.expires_at = Some(now + lifetime);
                self.refresh_at = Some(Self::refresh_time(now, lifetime));
            }
            (Purpose::CreatePermission { ip }, _) => {
                if let Some(p) = self.permissions.get_mut(&ip) {
                    p.state = BindingState::Installed;
                    p.in_flight = false;
                    p.refresh_at = Some(now + PERMISSION_REFRESH);
                    p.expires_at = Some(now + PERMISSION_LIFETIME);
                    self.flush_queue(now, ip);
                }
            }
            (Purpose::ChannelBind { peer, channel }, _) => {
                let Some(c) = self.channels.get_mut(&peer) else {
                    return;
                };
                if c.number != channel {
                    return;
                }
                c.state = BindingState::Installed;
                c.in_flight = false;
                c.refresh_at = Some(now + CHANNEL_REFRESH);
                c.expires_at = Some(now + CHANNEL_LIFETIME);
                // ChannelBind installs or refreshes the peer's permission
                // too (RFC 8656 §12.2).
                let ip = peer.ip();
                let room = self.permissions.len() < self.config.max_permissions;
                if let Some(p) = self.permissions.get_mut(&ip) {
                    if !p.in_flight {
                        p.state = BindingState::Installed;
                        p.refresh_at = Some(now + PERMISSION_REFRESH);
                        p.expires_at = Some(now + PERMISSION_LIFETIME);
                    }
                } else if room {
                    let mut p = Permission::pending(now);
                    p.state = BindingState::Installed;
                    p.in_flight = false;
                    p.refresh_at = Some(now + PERMISSION_REFRESH);
                    p.expires_at = Some(now + PERMISSION_LIFETIME);
                    self.permissions.insert(ip, p);
                }
            }
            (Purpose::Allocate | Purpose::Refresh { .. }, _) => {}
        }
    }

    fn on_error(&mut self, now: Instant, purpose: Purpose, code: u16, text: String) {
        match purpose {
            Purpose::Allocate => self.fail(code, text),
            Purpose::Refresh { lifetime: 0 } => self.finish_closed(),
            Purpose::Refresh { .. } => self.fail(code, text),
            Purpose::CreatePermission { ip } => self.permission_failed(now, ip, code, text),
            Purpose::ChannelBind { peer, .. } => self.channel_failed(peer, code, text),
        }
    }

    /// A 300 Try Alternate to the Allocate: follow ALTERNATE-SERVER once
    /// (UDP, same family), else fail with 300.
    fn on_try_alternate(&mut self, now: Instant, pos: usize, m: &Message<'_>) -> bool {
        if let Some(key) = self.auth.key() {
            // After a challenge, only an authenticated redirect counts.
            if m.verify_any_integrity(key).is_err() {
                return self.discard();
            }
        }
        let alternate = m.get::<AlternateServer>().ok().flatten().map(|a| a.0);
        self.transactions.remove(pos);
        match alternate {
            Some(to)
                if self.config.follow_alternate_server
                    && !self.redirected
                    && !self.config.is_stream()
                    && to.is_ipv4() == self.server.is_ipv4()
                    && to != self.server =>
            {
                let from = self.server;
                self.server = to;
                self.redirected = true;
                self.auth =
                    LongTermAuth::new(self.config.username.clone(), self.config.password.clone())
                        .with_max_stale_nonces(u32::MAX);
                self.emit(TurnEvent::Redirected { from, to });
                self.send_request(now, Purpose::Allocate, 0);
            }
            _ => self.fail(
                ErrorCode::TRY_ALTERNATE,
                match alternate {
                    Some(to) => format!("Try Alternate {to} (not followed)"),
                    None => "Try Alternate without ALTERNATE-SERVER".into(),
                },
            ),
        }
        true
    }

    fn on_data_indication(&mut self, now: Instant, m: &Message<'_>) {
        if self.state != TurnState::Allocated
            || (m.has_fingerprint() && m.verify_fingerprint().is_err())
        {
            self.stats.data_dropped += 1;
            return;
        }
        let (Ok(Some(XorPeerAddress(peer))), Ok(Some(Data(data)))) =
            (m.get::<XorPeerAddress>(), m.get::<Data<'_>>())
        else {
            self.stats.data_dropped += 1;
            return;
        };
        // RFC 8656 §11.6: only from peers we believe hold a permission.
        match self.permissions.get_mut(&peer.ip()) {
            Some(p) if p.state != BindingState::Failed => p.last_used = now,
            _ => {
                self.stats.data_dropped += 1;
                return;
            }
        }
        self.stats.data_received += 1;
        self.emit(TurnEvent::Data {
            peer,
            data: data.to_vec(),
        });
    }

    fn on_channel_data(&mut self, now: Instant, cd: ChannelData<'_>) {
        let peer = self.channel_peers.get(&cd.channel).copied();
        let live = peer.and_then(|p| self.channels.get_mut(&p).map(|c| (p, c)));
        match live {
            Some((peer, c))
                if self.state == TurnState::Allocated && c.state != BindingState::Failed =>
            {
                c.last_used = now;
                if let Some(p) = self.permissions.get_mut(&peer.ip()) {
                    p.last_used = now;
                }
                self.stats.data_received += 1;
                self.emit(TurnEvent::Data {
                    peer,
                    data: cd.data.to_vec(),
                });
            }
            _ => self.stats.data_dropped += 1,
        }
    }
}
