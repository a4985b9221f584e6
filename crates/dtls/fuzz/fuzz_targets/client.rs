//! The DTLS 1.2 client handshake machine fed arbitrary datagrams: a started client (its ClientHello sent): the datagrams play the server's flights.
//! Input: a mode byte, then `[len, bytes…]*` (bit 7 of a length byte
//! doubles it); a length divisible by 5 also fires the retransmission
//! timer. Nothing may panic; no handshake can complete and no data arrive
//! from datagrams that cannot carry a valid signature and Finished.
//!
//! The client is started once per process and cloned for every input:
//! `start` (its DTLS 1.3 key shares, ML-KEM-768 and X25519, and the
//! ClientHello) never read the input, and was most of the time per input.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use sansrtc_dtls::{DtlsEndpoint, Role};
use sansrtc_dtls_fuzz::{datagrams, drain, endpoint};

thread_local! {
    /// A started client, its ClientHello drained, and the instant it
    /// started (libFuzzer runs the inputs on one thread).
    static STARTED: (DtlsEndpoint, Instant) = {
        let mut ep = endpoint(Role::Client, 7, |_| {});
        let now = Instant::now();
        ep.start(now);
        drain(&mut ep);
        (ep, now)
    };
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let _ = mode;
    let (mut ep, mut now) = STARTED.with(|(ep, now)| (ep.clone(), *now));
    for (len, d) in datagrams(rest) {
        ep.handle_receive(now, d);
        let out = drain(&mut ep);
        assert!(
            !out.connected && out.data.is_empty(),
            "garbage completed a handshake"
        );
        if len % 5 == 0 {
            now += Duration::from_millis(1100);
            ep.handle_timeout(now);
            drain(&mut ep);
        }
    }
    assert!(ep.connection().is_none());
});
