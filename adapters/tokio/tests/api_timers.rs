//! Timers in virtual time (`start_paused`): the task's machine runs on
//! tokio's clock, so ICE's timeouts pass without waiting for them.

mod api_support;

use std::time::{Duration, Instant};

use api_support::*;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sansrtc_tokio::sansrtc::{
    DataChannelInit, PeerConnectionState, RtcConfiguration, RtcPeerConnection,
};

/// A remote that answered but never speaks: its candidate is a socket that
/// reads nothing. ICE checks go unanswered until the connection fails.
#[tokio::test(start_paused = true)]
async fn a_connection_without_a_peer_fails_after_the_ice_timeouts() {
    let started = (tokio::time::Instant::now(), Instant::now());
    let a = loopback_peer(41).await;
    let _channel = a
        .create_data_channel(DataChannelInit::new("nobody"))
        .await
        .expect("channel");
    let silent = tokio::net::UdpSocket::bind("127.0.0.1:0")
        .await
        .expect("bind");

    // The remote's answer, made by a machine nobody drives.
    let now = tokio::time::Instant::now().into_std();
    let mut remote = RtcPeerConnection::new(
        RtcConfiguration::default(),
        ChaCha20Rng::seed_from_u64(42),
        now,
        std::time::SystemTime::now(),
    )
    .expect("machine");
    remote
        .add_local_address(now, silent.local_addr().expect("address"))
        .expect("address");
    let offer = a.create_offer().await.expect("offer");
    a.set_local_description(offer).await.expect("local");
    gathered(&a).await;
    let offer = a.local_description().await.expect("runs").expect("offer");
    remote.set_remote_description(now, offer).expect("remote");
    let answer = remote.create_answer().expect("answer");
    remote.set_local_description(now, answer).expect("local");
    let answer = remote.local_description().expect("answer");
    a.set_remote_description(answer)
        .await
        .expect("remote answer");

    let state = within_for(
        Duration::from_secs(300),
        "failed",
        a.wait_for_connection_state(|s| s == PeerConnectionState::Failed),
    )
    .await;
    let (virtual_time, real_time) = (started.0.elapsed(), started.1.elapsed());
    eprintln!("failed after {virtual_time:?} of virtual time, {real_time:?} of real time");
    assert_eq!(state, PeerConnectionState::Failed);
    // ICE gives up only after its checks' retransmissions (seconds), not
    // at once …
    assert!(virtual_time >= Duration::from_secs(5), "{virtual_time:?}");
    // … and the test did not wait for them.
    assert!(real_time < Duration::from_secs(5), "{real_time:?}");
    drop(silent);
}

/// Two peers connect, then one vanishes without a word: its machine
/// forgets its local addresses, so it neither answers nor sends. The
/// other's consent freshness (RFC 7675) takes it to `disconnected`
/// and then `failed`, in virtual time.
#[tokio::test(start_paused = true)]
async fn consent_expiry_disconnects_then_fails_the_survivor() {
    let a = loopback_peer(43).await;
    let b = loopback_peer(44).await;
    let channel = a
        .create_data_channel(DataChannelInit::new("c"))
        .await
        .expect("channel");
    signal(&a, &b).await;
    within("open", channel.wait_open()).await.expect("open");
    assert_eq!(b.connection_state(), PeerConnectionState::Connected);

    // A stops answering: its machine is made to forget its sockets.
    let addresses = a.local_addresses().to_vec();
    a.with_machine(move |pc, now| {
        for address in addresses {
            pc.remove_local_address(now, address);
        }
    })
    .await
    .expect("a runs");
    let lost = tokio::time::Instant::now();
    let state = within_for(
        Duration::from_secs(120),
        "disconnected",
        b.wait_for_connection_state(|s| s == PeerConnectionState::Disconnected),
    )
    .await;
    let disconnected_after = lost.elapsed();
    let state_after = within_for(
        Duration::from_secs(120),
        "failed",
        b.wait_for_connection_state(|s| s == PeerConnectionState::Failed),
    )
    .await;
    let failed_after = lost.elapsed();
    eprintln!("disconnected after {disconnected_after:?}, failed after {failed_after:?} (virtual)");
    assert_eq!(state, PeerConnectionState::Disconnected);
    assert_eq!(state_after, PeerConnectionState::Failed);
    // The ICE agent's defaults: disconnected 8 s after the last consent
    // response, failed after 30 s (each plus up to one 5 s check
    // interval).
    assert!(
        disconnected_after >= Duration::from_secs(7),
        "{disconnected_after:?}"
    );
    assert!(
        disconnected_after <= Duration::from_secs(15),
        "{disconnected_after:?}"
    );
    assert!(failed_after >= Duration::from_secs(25), "{failed_after:?}");
    assert!(failed_after <= Duration::from_secs(40), "{failed_after:?}");
    drop(channel);
}

/// What a stalled reader saw.
struct Stalled {
    /// The reader's connection state at the end of the stall.
    state: PeerConnectionState,
    /// Every message arrived, intact and in order.
    intact: bool,
    counters: sansrtc_tokio::PeerConnectionCounters,
}

/// A reader that stops reading fills its queue, which pauses its data
/// channels (received messages left in SCTP, whose window closes) while
/// SACKs, ICE and the timers go on. After `stall` (virtual time) the
/// reader reads everything.
async fn stall_reader(seed: u64, stall: Duration) -> Stalled {
    use bytes::Bytes;
    use sansrtc_tokio::sansrtc::DataChannelMessage;
    const MESSAGE: usize = 32 << 10;
    const MESSAGES: usize = 96; // 3 MiB: more than the queue and the window
    let mut options = loopback_options(seed + 1);
    options.channel_queue_bytes = 256 << 10;
    let a = loopback_peer(seed).await;
    let b = loopback_peer_with(options).await;
    let channel = a
        .create_data_channel(DataChannelInit::new("stall"))
        .await
        .expect("channel");
    signal(&a, &b).await;
    let remote = within("accept", b.accept_data_channel())
        .await
        .expect("accepted");
    within("open", channel.wait_open()).await.expect("open");
    // The flood starts once the remote (the controlled agent) has its
    // nominated pair: a controlled agent that has a valid pair but missed
    // the nomination arms no ICE timer at all and stays `connected` while
    // it hears nothing (a gap of the ICE agent, found here).
    within("remote nominated", async {
        while !b
            .with_machine(|pc, _| pc.selected_candidate_pair().is_some())
            .await
            .expect("b runs")
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    let message = |i: usize| Bytes::from(pattern(i as u64 + 1, MESSAGE));
    let sender = tokio::spawn(async move {
        for i in 0..MESSAGES {
            if channel.send(message(i)).await.is_err() {
                return channel;
            }
        }
        channel
    });
    tokio::time::sleep(stall).await;
    let state = b.connection_state();
    eprintln!(
        "after a {stall:?} stall: {state}, {} B queued, {:?}",
        remote.queued_bytes(),
        b.counters()
    );
    let mut intact = true;
    for i in 0..MESSAGES {
        match tokio::time::timeout(Duration::from_secs(60), remote.recv()).await {
            Ok(Some(got)) => intact &= got == DataChannelMessage::Binary(message(i)),
            _ => {
                intact = false;
                break;
            }
        }
    }
    drop(sender);
    Stalled {
        state,
        intact,
        counters: b.counters(),
    }
}

/// A stall shorter than ICE's disconnection timeout (8 s) costs nothing.
#[tokio::test(start_paused = true)]
async fn a_reader_stalled_for_5_s_loses_nothing() {
    let stalled = stall_reader(45, Duration::from_secs(5)).await;
    assert_eq!(stalled.state, PeerConnectionState::Connected);
    assert!(stalled.intact, "messages lost or damaged");
    assert!(
        stalled.counters.data_channel_pauses > 0,
        "never paused: untested"
    );
}

/// A stall past ICE's disconnection timeout (8 s): the paused connection
/// still reads its sockets, so consent checks are answered and ICE stays
/// `connected`.
#[tokio::test(start_paused = true)]
async fn a_reader_stalled_for_20_s_keeps_ice_up_and_loses_nothing() {
    let stalled = stall_reader(47, Duration::from_secs(20)).await;
    assert_eq!(stalled.state, PeerConnectionState::Connected);
    assert!(stalled.intact, "messages lost or damaged");
}

/// A stall longer than SCTP's retransmission limit (10 retransmissions, a
/// 3 s RTO cap: about 27 s for a sansrtc peer): the paused connection's
/// SCTP keeps acknowledging with a closed window and answers the peer's
/// zero-window probes, so the peer waits instead of giving up, and
/// everything arrives once the reader reads.
#[tokio::test(start_paused = true)]
async fn a_reader_stalled_past_sctps_retransmission_limit_loses_nothing() {
    let stalled = stall_reader(49, Duration::from_secs(60)).await;
    assert_eq!(stalled.state, PeerConnectionState::Connected);
    assert!(stalled.intact, "messages lost or damaged");
}
