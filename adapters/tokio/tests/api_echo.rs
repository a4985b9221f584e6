//! Two `PeerConnection`s in one test: offer/answer with trickled candidates
//! through the event streams, a data channel opened by one and accepted by
//! the other, text and binary messages echoed.

mod api_support;

use api_support::*;
use bytes::Bytes;
use sansrtc_tokio::sansrtc::{DataChannelInit, DataChannelMessage, PeerConnectionState};
use sansrtc_tokio::{Events, PeerConnection, PeerConnectionEvent};
use tokio::sync::watch;

/// Forwards `from`'s trickled candidates to `to` once `to` has its remote
/// description (`remote_set`); returns the connection states `from`
/// reported, once its stream ends or it is connected.
async fn trickle(
    mut events: Events,
    to: PeerConnection,
    mut remote_set: watch::Receiver<bool>,
) -> Vec<PeerConnectionState> {
    let mut states = Vec::new();
    while let Some(event) = events.recv().await {
        match event {
            PeerConnectionEvent::IceCandidate(Some(candidate)) => {
                remote_set.wait_for(|set| *set).await.expect("test alive");
                to.add_ice_candidate(candidate).await.expect("candidate");
            }
            PeerConnectionEvent::ConnectionStateChange(state) => {
                states.push(state);
                if state == PeerConnectionState::Connected {
                    break;
                }
            }
            _ => {}
        }
    }
    states
}

#[tokio::test]
async fn two_peers_trickle_candidates_and_echo_text_and_binary() {
    let a = loopback_peer(1).await;
    let b = loopback_peer(2).await;
    let a_events = a.events().expect("first take");
    let b_events = b.events().expect("first take");
    assert!(
        matches!(a.events(), Err(sansrtc_tokio::Error::EventsTaken)),
        "one event stream per connection"
    );

    let chat = a
        .create_data_channel(DataChannelInit::new("chat"))
        .await
        .expect("channel");
    let offer = a.create_offer().await.expect("offer");
    // The candidates come as events once the description is set: forward
    // them from now on.
    let (a_has_remote, a_remote_set) = watch::channel(false);
    let (b_has_remote, b_remote_set) = watch::channel(false);
    let a_trickle = tokio::spawn(trickle(a_events, b.clone(), b_remote_set));
    let b_trickle = tokio::spawn(trickle(b_events, a.clone(), a_remote_set));
    a.set_local_description(offer.clone()).await.expect("local");
    b.set_remote_description(offer).await.expect("remote");
    b_has_remote.send_replace(true);
    let answer = b.create_answer().await.expect("answer");
    b.set_local_description(answer.clone())
        .await
        .expect("local");
    a.set_remote_description(answer).await.expect("remote");
    a_has_remote.send_replace(true);

    // The remote's channel, echoing every message with its type.
    let remote = within("datachannel event", b.accept_data_channel())
        .await
        .expect("accepted");
    assert_eq!(remote.label(), "chat");
    let echo = tokio::spawn(async move {
        let mut echoed = 0;
        while let Some(message) = remote.recv().await {
            remote.send(message).await.expect("echo");
            echoed += 1;
        }
        echoed
    });

    within("open", chat.wait_open()).await.expect("open");
    chat.send("hello").await.expect("text");
    let binary = Bytes::from_static(&[0, 1, 2, 0xfe, 0xff]);
    chat.send(binary.clone()).await.expect("binary");
    chat.send(String::new()).await.expect("empty text");
    assert_eq!(
        within("text echo", chat.recv()).await,
        Some(DataChannelMessage::Text("hello".into()))
    );
    assert_eq!(
        within("binary echo", chat.recv()).await,
        Some(DataChannelMessage::Binary(binary))
    );
    assert_eq!(
        within("empty echo", chat.recv()).await,
        Some(DataChannelMessage::Text(String::new()))
    );

    let a_states = within("a connected", a_trickle).await.expect("task");
    let b_states = within("b connected", b_trickle).await.expect("task");
    assert_eq!(a_states.last(), Some(&PeerConnectionState::Connected));
    assert_eq!(b_states.last(), Some(&PeerConnectionState::Connected));
    assert_eq!(a.connection_state(), PeerConnectionState::Connected);

    let stats = a.get_stats().await.expect("stats");
    assert!(stats.of_type("data-channel").count() >= 1, "{stats:?}");
    assert!(stats.of_type("transport").count() >= 1);

    // Closing the channel ends the echo loop on the other side.
    chat.close().await.expect("close");
    assert_eq!(within("echo loop ends", echo).await.expect("task"), 3);
    assert_eq!(within("closed", chat.recv()).await, None);
}
