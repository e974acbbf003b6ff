//! The echo server's fault-injection knobs, carried as query parameters on `/ws/echo` and
//! `/ws/inspect` (`?delay_ms=200&fragment=16`): parsed and checked by the server, written into
//! the URL by the WebSocket lab's connect form, and listed on the page that documents them.

use std::fmt;

/// Each knob: its query parameter, what it does, and an example value.
pub const KNOBS: [(&str, &str, &str); 8] = [
    ("delay_ms", "wait this many milliseconds before each echo (at most 60000)", "250"),
    ("fragment", "echo each message in frames of at most this many bytes", "16"),
    ("close_after", "close the connection after echoing this many messages (0: right after opening)", "3"),
    ("close_code", "the close code the server sends when it closes (1000–1003, 1007–1011, 3000–4999)", "4000"),
    ("close_reason", "the close reason the server sends with it (at most 123 bytes)", "bye"),
    ("ping_ms", "send a ping every this many milliseconds (10 to 3600000)", "1000"),
    ("subprotocol", "which of the offered subprotocols to select (default: the first)", "chat"),
    ("compress", "negotiate permessage-deflate when the client offers it: on or off", "off"),
];

/// Longest delay a client may ask for.
pub const MAX_DELAY_MS: u64 = 60_000;

/// The knobs of one connection; `None` leaves the server's default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EchoOptions {
    pub delay_ms: Option<u64>,
    pub fragment: Option<usize>,
    pub close_after: Option<u64>,
    pub close_code: Option<u16>,
    pub close_reason: Option<String>,
    pub ping_ms: Option<u64>,
    pub subprotocol: Option<String>,
    pub compress: Option<bool>,
}

/// A knob with a value the server will not take, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionError {
    pub param: String,
    pub message: String,
}

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.param, self.message)
    }
}

impl std::error::Error for OptionError {}

/// Whether a server may send `code` in a close frame (RFC 6455 section 7.4).
pub fn server_may_send(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1011 | 3000..=4999)
}

fn number<T: std::str::FromStr>(param: &str, value: &str) -> Result<T, OptionError> {
    value
        .trim()
        .parse()
        .map_err(|_| OptionError { param: param.into(), message: format!("'{value}' is not a whole number") })
}

fn refuse<T>(param: &str, message: impl Into<String>) -> Result<T, OptionError> {
    Err(OptionError { param: param.into(), message: message.into() })
}

impl EchoOptions {
    /// Reads the knobs from `(name, value)` pairs (a parsed query); other parameters are ignored.
    /// A knob given twice takes its last value; the first bad value is the error.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<EchoOptions, OptionError> {
        let mut options = EchoOptions::default();
        for (param, value) in pairs {
            match param {
                "delay_ms" => {
                    let delay: u64 = number(param, value)?;
                    if delay > MAX_DELAY_MS {
                        return refuse(param, format!("{delay} ms is more than the {MAX_DELAY_MS} ms allowed"));
                    }
                    options.delay_ms = Some(delay);
                }
                "fragment" => {
                    let size: usize = number(param, value)?;
                    if size == 0 {
                        return refuse(param, "a frame must carry at least 1 byte");
                    }
                    options.fragment = Some(size);
                }
                "close_after" => options.close_after = Some(number(param, value)?),
                "close_code" => {
                    let code: u16 = number(param, value)?;
                    if !server_may_send(code) {
                        return refuse(
                            param,
                            format!("a server may not send {code} (use 1000–1003, 1007–1011 or 3000–4999)"),
                        );
                    }
                    options.close_code = Some(code);
                }
                "close_reason" => {
                    if value.len() > 123 {
                        return refuse(param, format!("{} bytes; a close reason holds at most 123", value.len()));
                    }
                    options.close_reason = Some(value.to_owned());
                }
                "ping_ms" => {
                    let every: u64 = number(param, value)?;
                    if !(10..=3_600_000).contains(&every) {
                        return refuse(param, format!("{every} ms is outside 10 to 3600000"));
                    }
                    options.ping_ms = Some(every);
                }
                "subprotocol" => options.subprotocol = Some(value.to_owned()),
                "compress" => {
                    options.compress = Some(match value {
                        "on" | "true" | "1" => true,
                        "off" | "false" | "0" => false,
                        other => return refuse(param, format!("'{other}' is neither on nor off")),
                    })
                }
                _ => {}
            }
        }
        Ok(options)
    }

    /// Reads the knobs from a URL's query string (without the `?`).
    pub fn from_query(query: &str) -> Result<EchoOptions, OptionError> {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        EchoOptions::from_pairs(pairs.iter().map(|(name, value)| (name.as_str(), value.as_str())))
    }

    /// The knobs that are set, as query pairs in [`KNOBS`] order.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        let mut add = |name: &'static str, value: Option<String>| {
            if let Some(value) = value {
                pairs.push((name, value));
            }
        };
        add("delay_ms", self.delay_ms.map(|value| value.to_string()));
        add("fragment", self.fragment.map(|value| value.to_string()));
        add("close_after", self.close_after.map(|value| value.to_string()));
        add("close_code", self.close_code.map(|value| value.to_string()));
        add("close_reason", self.close_reason.clone());
        add("ping_ms", self.ping_ms.map(|value| value.to_string()));
        add("subprotocol", self.subprotocol.clone());
        add("compress", self.compress.map(|on| if on { "on" } else { "off" }.to_string()));
        pairs
    }

    /// `url` with its knobs replaced by these (other query parameters are kept).
    pub fn apply_to_url(&self, url: &str) -> Result<String, OptionError> {
        let mut parsed = url::Url::parse(url.trim())
            .map_err(|error| OptionError { param: "URL".into(), message: format!("not a valid URL: {error}") })?;
        let kept: Vec<(String, String)> = parsed
            .query_pairs()
            .into_owned()
            .filter(|(name, _)| !KNOBS.iter().any(|(knob, _, _)| knob == name))
            .collect();
        let pairs = self.to_pairs();
        if kept.is_empty() && pairs.is_empty() {
            parsed.set_query(None);
        } else {
            let mut query = parsed.query_pairs_mut();
            query.clear();
            for (name, value) in &kept {
                query.append_pair(name, value);
            }
            for (name, value) in &pairs {
                query.append_pair(name, value);
            }
        }
        Ok(parsed.to_string())
    }
}

/// The value of knob `name` in `url`'s query, or an empty string.
pub fn knob_value(url: &str, name: &str) -> String {
    url::Url::parse(url.trim())
        .ok()
        .and_then(|parsed| {
            parsed.query_pairs().filter(|(key, _)| key == name).last().map(|(_, value)| value.into_owned())
        })
        .unwrap_or_default()
}

/// `url` with knob `name` set to `value` as typed (an empty value removes it), other parameters
/// kept in place. The value is not checked here: the connect form shows [`EchoOptions::from_query`]'s
/// verdict beside it, so what the person typed is never rewritten.
pub fn set_knob(url: &str, name: &str, value: &str) -> Option<String> {
    let mut parsed = url::Url::parse(url.trim()).ok()?;
    let mut pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    let position = pairs.iter().position(|(key, _)| key == name);
    pairs.retain(|(key, _)| key != name);
    if !value.is_empty() {
        let at = position.unwrap_or(pairs.len()).min(pairs.len());
        pairs.insert(at, (name.to_owned(), value.to_owned()));
    }
    if pairs.is_empty() {
        parsed.set_query(None);
    } else {
        parsed.query_pairs_mut().clear().extend_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    }
    Some(parsed.to_string())
}

/// `url` with its path replaced (`/ws/echo` ↔ `/ws/inspect`), query kept.
pub fn with_path(url: &str, path: &str) -> Option<String> {
    let mut parsed = url::Url::parse(url.trim()).ok()?;
    parsed.set_path(path);
    Some(parsed.to_string())
}
