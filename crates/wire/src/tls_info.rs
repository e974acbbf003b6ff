//! The JSON of the server's `GET /tls/info`: what one TLS connection negotiated and the
//! ClientHello that opened it. The server writes it and the Security lab reads it, so both sides
//! share this one type.

use serde::{Deserialize, Serialize};

/// One connection's TLS facts, as `/tls/info` reports them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsInfo {
    /// `TLS 1.3` or `TLS 1.2` (as [`crate::tls::version_name`] writes it).
    pub tls_version: String,
    /// The IANA name: `TLS_AES_128_GCM_SHA256`.
    pub cipher_suite: String,
    /// The key exchange group: `X25519`, `X25519MLKEM768`, `secp256r1`.
    pub key_exchange_group: Option<String>,
    /// The protocol ALPN chose: `h2` or `http/1.1`.
    pub alpn: Option<String>,
    /// The server name the client asked for (none when it connected by IP address).
    pub sni: Option<String>,
    /// The HTTP version of this request: `HTTP/2.0`, `HTTP/1.1`.
    pub http_version: String,
    /// The TLS record bytes of the ClientHello as the server received them, in lowercase hex.
    pub client_hello_hex: String,
    /// MD5 of [`TlsInfo::ja3_text`], in hex.
    pub ja3: String,
    /// `771,4865-4866-…,0-23-…,29-23-24,0`.
    pub ja3_text: String,
    /// FoxIO's JA4: `t13d1516h2_8daaf6152771_02713d6af862`.
    pub ja4: String,
}

impl TlsInfo {
    /// Records the ClientHello's bytes as the server received them, with their JA3 and JA4. When
    /// the bytes are not a whole ClientHello the fingerprints stay empty.
    pub fn set_client_hello(&mut self, records: &[u8]) {
        self.client_hello_hex = crate::hashing::encode(crate::hashing::TextEncoding::Hex, records);
        let hello = crate::tls::read_client_hello(records).ok();
        self.ja3_text = hello.as_ref().map(crate::tls::ClientHello::ja3_text).unwrap_or_default();
        self.ja3 = hello.as_ref().map(crate::tls::ClientHello::ja3).unwrap_or_default();
        self.ja4 = hello.as_ref().map(crate::tls::ClientHello::ja4).unwrap_or_default();
    }
}
