//! RTP and RTCP header parsing and the RFC 7983 demultiplexer for sansrtc.
//!
//! These are the two things the peer connection runs on every received
//! datagram before it chooses a machine: [`classify`] looks at the first
//! byte (STUN, DTLS, TURN ChannelData, RTP, RTCP, drop), and
//! [`RtpHeader::parse`] / [`rtcp_packets`] read the headers in place,
//! without copying or allocating. The crate depends on nothing but
//! `thiserror` and does no I/O.
//!
//! ```
//! use sansrtc_rtp::{classify, PacketKind, RtpHeader};
//!
//! // RTP: V=2, X=1, PT 111, seq 7, one-byte extension with id 1 (audio level).
//! let packet = [
//!     0x90, 111, 0, 7, 0, 0, 0x03, 0xc0, 0xde, 0xad, 0xbe, 0xef,
//!     0xbe, 0xde, 0, 1, 0x10, 0x2a, 0, 0,
//!     0xf8, 0xff, 0xfe,
//! ];
//! assert_eq!(classify(&packet), PacketKind::Rtp);
//! let h = RtpHeader::parse(&packet)?;
//! assert_eq!((h.payload_type(), h.sequence_number(), h.ssrc()), (111, 7, 0xdead_beef));
//! let ext: Vec<_> = h.extensions().collect::<Result<_, _>>()?;
//! assert_eq!((ext[0].id, ext[0].data), (1, &[0x2a][..]));
//! assert_eq!(h.payload(), &[0xf8, 0xff, 0xfe]);
//!
//! assert_eq!(classify(&[0x00, 0x01]), PacketKind::Stun);
//! assert_eq!(classify(&[22, 0xfe, 0xfd]), PacketKind::Dtls);
//! assert_eq!(classify(&[0x80, 200]), PacketKind::Rtcp);
//! # Ok::<(), sansrtc_rtp::RtpError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod codec;
mod demux;
mod error;
pub mod rtcp;
mod rtcp_header;
mod rtp_header;

pub use demux::{classify, is_rtcp_packet_type, PacketKind};
pub use error::RtpError;
pub use rtcp_header::{rtcp_packets, RtcpHeader};
pub use rtp_header::{Extension, Extensions, RtpHeader};
