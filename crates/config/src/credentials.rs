//! TURN username and credential checks: RFC 8489 §14.3 (username fewer than
//! 509 bytes, OpaqueString) and RFC 8265 §4.1–4.2 (password non-empty,
//! OpaqueString).
//!
//! The OpaqueString profile is the PRECIS FreeformClass (RFC 8264 §4.3). This
//! check rejects the code points FreeformClass disallows that can be decided
//! without the Unicode character database: controls (Cc), default-ignorable
//! code points, noncharacters, private use and surrogates (impossible in a
//! Rust `str`). Unassigned code points are not detected (no UCD tables).

/// RFC 8489 §14.3: the USERNAME is "fewer than 509 bytes".
pub const MAX_TURN_USERNAME_BYTES: usize = 508;

/// Whether `s` passes the OpaqueString checks this crate implements.
pub fn is_opaque_string(s: &str) -> bool {
    s.chars().all(|c| !is_disallowed(c))
}

fn is_disallowed(c: char) -> bool {
    let cp = u32::from(c);
    is_control(cp) || is_default_ignorable(cp) || is_noncharacter(cp) || is_private_use(cp)
}

fn is_control(cp: u32) -> bool {
    cp <= 0x1F || (0x7F..=0x9F).contains(&cp)
}

/// DefaultIgnorableCodePoint (RFC 8264 §9.13, Unicode DerivedCoreProperties).
fn is_default_ignorable(cp: u32) -> bool {
    const RANGES: &[(u32, u32)] = &[
        (0x00AD, 0x00AD),
        (0x034F, 0x034F),
        (0x061C, 0x061C),
        (0x115F, 0x1160),
        (0x17B4, 0x17B5),
        (0x180B, 0x180F),
        (0x200B, 0x200F),
        (0x202A, 0x202E),
        (0x2060, 0x206F),
        (0x3164, 0x3164),
        (0xFE00, 0xFE0F),
        (0xFEFF, 0xFEFF),
        (0xFFA0, 0xFFA0),
        (0xFFF0, 0xFFF8),
        (0x1BCA0, 0x1BCA3),
        (0x1D173, 0x1D17A),
        (0xE0000, 0xE0FFF),
    ];
    RANGES.iter().any(|&(lo, hi)| (lo..=hi).contains(&cp))
}

fn is_noncharacter(cp: u32) -> bool {
    (0xFDD0..=0xFDEF).contains(&cp) || (cp & 0xFFFE) == 0xFFFE
}

fn is_private_use(cp: u32) -> bool {
    (0xE000..=0xF8FF).contains(&cp) || (0xF0000..=0x10FFFD).contains(&cp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_text() {
        for s in ["", "user", "TheMatrIX", "マトリックス", "pass word!", "é€𝄞"] {
            assert!(is_opaque_string(s), "{s:?}");
        }
    }

    #[test]
    fn rejects_disallowed_code_points() {
        for s in [
            "a\u{0}",
            "pa\u{7}ss",
            "\u{7f}",
            "\u{85}",
            "a\u{200b}b",
            "\u{feff}",
            "\u{fdd0}",
            "\u{fffe}",
            "\u{1ffff}",
            "\u{e000}",
            "\u{10fffd}",
            "\u{e0001}",
        ] {
            assert!(!is_opaque_string(s), "{s:?}");
        }
    }
}
