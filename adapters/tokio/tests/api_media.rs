//! Media through the async API: a local audio track written frame by frame
//! (and one ready RTP packet), the remote track accepted and read, a
//! keyframe request back to the sender.

mod api_support;

use std::time::Duration;

use api_support::*;
use sansrtc_tokio::sansrtc::{MediaKind, MediaStreamTrack, PeerConnectionState};
use sansrtc_tokio::{MediaSample, PeerConnectionEvent};

#[tokio::test]
async fn audio_frames_and_rtp_cross_and_a_keyframe_request_comes_back() {
    let a = loopback_peer(61).await;
    let b = loopback_peer(62).await;
    let mut a_events = a.events().expect("events");
    let mic = a
        .add_track(
            MediaStreamTrack::new("mic", MediaKind::Audio),
            vec!["s".into()],
        )
        .await
        .expect("track");
    assert_eq!(mic.kind(), MediaKind::Audio);
    // A second track, written as ready RTP packets.
    let line = a
        .add_track(
            MediaStreamTrack::new("line", MediaKind::Audio),
            vec!["s".into()],
        )
        .await
        .expect("track");
    signal(&a, &b).await;
    let track = within("track event", b.accept_track())
        .await
        .expect("track");
    assert_eq!(track.kind(), MediaKind::Audio);
    assert_eq!(track.transceiver(), mic.transceiver(), "the first section");
    let line_track = within("second track", b.accept_track())
        .await
        .expect("track");
    within(
        "connected",
        a.wait_for_connection_state(|s| s == PeerConnectionState::Connected),
    )
    .await;

    for i in 0..20u32 {
        mic.write_frame(i * 960, &[0xf8, 0xff, 0xfe, i as u8])
            .await
            .expect("frame");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let mut first_timestamp = None;
    for i in 0..20u32 {
        let (data, timestamp, keyframe) = within("frame", track.recv_frame()).await.expect("frame");
        assert_eq!(data, [0xf8, 0xff, 0xfe, i as u8]);
        assert!(keyframe, "audio frames are all keyframes");
        let first = *first_timestamp.get_or_insert(timestamp);
        assert_eq!(timestamp.wrapping_sub(first), i * 960);
    }

    // Ready RTP packets: version 2, Opus's payload type 111, consecutive
    // sequence numbers and timestamps; the SSRC is replaced by the
    // sender's.
    for i in 0..5u16 {
        let [s0, s1] = (1000 + i).to_be_bytes();
        let [t0, t1, t2, t3] = (u32::from(i) * 960).to_be_bytes();
        let mut packet = vec![0x80, 111, s0, s1, t0, t1, t2, t3, 1, 2, 3, 4];
        packet.extend_from_slice(&[0xf8, 0xaa, i as u8]);
        line.write_rtp(&packet).await.expect("rtp");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    for i in 0..5u8 {
        match within("rtp as a frame", line_track.recv()).await {
            Some(MediaSample::Frame { data, .. }) => assert_eq!(data, [0xf8, 0xaa, i]),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((track.dropped(), line_track.dropped()), (0, 0));

    track.request_keyframe(true).await.expect("FIR");
    let request = within("keyframe request", async {
        loop {
            match a_events.recv().await.expect("a runs") {
                PeerConnectionEvent::KeyframeRequest {
                    transceiver,
                    full_intra,
                } => return (transceiver, full_intra),
                _ => continue,
            }
        }
    })
    .await;
    assert_eq!(request, (mic.transceiver(), true));

    // The receiver ends with the connection.
    drop((mic, line));
    a.close().await;
    b.close().await;
    assert_eq!(within("track ends", track.recv()).await, None);
}

/// While the data channels are paused by a reader that does not read, media
/// keeps flowing: only DTLS datagrams are held back, SRTP goes through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_flows_while_a_stalled_reader_pauses_the_data_channels() {
    use bytes::Bytes;
    use sansrtc_tokio::sansrtc::{DataChannelInit, DataChannelMessage};
    let a = loopback_peer(63).await;
    let mut options = loopback_options(64);
    options.channel_queue_bytes = 128 << 10;
    let b = loopback_peer_with(options).await;
    let mic = a
        .add_track(
            MediaStreamTrack::new("mic", MediaKind::Audio),
            vec!["s".into()],
        )
        .await
        .expect("track");
    let channel = a
        .create_data_channel(DataChannelInit::new("bulk"))
        .await
        .expect("channel");
    signal(&a, &b).await;
    let track = within("track", b.accept_track()).await.expect("track");
    let remote = within("accept", b.accept_data_channel())
        .await
        .expect("accepted");
    within("open", channel.wait_open()).await.expect("open");
    // 2 MiB that nobody reads for now.
    let flood = tokio::spawn(async move {
        for i in 0..64u8 {
            channel
                .send(Bytes::from(vec![i; 32 << 10]))
                .await
                .expect("send");
        }
        channel
    });
    within("paused", async {
        while b.counters().data_channel_pauses == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    for i in 0..10u32 {
        mic.write_frame(i * 960, &[0xf8, 0xff, i as u8])
            .await
            .expect("frame");
        let (data, _, _) = within("frame while paused", track.recv_frame())
            .await
            .expect("frame");
        assert_eq!(data, [0xf8, 0xff, i as u8]);
    }
    assert!(
        remote.queued_bytes() >= 128 << 10,
        "the channels were paused all along"
    );
    for i in 0..64u8 {
        let got = within("bulk", remote.recv()).await.expect("message");
        assert_eq!(
            got,
            DataChannelMessage::Binary(Bytes::from(vec![i; 32 << 10]))
        );
    }
    let _channel = within("flood done", flood).await.expect("sender");
}
