//! `DataChannelStream`: 64 MiB through `AsyncWrite` on one peer and
//! `AsyncRead` on the other, byte for byte.

mod api_support;

use std::time::{Duration, Instant};

use api_support::*;
use sansrtc_tokio::sansrtc::DataChannelInit;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SIZE: usize = 64 << 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_copies_64_mib_intact() {
    let a = loopback_peer(11).await;
    let b = loopback_peer(12).await;
    let channel = a
        .create_data_channel(DataChannelInit::new("bytes"))
        .await
        .expect("channel");
    signal(&a, &b).await;
    let remote = within("accept", b.accept_data_channel())
        .await
        .expect("accepted");
    within("open", channel.wait_open()).await.expect("open");

    let data = pattern(7, SIZE);
    let started = Instant::now();
    let reader = tokio::spawn(async move {
        let mut stream = remote.into_stream();
        let mut received = Vec::with_capacity(SIZE);
        stream.read_to_end(&mut received).await.expect("read");
        received
    });
    let mut writer = channel.into_stream();
    // Written in 1 MiB slices of the pattern; the stream cuts them into
    // messages of the chunk size.
    let limit = Duration::from_secs(120);
    within_for(limit, "write 64 MiB", async {
        for slice in data.chunks(1 << 20) {
            writer.write_all(slice).await.expect("write");
        }
        writer.shutdown().await.expect("shutdown");
    })
    .await;
    let received = within_for(limit, "read to the end", reader)
        .await
        .expect("reader");
    let elapsed = started.elapsed();
    eprintln!(
        "64 MiB in {elapsed:?} ({:.1} MiB/s)",
        64.0 / elapsed.as_secs_f64()
    );
    assert_eq!(received.len(), SIZE);
    assert!(received == data, "the bytes differ");
}
