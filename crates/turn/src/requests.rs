//! Building and sending requests, and the data-plane commands: `send_to`,
//! `create_permission`, `bind_channel`.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use sansrtc_proto::Transmit;
use sansrtc_stun::attributes::{
    AddressFamily, ChannelNumber, Data, Lifetime, RequestedAddressFamily, RequestedTransport,
    Software, XorPeerAddress,
};
use sansrtc_stun::{
    ChannelData, Class, MessageBuilder, MessageType, Method, StunError, TransactionId,
};

use crate::client::TurnClient;
use crate::config::MAX_PAYLOAD;
use crate::error::TurnError;
use crate::event::{TurnEvent, TurnState};
use crate::peers::{BindingState, Channel, Permission};
use crate::transaction::{Purpose, Transaction};

impl TurnClient {
    /// Sends data to `peer` through the relay.
    ///
    /// - A peer with a bound channel gets ChannelData.
    /// - A peer whose permission is installed gets a Send indication, and
    ///   (with `auto_channel_bind`) a ChannelBind starts for it.
    /// - Otherwise a CreatePermission starts (if none is pending) and the
    ///   datagram waits, within the queue bounds, until it is installed.
    pub fn send_to(
        &mut self,
        now: Instant,
        peer: SocketAddr,
        data: &[u8],
    ) -> Result<(), TurnError> {
        self.check_peer(peer.ip())?;
        if data.len() > MAX_PAYLOAD {
            return Err(TurnError::PayloadTooLarge {
                len: data.len(),
                max: MAX_PAYLOAD,
            });
        }
        let result = self.route(now, peer, data);
        self.update_timers();
        result
    }

    fn route(&mut self, now: Instant, peer: SocketAddr, data: &[u8]) -> Result<(), TurnError> {
        if let Some(c) = self.channels.get_mut(&peer) {
            c.last_used = now;
            if c.state == BindingState::Installed {
                let number = c.number;
                self.keep_permission_for_channel(now, peer.ip());
                self.send_channel_data(number, data);
                return Ok(());
            }
        }
        match self.permissions.get(&peer.ip()).map(|p| p.state) {
            Some(BindingState::Installed) => {
                self.touch_permission(now, peer.ip());
                self.send_indication(peer, data);
                self.maybe_bind_channel(now, peer);
                Ok(())
            }
            Some(BindingState::Pending) => {
                self.touch_permission(now, peer.ip());
                self.enqueue(peer, data)
            }
            Some(BindingState::Failed) => Err(TurnError::PermissionRefused(peer.ip())),
            Some(BindingState::Expired) => {
                self.check_queue(data.len())?;
                self.request_permission(now, peer.ip());
                self.enqueue(peer, data)
            }
            None => {
                if self.permissions.len() >= self.config.max_permissions {
                    return Err(TurnError::PermissionLimit(self.config.max_permissions));
                }
                self.check_queue(data.len())?;
                self.permissions.insert(peer.ip(), Permission::pending(now));
                self.send_request(now, Purpose::CreatePermission { ip: peer.ip() }, 0);
                self.enqueue(peer, data)
            }
        }
    }

    /// A channel needs its peer's permission too: the server checks it
    /// for ChannelData, and a ChannelBind refreshes it only every 540 s.
    /// Keep it used, and ask again when it lapsed or was never there.
    fn keep_permission_for_channel(&mut self, now: Instant, ip: IpAddr) {
        match self.permissions.get(&ip).map(|p| p.state) {
            Some(BindingState::Installed | BindingState::Pending) => self.touch_permission(now, ip),
            Some(BindingState::Expired) => self.request_permission(now, ip),
            None if self.permissions.len() < self.config.max_permissions => {
                self.permissions.insert(ip, Permission::pending(now));
                self.send_request(now, Purpose::CreatePermission { ip }, 0);
            }
            // Refused, or no room: the channel's own permission carries on
            // until the server drops it.
            Some(BindingState::Failed) | None => {}
        }
    }

    /// Installs (or keeps alive) a permission for `ip` ahead of traffic, as
    /// ICE does for each remote candidate. A refused one is requested
    /// again.
    pub fn create_permission(&mut self, now: Instant, ip: IpAddr) -> Result<(), TurnError> {
        self.check_peer(ip)?;
        let result = match self.permissions.get(&ip).map(|p| p.state) {
            Some(BindingState::Installed | BindingState::Pending) => {
                self.touch_permission(now, ip);
                Ok(())
            }
            Some(BindingState::Failed | BindingState::Expired) => {
                self.request_permission(now, ip);
                Ok(())
            }
            None if self.permissions.len() >= self.config.max_permissions => {
                Err(TurnError::PermissionLimit(self.config.max_permissions))
            }
            None => {
                self.permissions.insert(ip, Permission::pending(now));
                self.send_request(now, Purpose::CreatePermission { ip }, 0);
                Ok(())
            }
        };
        self.update_timers();
        result
    }

    /// Binds a channel to `peer` (or keeps the existing one) and returns
    /// its number. ChannelData is used for the peer once the server
    /// confirms.
    pub fn bind_channel(&mut self, now: Instant, peer: SocketAddr) -> Result<u16, TurnError> {
        self.check_peer(peer.ip())?;
        let result = self.bind(now, peer);
        self.update_timers();
        result
    }

    fn bind(&mut self, now: Instant, peer: SocketAddr) -> Result<u16, TurnError> {
        if let Some(c) = self.channels.get_mut(&peer) {
            c.last_used = now;
            let number = c.number;
            if matches!(c.state, BindingState::Expired | BindingState::Failed) && !c.in_flight {
                c.state = BindingState::Pending;
                c.in_flight = true;
                self.send_request(
                    now,
                    Purpose::ChannelBind {
                        peer,
                        channel: number,
                    },
                    0,
                );
            }
            return Ok(number);
        }
        if self.channels.len() >= self.config.max_channels || self.next_channel > ChannelNumber::MAX
        {
            return Err(TurnError::ChannelLimit(self.config.max_channels));
        }
        let number = self.next_channel;
        self.next_channel += 1;
        self.channels.insert(
            peer,
            Channel {
                number,
                state: BindingState::Pending,
                in_flight: true,
                refresh_at: None,
                expires_at: None,
                last_used: now,
            },
        );
        self.channel_peers.insert(number, peer);
        self.send_request(
            now,
            Purpose::ChannelBind {
                peer,
                channel: number,
            },
            0,
        );
        Ok(number)
    }

    /// Binds a channel for an active peer when automatic binding is on and
    /// there is room; failures are not errors (Send indications work).
    pub(crate) fn maybe_bind_channel(&mut self, now: Instant, peer: SocketAddr) {
        if !self.config.auto_channel_bind {
            return;
        }
        let usable = match self.channels.get(&peer) {
            Some(c) => c.state == BindingState::Expired,
            None => self.channels.len() < self.config.max_channels,
        };
        if usable {
            let _ = self.bind(now, peer);
        }
    }

    fn check_peer(&self, ip: IpAddr) -> Result<(), TurnError> {
        if self.state != TurnState::Allocated {
            return Err(TurnError::NotAllocated(self.state));
        }
        match self.relayed {
            Some(relayed) if relayed.is_ipv4() == ip.is_ipv4() => Ok(()),
            Some(relayed) => Err(TurnError::PeerFamilyMismatch { peer: ip, relayed }),
            None => Err(TurnError::NotAllocated(self.state)),
        }
    }

    fn check_queue(&self, len: usize) -> Result<(), TurnError> {
        if self.queue.fits(
            len,
            self.config.max_queued_packets,
            self.config.max_queued_bytes,
        ) {
            Ok(())
        } else {
            Err(TurnError::QueueFull {
                packets: self.queue.len(),
                bytes: self.queue.bytes(),
            })
        }
    }

    fn enqueue(&mut self, peer: SocketAddr, data: &[u8]) -> Result<(), TurnError> {
        if let Err(e) = self.check_queue(data.len()) {
            self.stats.queue_dropped += 1;
            return Err(e);
        }
        self.queue.push(peer, data.to_vec());
        Ok(())
    }

    fn touch_permission(&mut self, now: Instant, ip: IpAddr) {
        if let Some(p) = self.permissions.get_mut(&ip) {
            p.last_used = now;
        }
    }

    /// Re-requests a failed or lapsed permission.
    fn request_permission(&mut self, now: Instant, ip: IpAddr) {
        if let Some(p) = self.permissions.get_mut(&ip) {
            if p.in_flight {
                return;
            }
            *p = Permission::pending(now);
        }
        self.send_request(now, Purpose::CreatePermission { ip }, 0);
    }

    /// Sends every queued datagram for `ip` (its permission is installed)
    /// and binds channels for those peers.
    pub(crate) fn flush_queue(&mut self, now: Instant, ip: IpAddr) {
        let ready = self.queue.take_where(|peer| peer.ip() == ip);
        let mut peers: Vec<SocketAddr> = Vec::new();
        for q in ready {
            self.send_indication(q.peer, &q.data);
            if !peers.contains(&q.peer) {
                peers.push(q.peer);
            }
        }
        for peer in peers {
            self.maybe_bind_channel(now, peer);
        }
    }

    pub(crate) fn permission_failed(&mut self, now: Instant, ip: IpAddr, code: u16, text: String) {
        if let Some(p) = self.permissions.get_mut(&ip) {
            p.state = BindingState::Failed;
            p.in_flight = false;
            // Forget the refusal after a permission's lifetime.
            p.refresh_at = Some(now + crate::config::PERMISSION_LIFETIME);
        }
        let dropped = self.queue.take_where(|peer| peer.ip() == ip).len();
        self.stats.queue_dropped += dropped as u64;
        self.emit(TurnEvent::PermissionFailed {
            peer: ip,
            code,
            text,
        });
    }

    /// A CreatePermission got no answer: a first request is forgotten, a
    /// refresh leaves the permission lapsed (`Expired`, the server may
    /// still hold it); either way the next `send_to` asks again. Queued
    /// data for the IP is dropped.
    pub(crate) fn permission_timed_out(&mut self, ip: IpAddr) {
        match self.permissions.get_mut(&ip) {
            Some(p) if p.state == BindingState::Installed => {
                p.state = BindingState::Expired;
                p.in_flight = false;
                p.refresh_at = None;
            }
            Some(_) => {
                self.permissions.remove(&ip);
            }
            None => {}
        }
        let dropped = self.queue.take_where(|peer| peer.ip() == ip).len();
        self.stats.queue_dropped += dropped as u64;
        self.emit(TurnEvent::PermissionFailed {
            peer: ip,
            code: crate::config::ERROR_SERVER_NOT_REACHABLE,
            text: "CreatePermission timed out".into(),
        });
    }

    /// A ChannelBind got no answer: the channel lapses (`Expired`, keeping
    /// its number for the peer) and is bound again when the peer is used.
    pub(crate) fn channel_timed_out(&mut self, peer: SocketAddr) {
        if let Some(c) = self.channels.get_mut(&peer) {
            c.state = BindingState::Expired;
            c.in_flight = false;
            c.refresh_at = None;
        }
        self.emit(TurnEvent::ChannelBindFailed {
            peer,
            code: crate::config::ERROR_SERVER_NOT_REACHABLE,
            text: "ChannelBind timed out".into(),
        });
    }

    pub(crate) fn channel_failed(&mut self, peer: SocketAddr, code: u16, text: String) {
        if let Some(c) = self.channels.get_mut(&peer) {
            c.state = BindingState::Failed;
            c.in_flight = false;
            c.refresh_at = None;
            c.expires_at = None;
        }
        self.emit(TurnEvent::ChannelBindFailed { peer, code, text });
    }

    fn push_transmit(&mut self, contents: Vec<u8>) {
        self.outbox.push_back(Transmit {
            protocol: self.config.protocol,
            source: self.config.local,
            destination: self.server,
            contents,
        });
    }

    fn send_channel_data(&mut self, channel: u16, data: &[u8]) {
        let mut buf = Vec::with_capacity(data.len() + 8);
        let pad = self.config.is_stream();
        if (ChannelData { channel, data })
            .encode(&mut buf, pad)
            .is_ok()
        {
            self.stats.data_sent += 1;
            self.push_transmit(buf);
        }
    }

    fn send_indication(&mut self, peer: SocketAddr, data: &[u8]) {
        let mut buf = Vec::with_capacity(data.len() + 48);
        let tid = TransactionId::random(&mut self.rng);
        let mut b = MessageBuilder::new(
            &mut buf,
            MessageType::new(Method::SEND, Class::Indication),
            tid,
        );
        let ok = b.add(&XorPeerAddress(peer)).is_ok() && b.add(&Data(data)).is_ok();
        b.finish();
        if ok {
            self.stats.data_sent += 1;
            self.push_transmit(buf);
        }
    }

    /// Builds, sends and records a request for `purpose`.
    pub(crate) fn send_request(&mut self, now: Instant, purpose: Purpose, stale_nonces: u32) {
        let id = TransactionId::random(&mut self.rng);
        match self.build_request(id, purpose) {
            Ok(request) => {
                self.push_transmit(request.clone());
                let timing = self.timing();
                self.transactions.push(Transaction::new(
                    id,
                    purpose,
                    request,
                    now,
                    &timing,
                    stale_nonces,
                ));
            }
            // Our own attributes always fit; a failure here is a bug, and
            // the request is reported as failed rather than panicking.
            Err(e) => self.on_request_unbuildable(now, purpose, e),
        }
    }

    fn on_request_unbuildable(&mut self, now: Instant, purpose: Purpose, e: StunError) {
        let text = format!("cannot build the request: {e}");
        match purpose {
            Purpose::Allocate | Purpose::Refresh { .. } => self.fail(500, text),
            Purpose::CreatePermission { ip } => self.permission_failed(now, ip, 500, text),
            Purpose::ChannelBind { peer, .. } => self.channel_failed(peer, 500, text),
        }
    }

    fn build_request(&self, id: TransactionId, purpose: Purpose) -> Result<Vec<u8>, StunError> {
        let method = match purpose {
            Purpose::Allocate => Method::ALLOCATE,
            Purpose::Refresh { .. } => Method::REFRESH,
            Purpose::CreatePermission { .. } => Method::CREATE_PERMISSION,
            Purpose::ChannelBind { .. } => Method::CHANNEL_BIND,
        };
        let mut buf = Vec::with_capacity(160);
        let mut b = MessageBuilder::new(&mut buf, MessageType::new(method, Class::Request), id);
        let authenticated = self.auth.is_ready();
        if authenticated {
            self.auth.add_credentials(&mut b)?;
        }
        match purpose {
            Purpose::Allocate => {
                b.add(&RequestedTransport::UDP)?;
                let secs = self.config.requested_lifetime.as_secs();
                if secs > 0 {
                    b.add(&Lifetime(u32::try_from(secs).unwrap_or(u32::MAX)))?;
                }
                if self.config.request_ipv6_relay {
                    b.add(&RequestedAddressFamily(AddressFamily::V6))?;
                }
            }
            Purpose::Refresh { lifetime } => {
                b.add(&Lifetime(lifetime))?;
            }
            Purpose::CreatePermission { ip } => {
                b.add(&XorPeerAddress(SocketAddr::new(ip, 0)))?;
            }
            Purpose::ChannelBind { peer, channel } => {
                b.add(&ChannelNumber(channel))?;
                b.add(&XorPeerAddress(peer))?;
            }
        }
        if let Some(software) = &self.config.software {
            b.add(&Software(software))?;
        }
        if authenticated {
            self.auth.add_integrity(&mut b)?;
        }
        b.add_fingerprint()?;
        b.finish();
        Ok(buf)
    }
}
