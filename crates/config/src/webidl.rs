//! The WebIDL conversions a browser applies to the JavaScript values of an
//! `RTCConfiguration`, applied here to JSON values: ECMAScript `ToString`,
//! `ToNumber`, and `[EnforceRange] octet`.

use serde_json::{Number, Value};

use crate::error::ConfigError;

/// ECMAScript `ToString` of a JSON value (`null` → `"null"`, arrays joined
/// with `,`, objects → `"[object Object]"`).
pub fn to_js_string(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number_to_js_string(n),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Null => String::new(),
                other => to_js_string(other),
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".to_owned(),
    }
}

/// ECMAScript `Number::toString` for the numbers JSON can hold.
fn number_to_js_string(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    let magnitude = f.abs();
    if f == 0.0 {
        "0".to_owned()
    } else if !(1e-6..1e21).contains(&magnitude) {
        // JS writes exponents with an explicit sign: 1e+21, 1e-7.
        let text = format!("{f:e}");
        match text.split_once('e') {
            Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}e+{exp}"),
            _ => text,
        }
    } else {
        format!("{f}")
    }
}

/// ECMAScript `ToNumber` of a JSON value.
pub fn to_number(value: &Value) -> f64 {
    match value {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) => string_to_number(s),
        Value::Array(_) => string_to_number(&to_js_string(value)),
        Value::Object(_) => f64::NAN,
    }
}

fn is_js_whitespace(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// ECMAScript `StringToNumber` (StringNumericLiteral).
fn string_to_number(s: &str) -> f64 {
    let s = s.trim_matches(is_js_whitespace);
    if s.is_empty() {
        return 0.0;
    }
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(digits) = s.strip_prefix(prefix) {
            if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
                return f64::NAN;
            }
            return digits
                .chars()
                .filter_map(|c| c.to_digit(radix))
                .fold(0.0, |acc, d| acc * f64::from(radix) + f64::from(d));
        }
    }
    let (sign, unsigned) = match s.as_bytes().first() {
        Some(b'-') => (-1.0, &s[1..]),
        Some(b'+') => (1.0, &s[1..]),
        _ => (1.0, s),
    };
    if unsigned == "Infinity" {
        return sign * f64::INFINITY;
    }
    // StrUnsignedDecimalLiteral: digits, '.', exponent; Rust's parser would
    // also take "inf"/"nan", which JS does not, so vet the characters first.
    let decimal_chars = unsigned
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    let starts_right = unsigned
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == '.');
    if !decimal_chars || !starts_right {
        return f64::NAN;
    }
    unsigned.parse::<f64>().map_or(f64::NAN, |v| sign * v)
}

/// `[EnforceRange] octet`: ToNumber, reject NaN/±∞, truncate, require 0–255.
pub fn enforce_range_octet(value: &Value) -> Result<u8, ConfigError> {
    let x = to_number(value);
    if !x.is_finite() {
        return Err(ConfigError::PoolSizeNotFinite);
    }
    let truncated = x.trunc();
    if !(0.0..=255.0).contains(&truncated) {
        return Err(ConfigError::PoolSizeOutOfRange { value: truncated });
    }
    // In range and integral, so the cast is exact.
    Ok(truncated as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn to_string_follows_ecmascript() {
        assert_eq!(to_js_string(&json!(null)), "null");
        assert_eq!(to_js_string(&json!(true)), "true");
        assert_eq!(to_js_string(&json!(3478)), "3478");
        assert_eq!(to_js_string(&json!(-2)), "-2");
        assert_eq!(to_js_string(&json!(1.5)), "1.5");
        assert_eq!(to_js_string(&json!(3478.0)), "3478");
        assert_eq!(to_js_string(&json!(1e21)), "1e+21");
        assert_eq!(to_js_string(&json!(1e-7)), "1e-7");
        assert_eq!(to_js_string(&json!(["a", null, 1])), "a,,1");
        assert_eq!(to_js_string(&json!({"a": 1})), "[object Object]");
    }

    #[test]
    fn to_number_follows_ecmascript() {
        let cases: &[(Value, f64)] = &[
            (json!(null), 0.0),
            (json!(true), 1.0),
            (json!(false), 0.0),
            (json!("7"), 7.0),
            (json!("  12 \n"), 12.0),
            (json!(""), 0.0),
            (json!("0x1F"), 31.0),
            (json!("0b101"), 5.0),
            (json!("0o17"), 15.0),
            (json!("1e2"), 100.0),
            (json!(".5"), 0.5),
            (json!("-Infinity"), f64::NEG_INFINITY),
            (json!([]), 0.0),
            (json!(["4"]), 4.0),
        ];
        for (v, want) in cases {
            assert_eq!(to_number(v), *want, "{v}");
        }
        for v in [
            json!("abc"),
            json!("inf"),
            json!("NaN"),
            json!("-0x10"),
            json!("1e"),
            json!({}),
            json!([1, 2]),
            json!("0x"),
        ] {
            assert!(to_number(&v).is_nan(), "{v}");
        }
    }

    #[test]
    fn enforce_range_octet_truncates_and_bounds() {
        assert_eq!(enforce_range_octet(&json!(1.9)), Ok(1));
        assert_eq!(enforce_range_octet(&json!(-0.5)), Ok(0));
        assert_eq!(enforce_range_octet(&json!(255.9)), Ok(255));
        assert_eq!(enforce_range_octet(&json!("7")), Ok(7));
        assert_eq!(
            enforce_range_octet(&json!("abc")),
            Err(ConfigError::PoolSizeNotFinite)
        );
        assert_eq!(
            enforce_range_octet(&json!("Infinity")),
            Err(ConfigError::PoolSizeNotFinite)
        );
        assert_eq!(
            enforce_range_octet(&json!(256)),
            Err(ConfigError::PoolSizeOutOfRange { value: 256.0 })
        );
        assert_eq!(
            enforce_range_octet(&json!(-1)),
            Err(ConfigError::PoolSizeOutOfRange { value: -1.0 })
        );
    }
}
