//! Importing a pasted cURL command into a request.
//!
//! People paste commands from API docs, terminals and the browser's "Copy as cURL": the command is
//! split into words the way a POSIX shell would (quotes, `$'...'`, backslash-newline), then the
//! options curl would use are mapped onto an [`HttpRequest`]. What cannot be carried over (files,
//! proxies, TLS settings) becomes a warning rather than an error; only a command that cannot be
//! read at all (no `curl`, an unterminated quote, no URL) is an error, with its position.

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::http_request::{Auth, FORM_CONTENT_TYPE, HttpRequest, KeyValue, MultipartField, RequestBody};

/// The request a curl command describes, and what of the command was left out or guessed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurlImport {
    pub request: HttpRequest,
    pub warnings: Vec<String>,
}

/// Why a command could not be read, and where in it.
pub type CurlError = Diagnostic;

/// One shell word and the character index where it starts in the command.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Word {
    text: String,
    start: usize,
}

/// Splits a command into words like a POSIX shell (no expansion): single quotes, double quotes
/// with `\$ \` \" \\` escapes, `$'...'` ANSI-C quoting, backslash escapes and backslash-newline
/// continuations, `#` comments. An unquoted `|` or `;` (or `&`, `<`, `>` starting a word) ends
/// the command.
fn split_words(command: &str, warnings: &mut Vec<String>) -> Result<Vec<Word>, CurlError> {
    let chars: Vec<char> = command.chars().collect();
    let error = |message: &str, index: usize| Diagnostic::at_char(command, index, message);
    let mut words = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut start: Option<usize> = None;
    let mut warned_variable = false;
    let mut index = 0;
    let mut finish = |current: &mut Vec<u8>, start: &mut Option<usize>| {
        if let Some(begin) = start.take() {
            words.push(Word { text: String::from_utf8_lossy(current).into_owned(), start: begin });
            current.clear();
        }
    };
    while let Some(&ch) = chars.get(index) {
        match ch {
            ' ' | '\t' | '\n' | '\r' => {
                finish(&mut current, &mut start);
                index += 1;
            }
            '\\' => match chars.get(index + 1) {
                Some('\n') => index += 2,
                Some('\r') if chars.get(index + 2) == Some(&'\n') => index += 3,
                Some(&next) => {
                    start.get_or_insert(index);
                    push_char(&mut current, next);
                    index += 2;
                }
                None => {
                    start.get_or_insert(index);
                    push_char(&mut current, '\\');
                    index += 1;
                }
            },
            '\'' => {
                start.get_or_insert(index);
                let Some(length) = chars[index + 1..].iter().position(|&ch| ch == '\'') else {
                    return Err(error("this single quote is never closed", index));
                };
                for &quoted in &chars[index + 1..index + 1 + length] {
                    push_char(&mut current, quoted);
                }
                index += length + 2;
            }
            '"' => {
                start.get_or_insert(index);
                index = read_double_quoted(&chars, index, &mut current, &mut warned_variable, warnings)
                    .ok_or_else(|| error("this double quote is never closed", index))?;
            }
            '$' if chars.get(index + 1) == Some(&'\'') => {
                start.get_or_insert(index);
                index = read_ansi_c(&chars, index + 2, &mut current)
                    .ok_or_else(|| error("this $'...' quote is never closed", index))?;
            }
            '$' if chars.get(index + 1) == Some(&'"') => {
                start.get_or_insert(index);
                index = read_double_quoted(&chars, index + 1, &mut current, &mut warned_variable, warnings)
                    .ok_or_else(|| error("this $\"...\" quote is never closed", index))?;
            }
            '#' if start.is_none() => {
                while chars.get(index).is_some_and(|&ch| ch != '\n') {
                    index += 1;
                }
            }
            '|' | ';' => {
                stop_at(ch, &chars[index..], warnings);
                break;
            }
            '&' | '<' | '>' if start.is_none() => {
                stop_at(ch, &chars[index..], warnings);
                break;
            }
            _ => {
                if ch == '$' {
                    warn_variable(&chars, index, &mut warned_variable, warnings);
                }
                start.get_or_insert(index);
                push_char(&mut current, ch);
                index += 1;
            }
        }
    }
    finish(&mut current, &mut start);
    Ok(words)
}

fn push_char(bytes: &mut Vec<u8>, ch: char) {
    let mut buffer = [0; 4];
    bytes.extend_from_slice(ch.encode_utf8(&mut buffer).as_bytes());
}

fn stop_at(ch: char, rest: &[char], warnings: &mut Vec<String>) {
    let rest: String = rest.iter().collect();
    warnings
        .push(format!("everything from `{ch}` on is not part of the curl command and was ignored: {}", rest.trim()));
}

fn warn_variable(chars: &[char], index: usize, warned: &mut bool, warnings: &mut Vec<String>) {
    let next = chars.get(index + 1).copied().unwrap_or(' ');
    if !*warned && (next.is_ascii_alphabetic() || matches!(next, '_' | '{' | '(')) {
        *warned = true;
        let name: String = chars[index..].iter().take_while(|ch| !ch.is_whitespace() && **ch != '"').collect();
        warnings.push(format!("{name} looks like a shell variable or substitution; it was kept as typed"));
    }
}

/// Reads a double-quoted string whose opening quote is at `quote`; returns the index after the
/// closing quote, or `None` if it is never closed.
fn read_double_quoted(
    chars: &[char],
    quote: usize,
    out: &mut Vec<u8>,
    warned_variable: &mut bool,
    warnings: &mut Vec<String>,
) -> Option<usize> {
    let mut index = quote + 1;
    loop {
        let ch = *chars.get(index)?;
        match ch {
            '"' => return Some(index + 1),
            '\\' => match chars.get(index + 1) {
                Some(&next @ ('$' | '`' | '"' | '\\')) => {
                    push_char(out, next);
                    index += 2;
                }
                Some('\n') => index += 2,
                _ => {
                    push_char(out, '\\');
                    index += 1;
                }
            },
            _ => {
                if ch == '$' {
                    warn_variable(chars, index, warned_variable, warnings);
                }
                push_char(out, ch);
                index += 1;
            }
        }
    }
}

/// Reads the body of a `$'...'` string starting at `index` (after the quote); returns the index
/// after the closing quote, or `None` if it is never closed. `\xHH` and octal escapes are bytes,
/// so UTF-8 written as escapes comes out as the characters it encodes.
fn read_ansi_c(chars: &[char], mut index: usize, out: &mut Vec<u8>) -> Option<usize> {
    let digits = |from: usize, radix: u32, max: usize| -> (u32, usize) {
        let mut value = 0u32;
        let mut count = 0;
        while count < max {
            match chars.get(from + count).and_then(|ch| ch.to_digit(radix)) {
                Some(digit) => {
                    value = value.wrapping_mul(radix).wrapping_add(digit);
                    count += 1;
                }
                None => break,
            }
        }
        (value, count)
    };
    loop {
        let ch = *chars.get(index)?;
        if ch == '\'' {
            return Some(index + 1);
        }
        if ch != '\\' {
            push_char(out, ch);
            index += 1;
            continue;
        }
        let escape = *chars.get(index + 1)?;
        index += 2;
        let simple = match escape {
            'a' => Some(0x07),
            'b' => Some(0x08),
            'e' | 'E' => Some(0x1b),
            'f' => Some(0x0c),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'v' => Some(0x0b),
            '\\' | '\'' | '"' | '?' => Some(escape as u8),
            _ => None,
        };
        if let Some(byte) = simple {
            out.push(byte);
            continue;
        }
        match escape {
            '0'..='7' => {
                let (value, count) = digits(index - 1, 8, 3);
                out.push((value & 0xff) as u8);
                index += count - 1;
            }
            'x' => match digits(index, 16, 2) {
                (_, 0) => out.extend_from_slice(b"\\x"),
                (value, count) => {
                    out.push(value as u8);
                    index += count;
                }
            },
            'u' | 'U' => {
                let (value, count) = digits(index, 16, if escape == 'u' { 4 } else { 8 });
                match char::from_u32(value).filter(|_| count > 0) {
                    Some(decoded) => push_char(out, decoded),
                    None => {
                        push_char(out, '\\');
                        push_char(out, escape);
                    }
                }
                index += count;
            }
            'c' => {
                let control = *chars.get(index)?;
                out.push((control as u32 & 0x1f) as u8);
                index += 1;
            }
            other => {
                push_char(out, '\\');
                push_char(out, other);
            }
        }
    }
}

/// What an option does to the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Url,
    Method,
    Header,
    /// `-d`, `--data-ascii`, `--data-binary`: `@file` reads a file.
    Data,
    /// `--data-raw`: taken literally.
    DataRaw,
    DataUrlencode,
    Json,
    Form,
    FormString,
    User,
    Bearer,
    Get,
    Head,
    UserAgent,
    Referer,
    Cookie,
    MaxTime,
    Range,
    /// Accepted and ignored: it does not change the request.
    Quiet,
    Insecure,
    /// Known, but it cannot apply in a browser: a warning.
    Unsupported,
}

struct Spec {
    long: &'static str,
    short: Option<char>,
    takes_value: bool,
    action: Action,
}

const fn spec(long: &'static str, short: Option<char>, takes_value: bool, action: Action) -> Spec {
    Spec { long, short, takes_value, action }
}

const OPTIONS: &[Spec] = &[
    spec("url", None, true, Action::Url),
    spec("request", Some('X'), true, Action::Method),
    spec("header", Some('H'), true, Action::Header),
    spec("data", Some('d'), true, Action::Data),
    spec("data-ascii", None, true, Action::Data),
    spec("data-binary", None, true, Action::Data),
    spec("data-raw", None, true, Action::DataRaw),
    spec("data-urlencode", None, true, Action::DataUrlencode),
    spec("json", None, true, Action::Json),
    spec("form", Some('F'), true, Action::Form),
    spec("form-string", None, true, Action::FormString),
    spec("user", Some('u'), true, Action::User),
    spec("oauth2-bearer", None, true, Action::Bearer),
    spec("get", Some('G'), false, Action::Get),
    spec("head", Some('I'), false, Action::Head),
    spec("user-agent", Some('A'), true, Action::UserAgent),
    spec("referer", Some('e'), true, Action::Referer),
    spec("cookie", Some('b'), true, Action::Cookie),
    spec("max-time", Some('m'), true, Action::MaxTime),
    spec("range", Some('r'), true, Action::Range),
    spec("compressed", None, false, Action::Quiet),
    spec("silent", Some('s'), false, Action::Quiet),
    spec("show-error", Some('S'), false, Action::Quiet),
    spec("verbose", Some('v'), false, Action::Quiet),
    spec("include", Some('i'), false, Action::Quiet),
    spec("location", Some('L'), false, Action::Quiet),
    spec("http1.0", Some('0'), false, Action::Quiet),
    spec("http1.1", None, false, Action::Quiet),
    spec("http2", None, false, Action::Quiet),
    spec("http2-prior-knowledge", None, false, Action::Quiet),
    spec("http3", None, false, Action::Quiet),
    spec("fail", Some('f'), false, Action::Quiet),
    spec("fail-with-body", None, false, Action::Quiet),
    spec("globoff", Some('g'), false, Action::Quiet),
    spec("no-progress-meter", None, false, Action::Quiet),
    spec("progress-bar", Some('#'), false, Action::Quiet),
    spec("no-buffer", Some('N'), false, Action::Quiet),
    spec("insecure", Some('k'), false, Action::Insecure),
    spec("output", Some('o'), true, Action::Unsupported),
    spec("remote-name", Some('O'), false, Action::Unsupported),
    spec("write-out", Some('w'), true, Action::Unsupported),
    spec("dump-header", Some('D'), true, Action::Unsupported),
    spec("proxy", Some('x'), true, Action::Unsupported),
    spec("proxy-user", Some('U'), true, Action::Unsupported),
    spec("connect-timeout", None, true, Action::Unsupported),
    spec("cookie-jar", Some('c'), true, Action::Unsupported),
    spec("cacert", None, true, Action::Unsupported),
    spec("capath", None, true, Action::Unsupported),
    spec("cert", Some('E'), true, Action::Unsupported),
    spec("key", None, true, Action::Unsupported),
    spec("resolve", None, true, Action::Unsupported),
    spec("connect-to", None, true, Action::Unsupported),
    spec("retry", None, true, Action::Unsupported),
    spec("max-redirs", None, true, Action::Unsupported),
    spec("upload-file", Some('T'), true, Action::Unsupported),
    spec("config", Some('K'), true, Action::Unsupported),
    spec("interface", None, true, Action::Unsupported),
    spec("limit-rate", None, true, Action::Unsupported),
    spec("unix-socket", None, true, Action::Unsupported),
    spec("trace", None, true, Action::Unsupported),
    spec("trace-ascii", None, true, Action::Unsupported),
    spec("ipv4", Some('4'), false, Action::Unsupported),
    spec("ipv6", Some('6'), false, Action::Unsupported),
];

/// What the options said, before it becomes a request.
#[derive(Default)]
struct Collected {
    /// (word, given with --url)
    urls: Vec<(String, bool)>,
    method: Option<String>,
    headers: Vec<KeyValue>,
    data: Vec<String>,
    json: bool,
    form: Vec<MultipartField>,
    auth: Auth,
    get: bool,
    head: bool,
    timeout_ms: Option<u32>,
}

/// Parses a pasted curl command (a leading `$ ` prompt is fine) into a request, with warnings for
/// what could not be carried over.
pub fn parse_curl(command: &str) -> Result<CurlImport, CurlError> {
    let mut warnings = Vec::new();
    let words = split_words(command, &mut warnings)?;
    let mut words = words.as_slice();
    if words.first().is_some_and(|word| word.text == "$") {
        words = &words[1..];
    }
    let Some((first, arguments)) = words.split_first() else {
        return Err(Diagnostic::at_char(
            command,
            command.chars().take_while(|ch| ch.is_whitespace()).count(),
            "paste a curl command, such as curl https://example.com",
        ));
    };
    let program = first.text.rsplit(['/', '\\']).next().unwrap_or_default();
    if !(program == "curl" || program.eq_ignore_ascii_case("curl.exe")) {
        return Err(Diagnostic::at_char(
            command,
            first.start,
            format!("a curl command starts with `curl`, not `{}`", first.text),
        ));
    }

    let mut collected = Collected::default();
    let mut index = 0;
    let mut options_ended = false;
    while let Some(word) = arguments.get(index) {
        index += 1;
        let text = word.text.as_str();
        if options_ended || !text.starts_with('-') || text == "-" {
            collected.urls.push((text.to_string(), false));
            continue;
        }
        if text == "--" {
            options_ended = true;
            continue;
        }
        if let Some(long) = text.strip_prefix("--") {
            let (name, attached) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (long, None),
            };
            let Some(spec) = OPTIONS.iter().find(|spec| spec.long == name) else {
                warnings.push(format!("curl option --{name} is not supported and was ignored"));
                continue;
            };
            let flag = format!("--{name}");
            let value = if !spec.takes_value {
                None
            } else if let Some(value) = attached {
                Some(value.to_string())
            } else if let Some(next) = arguments.get(index) {
                index += 1;
                Some(next.text.clone())
            } else {
                warnings.push(format!("{flag} at the end has no value and was ignored"));
                continue;
            };
            apply(spec.action, &flag, value.as_deref().unwrap_or_default(), &mut collected, &mut warnings);
            continue;
        }
        // A cluster of short options: `-sSL`, `-XPOST`, `-HName: v`.
        let cluster = &text[1..];
        for (offset, short) in cluster.char_indices() {
            let Some(spec) = OPTIONS.iter().find(|spec| spec.short == Some(short)) else {
                warnings.push(format!("curl option -{short} is not supported and was ignored"));
                continue;
            };
            let flag = format!("-{short}");
            if !spec.takes_value {
                apply(spec.action, &flag, "", &mut collected, &mut warnings);
                continue;
            }
            let attached = &cluster[offset + short.len_utf8()..];
            let value = if !attached.is_empty() {
                attached.to_string()
            } else if let Some(next) = arguments.get(index) {
                index += 1;
                next.text.clone()
            } else {
                warnings.push(format!("{flag} at the end has no value and was ignored"));
                break;
            };
            apply(spec.action, &flag, &value, &mut collected, &mut warnings);
            break;
        }
    }
    let request = build(collected, command, &mut warnings)?;
    Ok(CurlImport { request, warnings })
}

fn apply(action: Action, flag: &str, value: &str, collected: &mut Collected, warnings: &mut Vec<String>) {
    let file_warning = |warnings: &mut Vec<String>, file: &str| {
        warnings.push(format!(
            "{flag} {file} reads a file, which is not available here: the body is the text \"{file}\"; replace it"
        ));
    };
    match action {
        Action::Url => collected.urls.push((value.to_string(), true)),
        Action::Method => collected.method = Some(value.to_string()),
        Action::Header => add_header(value, flag, collected, warnings),
        Action::Data | Action::Json => {
            if value.starts_with('@') {
                file_warning(warnings, value);
            }
            collected.data.push(value.to_string());
            collected.json |= action == Action::Json;
        }
        Action::DataRaw => collected.data.push(value.to_string()),
        Action::DataUrlencode => {
            let encode = |text: &str| url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
            let encoded = match value.find(['=', '@']) {
                Some(at) if value[at..].starts_with('@') => {
                    file_warning(warnings, value);
                    value.to_string()
                }
                Some(0) => encode(&value[1..]),
                Some(at) => format!("{}={}", &value[..at], encode(&value[at + 1..])),
                None => encode(value),
            };
            collected.data.push(encoded);
        }
        Action::Form | Action::FormString => {
            let Some((name, content)) = value.split_once('=') else {
                warnings.push(format!("{flag} '{value}' has no '=' between the field name and its value; ignored"));
                return;
            };
            let field = match content.strip_prefix('@') {
                Some(file) if action == Action::Form => {
                    let (file_name, content_type) = parse_form_file(file);
                    warnings.push(format!(
                        "the file {file_name} for form field '{name}' is not available here: choose it again"
                    ));
                    MultipartField::file(name, file_name, content_type, 0)
                }
                _ => {
                    if action == Action::Form && content.starts_with('<') {
                        warnings.push(format!(
                            "form field '{name}' reads its value from the file {}, which is not available here",
                            &content[1..]
                        ));
                    }
                    MultipartField::text(name, content)
                }
            };
            collected.form.push(field);
        }
        Action::User => {
            let (user, password) = value.split_once(':').unwrap_or((value, ""));
            collected.auth = Auth::Basic { user: user.to_string(), password: password.to_string() };
        }
        Action::Bearer => collected.auth = Auth::Bearer { token: value.to_string() },
        Action::Get => collected.get = true,
        Action::Head => collected.head = true,
        Action::UserAgent => collected.headers.push(KeyValue::new("User-Agent", value)),
        Action::Referer => {
            collected.headers.push(KeyValue::new("Referer", value.strip_suffix(";auto").unwrap_or(value)))
        }
        Action::Cookie => {
            if value.contains('=') {
                match collected.headers.iter_mut().find(|row| row.name.eq_ignore_ascii_case("cookie")) {
                    Some(row) => row.value = format!("{}; {value}", row.value),
                    None => collected.headers.push(KeyValue::new("Cookie", value)),
                }
            } else {
                warnings.push(format!("{flag} {value} reads cookies from a file, which is not available here"));
            }
        }
        Action::MaxTime => match value.trim().parse::<f64>() {
            Ok(seconds) if seconds.is_finite() && seconds > 0.0 => {
                collected.timeout_ms = Some((seconds * 1000.0).round().clamp(1.0, u32::MAX as f64) as u32);
            }
            _ => warnings.push(format!("{flag} '{value}' is not a number of seconds; the timeout was left as it was")),
        },
        Action::Range => collected.headers.push(KeyValue::new("Range", format!("bytes={value}"))),
        Action::Quiet => {}
        Action::Insecure => warnings
            .push(format!("{flag} was ignored: the browser always verifies certificates (it does not skip the check)")),
        Action::Unsupported => warnings.push(if value.is_empty() {
            format!("{flag} does not apply when the browser sends the request; ignored")
        } else {
            format!("{flag} {value} does not apply when the browser sends the request; ignored")
        }),
    }
}

fn add_header(value: &str, flag: &str, collected: &mut Collected, warnings: &mut Vec<String>) {
    if value.starts_with('@') {
        warnings.push(format!("{flag} {value} reads headers from a file, which is not available here"));
        return;
    }
    match value.split_once(':') {
        Some((name, rest)) if rest.trim().is_empty() => {
            warnings.push(format!("{flag} '{value}' tells curl not to send its own {} header; ignored", name.trim()))
        }
        Some((name, rest)) => collected.headers.push(KeyValue::new(name.trim(), rest.trim())),
        None => match value.trim_end().strip_suffix(';') {
            Some(name) => collected.headers.push(KeyValue::new(name.trim(), "")),
            None => warnings.push(format!("{flag} '{value}' is not a header (it has no ':'); ignored")),
        },
    }
}

/// `file;type=image/png;filename=x.png` or `"quoted;name";type=...` → (file name, content type).
fn parse_form_file(spec: &str) -> (String, String) {
    let (path, params) = match spec.strip_prefix('"') {
        Some(quoted) => {
            let mut path = String::new();
            let mut chars = quoted.char_indices();
            let mut rest = "";
            while let Some((at, ch)) = chars.next() {
                match ch {
                    '\\' => path.extend(chars.next().map(|(_, escaped)| escaped)),
                    '"' => {
                        rest = &quoted[at + 1..];
                        break;
                    }
                    _ => path.push(ch),
                }
            }
            (path, rest)
        }
        None => match spec.split_once(';') {
            Some((path, params)) => (path.to_string(), params),
            None => (spec.to_string(), ""),
        },
    };
    let mut file_name = path.rsplit(['/', '\\']).next().unwrap_or_default().to_string();
    let mut content_type = String::new();
    for param in params.split(';') {
        match param.trim().split_once('=') {
            Some(("type", value)) => content_type = value.to_string(),
            Some(("filename", value)) => file_name = value.trim_matches('"').to_string(),
            _ => {}
        }
    }
    (file_name, content_type)
}

fn build(collected: Collected, command: &str, warnings: &mut Vec<String>) -> Result<HttpRequest, CurlError> {
    let Collected { urls, method, mut headers, mut data, json, form, mut auth, get, head, timeout_ms } = collected;
    // `--url` first, then a word that looks like a URL (a stray value of an unsupported option
    // must not win over it), then any word.
    let chosen = urls
        .iter()
        .position(|(_, explicit)| *explicit)
        .or_else(|| urls.iter().position(|(word, _)| word.contains("://")))
        .or_else(|| (!urls.is_empty()).then_some(0));
    let Some(chosen) = chosen else {
        return Err(Diagnostic::at_char(
            command,
            command.trim_end().chars().count(),
            "the command has no URL: add one, such as https://example.com",
        ));
    };
    for (index, (extra, _)) in urls.iter().enumerate() {
        if index != chosen {
            warnings.push(if extra.contains("://") {
                format!("only one URL is used; {extra} was ignored")
            } else {
                format!("the word `{extra}` was ignored (is it the value of an option that is not supported?)")
            });
        }
    }
    let mut url = urls[chosen].0.clone();
    if get && !data.is_empty() {
        let query = data.join("&");
        data.clear();
        let separator = if url.contains('?') { '&' } else { '?' };
        url = format!("{url}{separator}{query}");
    }
    if json {
        for name in ["Content-Type", "Accept"] {
            if !headers.iter().any(|row| row.name.eq_ignore_ascii_case(name)) {
                headers.push(KeyValue::new(name, "application/json"));
            }
        }
    }
    let has_body = !data.is_empty() || !form.is_empty();
    let method = method.unwrap_or_else(|| {
        if head {
            "HEAD"
        } else if has_body && !get {
            "POST"
        } else {
            "GET"
        }
        .to_string()
    });

    // An Authorization header curl would send as is becomes the auth tab's Basic or Bearer.
    if auth == Auth::None {
        let rows: Vec<usize> =
            (0..headers.len()).filter(|&i| headers[i].name.eq_ignore_ascii_case("authorization")).collect();
        if let [row] = rows[..]
            && let Some(found) = auth_from_header(&headers[row].value)
        {
            auth = found;
            headers.remove(row);
        }
    }

    let body = if !form.is_empty() {
        if !data.is_empty() {
            warnings.push("the command has both -F and -d data; curl refuses that, so the -d data was dropped".into());
        }
        RequestBody::Multipart(form)
    } else if data.is_empty() {
        RequestBody::None
    } else {
        let text = data.join("&");
        let content_type =
            headers.iter().find(|row| row.name.eq_ignore_ascii_case("content-type")).map(|row| row.value.clone());
        body_for(text, content_type)
    };
    // A Content-Type row that only repeats what the body implies is dropped: the body says it.
    if let Some(implied) = body.implied_content_type() {
        headers
            .retain(|row| !(row.name.eq_ignore_ascii_case("content-type") && row.value.eq_ignore_ascii_case(&implied)));
    }
    let mut request = HttpRequest { method, url, headers, body, auth, ..HttpRequest::default() };
    if timeout_ms.is_some() {
        request.timeout_ms = timeout_ms;
    }
    Ok(request)
}

fn auth_from_header(value: &str) -> Option<Auth> {
    let (scheme, credentials) = value.trim().split_once(' ')?;
    let credentials = credentials.trim();
    if scheme.eq_ignore_ascii_case("bearer") && !credentials.is_empty() {
        return Some(Auth::Bearer { token: credentials.to_string() });
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD.decode(credentials).ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (user, password) = decoded.split_once(':')?;
        let auth = Auth::Basic { user: user.to_string(), password: password.to_string() };
        // Only when it encodes back the same way, so nothing on the wire changes.
        return (auth.header_value().as_deref() == Some(&format!("Basic {credentials}"))).then_some(auth);
    }
    None
}

/// The body kind a Content-Type (or its absence, which curl sends as a form) implies.
fn body_for(text: String, content_type: Option<String>) -> RequestBody {
    let media = content_type
        .as_deref()
        .map(|value| value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        .unwrap_or_else(|| FORM_CONTENT_TYPE.to_string());
    if media == "application/json" || media.ends_with("+json") || media == "text/json" {
        RequestBody::Json(text)
    } else if media == "application/xml" || media == "text/xml" || media.ends_with("+xml") {
        RequestBody::Xml(text)
    } else if media == FORM_CONTENT_TYPE
        && let Some(rows) = parse_form(&text)
    {
        RequestBody::Form(rows)
    } else {
        RequestBody::Text { content_type: content_type.unwrap_or_else(|| FORM_CONTENT_TYPE.into()), text }
    }
}

/// `a=1&b=two+words` as rows, or `None` when the text does not look like form data.
fn parse_form(text: &str) -> Option<Vec<KeyValue>> {
    if text.chars().any(char::is_whitespace) || text.starts_with(['{', '[', '<']) {
        return None;
    }
    let mut rows = Vec::new();
    for piece in text.split('&').filter(|piece| !piece.is_empty()) {
        let (name, _) = piece.split_once('=')?;
        if name.is_empty() {
            return None;
        }
        rows.extend(url::form_urlencoded::parse(piece.as_bytes()).map(|(name, value)| KeyValue::new(name, value)));
    }
    Some(rows)
}
