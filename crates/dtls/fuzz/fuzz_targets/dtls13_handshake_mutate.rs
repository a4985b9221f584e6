//! A real DTLS 1.3 client/server handshake (X25519MLKEM768, so the
//! ClientHello spans two datagrams; the server asks for client
//! certificates) whose wire the fuzzer corrupts: each datagram in flight
//! may be delivered, dropped, duplicated, truncated, have a byte changed,
//! or be preceded by a forged datagram; time advances when the wire is
//! idle (retransmissions, ACKs). The record layer (unified headers, record
//! number encryption, epochs 0/2/3, replay) and the handshake both see it.
//! Nothing may panic; if both sides connect they export the same DTLS-SRTP
//! keys and carry application data.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use sansrtc_dtls::fuzzing::Dtls13Endpoint;
use sansrtc_dtls_fuzz::config;

#[derive(Debug, Arbitrary, Clone)]
enum Fate {
    Deliver,
    Drop,
    Duplicate,
    Truncate(u16),
    Flip { at: u16, xor: u8 },
    ForgeBefore(Vec<u8>),
}

fn deliver(to: &mut Dtls13Endpoint, now: Instant, d: &[u8], fate: Fate) {
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

fuzz_target!(|fates: Vec<Fate>| {
    let mut now = Instant::now();
    let mut rng = ChaCha20Rng::seed_from_u64(13);
    let mut client = Dtls13Endpoint::new(true, config(), &mut rng, now);
    let mut server = Dtls13Endpoint::new(false, config(), &mut rng, now);
    client.start(now);
    let mut fates = fates.into_iter();
    let mut server_data = Vec::new();
    for _ in 0..40 {
        let c = client.drain();
        let s = server.drain();
        server_data.extend(s.data);
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
        assert_eq!(
            client.srtp_keying_material().expect("connected"),
            server.srtp_keying_material().expect("connected"),
            "both ends derive the same DTLS-SRTP keys"
        );
        client.send_application_data(b"ping").expect("connected");
        for d in client.drain().datagrams {
            server.handle_receive(now, &d);
        }
        server_data.extend(server.drain().data);
        assert!(server_data.iter().any(|d| d == b"ping"));
    }
});
