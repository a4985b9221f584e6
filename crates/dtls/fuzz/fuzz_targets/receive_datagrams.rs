//! Feeds arbitrary datagrams to a started client and a fresh server, with
//! timer firings in between. Nothing may panic, and nothing may be
//! delivered (no handshake can complete from garbage).
//!
//! The started client and the fresh server are made once per process and
//! cloned for every input (the client's outputs of `start` still queued,
//! as before): they never read the input, and `start` (the DTLS 1.3 key
//! shares) was most of the time per input.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use sansrtc_dtls::{DtlsEndpoint, Role};
use sansrtc_dtls_fuzz::{drain, endpoint};

thread_local! {
    /// A started client, a fresh server, and the client's start instant
    /// (libFuzzer runs the inputs on one thread).
    static START: (DtlsEndpoint, DtlsEndpoint, Instant) = {
        let mut client = endpoint(Role::Client, 0, |_| {});
        let server = endpoint(Role::Server, 1, |_| {});
        let now = Instant::now();
        client.start(now);
        (client, server, now)
    };
}

fuzz_target!(|data: &[u8]| {
    let (mut client, mut server, mut now) = START.with(|(c, s, now)| (c.clone(), s.clone(), *now));
    // Each datagram: a length byte, then that many bytes.
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        let n = usize::from(len).min(tail.len());
        let (d, tail) = tail.split_at(n);
        client.handle_receive(now, d);
        server.handle_receive(now, d);
        for ep in [&mut client, &mut server] {
            let out = drain(ep);
            assert!(
                !out.connected && out.data.is_empty(),
                "garbage delivered something"
            );
        }
        if len % 7 == 0 {
            now += Duration::from_millis(700);
            client.handle_timeout(now);
            server.handle_timeout(now);
        }
        rest = tail;
    }
});
