//! A browser WebSocket as a stream of plain events. Wraps `web_sys::WebSocket` directly (rather
//! than a futures wrapper) because the lab needs every lifecycle event: open with the negotiated
//! subprotocol and extensions, each message, error, and close with its code and reason.

use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, JsString, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, CloseEvent, Event, MessageEvent, WebSocket};
use wire::connection::CloseInfo;
use wire::message_log::Payload;

use crate::net::describe_js_error;
pub use wire::ws_lab::SocketEvent;

/// One open (or opening) connection. Dropping it detaches the handlers and closes the socket.
pub struct Socket {
    inner: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Starts connecting to `url`, offering `protocols`. Events arrive through `on_event`.
    pub fn open(url: &str, protocols: &[String], on_event: Rc<dyn Fn(SocketEvent)>) -> Result<Socket, String> {
        let offered: Array = protocols.iter().map(|protocol| JsValue::from_str(protocol)).collect();
        let inner = WebSocket::new_with_str_sequence(url, &offered).map_err(describe_js_error)?;
        inner.set_binary_type(BinaryType::Arraybuffer);

        let on_open = {
            let on_event = on_event.clone();
            let socket = inner.clone();
            Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                on_event(SocketEvent::Opened {
                    url: socket.url(),
                    protocol: socket.protocol(),
                    extensions: socket.extensions(),
                });
            })
        };
        let on_message = {
            let on_event = on_event.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let data = event.data();
                let payload = if let Some(text) = data.dyn_ref::<JsString>() {
                    Payload::Text(String::from(text))
                } else if let Some(buffer) = data.dyn_ref::<ArrayBuffer>() {
                    Payload::Binary(Uint8Array::new(buffer).to_vec())
                } else {
                    // binaryType is "arraybuffer", so this does not happen; say so if it does.
                    Payload::Text(format!("(unexpected message data: {data:?})"))
                };
                on_event(SocketEvent::Received(payload));
            })
        };
        let on_error = {
            let on_event = on_event.clone();
            Closure::<dyn FnMut(Event)>::new(move |_: Event| on_event(SocketEvent::Failed))
        };
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            on_event(SocketEvent::Closed(CloseInfo {
                code: event.code(),
                reason: event.reason(),
                was_clean: event.was_clean(),
            }));
        });
        inner.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        inner.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        inner.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        inner.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Socket { inner, _on_open: on_open, _on_message: on_message, _on_error: on_error, _on_close: on_close })
    }

    pub fn send(&self, payload: &Payload) -> Result<(), String> {
        match payload {
            Payload::Text(text) => self.inner.send_with_str(text),
            Payload::Binary(bytes) => self.inner.send_with_u8_array(bytes),
        }
        .map_err(describe_js_error)
    }

    /// Starts the closing handshake with `code` and `reason`.
    pub fn close(&self, code: u16, reason: &str) -> Result<(), String> {
        self.inner.close_with_code_and_reason(code, reason).map_err(describe_js_error)
    }

    /// Bytes queued by `send` that the browser has not yet handed to the network.
    pub fn buffered_amount(&self) -> u32 {
        self.inner.buffered_amount()
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.inner.set_onopen(None);
        self.inner.set_onmessage(None);
        self.inner.set_onerror(None);
        self.inner.set_onclose(None);
        if self.inner.ready_state() <= WebSocket::OPEN {
            let _ = self.inner.close_with_code_and_reason(1000, "page closed the lab");
        }
    }
}
