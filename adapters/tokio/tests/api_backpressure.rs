//! Backpressure: a slow reader bounds what the sender can have in flight.
//! The reader's channel queue stays under its bound (while it is full the
//! connection leaves received messages in SCTP, whose window closes), the
//! sender's `bufferedAmount`
//! stays under its high-water mark (its `send` waits), so the sender can
//! only run a bounded distance ahead of the reader; everything arrives
//! intact and in order afterwards.

mod api_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use api_support::*;
use bytes::Bytes;
use sansrtc_tokio::sansrtc::{DataChannelInit, DataChannelMessage};

const MESSAGE: usize = 32 << 10;
const MESSAGES: usize = 400; // 12.5 MiB
/// The first messages are read slowly.
const SLOW_MESSAGES: usize = 120;
const QUEUE: usize = 256 << 10;
const HIGH_WATER: u64 = 512 << 10;

fn message(i: usize) -> Bytes {
    Bytes::from(pattern(i as u64 + 1, MESSAGE))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_bounds_the_sender() {
    let mut sender_options = loopback_options(21);
    sender_options.send_high_water = HIGH_WATER;
    sender_options.send_low_water = HIGH_WATER / 4;
    let mut reader_options = loopback_options(22);
    reader_options.channel_queue_bytes = QUEUE;
    let a = loopback_peer_with(sender_options).await;
    let b = loopback_peer_with(reader_options).await;
    let channel = a
        .create_data_channel(DataChannelInit::new("flood"))
        .await
        .expect("channel");
    signal(&a, &b).await;
    let remote = within("accept", b.accept_data_channel())
        .await
        .expect("accepted");
    within("open", channel.wait_open()).await.expect("open");

    let read = Arc::new(AtomicUsize::new(0));
    let reader = tokio::spawn({
        let read = read.clone();
        async move {
            let mut max_queued = 0;
            for i in 0..MESSAGES {
                max_queued = max_queued.max(remote.queued_bytes());
                if i < SLOW_MESSAGES {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                let got = remote.recv().await.expect("a message");
                assert_eq!(got, DataChannelMessage::Binary(message(i)), "message {i}");
                read.store(i + 1, Ordering::SeqCst);
            }
            // Kept open (dropping it would close the channel) until the
            // sender is done.
            (max_queued, remote)
        }
    });

    // How far the sender got ahead of the reader, and its buffered amount.
    let (mut max_ahead, mut max_buffered) = (0, 0);
    within_for(Duration::from_secs(60), "send", async {
        for i in 0..MESSAGES {
            channel.send(message(i)).await.expect("send");
            let buffered = channel.buffered_amount().await.expect("running");
            max_buffered = max_buffered.max(buffered);
            max_ahead = max_ahead.max(i + 1 - read.load(Ordering::SeqCst));
        }
    })
    .await;
    let (max_queued, _remote) = within_for(Duration::from_secs(60), "read", reader)
        .await
        .expect("reader");
    let paused = b.counters().data_channel_pauses;
    eprintln!(
        "sender ahead by at most {max_ahead} messages, buffered at most {max_buffered} B; \
         reader queue at most {max_queued} B; channels paused {paused} times"
    );

    // The reader's queue: its bound plus at most one message (a datagram
    // in hand when it filled).
    assert!(max_queued <= QUEUE + MESSAGE, "queue grew to {max_queued}");
    // The sender's buffer: the high-water mark plus the message that
    // crossed it.
    assert!(
        max_buffered <= HIGH_WATER + MESSAGE as u64,
        "{max_buffered}"
    );
    // What can be between the two: the sender's buffer, SCTP's 1 MiB
    // receive window in flight (also when it waits in the reader's socket
    // buffer), and the reader's queue. Without backpressure the sender
    // would finish while the reader is still in its slow part (400
    // messages ahead of ~100).
    let in_between = (HIGH_WATER as usize + MESSAGE) + (1 << 20) + (QUEUE + MESSAGE);
    // Slack: the message in the reader's hand and the counters' lag.
    let bound = in_between / MESSAGE + 8;
    assert!(
        max_ahead <= bound,
        "the sender ran {max_ahead} messages ahead (bound {bound})"
    );
    assert!(
        paused > 0,
        "the reader's queue never filled: the test did not test"
    );
    assert_eq!(b.counters().messages_without_handle, 0);
}

/// Many channels, none of them full on its own, cannot add up: the queues
/// of all channels together stop the reading at their own bound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queues_of_many_channels_are_bounded_together() {
    const CHANNELS: usize = 8;
    const PER_CHANNEL: usize = 8; // messages of MESSAGE bytes: 2 MiB in all
    const TOTAL: usize = 512 << 10;
    let mut reader_options = loopback_options(24);
    reader_options.channel_queue_bytes = 1 << 20;
    reader_options.connection_queue_bytes = TOTAL;
    let a = loopback_peer(23).await;
    let b = loopback_peer_with(reader_options).await;
    let mut channels = Vec::new();
    for i in 0..CHANNELS {
        let init = DataChannelInit::new(format!("c{i}"));
        channels.push(a.create_data_channel(init).await.expect("channel"));
    }
    signal(&a, &b).await;
    let mut remotes = Vec::new();
    for _ in 0..CHANNELS {
        remotes.push(
            within("accept", b.accept_data_channel())
                .await
                .expect("accepted"),
        );
    }
    remotes.sort_by(|x, y| x.label().cmp(y.label()));
    for channel in &channels {
        within("open", channel.wait_open()).await.expect("open");
    }
    for (c, channel) in channels.iter().enumerate() {
        for i in 0..PER_CHANNEL {
            channel.send(message(c * 100 + i)).await.expect("send");
        }
    }
    // Nobody reads for a while: the queues fill up to their joint bound.
    let mut max_total = 0;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        let total: usize = remotes.iter().map(|r| r.queued_bytes()).sum();
        max_total = max_total.max(total);
    }
    eprintln!("all queues together held at most {max_total} B (bound {TOTAL})");
    // The bound, plus the messages completed by the datagram in hand.
    assert!(max_total <= TOTAL + 2 * MESSAGE, "{max_total}");
    assert!(
        max_total >= TOTAL / 2,
        "the queues never filled: {max_total}"
    );
    assert!(b.counters().data_channel_pauses > 0);
    for (c, remote) in remotes.iter().enumerate() {
        for i in 0..PER_CHANNEL {
            let got = within("message", remote.recv()).await.expect("a message");
            assert_eq!(got, DataChannelMessage::Binary(message(c * 100 + i)));
        }
    }
}

/// Channels the remote fills and closes count until they are read, even
/// when nobody accepted them: closing cannot be used to get around the
/// bound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_unread_channels_still_count_toward_the_bound() {
    const CHANNELS: usize = 8;
    const SIZE: usize = 64 << 10;
    const TOTAL: usize = 256 << 10;
    let mut reader_options = loopback_options(26);
    reader_options.connection_queue_bytes = TOTAL;
    let a = loopback_peer(25).await;
    let b = loopback_peer_with(reader_options).await;
    let first = a
        .create_data_channel(DataChannelInit::new("c0"))
        .await
        .expect("channel");
    signal(&a, &b).await;
    within("open", first.wait_open()).await.expect("open");
    let mut channels = vec![first];
    for i in 1..CHANNELS {
        let init = DataChannelInit::new(format!("c{i}"));
        channels.push(a.create_data_channel(init).await.expect("channel"));
    }
    for (i, channel) in channels.iter().enumerate() {
        within("open", channel.wait_open()).await.expect("open");
        channel
            .send(Bytes::from(vec![i as u8; SIZE]))
            .await
            .expect("send");
        channel.close().await.expect("close");
    }
    // Nobody has accepted anything yet; give the data time to arrive.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut remotes = Vec::new();
    for _ in 0..CHANNELS {
        remotes.push(
            within("accept", b.accept_data_channel())
                .await
                .expect("accepted"),
        );
    }
    let queued: usize = remotes.iter().map(|r| r.queued_bytes()).sum();
    eprintln!("{queued} B queued in closed, unaccepted channels (bound {TOTAL})");
    assert!(queued <= TOTAL + SIZE, "{queued}");
    assert!(b.counters().data_channel_pauses > 0);
    remotes.sort_by(|x, y| x.label().cmp(y.label()));
    for (i, remote) in remotes.iter().enumerate() {
        let got = within("message", remote.recv()).await;
        assert_eq!(
            got,
            Some(DataChannelMessage::Binary(Bytes::from(vec![i as u8; SIZE])))
        );
        assert_eq!(within("closed", remote.recv()).await, None);
    }
}

/// An echo that reads and sends in one loop, both sides bounded small, the
/// other side sending and reading at once: the pattern that deadlocks when
/// a paused receiver also stops the acknowledgements its own sending
/// waits for. Paused delivery leaves SACKs flowing, so every message comes
/// back, intact and in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_echo_that_reads_then_sends_in_one_loop_does_not_deadlock() {
    const ECHO_MESSAGES: usize = 1000; // 16 MiB each way
    const SIZE: usize = 16 << 10;
    let small = |seed| {
        let mut options = loopback_options(seed);
        options.channel_queue_bytes = 128 << 10;
        options.send_high_water = 256 << 10;
        options.send_low_water = 64 << 10;
        options
    };
    let a = loopback_peer_with(small(31)).await;
    let b = loopback_peer_with(small(32)).await;
    let channel = a
        .create_data_channel(DataChannelInit::new("echo"))
        .await
        .expect("channel");
    signal(&a, &b).await;
    let remote = within("accept", b.accept_data_channel())
        .await
        .expect("accepted");
    let echo = tokio::spawn(async move {
        while let Some(message) = remote.recv().await {
            if remote.send(message).await.is_err() {
                break;
            }
        }
    });
    within("open", channel.wait_open()).await.expect("open");
    let message = |i: usize| Bytes::from(pattern(i as u64 + 7, SIZE));
    let sender = channel.clone();
    let send = tokio::spawn(async move {
        for i in 0..ECHO_MESSAGES {
            sender.send(message(i)).await.expect("send");
        }
    });
    let received = within_for(Duration::from_secs(60), "every echo", async {
        let mut intact = 0;
        for i in 0..ECHO_MESSAGES {
            match channel.recv().await {
                Some(DataChannelMessage::Binary(b)) if b == message(i) => intact += 1,
                other => panic!("echo {i}: {:?}", other.map(|m| m.len())),
            }
        }
        intact
    })
    .await;
    assert_eq!(received, ECHO_MESSAGES);
    send.await.expect("sender");
    assert!(
        b.counters().data_channel_pauses > 0 || a.counters().data_channel_pauses > 0,
        "never paused: the bounds were not reached, untested"
    );
    drop(echo);
}
