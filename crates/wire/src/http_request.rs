//! The HTTP lab's request model: method, URL, headers, body, auth and timeout, as the person composed it.
//!
//! The model keeps what was typed (a URL that does not parse yet, JSON with a missing comma) so the
//! composer never loses text; [`HttpRequest::check`] says what is wrong and where before sending,
//! and [`HttpRequest::effective_headers`] and [`HttpRequest::body_bytes`] say exactly what will go
//! on the wire. File bytes (multipart files, a file body) stay in the app: the core only knows
//! their names, types and sizes.

use std::fmt;

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::binary_input::{parse_base64, parse_hex};
use crate::diagnostic::Diagnostic;

/// One row of a header, query or form table. Disabled rows are kept but not sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyValue {
    pub name: String,
    pub value: String,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

impl KeyValue {
    /// An enabled row.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> KeyValue {
        KeyValue { name: name.into(), value: value.into(), enabled: true }
    }

    /// A disabled row.
    pub fn disabled(name: impl Into<String>, value: impl Into<String>) -> KeyValue {
        KeyValue { enabled: false, ..KeyValue::new(name, value) }
    }

    /// An empty row (the table's spare last line): never sent, never checked.
    pub fn is_blank(&self) -> bool {
        self.name.is_empty() && self.value.is_empty()
    }

    /// Enabled and not blank: this row goes on the wire.
    pub fn is_sent(&self) -> bool {
        self.enabled && !self.is_blank()
    }
}

/// How a typed binary body is spelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinarySource {
    Hex,
    Base64,
}

/// The value of one multipart field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MultipartValue {
    Text(String),
    /// A chosen file; its bytes are held by the app.
    File {
        file_name: String,
        content_type: String,
        size: u64,
    },
}

/// One field of a multipart/form-data body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultipartField {
    pub name: String,
    pub value: MultipartValue,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

impl MultipartField {
    /// An enabled text field.
    pub fn text(name: impl Into<String>, value: impl Into<String>) -> MultipartField {
        MultipartField { name: name.into(), value: MultipartValue::Text(value.into()), enabled: true }
    }

    /// An enabled file field.
    pub fn file(
        name: impl Into<String>,
        file_name: impl Into<String>,
        content_type: impl Into<String>,
        size: u64,
    ) -> MultipartField {
        MultipartField {
            name: name.into(),
            value: MultipartValue::File { file_name: file_name.into(), content_type: content_type.into(), size },
            enabled: true,
        }
    }
}

/// The request body as composed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestBody {
    #[default]
    None,
    Json(String),
    Xml(String),
    /// application/x-www-form-urlencoded, from the enabled rows.
    Form(Vec<KeyValue>),
    /// multipart/form-data; file bytes are held by the app, not here.
    Multipart(Vec<MultipartField>),
    Text {
        content_type: String,
        text: String,
    },
    /// Typed hex or base64.
    Binary {
        source: BinarySource,
        text: String,
    },
    /// A whole file as the body; its bytes are held by the app.
    File {
        file_name: String,
        content_type: String,
        size: u64,
    },
}

/// The `Content-Type` of form bodies.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

impl RequestBody {
    /// The Content-Type this body implies, or `None` (no body, or multipart: the browser sets
    /// that one with its boundary).
    pub fn implied_content_type(&self) -> Option<String> {
        match self {
            RequestBody::None | RequestBody::Multipart(_) => None,
            RequestBody::Json(_) => Some("application/json".into()),
            RequestBody::Xml(_) => Some("application/xml".into()),
            RequestBody::Form(_) => Some(FORM_CONTENT_TYPE.into()),
            RequestBody::Text { content_type, .. } => {
                (!content_type.trim().is_empty()).then(|| content_type.trim().to_string())
            }
            RequestBody::Binary { .. } => Some("application/octet-stream".into()),
            RequestBody::File { content_type, .. } => Some(if content_type.trim().is_empty() {
                "application/octet-stream".into()
            } else {
                content_type.trim().to_string()
            }),
        }
    }

    /// Multipart and file bodies are built by the app, which holds the file bytes.
    pub fn is_built_by_app(&self) -> bool {
        matches!(self, RequestBody::Multipart(_) | RequestBody::File { .. })
    }
}

/// Credentials that become the `Authorization` header.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Auth {
    #[default]
    None,
    Basic {
        user: String,
        password: String,
    },
    Bearer {
        token: String,
    },
}

impl Auth {
    /// The `Authorization` header value, or `None` for no auth.
    pub fn header_value(&self) -> Option<String> {
        match self {
            Auth::None => None,
            Auth::Basic { user, password } => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
            )),
            Auth::Bearer { token } => Some(format!("Bearer {token}")),
        }
    }
}

/// The default timeout of a new request.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;

/// A request as the person composed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HttpRequest {
    /// Any token; custom methods are allowed.
    pub method: String,
    /// As typed, query included.
    pub url: String,
    pub headers: Vec<KeyValue>,
    pub body: RequestBody,
    pub auth: Auth,
    pub timeout_ms: Option<u32>,
    /// Send the browser's cookies for the URL's site, and keep the ones the response sets (fetch's
    /// `credentials: "include"`; off is `"omit"`). Across origins the server must answer with
    /// `Access-Control-Allow-Credentials: true` and this page's exact origin, never `*`
    /// ([`CREDENTIALS_EXPLANATION`]). Stored only when on, so histories kept before it read the same.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub include_credentials: bool,
}

/// What "Send cookies" means, as the request options say it.
pub const CREDENTIALS_EXPLANATION: &str = "Sends the browser's cookies for the URL's site (fetch's credentials: \
    \"include\"; off, the lab uses \"omit\") and keeps the cookies the response sets. For another origin the \
    browser also demands that the server allow it: the response must carry Access-Control-Allow-Credentials: \
    true and Access-Control-Allow-Origin set to this page's exact origin (a * is refused), or the browser \
    hides it (Blocked by CORS). Cookies marked SameSite=Lax or Strict (Lax is the default) go only to the \
    page's own site. With credentials included, a 401 asking for Basic auth may open the browser's own \
    login dialog, and logins it remembers may be sent: that is why the lab omits them by default.";

impl Default for HttpRequest {
    fn default() -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            url: String::new(),
            headers: Vec::new(),
            body: RequestBody::None,
            auth: Auth::None,
            timeout_ms: Some(DEFAULT_TIMEOUT_MS),
            include_credentials: false,
        }
    }
}

/// What is wrong with one part of a request, and where in that part's text.
pub type RequestError = Diagnostic;

/// A problem at the character `char_index` of `text`.
fn error_at(message: impl Into<String>, text: &str, char_index: usize) -> RequestError {
    Diagnostic::at_char(text, char_index, message)
}

/// Which part of the composer a problem is in. `Header(i)` indexes `HttpRequest::headers`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RequestField {
    Method,
    Url,
    Header(usize),
    Body,
    Auth,
    Timeout,
}

impl fmt::Display for RequestField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestField::Method => f.write_str("method"),
            RequestField::Url => f.write_str("URL"),
            RequestField::Header(index) => write!(f, "header {}", index + 1),
            RequestField::Body => f.write_str("body"),
            RequestField::Auth => f.write_str("auth"),
            RequestField::Timeout => f.write_str("timeout"),
        }
    }
}

/// The first problem that stops a request from being sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestProblem {
    pub field: RequestField,
    pub error: RequestError,
}

impl fmt::Display for RequestProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.error)
    }
}

impl std::error::Error for RequestProblem {}

impl HttpRequest {
    /// Checks method (an HTTP token), URL (absolute http/https), enabled header names (tokens)
    /// and values (no CR, LF or NUL; nothing fetch cannot send), the body (JSON parses, XML is
    /// well-formed, hex and base64 decode), the auth and the timeout. Returns the first problem.
    pub fn check(&self) -> Result<(), RequestProblem> {
        let problem = |field: RequestField| move |error: RequestError| RequestProblem { field, error };
        check_method(&self.method).map_err(problem(RequestField::Method))?;
        check_url(&self.url).map_err(problem(RequestField::Url))?;
        for (index, header) in self.headers.iter().enumerate() {
            if header.is_sent() {
                check_header(&header.name, &header.value).map_err(problem(RequestField::Header(index)))?;
            }
        }
        check_body(&self.body).map_err(problem(RequestField::Body))?;
        check_auth(&self.auth).map_err(problem(RequestField::Auth))?;
        if self.timeout_ms == Some(0) {
            return Err(problem(RequestField::Timeout)(RequestError::new(
                "a timeout of 0 ms would cancel every request: leave it empty for no timeout",
            )));
        }
        Ok(())
    }

    /// The headers that will be sent: the enabled rows, then the Content-Type implied by the body
    /// when no enabled row sets one, then Authorization from the auth unless a row sets it.
    pub fn effective_headers(&self) -> Vec<(String, String)> {
        let mut headers: Vec<(String, String)> =
            self.headers.iter().filter(|row| row.is_sent()).map(|row| (row.name.clone(), row.value.clone())).collect();
        let has = |headers: &[(String, String)], name: &str| {
            headers.iter().any(|(existing, _)| existing.trim().eq_ignore_ascii_case(name))
        };
        if !has(&headers, "content-type")
            && let Some(content_type) = self.body.implied_content_type()
        {
            headers.push(("Content-Type".into(), content_type));
        }
        if !has(&headers, "authorization")
            && let Some(value) = self.auth.header_value()
        {
            headers.push(("Authorization".into(), value));
        }
        headers
    }

    /// The enabled header row that sets `name` (case-insensitive), if any.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|row| row.is_sent() && row.name.trim().eq_ignore_ascii_case(name))
            .map(|row| row.value.as_str())
    }

    /// The body bytes for bodies the core builds; `Ok(None)` for no body. Multipart and file
    /// bodies are an error: the app builds those from the file bytes it holds.
    pub fn body_bytes(&self) -> Result<Option<Vec<u8>>, RequestError> {
        match &self.body {
            RequestBody::None => Ok(None),
            RequestBody::Json(text) | RequestBody::Xml(text) | RequestBody::Text { text, .. } => {
                Ok(Some(text.clone().into_bytes()))
            }
            RequestBody::Form(rows) => Ok(Some(form_urlencode(rows).into_bytes())),
            RequestBody::Binary { source, text } => {
                let parsed = match source {
                    BinarySource::Hex => parse_hex(text),
                    BinarySource::Base64 => parse_base64(text),
                };
                parsed.map(Some)
            }
            RequestBody::Multipart(_) => {
                Err(RequestError::new("a multipart body is built by the app from the chosen files"))
            }
            RequestBody::File { .. } => Err(RequestError::new("a file body is built by the app from the chosen file")),
        }
    }

    /// A short label for history lists: `GET /json?x=1`, or the method and raw URL when the URL
    /// does not parse.
    pub fn label(&self) -> String {
        let target = match url::Url::parse(self.url.trim()) {
            Ok(url) if url.has_host() => match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_string(),
            },
            _ => self.url.trim().to_string(),
        };
        format!("{} {target}", self.method.trim()).trim_end().to_string()
    }
}

/// The enabled, non-blank rows as `application/x-www-form-urlencoded`.
pub fn form_urlencode(rows: &[KeyValue]) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for row in rows.iter().filter(|row| row.is_sent()) {
        serializer.append_pair(&row.name, &row.value);
    }
    serializer.finish()
}

/// Whether `text` is an RFC 9110 token: one or more of ``!#$%&'*+-.^_`|~``, digits and letters.
pub fn is_token(text: &str) -> bool {
    !text.is_empty() && text.chars().all(is_token_char)
}

fn is_token_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(ch)
}

fn describe(ch: char) -> String {
    match ch {
        ' ' => "a space".into(),
        '\t' => "a tab".into(),
        '\n' => "a line break".into(),
        '\r' => "a carriage return".into(),
        '\0' => "a NUL character".into(),
        ch if ch.is_control() => format!("control character U+{:04X}", ch as u32),
        ch => format!("'{ch}'"),
    }
}

fn check_method(method: &str) -> Result<(), RequestError> {
    if method.is_empty() {
        return Err(RequestError::new("enter a method, such as GET or POST"));
    }
    match method.chars().position(|ch| !is_token_char(ch)) {
        Some(index) => {
            let bad = method.chars().nth(index).unwrap_or(' ');
            Err(error_at(
                format!(
                    "a method is a single word of letters, digits and !#$%&'*+-.^_`|~; {} is not allowed",
                    describe(bad)
                ),
                method,
                index,
            ))
        }
        None => Ok(()),
    }
}

fn check_url(typed: &str) -> Result<(), RequestError> {
    let url = typed.trim();
    if url.is_empty() {
        return Err(RequestError::new("enter a URL, such as http://127.0.0.1:8080/json"));
    }
    // The url crate's messages have no position: point at a space in the host ourselves.
    if let Some(authority_start) = url.find("://").map(|index| index + 3) {
        let authority = url[authority_start..].split(['/', '?', '#']).next().unwrap_or_default();
        if let Some((offset, space)) = authority.char_indices().find(|(_, ch)| ch.is_whitespace()) {
            let leading = typed.len() - typed.trim_start().len();
            let index = typed[..leading + authority_start + offset].chars().count();
            return Err(error_at(format!("the host name cannot contain {}", describe(space)), typed, index));
        }
    }
    let parsed = url::Url::parse(url).map_err(|error| match error {
        url::ParseError::RelativeUrlWithoutBase => {
            RequestError::new(format!("'{url}' has no scheme: did you mean http://{url} ?"))
        }
        other => RequestError::new(format!("not a valid URL: {other}")),
    })?;
    match parsed.scheme() {
        "http" | "https" => {}
        other if !url.contains("://") && !other.is_empty() && parsed.cannot_be_a_base() => {
            // `localhost:8080/x` parses with the scheme `localhost`.
            return Err(RequestError::new(format!("'{url}' has no scheme: did you mean http://{url} ?")));
        }
        other => {
            return Err(RequestError::new(format!("the HTTP lab sends http:// and https:// URLs, not {other}:")));
        }
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(RequestError::new("the URL has no host"));
    }
    Ok(())
}

fn check_header(name: &str, value: &str) -> Result<(), RequestError> {
    if name.is_empty() {
        return Err(RequestError::new("this header has a value but no name"));
    }
    if let Some((index, bad)) = name.chars().enumerate().find(|&(_, ch)| !is_token_char(ch)) {
        let message = if bad == ':' {
            "a header name cannot contain ':'; put the value in the value column".to_string()
        } else {
            format!("a header name is letters, digits and !#$%&'*+-.^_`|~; {} is not allowed", describe(bad))
        };
        return Err(error_at(message, name, index));
    }
    check_field_value(value, "a header value")
}

/// Header values travel as bytes: no line breaks or NUL, and nothing above U+00FF (fetch refuses).
fn check_field_value(value: &str, what: &str) -> Result<(), RequestError> {
    for (index, ch) in value.chars().enumerate() {
        if matches!(ch, '\r' | '\n' | '\0') {
            return Err(error_at(format!("{what} cannot contain {}", describe(ch)), value, index));
        }
        if ch as u32 > 0xff {
            return Err(error_at(
                format!(
                    "{what} cannot contain '{ch}': the browser sends header values as Latin-1 bytes (percent-encode it)"
                ),
                value,
                index,
            ));
        }
    }
    Ok(())
}

/// What stops `body` from being sent: JSON that does not parse (or is empty), XML that is not
/// well-formed, hex or base64 that does not decode, a content type that cannot be a header value.
/// The HTTP lab also runs it while the body is typed (`http_lab::live_body_problem`).
pub fn check_body(body: &RequestBody) -> Result<(), RequestError> {
    match body {
        RequestBody::None | RequestBody::Form(_) | RequestBody::Multipart(_) | RequestBody::File { .. } => Ok(()),
        RequestBody::Json(text) => {
            if text.trim().is_empty() {
                return Err(RequestError::new("the JSON body is empty: write a JSON value or choose no body"));
            }
            crate::payload_view::check_json(text)
        }
        RequestBody::Xml(text) => crate::payload_view::pretty_xml(text).map(|_| ()),
        RequestBody::Text { content_type, .. } => check_field_value(content_type, "the content type"),
        RequestBody::Binary { source, text } => {
            let parsed = match source {
                BinarySource::Hex => parse_hex(text),
                BinarySource::Base64 => parse_base64(text),
            };
            parsed.map(|_| ())
        }
    }
}

fn check_auth(auth: &Auth) -> Result<(), RequestError> {
    match auth {
        Auth::None => Ok(()),
        Auth::Basic { user, .. } => match user.chars().position(|ch| ch == ':') {
            Some(index) => Err(error_at("a Basic auth user name cannot contain ':'", user, index)),
            None => Ok(()),
        },
        Auth::Bearer { token } => {
            if token.trim().is_empty() {
                return Err(RequestError::new("the bearer token is empty"));
            }
            check_field_value(token, "a bearer token")
        }
    }
}
