//! The same request as a cURL command, Python `requests` code and Rust `reqwest` code.
//!
//! Each generator writes code a person can copy and run as is: every string goes through the
//! target language's quoting (POSIX single quotes, Python and Rust string literals), so quotes,
//! backslashes and line breaks in a URL, header or body cannot break the code or change what is
//! sent. The cURL command reads back with [`crate::curl::parse_curl`] into the same request
//! wherever curl can express it.

use serde_json::Value;

use crate::binary_input::to_base64;
use crate::http_request::{
    Auth, DEFAULT_TIMEOUT_MS, FORM_CONTENT_TYPE, HttpRequest, KeyValue, MultipartField, MultipartValue, RequestBody,
};

/// "Send cookies" is the browser's cookie jar, which code outside the browser does not have.
const COOKIES_CURL: &str =
    "# The lab sends this browser's cookies (credentials: include); curl has none of them: add -b 'name=value'.";
const COOKIES_PYTHON: &str =
    "# The lab sends this browser's cookies (credentials: include); pass yours as cookies={\"name\": \"value\"}.";
const COOKIES_RUST: &str =
    "    // The lab sends this browser's cookies (credentials: include); add .header(\"Cookie\", \"name=value\").";

/// A POSIX shell single-quoted word: `it's` → `'it'\''s'`.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `text` bare when the shell reads it unchanged, else single-quoted.
fn shell_word(text: &str) -> String {
    let safe = |ch: char| ch.is_ascii_alphanumeric() || "@%+=:,./_-".contains(ch);
    if !text.is_empty() && text.chars().all(safe) { text.to_string() } else { shell_quote(text) }
}

/// Whether an effective header came from a row (rather than from the body or the auth).
fn set_by_row(request: &HttpRequest, name: &str) -> bool {
    request.header(name).is_some()
}

/// The multipart fields that are sent.
fn sent_fields(fields: &[MultipartField]) -> impl Iterator<Item = &MultipartField> {
    fields
        .iter()
        .filter(|field| field.enabled && !(field.name.is_empty() && field.value == MultipartValue::Text(String::new())))
}

fn sent_rows(rows: &[KeyValue]) -> Vec<&KeyValue> {
    rows.iter().filter(|row| row.is_sent()).collect()
}

fn has_duplicate_names<'a>(names: impl Iterator<Item = &'a str>) -> bool {
    let mut seen = std::collections::HashSet::new();
    names.into_iter().any(|name| !seen.insert(name))
}

/// Whole seconds as an integer, others as a decimal: 30000 → `30`, 1500 → `1.5`.
fn seconds(milliseconds: u32) -> String {
    if milliseconds.is_multiple_of(1000) {
        (milliseconds / 1000).to_string()
    } else {
        format!("{}", f64::from(milliseconds) / 1000.0)
    }
}

/// A multi-line curl command (` \` continuations). `-X` only when curl would not pick the method
/// itself; Basic auth as `-u`; binary bodies piped in from base64.
pub fn to_curl(request: &HttpRequest) -> String {
    let mut comments: Vec<String> = Vec::new();
    let mut pipe = String::new();
    let mut body_options: Vec<String> = Vec::new();
    match &request.body {
        RequestBody::None => {}
        RequestBody::Json(text) | RequestBody::Xml(text) | RequestBody::Text { text, .. } => {
            body_options.push(format!("--data-raw {}", shell_quote(text)));
        }
        RequestBody::Form(rows) => {
            body_options.push(format!("--data-raw {}", shell_quote(&crate::http_request::form_urlencode(rows))));
        }
        RequestBody::Binary { .. } => match request.body_bytes() {
            Ok(bytes) => {
                comments.push(
                    "# The body is binary: it is decoded from base64 and piped in (--data-binary @- reads stdin)."
                        .into(),
                );
                pipe = format!("echo {} | base64 -d | ", shell_quote(&to_base64(&bytes.unwrap_or_default())));
                body_options.push("--data-binary @-".into());
            }
            Err(error) => comments.push(format!("# The body is left out: {}", error.to_string().replace('\n', " "))),
        },
        RequestBody::File { file_name, .. } => {
            body_options.push(format!("--data-binary {}", shell_word(&format!("@{file_name}"))));
        }
        RequestBody::Multipart(fields) => {
            for field in sent_fields(fields) {
                body_options.push(match &field.value {
                    MultipartValue::Text(text) => {
                        if text.starts_with(['@', '<']) || text.contains(';') {
                            format!("--form-string {}", shell_quote(&format!("{}={text}", field.name)))
                        } else {
                            format!("-F {}", shell_quote(&format!("{}={text}", field.name)))
                        }
                    }
                    MultipartValue::File { file_name, content_type, .. } => {
                        let file = if file_name.contains([';', ',', '"', '\\']) {
                            format!("\"{}\"", file_name.replace('\\', r"\\").replace('"', "\\\""))
                        } else {
                            file_name.clone()
                        };
                        let type_part =
                            if content_type.is_empty() { String::new() } else { format!(";type={content_type}") };
                        format!("-F {}", shell_quote(&format!("{}=@{file}{type_part}", field.name)))
                    }
                });
            }
        }
    }

    let mut options: Vec<String> = Vec::new();
    let sends_body = !body_options.is_empty();
    let method = request.method.as_str();
    if method == "HEAD" && !sends_body {
        options.push("--head".into());
    } else if method != if sends_body { "POST" } else { "GET" } {
        options.push(format!("-X {}", shell_word(method)));
    }
    let basic_as_user = matches!(request.auth, Auth::Basic { .. }) && !set_by_row(request, "authorization");
    for (name, value) in request.effective_headers() {
        let from_row = set_by_row(request, &name);
        if name.eq_ignore_ascii_case("authorization") && basic_as_user {
            continue;
        }
        // curl sends form data as application/x-www-form-urlencoded by itself.
        if name.eq_ignore_ascii_case("content-type")
            && !from_row
            && matches!(request.body, RequestBody::Form(_))
            && value == FORM_CONTENT_TYPE
        {
            continue;
        }
        // `Name;` is curl's spelling of a header with an empty value (`Name:` removes it).
        let header = if value.is_empty() { format!("{name};") } else { format!("{name}: {value}") };
        options.push(format!("-H {}", shell_quote(&header)));
    }
    if let (Auth::Basic { user, password }, true) = (&request.auth, basic_as_user) {
        options.push(format!("-u {}", shell_quote(&format!("{user}:{password}"))));
    }
    options.extend(body_options);
    if let Some(timeout) = request.timeout_ms.filter(|&timeout| timeout != DEFAULT_TIMEOUT_MS) {
        options.push(format!("--max-time {}", seconds(timeout)));
    }

    if request.include_credentials {
        comments.push(COOKIES_CURL.into());
    }
    let mut out = String::new();
    for comment in comments {
        out.push_str(&comment);
        out.push('\n');
    }
    out.push_str(&format!("{pipe}curl {}", shell_quote(&request.url)));
    for option in options {
        out.push_str(" \\\n  ");
        out.push_str(&option);
    }
    out
}

/// How literals are spelled in a target language.
struct Style {
    null: &'static str,
    yes: &'static str,
    no: &'static str,
    string: fn(&str) -> String,
    integer_suffixes: bool,
}

const PYTHON: Style = Style { null: "None", yes: "True", no: "False", string: python_str, integer_suffixes: false };
const RUST: Style = Style { null: "null", yes: "true", no: "false", string: rust_str, integer_suffixes: true };

/// A JSON value as a literal of the target language, indented by 4 spaces per level, starting at
/// `depth` levels.
fn literal(value: &Value, style: &Style, depth: usize) -> String {
    let indent = |depth: usize| "    ".repeat(depth);
    match value {
        Value::Null => style.null.into(),
        Value::Bool(true) => style.yes.into(),
        Value::Bool(false) => style.no.into(),
        Value::Number(number) => {
            let text = number.to_string();
            // `json!(3000000000)` would be an out-of-range i32 literal: say the type.
            match (number.as_i64(), number.as_u64()) {
                (Some(small), _) if !style.integer_suffixes || i32::try_from(small).is_ok() => text,
                (Some(_), _) => format!("{text}i64"),
                (None, Some(_)) => format!("{text}u64"),
                (None, None) => text,
            }
        }
        Value::String(text) => (style.string)(text),
        Value::Array(items) if items.is_empty() => "[]".into(),
        Value::Array(items) => {
            let items: Vec<String> =
                items.iter().map(|item| format!("{}{}", indent(depth + 1), literal(item, style, depth + 1))).collect();
            format!("[\n{}\n{}]", items.join(",\n"), indent(depth))
        }
        Value::Object(members) if members.is_empty() => "{}".into(),
        Value::Object(members) => {
            let members: Vec<String> = members
                .iter()
                .map(|(key, item)| {
                    format!("{}{}: {}", indent(depth + 1), (style.string)(key), literal(item, style, depth + 1))
                })
                .collect();
            format!("{{\n{}\n{}}}", members.join(",\n"), indent(depth))
        }
    }
}

/// A Python string literal in double quotes; control characters as escapes.
pub fn python_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str(r"\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str(r"\n"),
            '\r' => out.push_str(r"\r"),
            '\t' => out.push_str(r"\t"),
            ch if (ch as u32) < 0x20 || ('\u{7f}'..='\u{9f}').contains(&ch) => {
                out.push_str(&format!("\\x{:02x}", ch as u32))
            }
            ch if ch.is_control() || matches!(ch, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04x}", ch as u32))
            }
            ch => out.push(ch),
        }
    }
    out.push('"');
    out
}

/// A Rust string literal: plain when it can be, raw (`r#"..."#`) when it holds quotes or
/// backslashes, escaped when it holds control characters a raw string cannot.
pub fn rust_str(text: &str) -> String {
    let awkward_control = text.chars().any(|ch| ch.is_control() && ch != '\n' && ch != '\t');
    if !awkward_control && (text.contains('"') || text.contains('\\')) {
        let mut longest = 0;
        for (index, _) in text.match_indices('"') {
            longest = longest.max(text[index + 1..].chars().take_while(|&ch| ch == '#').count());
        }
        let hashes = "#".repeat(longest + 1);
        return format!("r{hashes}\"{text}\"{hashes}");
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str(r"\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str(r"\n"),
            '\r' => out.push_str(r"\r"),
            '\t' => out.push_str(r"\t"),
            '\0' => out.push_str(r"\0"),
            ch if ch.is_control() => out.push_str(&format!("\\u{{{:x}}}", ch as u32)),
            ch => out.push(ch),
        }
    }
    out.push('"');
    out
}

/// A Rust byte string literal `b"..."`.
fn rust_bytes(bytes: &[u8]) -> String {
    let mut out = String::from("b\"");
    for &byte in bytes {
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str(r"\\"),
            0x20..=0x7e => out.push(byte as char),
            _ => out.push_str(&format!("\\x{byte:02x}")),
        }
    }
    out.push('"');
    out
}

/// A Python string or, with non-ASCII text, its UTF-8 bytes (requests would send a `str` body as
/// Latin-1).
fn python_text_body(text: &str) -> String {
    if text.is_ascii() { python_str(text) } else { format!("{}.encode(\"utf-8\")", python_str(text)) }
}

/// A pair list or dict of Python literals, depending on whether names repeat.
fn python_pairs(pairs: &[(String, String)], depth: usize) -> String {
    if pairs.is_empty() {
        return "{}".into();
    }
    let indent = "    ".repeat(depth + 1);
    let duplicates = has_duplicate_names(pairs.iter().map(|(name, _)| name.as_str()));
    let items: Vec<String> = pairs
        .iter()
        .map(
            |(name, value)| {
                if duplicates { format!("{indent}({name}, {value}),") } else { format!("{indent}{name}: {value},") }
            },
        )
        .collect();
    let (open, close) = if duplicates { ('[', ']') } else { ('{', '}') };
    format!("{open}\n{}\n{}{close}", items.join("\n"), "    ".repeat(depth))
}

/// Python code using `requests`: `requests.request(method, url, ...)`, then the status and text.
pub fn to_python_requests(request: &HttpRequest) -> String {
    let mut arguments: Vec<String> = vec![python_str(&request.method), python_str(&request.url)];
    let mut comments: Vec<String> = Vec::new();
    let mut library_sets_content_type = false;
    let mut body_argument: Option<String> = None;
    match &request.body {
        RequestBody::None => {}
        RequestBody::Json(text) => match serde_json::from_str::<Value>(text) {
            Ok(value) => {
                library_sets_content_type = true;
                body_argument = Some(format!("json={}", literal(&value, &PYTHON, 1)));
            }
            Err(_) => body_argument = Some(format!("data={}", python_text_body(text))),
        },
        RequestBody::Xml(text) | RequestBody::Text { text, .. } => {
            body_argument = Some(format!("data={}", python_text_body(text)))
        }
        RequestBody::Form(rows) => {
            library_sets_content_type = true;
            let pairs: Vec<(String, String)> =
                sent_rows(rows).iter().map(|row| (python_str(&row.name), python_str(&row.value))).collect();
            body_argument = Some(format!("data={}", python_pairs(&pairs, 1)));
        }
        RequestBody::Binary { .. } => match request.body_bytes() {
            Ok(bytes) => {
                let hex: String = bytes.unwrap_or_default().iter().map(|byte| format!("{byte:02x}")).collect();
                body_argument = Some(format!("data=bytes.fromhex({})", python_str(&hex)));
            }
            Err(error) => comments.push(format!("# The body is left out: {}", error.to_string().replace('\n', " "))),
        },
        RequestBody::File { file_name, .. } => {
            body_argument = Some(format!("data=open({}, \"rb\")", python_str(file_name)));
        }
        RequestBody::Multipart(fields) => {
            let pairs: Vec<(String, String)> = sent_fields(fields)
                .map(|field| {
                    let value = match &field.value {
                        MultipartValue::Text(text) => format!("(None, {})", python_str(text)),
                        MultipartValue::File { file_name, content_type, .. } => {
                            let name = python_str(file_name);
                            if content_type.is_empty() {
                                format!("({name}, open({name}, \"rb\"))")
                            } else {
                                format!("({name}, open({name}, \"rb\"), {})", python_str(content_type))
                            }
                        }
                    };
                    (python_str(&field.name), value)
                })
                .collect();
            body_argument = Some(format!("files={}", python_pairs(&pairs, 1)));
        }
    }
    let auth_argument = match (&request.auth, set_by_row(request, "authorization")) {
        (Auth::Basic { user, password }, false) => {
            Some(format!("auth=({}, {})", python_str(user), python_str(password)))
        }
        _ => None,
    };
    let headers: Vec<(String, String)> = request
        .effective_headers()
        .into_iter()
        .filter(|(name, _)| {
            let auth_sets_it = name.eq_ignore_ascii_case("authorization") && auth_argument.is_some();
            let library_sets_it =
                name.eq_ignore_ascii_case("content-type") && library_sets_content_type && !set_by_row(request, name);
            !auth_sets_it && !library_sets_it
        })
        .map(|(name, value)| (python_str(&name), python_str(&value)))
        .collect();
    if !headers.is_empty() {
        // Header names are unique in a dict; a repeated name keeps its last value, as requests would.
        let indent = "        ";
        let items: Vec<String> = headers.iter().map(|(name, value)| format!("{indent}{name}: {value},")).collect();
        arguments.push(format!("headers={{\n{}\n    }}", items.join("\n")));
    }
    arguments.extend(body_argument);
    arguments.extend(auth_argument);
    if let Some(timeout) = request.timeout_ms {
        arguments.push(format!("timeout={}", seconds(timeout)));
    }

    if request.include_credentials {
        comments.push(COOKIES_PYTHON.into());
    }
    let mut out = String::from("import requests\n\n");
    for comment in comments {
        out.push_str(&comment);
        out.push('\n');
    }
    out.push_str("response = requests.request(\n");
    for argument in arguments {
        out.push_str(&format!("    {argument},\n"));
    }
    out.push_str(")\n\nprint(response.status_code, response.reason)\nprint(response.text)\n");
    out
}

/// A complete Rust program using `reqwest` and tokio that sends the request and prints the status
/// and the body.
pub fn to_rust_reqwest(request: &HttpRequest) -> String {
    let mut features: Vec<&str> = Vec::new();
    let mut serde_json_needed = false;
    let mut calls: Vec<String> = Vec::new();
    let mut prelude: Vec<String> = Vec::new();
    let mut library_sets_content_type = false;
    let method = request.method.as_str();
    let url = rust_str(&request.url);
    calls.push(match method {
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" => format!(".{}({url})", method.to_ascii_lowercase()),
        "OPTIONS" | "TRACE" | "CONNECT" => format!(".request(reqwest::Method::{method}, {url})"),
        other => format!(".request(reqwest::Method::from_bytes({})?, {url})", rust_bytes(other.as_bytes())),
    });

    let mut body_call: Option<String> = None;
    match &request.body {
        RequestBody::None => {}
        RequestBody::Json(text) => match serde_json::from_str::<Value>(text) {
            Ok(value) => {
                features.push("json");
                serde_json_needed = true;
                library_sets_content_type = true;
                body_call = Some(format!(".json(&serde_json::json!({}))", literal(&value, &RUST, 2)));
            }
            Err(_) => body_call = Some(format!(".body({})", rust_str(text))),
        },
        RequestBody::Xml(text) | RequestBody::Text { text, .. } => {
            body_call = Some(format!(".body({})", rust_str(text)))
        }
        RequestBody::Form(rows) => {
            let rows = sent_rows(rows);
            if rows.is_empty() {
                body_call = Some(".body(\"\")".into());
            } else {
                library_sets_content_type = true;
                let pairs: Vec<String> =
                    rows.iter().map(|row| format!("({}, {})", rust_str(&row.name), rust_str(&row.value))).collect();
                body_call = Some(format!(".form(&[{}])", pairs.join(", ")));
            }
        }
        RequestBody::Binary { .. } => match request.body_bytes() {
            Ok(bytes) => body_call = Some(format!(".body({}.to_vec())", rust_bytes(&bytes.unwrap_or_default()))),
            Err(error) => {
                prelude.push(format!("    // The body is left out: {}", error.to_string().replace('\n', " ")))
            }
        },
        RequestBody::File { file_name, .. } => {
            body_call = Some(format!(".body(std::fs::read({})?)", rust_str(file_name)));
        }
        RequestBody::Multipart(fields) => {
            features.push("multipart");
            let mut form = String::from("    let form = reqwest::multipart::Form::new()");
            for field in sent_fields(fields) {
                let name = rust_str(&field.name);
                match &field.value {
                    MultipartValue::Text(text) => {
                        form.push_str(&format!("\n        .text({name}, {})", rust_str(text)))
                    }
                    MultipartValue::File { file_name, content_type, .. } => {
                        let file = rust_str(file_name);
                        let mime = if content_type.is_empty() {
                            String::new()
                        } else {
                            format!(".mime_str({})?", rust_str(content_type))
                        };
                        form.push_str(&format!(
                            "\n        .part({name}, reqwest::multipart::Part::bytes(std::fs::read({file})?).file_name({file}){mime})"
                        ));
                    }
                }
            }
            form.push(';');
            prelude.push(form);
            body_call = Some(".multipart(form)".into());
        }
    }

    let auth_call = match (&request.auth, set_by_row(request, "authorization")) {
        (Auth::Basic { user, password }, false) => {
            Some(format!(".basic_auth({}, Some({}))", rust_str(user), rust_str(password)))
        }
        (Auth::Bearer { token }, false) => Some(format!(".bearer_auth({})", rust_str(token))),
        _ => None,
    };
    for (name, value) in request.effective_headers() {
        let from_row = set_by_row(request, &name);
        if name.eq_ignore_ascii_case("authorization") && auth_call.is_some() {
            continue;
        }
        if name.eq_ignore_ascii_case("content-type") && library_sets_content_type && !from_row {
            continue;
        }
        calls.push(format!(".header({}, {})", rust_str(&name), rust_str(&value)));
    }
    calls.extend(auth_call);
    calls.extend(body_call);
    if request.include_credentials {
        prelude.insert(0, COOKIES_RUST.into());
    }
    if let Some(timeout) = request.timeout_ms {
        calls.push(format!(".timeout(Duration::from_millis({timeout}))"));
    }
    calls.push(".send()".into());
    calls.push(".await?;".into());

    let reqwest = if features.is_empty() {
        "reqwest = \"0.12\"".to_string()
    } else {
        let quoted: Vec<String> = features.iter().map(|feature| format!("\"{feature}\"")).collect();
        format!("reqwest = {{ version = \"0.12\", features = [{}] }}", quoted.join(", "))
    };
    let serde_json = if serde_json_needed { ", serde_json = \"1\"" } else { "" };
    let mut out =
        format!("// Cargo.toml: {reqwest}{serde_json}, tokio = {{ version = \"1\", features = [\"full\"] }}\n");
    if request.timeout_ms.is_some() {
        out.push_str("use std::time::Duration;\n");
    }
    out.push_str(
        "\n#[tokio::main]\nasync fn main() -> Result<(), Box<dyn std::error::Error>> {\n    let client = reqwest::Client::new();\n",
    );
    for line in prelude {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("    let response = client");
    for call in calls {
        out.push_str("\n        ");
        out.push_str(&call);
    }
    out.push_str(
        "\n\n    println!(\"{}\", response.status());\n    println!(\"{}\", response.text().await?);\n    Ok(())\n}\n",
    );
    out
}
