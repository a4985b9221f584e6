//! The WHIP client: offers a data channel (and optionally an audio track),
//! trickles its candidates with `PATCH` or sends them in the offer, checks
//! the server's echo, and ends the session with `DELETE`.

use std::net::IpAddr;
use std::time::Duration;

use hyper::{Method, StatusCode};
use sansrtc::{
    DataChannelInit, DataChannelMessage, MediaKind, MediaStreamTrack, PeerConnectionState,
    RtcConfiguration, RtcSessionDescription,
};
use sansrtc_tokio::{PeerConnection, PeerConnectionEvent, PeerConnectionOptions};

use crate::http::{request, resolve_location};
use crate::sdpfrag::SdpFrag;

/// How the client runs.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// The address its UDP socket binds.
    pub local_address: IpAddr,
    /// Messages sent (and expected back).
    pub messages: usize,
    /// Also send an audio track (frames of dummy Opus payload) and expect
    /// them back.
    pub audio_frames: usize,
    /// Send the offer at once and trickle candidates with PATCH (else the
    /// offer carries them all).
    pub trickle: bool,
    /// How long the whole session may take.
    pub timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            local_address: "127.0.0.1".parse().expect("an address"),
            messages: 10,
            audio_frames: 0,
            trickle: true,
            timeout: Duration::from_secs(20),
        }
    }
}

/// What the client saw.
#[derive(Debug, Default, Clone)]
pub struct ClientReport {
    /// The session's URL (`Location`, resolved).
    pub location: String,
    /// The status of each PATCH.
    pub patches: Vec<u16>,
    /// Messages that came back equal to what was sent.
    pub echoed: usize,
    /// Audio frames that came back.
    pub frames_back: usize,
    /// The DELETE's status.
    pub delete_status: u16,
}

/// One WHIP session against `endpoint` (`http://host:port/whip`).
pub async fn run(endpoint: &str, options: ClientOptions) -> Result<ClientReport, String> {
    tokio::time::timeout(options.timeout, session(endpoint, &options))
        .await
        .map_err(|_| format!("the session took over {:?}", options.timeout))?
}

async fn session(endpoint: &str, options: &ClientOptions) -> Result<ClientReport, String> {
    let mut report = ClientReport::default();
    let pc = PeerConnection::new(
        RtcConfiguration::default(),
        PeerConnectionOptions::with_local_addresses([options.local_address]),
    )
    .await
    .map_err(|e| e.to_string())?;
    let mut events = pc.events().map_err(|e| e.to_string())?;
    let channel = pc
        .create_data_channel(DataChannelInit::new("whip"))
        .await
        .map_err(|e| e.to_string())?;
    let audio = if options.audio_frames > 0 {
        let track = MediaStreamTrack::new("mic", MediaKind::Audio);
        Some(
            pc.add_track(track, vec!["whip".into()])
                .await
                .map_err(|e| e.to_string())?,
        )
    } else {
        None
    };
    let offer = pc.create_offer().await.map_err(|e| e.to_string())?;
    pc.set_local_description(offer)
        .await
        .map_err(|e| e.to_string())?;

    // Trickle: the offer leaves now, its candidates follow by PATCH.
    // Otherwise: once gathered, with every candidate in it.
    let mut candidates = Vec::new();
    if !options.trickle {
        while let Some(event) = events.recv().await {
            if matches!(event, PeerConnectionEvent::IceCandidate(None)) {
                break;
            }
        }
    }
    let offer = pc
        .local_description()
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no local description")?;
    let created = request(
        Method::POST,
        endpoint,
        &[("content-type", "application/sdp")],
        offer.sdp.clone(),
    )
    .await?;
    if created.status != StatusCode::CREATED {
        return Err(format!("POST: {} {}", created.status, created.body));
    }
    let location = created.header("location").ok_or("201 without Location")?;
    report.location = resolve_location(endpoint, location);
    let etag = created.header("etag").map(str::to_string);
    pc.set_remote_description(RtcSessionDescription::answer(created.body.clone()))
        .await
        .map_err(|e| format!("the answer: {e}"))?;

    if options.trickle {
        let (ufrag, pwd, mid) = ice_of(&offer.sdp).ok_or("no ICE credentials in the offer")?;
        loop {
            let event = events.recv().await.ok_or("the connection ended")?;
            let end = match event {
                PeerConnectionEvent::IceCandidate(Some(c)) => {
                    candidates.push(c.candidate);
                    false
                }
                PeerConnectionEvent::IceCandidate(None) => true,
                _ => continue,
            };
            if end {
                let frag = SdpFrag::write(&ufrag, &pwd, &mid, &candidates, true);
                let mut headers = vec![("content-type", "application/trickle-ice-sdpfrag")];
                if let Some(etag) = &etag {
                    headers.push(("if-match", etag.as_str()));
                }
                let patched = request(Method::PATCH, &report.location, &headers, frag).await?;
                report.patches.push(patched.status.as_u16());
                break;
            }
        }
    }
    // Drain the remaining events so that the stream never fills.
    tokio::spawn(async move { while events.recv().await.is_some() {} });

    channel.wait_open().await.map_err(|e| e.to_string())?;
    for i in 0..options.messages {
        let text = format!("message {i}");
        channel
            .send(text.as_str())
            .await
            .map_err(|e| e.to_string())?;
        let back = channel.recv().await.ok_or("the channel closed")?;
        if back == DataChannelMessage::Text(text) {
            report.echoed += 1;
        }
    }
    if let Some(audio) = audio {
        let receiver = pc.accept_track().await.map_err(|e| e.to_string())?;
        for i in 0..options.audio_frames {
            let frame = vec![0xfc, i as u8, 0x55, 0xaa];
            audio
                .write_frame(960 * i as u32, &frame)
                .await
                .map_err(|e| e.to_string())?;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
        while report.frames_back < options.audio_frames {
            match tokio::time::timeout_at(deadline, receiver.recv_frame()).await {
                Ok(Some(_)) => report.frames_back += 1,
                _ => break,
            }
        }
    }
    let deleted = request(Method::DELETE, &report.location, &[], String::new()).await?;
    report.delete_status = deleted.status.as_u16();
    pc.close().await;
    if pc.connection_state() != PeerConnectionState::Closed {
        return Err(format!("after close: {:?}", pc.connection_state()));
    }
    Ok(report)
}

/// The offer's ICE credentials and the first section's mid.
fn ice_of(sdp: &str) -> Option<(String, String, String)> {
    let find = |prefix: &str| {
        sdp.lines()
            .find_map(|l| l.trim_end().strip_prefix(prefix))
            .map(str::to_string)
    };
    Some((find("a=ice-ufrag:")?, find("a=ice-pwd:")?, find("a=mid:")?))
}
