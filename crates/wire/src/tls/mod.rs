//! TLS read from bytes, with no I/O: the ClientHello a client sent (and its JA3 and JA4
//! fingerprints), the names of TLS code points, and a dissection of any TLS record bytes in the
//! Formats lab's model (a document and a byte map).
//!
//! - [`read_client_hello`]: the first ClientHello in bytes as received (one or more records from
//!   the 5-byte record header on; a ClientHello may span records), or where it stops being one.
//! - [`ClientHello::ja3`], [`ClientHello::ja4`]: Salesforce's JA3 and FoxIO's JA4 (TCP).
//! - [`dissect`]: any record bytes (ClientHello, ServerHello, other handshake messages, alerts,
//!   change_cipher_spec, application data) as a [`Dissection`]: a [`crate::formats::Node`]
//!   document, a [`crate::formats::ByteMap`] whose details name each byte's meaning ("cipher
//!   suite 0x1301 TLS_AES_128_GCM_SHA256"), and, when the bytes stop being TLS or end early, a
//!   [`crate::formats::FormatError`] at that byte, with everything before it mapped.
//! - [`names`]: IANA's names for cipher suites, extensions, groups, signature schemes, versions.

mod dissect;
pub mod names;

use crate::diagnostic::Diagnostic;
use crate::hashing::{self, HashAlgorithm};

pub use dissect::{Dissection, dissect};
pub use names::{cipher_suite_name, extension_name, is_grease, named_group_name, signature_scheme_name, version_name};

/// Extension type numbers the readers look into.
pub mod extension {
    pub const SERVER_NAME: u16 = 0x0000;
    pub const SUPPORTED_GROUPS: u16 = 0x000a;
    pub const EC_POINT_FORMATS: u16 = 0x000b;
    pub const SIGNATURE_ALGORITHMS: u16 = 0x000d;
    pub const ALPN: u16 = 0x0010;
    pub const SUPPORTED_VERSIONS: u16 = 0x002b;
    pub const PSK_KEY_EXCHANGE_MODES: u16 = 0x002d;
    pub const SIGNATURE_ALGORITHMS_CERT: u16 = 0x0032;
    pub const KEY_SHARE: u16 = 0x0033;
    pub const QUIC_TRANSPORT_PARAMETERS: u16 = 0x0039;
}

/// One extension as sent: its type and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    pub kind: u16,
    pub data: Vec<u8>,
}

/// A ClientHello's fields, and what its extensions say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientHello {
    /// `0x0303` (TLS 1.2) in every TLS 1.3 ClientHello: the real versions are in
    /// [`ClientHello::supported_versions`].
    pub legacy_version: u16,
    pub random: [u8; 32],
    pub session_id: Vec<u8>,
    /// In the order sent, GREASE values included.
    pub cipher_suites: Vec<u16>,
    pub compression_methods: Vec<u8>,
    /// In the order sent.
    pub extensions: Vec<Extension>,
    /// The host name of the server_name extension.
    pub server_name: Option<String>,
    /// The protocols offered by ALPN, in order (`h2`, `http/1.1`; bytes that are not UTF-8 as �).
    pub alpn: Vec<String>,
    pub supported_versions: Vec<u16>,
    pub supported_groups: Vec<u16>,
    pub signature_algorithms: Vec<u16>,
    pub ec_point_formats: Vec<u8>,
    /// The groups the client sent a key share for.
    pub key_share_groups: Vec<u16>,
}

/// The first ClientHello in `records`: TLS records as received, starting at a record header. A
/// ClientHello split over several records is put back together.
pub fn read_client_hello(records: &[u8]) -> Result<ClientHello, Diagnostic> {
    let walked = dissect::walk(records);
    match (walked.client_hello, walked.dissection.error) {
        (Some(hello), _) => Ok(hello),
        (None, Some(error)) => Err(error.0),
        (None, None) => Err(Diagnostic::new(if records.is_empty() {
            "no bytes: a ClientHello starts with a record header 16 03 0x".to_string()
        } else {
            "these TLS records hold no ClientHello".to_string()
        })),
    }
}

impl ClientHello {
    fn extension_types(&self) -> impl Iterator<Item = u16> + '_ {
        self.extensions.iter().map(|extension| extension.kind)
    }

    fn has_extension(&self, kind: u16) -> bool {
        self.extension_types().any(|found| found == kind)
    }

    /// JA3's text: `version,ciphers,extensions,groups,point formats`, each list in the order sent,
    /// `-`-separated, in decimal, GREASE values left out.
    pub fn ja3_text(&self) -> String {
        fn list<T: Copy + Into<u16>>(values: impl IntoIterator<Item = T>) -> String {
            values
                .into_iter()
                .map(Into::into)
                .filter(|value| !is_grease(*value))
                .map(|value| value.to_string())
                .collect::<Vec<_>>()
                .join("-")
        }
        format!(
            "{},{},{},{},{}",
            self.legacy_version,
            list(self.cipher_suites.iter().copied()),
            list(self.extension_types()),
            list(self.supported_groups.iter().copied()),
            list(self.ec_point_formats.iter().copied()),
        )
    }

    /// JA3: the MD5 of [`ClientHello::ja3_text`], in hex.
    pub fn ja3(&self) -> String {
        hashing::digest_hex(HashAlgorithm::Md5, self.ja3_text().as_bytes())
    }

    /// FoxIO's JA4 (`t13d1516h2_8daaf6152771_02713d6af862`): protocol, version, SNI or not,
    /// cipher and extension counts, ALPN, then the truncated SHA-256 of the sorted ciphers and of
    /// the sorted extensions (less SNI and ALPN) with the signature algorithms. GREASE is left
    /// out everywhere.
    pub fn ja4(&self) -> String {
        let (prefix, ciphers, extensions) = self.ja4_parts();
        format!("{prefix}_{}_{}", truncated_sha256(&ciphers), truncated_sha256(&extensions))
    }

    /// JA4 before hashing ("JA4_r"): the same prefix, then the lists that are hashed.
    pub fn ja4_raw(&self) -> String {
        let (prefix, ciphers, extensions) = self.ja4_parts();
        format!("{prefix}_{ciphers}_{extensions}")
    }

    fn ja4_parts(&self) -> (String, String, String) {
        let protocol = if self.has_extension(extension::QUIC_TRANSPORT_PARAMETERS) { 'q' } else { 't' };
        let version = if self.has_extension(extension::SUPPORTED_VERSIONS) {
            self.supported_versions.iter().copied().filter(|version| !is_grease(*version)).max().unwrap_or(0)
        } else {
            self.legacy_version
        };
        let destination = if self.has_extension(extension::SERVER_NAME) { 'd' } else { 'i' };
        let mut ciphers: Vec<u16> = self.cipher_suites.iter().copied().filter(|id| !is_grease(*id)).collect();
        let mut extensions: Vec<u16> = self.extension_types().filter(|id| !is_grease(*id)).collect();
        let prefix = format!(
            "{protocol}{}{destination}{:02}{:02}{}",
            ja4_version(version),
            ciphers.len().min(99),
            extensions.len().min(99),
            ja4_alpn(self.first_alpn_bytes().as_deref()),
        );
        ciphers.sort_unstable();
        extensions.retain(|id| *id != extension::SERVER_NAME && *id != extension::ALPN);
        extensions.sort_unstable();
        let hex_list = |values: &[u16]| values.iter().map(|value| format!("{value:04x}")).collect::<Vec<_>>().join(",");
        let signatures: Vec<u16> =
            self.signature_algorithms.iter().copied().filter(|scheme| !is_grease(*scheme)).collect();
        let mut extension_text = hex_list(&extensions);
        if !signatures.is_empty() {
            extension_text.push('_');
            extension_text.push_str(&hex_list(&signatures));
        }
        (prefix, hex_list(&ciphers), extension_text)
    }

    /// The first ALPN protocol's bytes as sent (`alpn` holds them as text, lossily).
    fn first_alpn_bytes(&self) -> Option<Vec<u8>> {
        let data = &self.extensions.iter().find(|extension| extension.kind == extension::ALPN)?.data;
        let len = usize::from(*data.get(2)?);
        data.get(3..3 + len).map(<[u8]>::to_vec)
    }
}

/// JA4's two characters for a version.
fn ja4_version(version: u16) -> &'static str {
    match version {
        0x0304 => "13",
        0x0303 => "12",
        0x0302 => "11",
        0x0301 => "10",
        0x0300 => "s3",
        0x0002 => "s2",
        0xfeff => "d1",
        0xfefd => "d2",
        0xfefc => "d3",
        _ => "00",
    }
}

/// JA4's two ALPN characters: the first and last of the first protocol when both are ASCII
/// letters or digits, else the first and last hex digits of its bytes; `00` when there is none.
fn ja4_alpn(first: Option<&[u8]>) -> String {
    let Some(protocol) = first.filter(|protocol| !protocol.is_empty()) else { return "00".into() };
    let (first, last) = (protocol[0], protocol[protocol.len() - 1]);
    if first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric() {
        format!("{}{}", first as char, last as char)
    } else {
        let hex = hashing::encode(hashing::TextEncoding::Hex, protocol);
        format!("{}{}", &hex[..1], &hex[hex.len() - 1..])
    }
}

/// The first 12 hex digits of the SHA-256 of `text`, or twelve zeros for an empty list.
fn truncated_sha256(text: &str) -> String {
    if text.is_empty() {
        return "000000000000".into();
    }
    let mut hex = hashing::digest_hex(HashAlgorithm::Sha256, text.as_bytes());
    hex.truncate(12);
    hex
}
