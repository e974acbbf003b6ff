//! JSON Web Tokens (RFC 7519, in RFC 7515's compact form) taken apart: the header, the claims
//! and the signature, each problem named with the part it is in; and HS256 signed and verified.
//! Only HS256 is checked: `alg: none` and every other algorithm are refused with the reason, as
//! a careful server refuses them.

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::hashing::{self, HashAlgorithm};

/// base64url with no padding, as JWTs write every part.
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_encode_padding(false).with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

const PART_NAMES: [&str; 3] = ["header", "claims", "signature"];

/// A token taken apart.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedJwt {
    /// The JOSE header: `{"alg":"HS256","typ":"JWT"}`.
    pub header: Value,
    /// The claims set: `{"sub":"1234567890","iat":1516239022}`.
    pub claims: Value,
    /// The signature bytes (empty for an unsigned token).
    pub signature: Vec<u8>,
    /// What the signature covers: the first two parts as written, joined by `.`.
    pub signing_input: String,
    /// The three parts as written in the token.
    pub parts: [String; 3],
}

impl DecodedJwt {
    /// The header's `alg`, when it is a string.
    pub fn algorithm(&self) -> Option<&str> {
        self.header.get("alg").and_then(Value::as_str)
    }
}

/// Takes `token` apart. Errors name the part (header, claims or signature) and the place in the
/// token.
pub fn decode(token: &str) -> Result<DecodedJwt, Diagnostic> {
    let pieces: Vec<&str> = token.split('.').collect();
    if pieces.len() != 3 {
        return Err(Diagnostic::in_text(
            token,
            if pieces.len() > 3 {
                pieces[..3].iter().map(|piece| piece.len() + 1).sum::<usize>() - 1
            } else {
                token.len()
            },
            format!("a JWT has three parts separated by '.' (header.claims.signature); this has {}", pieces.len()),
        ));
    }
    let mut starts = [0usize; 3];
    for index in 1..3 {
        starts[index] = starts[index - 1] + pieces[index - 1].len() + 1;
    }
    let bytes = |index: usize| part_bytes(token, starts[index], pieces[index], PART_NAMES[index]);
    let header = part_json(token, starts[0], &bytes(0)?, "header")?;
    let claims = part_json(token, starts[1], &bytes(1)?, "claims")?;
    let signature = bytes(2)?;
    if header.get("alg").and_then(Value::as_str).is_none() {
        return Err(Diagnostic::in_text(token, 0, "the header has no \"alg\" (the signing algorithm) string"));
    }
    Ok(DecodedJwt {
        header,
        claims,
        signature,
        signing_input: format!("{}.{}", pieces[0], pieces[1]),
        parts: [pieces[0].to_string(), pieces[1].to_string(), pieces[2].to_string()],
    })
}

fn part_bytes(token: &str, start: usize, part: &str, name: &str) -> Result<Vec<u8>, Diagnostic> {
    BASE64URL.decode(part).map_err(|error| {
        let (at, message) = match error {
            base64::DecodeError::InvalidByte(index, b'=') | base64::DecodeError::InvalidLastSymbol(index, b'=') => {
                (index, format!("the {name} ends in '=' padding, which JWTs leave out"))
            }
            base64::DecodeError::InvalidByte(index, byte @ (b'+' | b'/')) => {
                (index, format!("the {name} has {:?}, standard base64; JWTs use base64url ('-' and '_')", byte as char))
            }
            base64::DecodeError::InvalidByte(index, _) => {
                let character = part[index..].chars().next().unwrap_or(' ');
                (index, format!("the {name} has {character:?}, which is not base64url"))
            }
            base64::DecodeError::InvalidLastSymbol(index, _) => {
                (index, format!("the {name}'s last character has bits set past the end of the data"))
            }
            base64::DecodeError::InvalidLength(_) => {
                (part.len(), format!("the {name} is one character too long or short to be base64url"))
            }
            base64::DecodeError::InvalidPadding => {
                (part.len(), format!("the {name} ends in '=' padding, which JWTs leave out"))
            }
        };
        Diagnostic::in_text(token, start + at, message)
    })
}

fn part_json(token: &str, start: usize, bytes: &[u8], name: &str) -> Result<Value, Diagnostic> {
    let value: Value = serde_json::from_slice(bytes).map_err(|error| {
        Diagnostic::in_text(
            token,
            start,
            format!("the {name} is not JSON once decoded: {}", crate::text_position::json_error_message(&error)),
        )
    })?;
    if !value.is_object() {
        return Err(Diagnostic::in_text(token, start, format!("the {name} must be a JSON object, not {value}")));
    }
    Ok(value)
}

/// A token with `header_json` and `claims_json` exactly as written (their bytes are what is
/// signed), signed with HMAC-SHA-256 under `key`. The header must say `"alg": "HS256"`.
pub fn sign_hs256(header_json: &str, claims_json: &str, key: &[u8]) -> Result<String, Diagnostic> {
    let header = json_object(header_json, "header")?;
    json_object(claims_json, "claims")?;
    match header.get("alg").and_then(Value::as_str) {
        Some("HS256") => {}
        Some(other) => {
            return Err(Diagnostic::new(format!("the header says \"alg\": {other:?}; only HS256 is signed here")));
        }
        None => return Err(Diagnostic::new("the header needs \"alg\": \"HS256\"")),
    }
    let signing_input = format!("{}.{}", BASE64URL.encode(header_json), BASE64URL.encode(claims_json));
    let signature = hashing::hmac(HashAlgorithm::Sha256, key, signing_input.as_bytes());
    Ok(format!("{signing_input}.{}", BASE64URL.encode(signature)))
}

fn json_object(text: &str, name: &str) -> Result<Value, Diagnostic> {
    let value: Value = serde_json::from_str(text).map_err(|error| {
        let position = crate::text_position::TextPosition::of_json_error(text, &error);
        Diagnostic::at(
            crate::diagnostic::Location::at_position(text, position),
            format!("the {name} is not JSON: {}", crate::text_position::json_error_message(&error)),
        )
    })?;
    if !value.is_object() {
        return Err(Diagnostic::in_text(text, 0, format!("the {name} must be a JSON object")));
    }
    Ok(value)
}

/// Whether `token`'s HS256 signature is right for `key` (compared in constant time). An
/// unreadable token, `alg: none` or any other algorithm is an error that says why.
pub fn verify_hs256(token: &str, key: &[u8]) -> Result<bool, Diagnostic> {
    let decoded = decode(token)?;
    match decoded.algorithm() {
        Some("HS256") => {}
        Some(none) if none.eq_ignore_ascii_case("none") => {
            return Err(Diagnostic::new(
                "the header says \"alg\": \"none\": the token is unsigned, and accepting it would let anyone forge one",
            ));
        }
        Some(other) => {
            return Err(Diagnostic::new(format!(
                "the header says \"alg\": {other:?}; only HS256 is verified here (never let the token choose the algorithm)"
            )));
        }
        None => return Err(Diagnostic::new("the header has no \"alg\"")),
    }
    Ok(hashing::verify_hmac(HashAlgorithm::Sha256, key, decoded.signing_input.as_bytes(), &decoded.signature))
}
