//! Bounds on what the parsers accept, so hostile input costs bounded memory
//! and time. Every limit is far above what a real peer writes.

/// Largest whole session description accepted, in bytes.
pub const MAX_SDP_LEN: usize = 1024 * 1024;
/// Longest line accepted, in bytes (without its line ending).
pub const MAX_LINE_LEN: usize = 8 * 1024;
/// Most media sections (`m=` lines) accepted in one description.
pub const MAX_MEDIA_SECTIONS: usize = 512;
/// Most lines accepted in the session part or in one media section.
pub const MAX_LINES_PER_SECTION: usize = 4096;
/// Most lines accepted in a whole description.
pub const MAX_TOTAL_LINES: usize = 32 * 1024;
/// Most payload types (formats) on one `m=` line.
pub const MAX_FORMATS: usize = 256;
/// Longest ICE candidate attribute accepted, in bytes.
pub const MAX_CANDIDATE_LEN: usize = 1024;
/// Most unknown extension pairs kept on one candidate.
pub const MAX_CANDIDATE_EXTENSIONS: usize = 32;
