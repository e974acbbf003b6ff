//! permessage-deflate (RFC 7692) negotiation for `/ws/echo` and `/ws/inspect`: which of a client's
//! offers the server accepts and what it answers, decided here so the rules can be tested as a
//! table; yawc then compresses and decompresses with what was agreed.
//!
//! A client may send several offers, in order of preference (`permessage-deflate;
//! server_max_window_bits=10, permessage-deflate`). The server takes the first one it can honour and
//! declines offers with unknown or repeated parameters, or with values outside RFC 7692's ranges.
//! `handshake.rs` writes the answer ([`Offer::answer`]) into the 101 and gives yawc the same text
//! as the agreed extension.
//!
//! What the server answers:
//!
//! - `server_max_window_bits`: the smaller of the client's request and `--deflate-window-bits`; sent
//!   unasked when `--deflate-window-bits` is below 15. A request for 8 is declined: zlib cannot
//!   produce a raw deflate stream with a 256-byte window (it silently uses 512 bytes), so the
//!   server could not keep the promise.
//! - `client_max_window_bits`: never. The server always inflates with a 32 KiB window, which reads
//!   whatever window the client compresses with, so there is nothing to ask of the client.
//! - `server_no_context_takeover` and `client_no_context_takeover`: always, unless
//!   `--deflate-context-takeover on`. RFC 7692 lets a server require both even when the client did
//!   not offer them. Without context, no deflate state outlives a message: it is borrowed from a
//!   pool shared by all connections, so a connection that has exchanged messages and gone idle
//!   costs no more than one that never did (with context, each such connection keeps about 300 KiB
//!   of compressor and decompressor state for its lifetime).

use std::fmt;

use axum::http::{HeaderMap, header};
use yawc::{CompressionLevel, DeflateOptions, DeflatePool};

/// The extension token of RFC 7692.
const PERMESSAGE_DEFLATE: &str = "permessage-deflate";

/// The window sizes RFC 7692 allows in window-bits parameters.
const RFC_WINDOW_BITS: std::ops::RangeInclusive<u8> = 8..=15;

/// The window sizes the server can compress with (zlib's smallest raw deflate window is 2^9).
pub const SERVER_WINDOW_BITS: std::ops::RangeInclusive<u8> = 9..=15;

/// How the server treats permessage-deflate offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeflateConfig {
    /// Whether an offer is accepted at all; when false every connection is uncompressed.
    pub enabled: bool,
    /// The largest LZ77 window the server compresses with, as bits (9 to 15).
    pub window_bits: u8,
    /// Whether each side may keep its compression context from one message to the next.
    pub context_takeover: bool,
}

impl Default for DeflateConfig {
    fn default() -> Self {
        Self { enabled: true, window_bits: 15, context_takeover: false }
    }
}

/// The parameters of one acceptable offer that the server has to honour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Offer {
    /// The largest window the client lets the server compress with.
    pub server_max_window_bits: Option<u8>,
    /// The client asked the server not to keep context between messages.
    pub server_no_context_takeover: bool,
    /// The client said it will not keep context between messages.
    pub client_no_context_takeover: bool,
}

impl Offer {
    /// The server's answer to this offer (what yawc's merge of the offer with [`yawc_options`]
    /// would answer): the client's parameters, the server's window when smaller than the
    /// default, and no context takeover either way unless the server keeps context.
    pub(crate) fn answer(&self, config: &DeflateConfig) -> String {
        let ours = (config.window_bits < 15).then_some(config.window_bits);
        let no_context = !config.context_takeover;
        Offer {
            server_max_window_bits: match (self.server_max_window_bits, ours) {
                (Some(theirs), Some(ours)) => Some(theirs.min(ours)),
                (theirs, ours) => theirs.or(ours),
            },
            server_no_context_takeover: self.server_no_context_takeover || no_context,
            client_no_context_takeover: self.client_no_context_takeover || no_context,
        }
        .to_string()
    }
}

/// The extension in its canonical spelling, without `client_max_window_bits` (see the module
/// docs).
impl fmt::Display for Offer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PERMESSAGE_DEFLATE)?;
        if let Some(bits) = self.server_max_window_bits {
            write!(f, "; server_max_window_bits={bits}")?;
        }
        if self.server_no_context_takeover {
            f.write_str("; server_no_context_takeover")?;
        }
        if self.client_no_context_takeover {
            f.write_str("; client_no_context_takeover")?;
        }
        Ok(())
    }
}

/// The first permessage-deflate offer in the request's `Sec-WebSocket-Extensions` headers that
/// the server can accept, if any.
pub(crate) fn first_acceptable_offer(headers: &HeaderMap) -> Option<Offer> {
    headers
        .get_all(header::SEC_WEBSOCKET_EXTENSIONS)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .find_map(parse_offer)
}

/// One extension from the list: `None` unless it is a permessage-deflate offer the server accepts.
fn parse_offer(extension: &str) -> Option<Offer> {
    let mut parts = extension.split(';').map(str::trim);
    if parts.next()? != PERMESSAGE_DEFLATE {
        return None;
    }
    let mut offer = Offer::default();
    let mut client_max_window_bits = false;
    for param in parts {
        let (name, value) = match param.split_once('=') {
            Some((name, value)) => (name.trim(), Some(value.trim().trim_matches('"'))),
            None => (param, None),
        };
        match (name, value) {
            ("server_max_window_bits", Some(value)) if offer.server_max_window_bits.is_none() => {
                let bits = window_bits(value)?;
                // See the module docs: a 2^8 window cannot be honoured.
                if !SERVER_WINDOW_BITS.contains(&bits) {
                    return None;
                }
                offer.server_max_window_bits = Some(bits);
            }
            ("client_max_window_bits", value) if !client_max_window_bits => {
                if let Some(value) = value {
                    window_bits(value)?;
                }
                client_max_window_bits = true;
            }
            ("server_no_context_takeover", None) if !offer.server_no_context_takeover => {
                offer.server_no_context_takeover = true;
            }
            ("client_no_context_takeover", None) if !offer.client_no_context_takeover => {
                offer.client_no_context_takeover = true;
            }
            // Unknown, repeated, or with a value where none belongs (or none where one does).
            _ => return None,
        }
    }
    Some(offer)
}

/// A window-bits value: a decimal integer from 8 to 15, with no sign or leading zero.
fn window_bits(value: &str) -> Option<u8> {
    if value.starts_with('0') || !value.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    value.parse::<u8>().ok().filter(|bits| RFC_WINDOW_BITS.contains(bits))
}

/// What yawc compresses with once an offer is accepted: the configured window, fast compression
/// (an echo wants latency more than ratio), empty messages left alone, and without context
/// takeover a pool shared by every connection.
pub(crate) fn yawc_options(config: &DeflateConfig, pool: &DeflatePool) -> DeflateOptions {
    let no_context = !config.context_takeover;
    DeflateOptions {
        level: CompressionLevel::fast(),
        // At 15 nothing needs saying: it is what the client assumes.
        server_max_window_bits: (config.window_bits < 15).then_some(config.window_bits),
        client_max_window_bits: None,
        server_no_context_takeover: no_context,
        client_no_context_takeover: no_context,
        // An empty message is sent as it is. yawc 0.5 never finishes compressing one with a kept
        // context (zlib has nothing to flush, and yawc waits for the flush marker), and uncompressed
        // it is 0 bytes instead of 1 anyway.
        compression_threshold: 1,
        pool: no_context.then(|| pool.clone()),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn chosen(values: &[&str]) -> Option<Offer> {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(header::SEC_WEBSOCKET_EXTENSIONS, HeaderValue::from_str(value).unwrap());
        }
        first_acceptable_offer(&headers)
    }

    const PLAIN: Offer =
        Offer { server_max_window_bits: None, server_no_context_takeover: false, client_no_context_takeover: false };

    #[test]
    fn offers_are_accepted_or_declined_by_the_rules_of_rfc_7692() {
        let cases: &[(&[&str], Option<Offer>)] = &[
            (&[], None),
            (&["x-webkit-deflate-frame"], None),
            (&["permessage-deflate"], Some(PLAIN)),
            (&["permessage-deflate; client_max_window_bits"], Some(PLAIN)),
            (&["permessage-deflate; client_max_window_bits=10"], Some(PLAIN)),
            (
                &["permessage-deflate; server_max_window_bits=10"],
                Some(Offer { server_max_window_bits: Some(10), ..PLAIN }),
            ),
            (
                &["permessage-deflate;server_max_window_bits=\"12\""],
                Some(Offer { server_max_window_bits: Some(12), ..PLAIN }),
            ),
            (
                &["permessage-deflate; server_no_context_takeover; client_no_context_takeover"],
                Some(Offer { server_no_context_takeover: true, client_no_context_takeover: true, ..PLAIN }),
            ),
            // Declined: a window the server cannot keep to, values out of range or malformed,
            // a value missing or where none belongs, repeated or unknown parameters.
            (&["permessage-deflate; server_max_window_bits=8"], None),
            (&["permessage-deflate; server_max_window_bits=16"], None),
            (&["permessage-deflate; server_max_window_bits=010"], None),
            (&["permessage-deflate; server_max_window_bits"], None),
            (&["permessage-deflate; client_max_window_bits=7"], None),
            (&["permessage-deflate; client_max_window_bits=+9"], None),
            (&["permessage-deflate; server_no_context_takeover=1"], None),
            (&["permessage-deflate; client_no_context_takeover; client_no_context_takeover"], None),
            (&["permessage-deflate; server_max_window_bits=10; server_max_window_bits=11"], None),
            (&["permessage-deflate; mystery"], None),
            // The first acceptable offer wins, across one header or several.
            (
                &["permessage-deflate; server_max_window_bits=8, permessage-deflate; server_no_context_takeover"],
                Some(Offer { server_no_context_takeover: true, ..PLAIN }),
            ),
            (&["foo, permessage-deflate; mystery", "permessage-deflate"], Some(PLAIN)),
            (
                &["permessage-deflate; server_max_window_bits=9, permessage-deflate"],
                Some(Offer { server_max_window_bits: Some(9), ..PLAIN }),
            ),
        ];
        for (headers, expected) in cases {
            assert_eq!(chosen(headers), *expected, "{headers:?}");
        }
    }

    #[test]
    fn offers_are_written_in_canonical_form() {
        let cases = [
            (PLAIN, "permessage-deflate"),
            (Offer { server_max_window_bits: Some(9), ..PLAIN }, "permessage-deflate; server_max_window_bits=9"),
            (
                Offer {
                    server_max_window_bits: Some(12),
                    server_no_context_takeover: true,
                    client_no_context_takeover: true,
                },
                "permessage-deflate; server_max_window_bits=12; server_no_context_takeover; client_no_context_takeover",
            ),
        ];
        for (offer, expected) in cases {
            assert_eq!(offer.to_string(), expected);
        }
    }

    /// (server setting, accepted offer) → the answer in the 101.
    #[test]
    fn the_answer_merges_the_offer_with_the_server_setting() {
        let default = DeflateConfig::default();
        let takeover = DeflateConfig { context_takeover: true, ..default };
        let none = "server_no_context_takeover; client_no_context_takeover";
        let cases = [
            (default, PLAIN, format!("permessage-deflate; {none}")),
            (
                DeflateConfig { window_bits: 12, ..default },
                PLAIN,
                format!("permessage-deflate; server_max_window_bits=12; {none}"),
            ),
            (
                DeflateConfig { window_bits: 10, ..default },
                Offer { server_max_window_bits: Some(12), ..PLAIN },
                format!("permessage-deflate; server_max_window_bits=10; {none}"),
            ),
            (
                default,
                Offer { server_max_window_bits: Some(9), ..PLAIN },
                format!("permessage-deflate; server_max_window_bits=9; {none}"),
            ),
            (takeover, PLAIN, "permessage-deflate".to_owned()),
            (
                takeover,
                Offer { client_no_context_takeover: true, ..PLAIN },
                "permessage-deflate; client_no_context_takeover".to_owned(),
            ),
        ];
        for (config, offer, expected) in cases {
            assert_eq!(offer.answer(&config), expected, "{config:?} {offer:?}");
        }
    }

    #[test]
    fn the_window_is_only_announced_when_smaller_than_the_default() {
        let pool = DeflatePool::new(1);
        let cases = [
            (DeflateConfig::default(), None, true),
            (DeflateConfig { window_bits: 10, ..DeflateConfig::default() }, Some(10), true),
            (DeflateConfig { context_takeover: true, ..DeflateConfig::default() }, None, false),
        ];
        for (config, window, no_context) in cases {
            let options = yawc_options(&config, &pool);
            assert_eq!(options.server_max_window_bits, window, "{config:?}");
            assert_eq!(options.client_max_window_bits, None, "{config:?}");
            assert_eq!(
                (options.server_no_context_takeover, options.client_no_context_takeover, options.pool.is_some()),
                (no_context, no_context, no_context),
                "{config:?}"
            );
        }
    }
}
