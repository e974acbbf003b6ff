//! `cargo xtask dev` serves the app from trunk on another port; Trunk.toml must forward every
//! route the server lists in `/api/info` to it, or a lab's default request gets the app's
//! index.html instead of the server's answer. This test reads both and names what is missing.

use axum::body::{Body, to_bytes};
use axum::http::Request;
use tower::ServiceExt;
use wirelab_server::{Config, Shutdown, app};

fn trunk_toml() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Trunk.toml")).expect("Trunk.toml")
}

/// The backends Trunk.toml proxies, as paths (`http://127.0.0.1:8080/get` → `/get`).
fn proxied_paths() -> Vec<String> {
    trunk_toml()
        .lines()
        .filter_map(|line| line.trim().strip_prefix("backend = \"")?.strip_suffix('"').map(str::to_owned))
        .filter_map(|backend| {
            let after_scheme = backend.split_once("://")?.1.to_owned();
            after_scheme.find('/').map(|slash| after_scheme[slash..].trim_end_matches('/').to_owned())
        })
        .collect()
}

/// Whether a proxy at `proxy` (trunk nests it: the path and everything below) covers `path`.
fn covers(proxy: &str, path: &str) -> bool {
    path == proxy || path.strip_prefix(proxy).is_some_and(|rest| rest.starts_with('/'))
}

#[test]
fn coverage_is_by_whole_path_segments() {
    let cases = [
        ("/get", "/get", true),
        ("/status", "/status/418", true),
        ("/redirect", "/redirect-to", false),
        ("/protobuf", "/protobuf.proto", false),
        ("/ws/echo", "/ws/echo", true),
        ("/ws/echo", "/ws/inspect", false),
    ];
    for (proxy, path, expected) in cases {
        assert_eq!(covers(proxy, path), expected, "{proxy} covers {path}");
    }
}

#[test]
fn trunk_serves_on_its_own_port_beside_the_server() {
    // trunk serve and the wirelab-server it forwards to cannot share a port.
    let trunk = trunk_toml();
    let serve = trunk.split("[serve]").nth(1).expect("a [serve] section");
    let port = serve.lines().find_map(|line| line.trim().strip_prefix("port = ")).expect("a serve port");
    assert_eq!(port, "8081");
    assert!(trunk.contains("[build]") && trunk.contains("wasm_bindgen = "), "the build and tool pins are kept");
}

#[tokio::test]
async fn every_route_in_api_info_is_proxied_by_trunk_serve() {
    let router = app(&Config::default(), Shutdown::new());
    let response =
        router.oneshot(Request::get("/api/info").body(Body::empty()).expect("request")).await.expect("answer");
    let body = to_bytes(response.into_body(), usize::MAX).await.expect("body");
    let info: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    let endpoints = info["endpoints"].as_array().expect("an endpoint list");
    assert!(endpoints.len() > 20, "the server lists its routes");
    let proxies = proxied_paths();
    let missing: Vec<String> = endpoints
        .iter()
        .filter_map(|endpoint| endpoint["path"].as_str())
        .map(|path| path.split(['{', '?']).next().unwrap_or(path).trim_end_matches('/').to_owned())
        .filter(|path| !proxies.iter().any(|proxy| covers(proxy, path)))
        .collect();
    assert!(missing.is_empty(), "Trunk.toml has no [[proxy]] for {missing:?}");
    assert!(proxies.iter().any(|proxy| proxy == "/api"), "the API is proxied");
}
