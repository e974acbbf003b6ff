//! WebSocket addresses and subprotocol lists, checked before the browser sees them so a typo gets
//! a sentence instead of the browser's bare `SyntaxError`.

use std::fmt;

use url::Url;

/// The path of the server's echo endpoint.
pub const ECHO_PATH: &str = "/ws/echo";

/// The echo endpoint of the server that served the page: `ws://` for an `http:` page and
/// `wss://` for an `https:` one, so the default never trips mixed-content blocking.
pub fn echo_url_for_page(page_protocol: &str, page_host: &str) -> String {
    let scheme = if page_protocol.trim_end_matches(':') == "https" { "wss" } else { "ws" };
    let host = if page_host.is_empty() { "127.0.0.1:8080" } else { page_host };
    format!("{scheme}://{host}{ECHO_PATH}")
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointError(pub String);

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a WebSocket URL as the browser would and returns it normalised. `http://` and
/// `https://` are accepted and turned into `ws://` and `wss://` (as browsers now do). A `ws://`
/// URL from an `https:` page is refused: the browser would block it as mixed content.
pub fn check_socket_url(input: &str, page_is_secure: bool) -> Result<String, EndpointError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(EndpointError("enter a URL, such as ws://127.0.0.1:8080/ws/echo".into()));
    }
    let mut url = Url::parse(trimmed).map_err(|error| {
        EndpointError(match error {
            url::ParseError::RelativeUrlWithoutBase => {
                format!("'{trimmed}' has no scheme: start it with ws:// or wss://")
            }
            other => format!("not a valid URL: {other}"),
        })
    })?;
    let scheme = match url.scheme() {
        "ws" | "http" => "ws",
        "wss" | "https" => "wss",
        other => {
            return Err(EndpointError(format!("a WebSocket URL starts with ws:// or wss://, not {other}:")));
        }
    };
    if url.scheme() != scheme {
        // Both schemes are "special", so the change cannot fail; keep the original if it did.
        let _ = url.set_scheme(scheme);
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(EndpointError("the URL has no host".into()));
    }
    if url.fragment().is_some() {
        return Err(EndpointError("a WebSocket URL cannot have a #fragment".into()));
    }
    if page_is_secure && scheme == "ws" {
        return Err(EndpointError(
            "this page was loaded over HTTPS, so the browser blocks unencrypted ws:// \
             connections (mixed content): use wss://"
                .into(),
        ));
    }
    Ok(url.to_string())
}

/// Parses subprotocols typed as a comma- or space-separated list (`chat, json`). Each must be an
/// HTTP token (RFC 6455 §4.1) and appear once, or the browser throws.
pub fn parse_subprotocols(input: &str) -> Result<Vec<String>, EndpointError> {
    let mut protocols: Vec<String> = Vec::new();
    for item in input.split([',', ' ', '\t', '\n']).filter(|item| !item.is_empty()) {
        if let Some(bad) = item.chars().find(|&ch| !is_token_char(ch)) {
            return Err(EndpointError(format!(
                "subprotocol '{item}' contains '{bad}', which is not allowed in a token"
            )));
        }
        if protocols.iter().any(|seen| seen == item) {
            return Err(EndpointError(format!("subprotocol '{item}' is listed twice")));
        }
        protocols.push(item.to_string());
    }
    Ok(protocols)
}

fn is_token_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(ch)
}
