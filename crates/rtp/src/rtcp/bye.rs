//! Goodbye, packet type 203 (RFC 3550 §6.6).

use super::common::{be32, begin, expect, finish, payload, MAX_COUNT, PT_BYE};
use crate::{RtcpHeader, RtpError};

/// A BYE packet: the sources leaving and an optional reason.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Goodbye {
    /// The SSRC/CSRCs leaving.
    pub sources: Vec<u32>,
    /// The reason for leaving (up to 255 bytes of text, UTF-8 expected but
    /// not checked); `Some` of an empty text when the packet has a reason
    /// field of length 0.
    pub reason: Option<Vec<u8>>,
}

impl Goodbye {
    /// Reads a BYE packet. Bytes after the SC sources start the reason
    /// (a length octet and text); a reason running past the packet is an
    /// error, and the null padding after it is ignored.
    pub fn parse(h: &RtcpHeader<'_>) -> Result<Self, RtpError> {
        expect(h, PT_BYE, None)?;
        let body = payload(h)?;
        let n = usize::from(h.count()) * 4;
        if n > body.len() {
            return Err(RtpError::RtcpCountOverrun {
                packet_type: PT_BYE,
                what: "source count",
            });
        }
        let sources = (0..n).step_by(4).map(|i| be32(body, i)).collect();
        let reason = match body.get(n) {
            None => None,
            Some(&len) => Some(
                body.get(n + 1..n + 1 + usize::from(len))
                    .ok_or(RtpError::RtcpCountOverrun {
                        packet_type: PT_BYE,
                        what: "reason length",
                    })?
                    .to_vec(),
            ),
        };
        Ok(Goodbye { sources, reason })
    }

    /// Appends the packet, the reason null-padded to a 32-bit boundary
    /// (cut to 255 bytes). More than 31 sources go into further BYE
    /// packets; the reason goes into the last.
    pub fn write(&self, out: &mut Vec<u8>) {
        let groups: Vec<&[u32]> = if self.sources.is_empty() {
            vec![&[]]
        } else {
            self.sources.chunks(MAX_COUNT).collect()
        };
        let last = groups.len() - 1;
        for (i, group) in groups.into_iter().enumerate() {
            let start = begin(out, group.len() as u8, PT_BYE);
            for s in group {
                out.extend_from_slice(&s.to_be_bytes());
            }
            if let (Some(reason), true) = (&self.reason, i == last) {
                let text = &reason[..reason.len().min(255)];
                out.push(text.len() as u8);
                out.extend_from_slice(text);
                while (out.len() - start) % 4 != 0 {
                    out.push(0);
                }
            }
            finish(out, start);
        }
    }
}
