//! The offerer: channel `echo`, the message pattern, echo checks, the result line.

use super::*;

/// The offering session: sends the messages, checks the echoes.
pub(crate) struct Offerer {
    pub(crate) channel: ChannelId,
    pub(crate) sizes: Vec<usize>,
    /// The next message to send.
    pub(crate) next: usize,
    pub(crate) echoed: usize,
    pub(crate) bytes: u64,
    pub(crate) created: Instant,
    pub(crate) connected_at: Option<Instant>,
    pub(crate) last_echo: Option<Instant>,
    pub(crate) error: Option<String>,
    pub(crate) gathered: Option<oneshot::Sender<RtcSessionDescription>>,
    pub(crate) done: Option<oneshot::Sender<()>>,
    /// The audio transceiver, with `--media audio`.
    pub(crate) audio: Option<TransceiverId>,
    /// Opus frames sent.
    pub(crate) rtp_packets_sent: u64,
    /// `--dump-media DIR`: received RTCP (after SRTCP) saved here.
    pub(crate) dump: Option<PathBuf>,
    /// Packets saved so far, per kind.
    pub(crate) dumped: HashMap<&'static str, usize>,
}

/// An Opus silence frame (RFC 6716 TOC: 20 ms CELT FB, one frame).
const OPUS_SILENCE: [u8; 3] = [0xf8, 0xff, 0xfe];
/// 20 ms at Opus's 48 kHz RTP clock.
const OPUS_FRAME_TICKS: u32 = 960;

impl Offerer {
    /// Sends the next 20 ms Opus frame once the channel is open; `true`
    /// once `media_ms` of audio went out.
    pub(crate) fn send_audio(
        &mut self,
        pc: &mut RtcPeerConnection,
        now: Instant,
        media_ms: u64,
    ) -> bool {
        let (Some(audio), Some(_)) = (self.audio, self.connected_at) else {
            return self.audio.is_none();
        };
        let ticks = (self.rtp_packets_sent as u32).wrapping_mul(OPUS_FRAME_TICKS);
        match pc.write_frame(now, audio, ticks, &OPUS_SILENCE) {
            Ok(()) => self.rtp_packets_sent += 1,
            Err(e) => tracing::warn!("audio: {e}"),
        }
        self.rtp_packets_sent * 20 >= media_ms
    }
}

impl Offerer {
    pub(crate) fn fail(&mut self, error: String) {
        if self.error.is_none() && self.done.is_some() {
            tracing::error!("{error}");
            self.error = Some(error);
        }
        self.finish();
    }

    pub(crate) fn finish(&mut self) {
        if let Some(done) = self.done.take() {
            let _ = done.send(());
        }
    }

    /// Sends while `bufferedAmount` stays ≤ 1 MiB (a message larger than
    /// that goes out alone).
    pub(crate) fn send_more(&mut self, pc: &mut RtcPeerConnection, now: Instant) {
        while self.next < self.sizes.len() && self.done.is_some() {
            let size = self.sizes[self.next] as u64;
            let buffered = pc.buffered_amount(self.channel).unwrap_or(0);
            if buffered > 0 && buffered + size > BUFFER_LIMIT {
                return;
            }
            match pc.send(
                now,
                self.channel,
                make_message(self.next, self.sizes[self.next]),
            ) {
                Ok(()) => self.next += 1,
                Err(RtcError::DataChannel(DataChannelError::BufferFull { .. })) => return,
                Err(e) => return self.fail(format!("send {}: {e}", self.next)),
            }
        }
    }

    pub(crate) fn on_message(
        &mut self,
        now: Instant,
        message: DataChannelMessage,
    ) -> Result<(), String> {
        let seq = self.echoed;
        let Some(&size) = self.sizes.get(seq) else {
            return Err("more echoes than messages sent".into());
        };
        let want = make_message(seq, size);
        let (got_text, want_text) = (
            matches!(message, DataChannelMessage::Text(_)),
            matches!(want, DataChannelMessage::Text(_)),
        );
        // What came instead: its length and `%010d:` prefix tell a
        // duplicate or a reordering from a damaged message.
        let got = || {
            let bytes: &[u8] = match &message {
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
        if message != want {
            return Err(format!(
                "echo {seq}: {} content mismatch (len {}/{}; {})",
                if want_text { "text" } else { "binary" },
                message.len(),
                want.len(),
                got()
            ));
        }
        self.echoed += 1;
        self.bytes += message.len() as u64;
        self.last_echo = Some(now);
        Ok(())
    }
}

impl Session for Offerer {
    fn on_event(&mut self, pc: &mut RtcPeerConnection, now: Instant, event: PeerEvent) {
        log_event("offerer", &event);
        if gathering_done(&event) {
            if let (Some(tx), Some(offer)) = (self.gathered.take(), pc.local_description()) {
                let _ = tx.send(offer);
            }
        }
        match event {
            PeerEvent::DataChannel(DataChannelEvent::Open(c)) if c == self.channel => {
                self.connected_at = Some(now);
                tracing::info!("echo open after {} ms", ms(now - self.created));
                let _ = pc.set_buffered_amount_low_threshold(c, LOW_THRESHOLD);
                self.send_more(pc, now);
            }
            PeerEvent::DataChannel(DataChannelEvent::Message { channel, message })
                if channel == self.channel =>
            {
                if self.done.is_none() {
                    return;
                }
                match self.on_message(now, message) {
                    Ok(()) if self.echoed == self.sizes.len() => self.finish(),
                    Ok(()) => self.send_more(pc, now),
                    Err(e) => self.fail(e),
                }
            }
            PeerEvent::DataChannel(DataChannelEvent::BufferedAmountLow(c)) if c == self.channel => {
                self.send_more(pc, now)
            }
            PeerEvent::DataChannel(DataChannelEvent::Closing(c) | DataChannelEvent::Close(c))
                if c == self.channel =>
            {
                self.fail("data channel closed".into())
            }
            PeerEvent::DataChannel(DataChannelEvent::Error { channel, error })
                if channel == self.channel =>
            {
                self.fail(format!("data channel error: {error}"))
            }
            PeerEvent::ConnectionStateChange(PeerConnectionState::Failed) => {
                self.fail("connection failed".into())
            }
            PeerEvent::Media(MediaEvent::Rtcp { packet }) => {
                save_packet(&self.dump, &mut self.dumped, "offerer", "rtcp", &packet)
            }
            PeerEvent::Resolve { id, name } => resolve(pc, now, id, &name),
            _ => {}
        }
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

/// What the offerer's session knows at the end.
pub(crate) struct Outcome {
    pub(crate) connected_ms: Option<f64>,
    pub(crate) echoed: usize,
    pub(crate) bytes: u64,
    pub(crate) throughput_mbps: f64,
    pub(crate) total: u64,
    pub(crate) error: Option<String>,
    pub(crate) transport: Map<String, Value>,
    pub(crate) rtp_packets_sent: u64,
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
    res.insert(
        "max_message_bytes".into(),
        sizes.iter().copied().max().unwrap_or(0).into(),
    );

    let deadline = tokio::time::Instant::now() + o.timeout;
    let created = now();
    let (handle, error) = match offer_session(&o, sizes, created, deadline).await {
        Ok((handle, error)) => (Some(handle), error),
        Err(e) => (None, Some(e)),
    };
    let mut error = error;
    if let Some(handle) = &handle {
        let outcome = handle
            .call(|pc, s: &mut Offerer, _| Outcome {
                connected_ms: s.connected_at.map(|t| ms(t - s.created)),
                echoed: s.echoed,
                bytes: s.bytes,
                throughput_mbps: match (s.connected_at, s.last_echo) {
                    (Some(start), Some(end)) if end > start => {
                        let mbps = s.bytes as f64 * 8.0 / (end - start).as_secs_f64() / 1e6;
                        (mbps * 1e3).round() / 1e3
                    }
                    _ => 0.0,
                },
                total: s.sizes.iter().map(|&n| n as u64).sum(),
                error: s.error.clone(),
                transport: transport_info(pc),
                rtp_packets_sent: s.rtp_packets_sent,
            })
            .await;
        if let Some(out) = outcome {
            res.insert("connected_ms".into(), out.connected_ms.into());
            res.insert("echoed".into(), out.echoed.into());
            res.insert("bytes".into(), out.bytes.into());
            res.insert("throughput_mbps".into(), out.throughput_mbps.into());
            res.insert("transport".into(), Value::Object(out.transport));
            if o.media == "audio" {
                res.insert("rtp_packets_sent".into(), out.rtp_packets_sent.into());
            }
            error = error.or(out.error);
            if error.is_none() && (out.echoed != o.messages || out.bytes != out.total) {
                error = Some(format!(
                    "echo count/bytes mismatch: {}/{} msgs, {}/{} bytes",
                    out.echoed, o.messages, out.bytes, out.total
                ));
            }
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
    if let Some(handle) = handle {
        handle.close().await;
    }
    if ok {
        0
    } else {
        1
    }
}

/// The offer/answer and the run; `Err` before the session exists, else the
/// session and the error the run met, if any.
pub(crate) async fn offer_session(
    o: &Options,
    sizes: Vec<usize>,
    created: Instant,
    deadline: tokio::time::Instant,
) -> Result<(Handle<Offerer>, Option<String>), String> {
    let mut driver = new_session()?;
    let audio = o.media == "audio";
    let dump = o.dump_media.is_some();
    let (channel, audio) = driver
        .with_machine(|pc| -> Result<_, RtcError> {
            let now = now();
            let audio = audio
                .then(|| {
                    pc.add_track(
                        MediaStreamTrack::new("audio0", MediaKind::Audio),
                        &["sansrtc"],
                    )
                })
                .transpose()?;
            let channel = pc.create_data_channel(now, DataChannelInit::new("echo"))?;
            pc.set_rtcp_events(dump);
            let offer = pc.create_offer(now)?;
            pc.set_local_description(now, offer)?;
            Ok((channel, audio))
        })
        .map_err(|e| format!("offer: {e}"))?;
    let (gathered_tx, gathered_rx) = oneshot::channel();
    let (done_tx, done_rx) = oneshot::channel();
    let handle = spawn_session(
        driver,
        Offerer {
            channel,
            sizes,
            next: 0,
            echoed: 0,
            bytes: 0,
            created,
            connected_at: None,
            last_echo: None,
            error: None,
            gathered: Some(gathered_tx),
            done: Some(done_tx),
            audio,
            rtp_packets_sent: 0,
            dump: o.dump_media.clone(),
            dumped: HashMap::new(),
        },
    );
    let media_ms = o.media_ms;
    let audio_handle = handle.tx.clone();
    let (audio_done_tx, audio_done_rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        let mut audio_done = Some(audio_done_tx);
        loop {
            tick.tick().await;
            let (reply, rx) = oneshot::channel();
            let command: Command<Offerer> = Box::new(move |pc, s, now| {
                let _ = reply.send(s.send_audio(pc, now, media_ms));
            });
            if audio_handle.send(Message::Run(command)).is_err() {
                return;
            }
            match rx.await {
                Ok(true) => {
                    if let Some(done) = audio_done.take() {
                        let _ = done.send(());
                    }
                    return;
                }
                Ok(false) => {}
                Err(_) => return,
            }
        }
    });
    let run = async {
        let complete = handle
            .call(|pc, _, _| {
                (pc.ice_gathering_state() == IceGatheringState::Complete)
                    .then(|| pc.local_description())
                    .flatten()
            })
            .await
            .flatten();
        let offer = match complete {
            Some(offer) => offer,
            None => tokio::time::timeout_at(deadline, gathered_rx)
                .await
                .map_err(|_| "timeout waiting for ICE gathering".to_owned())?
                .map_err(|_| "the session ended".to_owned())?,
        };
        save_sdp(&o.save_sdp, "offerer-offer.sdp", &offer.sdp);
        let (status, answer) = tokio::time::timeout_at(
            deadline,
            http(Method::POST, &o.url, Some(loopback_only(&offer.sdp))),
        )
        .await
        .map_err(|_| "timeout waiting for signaling".to_owned())??;
        if status != StatusCode::CREATED {
            let snippet: String = answer.trim().chars().take(200).collect();
            return Err(format!(
                "POST offer: HTTP {} (want 201): {snippet}",
                status.as_u16()
            ));
        }
        save_sdp(&o.save_sdp, "offerer-answer.sdp", &answer);
        handle
            .call(move |pc, _, now| {
                pc.set_remote_description(now, RtcSessionDescription::answer(answer))
            })
            .await
            .ok_or("the session ended")?
            .map_err(|e| format!("setRemoteDescription(answer): {e}"))?;
        if tokio::time::timeout_at(deadline, done_rx).await.is_ok() {
            return match tokio::time::timeout_at(deadline, audio_done_rx).await {
                Ok(_) => Ok(()),
                Err(_) => Err("timeout while sending audio".to_owned()),
            };
        }
        let (echoed, open) = handle
            .call(|_, s: &mut Offerer, _| (s.echoed, s.connected_at.is_some()))
            .await
            .unwrap_or((0, false));
        if open {
            Err(format!(
                "timeout waiting for echoes ({echoed}/{} echoed)",
                o.messages
            ))
        } else {
            Err("timeout waiting for data channel open".to_owned())
        }
    };
    let error = run.await.err();
    Ok((handle, error))
}
