//! Tests of `wire::query_params`: the query table read from the URL, written back into it, and
//! merged so disabled rows survive URL edits.

use wire::http_request::KeyValue;
use wire::query_params::{merge_params, params_from_url, url_with_params};

/// Rows as `(name, value)` pairs, all enabled.
type Pairs<'a> = &'a [(&'a str, &'a str)];

fn rows(pairs: Pairs) -> Vec<KeyValue> {
    pairs.iter().map(|&(name, value)| KeyValue::new(name, value)).collect()
}

case_test! {
    fn params_read_from_url() {
        let cases: &[(&str, Pairs)] = &[
            ("http://x/json", &[]),
            ("http://x/json?", &[]),
            ("http://x/json?a=1&b=2", &[("a", "1"), ("b", "2")]),
            ("http://x/?q=two+words&r=two%20words", &[("q", "two words"), ("r", "two words")]),
            ("http://x/?amp=a%26b&eq=a%3Db&plus=a%2Bb", &[("amp", "a&b"), ("eq", "a=b"), ("plus", "a+b")]),
            ("http://x/?city=K%C3%B6ln&emoji=%F0%9F%A6%80", &[("city", "Köln"), ("emoji", "🦀")]),
            ("http://x/?raw=Köln", &[("raw", "Köln")]),
            ("http://x/?empty=&flag&=novalue", &[("empty", ""), ("flag", ""), ("", "novalue")]),
            ("http://x/?tag=a&tag=b&tag=a", &[("tag", "a"), ("tag", "b"), ("tag", "a")]),
            ("http://x/?a=1&&b=2&", &[("a", "1"), ("b", "2")]),
            ("http://x/?a=1#frag?b=2", &[("a", "1")]),
            ("http://x/#frag?b=2", &[]),
            ("http://x/?a=b=c", &[("a", "b=c")]),
            ("http://x/?bad=%zz%", &[("bad", "%zz%")]),
            // Partial URLs while typing.
            ("?a=1", &[("a", "1")]),
            ("localhost:8080/x?q=", &[("q", "")]),
            ("not a url ? x = 1", &[(" x ", " 1")]),
        ];
        for &(url, expected) in cases {
            assert_eq!(params_from_url(url), rows(expected), "{url:?}");
        }
    }

    fn params_written_into_url() {
        let cases: &[(&str, Pairs, &str)] = &[
            ("http://x/json", &[("a", "1")], "http://x/json?a=1"),
            ("http://x/json?old=1", &[("a", "1"), ("b", "2")], "http://x/json?a=1&b=2"),
            ("http://x/json?old=1", &[], "http://x/json"),
            ("http://x/?q=1", &[("q", "two words")], "http://x/?q=two+words"),
            ("http://x/", &[("q", "a&b=c+d")], "http://x/?q=a%26b%3Dc%2Bd"),
            ("http://x/", &[("city", "Köln"), ("🦀", "ok")], "http://x/?city=K%C3%B6ln&%F0%9F%A6%80=ok"),
            ("http://x/", &[("empty", ""), ("", "v")], "http://x/?empty=&=v"),
            ("http://x/", &[("tag", "a"), ("tag", "b")], "http://x/?tag=a&tag=b"),
            ("http://x/p?a=1#top", &[("a", "2")], "http://x/p?a=2#top"),
            ("http://x/p#top", &[("a", "2")], "http://x/p?a=2#top"),
            ("http://x/p?a=1#top", &[], "http://x/p#top"),
            ("http://x/p#frag?not=query", &[("a", "1")], "http://x/p?a=1#frag?not=query"),
            ("HTTP://X:80/Path%20As%20Typed?z", &[("a", "1")], "HTTP://X:80/Path%20As%20Typed?a=1"),
            ("", &[("a", "1")], "?a=1"),
            ("http://x/?a=1", &[("", "")], "http://x/"),
        ];
        for &(url, params, expected) in cases {
            assert_eq!(url_with_params(url, &rows(params)), expected, "{url:?} {params:?}");
        }
    }

    fn disabled_params_are_left_out_of_the_url() {
        let params = vec![KeyValue::new("a", "1"), KeyValue::disabled("debug", "true"), KeyValue::new("b", "2")];
        assert_eq!(url_with_params("http://x/", &params), "http://x/?a=1&b=2");
        let all_off = vec![KeyValue::disabled("debug", "true")];
        assert_eq!(url_with_params("http://x/?debug=true", &all_off), "http://x/");
    }

    fn merge_keeps_disabled_rows() {
        let previous = vec![
            KeyValue::new("a", "1"),
            KeyValue::disabled("debug", "true"),
            KeyValue::new("b", "2"),
            KeyValue::disabled("trace", ""),
        ];
        let merged = merge_params("http://x/?a=9&c=3", &previous);
        assert_eq!(
            merged,
            vec![
                KeyValue::new("a", "9"),
                KeyValue::new("c", "3"),
                KeyValue::disabled("debug", "true"),
                KeyValue::disabled("trace", ""),
            ]
        );
        // Switching a row off and on again: the URL loses it, the table keeps it.
        let url = url_with_params("http://x/", &merged);
        assert_eq!(url, "http://x/?a=9&c=3");
        assert_eq!(merge_params(&url, &merged), merged);
        assert_eq!(merge_params("http://x/", &[]), vec![]);
    }

    fn table_and_url_round_trip() {
        let cases: &[Pairs] = &[
            &[("a", "1")],
            &[("q", "two words"), ("sym", "&=+?#%/"), ("uni", "日本 🦀")],
            &[("tag", "x"), ("tag", "x"), ("empty", "")],
        ];
        for &params in cases {
            let url = url_with_params("https://example.com/search#results", &rows(params));
            assert!(url.ends_with("#results"), "{url}");
            assert_eq!(params_from_url(&url), rows(params), "{url}");
        }
    }
}
