//! The Security lab's state ([`SecurityLabState`], a [`LabState`]) and the decisions behind its
//! three views:
//!
//! - **Your TLS handshake**: where `/tls/info` is (the page's own origin when it is on https, else
//!   the TLS port `/api/info` names), what came back ([`TlsReading`]: the negotiated result and
//!   the ClientHello's bytes) or why nothing did, in words ([`TlsProblem`]: the port is off, or
//!   the browser refused the connection, most often because the certificate is not trusted yet).
//! - **Hash and encode**: the input (text, hex, a file, or bytes another lab handed over with
//!   "Hash this…") as bytes ([`HashInput::bytes`]), the HMAC key in an explicit encoding
//!   ([`KeyInput`]), the digests of every algorithm ([`hash_rows`]), the encodings ([`encode_rows`]),
//!   a text decoded back ([`Codec`]), and JWTs: decoded and verified, never re-signed
//!   ([`JwtPanel`]), and signed from a header and claims typed out.
//! - **Authentication worked out**: Basic, Digest (the challenge read from `WWW-Authenticate`,
//!   the answer computed with `auth::digest_steps` and sent), Bearer with a token made here, and
//!   the WebSocket handshake's accept value beside `/ws/inspect`'s report.
//!
//! The digests and encodings are derived from the state by the view (a file can be large; `apply`
//! only records what changed). Every request the lab makes is an effect whose answer comes back as
//! an event; the only randomness (a Digest cnonce) comes from the clock passed to `apply`.

use std::rc::Rc;

use crate::auth::{self, DigestAlgorithm, DigestAnswer, DigestChallenge, DigestSteps};
use crate::binary_input::{parse_base64, parse_hex};
use crate::diagnostic::Diagnostic;
use crate::hashing::{self, HashAlgorithm, TextEncoding};
use crate::hexdump::to_hex;
use crate::jwt::{self, DecodedJwt};
use crate::lab::LabState;
use crate::tls_info::TlsInfo;
use crate::ws_inspect::{HandshakeFacts, InspectReport};

/// The three views, in the order of their tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecurityView {
    Handshake,
    Hashing,
    Auth,
}

impl SecurityView {
    pub const ALL: [SecurityView; 3] = [SecurityView::Handshake, SecurityView::Hashing, SecurityView::Auth];

    pub fn label(self) -> &'static str {
        match self {
            SecurityView::Handshake => "Your TLS handshake",
            SecurityView::Hashing => "Hash and encode",
            SecurityView::Auth => "Authentication",
        }
    }

    /// The part of an element id that names the view (`security-tab-hashing`).
    pub fn key(self) -> &'static str {
        match self {
            SecurityView::Handshake => "handshake",
            SecurityView::Hashing => "hashing",
            SecurityView::Auth => "auth",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Your TLS handshake
// ---------------------------------------------------------------------------------------------

/// Why a request of the lab got no usable answer, as the browser reported it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchProblem {
    /// No response: refused, unreachable, or (for https) a certificate the browser does not trust.
    Network(String),
    /// The server answered with a status other than the one expected.
    Status { status: u16, body: String },
    /// The body was not what the lab expected.
    Unreadable(String),
}

impl FetchProblem {
    pub fn in_words(&self) -> String {
        match self {
            FetchProblem::Network(detail) => format!("No response arrived ({detail})."),
            FetchProblem::Status { status, body } => {
                format!(
                    "The server answered {status}{}",
                    if body.is_empty() { ".".into() } else { format!(": {body}") }
                )
            }
            FetchProblem::Unreadable(detail) => format!("The answer could not be read: {detail}"),
        }
    }
}

/// Why the handshake view has nothing to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlsProblem {
    /// `/api/info` did not answer, so the TLS port is unknown.
    NoServerInfo(String),
    /// The server runs without `--tls-port`.
    PortOff,
    /// The https request failed: the port is closed, or the certificate is not trusted yet.
    /// `fingerprint` is the certificate's SHA-256 as `/api/info` gave it, to check before trusting.
    Unreachable { url: String, detail: String, fingerprint: Option<String> },
    /// The server answered, but not with the TLS facts.
    BadAnswer { url: String, problem: FetchProblem },
}

impl TlsProblem {
    pub fn title(&self) -> &'static str {
        match self {
            TlsProblem::NoServerInfo(_) => "The server did not say where its TLS port is",
            TlsProblem::PortOff => "The server has no TLS port",
            TlsProblem::Unreachable { .. } => "The browser could not open the TLS connection",
            TlsProblem::BadAnswer { .. } => "The server's TLS report could not be read",
        }
    }

    /// What happened and what to do, in sentences.
    pub fn explanation(&self) -> String {
        match self {
            TlsProblem::NoServerInfo(detail) => format!("GET /api/info failed: {detail}"),
            TlsProblem::PortOff => "This server was started without a TLS port, so there is no handshake to show. \
                 Start it with one, for example `cargo xtask run -- --tls-port 8443` (or \
                 `wirelab-server --tls-port 8443`), then press Retry."
                .to_string(),
            TlsProblem::Unreachable { url, detail, fingerprint } => format!(
                "Nothing came back from {url}. Most often the browser does not trust the server's self-signed \
                 certificate yet: open {} once in a new tab, accept the certificate (Advanced → Proceed), then \
                 come back and press Retry.{} If that page does not open either, the TLS port is closed. ({detail})",
                trust_url(url),
                fingerprint.as_ref().map_or(String::new(), |sha256| format!(
                    " The certificate the server sends has the SHA-256 fingerprint {sha256}: the browser shows it \
                     under the certificate's details."
                ))
            ),
            TlsProblem::BadAnswer { url, problem } => format!("{url}: {}", problem.in_words()),
        }
    }

    /// The https page to open once to accept the certificate, when that is the likely cure.
    pub fn trust_url(&self) -> Option<String> {
        match self {
            TlsProblem::Unreachable { url, .. } => Some(trust_url(url)),
            _ => None,
        }
    }
}

/// The page to open to accept the certificate: the TLS origin's `/tls/info` (it shows JSON once
/// accepted, which says the connection works).
fn trust_url(url: &str) -> String {
    url.to_string()
}

/// `/api/info`'s `tls`: the TLS port, and the certificate's fingerprint when given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsListener {
    pub port: u16,
    pub certificate_sha256: Option<String>,
}

/// `/tls/info` as read: the server's facts and the ClientHello's bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct TlsReading {
    pub url: String,
    pub info: TlsInfo,
    /// The ClientHello record(s) as the server received them (from `client_hello_hex`).
    pub client_hello: Rc<Vec<u8>>,
    /// Why `client_hello_hex` could not be read as hex, if it could not.
    pub hex_problem: Option<String>,
}

impl TlsReading {
    pub fn new(url: String, info: TlsInfo) -> TlsReading {
        let (client_hello, hex_problem) = match parse_hex(&info.client_hello_hex) {
            Ok(bytes) => (bytes, None),
            Err(error) => (Vec::new(), Some(error.to_string())),
        };
        TlsReading { url, info, client_hello: Rc::new(client_hello), hex_problem }
    }

    /// The negotiated result as label and value rows, in the order the view lists them.
    pub fn facts(&self) -> Vec<(&'static str, String)> {
        let info = &self.info;
        let or_none = |value: &Option<String>, none: &str| value.clone().unwrap_or_else(|| none.to_string());
        let or_missing = |value: &str| {
            if value.is_empty() { "(not reported by this server)".to_string() } else { value.to_string() }
        };
        vec![
            ("TLS version", info.tls_version.clone()),
            ("Cipher suite", info.cipher_suite.clone()),
            ("Key exchange group", or_none(&info.key_exchange_group, "(not reported)")),
            ("ALPN", or_none(&info.alpn, "(none agreed: HTTP/1.1 by default)")),
            ("SNI", or_none(&info.sni, "(none sent: browsers send no SNI for an IP address)")),
            ("HTTP version", info.http_version.clone()),
            ("JA3", or_missing(&info.ja3)),
            ("JA3 text", or_missing(&info.ja3_text)),
            ("JA4", or_missing(&info.ja4)),
        ]
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum TlsStatus {
    /// Nothing asked yet (the view asks when it first shows).
    NotAsked,
    /// Reading `/api/info` for the TLS port.
    FindingPort,
    /// Fetching `/tls/info` at `url`.
    Fetching {
        url: String,
    },
    Loaded(Rc<TlsReading>),
    Failed(TlsProblem),
}

/// Where `/tls/info` is: on the page's own origin when the page is on https, else on the TLS
/// port (`tls_port`, from `/api/info`) of the page's host. `None` when there is no TLS port.
pub fn tls_info_url(page_protocol: &str, page_host: &str, tls_port: Option<u16>) -> Option<String> {
    if page_protocol == "https:" {
        return Some(format!("https://{page_host}/tls/info"));
    }
    let port = tls_port?;
    Some(format!("https://{}:{port}/tls/info", host_name(page_host)))
}

/// `host` without its port (`127.0.0.1:8093` → `127.0.0.1`, `[::1]:80` → `[::1]`).
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    host.rsplit_once(':').map_or(host, |(name, _)| name)
}

// ---------------------------------------------------------------------------------------------
// Hash and encode
// ---------------------------------------------------------------------------------------------

/// How the hashing input is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputMode {
    Text,
    Hex,
    /// A picked file, or bytes another lab handed over.
    Bytes,
}

impl InputMode {
    pub const ALL: [InputMode; 3] = [InputMode::Text, InputMode::Hex, InputMode::Bytes];

    pub fn label(self) -> &'static str {
        match self {
            InputMode::Text => "Text (UTF-8)",
            InputMode::Hex => "Hex",
            InputMode::Bytes => "File or handed-over bytes",
        }
    }
}

/// Bytes that are not typed: a file, or another lab's message or body.
#[derive(Clone, Debug, PartialEq)]
pub struct AttachedBytes {
    /// The file's name, or where the bytes came from ("WebSocket lab, message 3 received").
    pub name: String,
    /// Empty while a file is being read.
    pub bytes: Option<Rc<Vec<u8>>>,
    pub size: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct HashInput {
    pub mode: InputMode,
    pub text: String,
    pub hex: String,
    pub attached: Option<AttachedBytes>,
    /// A file that could not be read.
    pub file_problem: Option<String>,
    /// Goes up with every change, so a view can keep its digests until the input changes.
    pub revision: u64,
}

impl HashInput {
    /// The bytes to hash, or why there are none.
    pub fn bytes(&self) -> Result<Rc<Vec<u8>>, Diagnostic> {
        match self.mode {
            InputMode::Text => Ok(Rc::new(self.text.as_bytes().to_vec())),
            InputMode::Hex => parse_hex(&self.hex).map(Rc::new),
            InputMode::Bytes => match &self.attached {
                Some(AttachedBytes { bytes: Some(bytes), .. }) => Ok(bytes.clone()),
                Some(AttachedBytes { name, .. }) => Err(Diagnostic::new(format!("{name} is still being read"))),
                None => {
                    Err(Diagnostic::new("Pick a file, or use \"Hash this…\" on a WebSocket message or an HTTP body"))
                }
            },
        }
    }
}

/// How a key (HMAC, JWT) is written: the bytes are shown either way, so the encoding is never a
/// guess.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyEncoding {
    Utf8,
    Hex,
    Base64,
}

impl KeyEncoding {
    pub const ALL: [KeyEncoding; 3] = [KeyEncoding::Utf8, KeyEncoding::Hex, KeyEncoding::Base64];

    pub fn label(self) -> &'static str {
        match self {
            KeyEncoding::Utf8 => "UTF-8 text",
            KeyEncoding::Hex => "Hex",
            KeyEncoding::Base64 => "Base64",
        }
    }
}

/// A key as typed, in the encoding chosen.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyInput {
    pub text: String,
    pub encoding: KeyEncoding,
}

impl KeyInput {
    pub fn new(text: &str) -> KeyInput {
        KeyInput { text: text.to_string(), encoding: KeyEncoding::Utf8 }
    }

    pub fn bytes(&self) -> Result<Vec<u8>, Diagnostic> {
        match self.encoding {
            KeyEncoding::Utf8 => Ok(self.text.as_bytes().to_vec()),
            KeyEncoding::Hex => parse_hex(&self.text),
            KeyEncoding::Base64 => parse_base64(&self.text),
        }
    }

    /// The key's bytes as hex with their count, or the problem: shown under the key field.
    pub fn describe(&self) -> Result<String, Diagnostic> {
        let bytes = self.bytes()?;
        Ok(if bytes.is_empty() {
            "no key bytes".to_string()
        } else {
            format!("{} key bytes: {}", bytes.len(), to_hex(&bytes))
        })
    }
}

/// One algorithm's digest of the input, and its HMAC when a key is given.
#[derive(Clone, Debug, PartialEq)]
pub struct HashRow {
    pub algorithm: HashAlgorithm,
    pub hex: String,
    pub base64: String,
    pub hmac_hex: Option<String>,
}

/// The algorithms in the order listed: the SHA-2 family first, the broken ones last.
pub const ALGORITHMS: [HashAlgorithm; 5] =
    [HashAlgorithm::Sha256, HashAlgorithm::Sha384, HashAlgorithm::Sha512, HashAlgorithm::Sha1, HashAlgorithm::Md5];

/// Every digest of `data`, with the HMAC under `key` when there is one.
pub fn hash_rows(data: &[u8], key: Option<&[u8]>) -> Vec<HashRow> {
    ALGORITHMS
        .iter()
        .map(|&algorithm| {
            let digest = hashing::digest(algorithm, data);
            HashRow {
                algorithm,
                hex: hashing::encode(TextEncoding::Hex, &digest),
                base64: hashing::encode(TextEncoding::Base64, &digest),
                hmac_hex: key.map(|key| hashing::encode(TextEncoding::Hex, &hashing::hmac(algorithm, key, data))),
            }
        })
        .collect()
}

/// The encodings offered, both ways.
pub const ENCODINGS: [TextEncoding; 4] =
    [TextEncoding::Base64, TextEncoding::Base64Url, TextEncoding::Hex, TextEncoding::Percent];

/// `data` in every encoding.
pub fn encode_rows(data: &[u8]) -> Vec<(TextEncoding, String)> {
    ENCODINGS.iter().map(|&encoding| (encoding, hashing::encode(encoding, data))).collect()
}

/// Text to decode, and the encoding to read it as.
#[derive(Clone, Debug, PartialEq)]
pub struct Codec {
    pub encoding: TextEncoding,
    pub text: String,
}

impl Codec {
    pub fn decoded(&self) -> Result<Vec<u8>, Diagnostic> {
        hashing::decode(self.encoding, &self.text)
    }
}

/// The text split around the character an error points at, to mark it: before, the character,
/// after. `None` when the error has no place in `text`.
pub fn split_at_error<'a>(text: &'a str, error: &Diagnostic) -> Option<(&'a str, &'a str, &'a str)> {
    let offset = error.location.as_ref()?.offset;
    if offset > text.len() || !text.is_char_boundary(offset) {
        return None;
    }
    let char_len = text[offset..].chars().next().map_or(0, char::len_utf8);
    Some((&text[..offset], &text[offset..offset + char_len], &text[offset + char_len..]))
}

/// A JWT to read, the key to verify it with, and a header and claims to sign.
#[derive(Clone, Debug, PartialEq)]
pub struct JwtPanel {
    pub token: String,
    pub key: KeyInput,
    pub header_json: String,
    pub claims_json: String,
    /// The last token signed here, or why signing failed.
    pub signed: Option<Result<String, Diagnostic>>,
}

/// A token is verified only when it is read with its key: never re-signed (jwt.io's re-signing
/// on a key change made "verified" mislead), and only as HS256.
#[derive(Clone, Debug, PartialEq)]
pub enum Verification {
    NoKey,
    Valid,
    Invalid,
    Unverifiable(Diagnostic),
}

impl JwtPanel {
    pub fn decoded(&self) -> Result<DecodedJwt, Diagnostic> {
        jwt::decode(self.token.trim())
    }

    pub fn verification(&self) -> Verification {
        let key = match self.key.bytes() {
            Ok(key) if key.is_empty() => return Verification::NoKey,
            Ok(key) => key,
            Err(error) => return Verification::Unverifiable(error),
        };
        match jwt::verify_hs256(self.token.trim(), &key) {
            Ok(true) => Verification::Valid,
            Ok(false) => Verification::Invalid,
            Err(error) => Verification::Unverifiable(error),
        }
    }
}

/// A time claim of a JWT (`iat`, `nbf`, `exp`: seconds since the epoch) and what it means now.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeClaim {
    pub name: &'static str,
    pub seconds: f64,
    /// "expired 5 minutes ago", "valid for 2 hours more", "not valid for 3 minutes yet", or
    /// "issued 1 minute ago".
    pub note: String,
}

/// The time claims in `claims`, read against `now_ms`.
pub fn time_claims(claims: &serde_json::Value, now_ms: f64) -> Vec<TimeClaim> {
    let now = now_ms / 1000.0;
    ["iat", "nbf", "exp"]
        .into_iter()
        .filter_map(|name| {
            let seconds = claims.get(name)?.as_f64()?;
            let (past, span) = (seconds <= now, span_in_words((seconds - now).abs()));
            let note = match (name, past) {
                ("exp", true) => format!("expired {span} ago"),
                ("exp", false) => format!("valid for {span} more"),
                ("nbf", false) => format!("not valid for {span} yet"),
                ("nbf", true) => format!("valid since {span} ago"),
                (_, true) => format!("issued {span} ago"),
                (_, false) => format!("issued {span} in the future"),
            };
            Some(TimeClaim { name, seconds, note })
        })
        .collect()
}

/// A duration in the largest whole unit: `42 seconds`, `5 minutes`, `3 hours`, `12 days`.
fn span_in_words(seconds: f64) -> String {
    let seconds = seconds.round() as u64;
    let (count, unit) = match seconds {
        0..60 => (seconds, "second"),
        60..3600 => (seconds / 60, "minute"),
        3600..86_400 => (seconds / 3600, "hour"),
        _ => (seconds / 86_400, "day"),
    };
    format!("{count} {unit}{}", if count == 1 { "" } else { "s" })
}

/// The RFC 7519 example's header, and claims with `iat` at `now_ms`.
pub const SIGN_HEADER: &str = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

pub fn sample_claims(now_ms: f64) -> String {
    let now = (now_ms / 1000.0).floor() as i64;
    format!("{{\"sub\":\"wirelab\",\"name\":\"Ada Lovelace\",\"iat\":{now},\"exp\":{}}}", now + 3600)
}

// ---------------------------------------------------------------------------------------------
// Authentication worked out
// ---------------------------------------------------------------------------------------------

/// Which of the lab's requests an answer belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthPurpose {
    Basic,
    /// The first Digest request, without credentials, for the challenge.
    DigestChallenge,
    /// The Digest request with the computed answer.
    DigestAnswer,
    Bearer,
}

/// What the server said, as much as the lab shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthAnswer {
    pub status: u16,
    pub status_text: String,
    pub www_authenticate: Option<String>,
    pub body: String,
}

impl AuthAnswer {
    pub fn succeeded(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A request the lab sent and what became of it.
#[derive(Clone, Debug, PartialEq)]
pub enum Exchange {
    Idle,
    Sending { path: String, authorization: Option<String> },
    Answered { path: String, authorization: Option<String>, answer: AuthAnswer },
    Failed { path: String, problem: FetchProblem },
}

#[derive(Clone, Debug, PartialEq)]
pub struct BasicPanel {
    pub user: String,
    pub password: String,
    pub exchange: Exchange,
}

impl BasicPanel {
    pub fn path(&self) -> String {
        format!("/basic-auth/{}/{}", path_segment(&self.user), path_segment(&self.password))
    }
}

/// Digest's algorithm choices in the form: every one the server serves (MD5, SHA-256, and their
/// `-sess` forms, whose HA1 also hashes the nonce and the client's cnonce).
pub const DIGEST_ALGORITHMS: [DigestAlgorithm; 4] = DigestAlgorithm::ALL;

#[derive(Clone, Debug, PartialEq)]
pub struct DigestPanel {
    pub user: String,
    pub password: String,
    pub algorithm: DigestAlgorithm,
    /// The client nonce the answer uses; made from the clock, editable.
    pub cnonce: String,
    /// The first request, for the challenge.
    pub challenge_exchange: Exchange,
    /// The challenge read from its `WWW-Authenticate`, or why it could not be.
    pub challenge: Option<Result<DigestChallenge, Diagnostic>>,
    /// The request with the answer.
    pub answer_exchange: Exchange,
}

impl DigestPanel {
    /// `/digest-auth/auth/{user}/{passwd}/{algorithm}`, as httpbin has it.
    pub fn path(&self) -> String {
        format!(
            "/digest-auth/auth/{}/{}/{}",
            path_segment(&self.user),
            path_segment(&self.password),
            self.algorithm.name()
        )
    }

    /// The steps of the answer to the challenge read, if one was.
    pub fn steps(&self) -> Option<DigestSteps> {
        let challenge = self.challenge.as_ref()?.as_ref().ok()?;
        Some(auth::digest_steps(challenge, &self.answer(challenge), &self.password))
    }

    fn answer(&self, challenge: &DigestChallenge) -> DigestAnswer {
        DigestAnswer {
            username: self.user.clone(),
            uri: self.path(),
            method: "GET".to_string(),
            cnonce: self.cnonce.clone(),
            nc: 1,
            qop: challenge.qop.iter().find(|qop| qop.as_str() == "auth").or(challenge.qop.first()).cloned(),
            body: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct BearerPanel {
    pub token: String,
    /// Why "Make a token" failed (the JWT key could not be read).
    pub made: Option<Diagnostic>,
    pub exchange: Exchange,
}

/// The WebSocket handshake: a key worked through by hand, and `/ws/inspect`'s report.
#[derive(Clone, Debug, PartialEq)]
pub struct HandshakePanel {
    pub key: String,
    pub status: InspectStatus,
}

#[derive(Clone, Debug, PartialEq)]
pub enum InspectStatus {
    Idle,
    Connecting { url: String },
    Reported(HandshakeFacts),
    Failed(String),
}

/// RFC 6455's example key (section 1.3).
pub const RFC_6455_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// A path segment with everything but unreserved characters percent-encoded.
fn path_segment(text: &str) -> String {
    hashing::encode(TextEncoding::Percent, text.as_bytes())
}

// ---------------------------------------------------------------------------------------------
// The lab
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
pub struct SecurityLabState {
    pub view: SecurityView,
    page_protocol: String,
    page_host: String,
    pub tls: TlsStatus,
    /// The certificate's SHA-256, from `/api/info`.
    tls_fingerprint: Option<String>,
    pub input: HashInput,
    pub hmac_key: KeyInput,
    pub codec: Codec,
    pub jwt: JwtPanel,
    pub basic: BasicPanel,
    pub digest: DigestPanel,
    pub bearer: BearerPanel,
    pub handshake: HandshakePanel,
    /// The last copy's outcome, for a short notice.
    pub copy_notice: Option<Result<String, String>>,
}

/// An edit of a form field.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldEdit {
    InputMode(InputMode),
    InputText(String),
    InputHex(String),
    HmacKey(String),
    HmacKeyEncoding(KeyEncoding),
    CodecEncoding(TextEncoding),
    CodecText(String),
    JwtToken(String),
    JwtKey(String),
    JwtKeyEncoding(KeyEncoding),
    JwtHeader(String),
    JwtClaims(String),
    BasicUser(String),
    BasicPassword(String),
    DigestUser(String),
    DigestPassword(String),
    DigestAlgorithm(DigestAlgorithm),
    DigestCnonce(String),
    BearerToken(String),
    HandshakeKey(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum SecurityEvent {
    Show(SecurityView),
    Edit(FieldEdit),
    // The handshake view.
    /// Find the TLS port and fetch `/tls/info` (the view showing, or Retry).
    LoadTls,
    /// `/api/info`'s TLS listener (`None`: none), or why it could not be read.
    ServerInfo(Result<Option<TlsListener>, String>),
    TlsFetched(Result<TlsInfo, FetchProblem>),
    // Hash and encode.
    FileChosen {
        name: String,
        size: u64,
    },
    FileRead(Result<Vec<u8>, String>),
    /// Bytes another lab handed over ("Hash this…").
    Handed {
        bytes: Vec<u8>,
        origin: String,
    },
    /// Decode a digest or encoding: put `text` in the decoder as `encoding`.
    UseInDecoder {
        encoding: TextEncoding,
        text: String,
    },
    Sign,
    /// Put the token signed last into the Bearer form and show it.
    UseSignedAsBearer,
    Copy(String),
    Copied(Result<(), String>),
    // Authentication.
    SendBasic,
    AskDigestChallenge,
    SendDigestAnswer,
    MakeBearerToken,
    SendBearer,
    Answered {
        purpose: AuthPurpose,
        answer: Result<AuthAnswer, FetchProblem>,
    },
    OpenInspect,
    InspectText(String),
    InspectFailed(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum SecurityEffect {
    /// GET `/api/info` of the page's server and answer with [`SecurityEvent::ServerInfo`].
    FetchServerInfo,
    /// GET `url` (absolute, https) and answer with [`SecurityEvent::TlsFetched`].
    FetchTlsInfo {
        url: String,
    },
    /// GET `path` on the page's server with this Authorization (none when `None`), and answer
    /// with [`SecurityEvent::Answered`] whatever the status.
    Request {
        purpose: AuthPurpose,
        path: String,
        authorization: Option<String>,
    },
    /// Open a WebSocket to `path` (`/ws/inspect`) on the page's server, answer with its first
    /// text message ([`SecurityEvent::InspectText`]) and close it.
    OpenInspect {
        path: String,
    },
    Copy(String),
}

impl SecurityLabState {
    /// The lab on a page served from `page_protocol` (`http:`) and `page_host` (`host:port`);
    /// `now_ms` seeds the sample claims and the Digest cnonce.
    pub fn new(page_protocol: &str, page_host: &str, now_ms: f64) -> SecurityLabState {
        SecurityLabState {
            view: SecurityView::Handshake,
            page_protocol: page_protocol.to_string(),
            page_host: page_host.to_string(),
            tls: TlsStatus::NotAsked,
            tls_fingerprint: None,
            input: HashInput {
                mode: InputMode::Text,
                text: "abc".to_string(),
                hex: "61 62 63".to_string(),
                attached: None,
                file_problem: None,
                revision: 0,
            },
            hmac_key: KeyInput::new(""),
            codec: Codec { encoding: TextEncoding::Base64, text: "SGVsbG8sIHdvcmxkIQ==".to_string() },
            jwt: JwtPanel {
                token: String::new(),
                key: KeyInput::new("secret"),
                header_json: SIGN_HEADER.to_string(),
                claims_json: sample_claims(now_ms),
                signed: None,
            },
            basic: BasicPanel { user: "user".into(), password: "passwd".into(), exchange: Exchange::Idle },
            digest: DigestPanel {
                user: "user".into(),
                password: "passwd".into(),
                algorithm: DigestAlgorithm::Md5,
                cnonce: cnonce_from(now_ms),
                challenge_exchange: Exchange::Idle,
                challenge: None,
                answer_exchange: Exchange::Idle,
            },
            bearer: BearerPanel { token: String::new(), made: None, exchange: Exchange::Idle },
            handshake: HandshakePanel { key: RFC_6455_KEY.to_string(), status: InspectStatus::Idle },
            copy_notice: None,
        }
    }

    fn edit(&mut self, edit: FieldEdit) {
        match edit {
            FieldEdit::InputMode(mode) => {
                self.input.mode = mode;
                self.input.revision += 1;
            }
            FieldEdit::InputText(text) => {
                self.input.text = text;
                self.input.revision += 1;
            }
            FieldEdit::InputHex(text) => {
                self.input.hex = text;
                self.input.revision += 1;
            }
            FieldEdit::HmacKey(text) => self.hmac_key.text = text,
            FieldEdit::HmacKeyEncoding(encoding) => self.hmac_key.encoding = encoding,
            FieldEdit::CodecEncoding(encoding) => self.codec.encoding = encoding,
            FieldEdit::CodecText(text) => self.codec.text = text,
            FieldEdit::JwtToken(text) => self.jwt.token = text,
            FieldEdit::JwtKey(text) => self.jwt.key.text = text,
            FieldEdit::JwtKeyEncoding(encoding) => self.jwt.key.encoding = encoding,
            FieldEdit::JwtHeader(text) => self.jwt.header_json = text,
            FieldEdit::JwtClaims(text) => self.jwt.claims_json = text,
            FieldEdit::BasicUser(text) => self.basic.user = text,
            FieldEdit::BasicPassword(text) => self.basic.password = text,
            FieldEdit::DigestUser(text) => {
                self.digest.user = text;
                self.forget_challenge();
            }
            FieldEdit::DigestPassword(text) => {
                self.digest.password = text;
                self.forget_challenge();
            }
            FieldEdit::DigestAlgorithm(algorithm) => {
                self.digest.algorithm = algorithm;
                self.forget_challenge();
            }
            FieldEdit::DigestCnonce(text) => self.digest.cnonce = text,
            FieldEdit::BearerToken(text) => self.bearer.token = text,
            FieldEdit::HandshakeKey(text) => self.handshake.key = text,
        }
    }

    /// A different user, password or algorithm is a different URL: the challenge read for the
    /// old one no longer applies.
    fn forget_challenge(&mut self) {
        self.digest.challenge = None;
        self.digest.challenge_exchange = Exchange::Idle;
        self.digest.answer_exchange = Exchange::Idle;
    }

    fn start_tls(&mut self) -> Vec<SecurityEffect> {
        if self.page_protocol == "https:" {
            return self.fetch_tls(None);
        }
        self.tls = TlsStatus::FindingPort;
        vec![SecurityEffect::FetchServerInfo]
    }

    fn fetch_tls(&mut self, port: Option<u16>) -> Vec<SecurityEffect> {
        match tls_info_url(&self.page_protocol, &self.page_host, port) {
            Some(url) => {
                self.tls = TlsStatus::Fetching { url: url.clone() };
                vec![SecurityEffect::FetchTlsInfo { url }]
            }
            None => {
                self.tls = TlsStatus::Failed(TlsProblem::PortOff);
                Vec::new()
            }
        }
    }

    fn tls_fetched(&mut self, result: Result<TlsInfo, FetchProblem>) {
        let TlsStatus::Fetching { url } = &self.tls else { return };
        let url = url.clone();
        self.tls = match result {
            Ok(info) => TlsStatus::Loaded(Rc::new(TlsReading::new(url, info))),
            Err(FetchProblem::Network(detail)) => {
                TlsStatus::Failed(TlsProblem::Unreachable { url, detail, fingerprint: self.tls_fingerprint.clone() })
            }
            Err(problem) => TlsStatus::Failed(TlsProblem::BadAnswer { url, problem }),
        };
    }

    fn request(&mut self, purpose: AuthPurpose, authorization: Option<String>) -> Vec<SecurityEffect> {
        let path = match purpose {
            AuthPurpose::Basic => self.basic.path(),
            AuthPurpose::DigestChallenge | AuthPurpose::DigestAnswer => self.digest.path(),
            AuthPurpose::Bearer => "/bearer".to_string(),
        };
        *self.exchange_mut(purpose) = Exchange::Sending { path: path.clone(), authorization: authorization.clone() };
        if purpose == AuthPurpose::DigestChallenge {
            self.digest.challenge = None;
            self.digest.answer_exchange = Exchange::Idle;
        }
        vec![SecurityEffect::Request { purpose, path, authorization }]
    }

    fn exchange_mut(&mut self, purpose: AuthPurpose) -> &mut Exchange {
        match purpose {
            AuthPurpose::Basic => &mut self.basic.exchange,
            AuthPurpose::DigestChallenge => &mut self.digest.challenge_exchange,
            AuthPurpose::DigestAnswer => &mut self.digest.answer_exchange,
            AuthPurpose::Bearer => &mut self.bearer.exchange,
        }
    }

    fn answered(&mut self, purpose: AuthPurpose, result: Result<AuthAnswer, FetchProblem>) {
        let exchange = self.exchange_mut(purpose);
        let Exchange::Sending { path, authorization } = exchange else { return };
        let (path, authorization) = (path.clone(), authorization.clone());
        if purpose == AuthPurpose::DigestChallenge {
            self.digest.challenge = Some(match &result {
                Ok(answer) => read_challenge(answer),
                Err(problem) => Err(Diagnostic::new(problem.in_words())),
            });
        }
        *self.exchange_mut(purpose) = match result {
            Ok(answer) => Exchange::Answered { path, authorization, answer },
            Err(problem) => Exchange::Failed { path, problem },
        };
    }

    fn inspect_text(&mut self, text: &str) -> bool {
        if !matches!(self.handshake.status, InspectStatus::Connecting { .. }) {
            return false;
        }
        match InspectReport::from_text(text) {
            Some(InspectReport::Handshake(facts)) => {
                self.handshake.key = facts.key.clone();
                self.handshake.status = InspectStatus::Reported(facts);
                true
            }
            _ => {
                self.handshake.status =
                    InspectStatus::Failed(format!("the first message was not a handshake report: {text}"));
                true
            }
        }
    }
}

/// The Digest challenge in a 401's `WWW-Authenticate`, or why there is none to read.
fn read_challenge(answer: &AuthAnswer) -> Result<DigestChallenge, Diagnostic> {
    match &answer.www_authenticate {
        Some(header) => DigestChallenge::parse(header),
        None if answer.status == 401 => Err(Diagnostic::new(
            "The 401 carried no WWW-Authenticate header the page could read (a cross-origin response shows \
             only the headers its Access-Control-Expose-Headers names)",
        )),
        None => Err(Diagnostic::new(format!(
            "The server answered {} {} without a challenge: expected 401 Unauthorized",
            answer.status, answer.status_text
        ))),
    }
}

/// A client nonce from the clock: 16 hex digits (RFC 7616 asks only that it be unpredictable to
/// others and not reused; the lab shows it and lets it be edited).
fn cnonce_from(now_ms: f64) -> String {
    let mixed = (now_ms as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29);
    format!("{mixed:016x}")
}

impl LabState for SecurityLabState {
    type Event = SecurityEvent;
    type Effect = SecurityEffect;

    fn apply(&mut self, event: SecurityEvent, now_ms: f64) -> Vec<SecurityEffect> {
        match event {
            SecurityEvent::Show(view) => {
                self.view = view;
                if view == SecurityView::Handshake && self.tls == TlsStatus::NotAsked {
                    return self.start_tls();
                }
            }
            SecurityEvent::Edit(edit) => self.edit(edit),
            SecurityEvent::LoadTls => {
                if !matches!(self.tls, TlsStatus::FindingPort | TlsStatus::Fetching { .. }) {
                    return self.start_tls();
                }
            }
            SecurityEvent::ServerInfo(result) => {
                if self.tls != TlsStatus::FindingPort {
                    return Vec::new();
                }
                match result {
                    Ok(listener) => {
                        self.tls_fingerprint =
                            listener.as_ref().and_then(|listener| listener.certificate_sha256.clone());
                        return self.fetch_tls(listener.map(|listener| listener.port));
                    }
                    Err(detail) => self.tls = TlsStatus::Failed(TlsProblem::NoServerInfo(detail)),
                }
            }
            SecurityEvent::TlsFetched(result) => self.tls_fetched(result),
            SecurityEvent::FileChosen { name, size } => {
                self.input.mode = InputMode::Bytes;
                self.input.attached = Some(AttachedBytes { name, bytes: None, size });
                self.input.file_problem = None;
                self.input.revision += 1;
            }
            SecurityEvent::FileRead(result) => {
                match (result, self.input.attached.as_mut()) {
                    (Ok(bytes), Some(attached)) if attached.bytes.is_none() => {
                        attached.size = bytes.len() as u64;
                        attached.bytes = Some(Rc::new(bytes));
                    }
                    (Err(problem), Some(_)) => {
                        self.input.attached = None;
                        self.input.file_problem = Some(problem);
                    }
                    _ => return Vec::new(),
                }
                self.input.revision += 1;
            }
            SecurityEvent::Handed { bytes, origin } => {
                self.view = SecurityView::Hashing;
                self.input.mode = InputMode::Bytes;
                self.input.attached =
                    Some(AttachedBytes { name: origin, size: bytes.len() as u64, bytes: Some(Rc::new(bytes)) });
                self.input.file_problem = None;
                self.input.revision += 1;
            }
            SecurityEvent::UseInDecoder { encoding, text } => self.codec = Codec { encoding, text },
            SecurityEvent::Sign => {
                self.jwt.signed = Some(match self.jwt.key.bytes() {
                    Ok(key) => jwt::sign_hs256(&self.jwt.header_json, &self.jwt.claims_json, &key),
                    Err(error) => Err(error),
                });
                if let Some(Ok(token)) = &self.jwt.signed {
                    self.jwt.token = token.clone();
                }
            }
            SecurityEvent::UseSignedAsBearer => {
                if let Some(Ok(token)) = &self.jwt.signed {
                    self.bearer.token = token.clone();
                    self.bearer.exchange = Exchange::Idle;
                    self.view = SecurityView::Auth;
                }
            }
            SecurityEvent::Copy(text) => return vec![SecurityEffect::Copy(text)],
            SecurityEvent::Copied(result) => {
                self.copy_notice = Some(result.map(|()| "Copied to the clipboard".to_string()));
            }
            SecurityEvent::SendBasic => {
                let header = auth::basic_header(&self.basic.user, &self.basic.password);
                return self.request(AuthPurpose::Basic, Some(header));
            }
            SecurityEvent::AskDigestChallenge => {
                self.digest.cnonce = cnonce_from(now_ms);
                return self.request(AuthPurpose::DigestChallenge, None);
            }
            SecurityEvent::SendDigestAnswer => {
                if let Some(steps) = self.digest.steps() {
                    return self.request(AuthPurpose::DigestAnswer, Some(steps.authorization));
                }
            }
            SecurityEvent::MakeBearerToken => {
                let signed =
                    self.jwt.key.bytes().and_then(|key| jwt::sign_hs256(SIGN_HEADER, &sample_claims(now_ms), &key));
                match signed {
                    Ok(token) => {
                        self.bearer.token = token;
                        self.bearer.made = None;
                        self.bearer.exchange = Exchange::Idle;
                    }
                    Err(error) => self.bearer.made = Some(error),
                }
            }
            SecurityEvent::SendBearer => {
                let token = self.bearer.token.trim().to_string();
                return self.request(AuthPurpose::Bearer, (!token.is_empty()).then(|| format!("Bearer {token}")));
            }
            SecurityEvent::Answered { purpose, answer } => self.answered(purpose, answer),
            SecurityEvent::OpenInspect => {
                let path = "/ws/inspect".to_string();
                self.handshake.status = InspectStatus::Connecting { url: path.clone() };
                return vec![SecurityEffect::OpenInspect { path }];
            }
            SecurityEvent::InspectText(text) => {
                self.inspect_text(&text);
            }
            SecurityEvent::InspectFailed(detail) => {
                if matches!(self.handshake.status, InspectStatus::Connecting { .. }) {
                    self.handshake.status = InspectStatus::Failed(detail);
                }
            }
        }
        Vec::new()
    }
}
