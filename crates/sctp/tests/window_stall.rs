//! A sender held back by the peer's receive window builds no packet to
//! find out: polling it allocates nothing (before, every drain allocated
//! an MTU-sized buffer, found nothing it could add and freed it), and the
//! transfer completes once the receiver reads. One test in this binary,
//! so that no other thread's allocations are counted.

use std::time::{Duration, Instant};

use cap::Cap;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sansrtc_proto::Output;
use sansrtc_sctp::{Association, SctpConfig, SendOptions};

#[global_allocator]
static ALLOCATOR: Cap<std::alloc::System> = Cap::new(std::alloc::System, usize::MAX);

/// Drains `from` into `to`; returns the packets moved.
fn carry(from: &mut Association, to: &mut Association, now: Instant) -> usize {
    let mut packets = Vec::new();
    loop {
        match from.poll_output() {
            Output::Transmit(p) => packets.push(p),
            Output::Event(_) => {}
            Output::Timeout(_) => break,
        }
    }
    let n = packets.len();
    for p in packets {
        to.handle_receive_owned(now, p);
    }
    n
}

#[test]
fn a_sender_held_by_the_window_polls_without_allocating() {
    let now = Instant::now();
    let small = SctpConfig {
        receive_window: 16 * 1024,
        ..SctpConfig::default()
    };
    let mut a = Association::new(
        SctpConfig::default(),
        &mut ChaCha20Rng::seed_from_u64(1),
        now,
    );
    let mut b = Association::new(small, &mut ChaCha20Rng::seed_from_u64(2), now);
    a.connect(now).unwrap();
    for _ in 0..20 {
        carry(&mut a, &mut b, now);
        carry(&mut b, &mut a, now);
    }
    assert!(a.is_established() && b.is_established());

    // 64 messages of 1200 bytes against a 16 KiB window nobody reads.
    let messages: Vec<Vec<u8>> = (0..64u8).map(|i| vec![i; 1200]).collect();
    for m in &messages {
        a.send(now, 1, 53, m.clone(), SendOptions::default())
            .unwrap();
    }
    let mut t = now;
    for _ in 0..50 {
        carry(&mut a, &mut b, t);
        carry(&mut b, &mut a, t);
        t += Duration::from_millis(1);
    }
    assert_eq!(
        carry(&mut a, &mut b, t),
        0,
        "held by the window: nothing more goes out"
    );

    // Held: every poll answers its timeout, and allocates nothing.
    // (Bytes ever allocated, freed or not: a buffer allocated and freed
    // by every poll counts.)
    let before = ALLOCATOR.total_allocated();
    for _ in 0..1000 {
        assert!(matches!(a.poll_output(), Output::Timeout(Some(_))));
    }
    let allocated = ALLOCATOR.total_allocated() - before;
    assert_eq!(
        allocated, 0,
        "{allocated} bytes allocated in 1000 held polls"
    );

    // The receiver reads: the window opens and everything arrives.
    let mut read = Vec::new();
    for _ in 0..400 {
        while let Some(m) = b.read() {
            read.push(m.data.to_vec());
        }
        let moved = carry(&mut a, &mut b, t) + carry(&mut b, &mut a, t);
        if read.len() == messages.len() {
            break;
        }
        if moved == 0 {
            t += Duration::from_millis(200);
            a.handle_timeout(t);
            b.handle_timeout(t);
        }
    }
    assert_eq!(read, messages);
}
