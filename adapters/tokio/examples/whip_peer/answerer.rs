//! The answerer: the HTTP server, one session per offer, echo, `/stats`.

use super::*;

#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) dc_messages_in: u64,
    pub(crate) dc_bytes_in: u64,
    pub(crate) dc_text_in: u64,
    pub(crate) dc_binary_in: u64,
    pub(crate) dc_messages_out: u64,
    pub(crate) dc_channels_open: u64,
    pub(crate) offers: u64,
    pub(crate) rtp_packets_in: u64,
    pub(crate) tracks_in: u64,
    pub(crate) last_error: Option<String>,
}

pub(crate) struct AnswerServer {
    pub(crate) counters: Mutex<Counters>,
    pub(crate) sessions: Mutex<Vec<Arc<Session>>>,
    pub(crate) save_sdp: Option<PathBuf>,
    pub(crate) dump_media: Option<PathBuf>,
}

/// One answering session.
pub(crate) struct Session {
    pub(crate) id: u64,
    pub(crate) pc: PeerConnection,
    /// The transport as it was when the session ended.
    pub(crate) last_info: Mutex<Option<Map<String, Value>>>,
}

/// The remote closed DTLS, or the transport failed: nothing more can come
/// (and ICE would keep checking a peer that is gone). No event tells of
/// DTLS closing (`connectionState` stays `connected`), so the session
/// looks now and then.
fn finished(pc: &RtcPeerConnection) -> bool {
    matches!(
        pc.dtls_state(),
        DtlsTransportState::Closed | DtlsTransportState::Failed
    ) || pc.ice_connection_state() == IceConnectionState::Failed
}

impl AnswerServer {
    fn count(&self, f: impl FnOnce(&mut Counters)) {
        f(&mut self.counters.lock().unwrap())
    }

    /// `POST /offer`: a new session; its answer once gathering completed.
    pub(crate) async fn offer(self: &Arc<Self>, offer: String) -> Result<(u64, String), String> {
        let id = {
            let mut c = self.counters.lock().unwrap();
            c.offers += 1;
            c.offers
        };
        tracing::info!("session {id}: offer of {} bytes", offer.len());
        let (pc, mut events) = new_peer(loopback(), self.dump_media.is_some()).await?;
        let negotiate = async {
            pc.set_remote_description(RtcSessionDescription::offer(offer.clone()))
                .await?;
            pc.set_local_description(pc.create_answer().await?).await
        };
        negotiate.await.map_err(|e| format!("session {id}: {e}"))?;
        let session = Arc::new(Session {
            id,
            pc,
            last_info: Mutex::new(None),
        });
        self.sessions.lock().unwrap().push(session.clone());
        let who = format!("session {id}");
        let answer =
            tokio::time::timeout(GATHERING_TIMEOUT, gathered(&who, &session.pc, &mut events))
                .await
                .ok()
                .flatten();
        tokio::spawn(self.clone().run_session(session, events));
        let answer =
            answer.ok_or_else(|| format!("session {id}: ICE gathering did not complete"))?;
        save_sdp(&self.save_sdp, "answerer-offer.sdp", &offer);
        save_sdp(&self.save_sdp, "answerer-answer.sdp", &answer.sdp);
        Ok((id, answer.sdp))
    }

    /// The session until it is over: remote channels echoed, remote tracks
    /// counted, events logged; then it is closed.
    async fn run_session(self: Arc<Self>, session: Arc<Session>, events: Events) {
        let (id, pc) = (session.id, &session.pc);
        let who = format!("session {id}");
        let dump = Dump::new(self.dump_media.clone(), format!("session{id}"));
        tokio::spawn(log_events(who.clone(), events, dump.clone()));
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                channel = pc.accept_data_channel() => {
                    let Ok(channel) = channel else { break };
                    tracing::info!("{who}: data channel {:?}", channel.label());
                    self.count(|c| c.dc_channels_open += 1);
                    tokio::spawn(self.clone().echo(id, channel));
                }
                track = pc.accept_track() => {
                    let Ok(track) = track else { break };
                    tracing::info!("{who}: track {:?} {:?}", track.kind(), track.track_id());
                    self.count(|c| c.tracks_in += 1);
                    tokio::spawn(self.clone().count_media(pc.clone(), track, dump.clone()));
                }
                _ = tick.tick() => {}
            }
            match pc.with_machine(|pc, _| finished(pc)).await {
                Ok(false) => {}
                Ok(true) => {
                    tracing::info!("{who}: the session is over");
                    break;
                }
                Err(_) => break,
            }
        }
        if let Some(info) = final_info(&who, pc).await {
            *session.last_info.lock().unwrap() = Some(info);
        }
        pc.close().await;
        tracing::info!("{who}: closed; {:?}", pc.counters());
    }

    /// Echoes every message of `channel` with its type: read, then send
    /// (which waits while `bufferedAmount` is over the high-water mark).
    /// While this loop waits to send, the connection's queue fills and its
    /// data channels pause in SCTP (a closed receive window), so the
    /// remote stops sending; the SACKs for our echo still arrive, so the
    /// wait ends. Memory is bounded by the queue and the window.
    async fn echo(self: Arc<Self>, id: u64, channel: DataChannel) {
        while let Some(message) = channel.recv().await {
            self.count(|c| {
                c.dc_messages_in += 1;
                c.dc_bytes_in += message.len() as u64;
                match message {
                    DataChannelMessage::Text(_) => c.dc_text_in += 1,
                    DataChannelMessage::Binary(_) => c.dc_binary_in += 1,
                }
            });
            match channel.send(message).await {
                Ok(()) => self.count(|c| c.dc_messages_out += 1),
                Err(e) => {
                    tracing::warn!("session {id}: echo: {e}");
                    self.count(|c| c.last_error = Some(format!("echo: {e}")));
                }
            }
        }
    }

    /// Counts the RTP packets (or frames) of a remote track; with
    /// `--dump-media` the track is switched to RTP packets and the first
    /// ones are saved.
    async fn count_media(
        self: Arc<Self>,
        pc: PeerConnection,
        track: TrackReceiver,
        dump: Arc<Dump>,
    ) {
        if dump.dir.is_some() {
            let transceiver = track.transceiver();
            let _ = pc
                .with_machine(move |pc, _| {
                    pc.set_receive_mode(transceiver, sansrtc::ReceiveMode::Rtp)
                })
                .await;
        }
        drop(pc);
        while let Some(sample) = track.recv().await {
            self.count(|c| c.rtp_packets_in += 1);
            if let MediaSample::Rtp(packet) = &sample {
                dump.save("rtp", packet);
            }
        }
    }

    /// `GET /stats`: counters over every session, the latest one's states.
    pub(crate) async fn stats(&self) -> Value {
        let (peer_connections, latest) = {
            let sessions = self.sessions.lock().unwrap();
            (sessions.len(), sessions.last().cloned())
        };
        let mut out = {
            let c = self.counters.lock().unwrap();
            json!({
                "peer_connections": peer_connections,
                "dc_messages_in": c.dc_messages_in,
                "dc_bytes_in": c.dc_bytes_in,
                "dc_text_in": c.dc_text_in,
                "dc_binary_in": c.dc_binary_in,
                "dc_messages_out": c.dc_messages_out,
                "dc_channels_open": c.dc_channels_open,
                "offers": c.offers,
                "last_error": c.last_error,
                "rtp_packets_in": c.rtp_packets_in,
                "tracks_in": c.tracks_in,
                "dtls_state": "new",
                "ice_state": "new",
                "selected_srtp_profile": null,
                "dtls_cipher": null,
                "tls_version": null,
            })
        };
        if let (Some(latest), Value::Object(out)) = (latest, &mut out) {
            let info = tokio::time::timeout(
                Duration::from_secs(1),
                latest.pc.with_machine(|pc, _| transport_info(pc)),
            )
            .await;
            let info = match info {
                Ok(Ok(info)) => Some(info),
                _ => latest.last_info.lock().unwrap().clone(),
            };
            out.extend(info.unwrap_or_default());
        }
        out
    }

    /// Closes every session (each `close()` is bounded by the options'
    /// `close_timeout`).
    pub(crate) async fn close(&self) {
        let sessions: Vec<_> = std::mem::take(&mut *self.sessions.lock().unwrap());
        for session in sessions {
            let who = format!("session {}", session.id);
            *session.last_info.lock().unwrap() = final_info(&who, &session.pc).await;
            session.pc.close().await;
        }
    }
}

pub(crate) fn reply(
    status: StatusCode,
    content_type: &str,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let body: Bytes = body.into();
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_LENGTH, body.len())
        .body(Full::new(body))
        .expect("response")
}

pub(crate) async fn serve(
    server: Arc<AnswerServer>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    Ok(match (method, path.as_str()) {
        (Method::POST, "/offer") => {
            let body = match request.into_body().collect().await {
                Ok(b) => b.to_bytes(),
                Err(e) => return Ok(reply(StatusCode::BAD_REQUEST, "text/plain", e.to_string())),
            };
            let offer = String::from_utf8_lossy(&body).into_owned();
            match server.offer(offer).await {
                Ok((id, answer)) => {
                    let mut r = reply(
                        StatusCode::CREATED,
                        "application/sdp",
                        loopback_only(&answer),
                    );
                    r.headers_mut().insert(
                        header::LOCATION,
                        format!("/session/{id}").parse().expect("header"),
                    );
                    r
                }
                Err(e) => {
                    tracing::error!("POST /offer: {e}");
                    server.count(|c| c.last_error = Some(e.clone()));
                    reply(StatusCode::BAD_REQUEST, "text/plain", format!("{e}\n"))
                }
            }
        }
        (Method::GET, "/stats") => reply(
            StatusCode::OK,
            "application/json",
            server.stats().await.to_string(),
        ),
        _ => reply(StatusCode::NOT_FOUND, "text/plain", "not found\n"),
    })
}

pub(crate) async fn run_answer(o: Options) -> i32 {
    let listener = match TcpListener::bind(("127.0.0.1", o.port)).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!("cannot listen on 127.0.0.1:{}: {e}", o.port);
            return 1;
        }
    };
    tracing::info!("answerer listening on 127.0.0.1:{}", o.port);
    let server = Arc::new(AnswerServer {
        counters: Mutex::new(Counters::default()),
        sessions: Mutex::new(Vec::new()),
        save_sdp: o.save_sdp.clone(),
        dump_media: o.dump_media.clone(),
    });
    let mut sigterm = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
    {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("SIGTERM handler: {e}");
            return 1;
        }
    };
    let stop = tokio::time::sleep(o.timeout);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let server = server.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |r| serve(server.clone(), r));
                    if let Err(e) = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await
                    {
                        tracing::debug!("http connection: {e}");
                    }
                });
            }
            _ = tokio::signal::ctrl_c() => { tracing::info!("SIGINT"); break }
            _ = sigterm.recv() => { tracing::info!("SIGTERM"); break }
            _ = &mut stop => { tracing::info!("--timeout reached"); break }
        }
    }
    drop(listener);
    server.close().await;
    0
}
