//! Feeds arbitrary datagrams to a started client and a fresh server, with
//! timer firings in between. Nothing may panic, and nothing may be
//! delivered (no handshake can complete from garbage).
#![no_main]

use std::sync::Arc;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use rand_chacha::rand_core::SeedableRng;
use sansrtc_dtls::{DtlsConfig, DtlsEndpoint, DtlsEvent, Identity, Role};

fn drain(ep: &mut DtlsEndpoint) {
    loop {
        match ep.poll_output() {
            sansrtc_dtls::Output::Timeout(_) => return,
            sansrtc_dtls::Output::Event(
                DtlsEvent::Connected(_) | DtlsEvent::ApplicationData(_),
            ) => {
                panic!("garbage delivered something")
            }
            _ => {}
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let identity = Arc::new(
        Identity::from_pem(
            include_str!("../identities/sim-a-cert.pem"),
            include_str!("../identities/sim-a-key.pem"),
        )
        .unwrap(),
    );
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(0);
    let mut client =
        DtlsEndpoint::new(Role::Client, DtlsConfig::new(identity.clone()), &mut rng).unwrap();
    let mut server = DtlsEndpoint::new(Role::Server, DtlsConfig::new(identity), &mut rng).unwrap();
    let mut now = Instant::now();
    client.start(now);
    // Each datagram: a length byte, then that many bytes.
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        let n = usize::from(len).min(tail.len());
        let (d, tail) = tail.split_at(n);
        client.handle_receive(now, d);
        server.handle_receive(now, d);
        drain(&mut client);
        drain(&mut server);
        if len % 7 == 0 {
            now += Duration::from_millis(700);
            client.handle_timeout(now);
            server.handle_timeout(now);
        }
        rest = tail;
    }
});
