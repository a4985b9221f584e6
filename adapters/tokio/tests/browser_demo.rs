//! The browser demo in headless Chromium (issue #18, proof 5): the WHIP
//! server of the `whip` example serves the demo page
//! (`examples/browser_demo/`), Chromium opens it with its fake microphone
//! and camera, signals with WHIP (POST /whip), says three things in the
//! data channel chat and gets them back, and decodes the audio and video
//! sansrtc echoes. This is also the WHIP server tested against Chromium's
//! page.
//!
//! Needs Node.js, Chromium and playwright-core (`../shared/interop/setup.sh`);
//! missing, the test fails with the reason. `SANSRTC_SCREENSHOT=1` saves the
//! page to `docs/images/browser_demo.png`.

#[path = "../examples/browser_demo/pages.rs"]
mod pages;
// The server parses fragments; writing them is the client's.
#[allow(dead_code)]
#[path = "../examples/whip/sdpfrag.rs"]
mod sdpfrag;
#[path = "../examples/whip/server.rs"]
mod server;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use server::{ServerOptions, WhipServer};

/// The Node driver's own limit, and ours a little later.
const PAGE_TIMEOUT_S: u64 = 40;
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_chats_and_gets_its_microphone_and_camera_back() {
    let server = WhipServer::new(ServerOptions {
        pages: pages::pages(),
        ..Default::default()
    });
    let at = server.listen("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let script = manifest.join("tests/browser/demo_page.mjs");
    let mut command = tokio::process::Command::new("node");
    command
        .arg(&script)
        .args(["--url", &format!("http://{at}/")])
        .args(["--timeout", &PAGE_TIMEOUT_S.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if std::env::var("SANSRTC_SCREENSHOT").as_deref() == Ok("1") {
        let path = manifest.join("../../docs/images/browser_demo.png");
        command.arg("--screenshot").arg(path);
    }
    let child = command.spawn().unwrap_or_else(|e| {
        panic!(
            "cannot run `node {}` ({e}): the browser demo test needs Node.js, Chromium and \
             playwright-core (../shared/interop/setup.sh installs them)",
            script.display()
        )
    });
    let output = tokio::time::timeout(RUN_TIMEOUT, child.wait_with_output())
        .await
        .expect("the page finished in time")
        .expect("the Node driver ran");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let result: Value = stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("no result line ({})\n--- node ---\n{stderr}", output.status));
    assert_eq!(
        result["ok"],
        Value::Bool(true),
        "{result:#}\n--- node ({}) ---\n{stderr}\n--- server ---\n{:?}",
        output.status,
        server.counters()
    );
    // sansrtc's side of it: one session, the three messages and frames
    // echoed, and the session gone after the page's DELETE.
    let counters = server.counters();
    assert_eq!(counters.created, 1, "{counters:?}");
    assert!(counters.echoed_messages >= 3, "{counters:?}");
    assert!(counters.echoed_frames > 0, "{counters:?}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while server.session_count() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the session stayed after DELETE"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
