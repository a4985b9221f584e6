//! RTCP packets (RFC 3550 §6, RFC 4585, RFC 5104, RFC 5506, REMB,
//! transport-wide congestion control feedback, RFC 8888): parsed and built.

mod report_block;

pub use report_block::ReportBlock;
