//! The Formats lab's encode/decode throughput compiled to wasm and run in headless Chromium, timed
//! with `performance.now()`, for `cargo xtask bench-formats` to set against the native figures.
//! It only measures when built with `WIRELAB_BENCH_FORMATS` set (the xtask sets it), so the
//! ordinary `wasm-pack test` of this crate passes it in a moment.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};
use wire::formats::throughput::{self, DEFAULT_BUDGET_MS, line, problem_line};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn format_throughput() {
    if option_env!("WIRELAB_BENCH_FORMATS").is_none() {
        return;
    }
    let Some(performance) = web_sys::window().and_then(|window| window.performance()) else {
        panic!("this page has no window.performance to time with");
    };
    let clock = || performance.now();
    let report = throughput::measure_all(&clock, DEFAULT_BUDGET_MS);
    // The lines reach wasm-pack's stdout when the runner is given --nocapture.
    for figure in &report.figures {
        console_log!("{}", line(figure));
    }
    for problem in &report.problems {
        console_log!("{}", problem_line(problem));
    }
}
