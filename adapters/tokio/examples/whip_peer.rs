//! `whip_peer`: sansrtc's peer for the interop matrix (`shared/interop`):
//! one [`RtcPeerConnection`] per session, each in its own
//! [`sansrtc_tokio::Driver`] on a UDP socket bound to `127.0.0.1:0`, with the
//! WHIP-style HTTP signaling of the matrix's contract (non-trickle: every
//! candidate is in the SDP).
//!
//! ```text
//! whip_peer --role answer --port P [--timeout S] [--save-sdp DIR]
//! whip_peer --role offer --url http://127.0.0.1:P/offer [--messages N] [--size BYTES]
//!           [--big-size BYTES] [--media audio|none] [--media-ms MS] [--timeout S]
//!           [--save-sdp DIR]
//! ```
//!
//! - **answer**: an HTTP server on `127.0.0.1:P`. `POST /offer` (the SDP
//!   offer) creates a peer connection, answers, waits for gathering and
//!   replies `201` with the answer; every data channel message is echoed on
//!   its channel with its type; `GET /stats` reports counters (summed over
//!   the sessions) and the latest session's transport. Runs until
//!   SIGINT/SIGTERM or `--timeout` (default 120 s), closing its sessions.
//! - **offer**: creates channel `echo`, posts the offer, sends `--messages`
//!   messages of `--size` bytes (the last one `--big-size` bytes when
//!   `--size` ≤ 16 KiB; `%010d:` then a pattern, odd seq text, even seq
//!   binary) keeping `bufferedAmount` ≤ 1 MiB, checks every echo, reads the
//!   answerer's `/stats` and prints one JSON line on stdout. Exit 0 when ok,
//!   1 when not, 2 on bad arguments, 3 for `--media audio` (no media yet).
//!
//! Logs go to stderr (`RUST_LOG`, default `info`). Every task that is not
//! the session's own reaches its machine through a command channel, applied
//! with [`Driver::with_machine`] in the session's `tokio::select!` loop.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{header, Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sansrtc::{
    ChannelId, DataChannelEvent, DataChannelInit, DataChannelMessage, DtlsTransportState,
    IceConnectionState, IceGatheringState, PeerConnectionState, PeerEvent, RtcConfiguration,
    RtcError, RtcPeerConnection, RtcSessionDescription,
};
use sansrtc_datachannel::DataChannelError;
use sansrtc_tokio::Driver;
use serde_json::{json, Map, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};

/// `bufferedAmount` the offerer keeps under (the contract's 1 MiB).
const BUFFER_LIMIT: u64 = 1024 * 1024;
/// `bufferedAmountLowThreshold`: sending resumes below it.
const LOW_THRESHOLD: u64 = 256 * 1024;
/// How long the answerer waits for ICE gathering before failing the POST.
const GATHERING_TIMEOUT: Duration = Duration::from_secs(10);
/// How long closing waits for the sessions to say goodbye.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(3);

// --- the command line ---------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Offer,
    Answer,
}

#[derive(Debug, Clone)]
struct Options {
    role: Role,
    port: u16,
    url: String,
    messages: usize,
    size: usize,
    big_size: usize,
    media: String,
    media_ms: u64,
    timeout: Duration,
    save_sdp: Option<PathBuf>,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut role = None;
    let mut o = Options {
        role: Role::Offer,
        port: 0,
        url: String::new(),
        messages: 100,
        size: 1024,
        big_size: 20000,
        media: "none".into(),
        media_ms: 1000,
        timeout: Duration::ZERO,
        save_sdp: None,
    };
    let mut timeout = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if !flag.starts_with("--") {
            return Err(format!("unexpected argument {flag}"));
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |v: &str| -> Result<u64, String> {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: not a number: {v}"))
        };
        match flag.as_str() {
            "--role" => {
                role = Some(match value.as_str() {
                    "offer" => Role::Offer,
                    "answer" => Role::Answer,
                    other => return Err(format!("--role offer|answer, not {other}")),
                })
            }
            "--port" => {
                o.port = u16::try_from(number(value)?).map_err(|_| "--port: out of range")?
            }
            "--url" => o.url = value.clone(),
            "--messages" => o.messages = number(value)? as usize,
            "--size" => o.size = number(value)? as usize,
            "--big-size" => o.big_size = number(value)? as usize,
            "--media" => match value.as_str() {
                "audio" | "none" => o.media = value.clone(),
                other => return Err(format!("--media audio|none, not {other}")),
            },
            "--media-ms" => o.media_ms = number(value)?,
            "--timeout" => {
                let s: f64 = value
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s >= 0.0)
                    .ok_or_else(|| format!("--timeout: not a number of seconds: {value}"))?;
                timeout = Some(s)
            }
            "--save-sdp" => o.save_sdp = Some(PathBuf::from(value)),
            other => return Err(format!("unknown option {other}")),
        }
    }
    o.role = role.ok_or("--role offer|answer is required")?;
    o.timeout = match timeout {
        Some(s) if s > 0.0 => Duration::from_secs_f64(s),
        _ if o.role == Role::Offer => Duration::from_secs(30),
        _ => Duration::from_secs(120),
    };
    match o.role {
        Role::Offer if !o.url.starts_with("http://") => {
            return Err("--role offer needs --url http://HOST:PORT/offer".into())
        }
        Role::Answer if o.port == 0 => return Err("--role answer needs --port P".into()),
        _ => {}
    }
    if o.role == Role::Offer && o.messages == 0 {
        return Err("--messages must be at least 1".into());
    }
    Ok(o)
}

// --- what every session shares ------------------------------------------

/// The machine's clock: tokio's.
fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// Milliseconds, rounded to the microsecond as the reference peers do.
fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// Message `seq` of `size` bytes: `%010d:` then the pattern; odd `seq` is
/// text (letters), even `seq` binary. Every peer of the matrix writes the
/// same bytes.
fn make_message(seq: usize, size: usize) -> DataChannelMessage {
    let size = size.max(12);
    let mut b = format!("{seq:010}:").into_bytes();
    let text = seq % 2 == 1;
    b.extend((b.len()..size).map(|i| {
        if text {
            b'a' + ((seq + i) % 26) as u8
        } else {
            ((seq * 31 + i) & 0xff) as u8
        }
    }));
    if text {
        DataChannelMessage::Text(String::from_utf8(b).expect("ASCII"))
    } else {
        DataChannelMessage::Binary(Bytes::from(b))
    }
}

/// Keeps only loopback `a=candidate` lines of an SDP we hand to the other
/// peer (the matrix's second guard; we gather only 127.0.0.1 anyway).
fn loopback_only(sdp: &str) -> String {
    sdp.split("\r\n")
        .filter(|line| {
            let Some(rest) = line.strip_prefix("a=candidate:") else {
                return true;
            };
            let address = rest.split_whitespace().nth(4);
            matches!(address, Some("127.0.0.1" | "::1"))
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

fn save_sdp(dir: &Option<PathBuf>, name: &str, sdp: &str) {
    let Some(dir) = dir else { return };
    let write = std::fs::create_dir_all(dir).and_then(|_| std::fs::write(dir.join(name), sdp));
    if let Err(e) = write {
        tracing::warn!("cannot save {}: {e}", Path::new(dir).join(name).display());
    }
}

/// The UDP socket's receive buffer. SCTP may have up to its receive
/// window (1 MiB) in flight; with the default buffer (208 KiB of kernel
/// memory, about 90 datagrams on loopback) a burst that arrives while the
/// task waits for a core overflows it (`RcvbufErrors` in /proc/net/snmp),
/// and a lost tail costs an SCTP retransmission timeout (200 ms).
const RECEIVE_BUFFER: usize = 4 << 20;

/// A UDP socket on `127.0.0.1:0` with a receive buffer for SCTP's window.
fn udp_socket() -> Result<tokio::net::UdpSocket, String> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))
        .map_err(|e| format!("UDP socket: {e}"))?;
    if let Err(e) = socket.set_recv_buffer_size(RECEIVE_BUFFER) {
        tracing::warn!("SO_RCVBUF {RECEIVE_BUFFER}: {e}");
    }
    let address: SocketAddr = "127.0.0.1:0".parse().expect("address");
    socket
        .bind(&address.into())
        .and_then(|()| socket.set_nonblocking(true))
        .map_err(|e| format!("bind {address}: {e}"))?;
    tokio::net::UdpSocket::from_std(socket.into()).map_err(|e| format!("UDP socket: {e}"))
}

/// A fresh peer connection in a driver on `127.0.0.1:0`, entropy-seeded.
fn new_session() -> Result<Driver<RtcPeerConnection>, String> {
    let rng = ChaCha20Rng::from_entropy();
    let pc = RtcPeerConnection::new(RtcConfiguration::default(), rng, now(), SystemTime::now())
        .map_err(|e| format!("new RTCPeerConnection: {e}"))?;
    let mut driver = Driver::new(pc);
    let local = driver
        .add_socket(udp_socket()?)
        .map_err(|e| e.to_string())?;
    driver
        .with_machine(|pc| pc.add_local_address(now(), local))
        .map_err(|e| format!("add_local_address: {e}"))?;
    tracing::info!("peer connection on udp {local}");
    Ok(driver)
}

/// The transport as the W3C stats would show it (`RTCTransportStats` and
/// the selected pair).
fn transport_info(pc: &RtcPeerConnection) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("dtls_state".into(), pc.dtls_state().as_str().into());
    out.insert(
        "ice_state".into(),
        pc.ice_connection_state().as_str().into(),
    );
    out.insert("pc_state".into(), pc.connection_state().as_str().into());
    if let Some(role) = pc.dtls_role() {
        let role = match role {
            sansrtc_dtls::Role::Client => "client",
            sansrtc_dtls::Role::Server => "server",
        };
        out.insert("dtls_role".into(), role.into());
    }
    if let Some(p) = pc.dtls_parameters() {
        out.insert("dtls_cipher".into(), p.cipher_suite.name().into());
        // DTLS 1.2, as getStats() spells its version.
        out.insert("tls_version".into(), "FEFD".into());
        if let Some(profile) = p.srtp_profile {
            out.insert("selected_srtp_profile".into(), profile.name().into());
        }
    }
    if let Some(pair) = pc.selected_candidate_pair() {
        out.insert(
            "local_candidate".into(),
            format!("{} udp {}", pair.local_kind.as_str(), pair.local).into(),
        );
        out.insert(
            "remote_candidate".into(),
            format!("{} udp {}", pair.remote_kind.as_str(), pair.remote).into(),
        );
    }
    out
}

/// Logs the counters of every layer.
fn log_stats(who: &str, pc: &RtcPeerConnection) {
    tracing::info!(
        "{who}: transport {:?}; ice {:?}; dtls {:?}; sctp {:?}",
        pc.transport_stats(),
        pc.ice_stats(),
        pc.dtls_stats(),
        pc.sctp_stats()
    );
}

/// Logs a peer event that is not data.
fn log_event(who: &str, event: &PeerEvent) {
    match event {
        PeerEvent::DataChannel(DataChannelEvent::Message { .. })
        | PeerEvent::DataChannel(DataChannelEvent::BufferedAmountLow(_)) => {}
        PeerEvent::IceCandidate(Some(c)) => {
            tracing::debug!("{who}: local candidate {}", c.candidate)
        }
        event => tracing::info!("{who}: {event:?}"),
    }
}

// --- the session task -----------------------------------------------------

/// What a session does with its machine's events.
trait Session: Send + 'static {
    fn on_event(&mut self, pc: &mut RtcPeerConnection, now: Instant, event: PeerEvent);

    /// Whether the session is over (the task then closes the connection
    /// and ends).
    fn finished(&self, _pc: &RtcPeerConnection) -> bool {
        false
    }
}

/// A command from another task: runs with the machine and the session.
type Command<S> = Box<dyn FnOnce(&mut RtcPeerConnection, &mut S, Instant) + Send>;

enum Message<S> {
    Run(Command<S>),
    /// `close()`, then the task sends what is left and ends.
    Close(oneshot::Sender<()>),
}

/// A handle on a running session.
struct Handle<S> {
    tx: mpsc::UnboundedSender<Message<S>>,
    /// The transport as it was when the task ended.
    last_info: Arc<Mutex<Option<Map<String, Value>>>>,
}

impl<S: Session> Handle<S> {
    /// Runs `f` on the session's task and returns its result.
    async fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut RtcPeerConnection, &mut S, Instant) -> R + Send + 'static,
    ) -> Option<R> {
        let (reply, rx) = oneshot::channel();
        let command: Command<S> = Box::new(move |pc, s, now| {
            let _ = reply.send(f(pc, s, now));
        });
        self.tx.send(Message::Run(command)).ok()?;
        rx.await.ok()
    }

    /// Closes the peer connection and waits (a bounded time) until what
    /// closing sends has left.
    async fn close(&self) {
        let (done, rx) = oneshot::channel();
        if self.tx.send(Message::Close(done)).is_ok() {
            let _ = tokio::time::timeout(CLOSE_TIMEOUT, rx).await;
        }
    }
}

/// Spawns the loop of one session: the driver's events go to `session`,
/// commands from other tasks are applied with `with_machine`.
fn spawn_session<S: Session>(mut driver: Driver<RtcPeerConnection>, mut session: S) -> Handle<S> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Message<S>>();
    let last_info = Arc::new(Mutex::new(None));
    let info = last_info.clone();
    tokio::spawn(async move {
        // Looks at `finished` now and then, also when no event comes.
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut done = None;
        loop {
            tokio::select! {
                event = driver.next_event() => match event {
                    Ok(event) => driver.with_machine(|pc| session.on_event(pc, now(), event)),
                    Err(e) => {
                        tracing::error!("driver: {e}");
                        break;
                    }
                },
                message = rx.recv() => match message {
                    Some(Message::Run(command)) => {
                        driver.with_machine(|pc| command(pc, &mut session, now()))
                    }
                    Some(Message::Close(reply)) => {
                        done = Some(reply);
                        break;
                    }
                    None => break,
                },
                _ = tick.tick() => {}
            }
            if session.finished(driver.machine()) {
                tracing::info!("the session is over");
                break;
            }
        }
        *info.lock().unwrap() = Some(transport_info(driver.machine()));
        log_stats("session", driver.machine());
        driver.with_machine(|pc| pc.close(now()));
        // close_notify, SCTP ABORT: out before the socket goes.
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, driver.flush()).await;
        tracing::info!("session closed; driver {:?}", driver.counters());
        if let Some(reply) = done {
            let _ = reply.send(());
        }
    });
    Handle { tx, last_info }
}

/// Answers a name-resolution request: `.local` (mDNS) names are not
/// resolved here (the remote's peer-reflexive candidate takes their place);
/// literal addresses are.
fn resolve(pc: &mut RtcPeerConnection, now: Instant, id: sansrtc::ResolveId, name: &str) {
    let addresses: Vec<std::net::IpAddr> = name.parse().into_iter().collect();
    tracing::info!("resolve {name}: {addresses:?}");
    if let Err(e) = pc.resolved(now, id, &addresses) {
        tracing::warn!("resolved({name}): {e}");
    }
}

fn gathering_done(event: &PeerEvent) -> bool {
    matches!(
        event,
        PeerEvent::IceGatheringStateChange(IceGatheringState::Complete)
            | PeerEvent::IceCandidate(None)
    )
}

// --- answerer -------------------------------------------------------------

#[derive(Default)]
struct Counters {
    dc_messages_in: u64,
    dc_bytes_in: u64,
    dc_text_in: u64,
    dc_binary_in: u64,
    dc_messages_out: u64,
    dc_channels_open: u64,
    offers: u64,
    last_error: Option<String>,
}

struct AnswerServer {
    counters: Arc<Mutex<Counters>>,
    sessions: Mutex<Vec<Arc<Handle<Answerer>>>>,
    save_sdp: Option<PathBuf>,
}

/// One answering session: echoes every message with its type.
struct Answerer {
    id: u64,
    counters: Arc<Mutex<Counters>>,
    gathered: Option<oneshot::Sender<RtcSessionDescription>>,
    /// Echoes that SCTP's send buffer could not take yet, per channel.
    backlog: HashMap<ChannelId, VecDeque<DataChannelMessage>>,
}

impl Answerer {
    fn echo(&mut self, pc: &mut RtcPeerConnection, now: Instant, channel: ChannelId) {
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
            PeerEvent::Resolve { id, name } => resolve(pc, now, id, &name),
            _ => {}
        }
    }
}

impl AnswerServer {
    /// `POST /offer`: a new session; its answer once gathering completed.
    async fn offer(&self, offer: String) -> Result<(u64, String), String> {
        let id = {
            let mut c = self.counters.lock().unwrap();
            c.offers += 1;
            c.offers
        };
        tracing::info!("session {id}: offer of {} bytes", offer.len());
        let mut driver = new_session()?;
        let (gathered_tx, gathered_rx) = oneshot::channel();
        driver
            .with_machine(|pc| -> Result<_, RtcError> {
                let now = now();
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
    async fn stats(&self) -> Value {
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
        }
        out.insert("rtp_packets_in".into(), 0.into());
        out.insert("tracks_in".into(), 0.into());
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

    async fn close(&self) {
        let sessions: Vec<_> = std::mem::take(&mut *self.sessions.lock().unwrap());
        for session in sessions {
            session.close().await;
        }
    }
}

fn reply(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let body: Bytes = body.into();
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_LENGTH, body.len())
        .body(Full::new(body))
        .expect("response")
}

async fn serve(
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

async fn run_answer(o: Options) -> i32 {
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

// --- offerer --------------------------------------------------------------

/// The offering session: sends the messages, checks the echoes.
struct Offerer {
    channel: ChannelId,
    sizes: Vec<usize>,
    /// The next message to send.
    next: usize,
    echoed: usize,
    bytes: u64,
    created: Instant,
    connected_at: Option<Instant>,
    last_echo: Option<Instant>,
    error: Option<String>,
    gathered: Option<oneshot::Sender<RtcSessionDescription>>,
    done: Option<oneshot::Sender<()>>,
}

impl Offerer {
    fn fail(&mut self, error: String) {
        if self.error.is_none() && self.done.is_some() {
            tracing::error!("{error}");
            self.error = Some(error);
        }
        self.finish();
    }

    fn finish(&mut self) {
        if let Some(done) = self.done.take() {
            let _ = done.send(());
        }
    }

    /// Sends while `bufferedAmount` stays ≤ 1 MiB (a message larger than
    /// that goes out alone).
    fn send_more(&mut self, pc: &mut RtcPeerConnection, now: Instant) {
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

    fn on_message(&mut self, now: Instant, message: DataChannelMessage) -> Result<(), String> {
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
            PeerEvent::Resolve { id, name } => resolve(pc, now, id, &name),
            _ => {}
        }
    }
}

/// POST (or GET without a body) over HTTP/1.1: the status and the body.
async fn http(
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
struct Outcome {
    connected_ms: Option<f64>,
    echoed: usize,
    bytes: u64,
    throughput_mbps: f64,
    total: u64,
    error: Option<String>,
    transport: Map<String, Value>,
}

async fn run_offer(o: Options) -> i32 {
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
            })
            .await;
        if let Some(out) = outcome {
            res.insert("connected_ms".into(), out.connected_ms.into());
            res.insert("echoed".into(), out.echoed.into());
            res.insert("bytes".into(), out.bytes.into());
            res.insert("throughput_mbps".into(), out.throughput_mbps.into());
            res.insert("transport".into(), Value::Object(out.transport));
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
async fn offer_session(
    o: &Options,
    sizes: Vec<usize>,
    created: Instant,
    deadline: tokio::time::Instant,
) -> Result<(Handle<Offerer>, Option<String>), String> {
    let mut driver = new_session()?;
    let channel = driver
        .with_machine(|pc| -> Result<_, RtcError> {
            let now = now();
            let channel = pc.create_data_channel(now, DataChannelInit::new("echo"))?;
            let offer = pc.create_offer(now)?;
            pc.set_local_description(now, offer)?;
            Ok(channel)
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
        },
    );
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
            return Ok(());
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

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let o = match parse_args(&args) {
        Ok(o) => o,
        Err(e) => {
            println!("{}", json!({"ok": false, "error": e}));
            eprintln!("whip_peer: {e}");
            std::process::exit(2);
        }
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    if o.media == "audio" {
        println!(
            "{}",
            json!({"ok": false, "error": "--media audio: sansrtc has no media yet"})
        );
        std::process::exit(3);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let code = runtime.block_on(async move {
        match o.role {
            Role::Answer => run_answer(o).await,
            Role::Offer => run_offer(o).await,
        }
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
    std::process::exit(code);
}
