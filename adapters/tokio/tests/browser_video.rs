//! Interop, video, in a real browser (issue #17, proof 2).
//!
//! Headless Chromium (Debian's, driven by playwright-core from
//! `$INTEROP_HOME`, as `../shared/interop/setup.sh` installs them) opens a
//! page of the project's own (`tests/browser/video_page.*`), offers its
//! fake camera on a `sendrecv` video transceiver with the codec chosen by
//! `setCodecPreferences`, and posts the offer to a sansrtc answerer running
//! here on tokio over real UDP on 127.0.0.1. sansrtc has no video encoder,
//! so it echoes: every whole frame it depacketizes goes back unchanged, with
//! its RTP timestamp, on the same (sendrecv) transceiver, which Chromium
//! then decodes. For VP8 and for H.264 the test proves, on the wire:
//!
//! - (a) Chromium decodes what sansrtc sends: its `inbound-rtp` video has
//!   `framesDecoded > 0`, with the chosen codec;
//! - (b) Chromium's camera reaches sansrtc as whole frames, keyframes among
//!   them;
//! - (c) a PLI from sansrtc (`request_keyframe(now, id, false)`) makes
//!   Chromium send a new keyframe: sansrtc receives one after the PLI and
//!   Chromium's `outbound-rtp` counts `pliCount ≥ 1`;
//! - (d) Chromium's `remote-inbound-rtp` (what Chromium sends, as sansrtc's
//!   receiver reports describe it) has a `roundTripTime`.
//!
//! Missing Node.js, Chromium or playwright-core fails the test with the
//! reason (no silent skip). Each codec's run is bounded (under a minute, the
//! Node process killed on timeout; a run takes about 6 s); the two runs are
//! serialized. `SANSRTC_SCREENSHOT=1` saves the page, once frames decode, to
//! `docs/images/browser_video_echo.png` (VP8 run).

use std::convert::Infallible;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
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
    IceGatheringState, MediaEvent, MediaKind, MediaStreamTrack, PeerEvent, RtcConfiguration,
    RtcPeerConnection, RtcSessionDescription, RtpTransceiverDirection, TransceiverId,
};
use sansrtc_tokio::Driver;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

/// How long the Node driver's result line may take (Chromium's start, the
/// call, the stats); with the waits after it a run stays under a minute.
const RUN_TIMEOUT: Duration = Duration::from_secs(45);
/// What the Node driver is told (it gives up and reports before we kill it).
const PAGE_TIMEOUT_S: u64 = 40;
/// Frames Chromium must have decoded before the page reports.
const MIN_DECODED: u64 = 30;
/// The PLI goes out once this many frames came in and Chromium's own
/// keyframes have settled ([`QUIET_FRAMES`] delta frames in a row) …
const PLI_AFTER_FRAMES: u64 = 60;
const QUIET_FRAMES: u64 = 15;
/// … or at this many frames in any case.
const PLI_AT_THE_LATEST: u64 = 240;
/// How long a keyframe may take to follow the PLI.
const KEYFRAME_AFTER_PLI: Duration = Duration::from_secs(3);

/// The two codec runs share the machine's CPU badly: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

#[test]
fn vp8_echo_decodes_in_chromium() {
    run("VP8");
}

#[test]
fn h264_echo_decodes_in_chromium() {
    run("H264");
}

/// The tokio clock, which the driver gives the machine too.
fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// What the echo session saw, for the assertions and the report.
#[derive(Debug, Default, Clone)]
struct Echo {
    /// The transceiver the offer created and `add_track` took over.
    transceiver: Option<TransceiverId>,
    track_events: u64,
    frames: u64,
    keyframes: u64,
    bytes: u64,
    first_frame_keyframe: Option<bool>,
    payload_types: Vec<u8>,
    /// Delta frames since the last keyframe.
    since_keyframe: u64,
    echoed: u64,
    echo_errors: u64,
    last_echo_error: Option<String>,
    /// When the PLI went out, and the frame count then.
    pli_sent: Option<(Instant, u64)>,
    pli_error: Option<String>,
    /// How long the first keyframe after the PLI took.
    keyframe_after_pli: Option<Duration>,
    keyframes_after_pli: u64,
    /// Keyframe requests Chromium sent about the echo.
    keyframe_requests_in: u64,
}

impl Echo {
    fn on_event(&mut self, pc: &mut RtcPeerConnection, now: Instant, event: PeerEvent) {
        match event {
            PeerEvent::Track(_) => self.track_events += 1,
            PeerEvent::Media(MediaEvent::Frame {
                transceiver,
                data,
                rtp_timestamp,
                keyframe,
                payload_type,
                ..
            }) => {
                self.frames += 1;
                self.bytes += data.len() as u64;
                self.first_frame_keyframe.get_or_insert(keyframe);
                if !self.payload_types.contains(&payload_type) {
                    self.payload_types.push(payload_type);
                }
                if keyframe {
                    self.keyframes += 1;
                    self.since_keyframe = 0;
                    if let Some((at, _)) = self.pli_sent {
                        self.keyframes_after_pli += 1;
                        self.keyframe_after_pli.get_or_insert(now - at);
                    }
                } else {
                    self.since_keyframe += 1;
                }
                // The echo: the frame as it came, at its RTP timestamp.
                match pc.write_frame(now, transceiver, rtp_timestamp, &data) {
                    Ok(()) => self.echoed += 1,
                    Err(e) => {
                        self.echo_errors += 1;
                        self.last_echo_error = Some(e.to_string());
                    }
                }
                let settled =
                    self.frames >= PLI_AFTER_FRAMES && self.since_keyframe >= QUIET_FRAMES;
                if self.pli_sent.is_none() && (settled || self.frames >= PLI_AT_THE_LATEST) {
                    match pc.request_keyframe(now, transceiver, false) {
                        Ok(()) => self.pli_sent = Some((now, self.frames)),
                        Err(e) => self.pli_error = Some(e.to_string()),
                    }
                }
            }
            PeerEvent::Media(MediaEvent::KeyframeRequest { .. }) => self.keyframe_requests_in += 1,
            _ => {}
        }
    }
}

/// sansrtc's own view at the end of a run.
#[derive(Debug)]
struct Report {
    echo: Echo,
    media: String,
    depay: Vec<String>,
    round_trip_time: Option<Duration>,
    connection_state: String,
    /// The SSRC sansrtc sends the echo with.
    sender_ssrc: Option<u32>,
}

type SessionCommand = Box<dyn FnOnce(&mut RtcPeerConnection, &mut Echo) + Send>;

/// An offer from the page and where its answer goes.
type OfferRequest = (String, oneshot::Sender<Result<String, String>>);

/// A UDP socket on 127.0.0.1 with room for a keyframe's burst of packets.
fn udp_socket() -> tokio::net::UdpSocket {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).expect("UDP socket");
    let _ = socket.set_recv_buffer_size(4 << 20);
    let address: SocketAddr = "127.0.0.1:0".parse().expect("address");
    socket.bind(&address.into()).expect("bind 127.0.0.1:0");
    socket.set_nonblocking(true).expect("nonblocking");
    tokio::net::UdpSocket::from_std(socket.into()).expect("tokio UDP socket")
}

/// Answers the offer: `add_track` takes over the offered video transceiver
/// so that the answer is `sendrecv`; the answer once gathering completed.
fn answer(pc: &mut RtcPeerConnection, echo: &mut Echo, offer: String) -> Result<(), String> {
    let now = now();
    pc.set_remote_description(now, RtcSessionDescription::offer(offer))
        .map_err(|e| format!("set_remote_description(offer): {e}"))?;
    let id = pc
        .add_track(MediaStreamTrack::new("echo", MediaKind::Video), &["echo"])
        .map_err(|e| format!("add_track: {e}"))?;
    let transceivers = pc.get_transceivers();
    if transceivers.len() != 1 || transceivers[0].id != id {
        return Err(format!(
            "add_track did not take over the offered transceiver: {transceivers:?}"
        ));
    }
    if transceivers[0].direction != RtpTransceiverDirection::SendRecv {
        return Err(format!(
            "the echo transceiver is {:?}, not sendrecv",
            transceivers[0].direction
        ));
    }
    echo.transceiver = Some(id);
    let answer = pc
        .create_answer()
        .map_err(|e| format!("create_answer: {e}"))?;
    pc.set_local_description(now, answer)
        .map_err(|e| format!("set_local_description(answer): {e}"))
}

/// The session task: one peer connection in a driver, answering the one
/// offer, echoing frames, running commands of the test, until `stop`.
async fn session(
    mut offers: mpsc::UnboundedReceiver<OfferRequest>,
    mut commands: mpsc::UnboundedReceiver<SessionCommand>,
    mut stop: oneshot::Receiver<()>,
) {
    let pc = RtcPeerConnection::new(
        RtcConfiguration::default(),
        ChaCha20Rng::from_entropy(),
        now(),
        SystemTime::now(),
    )
    .expect("RtcPeerConnection::new");
    let mut driver = Driver::new(pc);
    let local = driver.add_socket(udp_socket()).expect("add_socket");
    driver
        .with_machine(|pc| pc.add_local_address(now(), local))
        .expect("add_local_address");
    let mut echo = Echo::default();
    let mut pending: Option<oneshot::Sender<Result<String, String>>> = None;
    let gathering_deadline = tokio::time::sleep(Duration::from_secs(3600));
    tokio::pin!(gathering_deadline);
    loop {
        // The answer goes out once gathering completed (non-trickle).
        if pending.is_some()
            && driver.machine().ice_gathering_state() == IceGatheringState::Complete
        {
            let answer = driver.machine().local_description().map(|d| d.sdp);
            let reply = pending.take().expect("pending");
            let _ = reply.send(answer.ok_or_else(|| "no local description".to_owned()));
        }
        tokio::select! {
            event = driver.next_event() => match event {
                Ok(event) => driver.with_machine(|pc| echo.on_event(pc, now(), event)),
                Err(e) => {
                    eprintln!("driver: {e}");
                    break;
                }
            },
            offer = offers.recv() => {
                let Some((offer, reply)) = offer else { break };
                match driver.with_machine(|pc| answer(pc, &mut echo, offer)) {
                    Ok(()) => {
                        pending = Some(reply);
                        gathering_deadline
                            .as_mut()
                            .reset(tokio::time::Instant::now() + Duration::from_secs(10));
                    }
                    Err(e) => {
                        let _ = reply.send(Err(e));
                    }
                }
            }
            command = commands.recv() => match command {
                Some(command) => driver.with_machine(|pc| command(pc, &mut echo)),
                None => break,
            },
            _ = &mut stop => break,
            _ = &mut gathering_deadline, if pending.is_some() => {
                let reply = pending.take().expect("pending");
                let _ = reply.send(Err("ICE gathering did not complete in 10 s".into()));
            }
        }
    }
    driver.with_machine(|pc| pc.close(now()));
    let _ = tokio::time::timeout(Duration::from_secs(2), driver.flush()).await;
}

fn reply(status: StatusCode, content_type: &str, body: String) -> Response<Full<Bytes>> {
    let body = Bytes::from(body);
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_LENGTH, body.len())
        .body(Full::new(body))
        .expect("response")
}

/// Keeps only loopback `a=candidate` lines (the test stays on 127.0.0.1).
fn loopback_only(sdp: &str) -> String {
    sdp.split("\r\n")
        .filter(|line| match line.strip_prefix("a=candidate:") {
            Some(rest) => matches!(rest.split_whitespace().nth(4), Some("127.0.0.1" | "::1")),
            None => true,
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// `POST /offer` → `201` with the answer; `GET /status` → what the echo
/// session saw, with `done` once it has what it waits for (enough frames and
/// the keyframe after its PLI), so that the page keeps the call up until then.
async fn serve(
    offers: mpsc::UnboundedSender<OfferRequest>,
    commands: mpsc::UnboundedSender<SessionCommand>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if request.method() == Method::GET && request.uri().path() == "/status" {
        let status = call(&commands, |_, echo| {
            serde_json::json!({
                "done": echo.frames >= MIN_DECODED && echo.keyframe_after_pli.is_some(),
                "frames": echo.frames,
                "keyframes": echo.keyframes,
                "pli_at_frame": echo.pli_sent.map(|(_, frames)| frames),
                "keyframe_after_pli_ms": echo.keyframe_after_pli.map(|d| d.as_secs_f64() * 1e3),
            })
        })
        .await;
        return Ok(match status {
            Some(status) => reply(StatusCode::OK, "application/json", status.to_string()),
            None => reply(
                StatusCode::SERVICE_UNAVAILABLE,
                "text/plain",
                "the session ended\n".into(),
            ),
        });
    }
    if request.method() != Method::POST || request.uri().path() != "/offer" {
        return Ok(reply(
            StatusCode::NOT_FOUND,
            "text/plain",
            "not found\n".into(),
        ));
    }
    let body = match request.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return Ok(reply(StatusCode::BAD_REQUEST, "text/plain", e.to_string())),
    };
    let offer = String::from_utf8_lossy(&body).into_owned();
    let (tx, rx) = oneshot::channel();
    if offers.send((offer, tx)).is_err() {
        return Ok(reply(
            StatusCode::SERVICE_UNAVAILABLE,
            "text/plain",
            "the session ended\n".into(),
        ));
    }
    Ok(match rx.await {
        Ok(Ok(answer)) => reply(
            StatusCode::CREATED,
            "application/sdp",
            loopback_only(&answer),
        ),
        Ok(Err(e)) => reply(StatusCode::BAD_REQUEST, "text/plain", format!("{e}\n")),
        Err(_) => reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain",
            "no answer\n".into(),
        ),
    })
}

/// The Node driver, its stdout line and its stderr.
struct Page {
    child: Child,
    line: Option<oneshot::Receiver<Option<String>>>,
    stderr: Arc<Mutex<String>>,
}

impl Page {
    fn spawn(url: &str, codec: &str, screenshot: Option<&PathBuf>) -> Page {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser/video_page.mjs");
        let mut command = Command::new("node");
        command
            .arg(&script)
            .args(["--url", url, "--codec", codec])
            .args(["--timeout", &PAGE_TIMEOUT_S.to_string()])
            .args(["--min-frames", &MIN_DECODED.to_string()]);
        if let Some(path) = screenshot {
            command.arg("--screenshot").arg(path);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run `node {}` ({e}): the browser video test needs Node.js, Chromium \
                     and playwright-core (../shared/interop/setup.sh installs them)",
                    script.display()
                )
            });
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = oneshot::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let got = BufReader::new(stdout).read_line(&mut line).ok();
            let _ = tx.send(got.filter(|&n| n > 0).map(|_| line));
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        let mut pipe = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Page {
            child,
            line: Some(rx),
            stderr,
        }
    }

    /// The result line, within `limit`.
    async fn result(&mut self, limit: Duration) -> Result<Value, String> {
        let rx = self.line.take().expect("read once");
        let line = match tokio::time::timeout(limit, rx).await {
            Err(_) => return Err(format!("no result from the page in {limit:?}")),
            Ok(Err(_)) | Ok(Ok(None)) => {
                let status = self.wait(Duration::from_secs(5));
                return Err(format!(
                    "the Node driver ended without a result line ({status})"
                ));
            }
            Ok(Ok(Some(line))) => line,
        };
        serde_json::from_str(&line).map_err(|e| format!("bad result line ({e}): {line}"))
    }

    /// Waits a bounded time for the process to end, then kills it.
    fn wait(&mut self, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return status.to_string(),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                _ => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    return "killed".into();
                }
            }
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Runs `f` on the session's task.
async fn call<R: Send + 'static>(
    commands: &mpsc::UnboundedSender<SessionCommand>,
    f: impl FnOnce(&mut RtcPeerConnection, &mut Echo) -> R + Send + 'static,
) -> Option<R> {
    let (tx, rx) = oneshot::channel();
    commands
        .send(Box::new(move |pc, echo| {
            let _ = tx.send(f(pc, echo));
        }))
        .ok()?;
    tokio::time::timeout(Duration::from_secs(5), rx)
        .await
        .ok()?
        .ok()
}

fn report(pc: &mut RtcPeerConnection, echo: &mut Echo) -> Report {
    let transceiver = echo.transceiver;
    let t = transceiver.and_then(|id| pc.transceiver(id));
    let ssrcs = t.map(|t| t.receiver.ssrcs.clone()).unwrap_or_default();
    Report {
        echo: echo.clone(),
        media: format!("{:?}", pc.media_stats()),
        depay: ssrcs
            .iter()
            .map(|&ssrc| format!("ssrc {ssrc}: {:?}", pc.depay_stats(ssrc)))
            .collect(),
        round_trip_time: transceiver.and_then(|id| pc.round_trip_time(id)),
        connection_state: pc.connection_state().as_str().to_owned(),
        sender_ssrc: t.map(|t| t.sender.ssrc),
    }
}

fn run(codec: &str) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(run_codec(codec));
}

async fn run_codec(codec: &str) {
    let started = Instant::now();
    let (offers_tx, offers_rx) = mpsc::unbounded_channel();
    let (commands, commands_rx) = mpsc::unbounded_channel();
    let (stop, stop_rx) = oneshot::channel();
    let session_task = tokio::spawn(session(offers_rx, commands_rx, stop_rx));

    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("HTTP listener");
    let port = listener.local_addr().expect("address").port();
    let http_commands = commands.clone();
    let http = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let (offers, commands) = (offers_tx.clone(), http_commands.clone());
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |r| serve(offers.clone(), commands.clone(), r));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });

    let screenshot = (std::env::var("SANSRTC_SCREENSHOT").as_deref() == Ok("1") && codec == "VP8")
        .then(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../docs/images/browser_video_echo.png")
        });
    let url = format!("http://127.0.0.1:{port}/offer");
    let mut page = Page::spawn(&url, codec, screenshot.as_ref());
    let result = page.result(RUN_TIMEOUT).await;

    // The keyframe that answers the PLI may still be on its way when the
    // page saw Chromium count the PLI.
    let deadline = Instant::now() + KEYFRAME_AFTER_PLI;
    let mut sansrtc = call(&commands, report).await;
    while sansrtc
        .as_ref()
        .is_some_and(|r| r.echo.pli_sent.is_some() && r.echo.keyframe_after_pli.is_none())
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
        sansrtc = call(&commands, report).await;
    }
    let status = page.wait(Duration::from_secs(5));
    let log = page.stderr();
    http.abort();
    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(5), session_task).await;
    let elapsed = started.elapsed();

    let context = format!(
        "\n--- sansrtc ---\n{sansrtc:#?}\n--- node ({status}) ---\n{log}\n--- page result ---\n{result:#?}"
    );
    let result = match result {
        Ok(v) => v,
        Err(e) => panic!("{codec}: {e}{context}"),
    };
    let Some(sansrtc) = sansrtc else {
        panic!("{codec}: the sansrtc session did not answer{context}")
    };
    if result["ok"] != Value::Bool(true) {
        panic!(
            "{codec}: the page failed: {}{context}",
            result["error"].as_str().unwrap_or("(no error text)")
        );
    }
    let stats = &result["stats"];
    let inbound = &stats["inbound"];
    let outbound = &stats["outbound"];
    let remote_inbound = &stats["remoteInbound"];
    let num = |v: &Value| v.as_f64().unwrap_or(0.0);
    let echo = &sansrtc.echo;
    println!(
        "{codec} in {:.1} s ({}): Chromium decoded {} frames ({} key) of sansrtc's echo with {} \
         ({}); its encoder {} sent {} frames ({} key), pliCount {}; roundTripTime {} s over {} \
         measurements; sansrtc received {} frames ({} key, first {:?}, {} bytes, PT {:?}), echoed \
         {}, PLI at frame {:?}, keyframe {:?} after it ({} keyframes after), Chromium's keyframe \
         requests {}, sansrtc's RTT {:?}; media {}; depay {:?}",
        elapsed.as_secs_f64(),
        result["browser"].as_str().unwrap_or("?"),
        inbound["framesDecoded"],
        inbound["keyFramesDecoded"],
        inbound["codec"],
        inbound["decoderImplementation"],
        outbound["encoderImplementation"],
        outbound["framesEncoded"],
        outbound["keyFramesEncoded"],
        outbound["pliCount"],
        remote_inbound["roundTripTime"],
        remote_inbound["roundTripTimeMeasurements"],
        echo.frames,
        echo.keyframes,
        echo.first_frame_keyframe,
        echo.bytes,
        echo.payload_types,
        echo.echoed,
        echo.pli_sent.map(|(_, frames)| frames),
        echo.keyframe_after_pli,
        echo.keyframes_after_pli,
        echo.keyframe_requests_in,
        sansrtc.round_trip_time,
        sansrtc.media,
        sansrtc.depay,
    );

    let mime = format!("video/{codec}");
    // (a) Chromium decodes what sansrtc sends, in the chosen codec.
    assert!(
        inbound["codec"]
            .as_str()
            .is_some_and(|c| c.starts_with(&mime)),
        "{codec}: Chromium receives {} (want {mime}){context}",
        inbound["codec"]
    );
    assert_eq!(
        inbound["ssrc"].as_u64(),
        sansrtc.sender_ssrc.map(u64::from),
        "{codec}: Chromium's inbound-rtp is not sansrtc's stream{context}"
    );
    assert!(
        num(&inbound["framesDecoded"]) > 0.0,
        "{codec}: Chromium decoded nothing of sansrtc's video{context}"
    );
    assert_eq!(echo.echo_errors, 0, "{codec}: write_frame failed{context}");
    // (b) The camera reaches sansrtc as whole frames, keyframes among them.
    assert!(
        outbound["codec"]
            .as_str()
            .is_some_and(|c| c.starts_with(&mime)),
        "{codec}: Chromium sends {} (want {mime}){context}",
        outbound["codec"]
    );
    assert!(
        echo.frames >= MIN_DECODED && echo.keyframes >= 1,
        "{codec}: sansrtc received {} frames, {} keyframes{context}",
        echo.frames,
        echo.keyframes
    );
    assert_eq!(
        echo.first_frame_keyframe,
        Some(true),
        "{codec}: the first frame sansrtc assembled is not a keyframe{context}"
    );
    // (c) sansrtc's PLI makes Chromium send a keyframe.
    assert!(
        echo.pli_sent.is_some(),
        "{codec}: sansrtc sent no PLI ({:?}){context}",
        echo.pli_error
    );
    assert!(
        num(&outbound["pliCount"]) >= 1.0,
        "{codec}: Chromium's sender counted no PLI{context}"
    );
    let after = echo.keyframe_after_pli;
    assert!(
        after.is_some_and(|d| d <= KEYFRAME_AFTER_PLI),
        "{codec}: no keyframe within {KEYFRAME_AFTER_PLI:?} of the PLI ({after:?}){context}"
    );
    assert_eq!(
        sansrtc.connection_state, "connected",
        "{codec}: sansrtc's connection at the end{context}"
    );
    // Chromium's encoder counts that keyframe too (its first one and the
    // PLI's, at least).
    assert!(
        num(&outbound["keyFramesEncoded"]) >= 2.0,
        "{codec}: Chromium encoded {} keyframes (want the first and the PLI's){context}",
        outbound["keyFramesEncoded"]
    );
    // (d) Chromium reads sansrtc's receiver reports: a round-trip time.
    assert!(
        remote_inbound["roundTripTime"].is_number(),
        "{codec}: Chromium's remote-inbound-rtp has no roundTripTime{context}"
    );
    if let Some(path) = screenshot {
        assert!(
            path.exists(),
            "{codec}: no screenshot at {}",
            path.display()
        );
    }
}
