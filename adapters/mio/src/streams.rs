//! The driver's TCP sockets for its streams (TURN over TCP and TLS),
//! registered with its poll: the non-blocking connects, reads and writes.
//! Queues, TLS, bounds and counters are `sansrtc_adapter_core`'s
//! ([`DriverCore`]'s stream methods).

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::time::Instant;

use mio::event::Event;
use mio::net::TcpStream;
use mio::{Interest, Registry, Token};
use sansrtc_adapter_core::{DriverCore, StreamId, StreamKey};
use sansrtc_proto::Machine;
use socket2::{Domain, Socket, Type};

use crate::driver::{FIRST_SOCKET_TOKEN, RECEIVE_BATCH};

/// The driver registers its stream sockets with tokens from this one up
/// (`FIRST_STREAM_TOKEN + stream id`); its UDP sockets are below it.
pub(crate) const FIRST_STREAM_TOKEN: usize = FIRST_SOCKET_TOKEN + usize::MAX / 4;

/// One stream's socket and its edge-triggered readiness.
struct StreamSocket {
    id: StreamId,
    tcp: TcpStream,
    /// The connect completed (checked at the first readiness event).
    connected: bool,
    /// mio reported it and it has not yet returned `WouldBlock`.
    readable: bool,
    writable: bool,
}

/// The sockets of the driver's streams.
#[derive(Default)]
pub(crate) struct StreamSockets {
    sockets: Vec<StreamSocket>,
}

/// Whether a non-blocking `connect` error only means "in progress".
fn in_progress(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::WouldBlock || e.raw_os_error() == Some(libc::EINPROGRESS)
}

/// Starts a non-blocking connect to `key.remote`, from `key.local`'s IP
/// when it is a specific address of the same family.
fn start_connect(key: StreamKey) -> io::Result<TcpStream> {
    let socket = Socket::new(Domain::for_address(key.remote), Type::STREAM, None)?;
    socket.set_nonblocking(true)?;
    if !key.local.ip().is_unspecified() && key.local.is_ipv4() == key.remote.is_ipv4() {
        socket.bind(&SocketAddr::new(key.local.ip(), 0).into())?;
    }
    match socket.connect(&key.remote.into()) {
        Ok(()) => {}
        Err(e) if in_progress(&e) => {}
        Err(e) => return Err(e),
    }
    Ok(TcpStream::from_std(socket.into()))
}

fn token(id: StreamId) -> io::Result<Token> {
    usize::try_from(id.0)
        .ok()
        .and_then(|n| FIRST_STREAM_TOKEN.checked_add(n))
        .map(Token)
        .ok_or_else(|| io::Error::other("no token left for another stream"))
}

impl StreamSockets {
    /// Whether one of the sockets must be read or checked without waiting.
    pub(crate) fn has_work(&self) -> bool {
        self.sockets.iter().any(|s| s.readable)
    }

    /// Starts the connects the core asks for (after its `send_outbox`) and
    /// registers their sockets.
    pub(crate) fn start<M: Machine>(
        &mut self,
        now: Instant,
        registry: &Registry,
        core: &mut DriverCore<M>,
    ) {
        core.start_streams(now, |id, key| {
            let mut tcp = start_connect(key)?;
            registry.register(
                &mut tcp,
                token(id)?,
                Interest::READABLE | Interest::WRITABLE,
            )?;
            self.sockets.push(StreamSocket {
                id,
                tcp,
                connected: false,
                readable: false,
                writable: false,
            });
            Ok(())
        });
    }

    /// Notes a readiness event; false if the token is not a stream's.
    pub(crate) fn note(&mut self, event: &Event) -> bool {
        let Some(id) = event.token().0.checked_sub(FIRST_STREAM_TOKEN) else {
            return false;
        };
        if let Some(s) = self.sockets.iter_mut().find(|s| s.id.0 as usize == id) {
            if event.is_readable() || event.is_read_closed() || event.is_error() {
                s.readable = true;
            }
            if event.is_writable() || event.is_write_closed() || event.is_error() {
                s.writable = true;
            }
        }
        true
    }

    /// Completes the connects mio reported; writes what the streams have
    /// queued until each socket would block.
    pub(crate) fn connect_and_write<M: Machine>(
        &mut self,
        registry: &Registry,
        core: &mut DriverCore<M>,
    ) {
        for s in &mut self.sockets {
            if !s.connected && (s.writable || s.readable) {
                match connect_outcome(&s.tcp) {
                    Some(Ok(())) => {
                        s.connected = true;
                        let _ = s.tcp.set_nodelay(true);
                        core.stream_connected(Instant::now(), s.id);
                    }
                    Some(Err(e)) => core.stream_connect_failed(Instant::now(), s.id, &e),
                    // Spurious wake-up: wait for the next event.
                    None => (s.readable, s.writable) = (false, false),
                }
            }
            if s.connected && s.writable {
                write_queued(s, core);
            }
        }
        self.forget_ended(registry, core);
    }

    /// Reads each readable connected socket until `WouldBlock`, at most
    /// [`RECEIVE_BATCH`] times, handing every read to the core and calling
    /// `after_input` (drain and send) after each.
    pub(crate) fn read<M: Machine>(
        &mut self,
        registry: &Registry,
        core: &mut DriverCore<M>,
        buffer: &mut [u8],
        mut after_input: impl FnMut(&mut DriverCore<M>),
    ) {
        for s in &mut self.sockets {
            if !s.connected {
                continue;
            }
            for _ in 0..RECEIVE_BATCH {
                if !s.readable || !core.has_stream(s.id) {
                    break;
                }
                match s.tcp.read(buffer) {
                    Ok(0) => core.stream_ended(Instant::now(), s.id),
                    Ok(n) => core.stream_received(Instant::now(), s.id, &buffer[..n]),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        s.readable = false;
                        break;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => core.stream_failed(Instant::now(), s.id, &e),
                }
                after_input(core);
            }
        }
        self.forget_ended(registry, core);
    }

    /// Deregisters and drops the sockets of streams the core ended.
    fn forget_ended<M: Machine>(&mut self, registry: &Registry, core: &DriverCore<M>) {
        self.sockets.retain_mut(|s| {
            let live = core.has_stream(s.id);
            if !live {
                let _ = registry.deregister(&mut s.tcp);
            }
            live
        });
    }
}

/// Whether a connect mio woke us for completed (`Some(Ok)`), failed
/// (`Some(Err)`) or is still going on (`None`), as mio's documentation
/// says to check it.
fn connect_outcome(tcp: &TcpStream) -> Option<io::Result<()>> {
    match tcp.take_error() {
        Ok(Some(e)) | Err(e) => return Some(Err(e)),
        Ok(None) => {}
    }
    match tcp.peer_addr() {
        Ok(_) => Some(Ok(())),
        Err(e) if e.kind() == io::ErrorKind::NotConnected => None,
        Err(e) => Some(Err(e)),
    }
}

/// Writes a connected stream's queued bytes until done or `WouldBlock`.
fn write_queued<M: Machine>(s: &mut StreamSocket, core: &mut DriverCore<M>) {
    loop {
        let output = core.stream_output(s.id);
        if output.is_empty() {
            return;
        }
        match s.tcp.write(output) {
            Ok(0) => {
                core.stream_failed(Instant::now(), s.id, &io::ErrorKind::WriteZero.into());
                return;
            }
            Ok(n) => core.stream_written(s.id, n),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                s.writable = false;
                return;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                core.stream_failed(Instant::now(), s.id, &e);
                return;
            }
        }
    }
}
