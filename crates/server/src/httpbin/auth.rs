//! Authentication checks: `/basic-auth/{user}/{pass}`, `/hidden-basic-auth/{user}/{pass}`,
//! `/digest-auth/{qop}/{user}/{passwd}[/{algorithm}]` and `/bearer`, so the app can show a 401
//! challenge and the retry with credentials.
//!
//! Digest (RFC 7616) keeps no state: a nonce is the time it was made and an HMAC of that time
//! under a key made at start, so any nonce the server made is recognised for
//! [`DIGEST_NONCE_LIFETIME`], and an older one gets a fresh challenge with `stale=true`. The
//! computation is `wire::auth`'s, the same the Security lab shows step by step.

use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::{Value, json};
use wire::auth::{DigestAlgorithm, DigestAuthorization, DigestChallenge};
use wire::hashing::{self, HashAlgorithm, TextEncoding};

use super::{ApiPath, Captured};
use crate::error::ApiError;

const BASIC_CHALLENGE: &str = r#"Basic realm="wirelab""#;

/// 200 when the request's Basic credentials are `user`/`pass`, else 401 with a challenge.
pub(crate) async fn basic(
    ApiPath((user, pass)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    if basic_credentials(&headers).is_some_and(|(u, p)| u == user && p == pass) {
        return Ok(Json(json!({ "authenticated": true, "user": user })));
    }
    Err(ApiError::new(
        StatusCode::UNAUTHORIZED,
        format!("Authorization: expected Basic credentials for user {user:?} and its password"),
    )
    .with_header(header::WWW_AUTHENTICATE, BASIC_CHALLENGE))
}

/// Like [`basic`], but a failure is a 404, as if nothing were there.
pub(crate) async fn hidden_basic(
    ApiPath((user, pass)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    if basic_credentials(&headers).is_some_and(|(u, p)| u == user && p == pass) {
        return Ok(Json(json!({ "authenticated": true, "user": user })));
    }
    Err(ApiError::not_found("not found"))
}

/// 200 with any `Authorization: Bearer <token>`, else 401 with `WWW-Authenticate: Bearer`.
pub(crate) async fn bearer(headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    match credentials(&headers, "bearer") {
        Some(token) if !token.is_empty() => Ok(Json(json!({ "authenticated": true, "token": token }))),
        _ => Err(ApiError::new(StatusCode::UNAUTHORIZED, "Authorization: expected a Bearer token")
            .with_header(header::WWW_AUTHENTICATE, "Bearer")),
    }
}

/// The realm of the Digest challenges.
const DIGEST_REALM: &str = "wirelab";
/// How long a nonce the server made is accepted.
pub(crate) const DIGEST_NONCE_LIFETIME: Duration = Duration::from_secs(300);
/// The key of the nonces' HMAC and the opaque value, made at start.
static DIGEST_KEY: LazyLock<[u8; 32]> = LazyLock::new(|| {
    let halves = [uuid::Uuid::new_v4().into_bytes(), uuid::Uuid::new_v4().into_bytes()];
    let mut key = [0; 32];
    key[..16].copy_from_slice(&halves[0]);
    key[16..].copy_from_slice(&halves[1]);
    key
});

/// The path of `/digest-auth/{qop}/{user}/{passwd}[/{algorithm}]`.
#[derive(Debug, Deserialize)]
pub(crate) struct DigestPath {
    qop: String,
    user: String,
    passwd: String,
    algorithm: Option<String>,
}

/// 200 when the request's `Authorization: Digest` answers a challenge of this server for
/// `user`/`passwd` with this qop (`auth` or `auth-int`) and algorithm (`MD5`, the default, or
/// `SHA-256`, and their `-sess` forms); else 401 with a fresh challenge.
pub(crate) async fn digest(ApiPath(path): ApiPath<DigestPath>, request: Captured) -> Result<Json<Value>, ApiError> {
    if !matches!(path.qop.as_str(), "auth" | "auth-int") {
        return Err(ApiError::bad_request(format!("qop: expected auth or auth-int, not {:?}", path.qop)));
    }
    let algorithm = match path.algorithm.as_deref() {
        None => DigestAlgorithm::Md5,
        Some(name) => DigestAlgorithm::from_name(name).ok_or_else(|| {
            ApiError::bad_request(format!("algorithm: expected MD5, SHA-256, MD5-sess or SHA-256-sess, not {name:?}"))
        })?,
    };
    let now = unix_seconds();
    // The whole header: DigestAuthorization reads the scheme too.
    let answer = credentials(&request.headers, "digest")
        .and(request.headers.get(header::AUTHORIZATION))
        .and_then(|value| value.to_str().ok());
    let mut stale = false;
    let problem = match answer.map(DigestAuthorization::parse) {
        None => "Authorization: expected a Digest answer to the challenge".to_owned(),
        Some(Err(diagnostic)) => format!("Authorization: unreadable Digest answer: {}", diagnostic.message),
        Some(Ok(answer)) => {
            let uri = request.uri.path_and_query().map_or("/", |path| path.as_str());
            match check_digest(&answer, &path, algorithm, request.method.as_str(), uri, &request.body, now) {
                Ok(()) => return Ok(Json(json!({ "authenticated": true, "user": path.user }))),
                Err(DigestRefusal::Stale) => {
                    stale = true;
                    "Authorization: the nonce has expired; answer the new challenge".to_owned()
                }
                Err(DigestRefusal::Wrong(problem)) => format!("Authorization: {problem}"),
            }
        }
    };
    let challenge = DigestChallenge {
        realm: DIGEST_REALM.to_owned(),
        nonce: make_nonce(now),
        opaque: Some(opaque()),
        qop: vec![path.qop.clone()],
        algorithm,
        stale,
    };
    let challenge = HeaderValue::from_str(&challenge.to_header())
        .map_err(|_| ApiError::bad_request("qop: not a value a header can carry"))?;
    Err(ApiError::new(StatusCode::UNAUTHORIZED, problem).with_header_value(header::WWW_AUTHENTICATE, challenge))
}

/// Why a Digest answer was not accepted.
enum DigestRefusal {
    /// One of this server's nonces, expired: the client may retry without asking the user.
    Stale,
    Wrong(String),
}

fn check_digest(
    answer: &DigestAuthorization,
    path: &DigestPath,
    algorithm: DigestAlgorithm,
    method: &str,
    uri: &str,
    body: &[u8],
    now: u64,
) -> Result<(), DigestRefusal> {
    let wrong = |problem: String| Err(DigestRefusal::Wrong(problem));
    let made =
        nonce_time(&answer.nonce).ok_or_else(|| DigestRefusal::Wrong("not a nonce of this server".to_owned()))?;
    if answer.username != path.user {
        return wrong(format!("expected the user {:?}, not {:?}", path.user, answer.username));
    }
    if answer.realm != DIGEST_REALM || answer.opaque.as_deref().is_some_and(|given| given != opaque()) {
        return wrong("the realm or opaque value is not this server's".to_owned());
    }
    if answer.algorithm != algorithm || answer.qop.as_deref() != Some(path.qop.as_str()) {
        return wrong(format!("expected algorithm={} and qop={}", algorithm.name(), path.qop));
    }
    if answer.uri != uri {
        return wrong(format!("uri={:?} is not the requested {uri:?}", answer.uri));
    }
    if !answer.verify(method, &path.passwd, body) {
        return wrong("the response does not match the password".to_owned());
    }
    if now.saturating_sub(made) > DIGEST_NONCE_LIFETIME.as_secs() {
        return Err(DigestRefusal::Stale);
    }
    Ok(())
}

fn unix_seconds() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs())
}

/// `<seconds in hex>.<HMAC-SHA-256 of them, base64url>`.
fn make_nonce(seconds: u64) -> String {
    let time = format!("{seconds:x}");
    format!("{time}.{}", nonce_mac(&time))
}

fn nonce_mac(time: &str) -> String {
    let mac = hashing::hmac(HashAlgorithm::Sha256, &*DIGEST_KEY, time.as_bytes());
    hashing::encode(TextEncoding::Base64Url, &mac[..18])
}

/// When the server made `nonce`, if it did.
fn nonce_time(nonce: &str) -> Option<u64> {
    let (time, mac) = nonce.split_once('.')?;
    (nonce_mac(time) == mac).then(|| u64::from_str_radix(time, 16).ok()).flatten()
}

fn opaque() -> String {
    hashing::digest_hex(HashAlgorithm::Sha256, &*DIGEST_KEY)[..32].to_owned()
}

/// The text after `<scheme> ` in the Authorization header (scheme case-insensitive).
fn credentials<'a>(headers: &'a HeaderMap, scheme: &str) -> Option<&'a str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (given, rest) = value.split_once(' ')?;
    given.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

/// The user and password of `Authorization: Basic base64(user:pass)`.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let decoded = STANDARD.decode(credentials(headers, "basic")?).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_owned(), pass.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_servers_own_nonces_are_recognised_with_their_time() {
        let made = make_nonce(0x6b0d_ad5d);
        let (time, mac) = made.split_once('.').unwrap_or_default();
        let cases = [
            (made.clone(), Some(0x6b0d_ad5d)),
            (format!("6b0dad5e.{mac}"), None),
            (format!("{time}.{}", mac.replace(|c: char| c.is_ascii_alphabetic(), "A")), None),
            (time.to_owned(), None),
            ("dcd98b7102dd2f0e8b11d0f600bfb0c093".to_owned(), None),
            (String::new(), None),
        ];
        for (nonce, expected) in cases {
            assert_eq!(nonce_time(&nonce), expected, "{nonce}");
        }
    }

    #[test]
    fn an_answer_is_checked_against_the_path_the_request_and_the_clock() {
        let path = DigestPath { qop: "auth".into(), user: "u".into(), passwd: "p".into(), algorithm: None };
        let now = 1_000_000;
        let answer_with = |nonce: String, user: &str, password: &str, uri: &str| {
            let challenge = DigestChallenge::parse(&format!(
                r#"Digest realm="{DIGEST_REALM}", qop="auth", nonce="{nonce}", opaque="{}""#,
                opaque()
            ))
            .expect("a challenge");
            let answer = wire::auth::DigestAnswer {
                username: user.into(),
                uri: uri.into(),
                method: "GET".into(),
                cnonce: "0a4f113b".into(),
                nc: 1,
                qop: Some("auth".into()),
                body: Vec::new(),
            };
            let header = wire::auth::digest_steps(&challenge, &answer, password).authorization;
            DigestAuthorization::parse(&header).expect("an answer")
        };
        let fresh = make_nonce(now - 10);
        let old = make_nonce(now - DIGEST_NONCE_LIFETIME.as_secs() - 1);
        let uri = "/digest-auth/auth/u/p";
        let cases = [
            ("right", answer_with(fresh.clone(), "u", "p", uri), "ok"),
            ("wrong password", answer_with(fresh.clone(), "u", "x", uri), "wrong"),
            ("wrong user", answer_with(fresh.clone(), "v", "p", uri), "wrong"),
            ("another uri", answer_with(fresh.clone(), "u", "p", "/elsewhere"), "wrong"),
            ("a nonce not made here", answer_with("abc.def".into(), "u", "p", uri), "wrong"),
            ("an expired nonce", answer_with(old, "u", "p", uri), "stale"),
        ];
        for (name, answer, expected) in cases {
            let outcome = match check_digest(&answer, &path, DigestAlgorithm::Md5, "GET", uri, b"", now) {
                Ok(()) => "ok",
                Err(DigestRefusal::Stale) => "stale",
                Err(DigestRefusal::Wrong(_)) => "wrong",
            };
            assert_eq!(outcome, expected, "{name}");
        }
    }
}
