//! RTCP packets (RFC 3550 §6, RFC 4585, RFC 5104, RFC 5506, REMB,
//! transport-wide congestion control feedback, RFC 8888): parsed and built.
//!
//! [`parse_compound`] reads a datagram into [`RtcpPacket`]s, each type in
//! its own struct with `parse` (from the [`crate::RtcpHeader`] that
//! [`crate::rtcp_packets`] frames) and `write` (appending to a `Vec<u8>`,
//! with the length field and any padding set). Packet types and feedback
//! formats not read here come back as [`RawPacket`]s. Every count in a
//! packet is checked against its length before anything is allocated, so
//! a packet never makes the parser allocate more than its size implies.
//!
//! A value read from a datagram writes back to a packet that reads as the
//! same value (padding and reserved bits normalised). `write` panics only
//! for a hand-built value too large for the 16-bit length field
//! (262,144 bytes).
//!
//! ```
//! use sansrtc_rtp::rtcp::{parse_compound, write_compound, Nack, Pli, RtcpPacket};
//!
//! let packets = [
//!     RtcpPacket::Pli(Pli { sender_ssrc: 1, media_ssrc: 2 }),
//!     RtcpPacket::Nack(Nack::from_lost(1, 2, &[65535, 0, 3])),
//! ];
//! let mut datagram = Vec::new();
//! write_compound(&packets, &mut datagram);
//! let back: Vec<RtcpPacket> = parse_compound(&datagram).collect::<Result<_, _>>()?;
//! assert_eq!(back, packets);
//! let RtcpPacket::Nack(nack) = &back[1] else { unreachable!() };
//! assert_eq!(nack.lost().collect::<Vec<_>>(), [65535, 0, 3]);
//! # Ok::<(), sansrtc_rtp::RtpError>(())
//! ```

mod bye;
mod ccfb;
mod common;
mod feedback;
mod fir;
mod nack;
mod packet;
mod pli;
mod raw;
mod receiver_report;
mod remb;
mod report;
mod report_block;
mod sdes;
mod sender_report;
mod twcc;

pub use bye::Goodbye;
pub use ccfb::{CcfbReport, CcfbStream, CongestionControlFeedback};
pub use fir::{Fir, FirEntry};
pub use nack::{nack_pairs, Nack, NackPair};
pub use packet::{parse_compound, write_compound, RtcpPacket};
pub use pli::Pli;
pub use raw::RawPacket;
pub use receiver_report::ReceiverReport;
pub use remb::Remb;
pub use report_block::ReportBlock;
pub use sdes::{SdesChunk, SdesItem, SourceDescription};
pub use sender_report::SenderReport;
pub(crate) use twcc::delta_units;
pub use twcc::{StatusChunk, TransportCc, TwccBuildError, TwccStatus};
