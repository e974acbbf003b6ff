//! The URL's query string as an editable table, kept in sync with the URL both ways.
//!
//! Editing the URL rewrites the table ([`params_from_url`], [`merge_params`]); editing the table
//! rewrites only the query part of the URL ([`url_with_params`]), so everything else stays exactly
//! as typed. Both directions work on partial URLs too: the composer calls them on every keystroke.

use crate::http_request::KeyValue;

/// The URL split as typed: everything before the query, the query (without `?`), and the
/// fragment (with its `#`).
fn split_url(url: &str) -> (&str, Option<&str>, &str) {
    let (before_fragment, fragment) = match url.find('#') {
        Some(index) => url.split_at(index),
        None => (url, ""),
    };
    match before_fragment.split_once('?') {
        Some((base, query)) => (base, Some(query), fragment),
        None => (before_fragment, None, fragment),
    }
}

/// The query parameters of a URL as typed, decoded (`%20` and `+` become spaces), in order, all
/// enabled. No `?` gives an empty list; a `?` after the `#` belongs to the fragment.
pub fn params_from_url(url: &str) -> Vec<KeyValue> {
    let (_, query, _) = split_url(url);
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .map(|(name, value)| KeyValue::new(name, value))
        .collect()
}

/// The URL with its query replaced by the enabled, non-blank `params`, encoded with
/// application/x-www-form-urlencoded rules; what comes before `?` and any `#fragment` are kept
/// exactly as typed. No `?` when no parameter is sent.
pub fn url_with_params(url: &str, params: &[KeyValue]) -> String {
    let (base, _, fragment) = split_url(url);
    let query = crate::http_request::form_urlencode(params);
    if query.is_empty() { format!("{base}{fragment}") } else { format!("{base}?{query}{fragment}") }
}

/// The table's new rows after the URL was edited: the URL's parameters, then the previous
/// table's disabled rows (switching a row off never loses it).
pub fn merge_params(url: &str, previous: &[KeyValue]) -> Vec<KeyValue> {
    let mut rows = params_from_url(url);
    rows.extend(previous.iter().filter(|row| !row.enabled).cloned());
    rows
}
