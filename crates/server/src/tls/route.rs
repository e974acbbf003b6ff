//! `GET /tls/info`: the TLS connection the request arrived on (version, cipher suite, key
//! exchange group, ALPN, SNI, HTTP version) and the ClientHello the client sent, raw and
//! fingerprinted. Over plain HTTP it answers 400 with the https URL to ask instead.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, Uri, Version, header};
use axum::routing::get;
use axum::{Extension, Json, Router};
use wire::tls_info::TlsInfo;

use super::TlsConnection;
use crate::error::ApiError;

/// `/tls/info`; `tls_port` is the TLS port, if the server has one, for the answer over plain HTTP.
pub(crate) fn router(tls_port: Option<u16>) -> Router {
    Router::new().route("/tls/info", get(tls_info)).with_state(tls_port)
}

async fn tls_info(
    State(tls_port): State<Option<u16>>,
    connection: Option<Extension<Arc<TlsConnection>>>,
    version: Version,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Json<TlsInfo>, ApiError> {
    let Some(Extension(connection)) = connection else {
        return Err(ApiError::bad_request(match tls_port {
            Some(port) => format!(
                "/tls/info describes the TLS connection it is asked on, and this request came over plain HTTP: \
                 ask https://{}:{port}/tls/info",
                host(&uri, &headers)
            ),
            None => "/tls/info describes the TLS connection it is asked on, and this server has no TLS port: \
                     start it with --tls-port"
                .to_owned(),
        }));
    };
    Ok(Json(describe(&connection, version)))
}

fn describe(connection: &TlsConnection, version: Version) -> TlsInfo {
    let unknown = |what: &str, id: Option<u16>| match id {
        Some(id) => format!("{what} 0x{id:04x}"),
        None => "none".to_owned(),
    };
    TlsInfo {
        tls_version: connection
            .protocol_version
            .and_then(version_name)
            .map_or_else(|| unknown("version", connection.protocol_version), str::to_owned),
        cipher_suite: connection
            .cipher_suite
            .and_then(|id| rustls::CipherSuite::from(id).as_str())
            // rustls writes TLS 1.3's suites TLS13_…; IANA's names are TLS_….
            .map(|name| name.strip_prefix("TLS13_").map_or_else(|| name.to_owned(), |rest| format!("TLS_{rest}")))
            .unwrap_or_else(|| unknown("cipher suite", connection.cipher_suite)),
        key_exchange_group: connection.key_exchange_group.map(|id| format!("{:?}", rustls::NamedGroup::from(id))),
        alpn: connection.alpn.clone(),
        sni: connection.sni.clone(),
        http_version: format!("{version:?}"),
        client_hello_hex: connection.client_hello.iter().map(|byte| format!("{byte:02x}")).collect(),
        ja3: String::new(),
        ja3_text: String::new(),
        ja4: String::new(),
    }
}

fn version_name(id: u16) -> Option<&'static str> {
    match id {
        0x0304 => Some("TLS 1.3"),
        0x0303 => Some("TLS 1.2"),
        _ => None,
    }
}

/// The host the client asked for (without its port), for the https URL.
fn host(uri: &Uri, headers: &HeaderMap) -> String {
    let authority = uri.authority().map(|authority| authority.host().to_owned()).or_else(|| {
        let value = headers.get(header::HOST)?.to_str().ok()?;
        value.parse::<Uri>().ok()?.authority().map(|authority| authority.host().to_owned())
    });
    authority.unwrap_or_else(|| "localhost".to_owned())
}
