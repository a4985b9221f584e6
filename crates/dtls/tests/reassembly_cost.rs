//! Handshake reassembly costs what the fragments weigh, not what their
//! order is: a server that receives a 16,000-byte ClientHello as 16,000
//! one-byte fragments, every one twice, spends about as long when they come
//! reversed and interleaved (odd offsets, the odd ones again, then the even
//! ones, all from the end) as when they come in order. This is all before
//! any cookie: anyone can send it. Both orders are timed here, in the same
//! run, several times each; the bound (3×) is loose, the quadratic
//! reassembly this replaced took far longer (see docs/dtls.md).

mod common;

use std::time::{Duration, Instant};

use rand_chacha::rand_core::SeedableRng;
use sansrtc_dtls::{DtlsConfig, DtlsEndpoint, Output, Role};

use common::{configs, ecdsa_identity};

/// The ClientHello body length (well under `max_handshake_message`).
const LEN: usize = 16_000;
/// One-byte fragments per datagram: 13-byte record header plus 13 bytes
/// per fragment stays under 1200 bytes.
const PER_DATAGRAM: usize = 91;

/// A well-formed ClientHello body of exactly `len` bytes: one suite,
/// extended_master_secret, and a padding extension (RFC 7685) for the rest.
fn client_hello(len: usize) -> Vec<u8> {
    let mut b = vec![0xfe, 0xfd];
    b.extend_from_slice(&[7; 32]);
    b.extend_from_slice(&[0, 0]); // session_id, cookie
    b.extend_from_slice(&[0, 2, 0xc0, 0x2b, 1, 0]);
    let pad = len - b.len() - 2 - 4 - 4;
    b.extend_from_slice(&((8 + pad) as u16).to_be_bytes());
    b.extend_from_slice(&[0, 23, 0, 0, 0, 21]);
    b.extend_from_slice(&(pad as u16).to_be_bytes());
    b.resize(len, 0);
    b
}

/// Datagrams carrying `body`'s bytes at `offsets`, one byte per fragment
/// (message_seq 0), each datagram one epoch-0 handshake record.
fn datagrams(body: &[u8], offsets: &[usize]) -> Vec<Vec<u8>> {
    let len = (body.len() as u32).to_be_bytes();
    offsets
        .chunks(PER_DATAGRAM)
        .enumerate()
        .map(|(seq, chunk)| {
            let mut d = vec![22, 0xfe, 0xfd, 0, 0, 0, 0];
            d.extend_from_slice(&(seq as u32).to_be_bytes());
            d.extend_from_slice(&((chunk.len() * 13) as u16).to_be_bytes());
            for &i in chunk {
                d.push(1);
                d.extend_from_slice(&len[1..]);
                d.extend_from_slice(&[0, 0]);
                d.extend_from_slice(&(i as u32).to_be_bytes()[1..]);
                d.extend_from_slice(&[0, 0, 1, body[i]]);
            }
            d
        })
        .collect()
}

/// Every offset twice, in order, each repeated at once.
fn in_order(len: usize) -> Vec<usize> {
    (0..len).flat_map(|i| [i, i]).collect()
}

/// Every offset twice: the odd ones from the end, again (duplicates while
/// half the message is missing), then the even ones from the end, twice.
fn adversarial(len: usize) -> Vec<usize> {
    let odd = (0..len).rev().filter(|i| i % 2 == 1);
    let even = (0..len).rev().filter(|i| i % 2 == 0);
    odd.clone()
        .chain(odd)
        .chain(even.clone())
        .chain(even)
        .collect()
}

/// Feeds `datagrams` to a fresh server, returns the time it took, and
/// checks that the ClientHello completed once (one HelloVerifyRequest).
fn feed(config: &DtlsConfig, datagrams: &[Vec<u8>]) -> Duration {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
    let mut server = DtlsEndpoint::new(Role::Server, config.clone(), &mut rng).unwrap();
    let now = Instant::now();
    let started = Instant::now();
    for d in datagrams {
        server.handle_receive(now, d);
        while !matches!(server.poll_output(), Output::Timeout(_)) {}
    }
    let took = started.elapsed();
    assert_eq!(server.stats().hello_verify_requests, 1);
    assert!(!server.is_closed());
    took
}

#[test]
fn reversed_interleaved_and_repeated_fragments_cost_no_more_than_in_order_ones() {
    let (_, config) = configs(ecdsa_identity(), ecdsa_identity());
    let body = client_hello(LEN);
    let ordered = datagrams(&body, &in_order(LEN));
    let hostile = datagrams(&body, &adversarial(LEN));
    let (mut best_ordered, mut best_hostile) = (Duration::MAX, Duration::MAX);
    for _ in 0..5 {
        best_ordered = best_ordered.min(feed(&config, &ordered));
        best_hostile = best_hostile.min(feed(&config, &hostile));
    }
    let ratio = best_hostile.as_secs_f64() / best_ordered.as_secs_f64();
    println!(
        "{} one-byte fragments: in order {best_ordered:?}, adversarial {best_hostile:?}, ratio {ratio:.2}",
        2 * LEN
    );
    assert!(ratio <= 3.0, "adversarial order costs {ratio:.1}× in-order");
}

#[test]
fn the_orders_hold_the_same_fragments() {
    let mut a = in_order(1001);
    let mut b = adversarial(1001);
    assert_ne!(a, b);
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b);
}
