//! The app's files served like a CDN would, through `tower::ServiceExt::oneshot` on a temporary
//! dist: the precompressed copy each `Accept-Encoding` gets, `Cache-Control` by file name,
//! ETags and 304s, the `index.html` fallback, and on-the-fly compression only for a dist built
//! without copies.

mod support;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use support::{Answer, send};
use wirelab_server::{Config, Shutdown, app};

const HASHED_JS: &str = "wirelab-1a2b3c4d5e6f7a8b.js";
const HASHED_WASM: &str = "wirelab-1a2b3c4d5e6f7a8b_bg.wasm";
const HASHED_CSS: &str = "style-0f1e2d3c4b5a6978.css";
const WORKER_JS: &str = "labs/http.js";
const WORKER_WASM: &str = "labs/http_bg.wasm";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NO_CACHE: &str = "no-cache";

/// What a file of the test dist holds: recognisable text, long enough that the compression
/// layer would compress it if it were allowed to.
fn original(name: &str) -> String {
    format!("the original {name}\n").repeat(20)
}

/// What the precompressed copies hold: not real brotli or gzip, just a way to tell which file
/// was sent.
fn copy(name: &str, suffix: &str) -> String {
    format!("the .{suffix} copy of {name}")
}

/// A dist as `cargo xtask run` leaves it: every file with a `.br` and a `.gz` copy.
fn precompressed_dist() -> tempfile::TempDir {
    let dir = plain_dist();
    for name in ["index.html", HASHED_JS, HASHED_WASM, HASHED_CSS, WORKER_JS, WORKER_WASM] {
        for suffix in ["br", "gz"] {
            std::fs::write(dir.path().join(format!("{name}.{suffix}")), copy(name, suffix)).unwrap();
        }
    }
    dir
}

/// A dist as a bare `trunk build` leaves it, without copies.
fn plain_dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("labs")).unwrap();
    for name in ["index.html", HASHED_JS, HASHED_WASM, HASHED_CSS, WORKER_JS, WORKER_WASM] {
        std::fs::write(dir.path().join(name), original(name)).unwrap();
    }
    dir
}

fn router(dist: &tempfile::TempDir) -> Router {
    app(&Config { static_dir: dist.path().to_path_buf(), ..Config::default() }, Shutdown::new())
}

async fn get(router: &Router, uri: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(router, request.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn each_client_gets_the_copy_it_accepts_and_nothing_is_compressed_twice() {
    let dist = precompressed_dist();
    let router = router(&dist);
    // (Accept-Encoding, the Content-Encoding sent, and the file it came from: "" for the original)
    let cases = [
        ("br", "br", "br"),
        ("gzip, deflate, br, zstd", "br", "br"),
        ("gzip;q=1, br;q=0.5", "gzip", "gz"),
        ("gzip", "gzip", "gz"),
        ("deflate", "", ""),
        ("identity", "", ""),
        ("", "", ""),
        ("br;q=0, gzip;q=0", "", ""),
    ];
    for name in ["index.html", HASHED_JS, HASHED_WASM, WORKER_JS] {
        for (accepted, encoding, suffix) in cases {
            let headers: &[(&str, &str)] = if accepted.is_empty() { &[] } else { &[("accept-encoding", accepted)] };
            let answer = get(&router, &format!("/{name}"), headers).await;
            let what = format!("{name} with Accept-Encoding {accepted:?}");
            assert_eq!(answer.status, StatusCode::OK, "{what}");
            assert_eq!(answer.header("content-encoding"), encoding, "{what}");
            let expected = if suffix.is_empty() { original(name) } else { copy(name, suffix) };
            assert_eq!(answer.text(), expected, "{what}");
            assert!(answer.header("vary").to_ascii_lowercase().contains("accept-encoding"), "{what}");
        }
    }
}

#[tokio::test]
async fn hashed_names_are_immutable_and_everything_else_is_revalidated() {
    let dist = precompressed_dist();
    let router = router(&dist);
    // (path, Cache-Control, body: the file's own, or index.html's for an app route)
    let cases = [
        (format!("/{HASHED_JS}"), IMMUTABLE, HASHED_JS),
        (format!("/{HASHED_WASM}"), IMMUTABLE, HASHED_WASM),
        (format!("/{HASHED_CSS}"), IMMUTABLE, HASHED_CSS),
        (format!("/{WORKER_JS}"), NO_CACHE, WORKER_JS),
        (format!("/{WORKER_WASM}"), NO_CACHE, WORKER_WASM),
        ("/index.html".to_owned(), NO_CACHE, "index.html"),
        ("/".to_owned(), NO_CACHE, "index.html"),
        ("/formats".to_owned(), NO_CACHE, "index.html"),
        ("/http?url=/get".to_owned(), NO_CACHE, "index.html"),
        ("/formats/deep/link".to_owned(), NO_CACHE, "index.html"),
    ];
    for (path, cache_control, file) in cases {
        let answer = get(&router, &path, &[]).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert_eq!(answer.header("cache-control"), cache_control, "{path}");
        assert_eq!(answer.text(), original(file), "{path}");
        assert!(answer.header("etag").starts_with('"'), "{path}: a strong ETag, got {:?}", answer.header("etag"));
    }
}

#[tokio::test]
async fn a_known_etag_gets_304_and_each_copy_has_its_own() {
    let dist = precompressed_dist();
    let router = router(&dist);
    for path in ["/index.html", "/", "/http", &format!("/{HASHED_WASM}"), &format!("/{WORKER_JS}")] {
        let mut etags = Vec::new();
        for accepted in ["br", "gzip", "identity"] {
            let encoding = [("accept-encoding", accepted)];
            let first = get(&router, path, &encoding).await;
            let etag = first.header("etag").to_owned();
            let what = format!("{path} ({accepted})");
            // (If-None-Match, the status it gets)
            let weak = format!("W/{etag}");
            let listed = format!("\"other\", {etag}");
            for (if_none_match, status) in [
                (etag.as_str(), StatusCode::NOT_MODIFIED),
                (weak.as_str(), StatusCode::NOT_MODIFIED),
                (listed.as_str(), StatusCode::NOT_MODIFIED),
                ("*", StatusCode::NOT_MODIFIED),
                ("\"other\"", StatusCode::OK),
            ] {
                let again = get(&router, path, &[encoding[0], ("if-none-match", if_none_match)]).await;
                assert_eq!(again.status, status, "{what} If-None-Match: {if_none_match}");
                assert_eq!(again.header("etag"), etag, "{what} If-None-Match: {if_none_match}");
                assert_eq!(again.header("cache-control"), first.header("cache-control"), "{what}");
                assert!(again.header("vary").to_ascii_lowercase().contains("accept-encoding"), "{what}");
                if status == StatusCode::NOT_MODIFIED {
                    assert!(again.body.is_empty(), "{what}");
                }
            }
            // Without If-None-Match, an If-Modified-Since equal to Last-Modified is enough; with
            // one, it alone decides.
            let last_modified = first.header("last-modified").to_owned();
            for (conditions, status) in [
                (vec![("if-modified-since", last_modified.as_str())], StatusCode::NOT_MODIFIED),
                (vec![("if-modified-since", "Mon, 01 Jan 2001 00:00:00 GMT")], StatusCode::OK),
                (vec![("if-modified-since", &last_modified), ("if-none-match", "\"other\"")], StatusCode::OK),
            ] {
                let again = get(&router, path, &[&[encoding[0]], &conditions[..]].concat()).await;
                assert_eq!(again.status, status, "{what} {conditions:?}");
            }
            etags.push(etag);
        }
        assert!(etags[0] != etags[1] && etags[1] != etags[2] && etags[0] != etags[2], "{path}: {etags:?}");
    }
}

#[tokio::test]
async fn missing_files_are_still_404_not_index_html() {
    let dist = precompressed_dist();
    let router = router(&dist);
    for path in ["/missing.js", "/labs/missing_bg.wasm", "/wirelab-0000000000000000_bg.wasm", "/favicon.ico"] {
        let answer = get(&router, path, &[("accept-encoding", "br")]).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(answer.header("content-type"), "text/plain; charset=utf-8", "{path}");
        assert_eq!(answer.header("cache-control"), "", "{path}");
        assert_eq!(answer.text(), "not found\n", "{path}");
    }
}

#[tokio::test]
async fn a_dist_without_copies_is_compressed_on_the_fly_with_weak_etags() {
    let dist = plain_dist();
    let plain = router(&dist);
    for (path, accepted, encoding) in [
        (format!("/{HASHED_JS}"), "br", "br"),
        (format!("/{WORKER_WASM}"), "gzip", "gzip"),
        ("/".to_owned(), "gzip", "gzip"),
        ("/formats".to_owned(), "br", "br"),
        (format!("/{HASHED_CSS}"), "identity", ""),
    ] {
        let answer = get(&plain, &path, &[("accept-encoding", accepted)]).await;
        assert_eq!((answer.status, answer.header("content-encoding")), (StatusCode::OK, encoding), "{path}");
        let etag = answer.header("etag").to_owned();
        assert!(etag.starts_with("W/\""), "{path}: {etag}");
        let again = get(&plain, &path, &[("accept-encoding", accepted), ("if-none-match", &etag)]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
    }
    // A precompressed dist's files without copies are sent as they are.
    let precompressed = precompressed_dist();
    std::fs::write(precompressed.path().join("notes.txt"), original("notes.txt")).unwrap();
    let answer = get(&router(&precompressed), "/notes.txt", &[("accept-encoding", "gzip, br")]).await;
    assert_eq!((answer.header("content-encoding"), answer.text()), ("", original("notes.txt")));
}
