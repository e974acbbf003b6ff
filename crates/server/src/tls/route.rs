//! `GET /tls/info`: the TLS connection the request arrived on (version, cipher suite, key
//! exchange group, ALPN, SNI, HTTP version) and the ClientHello the client sent, raw and
//! fingerprinted. Over plain HTTP it answers 400 with the https URL to ask instead.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, Uri, Version, header};
use axum::routing::get;
use axum::{Extension, Json, Router};
use wire::tls;
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
    let named = |id: Option<u16>, name: fn(u16) -> Option<&'static str>, what: &str| match id {
        Some(id) => name(id).map_or_else(|| format!("{what} 0x{id:04x}"), str::to_owned),
        None => "none".to_owned(),
    };
    // The recorder kept whole records up to the end of the ClientHello, so it reads unless the
    // client sent something odd; the fingerprints are then left empty.
    let hello = tls::read_client_hello(&connection.client_hello).ok();
    let fingerprint = |print: fn(&tls::ClientHello) -> String| hello.as_ref().map(print).unwrap_or_default();
    TlsInfo {
        tls_version: named(connection.protocol_version, tls::version_name, "version"),
        cipher_suite: named(connection.cipher_suite, tls::cipher_suite_name, "cipher suite"),
        key_exchange_group: connection.key_exchange_group.map(|id| named(Some(id), tls::named_group_name, "group")),
        alpn: connection.alpn.clone(),
        sni: connection.sni.clone(),
        http_version: format!("{version:?}"),
        client_hello_hex: connection.client_hello.iter().map(|byte| format!("{byte:02x}")).collect(),
        ja3: fingerprint(tls::ClientHello::ja3),
        ja3_text: fingerprint(tls::ClientHello::ja3_text),
        ja4: fingerprint(tls::ClientHello::ja4),
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
