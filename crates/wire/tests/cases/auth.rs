//! Tests of `wire::auth`: Basic, Digest against RFC 2617 §3.5 and RFC 7616 §3.9.1 (the session
//! and auth-int forms against Python's hashlib, which shares no code with these crates), the
//! server's reading of answers, bad headers with their place, and RFC 6455's accept example.

use expect_test::{Expect, expect};
use wire::auth::{
    DigestAlgorithm, DigestAnswer, DigestAuthorization, DigestChallenge, Step, basic_header, basic_steps, digest_steps,
    websocket_accept_steps,
};

const RFC_2617_CHALLENGE: &str = r#"Digest
                 realm="testrealm@host.com",
                 qop="auth,auth-int",
                 nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",
                 opaque="5ccc069c403ebaf9f0171e9517f40e41""#;

const RFC_7616_CHALLENGE: &str = r#"Digest
    realm="http-auth@example.org",
    qop="auth, auth-int",
    algorithm=SHA-256,
    nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
    opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#;

fn challenge(header: &str) -> DigestChallenge {
    DigestChallenge::parse(header).unwrap_or_else(|error| panic!("{header}: {error}"))
}

fn with_algorithm(header: &str, algorithm: DigestAlgorithm) -> DigestChallenge {
    DigestChallenge { algorithm, ..challenge(header) }
}

fn rfc_7616_answer(qop: &str, method: &str, body: &[u8]) -> DigestAnswer {
    DigestAnswer {
        username: "Mufasa".into(),
        uri: "/dir/index.html".into(),
        method: method.into(),
        cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ".into(),
        nc: 1,
        qop: Some(qop.into()),
        body: body.to_vec(),
    }
}

fn rfc_2617_answer(qop: Option<&str>) -> DigestAnswer {
    DigestAnswer {
        username: "Mufasa".into(),
        uri: "/dir/index.html".into(),
        method: "GET".into(),
        cnonce: "0a4f113b".into(),
        nc: 1,
        qop: qop.map(String::from),
        body: Vec::new(),
    }
}

fn render(steps: &[Step]) -> String {
    steps.iter().map(|step| format!("{}\n  in:  {}\n  out: {}\n", step.label, step.input, step.output)).collect()
}

fn check_steps(steps: &[Step], expected: Expect) {
    expected.assert_eq(&render(steps));
}

case_test! {
    fn basic() {
        assert_eq!(basic_header("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert_eq!(basic_header("user", "pass"), "Basic dXNlcjpwYXNz");
        check_steps(&basic_steps("Aladdin", "open sesame"), expect![[r#"
            user, a colon, the password
              in:  Aladdin / open sesame
              out: Aladdin:open sesame
            base64 of its UTF-8 bytes
              in:  Aladdin:open sesame
              out: QWxhZGRpbjpvcGVuIHNlc2FtZQ==
            the Authorization header
              in:  QWxhZGRpbjpvcGVuIHNlc2FtZQ==
              out: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==
        "#]]);
    }

    fn digest_responses_against_the_rfcs_and_hashlib() {
        let rfc_7616 = |algorithm| with_algorithm(RFC_7616_CHALLENGE, algorithm);
        let cases = [
            ("RFC 2617 §3.5", challenge(RFC_2617_CHALLENGE), rfc_2617_answer(Some("auth")), "Circle Of Life", "6629fae49393a05397450978507c4ef1"),
            ("RFC 2069 form (no qop)", challenge(RFC_2617_CHALLENGE), rfc_2617_answer(None), "Circle Of Life", "670fd8c2df070c60b045671b8b24ff02"),
            ("RFC 7616 §3.9.1 MD5", rfc_7616(DigestAlgorithm::Md5), rfc_7616_answer("auth", "GET", b""), "Circle of Life", "8ca523f5e9506fed4657c9700eebdbec"),
            ("RFC 7616 §3.9.1 SHA-256", challenge(RFC_7616_CHALLENGE), rfc_7616_answer("auth", "GET", b""), "Circle of Life", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
            ("MD5-sess", rfc_7616(DigestAlgorithm::Md5Sess), rfc_7616_answer("auth", "GET", b""), "Circle of Life", "e783283f46242139c486a698fec7211d"),
            ("SHA-256-sess", rfc_7616(DigestAlgorithm::Sha256Sess), rfc_7616_answer("auth", "GET", b""), "Circle of Life", "2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7"),
            ("MD5 auth-int", rfc_7616(DigestAlgorithm::Md5), rfc_7616_answer("auth-int", "POST", br#"{"a":1}"#), "Circle of Life", "15b188edd42ec64280df76d316ec198e"),
            ("SHA-256-sess auth-int", rfc_7616(DigestAlgorithm::Sha256Sess), rfc_7616_answer("auth-int", "POST", br#"{"a":1}"#), "Circle of Life", "b6ef89f80f15dd9624f086daa5d9840cb169851629b766a72c8948850462aa88"),
        ];
        for (name, challenge, answer, password, expected) in cases {
            let steps = digest_steps(&challenge, &answer, password);
            assert_eq!(steps.response.output, expected, "{name}");
            // What the server reads back from the header agrees, and only for the right password.
            let read = DigestAuthorization::parse(&steps.authorization).unwrap_or_else(|error| panic!("{name}: {error}"));
            assert_eq!(read.response, expected, "{name}");
            assert!(read.verify(&answer.method, password, &answer.body), "{name} verifies");
            assert!(!read.verify(&answer.method, "circle of life", &answer.body), "{name}: wrong password");
            assert!(!read.verify("PUT", password, &answer.body), "{name}: other method");
        }
    }

    fn rfc_2617_worked_out() {
        let steps = digest_steps(&challenge(RFC_2617_CHALLENGE), &rfc_2617_answer(Some("auth")), "Circle Of Life");
        check_steps(&steps.steps, expect![[r#"
            HA1 = MD5(username:realm:password)
              in:  Mufasa:testrealm@host.com:Circle Of Life
              out: 939e7578ed9e3c518a452acee763bce9
            HA2 = MD5(method:uri)
              in:  GET:/dir/index.html
              out: 39aff3a2bab6126f332b942af96d3366
            response = MD5(HA1:nonce:nc:cnonce:qop:HA2)
              in:  939e7578ed9e3c518a452acee763bce9:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:0a4f113b:auth:39aff3a2bab6126f332b942af96d3366
              out: 6629fae49393a05397450978507c4ef1
            the Authorization header
              in:  6629fae49393a05397450978507c4ef1
              out: Digest username="Mufasa", realm="testrealm@host.com", uri="/dir/index.html", algorithm=MD5, nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", nc=00000001, cnonce="0a4f113b", qop=auth, response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"
        "#]]);
    }

    fn session_and_integrity_steps() {
        let challenge = with_algorithm(RFC_7616_CHALLENGE, DigestAlgorithm::Sha256Sess);
        let steps = digest_steps(&challenge, &rfc_7616_answer("auth-int", "POST", br#"{"a":1}"#), "Circle of Life");
        let labels: Vec<&str> = steps.steps.iter().map(|step| step.label.as_str()).collect();
        assert_eq!(labels, [
            "SHA-256(username:realm:password)",
            "SHA-256(entity body)",
            "HA1 = SHA-256(SHA-256(username:realm:password):nonce:cnonce)",
            "HA2 = SHA-256(method:uri:SHA-256(entity body))",
            "response = SHA-256(HA1:nonce:nc:cnonce:qop:HA2)",
            "the Authorization header",
        ]);
        assert_eq!(steps.steps[1].input, r#"{"a":1}"#);
        assert!(steps.ha2.input.starts_with("POST:/dir/index.html:"), "{}", steps.ha2.input);
    }

    fn challenges_read_and_written() {
        let cases = [
            (RFC_7616_CHALLENGE, r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#),
            (RFC_2617_CHALLENGE, r#"Digest realm="testrealm@host.com", qop="auth, auth-int", algorithm=MD5, nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#),
            // httpbin's shape: unquoted algorithm, stale=FALSE, parameters in another order.
            (r#"Digest realm="me@kennethreitz.com", nonce="abc", qop="auth", opaque="xyz", algorithm=MD5-sess, stale=FALSE"#,
             r#"Digest realm="me@kennethreitz.com", qop="auth", algorithm=MD5-sess, nonce="abc", opaque="xyz""#),
            (r#"digest REALM="a \"quoted\" realm", nonce=n0nce, stale=true, algorithm=sha-256-SESS"#,
             r#"Digest realm="a \"quoted\" realm", algorithm=SHA-256-sess, nonce="n0nce", stale=true"#),
        ];
        for (header, expected) in cases {
            let read = challenge(header);
            assert_eq!(read.to_header(), expected, "{header}");
            assert_eq!(DigestChallenge::parse(&read.to_header()).as_ref(), Ok(&read), "{header} round trip");
        }
    }

    fn bad_headers_say_where() {
        let cases = [
            ("", "expected the Digest scheme (\"Digest realm=…\") at line 1, column 1"),
            ("Basic realm=\"x\"", "expected the Digest scheme (\"Digest realm=…\") at line 1, column 1"),
            ("Digest realm=\"x\"", "nonce=… is missing at line 1, column 17"),
            ("Digest nonce=\"n\"", "realm=… is missing at line 1, column 17"),
            ("Digest realm=\"x, nonce=\"n\"", "expected ',' after the value of realm at line 1, column 25"),
            ("Digest realm=\"x", "this quoted value is never closed at line 1, column 14"),
            ("Digest realm", "expected '=' after realm at line 1, column 13"),
            ("Digest realm=, nonce=n", "expected a value for realm at line 1, column 14"),
            ("Digest =x", "expected a parameter name at line 1, column 8"),
            ("Digest realm=x, nonce=n, algorithm=SHA-512-256", "algorithm SHA-512-256 is not one this lab knows (MD5, MD5-sess, SHA-256, SHA-256-sess) at line 1, column 36"),
        ];
        for (header, expected) in cases {
            let error = DigestChallenge::parse(header).expect_err(header);
            assert_eq!(error.to_string(), expected, "{header:?}");
        }
        let answers = [
            (r#"Digest username="u", realm="r", nonce="n", uri="/", response="x", qop=auth, nc=zz, cnonce="c""#, "nc must be 8 hex digits, not \"zz\" at line 1, column 80"),
            (r#"Digest username="u", realm="r", nonce="n", uri="/", response="x", qop=auth, nc=00000001"#, "cnonce=… is missing at line 1, column 88"),
            (r#"Digest username="u", realm="r", nonce="n", uri="/""#, "response=… is missing at line 1, column 51"),
        ];
        for (header, expected) in answers {
            let error = DigestAuthorization::parse(header).expect_err(header);
            assert_eq!(error.to_string(), expected, "{header:?}");
        }
    }

    fn malformed_headers_never_panic() {
        let header = RFC_7616_CHALLENGE.to_string() + ", stale=true";
        for end in 0..=header.len() {
            if let Some(prefix) = header.get(..end) {
                let _ = DigestChallenge::parse(prefix);
                let _ = DigestAuthorization::parse(prefix);
            }
        }
        for garbage in ["Digest \\", "Digest a=\"\\", "Digest ,,,,", "Digest a=b c", "Digest é=1", "Digest a=\"é\""] {
            let _ = DigestChallenge::parse(garbage);
        }
    }

    fn rfc_6455_accept_example() {
        check_steps(&websocket_accept_steps("dGhlIHNhbXBsZSBub25jZQ=="), expect![[r#"
            Sec-WebSocket-Key (from the client)
              in:  dGhlIHNhbXBsZSBub25jZQ==
              out: dGhlIHNhbXBsZSBub25jZQ==
            the key + RFC 6455's GUID
              in:  dGhlIHNhbXBsZSBub25jZQ== + 258EAFA5-E914-47DA-95CA-C5AB0DC85B11
              out: dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11
            SHA-1 (hex)
              in:  dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11
              out: b37a4f2cc0624f1690f64606cf385945b2bec4ea
            base64 of those 20 bytes = Sec-WebSocket-Accept
              in:  b37a4f2cc0624f1690f64606cf385945b2bec4ea
              out: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
        "#]]);
    }
}
