//! The `sansrtc-turn` client as the agent's relay source.

use std::net::SocketAddr;
use std::time::Instant;

use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc_proto::{Output, Receive, Transmit};
use sansrtc_turn::{TurnClient, TurnClientConfig, TurnEvent};

use crate::relay::{RelayClient, RelayEvent, RelayFactory, RelayRequest};

/// Makes [`TurnClient`]s with [`TurnClientConfig::new`]'s defaults (the
/// agent's default relay factory).
#[derive(Debug, Default, Clone, Copy)]
pub struct TurnRelayFactory;

impl RelayFactory for TurnRelayFactory {
    fn create(&mut self, request: &RelayRequest<'_>, seed: u64) -> Box<dyn RelayClient> {
        let config = TurnClientConfig::new(
            request.server,
            request.protocol,
            request.local,
            request.username,
            request.password,
            request.url,
        );
        Box::new(TurnRelay {
            client: TurnClient::new(config, ChaCha20Rng::seed_from_u64(seed)),
        })
    }

    #[cfg(feature = "snapshot")]
    fn clone_box(&self) -> Box<dyn RelayFactory> {
        Box::new(*self)
    }
}

/// A [`TurnClient`] behind the [`RelayClient`] trait.
#[cfg_attr(feature = "snapshot", derive(Clone))]
struct TurnRelay {
    client: TurnClient,
}

impl RelayClient for TurnRelay {
    fn start(&mut self, now: Instant) {
        // Starting a new client cannot fail (only a second start does).
        let _ = self.client.start(now);
    }

    fn handle_receive(&mut self, now: Instant, datagram: Receive<'_>) -> bool {
        self.client.handle_receive(now, datagram)
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.client.handle_timeout(now);
    }

    fn poll_output(&mut self) -> Output<Transmit, RelayEvent> {
        loop {
            let event = match self.client.poll_output() {
                Output::Transmit(t) => return Output::Transmit(t),
                Output::Timeout(t) => return Output::Timeout(t),
                Output::Event(e) => e,
            };
            let mapped = match event {
                TurnEvent::Allocated {
                    relayed, mapped, ..
                } => RelayEvent::Allocated {
                    relayed,
                    mapped: mapped.unwrap_or(self.client.local_address()),
                },
                TurnEvent::Failed { code, text, .. } => RelayEvent::Failed { code, text },
                TurnEvent::Data { peer, data } => RelayEvent::Data { peer, data },
                TurnEvent::Redirected { to, .. } => RelayEvent::Redirected { to },
                TurnEvent::Closed => RelayEvent::Closed,
                // Permission and channel failures: checks on that peer time out.
                _ => continue,
            };
            return Output::Event(mapped);
        }
    }

    fn send_to(&mut self, now: Instant, peer: SocketAddr, data: &[u8]) {
        // Refusals (permission limit, payload size) show up as failed checks.
        let _ = self.client.send_to(now, peer, data);
    }

    fn close(&mut self, now: Instant) {
        self.client.close(now);
    }

    fn stream_closed(&mut self, now: Instant) {
        self.client.handle_stream_closed(now);
    }

    #[cfg(feature = "snapshot")]
    fn clone_box(&self) -> Box<dyn RelayClient> {
        Box::new(self.clone())
    }
}
