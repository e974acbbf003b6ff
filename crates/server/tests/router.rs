//! Tests of the HTTP routes through `tower::ServiceExt::oneshot`, without a socket.

use std::io::Read;
use std::path::Path;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use tower::ServiceExt;
use wirelab_server::{Config, Shutdown, app};

const INDEX: &str = "<!doctype html><title>Wirelab</title><p>the app</p>";
/// The smallest valid module: magic and version.
const WASM: &[u8] = b"\0asm\x01\0\0\0";
/// Big and repetitive enough that the compression layer compresses it.
fn script() -> String {
    "console.log('wirelab');\n".repeat(200)
}

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), INDEX).unwrap();
    std::fs::write(dir.path().join("wirelab_bg.wasm"), WASM).unwrap();
    std::fs::write(dir.path().join("wirelab.js"), script()).unwrap();
    dir
}

fn router(static_dir: &Path) -> Router {
    let config = Config { static_dir: static_dir.to_path_buf(), max_message_bytes: 1234, ..Config::default() };
    app(&config, Shutdown::new())
}

async fn get(router: Router, uri: &str) -> Response {
    router.oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap()
}

async fn body_text(response: Response) -> String {
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn content_type(response: &Response) -> &str {
    response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn api_info_describes_the_server() {
    let dir = site();
    let response = get(router(dir.path()), "/api/info").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(content_type(&response), "application/json");
    let info: serde_json::Value = serde_json::from_str(&body_text(response).await).unwrap();
    assert_eq!(info["name"], "wirelab-server");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["max_message_bytes"], 1234);
    assert_eq!(info["max_body_bytes"], 16 * 1024 * 1024);
    assert_eq!(info["max_delay_seconds"], 10.0);
    let endpoints = info["endpoints"].as_array().unwrap();
    assert_eq!(endpoints[0]["path"], "/ws/echo");
    assert_eq!(endpoints[0]["kind"], "websocket");
    assert_eq!((&endpoints[1]["path"], &endpoints[1]["kind"]), (&"/ws/inspect".into(), &"websocket".into()));
    for endpoint in endpoints {
        assert!(endpoint["description"].as_str().unwrap().len() > 10, "{endpoint}");
    }
    // One row per httpbin route group member; tests/httpbin.rs requests every one of them.
    for (path, group) in [
        ("/anything/{path}", "request"),
        ("/dump/request", "request"),
        ("/status/{codes}", "status"),
        ("/delay/{seconds}", "dynamic"),
        ("/drip", "dynamic"),
        ("/redirect/{n}", "redirects"),
        ("/basic-auth/{user}/{pass}", "auth"),
        ("/protobuf", "formats"),
        ("/json?records={n}", "formats"),
    ] {
        let endpoint = endpoints.iter().find(|e| e["path"] == path).unwrap_or_else(|| panic!("{path} not listed"));
        assert_eq!((endpoint["kind"].as_str(), endpoint["group"].as_str()), (Some("http"), Some(group)), "{path}");
    }
}

#[tokio::test]
async fn files_are_served_with_their_content_types() {
    let dir = site();
    for (uri, expected_type, expected_body) in [
        ("/wirelab_bg.wasm", "application/wasm", WASM.to_vec()),
        ("/wirelab.js", "text/javascript", script().into_bytes()),
        ("/index.html", "text/html", INDEX.as_bytes().to_vec()),
        ("/", "text/html", INDEX.as_bytes().to_vec()),
    ] {
        let response = get(router(dir.path()), uri).await;
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        assert!(content_type(&response).starts_with(expected_type), "{uri}: {}", content_type(&response));
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        assert_eq!(body.as_ref(), expected_body.as_slice(), "{uri}");
    }
}

#[tokio::test]
async fn app_routes_fall_back_to_index_html() {
    let dir = site();
    for uri in ["/ws", "/http", "/formats", "/formats/some/deep/link", "/ws?x=1"] {
        let response = get(router(dir.path()), uri).await;
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        assert!(content_type(&response).starts_with("text/html"), "{uri}");
        assert_eq!(body_text(response).await, INDEX, "{uri}");
    }
}

#[tokio::test]
async fn missing_files_are_404_not_index_html() {
    let dir = site();
    for uri in ["/missing.js", "/assets/missing.wasm", "/favicon.ico", "/ws/nope"] {
        let response = get(router(dir.path()), uri).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{uri}");
        assert_ne!(body_text(response).await, INDEX, "{uri}");
    }
}

#[tokio::test]
async fn unknown_api_paths_are_json_404() {
    let dir = site();
    for uri in ["/api/nope", "/api", "/api/", "/api/info/extra", "/api/file.json"] {
        let response = get(router(dir.path()), uri).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(content_type(&response), "application/json", "{uri}");
        let body: serde_json::Value = serde_json::from_str(&body_text(response).await).unwrap();
        assert!(body["error"].as_str().unwrap().contains(uri), "{uri}: {body}");
    }
}

#[tokio::test]
async fn responses_are_gzipped_when_asked() {
    let dir = site();
    let request = Request::get("/wirelab.js").header(header::ACCEPT_ENCODING, "gzip").body(Body::empty()).unwrap();
    let response = router(dir.path()).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
    let compressed = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    assert!(compressed.len() < script().len() / 4, "{} bytes", compressed.len());
    let mut plain = String::new();
    flate2::read::GzDecoder::new(compressed.as_ref()).read_to_string(&mut plain).unwrap();
    assert_eq!(plain, script());
}

#[tokio::test]
async fn brotli_is_offered_too() {
    let dir = site();
    let request = Request::get("/wirelab.js").header(header::ACCEPT_ENCODING, "br").body(Body::empty()).unwrap();
    let response = router(dir.path()).oneshot(request).await.unwrap();
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "br");
}

#[tokio::test]
async fn echo_without_upgrade_headers_is_a_client_error() {
    let dir = site();
    let response = get(router(dir.path()), "/ws/echo").await;
    assert!(response.status().is_client_error(), "{}", response.status());
    let request = Request::post("/ws/echo").body(Body::empty()).unwrap();
    let response = router(dir.path()).oneshot(request).await.unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
}

#[tokio::test]
async fn without_a_static_dir_the_root_explains_how_to_build() {
    let missing = Path::new("/nonexistent/wirelab-test-dist");
    let response = get(router(missing), "/").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(content_type(&response).starts_with("text/html"));
    assert!(body_text(response).await.contains("cargo xtask run"));

    assert_eq!(get(router(missing), "/app.js").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(get(router(missing), "/api/info").await.status(), StatusCode::OK);
}
