//! Dev-only helpers shared by sansrtc's interop tests.
//!
//! The tests of several crates drive real peers: a coturn server, `openssl`
//! command-line children, the independent SCTP implementation `sctp-proto`.
//! The code that starts, feeds and stops those peers lives here once, one
//! concept per module:
//!
//! - [`coturn`]: a real `turnserver` on loopback ports of the caller's
//!   choosing, started with `../shared/coturn/start.sh` and stopped on drop;
//! - [`openssl`]: an `openssl s_client` child carrying TLS to a server,
//!   plaintext over its stdin/stdout, killed on drop;
//! - [`sctp_proto_peer`]: an `sctp-proto` endpoint with one association,
//!   driven with packets and timeouts as a peer of our SCTP.
//!
//! This crate spawns processes and opens sockets, which the Sans-IO guard
//! (`cargo xtask guard`) forbids in the non-test code under `crates/`; it
//! therefore lives at the repository root and is only ever a
//! dev-dependency.
//!
//! ```no_run
//! use std::net::SocketAddr;
//! use std::time::Duration;
//! use sansrtc_testkit::coturn::{Coturn, CoturnPorts};
//! use sansrtc_testkit::openssl::SClient;
//!
//! // Each test binary uses its own ports, so parallel binaries never collide.
//! let coturn = Coturn::start(
//!     "example",
//!     CoturnPorts { port: 3999, tls_port: 5999, min_relay: 51000, max_relay: 51099 },
//! );
//! let server: SocketAddr = "127.0.0.1:5999".parse().unwrap();
//! let mut tls = SClient::connect(&coturn.cert(), server);
//! tls.send(b"bytes for coturn, encrypted by openssl");
//! let _answer = tls.recv_timeout(Duration::from_secs(2));
//! ```
#![forbid(unsafe_code)]

pub mod coturn;
pub mod openssl;
pub mod sctp_proto_peer;
