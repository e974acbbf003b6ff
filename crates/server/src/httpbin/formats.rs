//! Sample documents in the formats the app's format lab decodes: `/json` (and, with `?records=N`,
//! a big generated one), `/xml`, `/html`, `/image/png`, `/gzip`, `/protobuf` and its schema
//! `/protobuf.proto`.
//!
//! `/gzip` compresses its own body and says so in `Content-Encoding`; the compression layer
//! leaves responses that already have a `Content-Encoding` alone, so it is never encoded twice.

use std::io::Write;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Json};
use flate2::Compression;
use flate2::write::GzEncoder;
use prost::Message;
use serde_json::{Value, json};

use super::readings::readings;
use super::request::headers_json;
use super::{Httpbin, proto, query_value};
use crate::error::ApiError;

/// The schema `/protobuf` is encoded with, served as text by `/protobuf.proto`.
pub(crate) const PROTO_SCHEMA: &str = include_str!("../../../../www/proto/wirelab.proto");
/// A 32×32 PNG: a zigzag wire on a dark panel.
pub(crate) const PNG: &[u8] = include_bytes!("../../assets/wirelab.png");

const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- A Wirelab sample: one bench of sensors with their latest readings. -->
<lab name="Wirelab" site="Bench 3">
  <sensor id="th-042" kind="thermo-hygrometer" status="ok">
    <location room="cold-room" rack="B" floor="-1"/>
    <reading unit="celsius" at="2025-03-14T09:26:53Z">-18.5</reading>
    <reading unit="percent" at="2025-03-14T09:26:53Z">41.2</reading>
    <tags>
      <tag>freezer</tag>
      <tag>critical</tag>
    </tags>
  </sensor>
  <sensor id="pw-007" kind="power-meter" status="degraded">
    <location room="lab" rack="A" floor="2"/>
    <reading unit="watt" at="2025-03-14T09:26:50Z">312.75</reading>
    <note><![CDATA[Clamp loose: values <b>may</b> drift & jump.]]></note>
    <tags/>
  </sensor>
</lab>
"#;

const HTML: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Wirelab sample page</title>
</head>
<body>
  <h1>Wirelab</h1>
  <p>A sample page from the test server: a heading, a paragraph, a list and a table.</p>
  <ul>
    <li>Requests go out as the app composed them.</li>
    <li>Responses come back byte for byte.</li>
  </ul>
  <table>
    <tr><th>sensor</th><th>reading</th></tr>
    <tr><td>th-042</td><td>-18.5 &deg;C</td></tr>
    <tr><td>pw-007</td><td>312.75 W</td></tr>
  </table>
</body>
</html>
"#;

/// `/json`: a Wirelab-themed order of sensors, a few levels deep; `/json?records=N`: N generated
/// sensor readings instead (see `readings.rs`).
pub(crate) async fn json(uri: Uri) -> Result<Response, ApiError> {
    match query_value(&uri, "records") {
        Some(records) => readings(&records),
        None => Ok(Json(sample_order()).into_response()),
    }
}

fn sample_order() -> Value {
    json!({
        "order": {
            "id": "WL-2025-0042",
            "placed_at": "2025-03-14T09:26:53Z",
            "customer": { "name": "Ada Lovelace", "email": "ada@example.com", "vip": true },
            "items": [
                {
                    "sku": "TH-042",
                    "name": "Thermo-hygrometer",
                    "quantity": 2,
                    "unit_price": 24.5,
                    "options": { "probe": "external", "range_celsius": [-40, 85] }
                },
                {
                    "sku": "PW-007",
                    "name": "Power meter",
                    "quantity": 1,
                    "unit_price": 89.0,
                    "options": { "clamp": "split-core", "max_amps": 100 }
                }
            ],
            "shipping": { "method": "courier", "address": { "city": "London", "postcode": "NW1 6XE" } },
            "total": 138.0,
            "currency": "EUR",
            "notes": null
        }
    })
}

/// `/xml`: attributes, nested and repeated elements, a comment and CDATA.
pub(crate) async fn xml() -> Response {
    ([(header::CONTENT_TYPE, "application/xml")], XML).into_response()
}

/// `/html`: a small page.
pub(crate) async fn html() -> Html<&'static str> {
    Html(HTML)
}

/// `/image/png`: a small valid PNG.
pub(crate) async fn png() -> Response {
    ([(header::CONTENT_TYPE, "image/png")], PNG).into_response()
}

/// `/gzip`: JSON with `"gzipped": true`, always gzip-encoded.
pub(crate) async fn gzip(
    State(httpbin): State<Httpbin>,
    method: Method,
    headers: HeaderMap,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
) -> Result<Response, ApiError> {
    let origin = httpbin.origin(connect_info.map(|Extension(ConnectInfo(addr))| addr), &headers);
    let document = json!({
        "gzipped": true,
        "method": method.as_str(),
        "headers": headers_json(&headers),
        "origin": origin,
    });
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    let compressed =
        encoder.write_all(document.to_string().as_bytes()).and_then(|()| encoder.finish()).map_err(|error| {
            ApiError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, format!("gzip failed: {error}"))
        })?;
    Ok(([(header::CONTENT_TYPE, "application/json"), (header::CONTENT_ENCODING, "gzip")], compressed).into_response())
}

/// The fixed message `/protobuf` sends.
pub fn sample_reading() -> proto::SensorReading {
    proto::SensorReading {
        id: "th-042".to_owned(),
        temperature_decicelsius: -185,
        timestamp_ms: 1_741_944_413_000,
        humidity_percent: 41.2,
        calibrated: true,
        samples: vec![-18.25, -18.5, -18.75, -18.5],
        error_codes: vec![0, 7, 300],
        location: Some(proto::Location {
            site: "cold-room".to_owned(),
            latitude: 51.5237,
            longitude: -0.1585,
            floor: -1,
        }),
        status: proto::Status::Degraded as i32,
        battery_millivolts: 3_712,
        firmware_hash: vec![0xde, 0xad, 0xbe, 0xef],
    }
}

/// `/protobuf`: [`sample_reading`] encoded, as `application/x-protobuf`.
pub(crate) async fn protobuf() -> Response {
    let body = sample_reading().encode_to_vec();
    ([(header::CONTENT_TYPE, "application/x-protobuf; messageType=wirelab.SensorReading")], body).into_response()
}

/// `/protobuf.proto`: the schema, as text.
pub(crate) async fn proto_schema() -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], PROTO_SCHEMA).into_response()
}
