//! The Formats lab's encoding and decoding in a Web Worker, so a big document never blocks the
//! page: both sides of the conversation live here.
//!
//! The page posts a `wire::formats_engine::EngineJob` as postcard bytes (transferred, not
//! copied); the worker (`src/bin/formats_engine.rs`, a module of its own, see `index.html`) runs
//! it with a `wire::formats_engine::Engine` and transfers back the reply's bytes. If the worker
//! cannot start, the page runs the same engine itself and the answer says so.

use std::cell::RefCell;

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wire::formats_engine::{Engine, EngineJob, EngineReply, decode_reply, encode_job};

use crate::net::performance_now;
use crate::net::worker::{self, WorkerLink, get, object};

/// trunk's loader for the worker module (`data-loader-shim`).
const WORKER_SCRIPT: &str = "/formats_engine_loader.js";

thread_local! {
    static WORKER: WorkerLink = WorkerLink::new(WORKER_SCRIPT, "formats worker");
    /// The worker's engine, or the page's when the worker could not start.
    static ENGINE: RefCell<Engine> = RefCell::new(Engine::new());
}

/// A job's reply, and where it was worked out.
pub struct EngineAnswer {
    pub reply: Result<EngineReply, String>,
    /// `None` when the worker did the work; otherwise why the page had to.
    pub on_page_because: Option<String>,
}

/// Runs `job` off the main thread (on the page if the worker cannot start).
pub async fn run(job: &EngineJob) -> EngineAnswer {
    let bytes = Uint8Array::from(encode_job(job).as_slice());
    let message = object(&[("job", bytes.clone().into())]);
    let link = WORKER.with(WorkerLink::clone);
    match link.ask(&message, &Array::of1(&bytes.buffer())).await {
        Ok(answer) => match get(&answer, "reply").dyn_into::<Uint8Array>() {
            Ok(reply) => EngineAnswer { reply: decode_reply(&reply.to_vec()), on_page_because: None },
            Err(_) => {
                let why =
                    get(&answer, "error").as_string().unwrap_or_else(|| "the formats worker sent no reply".into());
                EngineAnswer { reply: Err(why), on_page_because: None }
            }
        },
        Err(worker_failed) => EngineAnswer {
            reply: Ok(ENGINE.with(|engine| engine.borrow_mut().run(job.clone(), &performance_now))),
            on_page_because: Some(worker_failed),
        },
    }
}

/// The worker's side, run by `src/bin/formats_engine.rs`: answer each job, forever.
pub fn serve() {
    worker::serve(answer);
}

fn answer(message: &JsValue) -> (JsValue, Array) {
    let Ok(job) = get(message, "job").dyn_into::<Uint8Array>() else {
        return (object(&[("error", JsValue::from_str("the job carried no bytes"))]), Array::new());
    };
    let reply = ENGINE.with(|engine| engine.borrow_mut().run_encoded(&job.to_vec(), &performance_now));
    let reply = Uint8Array::from(reply.as_slice());
    let transfer = Array::of1(&reply.buffer());
    (object(&[("reply", reply.into())]), transfer)
}
