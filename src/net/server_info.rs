//! What the Wirelab server says about itself (`GET /api/info`), fetched with gloo-net so the labs
//! can show its limits and endpoints.

use gloo_net::http::Request;
use serde::Deserialize;

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ServerInfo {
    pub name: String,
    pub version: String,
    pub max_message_bytes: u64,
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Endpoint {
    pub path: String,
    pub kind: String,
    #[serde(default)]
    pub description: String,
}

/// Fetches `/api/info` from the server that served the page. The error is a sentence for the page.
pub async fn fetch_server_info() -> Result<ServerInfo, String> {
    let response = Request::get("/api/info")
        .send()
        .await
        .map_err(|error| format!("the Wirelab server did not answer ({error})"))?;
    if !response.ok() {
        return Err(format!(
            "the server answered /api/info with {} {}: is this page served by wirelab-server?",
            response.status(),
            response.status_text()
        ));
    }
    response.json::<ServerInfo>().await.map_err(|error| format!("/api/info did not return the expected JSON ({error})"))
}
