//! The record layer of a connected pair: the fuzzer's datagrams go to the
//! client or the server, raw or dressed as records (a content type, DTLS
//! 1.2 version, epoch 0 or 1, the fuzzer's sequence number, a correct
//! length), interleaved with replays of real application data records,
//! application sends and time. Nothing may panic; forged records must never
//! deliver data, and a replayed record must not deliver twice.
//!
//! The pair is connected once per process and cloned for every input: the
//! handshake never read the input, and was most of the time per input.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use sansrtc_dtls::DtlsEndpoint;
use sansrtc_dtls_fuzz::{connected_pair, drain};

thread_local! {
    /// A connected client and server, and the instant they connected at
    /// (libFuzzer runs the inputs on one thread).
    static CONNECTED: (DtlsEndpoint, DtlsEndpoint, Instant) = {
        let now = Instant::now();
        let (client, server) = connected_pair(now);
        (client, server, now)
    };
}

#[derive(Debug, Arbitrary)]
enum Op {
    Raw {
        to_server: bool,
        bytes: Vec<u8>,
    },
    Record {
        to_server: bool,
        content_type: u8,
        epoch1: bool,
        seq: u64,
        body: Vec<u8>,
    },
    Send {
        from_client: bool,
        len: u8,
    },
    ReplayLast,
    Advance {
        ms: u16,
    },
    Close {
        client: bool,
    },
}

fuzz_target!(|ops: Vec<Op>| {
    let (mut client, mut server, mut now) =
        CONNECTED.with(|(c, s, now)| (c.clone(), s.clone(), *now));
    // (record to the server?, bytes) of the last genuine data datagram.
    let mut last: Option<(bool, Vec<u8>)> = None;
    let mut expected: Vec<Vec<u8>> = Vec::new();
    for op in ops.into_iter().take(64) {
        let (to_server, datagram) = match op {
            Op::Raw { to_server, bytes } => (to_server, bytes),
            Op::Record {
                to_server,
                content_type,
                epoch1,
                seq,
                body,
            } => {
                let mut r = vec![content_type, 0xfe, 0xfd, 0, u8::from(epoch1)];
                r.extend_from_slice(&seq.to_be_bytes()[2..]);
                r.extend_from_slice(&(body.len() as u16).to_be_bytes());
                r.extend_from_slice(&body);
                (to_server, r)
            }
            Op::Send { from_client, len } => {
                let payload = vec![len; usize::from(len) + 1];
                let (from, to) = if from_client {
                    (&mut client, &mut server)
                } else {
                    (&mut server, &mut client)
                };
                if from.send_application_data(&payload).is_ok() {
                    for d in drain(from).datagrams {
                        to.handle_receive(now, &d);
                        last = Some((from_client, d));
                    }
                    let got = drain(to).data;
                    if to.is_connected() {
                        assert_eq!(got, vec![payload.clone()], "genuine data arrives once");
                    }
                    expected.push(payload);
                }
                continue;
            }
            Op::ReplayLast => {
                if let Some((to_server, d)) = &last {
                    let to = if *to_server { &mut server } else { &mut client };
                    to.handle_receive(now, d);
                    assert!(
                        drain(to).data.is_empty(),
                        "a replayed record delivered again"
                    );
                }
                continue;
            }
            Op::Advance { ms } => {
                now += Duration::from_millis(u64::from(ms) * 4);
                client.handle_timeout(now);
                server.handle_timeout(now);
                drain(&mut client);
                drain(&mut server);
                continue;
            }
            Op::Close { client: c } => {
                if c {
                    client.close()
                } else {
                    server.close()
                }
                let (from, to) = if c {
                    (&mut client, &mut server)
                } else {
                    (&mut server, &mut client)
                };
                for d in drain(from).datagrams {
                    to.handle_receive(now, &d);
                }
                drain(to);
                continue;
            }
        };
        let (to, other) = if to_server {
            (&mut server, &mut client)
        } else {
            (&mut client, &mut server)
        };
        to.handle_receive(now, &datagram);
        let out = drain(to);
        assert!(out.data.is_empty(), "a forged record delivered data");
        for d in out.datagrams {
            other.handle_receive(now, &d);
        }
        drain(other);
    }
});
