//! Tests of `wire::codegen`: each request rendered as cURL, Python `requests` and Rust `reqwest`
//! code, awkward characters quoted correctly, and cURL commands that read back into the request.

use expect_test::{Expect, expect};
use wire::codegen::{python_str, rust_str, shell_quote, to_curl, to_python_requests, to_rust_reqwest};
use wire::curl::parse_curl;
use wire::http_request::{Auth, BinarySource, HttpRequest, KeyValue, MultipartField, RequestBody};

fn request(method: &str, url: &str) -> HttpRequest {
    HttpRequest { method: method.into(), url: url.into(), ..HttpRequest::default() }
}

fn check(request: &HttpRequest, expected: Expect) {
    let shown = format!(
        "--- curl\n{}\n--- python\n{}--- rust\n{}",
        to_curl(request),
        to_python_requests(request),
        to_rust_reqwest(request)
    )
    .replace('\r', "␍"); // a carriage return shown visibly
    expected.assert_eq(&shown);
}

fn json_post() -> HttpRequest {
    HttpRequest {
        headers: vec![KeyValue::new("Accept", "application/json")],
        body: RequestBody::Json(r#"{"name": "Ada", "admin": true, "manager": null, "tags": ["a", "b"], "n": 3000000000, "x": 1.5, "e": {}}"#.into()),
        auth: Auth::Basic { user: "ada".into(), password: "pa'ss".into() },
        ..request("POST", "https://api.example.com/users?notify=1")
    }
}

fn form_post() -> HttpRequest {
    HttpRequest {
        body: RequestBody::Form(vec![
            KeyValue::new("name", "Ada Lovelace"),
            KeyValue::new("note", "a&b=c"),
            KeyValue::disabled("off", "1"),
        ]),
        timeout_ms: Some(1500),
        ..request("POST", "http://127.0.0.1:8080/form")
    }
}

fn multipart_post() -> HttpRequest {
    HttpRequest {
        body: RequestBody::Multipart(vec![
            MultipartField::text("title", "Holiday"),
            MultipartField::text("handle", "@ada"),
            MultipartField::file("photo", "beach.png", "image/png", 2048),
            MultipartField::file("raw", "data.bin", "", 10),
        ]),
        auth: Auth::Bearer { token: "t0k3n".into() },
        timeout_ms: None,
        ..request("PUT", "https://x/upload")
    }
}

fn binary_post() -> HttpRequest {
    HttpRequest {
        body: RequestBody::Binary { source: BinarySource::Hex, text: "de ad be ef 00 22 5c".into() },
        ..request("POST", "https://x/bytes")
    }
}

fn awkward() -> HttpRequest {
    HttpRequest {
        headers: vec![
            KeyValue::new("X-Quote", "it's \"quoted\" \\ back"),
            KeyValue::new("X-Lines", "one\ntwo\r"),
            KeyValue::new("X-Empty", ""),
        ],
        body: RequestBody::Text {
            content_type: "text/plain; charset=utf-8".into(),
            text: "O'Brien said \"hi\"\\n\nnew line, tab\there, café \"# ok".into(),
        },
        ..request("PATCH", "https://x/notes/1?q=it's")
    }
}

case_test! {
    fn quoting_helpers() {
        let cases = [
            ("plain", "'plain'", "\"plain\"", "\"plain\""),
            ("it's", "'it'\\''s'", "\"it's\"", "\"it's\""),
            ("say \"hi\"", "'say \"hi\"'", "\"say \\\"hi\\\"\"", "r#\"say \"hi\"\"#"),
            ("back\\slash", "'back\\slash'", "\"back\\\\slash\"", "r#\"back\\slash\"#"),
            ("a\"#b", "'a\"#b'", "\"a\\\"#b\"", "r##\"a\"#b\"##"),
            ("line\nbreak", "'line\nbreak'", "\"line\\nbreak\"", "\"line\\nbreak\""),
            ("cr\r\"", "'cr\r\"'", "\"cr\\r\\\"\"", "\"cr\\r\\\"\""),
            ("nul\0bell\u{7}", "'nul\0bell\u{7}'", "\"nul\\x00bell\\x07\"", "\"nul\\0bell\\u{7}\""),
            ("$HOME `x` !", "'$HOME `x` !'", "\"$HOME `x` !\"", "\"$HOME `x` !\""),
            ("été 🦀", "'été 🦀'", "\"été 🦀\"", "\"été 🦀\""),
        ];
        for (text, shell, python, rust) in cases {
            assert_eq!((shell_quote(text).as_str(), python_str(text).as_str(), rust_str(text).as_str()), (shell, python, rust), "{text:?}");
        }
    }

    fn a_request_with_the_browsers_cookies_says_they_stay_behind() {
        let with_cookies = HttpRequest { include_credentials: true, ..request("GET", "http://127.0.0.1:8080/cookies") };
        check(&with_cookies, expect![[r#"
            --- curl
            # The lab sends this browser's cookies (credentials: include); curl has none of them: add -b 'name=value'.
            curl 'http://127.0.0.1:8080/cookies'
            --- python
            import requests

            # The lab sends this browser's cookies (credentials: include); pass yours as cookies={"name": "value"}.
            response = requests.request(
                "GET",
                "http://127.0.0.1:8080/cookies",
                timeout=30,
            )

            print(response.status_code, response.reason)
            print(response.text)
            --- rust
            // Cargo.toml: reqwest = "0.12", tokio = { version = "1", features = ["full"] }
            use std::time::Duration;

            #[tokio::main]
            async fn main() -> Result<(), Box<dyn std::error::Error>> {
                let client = reqwest::Client::new();
                // The lab sends this browser's cookies (credentials: include); add .header("Cookie", "name=value").
                let response = client
                    .get("http://127.0.0.1:8080/cookies")
                    .timeout(Duration::from_millis(30000))
                    .send()
                    .await?;

                println!("{}", response.status());
                println!("{}", response.text().await?);
                Ok(())
            }
        "#]]);
    }

    fn get() {
        check(&request("GET", "http://127.0.0.1:8080/json"), expect![[r#"--- curl
curl 'http://127.0.0.1:8080/json'
--- python
import requests

response = requests.request(
    "GET",
    "http://127.0.0.1:8080/json",
    timeout=30,
)

print(response.status_code, response.reason)
print(response.text)
--- rust
// Cargo.toml: reqwest = "0.12", tokio = { version = "1", features = ["full"] }
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = reqwest::Client::new();
    let response = client
        .get("http://127.0.0.1:8080/json")
        .timeout(Duration::from_millis(30000))
        .send()
        .await?;

    println!("{}", response.status());
    println!("{}", response.text().await?);
    Ok(())
}
"#]]);
    }

    fn json_post_with_basic_auth() {
        check(&json_post(), expect![[r#"--- curl
curl 'https://api.example.com/users?notify=1' \
  -H 'Accept: application/json' \
  -H 'Content-Type: application/json' \
  -u 'ada:pa'\''ss' \
  --data-raw '{"name": "Ada", "admin": true, "manager": null, "tags": ["a", "b"], "n": 3000000000, "x": 1.5, "e": {}}'
--- python
import requests

response = requests.request(
    "POST",
    "https://api.example.com/users?notify=1",
    headers={
        "Accept": "application/json",
    },
    json={
        "name": "Ada",
        "admin": True,
        "manager": None,
        "tags": [
            "a",
            "b"
        ],
        "n": 3000000000,
        "x": 1.5,
        "e": {}
    },
    auth=("ada", "pa'ss"),
    timeout=30,
)

print(response.status_code, response.reason)
print(response.text)
--- rust
// Cargo.toml: reqwest = { version = "0.12", features = ["json"] }, serde_json = "1", tokio = { version = "1", features = ["full"] }
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = reqwest::Client::new();
    let response = client
        .post("https://api.example.com/users?notify=1")
        .header("Accept", "application/json")
        .basic_auth("ada", Some("pa'ss"))
        .json(&serde_json::json!({
            "name": "Ada",
            "admin": true,
            "manager": null,
            "tags": [
                "a",
                "b"
            ],
            "n": 3000000000i64,
            "x": 1.5,
            "e": {}
        }))
        .timeout(Duration::from_millis(30000))
        .send()
        .await?;

    println!("{}", response.status());
    println!("{}", response.text().await?);
    Ok(())
}
"#]]);
    }

    fn form() {
        check(&form_post(), expect![[r#"--- curl
curl 'http://127.0.0.1:8080/form' \
  --data-raw 'name=Ada+Lovelace&note=a%26b%3Dc' \
  --max-time 1.5
--- python
import requests

response = requests.request(
    "POST",
    "http://127.0.0.1:8080/form",
    data={
        "name": "Ada Lovelace",
        "note": "a&b=c",
    },
    timeout=1.5,
)

print(response.status_code, response.reason)
print(response.text)
--- rust
// Cargo.toml: reqwest = "0.12", tokio = { version = "1", features = ["full"] }
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = reqwest::Client::new();
    let response = client
        .post("http://127.0.0.1:8080/form")
        .form(&[("name", "Ada Lovelace"), ("note", "a&b=c")])
        .timeout(Duration::from_millis(1500))
        .send()
        .await?;

    println!("{}", response.status());
    println!("{}", response.text().await?);
    Ok(())
}
"#]]);
    }

    fn multipart() {
        check(&multipart_post(), expect![[r#"--- curl
curl 'https://x/upload' \
  -X PUT \
  -H 'Authorization: Bearer t0k3n' \
  -F 'title=Holiday' \
  --form-string 'handle=@ada' \
  -F 'photo=@beach.png;type=image/png' \
  -F 'raw=@data.bin'
--- python
import requests

response = requests.request(
    "PUT",
    "https://x/upload",
    headers={
        "Authorization": "Bearer t0k3n",
    },
    files={
        "title": (None, "Holiday"),
        "handle": (None, "@ada"),
        "photo": ("beach.png", open("beach.png", "rb"), "image/png"),
        "raw": ("data.bin", open("data.bin", "rb")),
    },
)

print(response.status_code, response.reason)
print(response.text)
--- rust
// Cargo.toml: reqwest = { version = "0.12", features = ["multipart"] }, tokio = { version = "1", features = ["full"] }

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = reqwest::Client::new();
    let form = reqwest::multipart::Form::new()
        .text("title", "Holiday")
        .text("handle", "@ada")
        .part("photo", reqwest::multipart::Part::bytes(std::fs::read("beach.png")?).file_name("beach.png").mime_str("image/png")?)
        .part("raw", reqwest::multipart::Part::bytes(std::fs::read("data.bin")?).file_name("data.bin"));
    let response = client
        .put("https://x/upload")
        .bearer_auth("t0k3n")
        .multipart(form)
        .send()
        .await?;

    println!("{}", response.status());
    println!("{}", response.text().await?);
    Ok(())
}
"#]]);
    }

    fn binary_body() {
        check(&binary_post(), expect![[r#"--- curl
# The body is binary: it is decoded from base64 and piped in (--data-binary @- reads stdin).
echo '3q2+7wAiXA==' | base64 -d | curl 'https://x/bytes' \
  -H 'Content-Type: application/octet-stream' \
  --data-binary @-
--- python
import requests

response = requests.request(
    "POST",
    "https://x/bytes",
    headers={
        "Content-Type": "application/octet-stream",
    },
    data=bytes.fromhex("deadbeef00225c"),
    timeout=30,
)

print(response.status_code, response.reason)
print(response.text)
--- rust
// Cargo.toml: reqwest = "0.12", tokio = { version = "1", features = ["full"] }
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = reqwest::Client::new();
    let response = client
        .post("https://x/bytes")
        .header("Content-Type", "application/octet-stream")
        .body(b"\xde\xad\xbe\xef\x00\"\\".to_vec())
        .timeout(Duration::from_millis(30000))
        .send()
        .await?;

    println!("{}", response.status());
    println!("{}", response.text().await?);
    Ok(())
}
"#]]);
        check(
            &HttpRequest {
                body: RequestBody::Binary { source: BinarySource::Base64, text: "not base64!".into() },
                ..request("POST", "https://x/bytes")
            },
            expect![[r#"--- curl
# The body is left out: '!' is not a base64 character at line 1, column 11
curl 'https://x/bytes' \
  -X POST \
  -H 'Content-Type: application/octet-stream'
--- python
import requests

# The body is left out: '!' is not a base64 character at line 1, column 11
response = requests.request(
    "POST",
    "https://x/bytes",
    headers={
        "Content-Type": "application/octet-stream",
    },
    timeout=30,
)

print(response.status_code, response.reason)
print(response.text)
--- rust
// Cargo.toml: reqwest = "0.12", tokio = { version = "1", features = ["full"] }
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = reqwest::Client::new();
    // The body is left out: '!' is not a base64 character at line 1, column 11
    let response = client
        .post("https://x/bytes")
        .header("Content-Type", "application/octet-stream")
        .timeout(Duration::from_millis(30000))
        .send()
        .await?;

    println!("{}", response.status());
    println!("{}", response.text().await?);
    Ok(())
}
"#]],
        );
        check(
            &HttpRequest {
                body: RequestBody::File { file_name: "my photo.jpg".into(), content_type: "image/jpeg".into(), size: 1 },
                ..request("POST", "https://x/upload")
            },
            expect![[r#"--- curl
curl 'https://x/upload' \
  -H 'Content-Type: image/jpeg' \
  --data-binary '@my photo.jpg'
--- python
import requests

response = requests.request(
    "POST",
    "https://x/upload",
    headers={
        "Content-Type": "image/jpeg",
    },
    data=open("my photo.jpg", "rb"),
    timeout=30,
)

print(response.status_code, response.reason)
print(response.text)
--- rust
// Cargo.toml: reqwest = "0.12", tokio = { version = "1", features = ["full"] }
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = reqwest::Client::new();
    let response = client
        .post("https://x/upload")
        .header("Content-Type", "image/jpeg")
        .body(std::fs::read("my photo.jpg")?)
        .timeout(Duration::from_millis(30000))
        .send()
        .await?;

    println!("{}", response.status());
    println!("{}", response.text().await?);
    Ok(())
}
"#]],
        );
    }

    fn awkward_quoting() {
        check(&awkward(), expect![[r###"--- curl
curl 'https://x/notes/1?q=it'\''s' \
  -X PATCH \
  -H 'X-Quote: it'\''s "quoted" \ back' \
  -H 'X-Lines: one
two␍' \
  -H 'X-Empty;' \
  -H 'Content-Type: text/plain; charset=utf-8' \
  --data-raw 'O'\''Brien said "hi"\n
new line, tab	here, café "# ok'
--- python
import requests

response = requests.request(
    "PATCH",
    "https://x/notes/1?q=it's",
    headers={
        "X-Quote": "it's \"quoted\" \\ back",
        "X-Lines": "one\ntwo\r",
        "X-Empty": "",
        "Content-Type": "text/plain; charset=utf-8",
    },
    data="O'Brien said \"hi\"\\n\nnew line, tab\there, café \"# ok".encode("utf-8"),
    timeout=30,
)

print(response.status_code, response.reason)
print(response.text)
--- rust
// Cargo.toml: reqwest = "0.12", tokio = { version = "1", features = ["full"] }
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = reqwest::Client::new();
    let response = client
        .patch("https://x/notes/1?q=it's")
        .header("X-Quote", r#"it's "quoted" \ back"#)
        .header("X-Lines", "one\ntwo\r")
        .header("X-Empty", "")
        .header("Content-Type", "text/plain; charset=utf-8")
        .body(r##"O'Brien said "hi"\n
new line, tab	here, café "# ok"##)
        .timeout(Duration::from_millis(30000))
        .send()
        .await?;

    println!("{}", response.status());
    println!("{}", response.text().await?);
    Ok(())
}
"###]]);
    }

    fn methods_and_json_that_does_not_parse() {
        check(
            &HttpRequest {
                headers: vec![KeyValue::new("Content-Type", "application/json")],
                body: RequestBody::Json("{not json".into()),
                timeout_ms: Some(30_000),
                ..request("PURGE", "https://cdn.example.com/a")
            },
            expect![[r#"--- curl
curl 'https://cdn.example.com/a' \
  -X PURGE \
  -H 'Content-Type: application/json' \
  --data-raw '{not json'
--- python
import requests

response = requests.request(
    "PURGE",
    "https://cdn.example.com/a",
    headers={
        "Content-Type": "application/json",
    },
    data="{not json",
    timeout=30,
)

print(response.status_code, response.reason)
print(response.text)
--- rust
// Cargo.toml: reqwest = "0.12", tokio = { version = "1", features = ["full"] }
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = reqwest::Client::new();
    let response = client
        .request(reqwest::Method::from_bytes(b"PURGE")?, "https://cdn.example.com/a")
        .header("Content-Type", "application/json")
        .body("{not json")
        .timeout(Duration::from_millis(30000))
        .send()
        .await?;

    println!("{}", response.status());
    println!("{}", response.text().await?);
    Ok(())
}
"#]],
        );
        check(&request("HEAD", "https://x/"), expect![[r#"--- curl
curl 'https://x/' \
  --head
--- python
import requests

response = requests.request(
    "HEAD",
    "https://x/",
    timeout=30,
)

print(response.status_code, response.reason)
print(response.text)
--- rust
// Cargo.toml: reqwest = "0.12", tokio = { version = "1", features = ["full"] }
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = reqwest::Client::new();
    let response = client
        .head("https://x/")
        .timeout(Duration::from_millis(30000))
        .send()
        .await?;

    println!("{}", response.status());
    println!("{}", response.text().await?);
    Ok(())
}
"#]]);
        check(&request("OPTIONS", "https://x/"), expect![[r#"--- curl
curl 'https://x/' \
  -X OPTIONS
--- python
import requests

response = requests.request(
    "OPTIONS",
    "https://x/",
    timeout=30,
)

print(response.status_code, response.reason)
print(response.text)
--- rust
// Cargo.toml: reqwest = "0.12", tokio = { version = "1", features = ["full"] }
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = reqwest::Client::new();
    let response = client
        .request(reqwest::Method::OPTIONS, "https://x/")
        .timeout(Duration::from_millis(30000))
        .send()
        .await?;

    println!("{}", response.status());
    println!("{}", response.text().await?);
    Ok(())
}
"#]]);
        check(&HttpRequest { body: RequestBody::Json("[]".into()), ..request("GET", "https://x/search") }, expect![[r#"--- curl
curl 'https://x/search' \
  -X GET \
  -H 'Content-Type: application/json' \
  --data-raw '[]'
--- python
import requests

response = requests.request(
    "GET",
    "https://x/search",
    json=[],
    timeout=30,
)

print(response.status_code, response.reason)
print(response.text)
--- rust
// Cargo.toml: reqwest = { version = "0.12", features = ["json"] }, serde_json = "1", tokio = { version = "1", features = ["full"] }
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = reqwest::Client::new();
    let response = client
        .get("https://x/search")
        .json(&serde_json::json!([]))
        .timeout(Duration::from_millis(30000))
        .send()
        .await?;

    println!("{}", response.status());
    println!("{}", response.text().await?);
    Ok(())
}
"#]]);
    }

    fn curl_round_trip() {
        let cases = vec![
            request("GET", "http://127.0.0.1:8080/json"),
            request("DELETE", "https://x/items/1?force=true"),
            request("HEAD", "https://x/"),
            request("PURGE", "https://x/cache"),
            json_post(),
            HttpRequest { body: RequestBody::Form(vec![KeyValue::new("name", "Ada Lovelace"), KeyValue::new("note", "a&b=c")]), ..form_post() },
            HttpRequest { body: RequestBody::Xml("<a x='1'>\n  <b>it's</b>\n</a>".into()), ..request("PUT", "https://x/doc") },
            HttpRequest {
                headers: vec![KeyValue::new("X-Empty", ""), KeyValue::new("X-Quote", "it's \"q\" \\ $HOME")],
                body: RequestBody::Text { content_type: "text/plain".into(), text: "line 1\nline 'two'\n".into() },
                auth: Auth::Bearer { token: "abc".into() },
                timeout_ms: Some(2500),
                ..request("POST", "https://x/notes")
            },
            HttpRequest {
                body: RequestBody::Multipart(vec![
                    MultipartField::text("title", "a;b"),
                    MultipartField::text("at", "@literal"),
                    MultipartField::file("photo", "beach.png", "image/png", 0),
                    MultipartField::file("doc", "a;b.pdf", "", 0),
                ]),
                ..request("POST", "https://x/upload")
            },
            HttpRequest { body: RequestBody::Json("{\"q\": \"wire\"}".into()), ..request("GET", "https://x/search") },
            HttpRequest { body: RequestBody::Form(vec![KeyValue::new("a", "1")]), ..request("PUT", "https://x/") },
        ];
        for request in cases {
            let command = to_curl(&request);
            let imported = parse_curl(&command).map(|import| import.request).map_err(|error| error.to_string());
            assert_eq!(imported, Ok(request), "{command}");
        }
    }
}
