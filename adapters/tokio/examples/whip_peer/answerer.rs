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
    pub(crate) counters: Arc<Mutex<Counters>>,
    pub(crate) sessions: Mutex<Vec<Arc<Handle<Answerer>>>>,
    pub(crate) save_sdp: Option<PathBuf>,
    pub(crate) dump_media: Option<PathBuf>,
}

/// One answering session: echoes every message with its type.
pub(crate) struct Answerer {
    pub(crate) id: u64,
    pub(crate) counters: Arc<Mutex<Counters>>,
    pub(crate) gathered: Option<oneshot::Sender<RtcSessionDescription>>,
    /// Echoes that SCTP's send buffer could not take yet, per channel.
    pub(crate) backlog: HashMap<ChannelId, VecDeque<DataChannelMessage>>,
    /// `--dump-media DIR`: received RTP and RTCP (after SRTP) saved here.
    pub(crate) dump: Option<PathBuf>,
    /// Packets saved so far, per kind.
    pub(crate) dumped: HashMap<&'static str, usize>,
}

impl Answerer {
    pub(crate) fn echo(&mut self, pc: &mut RtcPeerConnection, now: Instant, channel: ChannelId) {
        let Some(queue) = self.backlog.get_mut(&channel) else {
            return;
        };
        while let Some(message) = queue.pop_front() {
            match pc.send(now, channel, message.clone()) {
                Ok(()) => self.counters.lock().unwrap().dc_messages_out += 1,
                Err(RtcError::DataChannel(DataChannelError::BufferFull { .. })) => {
                    queue.push_front(message);
                    return;
                }
                Err(e) => {
                    tracing::warn!("session {}: echo: {e}", self.id);
                    self.counters.lock().unwrap().last_error = Some(format!("echo: {e}"));
                }
            }
        }
        self.backlog.remove(&channel);
    }
}

impl Answerer {
    fn save_packet(&mut self, kind: &'static str, packet: &[u8]) {
        let label = format!("session{}", self.id);
        save_packet(&self.dump, &mut self.dumped, &label, kind, packet);
    }
}

impl Session for Answerer {
    /// The remote closed DTLS, or the transport failed: nothing more can
    /// come (and ICE would keep checking a peer that is gone).
    fn finished(&self, pc: &RtcPeerConnection) -> bool {
        matches!(
            pc.dtls_state(),
            DtlsTransportState::Closed | DtlsTransportState::Failed
        ) || pc.ice_connection_state() == IceConnectionState::Failed
    }

    fn on_event(&mut self, pc: &mut RtcPeerConnection, now: Instant, event: PeerEvent) {
        log_event(&format!("session {}", self.id), &event);
        if gathering_done(&event) {
            if let (Some(tx), Some(answer)) = (self.gathered.take(), pc.local_description()) {
                let _ = tx.send(answer);
            }
        }
        match event {
            PeerEvent::DataChannel(DataChannelEvent::DataChannel(channel)) => {
                self.counters.lock().unwrap().dc_channels_open += 1;
                let _ = pc.set_buffered_amount_low_threshold(channel, LOW_THRESHOLD);
            }
            PeerEvent::DataChannel(DataChannelEvent::Message { channel, message }) => {
                {
                    let mut c = self.counters.lock().unwrap();
                    c.dc_messages_in += 1;
                    c.dc_bytes_in += message.len() as u64;
                    match message {
                        DataChannelMessage::Text(_) => c.dc_text_in += 1,
                        DataChannelMessage::Binary(_) => c.dc_binary_in += 1,
                    }
                }
                self.backlog.entry(channel).or_default().push_back(message);
                self.echo(pc, now, channel);
            }
            PeerEvent::DataChannel(DataChannelEvent::BufferedAmountLow(channel)) => {
                self.echo(pc, now, channel)
            }
            PeerEvent::Track(track) if self.dump.is_some() => {
                let _ = pc.set_receive_mode(track.transceiver, sansrtc::ReceiveMode::Rtp);
                self.counters.lock().unwrap().tracks_in += 1;
            }
            PeerEvent::Media(MediaEvent::Rtp { ref packet, .. }) if self.dump.is_some() => {
                self.counters.lock().unwrap().rtp_packets_in += 1;
                self.save_packet("rtp", packet);
            }
            PeerEvent::Media(MediaEvent::Rtcp { ref packet }) => self.save_packet("rtcp", packet),
            PeerEvent::Track(track) => {
                tracing::info!(
                    "session {}: track {:?} on mid {:?}",
                    self.id,
                    track.kind,
                    track.mid
                );
                self.counters.lock().unwrap().tracks_in += 1;
            }
            PeerEvent::Media(MediaEvent::Frame { .. } | MediaEvent::Rtp { .. }) => {
                self.counters.lock().unwrap().rtp_packets_in += 1;
            }
            PeerEvent::Resolve { id, name } => resolve(pc, now, id, &name),
            _ => {}
        }
    }
}

impl AnswerServer {
    /// `POST /offer`: a new session; its answer once gathering completed.
    pub(crate) async fn offer(&self, offer: String) -> Result<(u64, String), String> {
        let id = {
            let mut c = self.counters.lock().unwrap();
            c.offers += 1;
            c.offers
        };
        tracing::info!("session {id}: offer of {} bytes", offer.len());
        let mut driver = new_session()?;
        let dump = self.dump_media.is_some();
        let (gathered_tx, gathered_rx) = oneshot::channel();
        driver
            .with_machine(|pc| -> Result<_, RtcError> {
                let now = now();
                if dump {
                    pc.set_rtcp_events(true);
                }
                pc.set_remote_description(now, RtcSessionDescription::offer(offer.clone()))?;
                let answer = pc.create_answer()?;
                pc.set_local_description(now, answer)
            })
            .map_err(|e| format!("session {id}: {e}"))?;
        let session = Answerer {
            id,
            counters: self.counters.clone(),
            gathered: Some(gathered_tx),
            backlog: HashMap::new(),
            dump: self.dump_media.clone(),
            dumped: HashMap::new(),
        };
        let handle = Arc::new(spawn_session(driver, session));
        self.sessions.lock().unwrap().push(handle.clone());
        // The gathering-complete event reaches the session at its first
        // turn; the state may be complete already.
        let complete = handle
            .call(|pc, _, _| pc.ice_gathering_state() == IceGatheringState::Complete)
            .await
            .unwrap_or(false);
        let answer = if complete {
            handle
                .call(|pc, _, _| pc.local_description())
                .await
                .flatten()
        } else {
            tokio::time::timeout(GATHERING_TIMEOUT, gathered_rx)
                .await
                .ok()
                .and_then(Result::ok)
        };
        let answer =
            answer.ok_or_else(|| format!("session {id}: ICE gathering did not complete"))?;
        save_sdp(&self.save_sdp, "answerer-offer.sdp", &offer);
        save_sdp(&self.save_sdp, "answerer-answer.sdp", &answer.sdp);
        Ok((id, answer.sdp))
    }

    /// `GET /stats`: counters over every session, the latest one's states.
    pub(crate) async fn stats(&self) -> Value {
        let mut out = Map::new();
        let latest = {
            let sessions = self.sessions.lock().unwrap();
            out.insert("peer_connections".into(), sessions.len().into());
            sessions.last().cloned()
        };
        {
            let c = self.counters.lock().unwrap();
            out.insert("dc_messages_in".into(), c.dc_messages_in.into());
            out.insert("dc_bytes_in".into(), c.dc_bytes_in.into());
            out.insert("dc_text_in".into(), c.dc_text_in.into());
            out.insert("dc_binary_in".into(), c.dc_binary_in.into());
            out.insert("dc_messages_out".into(), c.dc_messages_out.into());
            out.insert("dc_channels_open".into(), c.dc_channels_open.into());
            out.insert("offers".into(), c.offers.into());
            out.insert("last_error".into(), c.last_error.clone().into());
            out.insert("rtp_packets_in".into(), c.rtp_packets_in.into());
            out.insert("tracks_in".into(), c.tracks_in.into());
        }
        out.insert("dtls_state".into(), "new".into());
        out.insert("ice_state".into(), "new".into());
        out.insert("selected_srtp_profile".into(), Value::Null);
        out.insert("dtls_cipher".into(), Value::Null);
        out.insert("tls_version".into(), Value::Null);
        if let Some(latest) = latest {
            let info = tokio::time::timeout(
                Duration::from_secs(1),
                latest.call(|pc, _, _| transport_info(pc)),
            )
            .await
            .ok()
            .flatten();
            if let Some(info) = info.or_else(|| latest.last_info.lock().unwrap().clone()) {
                out.extend(info);
            }
        }
        Value::Object(out)
    }

    pub(crate) async fn close(&self) {
        let sessions: Vec<_> = std::mem::take(&mut *self.sessions.lock().unwrap());
        for session in sessions {
            session.close().await;
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
                    server.counters.lock().unwrap().last_error = Some(e.clone());
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
        counters: Arc::new(Mutex::new(Counters::default())),
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
