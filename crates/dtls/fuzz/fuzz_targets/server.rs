//! The DTLS 1.2 server handshake machine fed arbitrary datagrams: a server; the first byte chooses whether it answers with a HelloVerifyRequest first (so the fuzzer also reaches the ServerHello path directly).
//! Input: a mode byte, then `[len, bytes…]*` (bit 7 of a length byte
//! doubles it); a length divisible by 5 also fires the retransmission
//! timer. Nothing may panic; no handshake can complete and no data arrive
//! from datagrams that cannot carry a valid signature and Finished.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use sansrtc_dtls::Role;
use sansrtc_dtls_fuzz::{datagrams, drain, endpoint};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let _ = mode;
    let mut ep = endpoint(Role::Server, 7, |c| c.hello_verify_request = mode & 1 == 0);
    let mut now = Instant::now();

    drain(&mut ep);
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
