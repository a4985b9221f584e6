//! The offerer: channel `echo`, the message pattern, echo checks, the result line.

use super::*;

/// An Opus silence frame (RFC 6716 TOC: 20 ms CELT FB, one frame).
const OPUS_SILENCE: [u8; 3] = [0xf8, 0xff, 0xfe];
/// 20 ms at Opus's 48 kHz RTP clock.
const OPUS_FRAME_TICKS: u32 = 960;

/// How far the run got.
pub(crate) struct Progress {
    /// When the peer connection was created (`connected_ms` counts from it).
    pub(crate) created: Instant,
    /// What the run waits for (until the channel is open).
    pub(crate) waiting_for: &'static str,
    pub(crate) connected_at: Option<Instant>,
    pub(crate) echoes: Echoes,
    /// Opus frames sent.
    pub(crate) rtp_packets_sent: u64,
}

impl Progress {
    fn new() -> Self {
        Progress {
            created: Instant::now(),
            waiting_for: "ICE gathering",
            connected_at: None,
            echoes: Echoes::default(),
            rtp_packets_sent: 0,
        }
    }
}

/// The echoes checked so far.
#[derive(Default)]
pub(crate) struct Echoes {
    pub(crate) echoed: usize,
    pub(crate) bytes: u64,
    pub(crate) last: Option<Instant>,
}

/// Checks echo `seq` against the message sent.
pub(crate) fn check_echo(
    seq: usize,
    size: usize,
    message: &DataChannelMessage,
) -> Result<(), String> {
    let want = make_message(seq, size);
    let (got_text, want_text) = (
        matches!(message, DataChannelMessage::Text(_)),
        matches!(want, DataChannelMessage::Text(_)),
    );
    // What came instead: its length and `%010d:` prefix tell a
    // duplicate or a reordering from a damaged message.
    let got = || {
        let bytes: &[u8] = match message {
            DataChannelMessage::Text(t) => t.as_bytes(),
            DataChannelMessage::Binary(b) => b,
        };
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(11)]).into_owned();
        format!("got {} bytes starting {head:?}", bytes.len())
    };
    if got_text != want_text {
        return Err(format!(
            "echo {seq}: text/binary type mismatch (got text={got_text}; {})",
            got()
        ));
    }
    if *message != want {
        return Err(format!(
            "echo {seq}: {} content mismatch (len {}/{}; {})",
            if want_text { "text" } else { "binary" },
            message.len(),
            want.len(),
            got()
        ));
    }
    Ok(())
}

/// Sends the messages; `send` waits while `bufferedAmount` is above the
/// connection's high-water mark (see [`offer_options`]).
async fn send_all(channel: &DataChannel, sizes: &[usize]) -> Result<(), String> {
    for (seq, &size) in sizes.iter().enumerate() {
        channel
            .send(make_message(seq, size))
            .await
            .map_err(|e| format!("send {seq}: {e}"))?;
    }
    Ok(())
}

/// Receives and checks every echo, in order.
async fn check_echoes(
    channel: &DataChannel,
    sizes: &[usize],
    e: &mut Echoes,
) -> Result<(), String> {
    while e.echoed < sizes.len() {
        let message = channel.recv().await.ok_or("data channel closed")?;
        check_echo(e.echoed, sizes[e.echoed], &message)?;
        e.echoed += 1;
        e.bytes += message.len() as u64;
        e.last = Some(Instant::now());
    }
    Ok(())
}

/// Sends a 20 ms Opus frame every 20 ms until `media_ms` of audio went out.
async fn send_audio(track: Option<TrackSender>, media_ms: u64, sent: &mut u64) {
    let Some(track) = track else { return };
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    loop {
        tick.tick().await;
        let ticks = (*sent as u32).wrapping_mul(OPUS_FRAME_TICKS);
        match track.write_frame(ticks, &OPUS_SILENCE).await {
            Ok(()) => *sent += 1,
            Err(e) => tracing::warn!("audio: {e}"),
        }
        if *sent * 20 >= media_ms {
            return;
        }
    }
}

/// The offerer's options: sending keeps `bufferedAmount` ≤ 1 MiB, so a
/// message goes out while `bufferedAmount` + its size stays under it (a
/// larger one alone); `bufferedamountlow` wakes the sender.
fn offer_options(largest: usize) -> PeerConnectionOptions {
    let high = BUFFER_LIMIT.saturating_sub(largest as u64);
    PeerConnectionOptions {
        send_high_water: high,
        send_low_water: LOW_THRESHOLD.min(high),
        ..loopback()
    }
}

/// POST (or GET without a body) over HTTP/1.1: the status and the body.
pub(crate) async fn http(
    method: Method,
    url: &str,
    body: Option<String>,
) -> Result<(StatusCode, String), String> {
    let uri: hyper::Uri = url.parse().map_err(|e| format!("bad URL {url}: {e}"))?;
    let host = uri.host().ok_or("URL without host")?.to_owned();
    let port = uri.port_u16().unwrap_or(80);
    let stream = TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| format!("connect {host}:{port}: {e}"))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP: {e}"))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!("http client connection: {e}");
        }
    });
    let mut request = Request::builder()
        .method(method)
        .uri(uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"))
        .header(header::HOST, format!("{host}:{port}"));
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/sdp");
    }
    let request = request
        .body(Full::new(Bytes::from(body.unwrap_or_default())))
        .map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| format!("HTTP: {e}"))?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("HTTP body: {e}"))?
        .to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

pub(crate) async fn run_offer(o: Options) -> i32 {
    let mut res = Map::new();
    res.insert("ok".into(), false.into());
    res.insert("connected_ms".into(), Value::Null);
    res.insert("echoed".into(), 0.into());
    res.insert("bytes".into(), 0.into());
    res.insert("throughput_mbps".into(), 0.into());
    res.insert("messages".into(), o.messages.into());
    let mut sizes = vec![o.size.max(12); o.messages];
    if o.big_size > 16384 && o.size <= 16384 {
        *sizes.last_mut().expect("at least one message") = o.big_size;
    }
    let largest = sizes.iter().copied().max().unwrap_or(0);
    res.insert("max_message_bytes".into(), largest.into());

    let deadline = tokio::time::Instant::now() + o.timeout;
    let mut p = Progress::new();
    let peer = async {
        let (pc, events) = new_peer(offer_options(largest), o.dump_media.is_some()).await?;
        let (audio, channel) = prepare(&o, &pc).await.map_err(|e| format!("offer: {e}"))?;
        Ok::<_, String>((pc, events, audio, channel))
    };
    // The channel's handle lives until the connection is closed.
    let (pc, mut error) = match peer.await {
        Ok((pc, events, audio, channel)) => {
            let run = offer_session(&o, &pc, events, audio, &channel, &sizes, &mut p);
            let error = match tokio::time::timeout_at(deadline, run).await {
                Ok(result) => result.err(),
                Err(_) if p.connected_at.is_none() => {
                    Some(format!("timeout waiting for {}", p.waiting_for))
                }
                Err(_) if p.echoes.echoed < sizes.len() => Some(format!(
                    "timeout waiting for echoes ({}/{} echoed)",
                    p.echoes.echoed, o.messages
                )),
                Err(_) => Some("timeout while sending audio".into()),
            };
            (Some((pc, channel)), error)
        }
        Err(e) => (None, Some(e)),
    };
    if let Some(e) = &error {
        tracing::error!("{e}");
    }
    let Echoes {
        echoed,
        bytes,
        last: last_echo,
    } = p.echoes;
    if let Some((pc, _)) = &pc {
        let total: u64 = sizes.iter().map(|&n| n as u64).sum();
        let throughput_mbps = match (p.connected_at, last_echo) {
            (Some(start), Some(end)) if end > start => {
                let mbps = bytes as f64 * 8.0 / (end - start).as_secs_f64() / 1e6;
                (mbps * 1e3).round() / 1e3
            }
            _ => 0.0,
        };
        res.insert(
            "connected_ms".into(),
            p.connected_at.map(|t| ms(t - p.created)).into(),
        );
        res.insert("echoed".into(), echoed.into());
        res.insert("bytes".into(), bytes.into());
        res.insert("throughput_mbps".into(), throughput_mbps.into());
        let transport = final_info("offerer", pc).await.unwrap_or_default();
        res.insert("transport".into(), Value::Object(transport));
        if o.media == "audio" {
            res.insert("rtp_packets_sent".into(), p.rtp_packets_sent.into());
        }
        if error.is_none() && (echoed != o.messages || bytes != total) {
            error = Some(format!(
                "echo count/bytes mismatch: {echoed}/{} msgs, {bytes}/{total} bytes",
                o.messages
            ));
        }
    }
    if let Some(stats_url) = o.url.strip_suffix("/offer").map(|u| format!("{u}/stats")) {
        let got =
            tokio::time::timeout(Duration::from_secs(2), http(Method::GET, &stats_url, None)).await;
        if let Ok(Ok((StatusCode::OK, body))) = got {
            if let Ok(v) = serde_json::from_str::<Value>(&body) {
                let rtp_in = v.get("rtp_packets_in").and_then(Value::as_u64).unwrap_or(0);
                if o.media == "audio" && rtp_in == 0 && error.is_none() {
                    error = Some("the answerer received no RTP".into());
                }
                res.insert("remote_stats".into(), v);
            }
        }
    }
    let ok = error.is_none();
    res.insert("ok".into(), ok.into());
    if let Some(e) = error {
        res.insert("error".into(), e.into());
    }
    println!("{}", Value::Object(res));
    if let Some((pc, _channel)) = pc {
        pc.close().await;
    }
    if ok {
        0
    } else {
        1
    }
}

/// The audio track (with `--media audio`) and channel `echo`, in this
/// order (the audio m= section comes first), and the local offer. The
/// handles live until the connection is closed: dropping the channel's
/// last one would close it.
pub(crate) async fn prepare(
    o: &Options,
    pc: &PeerConnection,
) -> Result<(Option<TrackSender>, DataChannel), sansrtc_tokio::Error> {
    let audio = match o.media.as_str() {
        "audio" => {
            let track = MediaStreamTrack::new("audio0", MediaKind::Audio);
            Some(pc.add_track(track, vec!["sansrtc".into()]).await?)
        }
        _ => None,
    };
    let channel = pc.create_data_channel(DataChannelInit::new("echo")).await?;
    pc.set_local_description(pc.create_offer().await?).await?;
    Ok((audio, channel))
}

/// The offer/answer and the run: the messages sent and their echoes
/// checked, audio for `--media-ms` once the channel is open; what it got
/// to is in `p` (also when the deadline cuts it short).
pub(crate) async fn offer_session(
    o: &Options,
    pc: &PeerConnection,
    mut events: Events,
    audio: Option<TrackSender>,
    channel: &DataChannel,
    sizes: &[usize],
    p: &mut Progress,
) -> Result<(), String> {
    let offer = gathered("offerer", pc, &mut events)
        .await
        .ok_or("the session ended")?;
    let dump = Dump::new(o.dump_media.clone(), "offerer".into());
    tokio::spawn(log_events("offerer".into(), events, dump));
    save_sdp(&o.save_sdp, "offerer-offer.sdp", &offer.sdp);
    p.waiting_for = "signaling";
    let posted = http(Method::POST, &o.url, Some(loopback_only(&offer.sdp)));
    let (status, answer) = posted.await?;
    if status != StatusCode::CREATED {
        let snippet: String = answer.trim().chars().take(200).collect();
        return Err(format!(
            "POST offer: HTTP {} (want 201): {snippet}",
            status.as_u16()
        ));
    }
    save_sdp(&o.save_sdp, "offerer-answer.sdp", &answer);
    pc.set_remote_description(RtcSessionDescription::answer(answer))
        .await
        .map_err(|e| format!("setRemoteDescription(answer): {e}"))?;
    p.waiting_for = "data channel open";

    let failed = async {
        let state = pc
            .wait_for_connection_state(|s| {
                matches!(s, PeerConnectionState::Failed | PeerConnectionState::Closed)
            })
            .await;
        Err::<(), _>(format!("connection {}", state.as_str()))
    };
    let run = async {
        channel
            .wait_open()
            .await
            .map_err(|_| "data channel closed".to_owned())?;
        let now = Instant::now();
        p.connected_at = Some(now);
        tracing::info!("echo open after {} ms", ms(now - p.created));
        let audio = async {
            send_audio(audio, o.media_ms, &mut p.rtp_packets_sent).await;
            Ok(())
        };
        tokio::try_join!(
            send_all(channel, sizes),
            check_echoes(channel, sizes, &mut p.echoes),
            audio
        )
        .map(|_| ())
    };
    tokio::select! {
        r = run => r,
        r = failed => r,
    }
}
