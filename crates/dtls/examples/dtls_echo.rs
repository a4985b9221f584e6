//! A DTLS 1.2 peer on a UDP socket, for pointing at `openssl s_server` /
//! `openssl s_client` (or another `dtls_echo`).
//!
//! ```text
//! cargo run -p sansrtc-dtls --example dtls_echo -- client --connect HOST:PORT \
//!     --cert CERT.pem --key KEY.pem \
//!     (--fingerprint "sha-256 AB:CD:…" | --dangerously-accept-any-peer-certificate) \
//!     [--srtp-profiles SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80] [--export-len N]
//! cargo run -p sansrtc-dtls --example dtls_echo -- server --listen HOST:PORT …
//! ```
//!
//! Extra flags: `--no-hello-verify` (server), `--mtu N`.
//!
//! The peer is authenticated by `--fingerprint` (its certificate's); for
//! debugging only, `--dangerously-accept-any-peer-certificate` accepts any
//! certificate instead and prints its fingerprint to check by hand. One of
//! the two is required.
//!
//! Once connected it prints `cipher: NAME` (the IANA name), `srtp-profile:
//! NAME` (or `none`), with `--export-len` `keying-material: HEX` (the
//! `EXTRACTOR-dtls_srtp` export, upper-case hex as OpenSSL prints it), and
//! without `--fingerprint` `peer-fingerprint: sha-256 …`. Then each line of
//! standard input (with its newline) is sent as one record; each record received is printed
//! as `recv: TEXT`. It exits 0 on close_notify or end of input (after
//! sending close_notify), 1 on failure, 2 on bad arguments.

use std::io::BufRead;
use std::net::{SocketAddr, UdpSocket};
use std::process::ExitCode;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rand_chacha::rand_core::SeedableRng;
use sansrtc_dtls::{
    fingerprint_of, parse_fingerprint, DtlsConfig, DtlsEndpoint, DtlsEvent, Fingerprint,
    HashAlgorithm, Identity, Role, SrtpProfile, DTLS_SRTP_LABEL,
};
use sansrtc_proto::Output;

struct Args {
    role: Role,
    addr: SocketAddr,
    cert: String,
    key: String,
    fingerprint: Option<Fingerprint>,
    srtp: Option<Vec<SrtpProfile>>,
    export_len: Option<usize>,
    hello_verify: bool,
    mtu: Option<usize>,
    accept_any_peer_certificate: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let role = match it.next().as_deref() {
        Some("client") => Role::Client,
        Some("server") => Role::Server,
        _ => return Err("first argument must be client or server".into()),
    };
    let (mut addr, mut cert, mut key) = (None, None, None);
    let mut a = Args {
        role,
        addr: "127.0.0.1:0".parse().unwrap(),
        cert: String::new(),
        key: String::new(),
        fingerprint: None,
        srtp: None,
        export_len: None,
        hello_verify: true,
        mtu: None,
        accept_any_peer_certificate: false,
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--connect" if role == Role::Client => addr = Some(value()?),
            "--listen" if role == Role::Server => addr = Some(value()?),
            "--cert" => cert = Some(value()?),
            "--key" => key = Some(value()?),
            "--fingerprint" => {
                a.fingerprint = Some(parse_fingerprint(&value()?).map_err(|e| e.to_string())?)
            }
            "--srtp-profiles" => {
                let list = value()?
                    .split(':')
                    .map(|n| SrtpProfile::from_name(n).ok_or(format!("unknown SRTP profile {n}")))
                    .collect::<Result<Vec<_>, _>>()?;
                a.srtp = Some(list);
            }
            "--export-len" => {
                a.export_len = Some(value()?.parse().map_err(|_| "bad --export-len")?)
            }
            "--mtu" => a.mtu = Some(value()?.parse().map_err(|_| "bad --mtu")?),
            "--no-hello-verify" => a.hello_verify = false,
            "--dangerously-accept-any-peer-certificate" => a.accept_any_peer_certificate = true,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    let addr = addr.ok_or("--connect/--listen is required")?;
    a.addr = std::net::ToSocketAddrs::to_socket_addrs(&addr)
        .map_err(|e| format!("{addr}: {e}"))?
        .next()
        .ok_or(format!("{addr}: no address"))?;
    a.cert = cert.ok_or("--cert is required")?;
    a.key = key.ok_or("--key is required")?;
    if a.fingerprint.is_none() && !a.accept_any_peer_certificate {
        return Err("--fingerprint is required (or, for debugging only, \
             --dangerously-accept-any-peer-certificate)"
            .into());
    }
    Ok(a)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("dtls_echo: {e}");
            return ExitCode::from(2);
        }
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dtls_echo: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let read = |p: &str| std::fs::read_to_string(p).map_err(|e| format!("{p}: {e}"));
    let identity =
        Identity::from_pem(&read(&args.cert)?, &read(&args.key)?).map_err(|e| e.to_string())?;
    let mut cfg = DtlsConfig::new(Arc::new(identity));
    cfg.expected_fingerprints = args.fingerprint.iter().cloned().collect();
    if args.accept_any_peer_certificate {
        cfg = cfg.dangerously_accept_any_peer_certificate();
    }
    if let Some(p) = &args.srtp {
        cfg.srtp_profiles = p.clone();
    }
    cfg.hello_verify_request = args.hello_verify;
    if let Some(m) = args.mtu {
        cfg.mtu = m;
    }
    cfg.unix_time = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs());
    let seed = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    // An example: a time-seeded ChaCha20 stands in for an OS RNG here.
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed ^ u64::from(std::process::id()));
    let mut ep = DtlsEndpoint::new(args.role, cfg, &mut rng).map_err(|e| e.to_string())?;
    let (sock, mut peer) = match args.role {
        Role::Client => {
            let bind = if args.addr.is_ipv4() {
                "0.0.0.0:0"
            } else {
                "[::]:0"
            };
            (
                UdpSocket::bind(bind).map_err(|e| e.to_string())?,
                Some(args.addr),
            )
        }
        Role::Server => (UdpSocket::bind(args.addr).map_err(|e| e.to_string())?, None),
    };
    sock.set_read_timeout(Some(Duration::from_millis(10)))
        .map_err(|e| e.to_string())?;
    ep.start(Instant::now());

    let (tx, lines) = mpsc::channel::<Option<String>>();
    let mut stdin_started = false;
    let mut buf = vec![0u8; 65536];
    loop {
        let timeout = loop {
            match ep.poll_output() {
                Output::Transmit(d) => {
                    if let Some(p) = peer {
                        let _ = sock.send_to(&d, p);
                    }
                }
                Output::Event(DtlsEvent::Connected(info)) => {
                    println!("cipher: {}", info.cipher_suite.name());
                    match info.srtp_profile {
                        Some(p) => println!("srtp-profile: {}", p.name()),
                        None => println!("srtp-profile: none"),
                    }
                    if let Some(n) = args.export_len {
                        let km = ep
                            .export_keying_material(DTLS_SRTP_LABEL, None, n)
                            .map_err(|e| e.to_string())?;
                        let hex: String = km.iter().map(|b| format!("{b:02X}")).collect();
                        println!("keying-material: {hex}");
                    }
                    if args.fingerprint.is_none() {
                        if let Some(fp) =
                            fingerprint_of(HashAlgorithm::Sha256, &info.peer_certificate_chain[0])
                        {
                            println!("peer-fingerprint: {fp}");
                        }
                    }
                    if !stdin_started {
                        stdin_started = true;
                        let tx = tx.clone();
                        std::thread::spawn(move || {
                            for line in std::io::stdin().lock().lines().map_while(Result::ok) {
                                if tx.send(Some(line)).is_err() {
                                    return;
                                }
                            }
                            let _ = tx.send(None);
                        });
                    }
                }
                Output::Event(DtlsEvent::ApplicationData(d)) => {
                    let text = String::from_utf8_lossy(&d);
                    println!("recv: {}", text.trim_end_matches('\n'));
                }
                Output::Event(DtlsEvent::Closed) => return Ok(()),
                Output::Event(DtlsEvent::Failed(e)) => return Err(e.to_string()),
                Output::Timeout(t) => break t,
            }
        };
        if let Ok((n, from)) = sock.recv_from(&mut buf) {
            if peer.is_none() {
                peer = Some(from);
            }
            if Some(from) == peer {
                ep.handle_receive(Instant::now(), &buf[..n]);
            }
        }
        if timeout.is_some_and(|t| t <= Instant::now()) {
            ep.handle_timeout(Instant::now());
        }
        while let Ok(line) = lines.try_recv() {
            match line {
                Some(l) => ep
                    .send_application_data(format!("{l}\n").as_bytes())
                    .map_err(|e| e.to_string())?,
                None => {
                    ep.close();
                    while let Output::Transmit(d) = ep.poll_output() {
                        if let Some(p) = peer {
                            let _ = sock.send_to(&d, p);
                        }
                    }
                    return Ok(());
                }
            }
        }
    }
}
