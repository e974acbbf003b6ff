//! The browser's own `EventSource` for the HTTP lab's EventSource panel: opened on a URL with a
//! listener per event type (an EventSource delivers only the types a page listens for), and
//! its `open`, `error` and message events turned into `wire`'s [`EsEvent`]s. The browser does
//! the rest: reconnecting after the `retry` delay and sending `Last-Event-ID`.

use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};
use wire::stream_log::event_source::EsEvent;

use crate::net::describe_js_error;

/// An open EventSource; dropping it closes it and removes its listeners.
pub struct OpenEventSource {
    source: EventSource,
    _listeners: Vec<EventListener>,
}

impl Drop for OpenEventSource {
    fn drop(&mut self) {
        self.source.close();
    }
}

/// Opens `url`, listening for `event_types`, and reports everything through `report`. The error
/// is the browser's refusal (a URL it will not open).
pub fn open(url: &str, event_types: &[String], report: impl Fn(EsEvent) + 'static) -> Result<OpenEventSource, String> {
    let source = EventSource::new(url).map_err(describe_js_error)?;
    let report = Rc::new(report);
    let mut listeners = Vec::new();
    {
        let report = report.clone();
        listeners.push(EventListener::new(&source, "open", move |_| report(EsEvent::Opened)));
    }
    {
        let report = report.clone();
        let target = source.clone();
        listeners.push(EventListener::new(&source, "error", move |_| {
            report(EsEvent::Error { ready_state: target.ready_state() })
        }));
    }
    for event_type in event_types {
        let report = report.clone();
        listeners.push(EventListener::new(&source, event_type.clone(), move |event| {
            let Some(message) = event.dyn_ref::<MessageEvent>() else {
                return;
            };
            report(EsEvent::Message {
                event_type: message.type_(),
                last_event_id: message.last_event_id(),
                data: message.data().as_string().unwrap_or_default(),
            });
        }));
    }
    Ok(OpenEventSource { source, _listeners: listeners })
}
