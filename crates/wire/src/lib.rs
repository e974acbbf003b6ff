//! Wirelab's pure core: everything the labs compute about bytes and messages, with no browser,
//! no async runtime and no I/O, so it is tested natively and runs unchanged in the wasm app.
//!
//! Key entry points:
//! - [`hexdump`]: offset / hex / ASCII rows for any byte slice.
//! - [`binary_input`]: parse what a person types as hex or base64, with the position of any error.
//! - [`bridge_event`]: the JSON events of the server's TCP/UDP bridge and the commands it takes.
//! - [`hashing`]: digests, HMACs and text encodings (MD5 to SHA-512, base64, hex, percent).
//! - [`auth`]: Basic, Digest and the WebSocket accept value worked out step by step.
//! - [`tls_info`]: the JSON of the server's `/tls/info`.
//! - [`jwt`]: JSON Web Tokens decoded, and HS256 signed and verified.
//! - [`tls`]: TLS records read from bytes: the ClientHello, its JA3 and JA4, name tables, and a
//!   byte-mapped dissection of any record for the Formats lab.
//! - [`diagnostic`]: the one shape of an input problem: a message and where it is.
//! - [`message_log`]: the capped, filterable log of WebSocket messages and its counters.
//! - [`connection`]: WebSocket connection states, close codes and their meanings.
//! - [`echo_options`]: the echo server's fault-injection knobs as query parameters.
//! - [`endpoint`]: WebSocket URLs and subprotocol lists, validated before the browser sees them.
//! - [`json_reader`]: the one JSON reader (validating, one pass, events with byte offsets).
//! - [`payload_view`]: a payload shown as text, pretty JSON, pretty XML or schemaless Protobuf.
//! - [`protowire`]: Protobuf wire-format decoding without a schema.
//! - [`formats`]: one document as JSON, XML, Protobuf, MessagePack and CBOR, with byte maps.
//! - [`virtual_list`]: which rows of a long list are on screen.
//! - [`stream_log`]: a response body as it arrives (chunks with times, lines, Server-Sent
//!   Events) and the EventSource panel's state.
//! - [`ws_frame`]: WebSocket frame headers read from raw bytes, and the handshake's accept hash.
//! - [`mailbox`]: the JSON of `/api/mailbox`, the mail the server's SMTP peer received.
//! - [`mqtt`]: MQTT 3.1.1 and 5 packets encoded and byte-mapped, a stream cutter, the client's
//!   session rules, the IoT lab's MQTT tab state and the session as paho-mqtt Python.
//! - [`sockets`]: the Sockets lab's core: transcripts, SMTP/POP3/FTP replies, walkthroughs,
//!   sessions as Python, and its state.
//! - [`packets`]: capture files read and written, packets dissected, followed and crafted.
//! - [`har`]: HTTP Archive 1.2 files written from the labs and read back into them.
//! - [`share_link`]: a lab's state in a compressed URL fragment, secrets left out.
//! - [`telemetry`]: simulated IoT devices, their readings in five encodings, and the text frames
//!   of the server's `/ws/telemetry`.
//! - [`iot_lab`]: the IoT lab's Telemetry tab: rolling series per device, rates, latency, bytes
//!   per reading per encoding.
//! - [`lab`]: the shape of every lab's state (events in, effects out): [`ws_lab`] is the
//!   WebSocket lab's, [`http_lab`] the HTTP lab's, [`formats_lab`] the Formats lab's,
//!   [`security_lab`] the Security lab's.
//!
//! Broken input is ordinary input here: functions return a value or an error that says where
//! the problem is (byte offset, or line and column), and never panic.

pub mod auth;
pub mod binary_input;
pub mod bridge_event;
pub mod codegen;
pub mod concurrency_lab;
pub mod connection;
pub mod curl;
pub mod diagnostic;
pub mod echo_options;
pub mod endpoint;
pub mod formats;
pub mod formats_engine;
pub mod formats_lab;
pub mod har;
pub mod hashing;
pub mod hexdump;
pub mod history;
pub mod http_lab;
pub mod http_request;
pub mod http_status;
pub mod iot_lab;
pub mod json_reader;
pub mod jwt;
pub mod lab;
pub mod mailbox;
pub mod message_log;
pub mod mqtt;
pub mod packets;
pub mod payload_view;
pub mod query_params;
pub mod resource_timing;
pub mod saved_messages;
pub mod security_lab;
pub mod share_link;
pub mod sockets;
pub mod stream_log;
pub mod telemetry;
pub mod text_position;
pub mod tls;
pub mod tls_info;
pub mod tree;
pub mod units;
pub mod utf8_steps;
pub mod virtual_list;
pub mod ws_frame;
pub mod ws_inspect;

/// Protobuf without a schema, by the name the payload views and the labs know it.
pub use formats::protobuf::schemaless as protowire;
pub mod ws_lab;
