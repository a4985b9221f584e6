//! Shared pieces of the DTLS fuzz targets: the identity, configurations
//! that name the peer's fingerprint explicitly (a configuration without
//! expected fingerprints is meant to be refused), and a handshake driver.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc_dtls::{DtlsConfig, DtlsEndpoint, DtlsEvent, HashAlgorithm, Identity, Output, Role};

/// The one identity both sides use (parsed once).
pub fn identity() -> Arc<Identity> {
    static ID: OnceLock<Arc<Identity>> = OnceLock::new();
    ID.get_or_init(|| {
        Arc::new(
            Identity::from_pem(
                include_str!("../identities/sim-a-cert.pem"),
                include_str!("../identities/sim-a-key.pem"),
            )
            .expect("the fuzz identity parses"),
        )
    })
    .clone()
}

/// WebRTC defaults expecting the peer's (the same identity's) SHA-256
/// fingerprint.
pub fn config() -> DtlsConfig {
    let id = identity();
    let mut config = DtlsConfig::new(id.clone());
    config.expected_fingerprints = vec![id
        .fingerprint(HashAlgorithm::Sha256)
        .expect("sha-256 is supported")];
    config
}

/// An endpoint of `role` with [`config`] as changed by `tweak`.
pub fn endpoint(role: Role, seed: u64, tweak: impl FnOnce(&mut DtlsConfig)) -> DtlsEndpoint {
    let mut c = config();
    tweak(&mut c);
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    DtlsEndpoint::new(role, c, &mut rng).expect("a valid configuration")
}

/// Everything one drain produced.
#[derive(Default, Debug)]
pub struct Drained {
    pub datagrams: Vec<Vec<u8>>,
    pub connected: bool,
    pub data: Vec<Vec<u8>>,
    pub closed_or_failed: bool,
}

/// Drains `ep` until `Output::Timeout`.
pub fn drain(ep: &mut DtlsEndpoint) -> Drained {
    let mut d = Drained::default();
    loop {
        match ep.poll_output() {
            Output::Transmit(t) => d.datagrams.push(t),
            Output::Event(DtlsEvent::Connected(_)) => d.connected = true,
            Output::Event(DtlsEvent::ApplicationData(a)) => d.data.push(a),
            Output::Event(DtlsEvent::Closed | DtlsEvent::Failed(_)) => d.closed_or_failed = true,
            Output::Timeout(_) => return d,
        }
    }
}

/// A client and a server that completed a handshake over a lossless wire;
/// every datagram carried is returned too (client→server first).
pub fn connected_pair(now: Instant) -> (DtlsEndpoint, DtlsEndpoint) {
    let mut client = endpoint(Role::Client, 1, |_| {});
    let mut server = endpoint(Role::Server, 2, |_| {});
    client.start(now);
    for _ in 0..16 {
        let c = drain(&mut client);
        for d in &c.datagrams {
            server.handle_receive(now, d);
        }
        let s = drain(&mut server);
        for d in &s.datagrams {
            client.handle_receive(now, d);
        }
        if client.is_connected()
            && server.is_connected()
            && c.datagrams.is_empty()
            && s.datagrams.is_empty()
        {
            break;
        }
    }
    drain(&mut client);
    drain(&mut server);
    assert!(
        client.is_connected() && server.is_connected(),
        "the reference handshake completes"
    );
    (client, server)
}

/// Splits `[len, bytes…]*` input into datagrams.
pub fn datagrams(mut data: &[u8]) -> Vec<(u8, &[u8])> {
    let mut out = Vec::new();
    while let Some((&len, tail)) = data.split_first() {
        let n = usize::from(len & 0x7f).min(tail.len());
        // Bit 7 of the length byte doubles the length (records up to 254 bytes).
        let n = if len & 0x80 != 0 {
            (n * 2).min(tail.len())
        } else {
            n
        };
        let (d, tail) = tail.split_at(n);
        out.push((len, d));
        data = tail;
    }
    out
}
