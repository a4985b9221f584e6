//! The async API: [`PeerConnection`] runs an [`sansrtc::RtcPeerConnection`]
//! on its own task and hands out [`DataChannel`]s, [`TrackSender`]s and
//! [`TrackReceiver`]s.

mod bind;
mod channel_state;
mod counters;
mod data_channel;
mod error;
mod events;
mod handle;
mod io;
mod link;
mod media;
mod options;
mod resolve;
mod task;
mod task_state;

pub use counters::PeerConnectionCounters;
pub use data_channel::{DataChannel, IntoMessage};
pub use error::Error;
pub use events::{Events, PeerConnectionEvent};
pub use handle::PeerConnection;
pub use io::DataChannelStream;
pub use media::{MediaSample, TrackReceiver, TrackSender};
pub use options::PeerConnectionOptions;
pub use resolve::{Resolver, Resolving, SystemResolver};
