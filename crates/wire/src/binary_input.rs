//! Parsing binary payloads that a person types, as hex or base64, with the exact place of any
//! mistake so the composer can say what is wrong and keep the text as typed.

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::diagnostic::{Diagnostic, Location};

/// How the composer's text turns into a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PayloadEncoding {
    /// Sent as a text message, exactly as typed.
    Text,
    /// Hex digits, sent as a binary message.
    Hex,
    /// Base64 (standard or URL-safe, padding optional), sent as a binary message.
    Base64,
}

impl PayloadEncoding {
    pub const ALL: [PayloadEncoding; 3] = [PayloadEncoding::Text, PayloadEncoding::Hex, PayloadEncoding::Base64];

    pub fn label(self) -> &'static str {
        match self {
            PayloadEncoding::Text => "Text",
            PayloadEncoding::Hex => "Binary (hex)",
            PayloadEncoding::Base64 => "Binary (base64)",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            PayloadEncoding::Text => "text",
            PayloadEncoding::Hex => "hex",
            PayloadEncoding::Base64 => "base64",
        }
    }

    pub fn from_key(key: &str) -> Option<PayloadEncoding> {
        PayloadEncoding::ALL.into_iter().find(|encoding| encoding.key() == key)
    }
}

/// A mistake in typed binary input, and where it is in the typed text.
pub type InputError = Diagnostic;

/// Parses hex the way people paste it: `deadbeef`, `de ad be ef`, `0xde, 0xad`, `de:ad:be:ef`,
/// `\xde\xad`, over several lines. Separators are whitespace, `,`, `:`, `-` and `;`; each group
/// may start with `0x` or `\x` and must hold an even number of digits.
pub fn parse_hex(input: &str) -> Result<Vec<u8>, InputError> {
    let chars: Vec<char> = input.chars().collect();
    let error = |message: String, index: usize| Diagnostic::at_char(input, index, message);
    let mut bytes = Vec::with_capacity(input.len() / 2);
    let mut index = 0;
    while index < chars.len() {
        let ch = chars[index];
        if ch.is_whitespace() || matches!(ch, ',' | ':' | '-' | ';') {
            index += 1;
            continue;
        }
        // A group: optional prefix, then hex digits up to the next separator.
        let group_start = index;
        if (ch == '0' && matches!(chars.get(index + 1), Some('x' | 'X')))
            || (ch == '\\' && matches!(chars.get(index + 1), Some('x' | 'X')))
        {
            index += 2;
        }
        let digits_start = index;
        while index < chars.len() {
            let ch = chars[index];
            if ch.is_whitespace() || matches!(ch, ',' | ':' | '-' | ';') {
                break;
            }
            if ch == '\\' && matches!(chars.get(index + 1), Some('x' | 'X')) {
                break; // `\xde\xad` has no separators between its groups
            }
            if !ch.is_ascii_hexdigit() {
                return Err(error(format!("'{ch}' is not a hex digit"), index));
            }
            index += 1;
        }
        let digits = &chars[digits_start..index];
        if digits.is_empty() {
            return Err(error("a 0x prefix with no digits after it".to_string(), group_start));
        }
        if digits.len() % 2 == 1 {
            return Err(error(
                format!("odd number of hex digits ({}) in this group: each byte needs two", digits.len()),
                digits_start,
            ));
        }
        for pair in digits.chunks(2) {
            let high = pair[0].to_digit(16).unwrap_or(0);
            let low = pair[1].to_digit(16).unwrap_or(0);
            bytes.push((high * 16 + low) as u8);
        }
    }
    Ok(bytes)
}

/// Parses base64, standard (`+/`) or URL-safe (`-_`) alphabet, with or without `=` padding;
/// whitespace and line breaks are ignored.
pub fn parse_base64(input: &str) -> Result<Vec<u8>, InputError> {
    // Keep, for each significant character, its index in the typed text, to report positions.
    let mut significant = String::with_capacity(input.len());
    let mut original_index = Vec::with_capacity(input.len());
    for (char_index, ch) in input.chars().enumerate() {
        if !ch.is_whitespace() {
            significant.push(ch);
            original_index.push(char_index);
        }
    }
    let url_safe = significant.contains(['-', '_']);
    if url_safe && significant.contains(['+', '/']) {
        let index = significant.find(['+', '/']).unwrap_or(0);
        return Err(Diagnostic::at_char(
            input,
            original_index.get(significant[..index].chars().count()).copied().unwrap_or(0),
            "mixes the standard (+/) and URL-safe (-_) base64 alphabets",
        ));
    }
    let config = GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let engine = if url_safe {
        GeneralPurpose::new(&alphabet::URL_SAFE, config)
    } else {
        GeneralPurpose::new(&alphabet::STANDARD, config)
    };
    // base64 reports byte indexes into `significant`; map them to characters of the input.
    let at = |byte_index: usize| {
        let significant_index = significant.get(..byte_index).map_or(original_index.len(), |head| head.chars().count());
        let char_index = original_index.get(significant_index).copied().unwrap_or_else(|| input.chars().count());
        Location::at_char(input, char_index)
    };
    engine.decode(significant.as_bytes()).map_err(|error| match error {
        base64::DecodeError::InvalidByte(index, byte) => Diagnostic::at(
            at(index),
            if byte == b'=' {
                "padding '=' in the middle of the data".to_string()
            } else {
                format!("'{}' is not a base64 character", char_at(&significant, index))
            },
        ),
        base64::DecodeError::InvalidLength(_) => Diagnostic::at(
            at(significant.len()),
            format!(
                "{} base64 characters cannot encode whole bytes (one character too many or too few)",
                significant.trim_end_matches('=').chars().count()
            ),
        ),
        base64::DecodeError::InvalidLastSymbol(index, _) => {
            Diagnostic::at(at(index), "the last character has bits set that no byte uses (is the data cut short?)")
        }
        base64::DecodeError::InvalidPadding => {
            Diagnostic::at(at(significant.find('=').unwrap_or(significant.len())), "wrong amount of '=' padding")
        }
    })
}

/// Turns the composer's text into the bytes of a binary message, or `None` for a text message.
pub fn parse_binary(encoding: PayloadEncoding, input: &str) -> Result<Option<Vec<u8>>, InputError> {
    match encoding {
        PayloadEncoding::Text => Ok(None),
        PayloadEncoding::Hex => parse_hex(input).map(Some),
        PayloadEncoding::Base64 => parse_base64(input).map(Some),
    }
}

/// Whether typed bytes are more likely hex than base64: every character a hex digit or a hex
/// separator (`0x`/`\x` prefixes allowed), or several short groups (`08 96 0g` is hex with a typo,
/// not base64; base64 comes in long runs).
pub fn looks_like_hex(input: &str) -> bool {
    let separators = |c: char| c.is_whitespace() || matches!(c, ',' | ':' | '-' | ';');
    let groups: Vec<&str> = input.split(separators).filter(|group| !group.is_empty()).collect();
    let strip = |group: &str| -> String { group.replace("0x", "").replace("0X", "").replace("\\x", "") };
    let all_hex = groups.iter().all(|group| strip(group).chars().all(|c| c.is_ascii_hexdigit()));
    let short_groups = groups.len() >= 2 && groups.iter().all(|group| strip(group).len() <= 4);
    !groups.is_empty() && (all_hex || short_groups)
}

/// Typed bytes as hex or base64, whichever [`looks_like_hex`] says, and which it was.
pub fn parse_hex_or_base64(input: &str) -> Result<(Vec<u8>, PayloadEncoding), InputError> {
    if looks_like_hex(input) {
        parse_hex(input).map(|bytes| (bytes, PayloadEncoding::Hex))
    } else {
        parse_base64(input).map(|bytes| (bytes, PayloadEncoding::Base64))
    }
}

/// The bytes as standard base64 with padding.
pub fn to_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn char_at(text: &str, byte_index: usize) -> char {
    text.get(byte_index..).and_then(|rest| rest.chars().next()).unwrap_or('?')
}
