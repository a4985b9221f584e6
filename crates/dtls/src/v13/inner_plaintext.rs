//! DTLSInnerPlaintext (RFC 9147 §4, RFC 8446 §5.2, §5.4): the content,
//! the true content type, then zero padding.

use super::error::Dtls13Error;
use super::record_header::MAX_PLAINTEXT_LEN;

/// Appends `content ‖ content_type ‖ zeros[padding]`. Fails when the
/// content or the whole inner plaintext exceeds its limit (2^14 and
/// 2^14 + 1 bytes), or for content type 0 (which would read as padding).
pub(crate) fn encode_inner_plaintext(
    content: &[u8],
    content_type: u8,
    padding: usize,
    out: &mut Vec<u8>,
) -> Result<(), Dtls13Error> {
    check_inner_plaintext(content.len(), content_type, padding)?;
    out.reserve(content.len() + 1 + padding);
    out.extend_from_slice(content);
    append_type_and_padding(content_type, padding, out);
    Ok(())
}

/// [`encode_inner_plaintext`] for content already at the end of `out`
/// (`content_len` bytes of it): appends `content_type ‖ zeros[padding]`,
/// with the same checks.
pub(crate) fn finish_inner_plaintext(
    content_len: usize,
    content_type: u8,
    padding: usize,
    out: &mut Vec<u8>,
) -> Result<(), Dtls13Error> {
    check_inner_plaintext(content_len, content_type, padding)?;
    append_type_and_padding(content_type, padding, out);
    Ok(())
}

fn check_inner_plaintext(
    content_len: usize,
    content_type: u8,
    padding: usize,
) -> Result<(), Dtls13Error> {
    if content_type == 0 {
        return Err(Dtls13Error::Decode("inner content type 0"));
    }
    if content_len > MAX_PLAINTEXT_LEN || content_len + 1 + padding > MAX_PLAINTEXT_LEN + 1 {
        return Err(Dtls13Error::TooLarge("DTLSInnerPlaintext"));
    }
    Ok(())
}

fn append_type_and_padding(content_type: u8, padding: usize, out: &mut Vec<u8>) {
    out.push(content_type);
    out.resize(out.len() + padding, 0);
}

/// Splits a decrypted DTLSInnerPlaintext into its content type and
/// content: the last nonzero byte is the type, the zeros after it padding.
/// All zeros (no type) and an oversized plaintext are errors
/// (unexpected_message / record_overflow in RFC 8446 §5.4, §5.2).
pub(crate) fn decode_inner_plaintext(plaintext: &[u8]) -> Result<(u8, &[u8]), Dtls13Error> {
    if plaintext.len() > MAX_PLAINTEXT_LEN + 1 {
        return Err(Dtls13Error::TooLarge("DTLSInnerPlaintext"));
    }
    let type_at = plaintext
        .iter()
        .rposition(|&b| b != 0)
        .ok_or(Dtls13Error::Decode(
            "DTLSInnerPlaintext without a content type",
        ))?;
    Ok((plaintext[type_at], &plaintext[..type_at]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_and_without_padding() {
        for padding in [0usize, 1, 7, 100] {
            for content in [&b""[..], b"x", b"\0\0ends in zeros\0", &[0xffu8; 300]] {
                let mut inner = Vec::new();
                encode_inner_plaintext(content, 23, padding, &mut inner).unwrap();
                assert_eq!(inner.len(), content.len() + 1 + padding);
                assert_eq!(decode_inner_plaintext(&inner).unwrap(), (23, content));
            }
        }
    }

    #[test]
    fn rejects_all_zero_oversized_and_type_zero() {
        assert!(decode_inner_plaintext(&[]).is_err());
        assert!(decode_inner_plaintext(&[0; 50]).is_err());
        assert!(decode_inner_plaintext(&[0; MAX_PLAINTEXT_LEN + 2]).is_err());
        let mut max = vec![0u8; MAX_PLAINTEXT_LEN];
        max.push(22);
        assert_eq!(decode_inner_plaintext(&max).unwrap().0, 22);
        assert!(encode_inner_plaintext(b"a", 0, 0, &mut Vec::new()).is_err());
        assert!(
            encode_inner_plaintext(&[1; MAX_PLAINTEXT_LEN + 1], 23, 0, &mut Vec::new()).is_err()
        );
        assert!(encode_inner_plaintext(&[1; 10], 23, MAX_PLAINTEXT_LEN, &mut Vec::new()).is_err());
        assert!(encode_inner_plaintext(&[1; MAX_PLAINTEXT_LEN], 23, 0, &mut Vec::new()).is_ok());
    }
}
