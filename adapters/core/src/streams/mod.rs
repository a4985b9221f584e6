//! TCP and TLS streams (TURN over TCP and TLS): the runtime-independent
//! part. A machine's first TCP/TLS transmit from `local` to `remote`
//! opens a stream; its frames wait (bounded) until the runtime connects it
//! and, for TLS, until the handshake is done; received bytes are decrypted
//! and handed to the machine; every end is reported to the machine with
//! `Machine::handle_stream_closed`.

mod close;
mod key;
mod stream;
mod table;
mod tls_session;
mod tls_settings;
mod write_queue;

pub use close::{StreamClose, StreamCloseReason};
pub use key::{StreamId, StreamKey};
pub(crate) use stream::{Queued, Received};
pub(crate) use table::{Lookup, StreamTable};
pub use tls_settings::{ring_client_config, webpki_roots, TlsSettings};
