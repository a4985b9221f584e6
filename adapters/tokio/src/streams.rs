//! The driver's TCP sockets for its streams (TURN over TCP and TLS): the
//! connects, reads and writes. Queues, TLS, bounds and counters are
//! `sansrtc_adapter_core`'s ([`DriverCore`]'s stream methods).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use sansrtc_adapter_core::{DriverCore, StreamId, StreamKey};
use sansrtc_proto::Machine;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpSocket, TcpStream};

/// A connect in progress (tokio's `TcpSocket::connect`).
type Connecting = Pin<Box<dyn Future<Output = io::Result<TcpStream>> + Send + Sync>>;

/// One stream's socket.
enum StreamSocket {
    Connecting(Connecting),
    Open(TcpStream),
}

/// The sockets of the driver's streams, by the core's stream id.
#[derive(Default)]
pub(crate) struct StreamSockets {
    sockets: Vec<(StreamId, StreamSocket)>,
    /// Where the next read poll starts (round robin).
    next: usize,
}

/// Starts a non-blocking connect to `key.remote`, from `key.local`'s IP
/// when it is a specific address of the same family.
fn start_connect(key: StreamKey) -> io::Result<Connecting> {
    let socket = if key.remote.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    if !key.local.ip().is_unspecified() && key.local.is_ipv4() == key.remote.is_ipv4() {
        socket.bind(SocketAddr::new(key.local.ip(), 0))?;
    }
    Ok(Box::pin(socket.connect(key.remote)))
}

impl StreamSockets {
    /// Whether the driver has no stream socket.
    pub(crate) fn is_empty(&self) -> bool {
        self.sockets.is_empty()
    }

    /// Starts the connects the core asks for (after its `send_outbox`).
    pub(crate) fn start<M: Machine>(&mut self, now: Instant, core: &mut DriverCore<M>) {
        core.start_streams(now, |id, key| {
            self.sockets
                .push((id, StreamSocket::Connecting(start_connect(key)?)));
            Ok(())
        });
    }

    /// Polls the connects in progress; true if one completed or failed.
    pub(crate) fn poll_connects<M: Machine>(
        &mut self,
        cx: &mut Context<'_>,
        now: impl Fn() -> Instant,
        core: &mut DriverCore<M>,
    ) -> bool {
        let mut progress = false;
        for (id, socket) in &mut self.sockets {
            let StreamSocket::Connecting(connecting) = socket else {
                continue;
            };
            match connecting.as_mut().poll(cx) {
                Poll::Ready(Ok(tcp)) => {
                    // Frames are whole messages: no need to wait for more.
                    let _ = tcp.set_nodelay(true);
                    *socket = StreamSocket::Open(tcp);
                    core.stream_connected(now(), *id);
                    progress = true;
                }
                Poll::Ready(Err(e)) => {
                    core.stream_connect_failed(now(), *id, &e);
                    progress = true;
                }
                Poll::Pending => {}
            }
        }
        self.forget_ended(core);
        progress
    }

    /// Writes what each open stream has queued until it is written or the
    /// socket would block (its waker is then registered).
    pub(crate) fn write<M: Machine>(
        &mut self,
        cx: &mut Context<'_>,
        now: impl Fn() -> Instant,
        core: &mut DriverCore<M>,
    ) {
        for (id, socket) in &mut self.sockets {
            let StreamSocket::Open(tcp) = socket else {
                continue;
            };
            loop {
                let output = core.stream_output(*id);
                if output.is_empty() {
                    break;
                }
                match Pin::new(&mut *tcp).poll_write(cx, output) {
                    Poll::Ready(Ok(0)) => {
                        core.stream_failed(now(), *id, &io::ErrorKind::WriteZero.into());
                        break;
                    }
                    Poll::Ready(Ok(n)) => core.stream_written(*id, n),
                    Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                    Poll::Ready(Err(e)) => {
                        core.stream_failed(now(), *id, &e);
                        break;
                    }
                    Poll::Pending => break,
                }
            }
        }
        self.forget_ended(core);
    }

    /// Whether an open stream has bytes the OS has not taken.
    pub(crate) fn has_output<M: Machine>(&self, core: &DriverCore<M>) -> bool {
        self.sockets.iter().any(|(id, socket)| {
            matches!(socket, StreamSocket::Open(_)) && !core.stream_output(*id).is_empty()
        })
    }

    /// Hands at most one read (or one end of stream) to the core, so the
    /// machine is drained after every input; true if it did. Every socket
    /// polled without data has its waker registered.
    pub(crate) fn poll_reads<M: Machine>(
        &mut self,
        cx: &mut Context<'_>,
        now: impl Fn() -> Instant,
        core: &mut DriverCore<M>,
        buffer: &mut [u8],
    ) -> bool {
        let count = self.sockets.len();
        for i in 0..count {
            let index = (self.next + i) % count;
            let (id, socket) = &mut self.sockets[index];
            let StreamSocket::Open(tcp) = socket else {
                continue;
            };
            let mut buf = ReadBuf::new(buffer);
            match Pin::new(tcp).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if buf.filled().is_empty() => core.stream_ended(now(), *id),
                Poll::Ready(Ok(())) => core.stream_received(now(), *id, buf.filled()),
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Poll::Ready(Err(e)) => core.stream_failed(now(), *id, &e),
                Poll::Pending => continue,
            }
            self.next = (index + 1) % count;
            self.forget_ended(core);
            return true;
        }
        false
    }

    /// Drops the sockets of streams the core ended.
    fn forget_ended<M: Machine>(&mut self, core: &DriverCore<M>) {
        self.sockets.retain(|(id, _)| core.has_stream(*id));
    }
}
