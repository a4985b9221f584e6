//! A TURN client that has sent its first Allocate, fed arbitrary datagrams
//! "from the server" over UDP or TCP. Each datagram is `[flags, len, bytes…]`:
//! flag bit 0 copies the transaction id (and magic cookie) of the client's
//! latest request into the bytes, so that the fuzzer reaches the response
//! handlers instead of stopping at the transaction match; bit 1 advances
//! the clock by 600 ms (retransmissions, timeouts); bit 2 sends it from
//! another address. Nothing may panic, and the client's bounds must hold.
#![no_main]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc_proto::{Output, Protocol, Receive};
use sansrtc_turn::{TurnClient, TurnClientConfig};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, mut rest)) = data.split_first() else {
        return;
    };
    let server: SocketAddr = "192.0.2.1:3478".parse().unwrap();
    let local: SocketAddr = "10.0.0.1:5000".parse().unwrap();
    let protocol = if mode & 1 == 0 {
        Protocol::Udp
    } else {
        Protocol::Tcp
    };
    let config = TurnClientConfig::new(server, protocol, local, "user", "pass", "turn:192.0.2.1");
    let mut client = TurnClient::new(config, ChaCha20Rng::seed_from_u64(3));
    let mut now = Instant::now();
    if client.start(now).is_err() {
        return;
    }
    let mut last_request: Option<Vec<u8>> = None;
    let drain = |client: &mut TurnClient, last: &mut Option<Vec<u8>>| loop {
        match client.poll_output() {
            Output::Transmit(t) => {
                // Over TCP the request may be framed; STUN starts at 0.
                if t.contents.len() >= 20 && t.contents[0] < 2 {
                    *last = Some(t.contents.clone());
                }
            }
            Output::Event(_) => {}
            Output::Timeout(_) => return,
        }
    };
    drain(&mut client, &mut last_request);
    while rest.len() >= 2 {
        let flags = rest[0];
        let len = usize::from(rest[1]).min(rest.len() - 2);
        let mut d = rest[2..2 + len].to_vec();
        rest = &rest[2 + len..];
        if flags & 1 != 0 && d.len() >= 20 {
            if let Some(req) = &last_request {
                d[4..20].copy_from_slice(&req[4..20]);
            }
        }
        if flags & 2 != 0 {
            now += Duration::from_millis(600);
            client.handle_timeout(now);
        }
        let source = if flags & 4 != 0 {
            "192.0.2.9:3478".parse().unwrap()
        } else {
            server
        };
        let _ = client.handle_receive(
            now,
            Receive {
                protocol,
                source,
                destination: local,
                contents: &d,
            },
        );
        drain(&mut client, &mut last_request);
        assert!(client.permission_count() <= 64);
        assert!(client.channel_count() <= 64);
        assert!(client.outstanding_requests() <= 64 + 64 + 2);
    }
});
