//! `whip_peer`: sansrtc's peer for the interop matrix (`shared/interop`):
//! one [`PeerConnection`] (the async API of `sansrtc-tokio`) per session,
//! on a UDP socket bound to `127.0.0.1:0`, with the WHIP-style HTTP
//! signaling of the matrix's contract (non-trickle: every candidate is in
//! the SDP).
//!
//! ```text
//! whip_peer --role answer --port P [--timeout S] [--save-sdp DIR] [--dump-media DIR]
//! whip_peer --role offer --url http://127.0.0.1:P/offer [--messages N] [--size BYTES]
//!           [--big-size BYTES] [--media audio|none] [--media-ms MS] [--timeout S]
//!           [--save-sdp DIR] [--dump-media DIR]
//! ```
//!
//! - **answer**: an HTTP server on `127.0.0.1:P`. `POST /offer` (the SDP
//!   offer) creates a peer connection, answers, waits for gathering and
//!   replies `201` with the answer; every data channel message is echoed on
//!   its channel with its type; `GET /stats` reports counters (summed over
//!   the sessions) and the latest session's transport; `--dump-media` saves
//!   the first received RTP and RTCP packets (after SRTP) of each session
//!   (the offerer saves the RTCP it receives). Runs until
//!   SIGINT/SIGTERM or `--timeout` (default 120 s), closing its sessions.
//! - **offer**: creates channel `echo`, posts the offer, sends `--messages`
//!   messages of `--size` bytes (the last one `--big-size` bytes when
//!   `--size` ≤ 16 KiB; `%010d:` then a pattern, odd seq text, even seq
//!   binary) keeping `bufferedAmount` ≤ 1 MiB, checks every echo, reads the
//!   answerer's `/stats` and prints one JSON line on stdout. Exit 0 when ok,
//!   1 when not, 2 on bad arguments.
//!
//! Logs go to stderr (`RUST_LOG`, default `info`). The connection's task
//! answers name resolution (`.local` names resolve to nothing: the remote's
//! peer-reflexive candidate takes their place); what the API does not wrap
//! (the transport's details, the counters of each layer, RTCP events, the
//! receive mode of `--dump-media`) goes through
//! [`PeerConnection::with_machine`].

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{header, Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use sansrtc::{
    DataChannelInit, DataChannelMessage, DtlsTransportState, IceConnectionState, IceGatheringState,
    MediaEvent, MediaKind, MediaStreamTrack, PeerConnectionState, PeerEvent, RtcConfiguration,
    RtcPeerConnection, RtcSessionDescription,
};
use sansrtc_tokio::{
    DataChannel, Events, MediaSample, PeerConnection, PeerConnectionEvent, PeerConnectionOptions,
    TrackReceiver, TrackSender,
};
use serde_json::{json, Map, Value};
use tokio::net::{TcpListener, TcpStream};

/// `bufferedAmount` the offerer keeps under (the contract's 1 MiB).
pub(crate) const BUFFER_LIMIT: u64 = 1024 * 1024;
/// `bufferedAmountLowThreshold`: sending resumes below it.
pub(crate) const LOW_THRESHOLD: u64 = 256 * 1024;
/// How long the answerer waits for ICE gathering before failing the POST.
pub(crate) const GATHERING_TIMEOUT: Duration = Duration::from_secs(10);

mod answerer;
mod common;
mod offerer;
mod options;

use answerer::*;
use common::*;
use offerer::*;
use options::*;

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
