//! The Concurrency lab's "As Python" programs (`wire::concurrency_lab::python`), generated from
//! plans and run with python3 (requests, aiohttp) against a real server: each must finish, and
//! its printed times must have the plan's shape: one after another takes about N × the delay,
//! all at once about one delay, at most k at a time about ceil(N / k) delays. N WebSockets all
//! open at once. The bounds are generous: the machine may be busy.

mod peers_support;
mod support;

use std::process::Command;

use peers_support::{PeersServer, run};
use wire::concurrency_lab::plan::{Carrier, Endpoint, Plan, Strategy, Workload};
use wire::concurrency_lab::python::program;

/// Debian's python3, where `cargo xtask` installs python3-requests and python3-aiohttp (a
/// `python3` earlier on PATH, e.g. pyenv's, may not have them); plain `python3` elsewhere.
fn python3() -> &'static str {
    if std::path::Path::new("/usr/bin/python3").exists() { "/usr/bin/python3" } else { "python3" }
}

/// Runs `program` with python3; its standard output (the test fails if it fails).
async fn run_python(program: &str) -> String {
    let mut command = Command::new(python3());
    command.arg("-c").arg(program);
    run(command, "python3").await
}

/// The `total X.XX s` the program printed, in seconds.
fn total_seconds(out: &str) -> f64 {
    out.lines()
        .find_map(|line| line.strip_prefix("total ")?.strip_suffix(" s")?.parse().ok())
        .unwrap_or_else(|| panic!("no total line in:\n{out}"))
}

fn requests_plan(count: u32, seconds: f64, strategy: Strategy) -> Plan {
    Plan {
        workload: Workload::Requests,
        count,
        endpoint: Endpoint::Delay { seconds },
        strategy,
        carrier: Carrier::Http1,
    }
}

#[tokio::test]
async fn each_strategy_takes_the_time_its_shape_says() {
    let server = PeersServer::start().await;
    let origin = format!("http://{}", server.addr);
    // (plan, the least and the most its total may be, in seconds)
    let cases = [
        (requests_plan(4, 0.5, Strategy::Sequential), 2.0, 4.0),
        (requests_plan(20, 1.0, Strategy::AllAtOnce), 1.0, 2.5),
        (requests_plan(6, 0.5, Strategy::AtMost(2)), 1.5, 3.0),
        (requests_plan(150, 0.5, Strategy::AllAtOnce), 0.5, 3.0),
    ];
    for (plan, least, most) in cases {
        let source = program(&plan, &origin);
        let out = run_python(&source).await;
        let total = total_seconds(&out);
        assert!(
            (least..=most).contains(&total),
            "{}: total {total} s, expected {least}–{most} s\nprinted:\n{out}\nprogram:\n{source}",
            plan.label()
        );
        let answered = out.lines().filter(|line| line.starts_with("request ") && line.contains(": 200, ")).count();
        assert_eq!(answered, plan.count as usize, "{}: every request answered 200\n{out}", plan.label());
    }
}

#[tokio::test]
async fn the_drip_and_bytes_programs_read_whole_bodies() {
    let server = PeersServer::start().await;
    let origin = format!("http://{}", server.addr);
    let plans = [
        (Endpoint::Drip { numbytes: 500, duration: 0.5, delay: 0.0 }, "500 bytes"),
        (Endpoint::Bytes { n: 65_536 }, "65536 bytes"),
    ];
    for (endpoint, size) in plans {
        let plan = Plan {
            workload: Workload::Requests,
            count: 3,
            endpoint,
            strategy: Strategy::AtMost(2),
            carrier: Carrier::Http1,
        };
        let out = run_python(&program(&plan, &origin)).await;
        let whole = out.lines().filter(|line| line.contains(size)).count();
        assert_eq!(whole, 3, "{}: each body read whole ({size})\n{out}", plan.label());
    }
}

#[tokio::test]
async fn the_websocket_program_has_all_its_sockets_open_at_once() {
    let server = PeersServer::start().await;
    let origin = format!("http://{}", server.addr);
    let plan = Plan {
        workload: Workload::WebSockets,
        count: 40,
        endpoint: Endpoint::Delay { seconds: 0.0 },
        strategy: Strategy::AllAtOnce,
        carrier: Carrier::Http1,
    };
    let out = run_python(&program(&plan, &origin)).await;
    assert!(out.contains("open at once: 40"), "printed:\n{out}");
    assert_eq!(out.lines().filter(|line| line.contains(": handshake ")).count(), 40, "{out}");
}
