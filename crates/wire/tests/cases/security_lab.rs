//! The Security lab: where `/tls/info` is and what each way of failing to reach it says; the
//! digests, HMACs and encodings of an input (FIPS 180 and RFC 4231 values); keys and typed input
//! read with the place of a mistake; JWTs signed, verified and read against the clock; and the
//! lab's state as scripts of events (the TLS view, Basic, Digest, Bearer, the WebSocket handshake).

use expect_test::{Expect, expect};
use wire::hashing::{HashAlgorithm, TextEncoding};
use wire::lab::LabState;
use wire::security_lab::{
    AuthAnswer, Codec, Exchange, FetchProblem, FieldEdit, InputMode, InspectStatus, KeyEncoding, KeyInput,
    SecurityEvent, SecurityLabState, SecurityView, TlsListener, TlsStatus, Verification, encode_rows, hash_rows,
    split_at_error, time_claims, tls_info_url,
};
use wire::tls_info::TlsInfo;

/// 2026-11-30T12:00:00Z.
const NOW_MS: f64 = 1_796_040_000_000.0;

fn sample_info() -> TlsInfo {
    TlsInfo {
        tls_version: "TLS 1.3".into(),
        cipher_suite: "TLS_AES_128_GCM_SHA256".into(),
        key_exchange_group: Some("X25519MLKEM768".into()),
        alpn: Some("h2".into()),
        sni: None,
        http_version: "HTTP/2.0".into(),
        client_hello_hex: "16 03 01 00 04 01 00 00 00".into(),
        ja3: "0123456789abcdef0123456789abcdef".into(),
        ja3_text: "771,4865,0,29,0".into(),
        ja4: "t13i010100_aaaaaaaaaaaa_bbbbbbbbbbbb".into(),
    }
}

fn exchange(exchange: &Exchange) -> String {
    match exchange {
        Exchange::Idle => "idle".into(),
        Exchange::Sending { path, authorization } => format!("sending {path} with {authorization:?}"),
        Exchange::Answered { path, answer, .. } => format!("{path} answered {} {}", answer.status, answer.status_text),
        Exchange::Failed { path, problem } => format!("{path} failed: {}", problem.in_words()),
    }
}

fn describe(lab: &SecurityLabState) -> String {
    let tls = match &lab.tls {
        TlsStatus::NotAsked => "not asked".to_string(),
        TlsStatus::FindingPort => "finding the port".to_string(),
        TlsStatus::Fetching { url } => format!("fetching {url}"),
        TlsStatus::Loaded(reading) => format!(
            "loaded {} bytes of ClientHello: {}",
            reading.client_hello.len(),
            reading.facts().iter().map(|(label, value)| format!("{label}={value}")).collect::<Vec<_>>().join("; ")
        ),
        TlsStatus::Failed(problem) => format!("failed: {}: {}", problem.title(), problem.explanation()),
    };
    let challenge = match &lab.digest.challenge {
        None => "none".to_string(),
        Some(Ok(challenge)) => format!("realm {} nonce {} qop {:?}", challenge.realm, challenge.nonce, challenge.qop),
        Some(Err(error)) => format!("error: {error}"),
    };
    let inspect = match &lab.handshake.status {
        InspectStatus::Idle => "idle".to_string(),
        InspectStatus::Connecting { url } => format!("connecting {url}"),
        InspectStatus::Reported(facts) => format!("reported key {} accept {}", facts.key, facts.accept),
        InspectStatus::Failed(detail) => format!("failed: {detail}"),
    };
    format!(
        "  view {:?} · tls {tls}\n  input {:?} rev {} · basic {} · digest challenge {} ({challenge}), answer {} · bearer {} · ws {inspect}",
        lab.view,
        lab.input.mode,
        lab.input.revision,
        exchange(&lab.basic.exchange),
        exchange(&lab.digest.challenge_exchange),
        exchange(&lab.digest.answer_exchange),
        exchange(&lab.bearer.exchange),
    )
}

/// Applies `events` to a lab on `protocol` (`http:` or `https:`) and writes each with its
/// effects and the lab after it.
fn check(protocol: &str, events: Vec<SecurityEvent>, expected: Expect) {
    let mut lab = SecurityLabState::new(protocol, "127.0.0.1:8093", NOW_MS);
    let mut out = String::new();
    for event in events {
        let name = format!("{event:?}");
        let effects = lab.apply(event, NOW_MS);
        out.push_str(&format!("{} → {effects:?}\n{}\n", name.chars().take(90).collect::<String>(), describe(&lab)));
    }
    expected.assert_eq(&out);
}

case_test! {
    fn tls_info_is_on_the_page_origin_over_https_else_on_the_tls_port() {
        let cases = [
            ("http:", "127.0.0.1:8093", Some(8453)),
            ("http:", "localhost:8093", Some(8453)),
            ("http:", "[::1]:8093", Some(8453)),
            ("http:", "127.0.0.1:8093", None),
            ("https:", "127.0.0.1:8453", None),
            ("https:", "wirelab.example", Some(8453)),
        ];
        let shown: Vec<String> = cases
            .iter()
            .map(|(protocol, host, port)| format!("{protocol} {host} tls {port:?} → {:?}", tls_info_url(protocol, host, *port)))
            .collect();
        expect![[r#"
            http: 127.0.0.1:8093 tls Some(8453) → Some("https://127.0.0.1:8453/tls/info")
            http: localhost:8093 tls Some(8453) → Some("https://localhost:8453/tls/info")
            http: [::1]:8093 tls Some(8453) → Some("https://[::1]:8453/tls/info")
            http: 127.0.0.1:8093 tls None → None
            https: 127.0.0.1:8453 tls None → Some("https://127.0.0.1:8453/tls/info")
            https: wirelab.example tls Some(8453) → Some("https://wirelab.example/tls/info")"#]]
        .assert_eq(&shown.join("\n"));
    }

    fn the_handshake_view_finds_the_port_fetches_and_says_why_it_could_not() {
        let listener = TlsListener { port: 8453, certificate_sha256: Some("AB:CD:EF".into()) };
        check(
            "http:",
            vec![
                SecurityEvent::Show(SecurityView::Handshake),
                SecurityEvent::ServerInfo(Ok(Some(listener.clone()))),
                SecurityEvent::TlsFetched(Err(FetchProblem::Network("TypeError: Failed to fetch".into()))),
                SecurityEvent::LoadTls,
                SecurityEvent::ServerInfo(Ok(None)),
                SecurityEvent::LoadTls,
                SecurityEvent::ServerInfo(Err("the Wirelab server did not answer".into())),
                SecurityEvent::LoadTls,
                SecurityEvent::ServerInfo(Ok(Some(listener))),
                SecurityEvent::TlsFetched(Err(FetchProblem::Status { status: 404, body: "not found".into() })),
                SecurityEvent::LoadTls,
                SecurityEvent::ServerInfo(Ok(Some(TlsListener { port: 8453, certificate_sha256: None }))),
                SecurityEvent::TlsFetched(Ok(sample_info())),
                // A late answer to nothing asked changes nothing.
                SecurityEvent::TlsFetched(Err(FetchProblem::Network("late".into()))),
            ],
            expect![[r#"
                Show(Handshake) → [FetchServerInfo]
                  view Handshake · tls finding the port
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws idle
                ServerInfo(Ok(Some(TlsListener { port: 8453, certificate_sha256: Some("AB:CD:EF") }))) → [FetchTlsInfo { url: "https://127.0.0.1:8453/tls/info" }]
                  view Handshake · tls fetching https://127.0.0.1:8453/tls/info
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws idle
                TlsFetched(Err(Network("TypeError: Failed to fetch"))) → []
                  view Handshake · tls failed: The browser could not open the TLS connection: Nothing came back from https://127.0.0.1:8453/tls/info. Most often the browser does not trust the server's self-signed certificate yet: open https://127.0.0.1:8453/tls/info once in a new tab, accept the certificate (Advanced → Proceed), then come back and press Retry. The certificate the server sends has the SHA-256 fingerprint AB:CD:EF: the browser shows it under the certificate's details. If that page does not open either, the TLS port is closed. (TypeError: Failed to fetch)
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws idle
                LoadTls → [FetchServerInfo]
                  view Handshake · tls finding the port
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws idle
                ServerInfo(Ok(None)) → []
                  view Handshake · tls failed: The server has no TLS port: This server was started without a TLS port, so there is no handshake to show. Start it with one, for example `cargo xtask run -- --tls-port 8443` (or `wirelab-server --tls-port 8443`), then press Retry.
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws idle
                LoadTls → [FetchServerInfo]
                  view Handshake · tls finding the port
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws idle
                ServerInfo(Err("the Wirelab server did not answer")) → []
                  view Handshake · tls failed: The server did not say where its TLS port is: GET /api/info failed: the Wirelab server did not answer
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws idle
                LoadTls → [FetchServerInfo]
                  view Handshake · tls finding the port
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws idle
                ServerInfo(Ok(Some(TlsListener { port: 8453, certificate_sha256: Some("AB:CD:EF") }))) → [FetchTlsInfo { url: "https://127.0.0.1:8453/tls/info" }]
                  view Handshake · tls fetching https://127.0.0.1:8453/tls/info
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws idle
                TlsFetched(Err(Status { status: 404, body: "not found" })) → []
                  view Handshake · tls failed: The server's TLS report could not be read: https://127.0.0.1:8453/tls/info: The server answered 404: not found
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws idle
                LoadTls → [FetchServerInfo]
                  view Handshake · tls finding the port
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws idle
                ServerInfo(Ok(Some(TlsListener { port: 8453, certificate_sha256: None }))) → [FetchTlsInfo { url: "https://127.0.0.1:8453/tls/info" }]
                  view Handshake · tls fetching https://127.0.0.1:8453/tls/info
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws idle
                TlsFetched(Ok(TlsInfo { tls_version: "TLS 1.3", cipher_suite: "TLS_AES_128_GCM_SHA256", ke → []
                  view Handshake · tls loaded 9 bytes of ClientHello: TLS version=TLS 1.3; Cipher suite=TLS_AES_128_GCM_SHA256; Key exchange group=X25519MLKEM768; ALPN=h2; SNI=(none sent: browsers send no SNI for an IP address); HTTP version=HTTP/2.0; JA3=0123456789abcdef0123456789abcdef; JA3 text=771,4865,0,29,0; JA4=t13i010100_aaaaaaaaaaaa_bbbbbbbbbbbb
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws idle
                TlsFetched(Err(Network("late"))) → []
                  view Handshake · tls loaded 9 bytes of ClientHello: TLS version=TLS 1.3; Cipher suite=TLS_AES_128_GCM_SHA256; Key exchange group=X25519MLKEM768; ALPN=h2; SNI=(none sent: browsers send no SNI for an IP address); HTTP version=HTTP/2.0; JA3=0123456789abcdef0123456789abcdef; JA3 text=771,4865,0,29,0; JA4=t13i010100_aaaaaaaaaaaa_bbbbbbbbbbbb
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws idle
            "#]],
        );
    }

    fn an_https_page_asks_its_own_origin() {
        check(
            "https:",
            vec![SecurityEvent::Show(SecurityView::Handshake), SecurityEvent::TlsFetched(Ok(sample_info()))],
            expect![[r#"
                Show(Handshake) → [FetchTlsInfo { url: "https://127.0.0.1:8093/tls/info" }]
                  view Handshake · tls fetching https://127.0.0.1:8093/tls/info
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws idle
                TlsFetched(Ok(TlsInfo { tls_version: "TLS 1.3", cipher_suite: "TLS_AES_128_GCM_SHA256", ke → []
                  view Handshake · tls loaded 9 bytes of ClientHello: TLS version=TLS 1.3; Cipher suite=TLS_AES_128_GCM_SHA256; Key exchange group=X25519MLKEM768; ALPN=h2; SNI=(none sent: browsers send no SNI for an IP address); HTTP version=HTTP/2.0; JA3=0123456789abcdef0123456789abcdef; JA3 text=771,4865,0,29,0; JA4=t13i010100_aaaaaaaaaaaa_bbbbbbbbbbbb
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws idle
            "#]],
        );
    }

    fn abc_hashes_to_the_fips_180_values_and_hmac_to_rfc_4231() {
        let rows = hash_rows(b"abc", None);
        let shown: Vec<String> = rows.iter().map(|row| format!("{}: {}", row.algorithm.name(), row.hex)).collect();
        expect![[r#"
            SHA-256: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
            SHA-384: cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7
            SHA-512: ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f
            SHA-1: a9993e364706816aba3e25717850c26c9cd0d89d
            MD5: 900150983cd24fb0d6963f7d28e17f72"#]].assert_eq(&shown.join("\n"));
        // RFC 4231 test case 2: key "Jefe".
        let rows = hash_rows(b"what do ya want for nothing?", Some(b"Jefe"));
        let shown: Vec<String> = rows
            .iter()
            .filter(|row| matches!(row.algorithm, HashAlgorithm::Sha256 | HashAlgorithm::Sha512))
            .map(|row| format!("HMAC-{}: {}", row.algorithm.name(), row.hmac_hex.clone().unwrap_or_default()))
            .collect();
        expect![[r#"
            HMAC-SHA-256: 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843
            HMAC-SHA-512: 164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"#]].assert_eq(&shown.join("\n"));
    }

    fn the_input_in_every_encoding() {
        let shown: Vec<String> = encode_rows("é?&/ ~".as_bytes())
            .iter()
            .map(|(encoding, text)| format!("{}: {text}", encoding.name()))
            .collect();
        expect![[r#"
            base64: w6k/Ji8gfg==
            base64url: w6k_Ji8gfg
            hex: c3a93f262f207e
            percent-encoding: %C3%A9%3F%26%2F%20~"#]].assert_eq(&shown.join("\n"));
    }

    fn keys_and_decoder_input_are_read_with_the_place_of_a_mistake() {
        let keys = [
            KeyInput { text: "Jefe".into(), encoding: KeyEncoding::Utf8 },
            KeyInput { text: "4a 65 66 65".into(), encoding: KeyEncoding::Hex },
            KeyInput { text: "SmVmZQ==".into(), encoding: KeyEncoding::Base64 },
            KeyInput { text: "4a 6g".into(), encoding: KeyEncoding::Hex },
            KeyInput { text: String::new(), encoding: KeyEncoding::Utf8 },
        ];
        let mut shown: Vec<String> = keys
            .iter()
            .map(|key| format!("{:?} {:?} → {}", key.encoding, key.text, key.describe().unwrap_or_else(|error| error.to_string())))
            .collect();
        let codecs = [
            Codec { encoding: TextEncoding::Base64, text: "SGVsbG8=".into() },
            Codec { encoding: TextEncoding::Base64, text: "SGV$bG8=".into() },
            Codec { encoding: TextEncoding::Percent, text: "a%2Fb%zz".into() },
            Codec { encoding: TextEncoding::Hex, text: "48 65 6".into() },
        ];
        for codec in codecs {
            shown.push(match codec.decoded() {
                Ok(bytes) => format!("{} {:?} → {:?}", codec.encoding.name(), codec.text, String::from_utf8_lossy(&bytes)),
                Err(error) => format!(
                    "{} {:?} → {error} · marked {:?}",
                    codec.encoding.name(),
                    codec.text,
                    split_at_error(&codec.text, &error)
                ),
            });
        }
        expect![[r#"
            Utf8 "Jefe" → 4 key bytes: 4a 65 66 65
            Hex "4a 65 66 65" → 4 key bytes: 4a 65 66 65
            Base64 "SmVmZQ==" → 4 key bytes: 4a 65 66 65
            Hex "4a 6g" → 'g' is not a hex digit at line 1, column 5
            Utf8 "" → no key bytes
            base64 "SGVsbG8=" → "Hello"
            base64 "SGV$bG8=" → '$' is not a base64 character at line 1, column 4 · marked Some(("SGV", "$", "bG8="))
            percent-encoding "a%2Fb%zz" → '%' must be followed by two hex digits at line 1, column 6 · marked Some(("a%2Fb", "%", "zz"))
            hex "48 65 6" → odd number of hex digits (1) in this group: each byte needs two at line 1, column 7 · marked Some(("48 65 ", "6", ""))"#]].assert_eq(&shown.join("\n"));
    }

    fn hashing_input_as_text_hex_a_file_or_handed_over_bytes() {
        let mut lab = SecurityLabState::new("http:", "127.0.0.1:8093", NOW_MS);
        let mut shown = Vec::new();
        let mut note = |lab: &SecurityLabState, what: &str| {
            let bytes = lab.input.bytes().map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
            shown.push(format!("{what}: {:?} rev {} → {bytes:?}", lab.input.mode, lab.input.revision));
        };
        note(&lab, "at first");
        let events = [
            ("hex", SecurityEvent::Edit(FieldEdit::InputMode(InputMode::Hex))),
            ("bad hex", SecurityEvent::Edit(FieldEdit::InputHex("61 6z".into()))),
            ("no file yet", SecurityEvent::Edit(FieldEdit::InputMode(InputMode::Bytes))),
            ("file chosen", SecurityEvent::FileChosen { name: "a.txt".into(), size: 3 }),
            ("file read", SecurityEvent::FileRead(Ok(b"xyz".to_vec()))),
            ("handed", SecurityEvent::Handed { bytes: b"{\"ok\":1}".to_vec(), origin: "HTTP body of GET /json".into() }),
            ("file chosen", SecurityEvent::FileChosen { name: "b.bin".into(), size: 9 }),
            ("unreadable", SecurityEvent::FileRead(Err("NotReadableError".into()))),
        ];
        for (what, event) in events {
            let effects = lab.apply(event, NOW_MS);
            assert!(effects.is_empty());
            note(&lab, what);
        }
        shown.push(format!("view {:?}, file problem {:?}", lab.view, lab.input.file_problem));
        expect![[r#"
            at first: Text rev 0 → Ok("abc")
            hex: Hex rev 1 → Ok("abc")
            bad hex: Hex rev 2 → Err(Diagnostic { message: "'z' is not a hex digit", location: Some(Location { offset: 4, position: Some(TextPosition { line: 1, column: 5 }) }) })
            no file yet: Bytes rev 3 → Err(Diagnostic { message: "Pick a file, or use \"Hash this…\" on a WebSocket message or an HTTP body", location: None })
            file chosen: Bytes rev 4 → Err(Diagnostic { message: "a.txt is still being read", location: None })
            file read: Bytes rev 5 → Ok("xyz")
            handed: Bytes rev 6 → Ok("{\"ok\":1}")
            file chosen: Bytes rev 7 → Err(Diagnostic { message: "b.bin is still being read", location: None })
            unreadable: Bytes rev 8 → Err(Diagnostic { message: "Pick a file, or use \"Hash this…\" on a WebSocket message or an HTTP body", location: None })
            view Hashing, file problem Some("NotReadableError")"#]].assert_eq(&shown.join("\n"));
    }

    fn jwts_are_signed_verified_never_re_signed_and_read_against_the_clock() {
        let mut lab = SecurityLabState::new("http:", "127.0.0.1:8093", NOW_MS);
        let mut shown = Vec::new();
        let verification = |lab: &SecurityLabState| match lab.jwt.verification() {
            Verification::NoKey => "no key".to_string(),
            Verification::Valid => "valid".to_string(),
            Verification::Invalid => "invalid".to_string(),
            Verification::Unverifiable(error) => format!("unverifiable: {error}"),
        };
        lab.apply(SecurityEvent::Sign, NOW_MS);
        shown.push(format!("signed {:?}", lab.jwt.signed));
        shown.push(format!("token is the one signed: {} · {}", lab.jwt.token == *lab.jwt.signed.clone().unwrap().unwrap(), verification(&lab)));
        lab.apply(SecurityEvent::Edit(FieldEdit::JwtKey("other".into())), NOW_MS);
        shown.push(format!("another key: {} · token unchanged: {}", verification(&lab), lab.jwt.token == *lab.jwt.signed.clone().unwrap().unwrap()));
        lab.apply(SecurityEvent::Edit(FieldEdit::JwtKey(String::new())), NOW_MS);
        shown.push(format!("no key: {}", verification(&lab)));
        let claims = lab.jwt.decoded().map(|token| token.claims);
        for claim in time_claims(&claims.unwrap_or_default(), NOW_MS + 7_200_000.0) {
            shown.push(format!("two hours later {} = {} · {}", claim.name, claim.seconds, claim.note));
        }
        lab.apply(SecurityEvent::Edit(FieldEdit::JwtClaims("{\"sub\": ".into())), NOW_MS);
        lab.apply(SecurityEvent::Sign, NOW_MS);
        shown.push(format!("broken claims: {:?}", lab.jwt.signed.clone().map(|signed| signed.map_err(|error| error.to_string()))));
        lab.apply(SecurityEvent::Edit(FieldEdit::JwtToken("abc.def".into())), NOW_MS);
        shown.push(format!("two parts: {:?}", lab.jwt.decoded().map(|_| ()).map_err(|error| error.to_string())));
        expect![[r#"
            signed Some(Ok("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ3aXJlbGFiIiwibmFtZSI6IkFkYSBMb3ZlbGFjZSIsImlhdCI6MTc5NjA0MDAwMCwiZXhwIjoxNzk2MDQzNjAwfQ.lysDs6Gr5gd0zxefbu6PZjMdy7A7UBYlIYb08sEbn3Y"))
            token is the one signed: true · valid
            another key: invalid · token unchanged: true
            no key: no key
            two hours later iat = 1796040000 · issued 2 hours ago
            two hours later exp = 1796043600 · expired 1 hour ago
            broken claims: Some(Err("the claims is not JSON: EOF while parsing a value at line 1, column 8"))
            two parts: Err("a JWT has three parts separated by '.' (header.claims.signature); this has 2 at line 1, column 8")"#]].assert_eq(&shown.join("\n"));
    }

    fn basic_digest_and_bearer_go_to_the_server_and_back() {
        let challenge_401 = AuthAnswer {
            status: 401,
            status_text: "Unauthorized".into(),
            www_authenticate: Some(
                "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=MD5, \
                 nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""
                    .into(),
            ),
            body: String::new(),
        };
        let ok = AuthAnswer { status: 200, status_text: "OK".into(), www_authenticate: None, body: "{}".into() };
        check(
            "http:",
            vec![
                SecurityEvent::Show(SecurityView::Auth),
                SecurityEvent::SendBasic,
                SecurityEvent::Answered { purpose: wire::security_lab::AuthPurpose::Basic, answer: Ok(ok.clone()) },
                SecurityEvent::Edit(FieldEdit::DigestUser("Mufasa".into())),
                SecurityEvent::Edit(FieldEdit::DigestPassword("Circle of Life".into())),
                SecurityEvent::SendDigestAnswer,
                SecurityEvent::AskDigestChallenge,
                SecurityEvent::Answered {
                    purpose: wire::security_lab::AuthPurpose::DigestChallenge,
                    answer: Ok(challenge_401),
                },
                SecurityEvent::Edit(FieldEdit::DigestCnonce("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ".into())),
                SecurityEvent::SendDigestAnswer,
                SecurityEvent::Answered { purpose: wire::security_lab::AuthPurpose::DigestAnswer, answer: Ok(ok.clone()) },
                SecurityEvent::AskDigestChallenge,
                SecurityEvent::Answered {
                    purpose: wire::security_lab::AuthPurpose::DigestChallenge,
                    answer: Ok(AuthAnswer { status: 401, status_text: "Unauthorized".into(), www_authenticate: None, body: String::new() }),
                },
                SecurityEvent::SendBearer,
                SecurityEvent::Answered {
                    purpose: wire::security_lab::AuthPurpose::Bearer,
                    answer: Err(FetchProblem::Network("TypeError: Failed to fetch".into())),
                },
            ],
            expect![[r#"
                Show(Auth) → []
                  view Auth · tls not asked
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws idle
                SendBasic → [Request { purpose: Basic, path: "/basic-auth/user/passwd", authorization: Some("Basic dXNlcjpwYXNzd2Q=") }]
                  view Auth · tls not asked
                  input Text rev 0 · basic sending /basic-auth/user/passwd with Some("Basic dXNlcjpwYXNzd2Q=") · digest challenge idle (none), answer idle · bearer idle · ws idle
                Answered { purpose: Basic, answer: Ok(AuthAnswer { status: 200, status_text: "OK", www_aut → []
                  view Auth · tls not asked
                  input Text rev 0 · basic /basic-auth/user/passwd answered 200 OK · digest challenge idle (none), answer idle · bearer idle · ws idle
                Edit(DigestUser("Mufasa")) → []
                  view Auth · tls not asked
                  input Text rev 0 · basic /basic-auth/user/passwd answered 200 OK · digest challenge idle (none), answer idle · bearer idle · ws idle
                Edit(DigestPassword("Circle of Life")) → []
                  view Auth · tls not asked
                  input Text rev 0 · basic /basic-auth/user/passwd answered 200 OK · digest challenge idle (none), answer idle · bearer idle · ws idle
                SendDigestAnswer → []
                  view Auth · tls not asked
                  input Text rev 0 · basic /basic-auth/user/passwd answered 200 OK · digest challenge idle (none), answer idle · bearer idle · ws idle
                AskDigestChallenge → [Request { purpose: DigestChallenge, path: "/digest-auth/auth/Mufasa/Circle%20of%20Life/MD5", authorization: None }]
                  view Auth · tls not asked
                  input Text rev 0 · basic /basic-auth/user/passwd answered 200 OK · digest challenge sending /digest-auth/auth/Mufasa/Circle%20of%20Life/MD5 with None (none), answer idle · bearer idle · ws idle
                Answered { purpose: DigestChallenge, answer: Ok(AuthAnswer { status: 401, status_text: "Un → []
                  view Auth · tls not asked
                  input Text rev 0 · basic /basic-auth/user/passwd answered 200 OK · digest challenge /digest-auth/auth/Mufasa/Circle%20of%20Life/MD5 answered 401 Unauthorized (realm http-auth@example.org nonce 7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v qop ["auth", "auth-int"]), answer idle · bearer idle · ws idle
                Edit(DigestCnonce("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ")) → []
                  view Auth · tls not asked
                  input Text rev 0 · basic /basic-auth/user/passwd answered 200 OK · digest challenge /digest-auth/auth/Mufasa/Circle%20of%20Life/MD5 answered 401 Unauthorized (realm http-auth@example.org nonce 7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v qop ["auth", "auth-int"]), answer idle · bearer idle · ws idle
                SendDigestAnswer → [Request { purpose: DigestAnswer, path: "/digest-auth/auth/Mufasa/Circle%20of%20Life/MD5", authorization: Some("Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/digest-auth/auth/Mufasa/Circle%20of%20Life/MD5\", algorithm=MD5, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001, cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, response=\"f99ae032dfb9fd8d80ca0a81fceb7a0b\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"") }]
                  view Auth · tls not asked
                  input Text rev 0 · basic /basic-auth/user/passwd answered 200 OK · digest challenge /digest-auth/auth/Mufasa/Circle%20of%20Life/MD5 answered 401 Unauthorized (realm http-auth@example.org nonce 7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v qop ["auth", "auth-int"]), answer sending /digest-auth/auth/Mufasa/Circle%20of%20Life/MD5 with Some("Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/digest-auth/auth/Mufasa/Circle%20of%20Life/MD5\", algorithm=MD5, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001, cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, response=\"f99ae032dfb9fd8d80ca0a81fceb7a0b\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"") · bearer idle · ws idle
                Answered { purpose: DigestAnswer, answer: Ok(AuthAnswer { status: 200, status_text: "OK",  → []
                  view Auth · tls not asked
                  input Text rev 0 · basic /basic-auth/user/passwd answered 200 OK · digest challenge /digest-auth/auth/Mufasa/Circle%20of%20Life/MD5 answered 401 Unauthorized (realm http-auth@example.org nonce 7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v qop ["auth", "auth-int"]), answer /digest-auth/auth/Mufasa/Circle%20of%20Life/MD5 answered 200 OK · bearer idle · ws idle
                AskDigestChallenge → [Request { purpose: DigestChallenge, path: "/digest-auth/auth/Mufasa/Circle%20of%20Life/MD5", authorization: None }]
                  view Auth · tls not asked
                  input Text rev 0 · basic /basic-auth/user/passwd answered 200 OK · digest challenge sending /digest-auth/auth/Mufasa/Circle%20of%20Life/MD5 with None (none), answer idle · bearer idle · ws idle
                Answered { purpose: DigestChallenge, answer: Ok(AuthAnswer { status: 401, status_text: "Un → []
                  view Auth · tls not asked
                  input Text rev 0 · basic /basic-auth/user/passwd answered 200 OK · digest challenge /digest-auth/auth/Mufasa/Circle%20of%20Life/MD5 answered 401 Unauthorized (error: The 401 carried no WWW-Authenticate header the page could read (a cross-origin response shows only the headers its Access-Control-Expose-Headers names)), answer idle · bearer idle · ws idle
                SendBearer → [Request { purpose: Bearer, path: "/bearer", authorization: None }]
                  view Auth · tls not asked
                  input Text rev 0 · basic /basic-auth/user/passwd answered 200 OK · digest challenge /digest-auth/auth/Mufasa/Circle%20of%20Life/MD5 answered 401 Unauthorized (error: The 401 carried no WWW-Authenticate header the page could read (a cross-origin response shows only the headers its Access-Control-Expose-Headers names)), answer idle · bearer sending /bearer with None · ws idle
                Answered { purpose: Bearer, answer: Err(Network("TypeError: Failed to fetch")) } → []
                  view Auth · tls not asked
                  input Text rev 0 · basic /basic-auth/user/passwd answered 200 OK · digest challenge /digest-auth/auth/Mufasa/Circle%20of%20Life/MD5 answered 401 Unauthorized (error: The 401 carried no WWW-Authenticate header the page could read (a cross-origin response shows only the headers its Access-Control-Expose-Headers names)), answer idle · bearer /bearer failed: No response arrived (TypeError: Failed to fetch). · ws idle
            "#]],
        );
    }

    fn the_digest_answer_worked_out_for_the_rfc_7616_example() {
        let mut lab = SecurityLabState::new("http:", "127.0.0.1:8093", NOW_MS);
        for edit in [
            FieldEdit::DigestUser("Mufasa".into()),
            FieldEdit::DigestPassword("Circle of Life".into()),
        ] {
            lab.apply(SecurityEvent::Edit(edit), NOW_MS);
        }
        lab.apply(SecurityEvent::AskDigestChallenge, NOW_MS);
        lab.apply(SecurityEvent::Edit(FieldEdit::DigestCnonce("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ".into())), NOW_MS);
        lab.apply(
            SecurityEvent::Answered {
                purpose: wire::security_lab::AuthPurpose::DigestChallenge,
                answer: Ok(AuthAnswer {
                    status: 401,
                    status_text: "Unauthorized".into(),
                    www_authenticate: Some(
                        "Digest realm=\"http-auth@example.org\", qop=\"auth\", algorithm=MD5, \
                         nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\""
                            .into(),
                    ),
                    body: String::new(),
                }),
            },
            NOW_MS,
        );
        let steps = lab.digest.steps().map(|steps| {
            let mut lines: Vec<String> =
                steps.steps.iter().map(|step| format!("{}: {} → {}", step.label, step.input, step.output)).collect();
            lines.push(steps.authorization);
            lines.join("\n")
        });
        expect![[r#"
            HA1 = MD5(username:realm:password): Mufasa:http-auth@example.org:Circle of Life → 3d78807defe7de2157e2b0b6573a855f
            HA2 = MD5(method:uri): GET:/digest-auth/auth/Mufasa/Circle%20of%20Life/MD5 → b5c3fa5a09e80ac022c466e8dbdb8397
            response = MD5(HA1:nonce:nc:cnonce:qop:HA2): 3d78807defe7de2157e2b0b6573a855f:7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v:00000001:f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ:auth:b5c3fa5a09e80ac022c466e8dbdb8397 → f99ae032dfb9fd8d80ca0a81fceb7a0b
            the Authorization header: f99ae032dfb9fd8d80ca0a81fceb7a0b → Digest username="Mufasa", realm="http-auth@example.org", uri="/digest-auth/auth/Mufasa/Circle%20of%20Life/MD5", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, response="f99ae032dfb9fd8d80ca0a81fceb7a0b"
            Digest username="Mufasa", realm="http-auth@example.org", uri="/digest-auth/auth/Mufasa/Circle%20of%20Life/MD5", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, response="f99ae032dfb9fd8d80ca0a81fceb7a0b""#]].assert_eq(&steps.unwrap_or_default());
    }

    fn the_websocket_handshake_reads_the_inspect_report() {
        check(
            "http:",
            vec![
                SecurityEvent::OpenInspect,
                SecurityEvent::InspectText(
                    "{\"inspect\":\"handshake\",\"key\":\"dGhlIHNhbXBsZSBub25jZQ==\",\"accept\":\"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\",\
                     \"offered_extensions\":null,\"extensions\":null,\"offered_subprotocols\":null,\"subprotocol\":null}"
                        .into(),
                ),
                SecurityEvent::InspectFailed("the WebSocket closed before the report (code 1000)".into()),
                SecurityEvent::OpenInspect,
                SecurityEvent::InspectText("hello".into()),
                SecurityEvent::OpenInspect,
                SecurityEvent::InspectFailed("the WebSocket to /ws/inspect failed".into()),
            ],
            expect![[r#"
                OpenInspect → [OpenInspect { path: "/ws/inspect" }]
                  view Handshake · tls not asked
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws connecting /ws/inspect
                InspectText("{\"inspect\":\"handshake\",\"key\":\"dGhlIHNhbXBsZSBub25jZQ==\",\"accept\":\" → []
                  view Handshake · tls not asked
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws reported key dGhlIHNhbXBsZSBub25jZQ== accept s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
                InspectFailed("the WebSocket closed before the report (code 1000)") → []
                  view Handshake · tls not asked
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws reported key dGhlIHNhbXBsZSBub25jZQ== accept s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
                OpenInspect → [OpenInspect { path: "/ws/inspect" }]
                  view Handshake · tls not asked
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws connecting /ws/inspect
                InspectText("hello") → []
                  view Handshake · tls not asked
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws failed: the first message was not a handshake report: hello
                OpenInspect → [OpenInspect { path: "/ws/inspect" }]
                  view Handshake · tls not asked
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws connecting /ws/inspect
                InspectFailed("the WebSocket to /ws/inspect failed") → []
                  view Handshake · tls not asked
                  input Text rev 0 · basic idle · digest challenge idle (none), answer idle · bearer idle · ws failed: the WebSocket to /ws/inspect failed
            "#]],
        );
    }
}
