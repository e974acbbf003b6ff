//! The Formats lab's encode/decode throughput measured natively, printed as the machine-readable
//! lines `cargo xtask bench-formats` compares with the same harness compiled to wasm. Run with
//! `cargo run --release -p wirelab-wire --example format_throughput [-- <budget ms per figure>]`
//! (the default budget is the one the wasm test uses).

use std::time::Instant;

use wire::formats::throughput::{self, DEFAULT_BUDGET_MS, line, problem_line, render_table};

fn main() {
    let budget_ms = match std::env::args().nth(1) {
        None => DEFAULT_BUDGET_MS,
        Some(text) => match text.parse::<f64>() {
            Ok(budget) if budget > 0.0 => budget,
            _ => {
                eprintln!("format_throughput: '{text}' is not a budget in milliseconds");
                std::process::exit(2);
            }
        },
    };
    let started = Instant::now();
    let clock = || started.elapsed().as_secs_f64() * 1000.0;
    let report = throughput::measure_all(&clock, budget_ms);
    for figure in &report.figures {
        println!("{}", line(figure));
    }
    for problem in &report.problems {
        println!("{}", problem_line(problem));
    }
    eprint!("{}", render_table(&report.figures));
}
