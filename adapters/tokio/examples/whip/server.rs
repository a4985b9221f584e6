//! The WHIP server (RFC 9725): `POST` an SDP offer to the endpoint, get
//! `201 Created` with the answer and the session's `Location`; `PATCH`
//! the session with trickled candidates; `DELETE` it to end. Every
//! session is a [`PeerConnection`] that echoes what it receives: data
//! channel messages back on their channel, media frames back on their
//! transceiver (answered `sendrecv`).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{header, Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use sansrtc::{
    IceGatheringState, MediaKind, MediaStreamTrack, PeerConnectionState, RtcConfiguration,
    RtcSessionDescription,
};
use sansrtc_tokio::{PeerConnection, PeerConnectionEvent, PeerConnectionOptions, TrackSender};
use tokio::net::TcpListener;
use tracing::Instrument;

use crate::sdpfrag::SdpFrag;

/// The endpoint clients POST their offers to.
pub const ENDPOINT: &str = "/whip";
/// The largest request body taken (an offer with many candidates is a few
/// KiB).
pub const MAX_BODY: usize = 64 << 10;
/// How long an answer waits for our candidates to be gathered.
const GATHERING_TIMEOUT: Duration = Duration::from_secs(5);

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The addresses the sessions' UDP sockets bind (host candidates).
    pub local_addresses: Vec<IpAddr>,
    /// The most sessions at once; past it a POST gets `503`.
    pub max_sessions: usize,
    /// Files served on `GET` (path → (content type, body)), for a page
    /// that is its own WHIP client (the browser demo).
    pub pages: Vec<(&'static str, &'static str, &'static str)>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            local_addresses: vec!["127.0.0.1".parse().expect("an address")],
            max_sessions: 64,
            pages: Vec::new(),
        }
    }
}

/// One WHIP session: its connection and the ETag of its ICE session.
struct Session {
    pc: PeerConnection,
    etag: String,
    remote_ufrag: Option<String>,
}

/// What the server counted, for tests and logs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ServerCounters {
    /// Sessions created (201).
    pub created: u64,
    /// Sessions deleted (DELETE) or ended (connection failed or closed).
    pub ended: u64,
    /// Candidates added from PATCH requests.
    pub trickled: u64,
    /// Data channel messages echoed.
    pub echoed_messages: u64,
    /// Media frames echoed.
    pub echoed_frames: u64,
}

/// The server's state, shared by its connections.
pub struct WhipServer {
    options: ServerOptions,
    sessions: Mutex<BTreeMap<String, Session>>,
    next_id: AtomicU64,
    counters: Mutex<ServerCounters>,
}

impl WhipServer {
    /// A server with `options` and no session.
    pub fn new(options: ServerOptions) -> Arc<WhipServer> {
        Arc::new(WhipServer {
            options,
            sessions: Mutex::new(BTreeMap::new()),
            next_id: AtomicU64::new(1),
            counters: Mutex::new(ServerCounters::default()),
        })
    }

    /// What it counted so far.
    pub fn counters(&self) -> ServerCounters {
        *self.counters.lock().expect("counters")
    }

    /// The sessions alive.
    pub fn session_count(&self) -> usize {
        self.sessions.lock().expect("sessions").len()
    }

    fn count(&self, f: impl FnOnce(&mut ServerCounters)) {
        f(&mut self.counters.lock().expect("counters"));
    }

    /// Serves HTTP/1.1 on `listener` until the task is dropped.
    pub async fn serve(self: Arc<Self>, listener: TcpListener) {
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                continue;
            };
            let server = self.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |r| {
                    let server = server.clone();
                    async move { Ok::<_, Infallible>(server.handle(r).await) }
                });
                if let Err(e) = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await
                {
                    tracing::debug!(%peer, "HTTP connection: {e}");
                }
            });
        }
    }

    /// Binds `address` and serves on it; returns the bound address.
    pub async fn listen(self: &Arc<Self>, address: SocketAddr) -> std::io::Result<SocketAddr> {
        let listener = TcpListener::bind(address).await?;
        let local = listener.local_addr()?;
        tokio::spawn(self.clone().serve(listener));
        Ok(local)
    }

    /// One request.
    pub async fn handle(self: Arc<Self>, request: Request<Incoming>) -> Response<Full<Bytes>> {
        let path = request.uri().path().to_string();
        let method = request.method().clone();
        if method == Method::GET {
            if let Some((_, kind, body)) = self.options.pages.iter().find(|(p, _, _)| *p == path) {
                return reply(
                    StatusCode::OK,
                    &[(header::CONTENT_TYPE, kind)],
                    body.to_string(),
                );
            }
            return status(StatusCode::NOT_FOUND);
        }
        if path == ENDPOINT {
            return match method {
                Method::POST => self.post(request).await,
                Method::OPTIONS => reply(
                    StatusCode::NO_CONTENT,
                    &[(
                        header::HeaderName::from_static("accept-post"),
                        "application/sdp",
                    )],
                    String::new(),
                ),
                _ => status(StatusCode::METHOD_NOT_ALLOWED),
            };
        }
        let Some(id) = path
            .strip_prefix(ENDPOINT)
            .and_then(|rest| rest.strip_prefix('/'))
            .map(str::to_string)
        else {
            return status(StatusCode::NOT_FOUND);
        };
        match method {
            Method::PATCH => self.patch(&id, request).await,
            Method::DELETE => self.delete(&id).await,
            _ => status(StatusCode::METHOD_NOT_ALLOWED),
        }
    }

    /// `POST` an offer: a session, its answer once gathered, `201`.
    async fn post(self: &Arc<Self>, request: Request<Incoming>) -> Response<Full<Bytes>> {
        if !content_type_is(&request, "application/sdp") {
            return status(StatusCode::UNSUPPORTED_MEDIA_TYPE);
        }
        if self.session_count() >= self.options.max_sessions {
            return status(StatusCode::SERVICE_UNAVAILABLE);
        }
        let offer = match body_text(request).await {
            Ok(offer) => offer,
            Err(code) => return status(code),
        };
        let id = format!("{:08x}", self.next_id.fetch_add(1, Ordering::Relaxed));
        let span = tracing::info_span!("whip_session", %id);
        let session = match self.answer(offer).instrument(span.clone()).await {
            Ok(session) => session,
            Err((code, why)) => {
                tracing::info!(parent: &span, "offer refused: {why}");
                return reply(code, &[(header::CONTENT_TYPE, "text/plain")], why);
            }
        };
        let (pc, answer, senders) = session;
        let location = format!("{ENDPOINT}/{id}");
        let etag = format!("\"{id}-1\"");
        spawn_echo(self.clone(), pc.clone(), senders, id.clone(), span);
        let remote_ufrag = ufrag_of_offer(&answer.1);
        self.sessions.lock().expect("sessions").insert(
            id,
            Session {
                pc,
                etag: etag.clone(),
                remote_ufrag,
            },
        );
        self.count(|c| c.created += 1);
        reply(
            StatusCode::CREATED,
            &[
                (header::CONTENT_TYPE, "application/sdp"),
                (header::LOCATION, &location),
                (header::ETAG, &etag),
            ],
            answer.0,
        )
    }

    /// The session for `offer`: its connection, the answer (and the offer
    /// it answers) and the senders of its echo tracks.
    async fn answer(
        &self,
        offer: String,
    ) -> Result<(PeerConnection, (String, String), Vec<TrackSender>), (StatusCode, String)> {
        let options =
            PeerConnectionOptions::with_local_addresses(self.options.local_addresses.clone());
        let pc = PeerConnection::new(RtcConfiguration::default(), options)
            .await
            .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        let mut events = pc
            .events()
            .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        pc.set_remote_description(RtcSessionDescription::offer(offer.clone()))
            .await
            .map_err(|e| (StatusCode::BAD_REQUEST, format!("the offer: {e}")))?;
        // Echo: a sending track on every offered audio and video section
        // (addTrack takes the offered transceiver over: sendrecv).
        let mut senders = Vec::new();
        for (i, kind) in offered_kinds(&offer).into_iter().enumerate() {
            let track = MediaStreamTrack::new(format!("echo-{i}"), kind);
            let sender = pc
                .add_track(track, vec!["echo".into()])
                .await
                .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            senders.push(sender);
        }
        let answer = pc
            .create_answer()
            .await
            .map_err(|e| (StatusCode::BAD_REQUEST, format!("no answer: {e}")))?;
        pc.set_local_description(answer)
            .await
            .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        // The answer carries our candidates (WHIP servers do not trickle).
        let gathered = async {
            while let Some(event) = events.recv().await {
                if matches!(
                    event,
                    PeerConnectionEvent::IceGatheringStateChange(IceGatheringState::Complete)
                        | PeerConnectionEvent::IceCandidate(None)
                ) {
                    return true;
                }
            }
            false
        };
        let _ = tokio::time::timeout(GATHERING_TIMEOUT, gathered).await;
        let answer = pc
            .local_description()
            .await
            .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
            .ok_or((
                StatusCode::INTERNAL_SERVER_ERROR,
                "no local description".into(),
            ))?;
        Ok((pc, (answer.sdp, offer), senders))
    }

    /// `PATCH` trickled candidates into a session.
    async fn patch(&self, id: &str, request: Request<Incoming>) -> Response<Full<Bytes>> {
        let Some((pc, etag, ufrag)) = self.session(id) else {
            return status(StatusCode::NOT_FOUND);
        };
        if !content_type_is(&request, "application/trickle-ice-sdpfrag") {
            return status(StatusCode::UNSUPPORTED_MEDIA_TYPE);
        }
        let if_match = request
            .headers()
            .get(header::IF_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if if_match.as_deref().is_some_and(|m| m != "*" && m != etag) {
            return status(StatusCode::PRECONDITION_FAILED);
        }
        let text = match body_text(request).await {
            Ok(text) => text,
            Err(code) => return status(code),
        };
        let frag = match SdpFrag::parse(&text) {
            Ok(frag) => frag,
            Err(e) => {
                return reply(
                    StatusCode::BAD_REQUEST,
                    &[(header::CONTENT_TYPE, "text/plain")],
                    e.to_string(),
                )
            }
        };
        if frag.ufrag.is_some() && ufrag.is_some() && frag.ufrag != ufrag {
            // An ICE restart: not supported by this server.
            return status(StatusCode::NOT_IMPLEMENTED);
        }
        let mut added = 0;
        for candidate in frag.candidates {
            if let Err(e) = pc.add_ice_candidate(candidate).await {
                return reply(
                    StatusCode::BAD_REQUEST,
                    &[(header::CONTENT_TYPE, "text/plain")],
                    e.to_string(),
                );
            }
            added += 1;
        }
        self.count(|c| c.trickled += added);
        status(StatusCode::NO_CONTENT)
    }

    /// `DELETE` a session: its connection closes.
    async fn delete(&self, id: &str) -> Response<Full<Bytes>> {
        let session = self.sessions.lock().expect("sessions").remove(id);
        match session {
            Some(session) => {
                session.pc.close().await;
                self.count(|c| c.ended += 1);
                status(StatusCode::OK)
            }
            None => status(StatusCode::NOT_FOUND),
        }
    }

    fn session(&self, id: &str) -> Option<(PeerConnection, String, Option<String>)> {
        let sessions = self.sessions.lock().expect("sessions");
        let s = sessions.get(id)?;
        Some((s.pc.clone(), s.etag.clone(), s.remote_ufrag.clone()))
    }

    /// A session whose connection failed or closed is forgotten.
    fn forget(&self, id: &str) {
        if self.sessions.lock().expect("sessions").remove(id).is_some() {
            self.count(|c| c.ended += 1);
        }
    }
}

/// The echo of one session: remote channels' messages back on them,
/// remote tracks' frames back on the transceiver's sender; the session is
/// forgotten when the connection fails or closes.
fn spawn_echo(
    server: Arc<WhipServer>,
    pc: PeerConnection,
    senders: Vec<TrackSender>,
    id: String,
    span: tracing::Span,
) {
    let channels = {
        let (pc, server) = (pc.clone(), server.clone());
        async move {
            while let Ok(channel) = pc.accept_data_channel().await {
                let server = server.clone();
                tokio::spawn(async move {
                    while let Some(message) = channel.recv().await {
                        if channel.send(message).await.is_err() {
                            break;
                        }
                        server.count(|c| c.echoed_messages += 1);
                    }
                });
            }
        }
    };
    let tracks = {
        let (pc, server) = (pc.clone(), server.clone());
        async move {
            while let Ok(receiver) = pc.accept_track().await {
                let Some(sender) = senders
                    .iter()
                    .find(|s| s.transceiver() == receiver.transceiver())
                    .cloned()
                else {
                    continue;
                };
                let server = server.clone();
                tokio::spawn(async move {
                    while let Some((frame, timestamp, _)) = receiver.recv_frame().await {
                        if sender.write_frame(timestamp, &frame).await.is_err() {
                            break;
                        }
                        server.count(|c| c.echoed_frames += 1);
                    }
                });
            }
        }
    };
    let watch = async move {
        let state = pc
            .wait_for_connection_state(|s| {
                matches!(s, PeerConnectionState::Failed | PeerConnectionState::Closed)
            })
            .await;
        tracing::info!(?state, "session over");
        server.forget(&id);
        pc.close().await;
    };
    tokio::spawn(channels.instrument(span.clone()));
    tokio::spawn(tracks.instrument(span.clone()));
    tokio::spawn(watch.instrument(span));
}

/// The audio and video sections of an offer, in order.
fn offered_kinds(offer: &str) -> Vec<MediaKind> {
    offer
        .lines()
        .filter_map(|l| {
            if l.starts_with("m=audio ") {
                Some(MediaKind::Audio)
            } else if l.starts_with("m=video ") {
                Some(MediaKind::Video)
            } else {
                None
            }
        })
        .collect()
}

/// The first `a=ice-ufrag` of an offer (the remote's ICE session).
fn ufrag_of_offer(offer: &str) -> Option<String> {
    offer
        .lines()
        .find_map(|l| l.trim_end().strip_prefix("a=ice-ufrag:"))
        .map(str::to_string)
}

fn content_type_is(request: &Request<Incoming>, wanted: &str) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(wanted))
}

/// The body as UTF-8, at most [`MAX_BODY`] bytes.
async fn body_text(request: Request<Incoming>) -> Result<String, StatusCode> {
    let body = Limited::new(request.into_body(), MAX_BODY)
        .collect()
        .await
        .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE)?
        .to_bytes();
    String::from_utf8(body.to_vec()).map_err(|_| StatusCode::BAD_REQUEST)
}

fn status(code: StatusCode) -> Response<Full<Bytes>> {
    reply(code, &[], String::new())
}

fn reply(
    code: StatusCode,
    headers: &[(header::HeaderName, &str)],
    body: String,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = code;
    for (name, value) in headers {
        if let Ok(value) = header::HeaderValue::from_str(value) {
            response.headers_mut().insert(name.clone(), value);
        }
    }
    response
}
