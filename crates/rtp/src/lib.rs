//! RTP and RTCP for sansrtc: header parsing, the RFC 7983 demultiplexer,
//! the RTP packet writer, and the send and receive statistics of RTP
//! streams.
//!
//! Parsing and demultiplexing are the two things the peer connection runs
//! on every received datagram before it chooses a machine: [`classify`]
//! looks at the first byte (STUN, DTLS, TURN ChannelData, RTP, RTCP, drop),
//! and [`RtpHeader::parse`] / [`rtcp_packets`] read the headers in place,
//! without copying or allocating.
//!
//! For media, [`RtpWriter`] appends an RTP packet (CSRCs, RFC 8285 header
//! extensions, padding) to a caller's buffer; [`SendStream`] numbers a
//! stream's packets and counts them for the sender report;
//! [`ReceiveStats`] validates a source's sequence numbers and computes
//! loss, jitter and the [`rtcp::ReportBlock`] (RFC 3550 Appendix A);
//! [`round_trip_time`] reads the RTT from a report block about our stream;
//! [`NtpTime`] is the NTP timestamp those reports carry.
//!
//! For the media feedback loops: [`NackGenerator`] tracks the packets a
//! received source is missing and asks for them (RFC 4585 Generic NACK);
//! [`SendHistory`] keeps the packets sent, to answer with [`RtxSender`]
//! (RFC 4588 retransmission, [`write_rtx`] / [`original_from_rtx`]), at
//! most once per round trip ([`ResendLimiter`]); [`TransportSequencer`]
//! and [`TwccRecorder`] are the two ends of transport-wide congestion
//! control feedback.
//!
//! The crate depends on nothing but `thiserror`, does no I/O and reads no
//! clock: callers pass times in.
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
//!
//! Writing a packet, numbered by its stream:
//!
//! ```
//! use std::time::Instant;
//! use sansrtc_rtp::{RtpHeader, RtpWriter, SendStream};
//!
//! let capture = Instant::now(); // in a real stack: the caller's clock
//! // SSRC, 48 kHz clock, random initial sequence number and timestamp offset.
//! let mut stream = SendStream::new(0xdead_beef, 48_000, 0x1234, 0x0bad_f00d);
//! let opus = [0xf8, 0xff, 0xfe];
//! let next = stream.next(960, capture, opus.len());
//!
//! let mut buf = Vec::new();
//! RtpWriter {
//!     payload_type: 111,
//!     sequence_number: next.sequence_number,
//!     timestamp: next.timestamp,
//!     ssrc: stream.ssrc(),
//!     extensions: &[(1, &[0x2a])], // audio level, one-byte form
//!     payload: &opus,
//!     ..RtpWriter::default()
//! }
//! .write(&mut buf)?;
//!
//! let h = RtpHeader::parse(&buf).unwrap();
//! assert_eq!((h.sequence_number(), h.timestamp()), (0x1234, 0x0bad_f00d + 960));
//! assert_eq!(h.extension_profile(), Some(0xbede));
//! assert_eq!(h.payload(), &opus);
//! assert_eq!((stream.packet_count(), stream.octet_count()), (1, 3));
//! # Ok::<(), sansrtc_rtp::RtpWriteError>(())
//! ```
//!
//! **The `snapshot` feature** (off by default): the depayloaders are
//! `Clone`, and [`codec::Payloader`] and [`codec::Depayloader`] gain a
//! `clone_box` method (so that boxed ones clone), for fuzz harnesses that
//! clone a whole peer connection. Never clone a live connection: two copies
//! that both send would reuse nonces and sequence numbers under the same
//! keys.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod codec;
mod demux;
mod error;
mod nack_generator;
mod ntp;
mod receive_stats;
pub mod rtcp;
mod rtcp_header;
mod rtp_header;
mod rtp_writer;
mod rtx;
mod send_history;
mod send_stream;
mod twcc;

pub use demux::{classify, is_rtcp_packet_type, PacketKind};
pub use error::RtpError;
pub use nack_generator::{
    NackConfig, NackGenerator, NackPacketStatus, NackStats, DEFAULT_RTT, MAX_NACK_PAIRS,
};
pub use ntp::NtpTime;
pub use receive_stats::{
    round_trip_time, PacketStatus, ReceiveStats, MAX_DROPOUT, MAX_MISORDER, MIN_SEQUENTIAL,
};
pub use rtcp_header::{rtcp_packets, RtcpHeader};
pub use rtp_header::{Extension, Extensions, RtpHeader};
pub use rtp_writer::{ExtensionForm, RtpWriteError, RtpWriter, MAX_CSRCS};
pub use rtx::{
    original_from_rtx, write_rtx, RecoveredPacket, ResendLimiter, RtxError, RtxPacket, RtxSender,
    MAX_LIMITER_CAPACITY,
};
pub use send_history::{
    HistoryEntry, SendHistory, SendHistoryConfig, SendHistoryStats, MAX_HISTORY_CAPACITY,
};
pub use send_stream::{NextPacket, SendStream};
pub use twcc::{
    set_transport_sequence, transport_sequence, TransportSequencer, TwccPacketResult,
    TwccPacketStatus, TwccRecorder, TwccRecorderConfig, TwccRecorderStats, TwccSentPacket,
    MAX_LATE_ARRIVAL_DEPTH, MAX_SEND_RECORDS, TRANSPORT_CC_URI,
};

/// The slot of the extended sequence number `ext` in a ring of `capacity`
/// (at least 1) slots: `ext % capacity`, a mask when the capacity is a
/// power of two (the defaults are), as the 64-bit division costs more
/// than the rest of a lookup.
#[inline]
pub(crate) fn ring_index(ext: u64, capacity: usize) -> usize {
    let capacity = capacity as u64;
    if capacity.is_power_of_two() {
        (ext & (capacity - 1)) as usize
    } else {
        (ext % capacity) as usize
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ring_index_is_the_remainder() {
        for capacity in [1usize, 2, 3, 1000, 1024, 4096, 32768, 5000] {
            for ext in [
                0u64,
                1,
                999,
                1023,
                1024,
                1 << 32,
                (1 << 32) + 12345,
                u64::MAX,
            ] {
                assert_eq!(
                    super::ring_index(ext, capacity),
                    (ext % capacity as u64) as usize
                );
            }
        }
    }
}
