//! `RTCDataChannel` semantics over SCTP: DCEP (RFC 8832) and the data-channel
//! rules of RFC 8831, as a Sans-IO machine.
//!
//! [`DataChannels`] keeps every channel of one SCTP association. The
//! application calls [`DataChannels::create_data_channel`],
//! [`DataChannels::send`] and [`DataChannels::close`]; the layer below
//! reports the DTLS role, the association's state, whole received messages,
//! stream resets and buffered amounts. After any call, drain
//! [`DataChannels::poll_output`] until it returns `Output::Timeout`: each
//! `Output::Transmit` is an [`SctpCommand`] for the association, each
//! `Output::Event` a [`DataChannelEvent`] for the application.
//!
//! ```
//! use sansrtc_datachannel::*;
//! use sansrtc_proto::Output;
//!
//! let mut ours = DataChannels::new(DataChannelConfig::default());
//! let mut theirs = DataChannels::new(DataChannelConfig::default());
//! ours.set_dtls_role(DtlsRole::Client);
//! theirs.set_dtls_role(DtlsRole::Server);
//! let chat = ours.create_data_channel(DataChannelInit::new("chat")).unwrap();
//! ours.handle_association_established();
//! theirs.handle_association_established();
//! ours.send(chat, DataChannelMessage::Text("hello".into())).unwrap();
//!
//! // A lossless "association": hand every Send to the other side.
//! let mut received = Vec::new();
//! loop {
//!     match ours.poll_output() {
//!         Output::Transmit(SctpCommand::Send { stream, ppid, payload, .. }) => {
//!             theirs.handle_message(stream, ppid.value(), &payload)
//!         }
//!         Output::Transmit(SctpCommand::ResetStreams(_)) => {}
//!         Output::Event(_) => {}
//!         Output::Timeout(_) => break,
//!     }
//! }
//! loop {
//!     match theirs.poll_output() {
//!         Output::Event(DataChannelEvent::Message { message, .. }) => received.push(message),
//!         Output::Timeout(_) => break,
//!         _ => {} // the ACK for "chat", the `datachannel` and `open` events
//!     }
//! }
//! assert_eq!(received, vec![DataChannelMessage::Text("hello".into())]);
//! ```
//!
//! **The `snapshot` feature** (off by default): `SctpTransport` and
//! `DataChannels` are `Clone`, for fuzz harnesses that build them once and
//! clone them per input. Never clone a live connection: two copies that
//! both send would reuse nonces and sequence numbers under the same keys.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod association_input;
mod channel;
mod config;
mod data_channels;
mod dcep;
mod error;
mod event;
mod init;
mod message;
mod ppid;
mod reliability;
mod sctp_transport;

pub use channel::DataChannelInfo;
pub use config::{DataChannelConfig, DEFAULT_REMOTE_MAX_MESSAGE_SIZE};
pub use data_channels::{DataChannelStats, DataChannels, DtlsRole, SendPlan};
pub use dcep::{DcepMessage, DcepOpen};
pub use error::{DataChannelError, DcepError};
pub use event::{ChannelId, DataChannelEvent, DataChannelState, SctpCommand};
pub use init::{DataChannelInit, Priority};
pub use message::DataChannelMessage;
pub use ppid::Ppid;
pub use reliability::{ChannelType, Reliability};
pub use sctp_transport::{SctpTransport, SctpTransportStats};
