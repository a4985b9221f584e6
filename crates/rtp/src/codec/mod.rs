//! Payloaders and depayloaders: Opus, VP8 (RFC 7741), VP9 (RFC 9628),
//! H.264 (RFC 6184) and AV1, with keyframe detection for each video codec.
