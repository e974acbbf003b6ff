//! Tests of `wire::http_request`: what `check` refuses and where, the headers and body bytes that
//! go on the wire, history labels and tokens.

use wire::http_request::{
    Auth, BinarySource, HttpRequest, KeyValue, MultipartField, RequestBody, RequestField, is_token,
};

fn request(method: &str, url: &str) -> HttpRequest {
    HttpRequest { method: method.into(), url: url.into(), ..HttpRequest::default() }
}

fn with_body(body: RequestBody) -> HttpRequest {
    HttpRequest { body, ..request("POST", "http://127.0.0.1:8080/echo") }
}

fn problem(request: &HttpRequest) -> String {
    match request.check() {
        Ok(()) => "ok".into(),
        Err(problem) => problem.to_string(),
    }
}

case_test! {
    fn defaults() {
        let request = HttpRequest::default();
        assert_eq!(request.method, "GET");
        assert_eq!(request.url, "");
        assert_eq!(request.body, RequestBody::None);
        assert_eq!(request.auth, Auth::None);
        assert_eq!(request.timeout_ms, Some(30_000));
        assert!(KeyValue::new("a", "b").enabled);
    }

    fn tokens() {
        for token in ["GET", "PURGE", "x-custom", "M-SEARCH", "!#$%&'*+-.^_`|~09azAZ"] {
            assert!(is_token(token), "{token:?}");
        }
        for not_token in ["", "GET ", "a:b", "é", "(x)", "a\"b", "a/b", "a,b", "a\tb"] {
            assert!(!is_token(not_token), "{not_token:?}");
        }
    }

    fn accepted_requests() {
        let cases = [
            request("GET", "http://127.0.0.1:8080/json"),
            request("PURGE", "https://example.com/cache?key=1#x"),
            request("GET", "  http://localhost/ "),
            request("GET", "http://[::1]:8080/"),
            with_body(RequestBody::Json("  {\"a\": [1, true, null]}\n".into())),
            with_body(RequestBody::Xml("<?xml version=\"1.0\"?><a><b x=\"1\"/></a>".into())),
            with_body(RequestBody::Binary { source: BinarySource::Hex, text: "de ad be ef".into() }),
            with_body(RequestBody::Binary { source: BinarySource::Base64, text: "3q2+7w==".into() }),
            with_body(RequestBody::Form(vec![KeyValue::new("", "")])),
            with_body(RequestBody::Text { content_type: String::new(), text: "anything".into() }),
            HttpRequest {
                headers: vec![
                    KeyValue::new("X-Latin1", "café"),
                    KeyValue::new("", ""),
                    KeyValue { name: "bad name".into(), value: "x\ny".into(), enabled: false },
                ],
                auth: Auth::Basic { user: "ada".into(), password: "p:ss".into() },
                timeout_ms: None,
                ..request("GET", "http://x/")
            },
        ];
        for request in cases {
            assert_eq!(problem(&request), "ok", "{request:?}");
        }
    }

    fn refused_requests() {
        let header = |name: &str, value: &str| HttpRequest {
            headers: vec![KeyValue::new("Accept", "*/*"), KeyValue::new(name, value)],
            ..request("GET", "http://x/")
        };
        let cases = [
            (request("", "http://x/"), "method: enter a method, such as GET or POST"),
            (request("GE T", "http://x/"), "method: a method is a single word of letters, digits and !#$%&'*+-.^_`|~; a space is not allowed at line 1, column 3"),
            (request("GET", ""), "URL: enter a URL, such as http://127.0.0.1:8080/json"),
            (request("GET", "example.com/json"), "URL: 'example.com/json' has no scheme: did you mean http://example.com/json ?"),
            (request("GET", "localhost:8080/json"), "URL: 'localhost:8080/json' has no scheme: did you mean http://localhost:8080/json ?"),
            (request("GET", "127.0.0.1:8080"), "URL: '127.0.0.1:8080' has no scheme: did you mean http://127.0.0.1:8080 ?"),
            (request("GET", "ftp://example.com/file"), "URL: the HTTP lab sends http:// and https:// URLs, not ftp:"),
            (request("GET", "ws://example.com/ws"), "URL: the HTTP lab sends http:// and https:// URLs, not ws:"),
            (request("GET", "http://"), "URL: not a valid URL: empty host"),
            (request("GET", "http://exa mple.com/"), "URL: the host name cannot contain a space at line 1, column 11"),
            (request("GET", "http://example.com/a b?c d"), "ok"),
            (request("GET", "  http://x "), "ok"),
            (request("GET", " http://a\tb/"), "URL: the host name cannot contain a tab at line 1, column 10"),
            (request("GET", "http://x:99999/"), "URL: not a valid URL: invalid port number"),
            (header("X Trace", "1"), "header 2: a header name is letters, digits and !#$%&'*+-.^_`|~; a space is not allowed at line 1, column 2"),
            (header("X-Trace:", "1"), "header 2: a header name cannot contain ':'; put the value in the value column at line 1, column 8"),
            (header("", "orphan"), "header 2: this header has a value but no name"),
            (header("X-Two", "line one\nline two"), "header 2: a header value cannot contain a line break at line 1, column 9"),
            (header("X-Cr", "a\rb"), "header 2: a header value cannot contain a carriage return at line 1, column 2"),
            (header("X-Emoji", "ok 🦀"), "header 2: a header value cannot contain '🦀': the browser sends header values as Latin-1 bytes (percent-encode it) at line 1, column 4"),
            (with_body(RequestBody::Json("{\n  \"a\": 1,\n  \"b\": \n}".into())), "body: not JSON: expected value at line 4, column 1"),
            (with_body(RequestBody::Json("{\"a\": 1,}".into())), "body: not JSON: trailing comma at line 1, column 9"),
            (with_body(RequestBody::Json("{'a': 1}".into())), "body: not JSON: key must be a string at line 1, column 2"),
            (with_body(RequestBody::Json("[1, 2] 3".into())), "body: not JSON: trailing characters at line 1, column 8"),
            (with_body(RequestBody::Json("  \n".into())), "body: the JSON body is empty: write a JSON value or choose no body"),
            (with_body(RequestBody::Xml("<a>\n<b></c>\n</a>".into())), "body: not well-formed XML: ill-formed document: expected `</b>`, but `</c>` was found at line 2, column 4"),
            (with_body(RequestBody::Xml("<a><b>".into())), "body: not well-formed XML: <b> is never closed at line 1, column 7"),
            (with_body(RequestBody::Binary { source: BinarySource::Hex, text: "de ad\nbe eg".into() }), "body: 'g' is not a hex digit at line 2, column 5"),
            (with_body(RequestBody::Binary { source: BinarySource::Base64, text: "3q2*7w==".into() }), "body: '*' is not a base64 character at line 1, column 4"),
            (with_body(RequestBody::Text { content_type: "text/plain\r\nX-Evil: 1".into(), text: "hi".into() }), "body: the content type cannot contain a carriage return at line 1, column 11"),
            (HttpRequest { auth: Auth::Basic { user: "ada:lovelace".into(), password: String::new() }, ..request("GET", "http://x/") }, "auth: a Basic auth user name cannot contain ':' at line 1, column 4"),
            (HttpRequest { auth: Auth::Bearer { token: " ".into() }, ..request("GET", "http://x/") }, "auth: the bearer token is empty"),
            (HttpRequest { auth: Auth::Bearer { token: "abc\ndef".into() }, ..request("GET", "http://x/") }, "auth: a bearer token cannot contain a line break at line 1, column 4"),
            (HttpRequest { timeout_ms: Some(0), ..request("GET", "http://x/") }, "timeout: a timeout of 0 ms would cancel every request: leave it empty for no timeout"),
        ];
        for (request, expected) in cases {
            assert_eq!(problem(&request), expected, "{request:?}");
        }
    }

    fn problems_say_which_field() {
        let request = HttpRequest {
            headers: vec![KeyValue::new("Ok", "1"), KeyValue::disabled("Bad Name", ""), KeyValue::new("Also Bad", "")],
            ..request("GET", "http://x/")
        };
        let problem = request.check().err().map(|problem| problem.field);
        assert_eq!(problem, Some(RequestField::Header(2)));
        let json = with_body(RequestBody::Json("{".into())).check().err();
        assert_eq!(json.as_ref().map(|problem| problem.field), Some(RequestField::Body));
        assert_eq!(
            json.and_then(|problem| problem.error.position()).map(|position| (position.line, position.column)),
            Some((1, 1))
        );
    }

    fn effective_headers() {
        let basic = Auth::Basic { user: "ada".into(), password: "pä:ss".into() };
        let cases: Vec<(HttpRequest, Vec<(&str, &str)>)> = vec![
            (request("GET", "http://x/"), vec![]),
            (with_body(RequestBody::Json("{}".into())), vec![("Content-Type", "application/json")]),
            (with_body(RequestBody::Xml("<a/>".into())), vec![("Content-Type", "application/xml")]),
            (with_body(RequestBody::Form(vec![])), vec![("Content-Type", "application/x-www-form-urlencoded")]),
            (with_body(RequestBody::Multipart(vec![MultipartField::text("a", "1")])), vec![]),
            (with_body(RequestBody::Text { content_type: "text/csv".into(), text: "a,b".into() }), vec![("Content-Type", "text/csv")]),
            (with_body(RequestBody::Text { content_type: String::new(), text: "a".into() }), vec![]),
            (with_body(RequestBody::Binary { source: BinarySource::Hex, text: "00".into() }), vec![("Content-Type", "application/octet-stream")]),
            (with_body(RequestBody::File { file_name: "a.png".into(), content_type: "image/png".into(), size: 3 }), vec![("Content-Type", "image/png")]),
            (with_body(RequestBody::File { file_name: "a.bin".into(), content_type: String::new(), size: 3 }), vec![("Content-Type", "application/octet-stream")]),
            (
                HttpRequest {
                    headers: vec![
                        KeyValue::new("Accept", "*/*"),
                        KeyValue::disabled("X-Off", "1"),
                        KeyValue::new("", ""),
                        KeyValue::new("content-type", "application/vnd.api+json"),
                    ],
                    auth: basic.clone(),
                    ..with_body(RequestBody::Json("{}".into()))
                },
                vec![("Accept", "*/*"), ("content-type", "application/vnd.api+json"), ("Authorization", "Basic YWRhOnDDpDpzcw==")],
            ),
            (
                HttpRequest { auth: Auth::Bearer { token: "t0k3n".into() }, ..request("GET", "http://x/") },
                vec![("Authorization", "Bearer t0k3n")],
            ),
            (
                HttpRequest {
                    headers: vec![KeyValue::new("authorization", "Digest xyz")],
                    auth: basic,
                    ..request("GET", "http://x/")
                },
                vec![("authorization", "Digest xyz")],
            ),
        ];
        for (request, expected) in cases {
            let expected: Vec<(String, String)> =
                expected.into_iter().map(|(name, value)| (name.to_string(), value.to_string())).collect();
            assert_eq!(request.effective_headers(), expected, "{request:?}");
        }
    }

    fn body_bytes() {
        let form = RequestBody::Form(vec![
            KeyValue::new("name", "Ada Lovelace"),
            KeyValue::disabled("off", "1"),
            KeyValue::new("sym", "a&b=c+d/é"),
            KeyValue::new("", ""),
            KeyValue::new("empty", ""),
        ]);
        let cases = [
            (RequestBody::None, Ok(None)),
            (RequestBody::Json("{\"a\":1}".into()), Ok(Some(b"{\"a\":1}".to_vec()))),
            (RequestBody::Xml("<a/>".into()), Ok(Some(b"<a/>".to_vec()))),
            (form, Ok(Some(b"name=Ada+Lovelace&sym=a%26b%3Dc%2Bd%2F%C3%A9&empty=".to_vec()))),
            (RequestBody::Text { content_type: "text/plain".into(), text: "héllo".into() }, Ok(Some("héllo".as_bytes().to_vec()))),
            (RequestBody::Binary { source: BinarySource::Hex, text: "0xde 0xad".into() }, Ok(Some(vec![0xde, 0xad]))),
            (RequestBody::Binary { source: BinarySource::Base64, text: "3q0=".into() }, Ok(Some(vec![0xde, 0xad]))),
            (RequestBody::Binary { source: BinarySource::Hex, text: "d".into() }, Err("odd number of hex digits (1) in this group: each byte needs two at line 1, column 1".to_string())),
            (RequestBody::Multipart(vec![]), Err("a multipart body is built by the app from the chosen files".to_string())),
            (RequestBody::File { file_name: "a".into(), content_type: String::new(), size: 0 }, Err("a file body is built by the app from the chosen file".to_string())),
        ];
        for (body, expected) in cases {
            let built = with_body(body.clone()).body_bytes().map_err(|error| error.to_string());
            assert_eq!(built, expected, "{body:?}");
            assert_eq!(body.is_built_by_app(), matches!(body, RequestBody::Multipart(_) | RequestBody::File { .. }));
        }
    }

    fn labels() {
        let cases = [
            (request("GET", "http://127.0.0.1:8080/json"), "GET /json"),
            (request("POST", "https://example.com/api/items?page=2&q=a%20b#top"), "POST /api/items?page=2&q=a%20b"),
            (request("GET", "https://example.com"), "GET /"),
            (request("DELETE", "example.com/x"), "DELETE example.com/x"),
            (request("GET", ""), "GET"),
            (request("PURGE", " http://x/cache "), "PURGE /cache"),
        ];
        for (request, expected) in cases {
            assert_eq!(request.label(), expected, "{request:?}");
        }
    }

    fn serde_round_trip_and_defaults() {
        let multipart = HttpRequest {
            headers: vec![KeyValue::disabled("X", "1")],
            body: RequestBody::Multipart(vec![
                MultipartField::text("a", "1"),
                MultipartField::file("f", "a.png", "image/png", 42),
            ]),
            auth: Auth::Bearer { token: "t".into() },
            ..request("PUT", "http://x/")
        };
        let json = serde_json::to_string(&multipart).unwrap_or_default();
        assert_eq!(serde_json::from_str::<HttpRequest>(&json).ok(), Some(multipart));
        let partial: Option<HttpRequest> = serde_json::from_str(r#"{"url":"http://x/","headers":[{"name":"A","value":"1"}]}"#).ok();
        assert_eq!(
            partial,
            Some(HttpRequest { headers: vec![KeyValue::new("A", "1")], ..request("GET", "http://x/") })
        );
    }
}
