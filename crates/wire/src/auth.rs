//! HTTP authentication worked out step by step, each step's input and output as text so a view
//! can list them: Basic (RFC 7617), Digest (RFC 7616, and RFC 2617's MD5 forms) from the server's
//! challenge to the `Authorization` header and back, and the WebSocket handshake's accept value
//! (RFC 6455). The server reads Digest answers with the same code ([`DigestAuthorization`]).

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::diagnostic::Diagnostic;
use crate::hashing::{self, HashAlgorithm, TextEncoding};
use crate::ws_frame::{HANDSHAKE_GUID, accept_key};

/// One step of a computation: what it does, what went in, what came out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub label: String,
    pub input: String,
    pub output: String,
}

impl Step {
    fn new(label: impl Into<String>, input: impl Into<String>, output: impl Into<String>) -> Step {
        Step { label: label.into(), input: input.into(), output: output.into() }
    }
}

/// How `Authorization: Basic …` is made from a user and a password.
pub fn basic_steps(user: &str, password: &str) -> Vec<Step> {
    let joined = format!("{user}:{password}");
    let encoded = hashing::encode(TextEncoding::Base64, joined.as_bytes());
    vec![
        Step::new("user, a colon, the password", format!("{user} / {password}"), joined.clone()),
        Step::new("base64 of its UTF-8 bytes", joined, encoded.clone()),
        Step::new("the Authorization header", encoded.clone(), format!("Basic {encoded}")),
    ]
}

/// `Basic dXNlcjpwYXNz` for `user` and `pass`.
pub fn basic_header(user: &str, password: &str) -> String {
    format!("Basic {}", hashing::encode(TextEncoding::Base64, format!("{user}:{password}").as_bytes()))
}

/// The hash and session form of a Digest exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DigestAlgorithm {
    Md5,
    Md5Sess,
    Sha256,
    Sha256Sess,
}

impl DigestAlgorithm {
    pub const ALL: [DigestAlgorithm; 4] =
        [DigestAlgorithm::Md5, DigestAlgorithm::Md5Sess, DigestAlgorithm::Sha256, DigestAlgorithm::Sha256Sess];

    /// As the `algorithm=` parameter writes it: `MD5`, `MD5-sess`, `SHA-256`, `SHA-256-sess`.
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Md5 => "MD5",
            DigestAlgorithm::Md5Sess => "MD5-sess",
            DigestAlgorithm::Sha256 => "SHA-256",
            DigestAlgorithm::Sha256Sess => "SHA-256-sess",
        }
    }

    /// The algorithm an `algorithm=` parameter names (any case).
    pub fn from_name(name: &str) -> Option<DigestAlgorithm> {
        DigestAlgorithm::ALL.into_iter().find(|algorithm| algorithm.name().eq_ignore_ascii_case(name))
    }

    pub fn hash(self) -> HashAlgorithm {
        match self {
            DigestAlgorithm::Md5 | DigestAlgorithm::Md5Sess => HashAlgorithm::Md5,
            DigestAlgorithm::Sha256 | DigestAlgorithm::Sha256Sess => HashAlgorithm::Sha256,
        }
    }

    /// Whether HA1 is hashed again with the nonce and cnonce (the `-sess` forms).
    pub fn is_session(self) -> bool {
        matches!(self, DigestAlgorithm::Md5Sess | DigestAlgorithm::Sha256Sess)
    }

    fn hex(self, text: &str) -> String {
        hashing::digest_hex(self.hash(), text.as_bytes())
    }
}

/// A `WWW-Authenticate: Digest …` challenge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestChallenge {
    pub realm: String,
    pub nonce: String,
    pub opaque: Option<String>,
    /// The qop values offered (`auth`, `auth-int`); empty for RFC 2069's form without qop.
    pub qop: Vec<String>,
    /// MD5 when the challenge names none.
    pub algorithm: DigestAlgorithm,
    pub stale: bool,
}

impl DigestChallenge {
    /// Reads a `WWW-Authenticate` value: `Digest realm="…", nonce="…", qop="auth, auth-int", …`.
    pub fn parse(www_authenticate: &str) -> Result<DigestChallenge, Diagnostic> {
        let params = AuthParams::parse(www_authenticate)?;
        let algorithm = params.algorithm()?;
        Ok(DigestChallenge {
            realm: params.required("realm")?,
            nonce: params.required("nonce")?,
            opaque: params.get("opaque"),
            qop: params
                .get("qop")
                .map(|list| list.split(',').map(str::trim).filter(|qop| !qop.is_empty()).map(String::from).collect())
                .unwrap_or_default(),
            algorithm,
            stale: params.get("stale").is_some_and(|stale| stale.eq_ignore_ascii_case("true")),
        })
    }

    /// The `WWW-Authenticate` value, as RFC 7616's examples write it.
    pub fn to_header(&self) -> String {
        let mut header = format!("Digest realm={}", quoted(&self.realm));
        if !self.qop.is_empty() {
            header += &format!(", qop={}", quoted(&self.qop.join(", ")));
        }
        header += &format!(", algorithm={}, nonce={}", self.algorithm.name(), quoted(&self.nonce));
        if let Some(opaque) = &self.opaque {
            header += &format!(", opaque={}", quoted(opaque));
        }
        if self.stale {
            header += ", stale=true";
        }
        header
    }
}

/// What the client puts into its answer besides the password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestAnswer {
    pub username: String,
    pub uri: String,
    pub method: String,
    pub cnonce: String,
    /// The nonce count, written as 8 hex digits.
    pub nc: u32,
    /// `auth`, `auth-int`, or `None` for RFC 2069's form.
    pub qop: Option<String>,
    /// The request body, hashed into HA2 for `auth-int`.
    pub body: Vec<u8>,
}

/// HA1, HA2, the response and the header, each with what went in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestSteps {
    /// Every step in order: for `-sess` the plain HA1 first, for `auth-int` the body's hash before
    /// HA2, then HA1, HA2, the response and the Authorization header.
    pub steps: Vec<Step>,
    pub ha1: Step,
    pub ha2: Step,
    pub response: Step,
    /// The `Authorization` value: `Digest username="…", …, response="…"`.
    pub authorization: String,
}

/// The client's side of Digest for `challenge`, step by step.
pub fn digest_steps(challenge: &DigestChallenge, answer: &DigestAnswer, password: &str) -> DigestSteps {
    let algorithm = challenge.algorithm;
    let hash = algorithm.hash().name();
    let nc = format!("{:08x}", answer.nc);
    let mut steps = Vec::new();

    let secret = format!("{}:{}:{password}", answer.username, challenge.realm);
    let ha1 = if algorithm.is_session() {
        let plain = Step::new(format!("{hash}(username:realm:password)"), secret.clone(), algorithm.hex(&secret));
        let input = format!("{}:{}:{}", plain.output, challenge.nonce, answer.cnonce);
        steps.push(plain);
        Step::new(
            format!("HA1 = {hash}({hash}(username:realm:password):nonce:cnonce)"),
            input.clone(),
            algorithm.hex(&input),
        )
    } else {
        Step::new(format!("HA1 = {hash}(username:realm:password)"), secret.clone(), algorithm.hex(&secret))
    };

    let integrity = answer.qop.as_deref() == Some("auth-int");
    let ha2 = if integrity {
        let body = Step::new(
            format!("{hash}(entity body)"),
            String::from_utf8_lossy(&answer.body).into_owned(),
            hashing::digest_hex(algorithm.hash(), &answer.body),
        );
        let input = format!("{}:{}:{}", answer.method, answer.uri, body.output);
        steps.push(body);
        Step::new(format!("HA2 = {hash}(method:uri:{hash}(entity body))"), input.clone(), algorithm.hex(&input))
    } else {
        let input = format!("{}:{}", answer.method, answer.uri);
        Step::new(format!("HA2 = {hash}(method:uri)"), input.clone(), algorithm.hex(&input))
    };

    let response = match &answer.qop {
        Some(qop) => {
            let input = format!("{}:{}:{nc}:{}:{qop}:{}", ha1.output, challenge.nonce, answer.cnonce, ha2.output);
            Step::new(format!("response = {hash}(HA1:nonce:nc:cnonce:qop:HA2)"), input.clone(), algorithm.hex(&input))
        }
        None => {
            let input = format!("{}:{}:{}", ha1.output, challenge.nonce, ha2.output);
            Step::new(format!("response = {hash}(HA1:nonce:HA2)"), input.clone(), algorithm.hex(&input))
        }
    };

    let mut authorization = format!(
        "Digest username={}, realm={}, uri={}, algorithm={}, nonce={}",
        quoted(&answer.username),
        quoted(&challenge.realm),
        quoted(&answer.uri),
        algorithm.name(),
        quoted(&challenge.nonce),
    );
    if let Some(qop) = &answer.qop {
        authorization += &format!(", nc={nc}, cnonce={}, qop={qop}", quoted(&answer.cnonce));
    }
    authorization += &format!(", response={}", quoted(&response.output));
    if let Some(opaque) = &challenge.opaque {
        authorization += &format!(", opaque={}", quoted(opaque));
    }

    steps.extend([ha1.clone(), ha2.clone(), response.clone()]);
    steps.push(Step::new("the Authorization header", response.output.clone(), authorization.clone()));
    DigestSteps { steps, ha1, ha2, response, authorization }
}

/// An `Authorization: Digest …` answer, as the server reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestAuthorization {
    pub username: String,
    pub realm: String,
    pub nonce: String,
    pub uri: String,
    pub response: String,
    pub algorithm: DigestAlgorithm,
    pub cnonce: Option<String>,
    pub nc: Option<u32>,
    pub qop: Option<String>,
    pub opaque: Option<String>,
}

impl DigestAuthorization {
    /// Reads an `Authorization` value: `Digest username="…", realm="…", …, response="…"`.
    pub fn parse(authorization: &str) -> Result<DigestAuthorization, Diagnostic> {
        let params = AuthParams::parse(authorization)?;
        let algorithm = params.algorithm()?;
        let qop = params.get("qop");
        let (cnonce, nc) = match qop {
            Some(_) => {
                let nc_text = params.required("nc")?;
                let nc = u32::from_str_radix(&nc_text, 16)
                    .map_err(|_| params.error_at("nc", format!("nc must be 8 hex digits, not {nc_text:?}")))?;
                (Some(params.required("cnonce")?), Some(nc))
            }
            None => (params.get("cnonce"), None),
        };
        Ok(DigestAuthorization {
            username: params.required("username")?,
            realm: params.required("realm")?,
            nonce: params.required("nonce")?,
            uri: params.required("uri")?,
            response: params.required("response")?,
            algorithm,
            cnonce,
            nc,
            qop,
            opaque: params.get("opaque"),
        })
    }

    /// The response a client that knows `password` would have sent for this request.
    pub fn expected_response(&self, method: &str, password: &str, body: &[u8]) -> String {
        let challenge = DigestChallenge {
            realm: self.realm.clone(),
            nonce: self.nonce.clone(),
            opaque: self.opaque.clone(),
            qop: self.qop.iter().cloned().collect(),
            algorithm: self.algorithm,
            stale: false,
        };
        let answer = DigestAnswer {
            username: self.username.clone(),
            uri: self.uri.clone(),
            method: method.to_string(),
            cnonce: self.cnonce.clone().unwrap_or_default(),
            nc: self.nc.unwrap_or(0),
            qop: self.qop.clone(),
            body: body.to_vec(),
        };
        digest_steps(&challenge, &answer, password).response.output
    }

    /// Whether the response proves knowledge of `password` (compared in constant time). The
    /// caller still checks the username, realm, nonce and uri against its own.
    pub fn verify(&self, method: &str, password: &str, body: &[u8]) -> bool {
        let expected = self.expected_response(method, password, body);
        expected.as_bytes().ct_eq(self.response.to_ascii_lowercase().as_bytes()).into()
    }
}

/// How `Sec-WebSocket-Accept` is made from `Sec-WebSocket-Key`: the key, the key with RFC 6455's
/// GUID appended, its SHA-1, and that hash in base64.
pub fn websocket_accept_steps(key: &str) -> Vec<Step> {
    let key = key.trim();
    let joined = format!("{key}{HANDSHAKE_GUID}");
    let sha1 = hashing::digest(HashAlgorithm::Sha1, joined.as_bytes());
    let accept = hashing::encode(TextEncoding::Base64, &sha1);
    debug_assert_eq!(accept, accept_key(key));
    vec![
        Step::new("Sec-WebSocket-Key (from the client)", key, key),
        Step::new("the key + RFC 6455's GUID", format!("{key} + {HANDSHAKE_GUID}"), joined.clone()),
        Step::new("SHA-1 (hex)", joined, hex::encode(&sha1)),
        Step::new("base64 of those 20 bytes = Sec-WebSocket-Accept", hex::encode(&sha1), accept),
    ]
}

/// `"text"` with `"` and `\` escaped, as a quoted-string.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The `name=value` pairs after `Digest`, with where each value starts (for errors).
struct AuthParams<'a> {
    header: &'a str,
    params: Vec<(String, String, usize)>,
}

impl<'a> AuthParams<'a> {
    fn parse(header: &'a str) -> Result<AuthParams<'a>, Diagnostic> {
        let bytes = header.as_bytes();
        let mut at = bytes.iter().take_while(|byte| byte.is_ascii_whitespace()).count();
        let scheme_end =
            at + bytes[at..].iter().take_while(|byte| byte.is_ascii_alphanumeric() || **byte == b'-').count();
        if !header[at..scheme_end].eq_ignore_ascii_case("Digest") {
            return Err(Diagnostic::in_text(header, at, "expected the Digest scheme (\"Digest realm=…\")"));
        }
        at = scheme_end;
        let mut params = Vec::new();
        loop {
            at += bytes[at..].iter().take_while(|byte| byte.is_ascii_whitespace() || **byte == b',').count();
            if at >= bytes.len() {
                break;
            }
            let name_start = at;
            at += bytes[at..].iter().take_while(|byte| is_token_byte(**byte)).count();
            if at == name_start {
                return Err(Diagnostic::in_text(header, at, "expected a parameter name"));
            }
            let name = header[name_start..at].to_ascii_lowercase();
            at += bytes[at..].iter().take_while(|byte| **byte == b' ' || **byte == b'\t').count();
            if bytes.get(at) != Some(&b'=') {
                return Err(Diagnostic::in_text(header, at, format!("expected '=' after {name}")));
            }
            at += 1;
            at += bytes[at..].iter().take_while(|byte| **byte == b' ' || **byte == b'\t').count();
            let value_start = at;
            let value = if bytes.get(at) == Some(&b'"') {
                let mut value = Vec::new();
                at += 1;
                loop {
                    match bytes.get(at) {
                        None => {
                            return Err(Diagnostic::in_text(header, value_start, "this quoted value is never closed"));
                        }
                        Some(b'"') => break,
                        Some(b'\\') if at + 1 < bytes.len() => {
                            value.push(bytes[at + 1]);
                            at += 2;
                        }
                        Some(&byte) => {
                            value.push(byte);
                            at += 1;
                        }
                    }
                }
                at += 1;
                String::from_utf8_lossy(&value).into_owned()
            } else {
                at += bytes[at..].iter().take_while(|byte| is_token_byte(**byte) || b"/+=".contains(*byte)).count();
                if at == value_start {
                    return Err(Diagnostic::in_text(header, at, format!("expected a value for {name}")));
                }
                header[value_start..at].to_string()
            };
            at += bytes[at..].iter().take_while(|byte| **byte == b' ' || **byte == b'\t').count();
            if at < bytes.len() && bytes[at] != b',' {
                return Err(Diagnostic::in_text(header, at, format!("expected ',' after the value of {name}")));
            }
            params.push((name, value, value_start));
        }
        Ok(AuthParams { header, params })
    }

    fn get(&self, name: &str) -> Option<String> {
        self.params.iter().find(|(key, _, _)| key == name).map(|(_, value, _)| value.clone())
    }

    fn required(&self, name: &str) -> Result<String, Diagnostic> {
        self.get(name)
            .ok_or_else(|| Diagnostic::in_text(self.header, self.header.len(), format!("{name}=… is missing")))
    }

    fn error_at(&self, name: &str, message: String) -> Diagnostic {
        let at = self.params.iter().find(|(key, _, _)| key == name).map_or(self.header.len(), |(_, _, at)| *at);
        Diagnostic::in_text(self.header, at, message)
    }

    fn algorithm(&self) -> Result<DigestAlgorithm, Diagnostic> {
        match self.get("algorithm") {
            None => Ok(DigestAlgorithm::Md5),
            Some(name) => DigestAlgorithm::from_name(&name).ok_or_else(|| {
                self.error_at(
                    "algorithm",
                    format!("algorithm {name} is not one this lab knows (MD5, MD5-sess, SHA-256, SHA-256-sess)"),
                )
            }),
        }
    }
}

/// RFC 9110's tchar (unquoted values may also hold token68's `/`, `+` and `=`).
fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}
