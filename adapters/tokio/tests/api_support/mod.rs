//! Shared by the `api_*` tests: loopback peers, bounded waits, signaling.
#![allow(dead_code)]

use std::future::Future;
use std::time::Duration;

use sansrtc_tokio::sansrtc::{IceGatheringState, RtcConfiguration};
use sansrtc_tokio::{PeerConnection, PeerConnectionOptions};

/// Every wait of these tests is capped by this.
pub const WAIT: Duration = Duration::from_secs(10);

/// Awaits `future` for at most `WAIT`, naming `what` if it takes longer.
pub async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    within_for(WAIT, what, future).await
}

/// Awaits `future` for at most `limit`.
pub async fn within_for<T>(limit: Duration, what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(limit, future).await {
        Ok(value) => value,
        Err(_) => panic!("{what}: not done within {limit:?}"),
    }
}

/// Options binding 127.0.0.1 only, seeded.
pub fn loopback_options(seed: u64) -> PeerConnectionOptions {
    PeerConnectionOptions {
        seed: Some(seed),
        ..PeerConnectionOptions::with_local_addresses(["127.0.0.1".parse().expect("address")])
    }
}

/// A peer connection on 127.0.0.1.
pub async fn loopback_peer(seed: u64) -> PeerConnection {
    loopback_peer_with(loopback_options(seed)).await
}

/// A peer connection with these options.
pub async fn loopback_peer_with(options: PeerConnectionOptions) -> PeerConnection {
    PeerConnection::new(RtcConfiguration::default(), options)
        .await
        .expect("peer connection")
}

/// Waits until `pc` has gathered its candidates (polling its machine).
pub async fn gathered(pc: &PeerConnection) {
    within("gathering", async {
        loop {
            let state = pc
                .with_machine(|m, _| m.ice_gathering_state())
                .await
                .expect("running");
            if state == IceGatheringState::Complete {
                return;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await
}

/// Offer from `a`, answer from `b`, each description sent once gathering is
/// complete (no trickle).
pub async fn signal(a: &PeerConnection, b: &PeerConnection) {
    let offer = a.create_offer().await.expect("offer");
    a.set_local_description(offer).await.expect("local offer");
    gathered(a).await;
    let offer = a
        .local_description()
        .await
        .expect("running")
        .expect("offer");
    b.set_remote_description(offer).await.expect("remote offer");
    let answer = b.create_answer().await.expect("answer");
    b.set_local_description(answer).await.expect("local answer");
    gathered(b).await;
    let answer = b
        .local_description()
        .await
        .expect("running")
        .expect("answer");
    a.set_remote_description(answer)
        .await
        .expect("remote answer");
}

/// A deterministic byte pattern (xorshift), `len` bytes from `seed`.
pub fn pattern(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}
