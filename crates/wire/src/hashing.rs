//! Every digest, HMAC and text encoding the Security lab offers, on well-kept crates (md-5, sha1,
//! sha2, hmac, base64, hex, percent-encoding) rather than hand-written code: one place that says
//! which algorithms there are, what they are called and which are broken.

use base64::Engine;
use base64::alphabet;
use base64::engine::{GeneralPurpose, GeneralPurposeConfig};
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use sha2::Digest;

use crate::diagnostic::Diagnostic;

/// A hash function the lab can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlgorithm {
    pub const ALL: [HashAlgorithm; 5] =
        [HashAlgorithm::Md5, HashAlgorithm::Sha1, HashAlgorithm::Sha256, HashAlgorithm::Sha384, HashAlgorithm::Sha512];

    /// `MD5`, `SHA-1`, `SHA-256`, `SHA-384`, `SHA-512`.
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Md5 => "MD5",
            HashAlgorithm::Sha1 => "SHA-1",
            HashAlgorithm::Sha256 => "SHA-256",
            HashAlgorithm::Sha384 => "SHA-384",
            HashAlgorithm::Sha512 => "SHA-512",
        }
    }

    /// The algorithm named `name` (as [`HashAlgorithm::name`] spells it, any case, dash optional).
    pub fn from_name(name: &str) -> Option<HashAlgorithm> {
        let wanted: String = name.chars().filter(|ch| *ch != '-').collect::<String>().to_ascii_uppercase();
        HashAlgorithm::ALL.into_iter().find(|algorithm| algorithm.name().replace('-', "") == wanted)
    }

    /// Bytes of output: 16, 20, 32, 48 or 64.
    pub fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Md5 => 16,
            HashAlgorithm::Sha1 => 20,
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    /// Whether collisions can be made in practice, so the hash must not vouch for content.
    pub fn is_broken(self) -> bool {
        self.weakness().is_some()
    }

    /// Why a broken algorithm is broken, in one sentence; `None` for the SHA-2 family.
    pub fn weakness(self) -> Option<&'static str> {
        match self {
            HashAlgorithm::Md5 => Some(
                "MD5 is broken: collisions take seconds on a laptop (2004 onwards), so two different files \
                 can share one MD5; use it only as a checksum against accidents, never for security.",
            ),
            HashAlgorithm::Sha1 => Some(
                "SHA-1 is broken: a chosen-prefix collision was shown in 2020 (SHAttered in 2017 was the first \
                 collision), so certificates and signatures no longer use it.",
            ),
            HashAlgorithm::Sha256 | HashAlgorithm::Sha384 | HashAlgorithm::Sha512 => None,
        }
    }
}

/// The hash of `data`.
pub fn digest(algorithm: HashAlgorithm, data: &[u8]) -> Vec<u8> {
    match algorithm {
        HashAlgorithm::Md5 => md5::Md5::digest(data).to_vec(),
        HashAlgorithm::Sha1 => sha1::Sha1::digest(data).to_vec(),
        HashAlgorithm::Sha256 => sha2::Sha256::digest(data).to_vec(),
        HashAlgorithm::Sha384 => sha2::Sha384::digest(data).to_vec(),
        HashAlgorithm::Sha512 => sha2::Sha512::digest(data).to_vec(),
    }
}

/// The hash of `data` as lowercase hex.
pub fn digest_hex(algorithm: HashAlgorithm, data: &[u8]) -> String {
    hex::encode(digest(algorithm, data))
}

/// HMAC (RFC 2104) of `data` under `key`, with `algorithm` as the hash.
pub fn hmac(algorithm: HashAlgorithm, key: &[u8], data: &[u8]) -> Vec<u8> {
    match algorithm {
        HashAlgorithm::Md5 => mac::<Hmac<md5::Md5>>(key, data),
        HashAlgorithm::Sha1 => mac::<Hmac<sha1::Sha1>>(key, data),
        HashAlgorithm::Sha256 => mac::<Hmac<sha2::Sha256>>(key, data),
        HashAlgorithm::Sha384 => mac::<Hmac<sha2::Sha384>>(key, data),
        HashAlgorithm::Sha512 => mac::<Hmac<sha2::Sha512>>(key, data),
    }
}

/// Whether `tag` is the HMAC of `data` under `key`, compared in constant time (hmac's own check).
pub fn verify_hmac(algorithm: HashAlgorithm, key: &[u8], data: &[u8], tag: &[u8]) -> bool {
    fn check<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8], tag: &[u8]) -> bool {
        let mut mac = new_mac::<M>(key);
        mac.update(data);
        mac.verify_slice(tag).is_ok()
    }
    match algorithm {
        HashAlgorithm::Md5 => check::<Hmac<md5::Md5>>(key, data, tag),
        HashAlgorithm::Sha1 => check::<Hmac<sha1::Sha1>>(key, data, tag),
        HashAlgorithm::Sha256 => check::<Hmac<sha2::Sha256>>(key, data, tag),
        HashAlgorithm::Sha384 => check::<Hmac<sha2::Sha384>>(key, data, tag),
        HashAlgorithm::Sha512 => check::<Hmac<sha2::Sha512>>(key, data, tag),
    }
}

fn new_mac<M: Mac + hmac::digest::KeyInit>(key: &[u8]) -> M {
    <M as hmac::digest::KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length")
}

fn mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = new_mac::<M>(key);
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// A way to write bytes as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextEncoding {
    /// RFC 4648 §4, with `=` padding.
    Base64,
    /// RFC 4648 §5, `-` and `_`, no padding (as JWTs write it).
    Base64Url,
    /// Lowercase hex (decoding takes either case, and spaces, `:` or `0x` between bytes).
    Hex,
    /// RFC 3986 percent-encoding: every byte but the unreserved `A-Z a-z 0-9 - . _ ~` as `%XX`.
    Percent,
}

impl TextEncoding {
    pub const ALL: [TextEncoding; 4] =
        [TextEncoding::Base64, TextEncoding::Base64Url, TextEncoding::Hex, TextEncoding::Percent];

    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Base64 => "base64",
            TextEncoding::Base64Url => "base64url",
            TextEncoding::Hex => "hex",
            TextEncoding::Percent => "percent-encoding",
        }
    }
}

/// RFC 3986's unreserved characters stay; everything else is escaped.
const PERCENT_ESCAPED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

const BASE64_STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, GeneralPurposeConfig::new());
const BASE64_URL_SAFE: GeneralPurpose =
    GeneralPurpose::new(&alphabet::URL_SAFE, GeneralPurposeConfig::new().with_encode_padding(false));

/// `data` written as text.
pub fn encode(encoding: TextEncoding, data: &[u8]) -> String {
    match encoding {
        TextEncoding::Base64 => BASE64_STANDARD.encode(data),
        TextEncoding::Base64Url => BASE64_URL_SAFE.encode(data),
        TextEncoding::Hex => hex::encode(data),
        TextEncoding::Percent => percent_encoding::percent_encode(data, PERCENT_ESCAPED).to_string(),
    }
}

/// The bytes `text` stands for, or the place of the first character that can't be read. Base64 and
/// base64url are read alike (either alphabet, padding optional, whitespace ignored), as
/// [`crate::binary_input::parse_base64`] reads them.
pub fn decode(encoding: TextEncoding, text: &str) -> Result<Vec<u8>, Diagnostic> {
    match encoding {
        TextEncoding::Base64 | TextEncoding::Base64Url => crate::binary_input::parse_base64(text),
        TextEncoding::Hex => crate::binary_input::parse_hex(text),
        TextEncoding::Percent => decode_percent(text),
    }
}

fn decode_percent(text: &str) -> Result<Vec<u8>, Diagnostic> {
    let bytes = text.as_bytes();
    if let Some(at) = bytes.iter().enumerate().position(|(at, &byte)| {
        byte == b'%'
            && !(bytes.get(at + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(at + 2).is_some_and(u8::is_ascii_hexdigit))
    }) {
        return Err(Diagnostic::in_text(text, at, "'%' must be followed by two hex digits"));
    }
    Ok(percent_encoding::percent_decode(bytes).collect())
}
