//! A lab's state as a link: what the person built (the HTTP lab's request, the WebSocket lab's
//! form and message, the Formats lab's document, schema and bytes) carried in the URL fragment,
//! so opening the link restores it, and the fragment never reaches a server.
//!
//! The fragment is `link=1.<data>`: the link version, then the state as JSON (serde, every field
//! defaulted so a link made before a field existed still reads), compressed with zlib (flate2;
//! its Adler-32 check catches a link cut short or changed in copying) and written in base64url
//! without padding. JSON and not postcard because a JSON field can be added without a new link
//! version, and after compression its names cost little (measured in `tests/cases/share_link.rs`).
//!
//! Secrets are left out unless the person asks ([`Secrets::Include`]): Authorization, Cookie and
//! every header whose name says it is a key, token, password or session; Basic passwords and
//! bearer tokens; the user name and password in a URL (a token often sits in the user name);
//! query parameters and form fields named like a secret ([`is_secret_name`]). A left-out value
//! is emptied and its row switched off, so the restored request sends nothing made up, and the
//! link lists what was left out ([`LeftOut`]) so the lab can say so. Picked files are never in a
//! link (their bytes stay in the browser that picked them); the list names them too.
//!
//! Reading a link never panics: a malformed, damaged or cut-short link, one from a newer Wirelab,
//! and one that would unpack to more than [`MAX_INFLATED_BYTES`] each give a [`LinkError`] whose
//! text says what happened. Each lab is restored through its own events ([`Shareable::restore`]),
//! the same ones a person's edits make.

use std::fmt;
use std::io::{Read, Write};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use serde::{Deserialize, Serialize};

use crate::binary_input::PayloadEncoding;
use crate::formats::Format;
use crate::formats::guess::Reading;
use crate::formats::samples::{self, SAMPLE_PROTO};
use crate::formats_lab::{CompareEdit, DecodeEdit, DecodeSource, FormatsEvent, FormatsLabState, FormatsTab};
use crate::http_lab::{DraftEdit as HttpEdit, HttpEvent, HttpLabState};
use crate::http_request::{Auth, HttpRequest, KeyValue, MultipartValue, RequestBody};
use crate::lab::LabState;
use crate::query_params::url_with_params;
use crate::ws_lab::{DraftEdit as WsDraftEdit, FormEdit, WsEvent, WsLabState};

/// The link version this Wirelab writes and reads.
pub const LINK_VERSION: u32 = 1;

/// What a fragment holding a lab's state starts with (after `#`).
pub const FRAGMENT_PREFIX: &str = "link=";

/// A link never unpacks to more than this: a bigger one is refused, not inflated (a few hundred
/// bytes of zlib can unpack to gigabytes).
pub const MAX_INFLATED_BYTES: usize = 4 * 1024 * 1024;

/// The longest URL Chromium opens (2 MiB); a longer link is not offered.
pub const MAX_LINK_CHARS: usize = 2 * 1024 * 1024;

/// Above this many characters some places that carry links (chat apps, e-mail, older tools) cut
/// them; the lab warns but still copies.
pub const LONG_LINK_CHARS: usize = 8_000;

/// Whether secrets go into the link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secrets {
    LeaveOut,
    Include,
}

/// The lab a link reopens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkLab {
    Http,
    Ws,
    Formats,
}

impl LinkLab {
    pub const ALL: [LinkLab; 3] = [LinkLab::Http, LinkLab::Ws, LinkLab::Formats];

    pub fn title(self) -> &'static str {
        match self {
            LinkLab::Http => "HTTP lab",
            LinkLab::Ws => "WebSocket lab",
            LinkLab::Formats => "Formats lab",
        }
    }

    /// The page the link opens.
    pub fn path(self) -> &'static str {
        match self {
            LinkLab::Http => "/http",
            LinkLab::Ws => "/ws",
            LinkLab::Formats => "/formats",
        }
    }
}

/// The HTTP lab's request being built, with its query table (rows switched off are not in the
/// URL) and the "Show as it arrives" option.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SharedHttp {
    pub request: HttpRequest,
    pub params: Vec<KeyValue>,
    pub as_it_arrives: bool,
}

/// The WebSocket lab's connect form (the server knobs are in the URL's query) and composer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SharedWs {
    pub url: String,
    pub subprotocols: String,
    pub close_code: String,
    pub close_reason: String,
    /// `text`, `hex` or `base64` ([`PayloadEncoding::key`]).
    pub encoding: String,
    pub message: String,
    pub repeat: u32,
}

/// The Formats lab: the tab shown, the schema and message type, the Compare document, and the
/// Decode tab's bytes as they were given.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SharedFormats {
    /// `compare`, `decode` or `craft`.
    pub tab: String,
    /// The `.proto` text; `None` is the built-in sample schema (kept out of links to keep them short).
    pub proto: Option<String>,
    pub message: String,
    /// The Compare document as typed.
    pub document: String,
    pub format: Format,
    /// The sample the document is, if it is one unedited.
    pub sample: String,
    pub decode: SharedDecode,
    /// The reading chosen in the Decode tab ([`Reading::key`]); empty follows the best guess.
    pub reading: String,
}

impl Default for SharedFormats {
    fn default() -> Self {
        SharedFormats {
            tab: "compare".into(),
            proto: None,
            message: String::new(),
            document: String::new(),
            format: Format::Json,
            sample: String::new(),
            decode: SharedDecode::Typed(String::new()),
            reading: String::new(),
        }
    }
}

/// The Decode tab's bytes: as typed (hex or base64, spacing kept), or a file's name and bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SharedDecode {
    Typed(String),
    Attached {
        name: String,
        /// base64url, so the bytes cost 4/3 of their size before compression, not a number each.
        base64: String,
    },
}

impl Default for SharedDecode {
    fn default() -> Self {
        SharedDecode::Typed(String::new())
    }
}

/// One lab's state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "lab", rename_all = "snake_case")]
pub enum Shared {
    Http(SharedHttp),
    Ws(SharedWs),
    Formats(SharedFormats),
}

impl Shared {
    pub fn lab(&self) -> LinkLab {
        match self {
            Shared::Http(_) => LinkLab::Http,
            Shared::Ws(_) => LinkLab::Ws,
            Shared::Formats(_) => LinkLab::Formats,
        }
    }
}

/// Something that was in the lab and is not in the link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "what", content = "name", rename_all = "snake_case")]
pub enum LeftOut {
    /// A header's value.
    Header(String),
    BasicPassword,
    BearerToken,
    /// The user name and password written in the URL.
    UrlUserinfo,
    /// A query parameter's value.
    QueryParameter(String),
    /// A form or multipart field's value.
    FormField(String),
    /// A picked file (its bytes stay in the browser that picked it).
    File(String),
}

impl LeftOut {
    /// A secret (as opposed to a file, which a link cannot carry at all).
    pub fn is_secret(&self) -> bool {
        !matches!(self, LeftOut::File(_))
    }
}

impl fmt::Display for LeftOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LeftOut::Header(name) => write!(f, "the value of the {name} header"),
            LeftOut::BasicPassword => f.write_str("the Basic auth password"),
            LeftOut::BearerToken => f.write_str("the bearer token"),
            LeftOut::UrlUserinfo => f.write_str("the user name and password in the URL"),
            LeftOut::QueryParameter(name) => write!(f, "the value of the query parameter {name}"),
            LeftOut::FormField(name) => write!(f, "the value of the form field {name}"),
            LeftOut::File(name) => write!(f, "the file {name} (pick it again)"),
        }
    }
}

/// A lab's state and what was left out of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharedLink {
    #[serde(flatten)]
    pub state: Shared,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<LeftOut>,
}

impl SharedLink {
    /// The fragment, without `#`: `link=1.<data>`.
    pub fn to_fragment(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
        // Writing to a Vec cannot fail.
        let compressed = encoder.write_all(&json).and_then(|()| encoder.finish()).unwrap_or_default();
        format!("{FRAGMENT_PREFIX}{LINK_VERSION}.{}", URL_SAFE_NO_PAD.encode(compressed))
    }

    /// The whole link: `page` (its own fragment, if any, dropped) with this state's fragment.
    pub fn to_url(&self, page: &str) -> String {
        let base = page.split('#').next().unwrap_or_default();
        format!("{base}#{}", self.to_fragment())
    }

    /// What the lab says about what the link does not hold: `None` when it holds everything.
    pub fn left_out_sentence(&self) -> Option<String> {
        sentence_for(&self.left_out)
    }
}

/// "Left out: a, b and c." for a list, `None` when empty.
pub fn sentence_for(left_out: &[LeftOut]) -> Option<String> {
    let items: Vec<String> = left_out.iter().map(ToString::to_string).collect();
    match items.as_slice() {
        [] => None,
        [one] => Some(format!("Left out: {one}.")),
        [init @ .., last] => Some(format!("Left out: {} and {last}.", init.join(", "))),
    }
}

/// Why a link could not be opened, in words for the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// No `N.` version before the data.
    NoVersion,
    /// Made by a newer Wirelab.
    Newer(u64),
    /// A character that is not base64url, at this character index of the data.
    NotBase64 {
        index: usize,
        found: char,
    },
    /// The compressed data is damaged or cut short.
    Damaged,
    TooBig,
    /// It unpacked, but is not a lab's state (with serde's words).
    NotAState(String),
    /// A state for another lab than the one opened.
    OtherLab {
        link: LinkLab,
        opened: LinkLab,
    },
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NOT_OPENED: &str = "so it was not opened; the lab started as usual.";
        match self {
            LinkError::NoVersion => {
                write!(f, "This link is damaged: after #link= it should have a version number and a dot, {NOT_OPENED}")
            }
            LinkError::Newer(version) => write!(
                f,
                "This link was made by a newer Wirelab (link version {version}; this one reads version {LINK_VERSION}), {NOT_OPENED}"
            ),
            LinkError::NotBase64 { index, found } => write!(
                f,
                "This link is damaged: {found:?} at character {} of its data cannot be in a link (was it changed when it was copied?), {NOT_OPENED}",
                index + 1
            ),
            LinkError::Damaged => write!(
                f,
                "This link is cut short or damaged (its data does not unpack: was it copied whole?), {NOT_OPENED}"
            ),
            LinkError::TooBig => write!(
                f,
                "This link unpacks to more than {} MiB, more than any Wirelab link holds, {NOT_OPENED}",
                MAX_INFLATED_BYTES / (1024 * 1024)
            ),
            LinkError::NotAState(detail) => {
                write!(f, "This link does not hold a lab's state that Wirelab reads ({detail}), {NOT_OPENED}")
            }
            LinkError::OtherLab { link, opened } => write!(
                f,
                "This link is for the {} (open it at {}), not the {}, {NOT_OPENED}",
                link.title(),
                link.path(),
                opened.title()
            ),
        }
    }
}

impl std::error::Error for LinkError {}

/// Reads a page's fragment (with or without its `#`). `None`: the fragment holds no link.
pub fn from_fragment(fragment: &str) -> Option<Result<SharedLink, LinkError>> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let rest = fragment.strip_prefix(FRAGMENT_PREFIX)?;
    Some(read_versioned(rest))
}

fn read_versioned(rest: &str) -> Result<SharedLink, LinkError> {
    let (version, data) = rest.split_once('.').ok_or(LinkError::NoVersion)?;
    let version: u64 = version.parse().map_err(|_| LinkError::NoVersion)?;
    if version > u64::from(LINK_VERSION) {
        return Err(LinkError::Newer(version));
    }
    if version != u64::from(LINK_VERSION) {
        return Err(LinkError::NoVersion);
    }
    // Some tools append a `=` or two, or wrap a long link; neither changes the data.
    let data = data.trim_end_matches('=');
    if let Some((index, found)) =
        data.chars().enumerate().find(|&(_, ch)| !(ch.is_ascii_alphanumeric() || ch == '-' || ch == '_'))
    {
        return Err(LinkError::NotBase64 { index, found });
    }
    let compressed = URL_SAFE_NO_PAD.decode(data).map_err(|_| LinkError::Damaged)?;
    let mut json = Vec::new();
    let limit = u64::try_from(MAX_INFLATED_BYTES).unwrap_or(u64::MAX) + 1;
    ZlibDecoder::new(compressed.as_slice()).take(limit).read_to_end(&mut json).map_err(|_| LinkError::Damaged)?;
    if json.len() > MAX_INFLATED_BYTES {
        return Err(LinkError::TooBig);
    }
    serde_json::from_slice(&json).map_err(|error| LinkError::NotAState(error.to_string()))
}

/// A lab whose state goes into a link and comes back out of one through its own events.
pub trait Shareable: LabState {
    const LAB: LinkLab;

    /// The state as a link, with secrets left out or not.
    fn share(&self, secrets: Secrets) -> SharedLink;

    /// The events that make a lab show `shared`, in order, or why not (a link for another lab).
    fn restore(shared: &Shared) -> Result<Vec<Self::Event>, LinkError>;
}

fn other_lab(shared: &Shared, opened: LinkLab) -> LinkError {
    LinkError::OtherLab { link: shared.lab(), opened }
}

impl Shareable for HttpLabState {
    const LAB: LinkLab = LinkLab::Http;

    fn share(&self, secrets: Secrets) -> SharedLink {
        let mut shared = SharedHttp {
            request: self.draft.request.clone(),
            params: self.draft.params.clone(),
            as_it_arrives: self.show_as_it_arrives,
        };
        let mut left_out = files_in(&shared.request.body);
        if secrets == Secrets::LeaveOut {
            left_out.splice(0..0, leave_out_http_secrets(&mut shared));
        }
        SharedLink { state: Shared::Http(shared), left_out }
    }

    /// The request as imported (a cURL import's event), the query table (its rows switched off
    /// kept, in place), then the URL as typed when the table would spell it otherwise (the rows
    /// switched off then move to the table's end), then the option.
    fn restore(shared: &Shared) -> Result<Vec<HttpEvent>, LinkError> {
        let Shared::Http(http) = shared else { return Err(other_lab(shared, LinkLab::Http)) };
        let mut events =
            vec![HttpEvent::Import(http.request.clone()), HttpEvent::Edit(HttpEdit::Params(http.params.clone()))];
        if url_with_params(&http.request.url, &http.params) != http.request.url {
            events.push(HttpEvent::Edit(HttpEdit::Url(http.request.url.clone())));
        }
        events.push(HttpEvent::ShowAsItArrives(http.as_it_arrives));
        Ok(events)
    }
}

impl Shareable for WsLabState {
    const LAB: LinkLab = LinkLab::Ws;

    fn share(&self, secrets: Secrets) -> SharedLink {
        let mut shared = SharedWs {
            url: self.form.url.clone(),
            subprotocols: self.form.subprotocols.clone(),
            close_code: self.form.close_code.clone(),
            close_reason: self.form.close_reason.clone(),
            encoding: self.draft.encoding.key().to_string(),
            message: self.draft.text.clone(),
            repeat: self.draft.repeat,
        };
        let mut left_out = Vec::new();
        if secrets == Secrets::LeaveOut {
            let (url, url_left_out) = url_without_secrets(&shared.url);
            shared.url = url;
            left_out = url_left_out;
        }
        SharedLink { state: Shared::Ws(shared), left_out }
    }

    fn restore(shared: &Shared) -> Result<Vec<WsEvent>, LinkError> {
        let Shared::Ws(ws) = shared else { return Err(other_lab(shared, LinkLab::Ws)) };
        let encoding = PayloadEncoding::from_key(&ws.encoding).unwrap_or(PayloadEncoding::Text);
        Ok(vec![
            WsEvent::Form(FormEdit::Url(ws.url.clone())),
            WsEvent::Form(FormEdit::Subprotocols(ws.subprotocols.clone())),
            WsEvent::Form(FormEdit::CloseCode(ws.close_code.clone())),
            WsEvent::Form(FormEdit::CloseReason(ws.close_reason.clone())),
            WsEvent::Draft(WsDraftEdit::Message(encoding, ws.message.clone())),
            WsEvent::Draft(WsDraftEdit::Repeat(ws.repeat)),
        ])
    }
}

impl Shareable for FormatsLabState {
    const LAB: LinkLab = LinkLab::Formats;

    /// Nothing here is a secret: documents and bytes go in as they are.
    fn share(&self, _secrets: Secrets) -> SharedLink {
        let decode = match &self.decode.source {
            DecodeSource::Typed(text) => SharedDecode::Typed(text.clone()),
            DecodeSource::Attached { name, bytes } => {
                SharedDecode::Attached { name: name.clone(), base64: URL_SAFE_NO_PAD.encode(bytes.as_slice()) }
            }
        };
        let shared = SharedFormats {
            tab: tab_key(self.tab).to_string(),
            proto: (self.proto_source != SAMPLE_PROTO).then(|| self.proto_source.clone()),
            message: self.message.clone(),
            document: self.compare.text.clone(),
            format: self.compare.format,
            sample: self.compare.sample.to_string(),
            decode,
            reading: self.decode.choice.map(|reading| reading.key().to_string()).unwrap_or_default(),
        };
        SharedLink { state: Shared::Formats(shared), left_out: Vec::new() }
    }

    /// The schema, the document (a sample chosen again when it is one unedited, else typed and
    /// applied), the message type, the Decode bytes and reading, then the tab.
    fn restore(shared: &Shared) -> Result<Vec<FormatsEvent>, LinkError> {
        let Shared::Formats(formats) = shared else { return Err(other_lab(shared, LinkLab::Formats)) };
        let proto = formats.proto.clone().unwrap_or_else(|| SAMPLE_PROTO.to_string());
        let mut events = vec![FormatsEvent::ProtoSource(proto)];
        let unedited_sample = samples::all().into_iter().find(|sample| {
            sample.name == formats.sample && sample.json == formats.document && formats.format == Format::Json
        });
        match unedited_sample {
            Some(sample) => events.push(FormatsEvent::Compare(CompareEdit::Sample(sample.name.to_string()))),
            None => events.extend([
                FormatsEvent::Compare(CompareEdit::Format(formats.format)),
                FormatsEvent::Compare(CompareEdit::Text(formats.document.clone())),
                FormatsEvent::Compare(CompareEdit::ApplyNow),
            ]),
        }
        events.push(FormatsEvent::Message(formats.message.clone()));
        events.push(FormatsEvent::Decode(match &formats.decode {
            SharedDecode::Typed(text) => DecodeEdit::Text(text.clone()),
            SharedDecode::Attached { name, base64 } => DecodeEdit::File {
                name: name.clone(),
                bytes: URL_SAFE_NO_PAD
                    .decode(base64.trim_end_matches('='))
                    .map_err(|_| "the link's bytes are not base64url".to_string()),
            },
        }));
        events.push(FormatsEvent::Decode(DecodeEdit::Choice(Reading::from_key(&formats.reading))));
        events.push(FormatsEvent::Tab(tab_from_key(&formats.tab)));
        Ok(events)
    }
}

fn tab_key(tab: FormatsTab) -> &'static str {
    match tab {
        FormatsTab::Compare => "compare",
        FormatsTab::Decode => "decode",
        FormatsTab::Craft => "craft",
    }
}

fn tab_from_key(key: &str) -> FormatsTab {
    match key {
        "decode" => FormatsTab::Decode,
        "craft" => FormatsTab::Craft,
        _ => FormatsTab::Compare,
    }
}

/// Words that make a header, parameter or field name a secret's (whole words of the name, split
/// at punctuation and lower-to-upper case changes: `X-Api-Key`, `access_token`, `sessionId`).
const SECRET_WORDS: [&str; 18] = [
    "authorization",
    "auth",
    "cookie",
    "token",
    "secret",
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "pass",
    "apikey",
    "key",
    "signature",
    "sig",
    "credential",
    "credentials",
    "session",
    "sessionid",
];

/// Words whose endings also mark a secret when glued to another word (`accesstoken`, `clientsecret`).
const SECRET_ENDINGS: [&str; 4] = ["token", "secret", "password", "apikey"];

/// Whether a header, query parameter or form field named `name` obviously holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for ch in name.chars() {
        if !ch.is_alphanumeric() {
            words.push(std::mem::take(&mut current));
            previous_lower = false;
            continue;
        }
        if ch.is_uppercase() && previous_lower {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = ch.is_lowercase() || ch.is_ascii_digit();
        current.extend(ch.to_lowercase());
    }
    words.push(current);
    words.iter().filter(|word| !word.is_empty()).any(|word| {
        SECRET_WORDS.contains(&word.as_str())
            || SECRET_ENDINGS.iter().any(|ending| word.len() > ending.len() && word.ends_with(ending))
    })
}

/// Empties the secret rows' values and switches them off, naming each with `left_out`.
fn blank_secret_rows(rows: &mut [KeyValue], left_out: impl Fn(String) -> LeftOut) -> Vec<LeftOut> {
    let mut found = Vec::new();
    for row in rows.iter_mut().filter(|row| is_secret_name(&row.name) && !row.value.is_empty()) {
        row.value.clear();
        row.enabled = false;
        found.push(left_out(row.name.clone()));
    }
    found
}

fn leave_out_http_secrets(shared: &mut SharedHttp) -> Vec<LeftOut> {
    let mut left_out = blank_secret_rows(&mut shared.request.headers, LeftOut::Header);
    match &mut shared.request.auth {
        Auth::Basic { password, .. } if !password.is_empty() => {
            password.clear();
            left_out.push(LeftOut::BasicPassword);
        }
        Auth::Bearer { token } if !token.is_empty() => {
            token.clear();
            left_out.push(LeftOut::BearerToken);
        }
        _ => {}
    }
    let (url, had_userinfo) = without_userinfo(&shared.request.url);
    if had_userinfo {
        left_out.push(LeftOut::UrlUserinfo);
    }
    let params_left_out = blank_secret_rows(&mut shared.params, LeftOut::QueryParameter);
    shared.request.url = if params_left_out.is_empty() { url } else { url_with_params(&url, &shared.params) };
    left_out.extend(params_left_out);
    match &mut shared.request.body {
        RequestBody::Form(rows) => left_out.extend(blank_secret_rows(rows, LeftOut::FormField)),
        RequestBody::Multipart(fields) => {
            for field in fields.iter_mut().filter(|field| is_secret_name(&field.name)) {
                if let MultipartValue::Text(text) = &mut field.value
                    && !text.is_empty()
                {
                    text.clear();
                    field.enabled = false;
                    left_out.push(LeftOut::FormField(field.name.clone()));
                }
            }
        }
        _ => {}
    }
    left_out
}

/// The files a body names: a link holds their names, never their bytes.
fn files_in(body: &RequestBody) -> Vec<LeftOut> {
    match body {
        RequestBody::File { file_name, .. } if !file_name.is_empty() => vec![LeftOut::File(file_name.clone())],
        RequestBody::Multipart(fields) => fields
            .iter()
            .filter_map(|field| match &field.value {
                MultipartValue::File { file_name, .. } if !file_name.is_empty() => {
                    Some(LeftOut::File(file_name.clone()))
                }
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `url` as typed without `user:password@`, and whether it had one. Text, not `url::Url`, so the
/// rest stays exactly as typed.
fn without_userinfo(url: &str) -> (String, bool) {
    let Some(authority_start) = url.find("://").map(|index| index + 3) else { return (url.to_string(), false) };
    let authority_end =
        url[authority_start..].find(['/', '?', '#']).map_or(url.len(), |offset| authority_start + offset);
    match url[authority_start..authority_end].rfind('@') {
        Some(at) => (format!("{}{}", &url[..authority_start], &url[authority_start + at + 1..]), true),
        None => (url.to_string(), false),
    }
}

/// A WebSocket URL without its userinfo and its secret query parameters (removed: the form has
/// no table to keep a switched-off row in).
fn url_without_secrets(url: &str) -> (String, Vec<LeftOut>) {
    let (url, had_userinfo) = without_userinfo(url);
    let mut left_out = if had_userinfo { vec![LeftOut::UrlUserinfo] } else { Vec::new() };
    let params = crate::query_params::params_from_url(&url);
    let (secret, kept): (Vec<KeyValue>, Vec<KeyValue>) = params.into_iter().partition(|row| is_secret_name(&row.name));
    if secret.is_empty() {
        return (url, left_out);
    }
    left_out.extend(secret.into_iter().map(|row| LeftOut::QueryParameter(row.name)));
    (url_with_params(&url, &kept), left_out)
}
