//! The browser demo: one page (a data channel chat with sansrtc, and the
//! browser's microphone and camera echoed back), served by the WHIP
//! server of the `whip` example, which is also the page's signalling.
//!
//! ```sh
//! cargo run -p sansrtc-tokio --example browser_demo -- --listen 127.0.0.1:8080
//! # then open http://127.0.0.1:8080/ and press start
//! ```
//!
//! The server binds its peer connections' UDP sockets on 127.0.0.1 by
//! default (`--media-address IP` for another interface): open the page
//! on the same host, or give an address the browser can reach.

#[path = "../whip/cli.rs"]
mod cli;
// The server parses fragments; writing them is the client's.
#[allow(dead_code)]
#[path = "../whip/sdpfrag.rs"]
mod sdpfrag;
#[path = "../whip/server.rs"]
mod server;

mod pages;

use std::net::{IpAddr, SocketAddr};

#[tokio::main]
async fn main() {
    cli::init_tracing();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| cli::value(&args, name);
    let listen: SocketAddr = match value("--listen")
        .unwrap_or_else(|| "127.0.0.1:8080".into())
        .parse()
    {
        Ok(a) => a,
        Err(e) => {
            eprintln!("--listen: {e}");
            std::process::exit(2)
        }
    };
    let mut options = server::ServerOptions {
        pages: pages::pages(),
        ..Default::default()
    };
    if let Some(ip) = value("--media-address") {
        match ip.parse::<IpAddr>() {
            Ok(ip) => options.local_addresses = vec![ip],
            Err(e) => {
                eprintln!("--media-address: {e}");
                std::process::exit(2)
            }
        }
    }
    let server = server::WhipServer::new(options);
    match server.listen(listen).await {
        Ok(at) => eprintln!("open http://{at}/"),
        Err(e) => {
            eprintln!("cannot listen on {listen}: {e}");
            std::process::exit(1)
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("{:?}", server.counters());
}
