//! The core's tests, as tables of inputs and expected renderings. One test binary so the wasm32
//! run in headless Chromium builds and loads a single module.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Marks a test for both the native runner and wasm-bindgen-test.
macro_rules! case_test {
    ($(fn $name:ident() $body:block)*) => {
        $(
            #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
            #[cfg_attr(not(target_arch = "wasm32"), test)]
            fn $name() $body
        )*
    };
}

#[path = "cases/auth.rs"]
mod auth;
#[path = "cases/binary_input.rs"]
mod binary_input;
#[path = "cases/codegen.rs"]
mod codegen;
#[path = "cases/concurrency_lab.rs"]
mod concurrency_lab;
#[path = "cases/connection.rs"]
mod connection;
#[path = "cases/curl.rs"]
mod curl;
#[path = "cases/diagnostic.rs"]
mod diagnostic;
#[path = "cases/echo_options.rs"]
mod echo_options;
#[path = "cases/endpoint.rs"]
mod endpoint;
#[path = "cases/format_rendering.rs"]
mod format_rendering;
#[path = "cases/formats_cbor.rs"]
mod formats_cbor;
#[path = "cases/formats_convert.rs"]
mod formats_convert;
#[path = "cases/formats_json.rs"]
mod formats_json;
#[path = "cases/formats_lab.rs"]
mod formats_lab;
#[path = "cases/formats_msgpack.rs"]
mod formats_msgpack;
#[path = "cases/formats_protobuf.rs"]
mod formats_protobuf;
#[path = "cases/formats_xml.rs"]
mod formats_xml;
#[path = "cases/har.rs"]
mod har;
#[path = "cases/hashing.rs"]
mod hashing;
#[path = "cases/hexdump.rs"]
mod hexdump;
#[path = "cases/history.rs"]
mod history;
#[path = "cases/http_lab.rs"]
mod http_lab;
#[path = "cases/http_request.rs"]
mod http_request;
#[path = "cases/http_status.rs"]
mod http_status;
#[path = "cases/iot_lab.rs"]
mod iot_lab;
#[path = "cases/json_reader.rs"]
mod json_reader;
#[path = "cases/jwt.rs"]
mod jwt;
#[path = "cases/message_log.rs"]
mod message_log;
#[path = "cases/mqtt.rs"]
mod mqtt;
#[path = "cases/packets_capture.rs"]
mod packets_capture;
#[path = "cases/packets_craft.rs"]
mod packets_craft;
#[path = "cases/packets_dissect.rs"]
mod packets_dissect;
#[path = "cases/packets_follow.rs"]
mod packets_follow;
#[path = "cases/packets_support.rs"]
mod packets_support;
#[path = "cases/packets_synth.rs"]
mod packets_synth;
#[path = "cases/payload_view.rs"]
mod payload_view;
#[path = "cases/protowire.rs"]
mod protowire;
#[path = "cases/query_params.rs"]
mod query_params;
#[path = "cases/resource_timing.rs"]
mod resource_timing;
#[path = "cases/saved_messages.rs"]
mod saved_messages;
#[path = "cases/security_lab.rs"]
mod security_lab;
#[path = "cases/share_link.rs"]
mod share_link;
#[path = "cases/stream_log.rs"]
mod stream_log;
#[path = "cases/telemetry.rs"]
mod telemetry;
#[path = "cases/tls.rs"]
mod tls;
#[path = "cases/tree.rs"]
mod tree;
#[path = "cases/units.rs"]
mod units;
#[path = "cases/utf8_steps.rs"]
mod utf8_steps;
#[path = "cases/virtual_list.rs"]
mod virtual_list;
#[path = "cases/ws_frame.rs"]
mod ws_frame;
#[path = "cases/ws_lab.rs"]
mod ws_lab;
