//! Cancel safety and shutdown: `recv()` raced against a short sleep loses
//! nothing; dropping every handle of a connection closes it (the remote's
//! channel ends and its connection leaves `connected`); after `close()`
//! every call fails with `TaskEnded`.

mod api_support;

use std::time::Duration;

use api_support::*;
use sansrtc_tokio::sansrtc::{
    DataChannelInit, DataChannelMessage, DtlsTransportState, PeerConnectionState,
};
use sansrtc_tokio::{DataChannel, Error, PeerConnection};

/// Two connected peers and the channel `a` opened, as each sees it.
async fn pair(seed: u64) -> (PeerConnection, DataChannel, PeerConnection, DataChannel) {
    let a = loopback_peer(seed).await;
    let b = loopback_peer(seed + 1).await;
    let channel = a
        .create_data_channel(DataChannelInit::new("c"))
        .await
        .expect("channel");
    signal(&a, &b).await;
    let remote = within("accept", b.accept_data_channel())
        .await
        .expect("accepted");
    within("open", channel.wait_open()).await.expect("open");
    within("remote open", remote.wait_open())
        .await
        .expect("open");
    (a, channel, b, remote)
}

#[tokio::test]
async fn recv_cancelled_by_a_short_sleep_loses_no_message() {
    let (_a, channel, _b, remote) = pair(31).await;
    const COUNT: usize = 300;
    let sender = tokio::spawn(async move {
        for i in 0..COUNT {
            channel.send(format!("message {i}")).await.expect("send");
            if i % 10 == 0 {
                tokio::time::sleep(Duration::from_micros(300)).await;
            }
        }
        channel
    });
    let mut received = Vec::new();
    let (mut cancelled, mut rounds) = (0, 0);
    within("300 messages", async {
        while received.len() < COUNT {
            rounds += 1;
            tokio::select! {
                message = remote.recv() => received.push(message.expect("open")),
                _ = tokio::time::sleep(Duration::from_micros(200)) => cancelled += 1,
            }
        }
    })
    .await;
    let _channel = sender.await.expect("sender");
    eprintln!("{rounds} rounds, {cancelled} recv futures cancelled");
    assert!(
        cancelled > 0,
        "no recv was cancelled: the test did not test"
    );
    let expected: Vec<_> = (0..COUNT)
        .map(|i| DataChannelMessage::Text(format!("message {i}")))
        .collect();
    assert_eq!(received, expected);
}

#[tokio::test]
async fn dropping_every_handle_closes_the_connection_for_the_remote() {
    let (a, channel, b, remote) = pair(33).await;
    channel.send("last words").await.expect("send");
    drop(channel);
    drop(a);
    // The message sent before the drop, then the end of the channel.
    assert_eq!(
        within("last message", remote.recv()).await,
        Some(DataChannelMessage::Text("last words".into()))
    );
    assert_eq!(within("channel ends", remote.recv()).await, None);
    // DTLS close_notify reached it: its DTLS transport is closed. (Its
    // connectionState follows ICE consent: `disconnected`, then `failed`,
    // after the timeouts; api_timers.rs checks that in virtual time.)
    within("remote DTLS closed", async {
        loop {
            let dtls = b
                .with_machine(|pc, _| pc.dtls_state())
                .await
                .expect("b runs");
            if dtls == DtlsTransportState::Closed {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
}

#[tokio::test]
async fn after_close_every_call_fails_with_task_ended() {
    let (a, channel, _b, remote) = pair(35).await;
    within("close", a.close()).await;
    assert_eq!(a.connection_state(), PeerConnectionState::Closed);
    assert!(matches!(a.create_offer().await, Err(Error::TaskEnded)));
    assert!(matches!(a.get_stats().await, Err(Error::TaskEnded)));
    assert!(matches!(
        a.create_data_channel(DataChannelInit::new("late")).await,
        Err(Error::TaskEnded)
    ));
    assert!(matches!(
        a.accept_data_channel().await,
        Err(Error::TaskEnded)
    ));
    assert!(matches!(channel.send("x").await, Err(Error::ChannelClosed)));
    assert!(matches!(channel.send_now("x").await, Err(Error::TaskEnded)));
    assert_eq!(channel.recv().await, None);
    // The remote hears of it: its channel ends.
    assert_eq!(within("remote channel ends", remote.recv()).await, None);
    // Closing again does nothing.
    within("second close", a.close()).await;
}

#[tokio::test]
async fn dropping_a_channels_last_handle_closes_that_channel_only() {
    let (a, channel, b, remote) = pair(37).await;
    let other = a
        .create_data_channel(DataChannelInit::new("other"))
        .await
        .expect("channel");
    let remote_other = within("accept", b.accept_data_channel())
        .await
        .expect("accepted");
    within("open", other.wait_open()).await.expect("open");
    let clone = channel.clone();
    drop(channel);
    clone
        .send("still open")
        .await
        .expect("a clone keeps it open");
    assert_eq!(
        within("message", remote.recv()).await,
        Some(DataChannelMessage::Text("still open".into()))
    );
    drop(clone);
    assert_eq!(within("channel ends", remote.recv()).await, None);
    assert!(matches!(
        remote.send_now("late").await,
        Err(Error::ChannelClosed)
    ));
    // The connection and its other channel go on.
    other.send("other").await.expect("send");
    assert_eq!(
        within("other channel", remote_other.recv()).await,
        Some(DataChannelMessage::Text("other".into()))
    );
    assert_eq!(a.connection_state(), PeerConnectionState::Connected);
}

#[tokio::test]
async fn a_live_data_channel_keeps_its_connection_running() {
    let (a, channel, _b, remote) = pair(39).await;
    drop(a);
    channel
        .send("after the handle")
        .await
        .expect("still running");
    assert_eq!(
        within("message", remote.recv()).await,
        Some(DataChannelMessage::Text("after the handle".into()))
    );
    drop(channel);
    // Read as a stream this time: it ends with the channel.
    let mut remote = remote;
    let rest = within(
        "stream ends",
        std::future::poll_fn(|cx| {
            futures_core::Stream::poll_next(std::pin::Pin::new(&mut remote), cx)
        }),
    )
    .await;
    assert_eq!(rest, None);
}
