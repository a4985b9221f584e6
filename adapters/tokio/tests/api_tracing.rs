//! Each connection's task runs in a `peer_connection{id}` tracing span.
//!
//! Alone in its binary: a scoped subscriber (`with_default`) sees the
//! events of callsites other tests' threads registered first without a
//! subscriber only by chance (tracing caches a callsite's interest), which
//! made this test flaky beside others.

use sansrtc_tokio::sansrtc::RtcConfiguration;
use sansrtc_tokio::{PeerConnection, PeerConnectionOptions};

/// Each connection's task runs in a `peer_connection` span carrying its id.
#[test]
fn the_task_runs_in_a_peer_connection_span() {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .expect("not poisoned")
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let id = tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let options = PeerConnectionOptions {
                seed: Some(71),
                ..PeerConnectionOptions::with_local_addresses(["127.0.0.1".parse().expect("ip")])
            };
            let pc = PeerConnection::new(RtcConfiguration::default(), options)
                .await
                .expect("peer");
            pc.close().await;
            pc.id()
        })
    });
    let log = String::from_utf8(captured.0.lock().expect("not poisoned").clone()).expect("utf-8");
    let span = format!("peer_connection{{id={id}}}");
    assert!(
        log.lines()
            .any(|l| l.contains(&span) && l.contains("connection closed")),
        "no `connection closed` in {span}:\n{log}"
    );
}
