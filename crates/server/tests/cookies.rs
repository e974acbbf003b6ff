//! `/cookies`, `/cookies/set` and `/cookies/delete` as tables (what is sent → the status, the
//! `Set-Cookie` headers and the jar shown), and the CORS headers a browser demands before it lets
//! a page read an answer to a request that carried cookies (`credentials: "include"`).

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;
use support::send;
use wirelab_server::{Config, Shutdown, app};

fn request(uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::get(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::empty()).expect("a request")
}

fn test_app() -> axum::Router {
    app(&Config { static_dir: "/nonexistent/wirelab-test-dist".into(), ..Config::default() }, Shutdown::new())
}

#[tokio::test]
async fn the_jar_is_shown_set_and_emptied() {
    let app = test_app();
    let shown = [
        ("/cookies", vec![], json!({ "cookies": {} })),
        ("/cookies", vec![("cookie", "a=1; b=two")], json!({ "cookies": { "a": "1", "b": "two" } })),
        (
            "/cookies",
            vec![("cookie", "a=1"), ("cookie", "q=\"quoted\"")],
            json!({ "cookies": { "a": "1", "q": "quoted" } }),
        ),
        ("/cookies", vec![("cookie", "broken; =x; ok=yes")], json!({ "cookies": { "ok": "yes" } })),
    ];
    for (uri, headers, expected) in shown {
        let answer = send(&app, request(uri, &headers)).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri} {headers:?}");
        assert_eq!(answer.json(), expected, "{uri} {headers:?}");
    }

    let set = [
        ("/cookies/set?flavour=oatmeal", vec!["flavour=oatmeal; Path=/"]),
        ("/cookies/set?a=1&b=2", vec!["a=1; Path=/", "b=2; Path=/"]),
        ("/cookies/set/session/abc123", vec!["session=abc123; Path=/"]),
        ("/cookies/delete?flavour", vec!["flavour=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"]),
    ];
    for (uri, expected) in set {
        let answer = send(&app, request(uri, &[])).await;
        assert_eq!(answer.status, StatusCode::FOUND, "{uri}");
        assert_eq!(answer.header("location"), "/cookies", "{uri}");
        let cookies: Vec<&str> =
            answer.headers.get_all(header::SET_COOKIE).iter().filter_map(|value| value.to_str().ok()).collect();
        assert_eq!(cookies, expected, "{uri}");
    }

    let refused = [
        ("/cookies/set", "name a cookie in the query"),
        ("/cookies/set?bad%20name=1", "cookie name \"bad name\""),
        ("/cookies/set?a=x%3By", "cannot hold spaces, quotes, commas, semicolons or backslashes"),
        ("/cookies/delete", "name a cookie in the query"),
    ];
    for (uri, said) in refused {
        let answer = send(&app, request(uri, &[])).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{uri}");
        let error = answer.json()["error"].as_str().unwrap_or_default().to_string();
        assert!(error.contains(said), "{uri}: {error}");
    }
}

#[tokio::test]
async fn a_page_may_read_answers_to_requests_that_carried_its_cookies() {
    let app = test_app();
    let origin = "http://127.0.0.1:8115";
    // The preflight of a credentialed request with a header of its own, then the request.
    let preflight = send(
        &app,
        Request::options("/cookies")
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "x-trace")
            .body(Body::empty())
            .expect("a request"),
    )
    .await;
    let answer = send(&app, request("/cookies", &[("origin", origin), ("cookie", "flavour=oatmeal")])).await;
    for (what, answer) in [("preflight", &preflight), ("answer", &answer)] {
        // `*` would be refused for a request with credentials: the exact origin, and credentials allowed.
        assert_eq!(answer.header("access-control-allow-origin"), origin, "{what}");
        assert_eq!(answer.header("access-control-allow-credentials"), "true", "{what}");
        let vary: Vec<&str> =
            answer.headers.get_all(header::VARY).iter().filter_map(|value| value.to_str().ok()).collect();
        assert!(vary.iter().any(|value| value.to_ascii_lowercase().contains("origin")), "{what}: Vary {vary:?}");
    }
    assert_eq!(preflight.header("access-control-allow-headers"), "x-trace");
    assert_eq!(answer.json(), json!({ "cookies": { "flavour": "oatmeal" } }));
    // Named as well as `*`, since a credentialed request reads `*` as a header called "*".
    let exposed = answer.header("access-control-expose-headers");
    assert!(exposed.starts_with("*, ") && exposed.contains("content-type"), "{exposed}");
}
