//! A real client/server handshake whose wire the fuzzer corrupts: each
//! datagram in flight may be delivered, dropped, duplicated, truncated, have
//! a byte changed, or be preceded by a forged datagram; time advances when
//! the wire is idle (retransmissions). Nothing may panic; if both sides
//! connect they agree on keys and carry application data both ways.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use sansrtc_dtls::{DtlsEndpoint, Role};
use sansrtc_dtls_fuzz::{drain, endpoint};

#[derive(Debug, Arbitrary, Clone)]
enum Fate {
    Deliver,
    Drop,
    Duplicate,
    Truncate(u16),
    Flip { at: u16, xor: u8 },
    ForgeBefore(Vec<u8>),
}

#[derive(Debug, Arbitrary)]
struct Input {
    hello_verify: bool,
    fates: Vec<Fate>,
}

fn deliver(to: &mut DtlsEndpoint, now: Instant, d: &[u8], fate: Fate) {
    match fate {
        Fate::Deliver => to.handle_receive(now, d),
        Fate::Drop => {}
        Fate::Duplicate => {
            to.handle_receive(now, d);
            to.handle_receive(now, d);
        }
        Fate::Truncate(n) => to.handle_receive(now, &d[..usize::from(n) % (d.len() + 1)]),
        Fate::Flip { at, xor } => {
            let mut d = d.to_vec();
            if !d.is_empty() {
                let i = usize::from(at) % d.len();
                d[i] ^= xor.max(1);
            }
            to.handle_receive(now, &d);
        }
        Fate::ForgeBefore(f) => {
            to.handle_receive(now, &f);
            to.handle_receive(now, d);
        }
    }
}

fuzz_target!(|input: Input| {
    let hvr = input.hello_verify;
    let mut client = endpoint(Role::Client, 1, |_| {});
    let mut server = endpoint(Role::Server, 2, |c| c.hello_verify_request = hvr);
    let mut now = Instant::now();
    client.start(now);
    let mut fates = input.fates.into_iter();
    let (mut c_connected, mut s_connected) = (false, false);
    let mut s_data = Vec::new();
    for _ in 0..40 {
        let c = drain(&mut client);
        c_connected |= c.connected;
        let s = drain(&mut server);
        s_connected |= s.connected;
        s_data.extend(s.data);
        if c.datagrams.is_empty() && s.datagrams.is_empty() {
            if client.is_connected() && server.is_connected() {
                break;
            }
            now += Duration::from_millis(1500);
            client.handle_timeout(now);
            server.handle_timeout(now);
            continue;
        }
        for d in &c.datagrams {
            let fate = fates.next().unwrap_or(Fate::Deliver);
            deliver(&mut server, now, d, fate);
        }
        for d in &s.datagrams {
            let fate = fates.next().unwrap_or(Fate::Deliver);
            deliver(&mut client, now, d, fate);
        }
    }
    if client.is_connected() && server.is_connected() {
        let ck = client.srtp_keying_material().expect("SRTP negotiated");
        let sk = server.srtp_keying_material().expect("SRTP negotiated");
        assert_eq!(ck.local(Role::Client), sk.remote(Role::Server));
        assert_eq!(ck.remote(Role::Client), sk.local(Role::Server));
        client.send_application_data(b"ping").unwrap();
        let c = drain(&mut client);
        for d in &c.datagrams {
            server.handle_receive(now, d);
        }
        let s = drain(&mut server);
        assert!(
            s.data.iter().any(|d| d == b"ping"),
            "data after the handshake arrives"
        );
    }
    let _ = (c_connected, s_connected, s_data);
});
