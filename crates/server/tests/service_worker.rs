//! How the offline parts of the app are served: `/sw.js` (the service worker with the build's
//! file list written above it), the web app manifest and its icons, and the `HEAD /api/info` the
//! shell asks to learn whether the server is there.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use support::{Answer, send};
use wirelab_server::{Config, Shutdown, app};

/// The script's first line, before the build's JSON.
const BUILD_PREFIX: &str = "self.WIRELAB_BUILD = ";

/// A dist as `cargo xtask run` leaves it, by file: (path, contents). Every compressible file
/// also gets `.br` and `.gz` copies, and trunk's staging folder is left behind.
const DIST: &[(&str, &str)] = &[
    ("index.html", "<!doctype html><title>Wirelab</title>"),
    ("wirelab-1a2b3c4d5e6f7a8b.js", "export default function init() {}"),
    ("wirelab-1a2b3c4d5e6f7a8b_bg.wasm", "\0asm the shell"),
    ("style-0f1e2d3c4b5a6978.css", "body { color: black }"),
    ("labs/lab_formats.js", "export default function init() {}"),
    ("labs/lab_formats_bg.wasm", "\0asm the Formats lab"),
    ("manifest.webmanifest", r#"{"name": "Wirelab", "start_url": "/"}"#),
    ("icon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
];

fn write_dist(dir: &Path, files: &[(&str, &str)]) {
    for (name, contents) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        for suffix in ["br", "gz"] {
            std::fs::write(dir.join(format!("{name}.{suffix}")), format!("the .{suffix} copy")).unwrap();
        }
    }
    std::fs::create_dir_all(dir.join(".stage")).unwrap();
    std::fs::write(dir.join(".stage/index.html"), "half a build").unwrap();
    std::fs::write(dir.join("index.html.br.partial"), "half a copy").unwrap();
}

fn dist(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path(), files);
    dir
}

fn router(static_dir: &Path) -> Router {
    app(&Config { static_dir: static_dir.to_path_buf(), ..Config::default() }, Shutdown::new())
}

async fn request(router: &Router, method: Method, uri: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(router, request.body(Body::empty()).unwrap()).await
}

/// The build written into the script: its version and each file's `integrity`, by URL.
fn build_of(script: &Answer) -> (String, BTreeMap<String, String>) {
    let text = script.text();
    let json = text
        .strip_prefix(BUILD_PREFIX)
        .and_then(|rest| rest.split_once(";\n"))
        .map(|(json, _worker)| json)
        .unwrap_or_else(|| panic!("no build line in {text:.200}"));
    let build: serde_json::Value = serde_json::from_str(json).unwrap();
    let assets = build["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|asset| (asset["url"].as_str().unwrap().to_owned(), asset["integrity"].as_str().unwrap().to_owned()))
        .collect();
    (build["version"].as_str().unwrap().to_owned(), assets)
}

fn integrity(contents: &str) -> String {
    format!("sha256-{}", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(contents)))
}

#[tokio::test]
async fn the_worker_lists_every_file_of_the_build_with_its_hash_and_nothing_else() {
    let dist = dist(DIST);
    let answer = request(&router(dist.path()), Method::GET, "/sw.js", &[("accept-encoding", "br, gzip")]).await;
    assert_eq!(answer.status, StatusCode::OK);
    let (version, assets) = build_of(&answer);
    let expected: BTreeMap<String, String> =
        DIST.iter().map(|(name, contents)| (format!("/{name}"), integrity(contents))).collect();
    assert_eq!(assets, expected, "no copies, no hidden folders, no half-written files");
    assert!(version.len() == 16 && version.bytes().all(|byte| byte.is_ascii_hexdigit()), "{version}");
    assert!(answer.text().contains(r#"self.addEventListener("fetch""#), "the worker follows the build line");
}

#[tokio::test]
async fn the_worker_is_revalidated_on_every_check_and_304_when_unchanged() {
    let dist = dist(DIST);
    let router = router(dist.path());
    let answer = request(&router, Method::GET, "/sw.js", &[("accept-encoding", "br, gzip")]).await;
    let (version, _) = build_of(&answer);
    // (header, expected value)
    let headers = [
        ("content-type", "text/javascript; charset=utf-8".to_owned()),
        ("cache-control", "no-cache".to_owned()),
        ("etag", format!("\"sw-{version}\"")),
        // Served from the root, its scope is the whole app without asking for more.
        ("service-worker-allowed", String::new()),
        // A precompressed dist's files are never compressed on the fly; the script is small.
        ("content-encoding", String::new()),
    ];
    for (name, value) in headers {
        assert_eq!(answer.header(name), value, "{name}");
    }
    let etag = answer.header("etag");
    let again = request(&router, Method::GET, "/sw.js", &[("if-none-match", etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert_eq!(again.header("etag"), etag);
    assert!(again.body.is_empty());
}

#[tokio::test]
async fn the_version_follows_the_files_contents_not_where_they_are() {
    let first = dist(DIST);
    let same_elsewhere = dist(DIST);
    let mut changed_files = DIST.to_vec();
    changed_files[5] = ("labs/lab_formats_bg.wasm", "\0asm the Formats lab, rebuilt");
    let changed = dist(&changed_files);
    let mut versions = Vec::new();
    for dir in [&first, &same_elsewhere, &changed] {
        let answer = request(&router(dir.path()), Method::GET, "/sw.js", &[]).await;
        versions.push(build_of(&answer).0);
    }
    assert_eq!(versions[0], versions[1], "the same build in another folder");
    assert_ne!(versions[0], versions[2], "one file changed");
}

#[tokio::test]
async fn the_manifest_and_icons_have_their_types_and_are_revalidated() {
    let dist = dist(DIST);
    let router = router(dist.path());
    // (path, Content-Type)
    let cases = [("/manifest.webmanifest", "application/manifest+json"), ("/icon.svg", "image/svg+xml")];
    for (path, content_type) in cases {
        let answer = request(&router, Method::GET, path, &[]).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert_eq!(answer.header("content-type"), content_type, "{path}");
        assert_eq!(answer.header("cache-control"), "no-cache", "{path}");
    }
}

/// The strings quoted in a line of source, in order.
fn quoted(line: &str) -> Vec<String> {
    line.split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

#[test]
fn the_worker_answers_navigations_to_exactly_the_apps_routes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let worker = std::fs::read_to_string(root.join("www/sw.js")).unwrap();
    let routes = std::fs::read_to_string(root.join("src/route.rs")).unwrap();
    let app_routes: Vec<String> = routes
        .lines()
        .filter(|line| line.trim_start().starts_with("#[at("))
        .flat_map(quoted)
        .filter(|route| route != "/404")
        .collect();
    let worker_routes = worker.lines().find(|line| line.starts_with("const APP_ROUTES")).map(quoted);
    assert_eq!(worker_routes, Some(app_routes), "www/sw.js's APP_ROUTES and src/route.rs");
}

#[tokio::test]
async fn without_a_static_directory_there_is_no_worker() {
    let missing = tempfile::tempdir().unwrap().path().join("not-built");
    let answer = request(&router(&missing), Method::GET, "/sw.js", &[]).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_shells_question_head_api_info_is_answered_without_a_body() {
    let dist = dist(DIST);
    let answer = request(&router(dist.path()), Method::HEAD, "/api/info", &[]).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.is_empty());
}
