//! RTP congestion control feedback, RTPFB (205) FMT 11 (RFC 8888 §3.1).

use super::common::{be16, be32, begin, expect, finish, need, payload, PT_RTPFB};
use crate::{RtcpHeader, RtpError};

/// An RFC 8888 feedback packet: per RTP stream, the fate of a range of
/// packets, and the time the report was made.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CongestionControlFeedback {
    /// SSRC of the packet's sender.
    pub sender_ssrc: u32,
    /// One block per reported RTP stream.
    pub streams: Vec<CcfbStream>,
    /// Report timestamp: the middle 32 bits of the NTP time the report
    /// was made (RFC 8888 §3.1).
    pub report_timestamp: u32,
}

/// The reports on one RTP stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CcfbStream {
    /// SSRC of the stream.
    pub ssrc: u32,
    /// Sequence number of the first report.
    pub begin_sequence: u16,
    /// One report per packet from `begin_sequence` on (at most 16384 are
    /// written, RFC 8888 §3.1).
    pub reports: Vec<CcfbReport>,
}

/// The report on one packet: R, ECN and arrival time offset. For a packet
/// not received the other fields are 0 (they are ignored when read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct CcfbReport {
    /// R: the packet was received.
    pub received: bool,
    /// The packet's two ECN bits (0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE).
    pub ecn: u8,
    /// Arrival time offset: how long before the report timestamp the
    /// packet arrived, in 1/1024 s (13 bits; 0x1FFE over range, 0x1FFF
    /// unavailable or after the report timestamp).
    pub arrival_time_offset: u16,
}

/// The FMT of RFC 8888 feedback.
pub(crate) const FMT_CCFB: u8 = 11;
/// The most reports a stream block may hold (RFC 8888 §3.1).
const MAX_REPORTS: usize = 16384;

impl CcfbReport {
    fn from_raw(raw: u16) -> Self {
        if raw & 0x8000 == 0 {
            return CcfbReport::default();
        }
        CcfbReport {
            received: true,
            ecn: (raw >> 13) as u8 & 3,
            arrival_time_offset: raw & 0x1fff,
        }
    }

    fn to_raw(self) -> u16 {
        if !self.received {
            return 0;
        }
        0x8000 | u16::from(self.ecn & 3) << 13 | (self.arrival_time_offset & 0x1fff)
    }
}

impl CongestionControlFeedback {
    /// Reads an RFC 8888 packet: stream blocks up to the last 4 bytes (the
    /// report timestamp). A block whose report count runs past the packet
    /// is an error, as is one over 16384; the 16-bit padding after an odd count may be missing
    /// only at the very end.
    pub fn parse(h: &RtcpHeader<'_>) -> Result<Self, RtpError> {
        expect(h, PT_RTPFB, Some(FMT_CCFB))?;
        let body = payload(h)?;
        need(PT_RTPFB, body, 8)?;
        let end = body.len() - 4;
        let mut pos = 4;
        let mut streams = Vec::new();
        while pos < end {
            if pos + 8 > end {
                return Err(RtpError::RtcpMalformed {
                    packet_type: PT_RTPFB,
                    reason: "partial report block",
                });
            }
            let n = usize::from(be16(body, pos + 6));
            if n > MAX_REPORTS {
                return Err(RtpError::RtcpMalformed {
                    packet_type: PT_RTPFB,
                    reason: "num_reports over 16384",
                });
            }
            let reports_end = pos + 8 + 2 * n;
            if reports_end > end {
                return Err(RtpError::RtcpCountOverrun {
                    packet_type: PT_RTPFB,
                    what: "num_reports",
                });
            }
            let reports = (pos + 8..reports_end)
                .step_by(2)
                .map(|i| CcfbReport::from_raw(be16(body, i)))
                .collect();
            streams.push(CcfbStream {
                ssrc: be32(body, pos),
                begin_sequence: be16(body, pos + 4),
                reports,
            });
            pos = reports_end.next_multiple_of(4).min(end);
        }
        Ok(CongestionControlFeedback {
            sender_ssrc: be32(body, 0),
            streams,
            report_timestamp: be32(body, end),
        })
    }

    /// Appends the packet, each block's reports padded to 32 bits.
    pub fn write(&self, out: &mut Vec<u8>) {
        let start = begin(out, FMT_CCFB, PT_RTPFB);
        out.extend_from_slice(&self.sender_ssrc.to_be_bytes());
        for s in &self.streams {
            let reports = &s.reports[..s.reports.len().min(MAX_REPORTS)];
            out.extend_from_slice(&s.ssrc.to_be_bytes());
            out.extend_from_slice(&s.begin_sequence.to_be_bytes());
            out.extend_from_slice(&(reports.len() as u16).to_be_bytes());
            for r in reports {
                out.extend_from_slice(&r.to_raw().to_be_bytes());
            }
            if reports.len() % 2 == 1 {
                out.extend_from_slice(&[0, 0]);
            }
        }
        out.extend_from_slice(&self.report_timestamp.to_be_bytes());
        finish(out, start);
    }
}
