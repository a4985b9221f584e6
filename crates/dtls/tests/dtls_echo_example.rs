//! The `dtls_echo` example against `openssl s_server` / `s_client`, with
//! the interface the issue fixes.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::udp::{free_port, OpenSsl};
use common::*;

fn example() -> PathBuf {
    // target/<profile>/deps/<test> -> target/<profile>/examples/dtls_echo
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join("dtls_echo")
}

struct Echo {
    child: Child,
    out: Arc<Mutex<String>>,
}

impl Echo {
    fn spawn(args: &[String]) -> Echo {
        let mut child = Command::new(example())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the example is built by cargo test");
        let out = Arc::new(Mutex::new(String::new()));
        let o = out.clone();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let mut g = o.lock().unwrap();
                g.push_str(&line);
                g.push('\n');
            }
        });
        Echo { child, out }
    }

    fn text(&self) -> String {
        self.out.lock().unwrap().clone()
    }

    fn line(&self, prefix: &str) -> Option<String> {
        self.text()
            .lines()
            .find_map(|l| l.strip_prefix(prefix).map(str::to_string))
    }
}

impl Drop for Echo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out waiting for {what}");
}

fn openssl_args(cert: &std::path::Path, key: &std::path::Path) -> Vec<String> {
    [
        "-dtls1_2",
        "-cert",
        cert.to_str().unwrap(),
        "-key",
        key.to_str().unwrap(),
        "-use_srtp",
        "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80",
        "-keymatexport",
        "EXTRACTOR-dtls_srtp",
        "-keymatexportlen",
        "56",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn dtls_echo_client_against_openssl_s_server() {
    let dir = scratch("echo-client");
    let (cert, key) = openssl_cert(&dir, "ec");
    let port = free_port();
    let mut args = vec![
        "s_server".into(),
        "-accept".into(),
        format!("127.0.0.1:{port}"),
    ];
    args.extend(openssl_args(&cert, &key));
    let mut ossl = OpenSsl::spawn(&args);
    wait("s_server", Duration::from_secs(5), || {
        ossl.text().contains("ACCEPT")
    });
    let mut echo = Echo::spawn(&[
        "client".into(),
        "--connect".into(),
        format!("127.0.0.1:{port}"),
        "--cert".into(),
        cert.to_str().unwrap().into(),
        "--key".into(),
        key.to_str().unwrap().into(),
        "--srtp-profiles".into(),
        "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80".into(),
        "--export-len".into(),
        "56".into(),
        // No fingerprint: the example prints the peer's, checked below.
        "--dangerously-accept-any-peer-certificate".into(),
    ]);
    wait("keying material", Duration::from_secs(10), || {
        echo.line("keying-material: ").is_some() && ossl.keying_material().is_some()
    });
    assert_eq!(
        echo.line("cipher: ").as_deref(),
        Some("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
    );
    assert_eq!(
        echo.line("srtp-profile: ").as_deref(),
        Some("SRTP_AEAD_AES_128_GCM")
    );
    assert_eq!(echo.line("keying-material: "), ossl.keying_material());
    let fp = echo.line("peer-fingerprint: ").unwrap();
    assert!(fp.starts_with("sha-256 "), "{fp}");
    let der = pem::parse(std::fs::read_to_string(&cert).unwrap())
        .unwrap()
        .into_contents();
    assert_eq!(
        fp,
        sansrtc_dtls::fingerprint_of(sansrtc_dtls::HashAlgorithm::Sha256, &der)
            .unwrap()
            .to_string()
    );
    // Lines both ways.
    let stdin = echo.child.stdin.as_mut().unwrap();
    stdin.write_all(b"from-echo\n").unwrap();
    stdin.flush().unwrap();
    ossl.send_line("from-openssl");
    let end = Instant::now() + Duration::from_secs(5);
    while !(ossl.text().contains("from-echo") && echo.text().contains("recv: from-openssl")) {
        assert!(
            Instant::now() < end,
            "data both ways:\n--- echo\n{}\n--- openssl\n{}",
            echo.text(),
            ossl.text()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // End of input: close_notify and exit 0.
    drop(echo.child.stdin.take());
    let end = Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(s) = echo.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < end, "dtls_echo did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
}

#[test]
fn openssl_s_client_against_dtls_echo_server_with_fingerprint() {
    let dir = scratch("echo-server");
    let (cert, key) = openssl_cert(&dir, "ec");
    let (ours, our_key) = openssl_cert(&dir, "srv-ec");
    let der = pem::parse(std::fs::read_to_string(&cert).unwrap())
        .unwrap()
        .into_contents();
    let fp = sansrtc_dtls::fingerprint_of(sansrtc_dtls::HashAlgorithm::Sha256, &der)
        .unwrap()
        .to_string();
    let port = free_port();
    let echo = Echo::spawn(&[
        "server".into(),
        "--listen".into(),
        format!("127.0.0.1:{port}"),
        "--cert".into(),
        ours.to_str().unwrap().into(),
        "--key".into(),
        our_key.to_str().unwrap().into(),
        "--fingerprint".into(),
        fp,
        "--export-len".into(),
        "56".into(),
    ]);
    std::thread::sleep(Duration::from_millis(300));
    let mut args = vec![
        "s_client".into(),
        "-connect".into(),
        format!("127.0.0.1:{port}"),
    ];
    args.extend(openssl_args(&cert, &key));
    let mut ossl = OpenSsl::spawn(&args);
    wait("keying material", Duration::from_secs(10), || {
        echo.line("keying-material: ").is_some() && ossl.keying_material().is_some()
    });
    assert_eq!(echo.line("keying-material: "), ossl.keying_material());
    assert!(echo.line("peer-fingerprint: ").is_none());
    ossl.send_line("to-echo-server");
    wait("recv", Duration::from_secs(5), || {
        echo.text().contains("recv: to-echo-server")
    });
}

#[test]
fn dtls_echo_refuses_to_run_without_a_peer_fingerprint() {
    let dir = scratch("echo-no-fingerprint");
    let (cert, key) = openssl_cert(&dir, "ec");
    let out = Command::new(example())
        .args(["client", "--connect", "127.0.0.1:9", "--cert"])
        .arg(&cert)
        .arg("--key")
        .arg(&key)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--fingerprint is required"), "{stderr}");
}
