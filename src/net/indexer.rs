//! Indexing a JSON or XML body for the tree view in a Web Worker, so a 20 MB response never
//! blocks the page: both sides of the conversation live here.
//!
//! The page copies the body into a fresh buffer and transfers it (no second copy); the worker
//! (`src/bin/indexer.rs`, a module of its own, see `index.html`) decodes it as UTF-8, indexes it
//! with `wire::tree`, and transfers back the text and the index as typed arrays
//! (`wire::tree::TreeParts`). The page reads them back in short steps, yielding between them, and
//! checks the index before using it (`Tree::from_parts`). If the worker cannot start, the body is
//! indexed on the page as before, and the result says so.

use js_sys::{Array, Uint8Array, Uint32Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wire::tree::{PartsReader, Tree, TreeParts};
use wire::utf8_steps::check_step;

use crate::net::worker::{self, WorkerLink, get, object};

/// trunk's loader for the worker module (`data-loader-shim`): it loads `indexer.js` and its wasm.
const WORKER_SCRIPT: &str = "/indexer_loader.js";

/// Which reading of the body to index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    Json,
    Xml,
}

/// A built tree, and where it was built.
pub struct Indexed {
    pub tree: Tree,
    /// `None` when the worker built it; otherwise why the page had to.
    pub on_page_because: Option<String>,
}

/// Indexes `body` off the main thread; an invalid document is an `Err` with its line and column.
pub async fn index(body: &[u8], kind: DocumentKind) -> Result<Indexed, String> {
    // Start in a task of its own: copying the body for the worker is not added to the render
    // that asked for it.
    yield_to_page().await;
    match index_in_worker(body, kind).await {
        Ok(reply) => Ok(Indexed { tree: reply?, on_page_because: None }),
        Err(worker_failed) => {
            let tree = index_on_page(body, kind).map_err(|error| error.to_string())?;
            Ok(Indexed { tree, on_page_because: Some(worker_failed) })
        }
    }
}

fn index_on_page(body: &[u8], kind: DocumentKind) -> Result<Tree, wire::tree::TreeError> {
    let text = String::from_utf8_lossy(body).into_owned();
    match kind {
        DocumentKind::Json => Tree::from_json(text),
        DocumentKind::Xml => Tree::from_xml(text),
    }
}

/// The outer `Err` is the worker failing (the caller falls back); the inner one is the document's.
async fn index_in_worker(body: &[u8], kind: DocumentKind) -> Result<Result<Tree, String>, String> {
    let bytes = Uint8Array::from(body);
    let job = object(&[("xml", JsValue::from(kind == DocumentKind::Xml)), ("bytes", bytes.clone().into())]);
    let worker = WORKER.with(WorkerLink::clone);
    let answer = worker.ask(&job, &Array::of1(&bytes.buffer())).await?;
    if let Some(error) = get(&answer, "error").as_string() {
        return Ok(Err(error));
    }
    // Read the reply back in steps of a few megabytes, yielding between them, so no one task
    // holds the page long (a 20 MB body has a 50 MB index: copied in one go, that took 100 ms).
    let text = get(&answer, "text").dyn_into::<Uint8Array>().map_err(|_| "the worker sent no text")?;
    let text = text_in_steps(bytes_in_steps(&text).await).await?;
    let nodes = get(&answer, "nodes").dyn_into::<Uint32Array>().map_err(|_| "the worker sent no nodes")?;
    let nodes = words_in_steps(&nodes).await;
    let child_table =
        get(&answer, "children").dyn_into::<Uint32Array>().map_err(|_| "the worker sent no child table")?;
    let child_table = words_in_steps(&child_table).await;
    yield_to_page().await;
    let parts = TreeParts { xml: get(&answer, "xml").is_truthy(), nodes, child_table };
    let mut reader = PartsReader::new(text, parts).map_err(|error| error.to_string())?;
    while !reader.step(NODES_PER_STEP).map_err(|error| error.to_string())? {
        yield_to_page().await;
    }
    reader.finish().map(Ok).map_err(|error| error.to_string())
}

/// Nodes checked and read back per task (a few milliseconds each here). 100,000 gave one task of
/// 61 ms in 1 of 3 bench-app runs on a 21 MB body: halved for margin.
const NODES_PER_STEP: usize = 50_000;

/// Bytes copied or checked per task when a reply is read back.
const STEP_BYTES: usize = 1 << 20;

async fn yield_to_page() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

async fn bytes_in_steps(array: &Uint8Array) -> Vec<u8> {
    let len = array.length() as usize;
    let mut bytes = Vec::with_capacity(len);
    while bytes.len() < len {
        let (start, end) = (bytes.len(), (bytes.len() + STEP_BYTES).min(len));
        bytes.resize(end, 0);
        array.subarray(start as u32, end as u32).copy_to(&mut bytes[start..end]);
        yield_to_page().await;
    }
    bytes
}

async fn words_in_steps(array: &Uint32Array) -> Vec<u32> {
    let len = array.length() as usize;
    let mut words = Vec::with_capacity(len);
    while words.len() < len {
        let (start, end) = (words.len(), (words.len() + STEP_BYTES / 4).min(len));
        words.resize(end, 0);
        array.subarray(start as u32, end as u32).copy_to(&mut words[start..end]);
        yield_to_page().await;
    }
    words
}

/// The bytes as a `String`, checked to be UTF-8 a step at a time (`wire::utf8_steps`; checking
/// 20 MB at once holds the page for 40 ms and more).
async fn text_in_steps(bytes: Vec<u8>) -> Result<String, String> {
    let mut checked = 0;
    while checked < bytes.len() {
        checked = check_step(&bytes, checked, STEP_BYTES)
            .map_err(|offset| format!("the worker sent text that is not UTF-8 (byte {offset})"))?;
        yield_to_page().await;
    }
    // SAFETY: the loop above ended with `checked == bytes.len()`: `check_step` accepted every
    // byte, in consecutive windows that each start on a character boundary, so the whole is
    // UTF-8 (its tests compare it with `str::from_utf8`). Checking again would undo the steps.
    Ok(unsafe { String::from_utf8_unchecked(bytes) })
}

thread_local! {
    static WORKER: WorkerLink = WorkerLink::new(WORKER_SCRIPT, "indexing worker");
}

/// The worker's side, run by `src/bin/indexer.rs`: answer each job, forever.
pub fn serve() {
    worker::serve(answer);
}

fn answer(job: &JsValue) -> (JsValue, Array) {
    let Ok(bytes) = get(job, "bytes").dyn_into::<Uint8Array>() else {
        return (object(&[("error", JsValue::from_str("the job carried no bytes"))]), Array::new());
    };
    let kind = if get(job, "xml").is_truthy() { DocumentKind::Xml } else { DocumentKind::Json };
    match index_on_page(&bytes.to_vec(), kind) {
        Err(error) => (object(&[("error", JsValue::from_str(&error.to_string()))]), Array::new()),
        Ok(tree) => {
            let parts = tree.to_parts();
            let text = Uint8Array::from(tree.text().as_bytes());
            let nodes = Uint32Array::from(parts.nodes.as_slice());
            let children = Uint32Array::from(parts.child_table.as_slice());
            let transfer = Array::of3(&text.buffer(), &nodes.buffer(), &children.buffer());
            let reply = object(&[
                ("xml", JsValue::from(parts.xml)),
                ("text", text.into()),
                ("nodes", nodes.into()),
                ("children", children.into()),
            ]);
            (reply, transfer)
        }
    }
}
