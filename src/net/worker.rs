//! A conversation with one of the app's Web Worker modules (the indexer, the formats engine):
//! the page's side starts the worker on first use, queues jobs until its wasm has loaded, and
//! pairs each reply with its job; the worker's side answers each job, forever.
//!
//! A job is a plain object with an `id` (set here) and whatever fields the worker reads; buffers
//! listed for transfer move to the other side without a copy. A worker that fails fails every job
//! waiting on it, and the next job starts a fresh one.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, Worker};

use crate::net::describe_js_error;

/// What a worker says once its wasm has loaded; messages sent earlier would be lost.
const READY: &str = "ready";

/// The page's link to one worker module, started by trunk's loader shim at `script`. Clones share
/// the one worker.
#[derive(Clone)]
pub struct WorkerLink {
    script: &'static str,
    /// For messages: "the indexing worker failed: …".
    name: &'static str,
    client: Rc<RefCell<Option<Client>>>,
}

struct Client {
    worker: Worker,
    ready: bool,
    queued: Vec<(JsValue, Array)>,
    next_id: u32,
    pending: HashMap<u32, (Function, Function)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl WorkerLink {
    pub fn new(script: &'static str, name: &'static str) -> WorkerLink {
        WorkerLink { script, name, client: Rc::default() }
    }

    /// Posts `message` (its `id` is set here) with `transfer`'s buffers, starting the worker if
    /// there is none, and waits for the reply. `Err` is the worker failing, not the job.
    pub async fn ask(&self, message: &JsValue, transfer: &Array) -> Result<JsValue, String> {
        if self.client.borrow().is_none() {
            self.start()?;
        }
        let (id, promise) = {
            let mut client = self.client.borrow_mut();
            let client = client.as_mut().ok_or_else(|| format!("the {} did not start", self.name))?;
            client.send(message, transfer)
        };
        let answer = JsFuture::from(promise).await;
        if let Some(client) = self.client.borrow_mut().as_mut() {
            client.pending.remove(&id);
        }
        answer.map_err(describe_js_error)
    }

    fn start(&self) -> Result<(), String> {
        let worker = Worker::new(self.script).map_err(describe_js_error)?;
        let on_message = {
            let slot = Rc::downgrade(&self.client);
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                // Settling a promise runs nothing at once (its continuations are microtasks), so
                // the borrow is not re-entered.
                if let Some(slot) = slot.upgrade()
                    && let Some(client) = slot.borrow_mut().as_mut()
                {
                    client.receive(event.data());
                }
            })
        };
        let on_error = {
            let slot = Rc::downgrade(&self.client);
            let (script, name) = (self.script, self.name);
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                // A script that failed to load gives a plain Event; an exception, an ErrorEvent.
                let detail = get(&event, "message").as_string().unwrap_or_else(|| format!("could not load {script}"));
                let message = format!("the {name} failed: {detail}");
                let Some(mut client) = slot.upgrade().and_then(|slot| slot.borrow_mut().take()) else { return };
                client.worker.terminate();
                for (_, (_, reject)) in client.pending.drain() {
                    reject.call1(&JsValue::NULL, &JsValue::from_str(&message)).ok();
                }
                // Not dropped here: this closure belongs to the client.
                wasm_bindgen_futures::spawn_local(async move { drop(client) });
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        *self.client.borrow_mut() = Some(Client {
            worker,
            ready: false,
            queued: Vec::new(),
            next_id: 0,
            pending: HashMap::new(),
            _on_message: on_message,
            _on_error: on_error,
        });
        Ok(())
    }
}

impl Client {
    /// Sends a job (or queues it until the worker is ready) and returns the promise of its reply.
    fn send(&mut self, message: &JsValue, transfer: &Array) -> (u32, Promise) {
        self.next_id += 1;
        let id = self.next_id;
        Reflect::set(message, &JsValue::from_str("id"), &JsValue::from(id)).ok();
        let mut settle = None;
        let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
        if let Some(settle) = settle {
            self.pending.insert(id, settle);
        }
        if self.ready {
            self.post(message, transfer);
        } else {
            self.queued.push((message.clone(), transfer.clone()));
        }
        (id, promise)
    }

    fn post(&self, message: &JsValue, transfer: &Array) {
        if let Err(error) = self.worker.post_message_with_transfer(message, transfer) {
            let id = get(message, "id").as_f64().unwrap_or_default() as u32;
            if let Some((_, reject)) = self.pending.get(&id) {
                reject.call1(&JsValue::NULL, &JsValue::from_str(&describe_js_error(error))).ok();
            }
        }
    }

    fn receive(&mut self, data: JsValue) {
        if data.as_string().as_deref() == Some(READY) {
            self.ready = true;
            for (message, transfer) in std::mem::take(&mut self.queued) {
                self.post(&message, &transfer);
            }
            return;
        }
        let id = get(&data, "id").as_f64().unwrap_or_default() as u32;
        if let Some((resolve, _)) = self.pending.remove(&id) {
            resolve.call1(&JsValue::NULL, &data).ok();
        }
    }
}

/// The worker's side: answers each job with `answer` (the reply object and the buffers to
/// transfer), copying the job's `id` into the reply, forever.
pub fn serve(answer: impl Fn(&JsValue) -> (JsValue, Array) + 'static) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let replies = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let job = event.data();
        let id = get(&job, "id");
        let (reply, transfer) = answer(&job);
        Reflect::set(&reply, &JsValue::from_str("id"), &id).ok();
        if let Err(error) = replies.post_message_with_transfer(&reply, &transfer) {
            let failure = object(&[("id", id), ("error", JsValue::from_str(&describe_js_error(error)))]);
            replies.post_message(&failure).ok();
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    scope.post_message(&JsValue::from_str(READY)).ok();
}

/// A plain object with these fields.
pub fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (name, value) in fields {
        Reflect::set(&object, &JsValue::from_str(name), value).ok();
    }
    object.into()
}

/// A field of a message, `undefined` when missing.
pub fn get(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}
