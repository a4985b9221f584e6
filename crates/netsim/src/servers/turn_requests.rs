//! The TURN server's authenticated requests: long-term credentials with a
//! nonce (RFC 8489 §9.2, RFC 8656 §7.2 step 1), Allocate (§7.2), Refresh
//! (§7.3), CreatePermission (§9.2) and ChannelBind (§12.2).

use std::net::IpAddr;
use std::time::{Duration, Instant};

use sansrtc_stun::attributes::{
    AddressFamily, ChannelNumber, ErrorCode, Lifetime, Nonce, Realm, RequestedAddressFamily,
    RequestedTransport, Username, XorMappedAddress, XorPeerAddress, XorRelayedAddress,
};
use sansrtc_stun::{long_term_key, AttributeType, Class, Message, Method};

use super::turn_allocation::{Allocation, BindRefused, FiveTuple};
use super::turn_server::{TurnEvent, TurnServer};
use super::{error_response, response, udp};

/// An error code, or a response already built.
type Reply = Result<Vec<u8>, u16>;

impl TurnServer {
    /// Handles an Allocate, Refresh, CreatePermission or ChannelBind
    /// request from `tuple`.
    pub(crate) fn turn_request(&mut self, now: Instant, tuple: FiveTuple, m: &Message<'_>) {
        let unknown: Vec<AttributeType> = m.unknown_comprehension_required().collect();
        let reply = if !unknown.is_empty() {
            self.counters.error_responses += 1;
            error_response(m, ErrorCode::UNKNOWN_ATTRIBUTE, None, None, &unknown).ok()
        } else {
            match self.authenticate(m) {
                Err(reply) => reply,
                Ok((username, key)) => {
                    let result = match m.method() {
                        Method::ALLOCATE => self.allocate(now, tuple, m, &username, &key),
                        Method::REFRESH => self.refresh(now, tuple, m, &username, &key),
                        Method::CREATE_PERMISSION => {
                            self.create_permission(now, tuple, m, &username, &key)
                        }
                        _ => self.channel_bind(now, tuple, m, &username, &key),
                    };
                    match result {
                        Ok(bytes) => Some(bytes),
                        Err(code) => {
                            self.counters.error_responses += 1;
                            error_response(m, code, Some(&key), None, &[]).ok()
                        }
                    }
                }
            }
        };
        if let Some(bytes) = reply {
            self.outbox.push_back(udp(tuple.1, tuple.0, bytes));
        }
    }

    /// Checks the long-term credentials; on failure returns the response
    /// to send (a 401 or 438 challenge, or a 400).
    fn authenticate(&mut self, m: &Message<'_>) -> Result<(String, [u8; 16]), Option<Vec<u8>>> {
        let realm = self.config.realm.clone();
        let nonce = self.nonce.clone();
        let challenge = Some((realm.as_str(), nonce.as_str()));
        let unauthenticated = |s: &mut Self| {
            s.counters.unauthenticated += 1;
            Err(error_response(m, ErrorCode::UNAUTHENTICATED, None, challenge, &[]).ok())
        };
        if !m.has_integrity() {
            return unauthenticated(self);
        }
        let (Ok(Some(Username(user))), Ok(Some(Realm(their_realm))), Ok(Some(Nonce(their_nonce)))) = (
            m.get::<Username<'_>>(),
            m.get::<Realm<'_>>(),
            m.get::<Nonce<'_>>(),
        ) else {
            self.counters.error_responses += 1;
            return Err(error_response(m, ErrorCode::BAD_REQUEST, None, None, &[]).ok());
        };
        if their_nonce != nonce {
            self.counters.stale_nonces += 1;
            return Err(error_response(m, ErrorCode::STALE_NONCE, None, challenge, &[]).ok());
        }
        if their_realm != realm {
            return unauthenticated(self);
        }
        let Some(password) = self
            .config
            .users
            .iter()
            .find(|(u, _)| u == user)
            .map(|(_, p)| p.clone())
        else {
            return unauthenticated(self);
        };
        let key = long_term_key(user, &realm, &password);
        if m.verify_integrity(&key).is_err() {
            return unauthenticated(self);
        }
        Ok((user.to_string(), key))
    }

    fn secs(d: Duration) -> u32 {
        u32::try_from(d.as_secs()).unwrap_or(u32::MAX)
    }

    fn allocate_success(m: &Message<'_>, a: &Allocation, client: std::net::SocketAddr) -> Reply {
        response(m, Class::SuccessResponse, Some(&a.key), |b| {
            b.add(&XorRelayedAddress(a.relayed))?;
            b.add(&Lifetime(a.lifetime_secs))?;
            b.add(&XorMappedAddress(client))?;
            Ok(())
        })
        .map_err(|_| ErrorCode::SERVER_ERROR)
    }

    fn allocate(
        &mut self,
        now: Instant,
        tuple: FiveTuple,
        m: &Message<'_>,
        user: &str,
        key: &[u8; 16],
    ) -> Reply {
        if let Some(a) = self.allocations.get(&tuple) {
            // A retransmitted Allocate gets the same answer (§7.2).
            if a.transaction == m.transaction_id() && a.username == user {
                return Self::allocate_success(m, a, tuple.0);
            }
            return Err(ErrorCode::ALLOCATION_MISMATCH);
        }
        let bad = |_| ErrorCode::BAD_REQUEST;
        let transport = m.get::<RequestedTransport>().map_err(bad)?;
        match transport {
            None => return Err(ErrorCode::BAD_REQUEST),
            Some(t) if t != RequestedTransport::UDP => {
                return Err(ErrorCode::UNSUPPORTED_TRANSPORT_PROTOCOL)
            }
            Some(_) => {}
        }
        let v4 = !matches!(
            m.get::<RequestedAddressFamily>().map_err(bad)?,
            Some(RequestedAddressFamily(AddressFamily::V6))
        );
        if self.allocations.len() >= self.config.max_allocations {
            return Err(ErrorCode::ALLOCATION_QUOTA_REACHED);
        }
        let default = Self::secs(self.config.default_lifetime);
        let max = Self::secs(self.config.max_lifetime);
        let lifetime = match m.get::<Lifetime>().map_err(bad)? {
            Some(Lifetime(asked)) => asked.min(max).max(default),
            None => default,
        };
        let relayed = self
            .allocate_relayed(v4)
            .ok_or(ErrorCode::ADDRESS_FAMILY_NOT_SUPPORTED)?;
        let allocation = Allocation::new(
            relayed,
            user.to_string(),
            *key,
            now + Duration::from_secs(u64::from(lifetime)),
            m.transaction_id(),
            lifetime,
        );
        let reply = Self::allocate_success(m, &allocation, tuple.0)?;
        self.allocations.insert(tuple, allocation);
        self.by_relayed.insert(relayed, tuple);
        self.counters.allocations_created += 1;
        self.events.push_back(TurnEvent::AllocationCreated {
            client: tuple.0,
            relayed,
        });
        Ok(reply)
    }

    /// The caller's allocation, checking it was made with the same user.
    fn owned(&mut self, tuple: FiveTuple, user: &str) -> Result<&mut Allocation, u16> {
        let a = self
            .allocations
            .get_mut(&tuple)
            .ok_or(ErrorCode::ALLOCATION_MISMATCH)?;
        if a.username != user {
            return Err(ErrorCode::WRONG_CREDENTIALS);
        }
        Ok(a)
    }

    fn empty_success(m: &Message<'_>, key: &[u8; 16]) -> Reply {
        response(m, Class::SuccessResponse, Some(key), |_| Ok(()))
            .map_err(|_| ErrorCode::SERVER_ERROR)
    }

    fn refresh(
        &mut self,
        now: Instant,
        tuple: FiveTuple,
        m: &Message<'_>,
        user: &str,
        key: &[u8; 16],
    ) -> Reply {
        let default = Self::secs(self.config.default_lifetime);
        let max = Self::secs(self.config.max_lifetime);
        let asked = m
            .get::<Lifetime>()
            .map_err(|_| ErrorCode::BAD_REQUEST)?
            .map(|l| l.0);
        self.owned(tuple, user)?;
        let lifetime = match asked {
            Some(0) => {
                self.remove_allocation(tuple);
                0
            }
            Some(asked) => asked.min(max),
            None => default,
        };
        if let Some(a) = self.allocations.get_mut(&tuple) {
            a.expires = now + Duration::from_secs(u64::from(lifetime));
            a.lifetime_secs = lifetime;
        }
        response(m, Class::SuccessResponse, Some(key), |b| {
            b.add(&Lifetime(lifetime))?;
            Ok(())
        })
        .map_err(|_| ErrorCode::SERVER_ERROR)
    }

    fn create_permission(
        &mut self,
        now: Instant,
        tuple: FiveTuple,
        m: &Message<'_>,
        user: &str,
        key: &[u8; 16],
    ) -> Reply {
        let peers: Vec<IpAddr> = m
            .get_all::<XorPeerAddress>()
            .map(|p| p.map(|XorPeerAddress(a)| a.ip()))
            .collect::<Result<_, _>>()
            .map_err(|_| ErrorCode::BAD_REQUEST)?;
        if peers.is_empty() {
            return Err(ErrorCode::BAD_REQUEST);
        }
        let max = self.config.max_permissions;
        let a = self.owned(tuple, user)?;
        if peers.iter().any(|p| p.is_ipv4() != a.relayed.is_ipv4()) {
            return Err(ErrorCode::PEER_ADDRESS_FAMILY_MISMATCH);
        }
        if !a.permit(&peers, now, max) {
            return Err(ErrorCode::INSUFFICIENT_CAPACITY);
        }
        Self::empty_success(m, key)
    }

    fn channel_bind(
        &mut self,
        now: Instant,
        tuple: FiveTuple,
        m: &Message<'_>,
        user: &str,
        key: &[u8; 16],
    ) -> Reply {
        let bad = |_| ErrorCode::BAD_REQUEST;
        let number = m
            .get::<ChannelNumber>()
            .map_err(bad)?
            .filter(|n| n.is_valid())
            .ok_or(ErrorCode::BAD_REQUEST)?;
        let XorPeerAddress(peer) = m
            .get::<XorPeerAddress>()
            .map_err(bad)?
            .ok_or(ErrorCode::BAD_REQUEST)?;
        let (max_channels, max_permissions) =
            (self.config.max_channels, self.config.max_permissions);
        let a = self.owned(tuple, user)?;
        if peer.is_ipv4() != a.relayed.is_ipv4() {
            return Err(ErrorCode::PEER_ADDRESS_FAMILY_MISMATCH);
        }
        match a.bind(number.0, peer, now, max_channels, max_permissions) {
            Ok(()) => Self::empty_success(m, key),
            Err(BindRefused::Conflict) => Err(ErrorCode::BAD_REQUEST),
            Err(BindRefused::Capacity) => Err(ErrorCode::INSUFFICIENT_CAPACITY),
        }
    }
}
