//! Tests of `wire::jwt`: RFC 7515 Appendix A.1's HS256 token (its exact header and claims bytes,
//! with their CRLFs, and its key), tokens refused for `alg: none` or another algorithm, and every
//! malformed part named with its place.

use serde_json::json;
use wire::hashing::{TextEncoding, decode as decode_text};
use wire::jwt::{decode, sign_hs256, verify_hs256};

const RFC_7515_HEADER: &str = "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}";
const RFC_7515_CLAIMS: &str = "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
const RFC_7515_TOKEN: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// The JWK's "k" of RFC 7515 A.1.
const RFC_7515_KEY: &str = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

fn rfc_key() -> Vec<u8> {
    decode_text(TextEncoding::Base64Url, RFC_7515_KEY).unwrap_or_else(|error| panic!("{error}"))
}

case_test! {
    fn rfc_7515_a1_signed_decoded_and_verified() {
        let key = rfc_key();
        assert_eq!(sign_hs256(RFC_7515_HEADER, RFC_7515_CLAIMS, &key).as_deref(), Ok(RFC_7515_TOKEN));
        let decoded = decode(RFC_7515_TOKEN).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(decoded.header, json!({"typ": "JWT", "alg": "HS256"}));
        assert_eq!(decoded.claims, json!({"iss": "joe", "exp": 1300819380, "http://example.com/is_root": true}));
        assert_eq!(decoded.algorithm(), Some("HS256"));
        assert_eq!(decoded.signature.len(), 32);
        assert_eq!(decoded.signing_input, RFC_7515_TOKEN.rsplit_once('.').map_or("", |(input, _)| input));
        assert_eq!(decoded.parts.join("."), RFC_7515_TOKEN);
        // RFC 7515 A.1's signature bytes, as the appendix lists them.
        assert_eq!(&decoded.signature[..4], &[116, 24, 223, 180]);
        assert_eq!(&decoded.signature[28..], &[83, 132, 141, 121]);
    }

    fn verification() {
        let key = rfc_key();
        let mut other_key = key.clone();
        other_key[0] ^= 1;
        let tampered_claims = RFC_7515_TOKEN.replacen("eyJpc3MiOiJqb2Ui", "eyJpc3MiOiJqb2Ii", 1);
        let cases: [(&str, &[u8], Result<bool, &str>); 6] = [
            (RFC_7515_TOKEN, &key, Ok(true)),
            (RFC_7515_TOKEN, &other_key, Ok(false)),
            (RFC_7515_TOKEN, b"", Ok(false)),
            (&tampered_claims, &key, Ok(false)),
            // alg none (header {"alg":"none"}), unsigned.
            ("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", &key, Err("the header says \"alg\": \"none\": the token is unsigned, and accepting it would let anyone forge one")),
            // alg RS256 (header {"alg":"RS256"}).
            ("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", &key, Err("the header says \"alg\": \"RS256\"; only HS256 is verified here (never let the token choose the algorithm)")),
        ];
        for (token, key, expected) in cases {
            let verified = verify_hs256(token, key).map_err(|error| error.to_string());
            assert_eq!(verified, expected.map_err(String::from), "{token}");
        }
    }

    fn signing_refuses_what_is_not_hs256() {
        let cases = [
            (r#"{"alg":"none"}"#, r#"{"sub":"x"}"#, "the header says \"alg\": \"none\"; only HS256 is signed here"),
            (r#"{"typ":"JWT"}"#, r#"{"sub":"x"}"#, "the header needs \"alg\": \"HS256\""),
            (r#"{"alg":"HS256""#, r#"{"sub":"x"}"#, "the header is not JSON: EOF while parsing an object at line 1, column 14"),
            (r#"{"alg":"HS256"}"#, r#"["sub"]"#, "the claims must be a JSON object at line 1, column 1"),
        ];
        for (header, claims, expected) in cases {
            let error = sign_hs256(header, claims, b"key").expect_err(header);
            assert_eq!(error.to_string(), expected, "{header} {claims}");
        }
    }

    fn malformed_tokens_name_the_part() {
        let cases = [
            ("", "a JWT has three parts separated by '.' (header.claims.signature); this has 1 at line 1, column 1"),
            ("abc.def", "a JWT has three parts separated by '.' (header.claims.signature); this has 2 at line 1, column 8"),
            ("a.b.c.d.e", "a JWT has three parts separated by '.' (header.claims.signature); this has 5 at line 1, column 6"),
            ("eyJhbGciOiJIUzI1NiJ9=.e30.", "the header ends in '=' padding, which JWTs leave out at line 1, column 21"),
            ("eyJhbGciOiJIUzI1NiJ9.e3+.", "the claims has '+', standard base64; JWTs use base64url ('-' and '_') at line 1, column 24"),
            ("eyJhbGciOiJIUzI1NiJ9.e30.ab$d", "the signature has '$', which is not base64url at line 1, column 28"),
            ("eyJhbGciOiJIUzI1NiJ9.e30.a", "the signature is one character too long or short to be base64url at line 1, column 27"),
            // The header decodes to `{"alg":"HS256"` (no closing brace).
            ("eyJhbGciOiJIUzI1NiI.e30.", "the header is not JSON once decoded: EOF while parsing an object at line 1, column 1"),
            // The claims decode to `[1]`.
            ("eyJhbGciOiJIUzI1NiJ9.WzFd.", "the claims must be a JSON object, not [1] at line 1, column 22"),
            // The header decodes to `{}`.
            ("e30.e30.", "the header has no \"alg\" (the signing algorithm) string at line 1, column 1"),
        ];
        for (token, expected) in cases {
            let error = decode(token).expect_err(token);
            assert_eq!(error.to_string(), expected, "{token}");
        }
    }

    fn any_prefix_of_a_token_is_read_without_panicking() {
        for end in 0..=RFC_7515_TOKEN.len() {
            let _ = decode(&RFC_7515_TOKEN[..end]);
            let _ = verify_hs256(&RFC_7515_TOKEN[..end], b"key");
        }
        for garbage in ["...", "é.é.é", "\u{0}.\u{0}.\u{0}", "eyJhbGciOiJIUzI1NiJ9.e30.é"] {
            let _ = decode(garbage);
        }
    }
}
