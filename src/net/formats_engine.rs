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
use wire::formats_engine::split::SplitReader;
use wire::formats_engine::{Engine, EngineJob, EngineReply, encode_job, restore_attached};

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
        Ok(answer) => {
            let mut reply = read_reply(&answer).await;
            if let Ok(reply) = &mut reply {
                restore_attached(job, reply);
            }
            EngineAnswer { reply, on_page_because: None }
        }
        Err(worker_failed) => EngineAnswer {
            reply: Ok(ENGINE.with(|engine| engine.borrow_mut().run(job.clone(), &performance_now))),
            on_page_because: Some(worker_failed),
        },
    }
}

/// The reply's head at once, then one part per task.
async fn read_reply(answer: &JsValue) -> Result<EngineReply, String> {
    let Ok(head) = get(answer, "head").dyn_into::<Uint8Array>() else {
        return Err(get(answer, "error").as_string().unwrap_or_else(|| "the formats worker sent no reply".into()));
    };
    let mut reader = SplitReader::new(&head.to_vec())?;
    let parts: Array = get(answer, "parts").dyn_into().map_err(|_| "the formats worker sent no parts")?;
    let mut deadline = performance_now() + STEP_MS;
    for part in parts.iter() {
        let part: Uint8Array = part.dyn_into().map_err(|_| "a part of the reply is not bytes")?;
        reader.read_part(&part.to_vec())?;
        if performance_now() > deadline {
            yield_to_page().await;
            deadline = performance_now() + STEP_MS;
        }
    }
    reader.finish()
}

/// How long the page reads parts before it lets other work in: each part takes a few
/// milliseconds, and a yield costs one or more (a nested timer is held back to 4 ms).
const STEP_MS: f64 = 12.0;

/// Lets the page handle input and draw: `scheduler.yield()` where the browser has it (it resumes
/// first, before other timers), a zero timer otherwise.
async fn yield_to_page() {
    let scheduler = get(&js_sys::global(), "scheduler");
    let promise = get(&scheduler, "yield")
        .dyn_into::<js_sys::Function>()
        .and_then(|yield_now| yield_now.call0(&scheduler))
        .and_then(|promise| promise.dyn_into::<js_sys::Promise>());
    if let Ok(promise) = promise
        && wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
    {
        return;
    }
    gloo_timers::future::TimeoutFuture::new(0).await;
}

/// The worker's side, run by `src/bin/formats_engine.rs`: answer each job, forever.
pub fn serve() {
    worker::serve(answer);
}

fn answer(message: &JsValue) -> (JsValue, Array) {
    let Ok(job) = get(message, "job").dyn_into::<Uint8Array>() else {
        return (object(&[("error", JsValue::from_str("the job carried no bytes"))]), Array::new());
    };
    let (head, parts) = ENGINE.with(|engine| engine.borrow_mut().run_encoded(&job.to_vec(), &performance_now));
    let head = Uint8Array::from(head.as_slice());
    let transfer = Array::of1(&head.buffer());
    let part_arrays = Array::new();
    for part in parts {
        let part = Uint8Array::from(part.as_slice());
        transfer.push(&part.buffer());
        part_arrays.push(&part);
    }
    (object(&[("head", head.into()), ("parts", part_arrays.into())]), transfer)
}
