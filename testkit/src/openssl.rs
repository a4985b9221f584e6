//! `openssl s_client` as a TLS pipe: we write plaintext to the child's
//! stdin and read plaintext from its stdout through a reader thread, so
//! every read can time out. The child is killed on drop.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError, TryRecvError};
use std::time::Duration;

/// A TLS connection carried by an `openssl s_client` child, which verifies
/// the server's certificate against `ca_file` and the server's IP address
/// (`-verify_return_error -verify_ip`). Our local port is not known.
#[derive(Debug)]
pub struct SClient {
    child: Child,
    stdin: ChildStdin,
    received: mpsc::Receiver<Vec<u8>>,
}

impl SClient {
    /// Starts `openssl s_client -quiet` to `server`.
    ///
    /// # Panics
    /// When `openssl` cannot be started.
    pub fn connect(ca_file: &Path, server: SocketAddr) -> SClient {
        let mut child = Command::new("openssl")
            .args(["s_client", "-quiet", "-verify_return_error"])
            .args(["-verify_ip", &server.ip().to_string(), "-CAfile"])
            .arg(ca_file)
            .args(["-connect", &server.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl s_client (install openssl; .ci/run does)");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let (tx, received) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        SClient {
            child,
            stdin,
            received,
        }
    }

    /// Writes `bytes` (plaintext) and flushes them to the child.
    ///
    /// # Panics
    /// When the child's stdin is closed.
    pub fn send(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    /// The next plaintext chunk the child read from the server, waiting at
    /// most `wait`; `Disconnected` once the child's stdout closed.
    pub fn recv_timeout(&self, wait: Duration) -> Result<Vec<u8>, RecvTimeoutError> {
        self.received.recv_timeout(wait)
    }

    /// The next plaintext chunk if one is already there.
    pub fn try_recv(&self) -> Result<Vec<u8>, TryRecvError> {
        self.received.try_recv()
    }
}

impl Drop for SClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
