//! `getStats()`: the W3C webrtc-stats dictionaries.
