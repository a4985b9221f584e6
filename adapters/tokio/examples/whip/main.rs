//! A WHIP server and client (RFC 9725) on the async API of sansrtc-tokio.
//!
//! ```sh
//! cargo run -p sansrtc-tokio --example whip -- server --listen 127.0.0.1:8080
//! cargo run -p sansrtc-tokio --example whip -- client --url http://127.0.0.1:8080/whip [--messages N] [--audio-frames N] [--no-trickle]
//! ```
//!
//! The server answers every offer with a session that echoes: data channel
//! messages back on their channel, audio and video frames back on their
//! transceiver. The client offers a data channel (and audio with
//! `--audio-frames`), trickles its candidates with PATCH, checks the echo
//! and DELETEs the session; it exits 0 when everything came back.

mod cli;
mod client;
mod http;
mod sdpfrag;
mod server;

use std::net::SocketAddr;

fn usage() -> ! {
    eprintln!(
        "usage: whip server --listen ADDR\n       whip client --url URL [--messages N] [--audio-frames N] [--no-trickle]"
    );
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    cli::init_tracing();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| cli::value(&args, name);
    match args.first().map(String::as_str) {
        Some("server") => {
            let listen: SocketAddr = value("--listen")
                .unwrap_or_else(|| "127.0.0.1:8080".into())
                .parse()
                .unwrap_or_else(|_| usage());
            let server = server::WhipServer::new(server::ServerOptions::default());
            match server.listen(listen).await {
                Ok(at) => eprintln!("WHIP endpoint: http://{at}{}", server::ENDPOINT),
                Err(e) => {
                    eprintln!("cannot listen on {listen}: {e}");
                    std::process::exit(1)
                }
            }
            let _ = tokio::signal::ctrl_c().await;
            eprintln!("{:?}", server.counters());
        }
        Some("client") => {
            let url = value("--url").unwrap_or_else(|| usage());
            let mut options = client::ClientOptions::default();
            if let Some(n) = value("--messages") {
                options.messages = n.parse().unwrap_or_else(|_| usage());
            }
            if let Some(n) = value("--audio-frames") {
                options.audio_frames = n.parse().unwrap_or_else(|_| usage());
            }
            options.trickle = !args.iter().any(|a| a == "--no-trickle");
            let wanted = options.clone();
            match client::run(&url, options).await {
                Ok(report) => {
                    println!("{report:?}");
                    let ok = report.echoed == wanted.messages
                        && report.frames_back >= wanted.audio_frames * 9 / 10
                        && report.delete_status == 200;
                    std::process::exit(if ok { 0 } else { 1 })
                }
                Err(e) => {
                    eprintln!("WHIP client: {e}");
                    std::process::exit(1)
                }
            }
        }
        _ => usage(),
    }
}
