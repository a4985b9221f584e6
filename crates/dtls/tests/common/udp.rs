//! Driving an endpoint over a real UDP socket on 127.0.0.1, and running
//! the `openssl` command line as a peer.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sansrtc_dtls::{DtlsEndpoint, DtlsEvent};
use sansrtc_proto::Output;

/// A free UDP port on 127.0.0.1 (bound then released).
pub fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An endpoint on a socket; `peer` is learned from the first datagram when `None`.
pub struct UdpDriver {
    pub ep: DtlsEndpoint,
    pub sock: UdpSocket,
    pub peer: Option<SocketAddr>,
    pub events: Vec<DtlsEvent>,
    /// Seeded loss applied to both directions: (rng, probability).
    pub loss: Option<(rand_chacha::ChaCha20Rng, f64)>,
    /// Datagrams dropped by `loss`.
    pub dropped: u64,
}

impl UdpDriver {
    pub fn new(ep: DtlsEndpoint, bind: &str, peer: Option<SocketAddr>) -> Self {
        let sock = UdpSocket::bind(bind).unwrap();
        sock.set_read_timeout(Some(Duration::from_millis(20)))
            .unwrap();
        UdpDriver {
            ep,
            sock,
            peer,
            events: Vec::new(),
            loss: None,
            dropped: 0,
        }
    }

    /// Whether the lossy link drops the next datagram.
    fn lose(&mut self) -> bool {
        use rand_chacha::rand_core::RngCore;
        let Some((rng, p)) = &mut self.loss else {
            return false;
        };
        let lost = (rng.next_u32() as f64) < *p * (u32::MAX as f64);
        self.dropped += u64::from(lost);
        lost
    }

    /// Sends every queued datagram; returns the timeout.
    pub fn flush(&mut self) -> Option<Instant> {
        loop {
            match self.ep.poll_output() {
                Output::Transmit(d) => {
                    if let Some(p) = self.peer {
                        if !self.lose() {
                            let _ = self.sock.send_to(&d, p);
                        }
                    }
                }
                Output::Event(e) => self.events.push(e),
                Output::Timeout(t) => return t,
            }
        }
    }

    /// One round: flush outputs, wait briefly for a datagram, fire timers.
    pub fn step(&mut self) {
        let timeout = self.flush();
        let mut buf = [0u8; 65536];
        if let Ok((n, from)) = self.sock.recv_from(&mut buf) {
            if self.peer.is_none() {
                self.peer = Some(from);
            }
            if Some(from) == self.peer && !self.lose() {
                self.ep.handle_receive(Instant::now(), &buf[..n]);
            }
        }
        if timeout.is_some_and(|t| t <= Instant::now()) {
            self.ep.handle_timeout(Instant::now());
        }
    }

    /// Steps until `done` holds or `limit` passes; returns whether it held.
    pub fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&Self) -> bool) -> bool {
        let end = Instant::now() + limit;
        while Instant::now() < end {
            self.step();
            if done(self) {
                self.flush();
                return true;
            }
        }
        false
    }
}

/// A child `openssl` process with its output collected: stdout and
/// stderr each in its own buffer, so that a line of one never lands inside
/// a multi-line block of the other (a certificate's PEM on stdout, verify
/// messages on stderr).
pub struct OpenSsl {
    pub child: Child,
    pub stdin: Option<ChildStdin>,
    pub output: [Arc<Mutex<String>>; 2],
}

impl OpenSsl {
    pub fn spawn(args: &[String]) -> Self {
        // OpenSSL's stdout is a libc stream: line-buffer it so that we see
        // its output while it runs (stdbuf is in coreutils).
        let mut child = Command::new("stdbuf")
            .arg("-oL")
            .arg("openssl")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("openssl runs");
        let output = [
            Arc::new(Mutex::new(String::new())),
            Arc::new(Mutex::new(String::new())),
        ];
        for (stream, out) in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ]
        .into_iter()
        .zip(output.iter())
        {
            let out = out.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut o = out.lock().unwrap();
                    o.push_str(&line);
                    o.push('\n');
                }
            });
        }
        let stdin = child.stdin.take();
        OpenSsl {
            child,
            stdin,
            output,
        }
    }

    /// Everything printed so far: stdout, then stderr.
    pub fn text(&self) -> String {
        let mut text = self.output[0].lock().unwrap().clone();
        text.push_str(&self.output[1].lock().unwrap());
        text
    }

    pub fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    /// The hex after "Keying material: ", if printed yet.
    pub fn keying_material(&self) -> Option<String> {
        self.text().lines().find_map(|l| {
            l.trim()
                .strip_prefix("Keying material: ")
                .map(str::to_string)
        })
    }
}

impl Drop for OpenSsl {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
