//! The lab's plan as a Python program that does the same from a terminal, the way the course
//! writes it: one after another is a loop with `requests`, all at once is `asyncio.gather` with
//! `aiohttp`, at most k at a time is the same under an `asyncio.Semaphore(k)`, and N WebSockets
//! are `aiohttp`'s `ws_connect` gathered. Every program prints one line per request and
//! `total X.XX s`, so its shape can be compared with the lab's waterfall (and is, in
//! crates/server/tests/python_concurrency.rs).
//!
//! Python's `requests` and `aiohttp` speak HTTP/1.1 only, so the programs use the plain port
//! whatever the lab ran over.

use super::plan::{Carrier, Plan, Strategy, Workload};

/// The program for `plan` against `origin` (`http://HOST:PORT`).
pub fn program(plan: &Plan, origin: &str) -> String {
    let plan = &Plan { carrier: Carrier::Http1, ..plan.clone() };
    match (plan.workload, plan.strategy) {
        (Workload::WebSockets, _) => websockets(plan, origin),
        (Workload::Requests, Strategy::Sequential) => sequential(plan, origin),
        (Workload::Requests, Strategy::AllAtOnce) => gathered(plan, origin, None),
        (Workload::Requests, Strategy::AtMost(k)) => gathered(plan, origin, Some(k)),
    }
}

/// A Python string literal for `text` (double quotes, backslashes and quotes escaped).
fn literal(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn sequential(plan: &Plan, origin: &str) -> String {
    let url = literal(&format!("{origin}{}", plan.endpoint.path()));
    format!(
        r#"# {label}: a loop with requests. Each request starts when the one before has
# finished; the Session keeps one connection open for all of them.
import time

import requests

URL = {url}
COUNT = {count}


def main():
    start = time.perf_counter()
    with requests.Session() as session:
        for number in range(1, COUNT + 1):
            began = time.perf_counter() - start
            response = session.get(URL, timeout=120)
            size = len(response.content)
            ended = time.perf_counter() - start
            print(f"request {{number}}: {{response.status_code}}, {{size}} bytes, "
                  f"started {{began:.2f}} s, finished {{ended:.2f}} s")
    print(f"total {{time.perf_counter() - start:.2f}} s")


main()
"#,
        label = plan.label(),
        count = plan.count,
    )
}

fn gathered(plan: &Plan, origin: &str, limit: Option<u32>) -> String {
    let url = literal(&format!("{origin}{}", plan.endpoint.path()));
    let (intro, semaphore_line, fetch_args, call_args, connector) = match limit {
        None => (
            "asyncio.gather with aiohttp. Every request is started at once and\n# gather waits for them all."
                .to_string(),
            String::new(),
            "session, number, start",
            "session, number, start",
            "    # aiohttp opens at most 100 connections at a time by default (limit=100);\n    \
             # limit=0 lifts that, so all at once really is all at once.\n    \
             connector = aiohttp.TCPConnector(limit=0)\n"
                .to_string(),
        ),
        Some(k) => (
            format!(
                "asyncio.gather with aiohttp under an asyncio.Semaphore({k}):\n# every request is \
                 started at once, but only {k} may hold the semaphore, the rest wait for one to finish."
            ),
            format!("    semaphore = asyncio.Semaphore({k})\n"),
            "session, semaphore, number, start",
            "session, semaphore, number, start",
            // The connector's own limit (100) must not be the tighter one.
            if k > 100 {
                "    connector = aiohttp.TCPConnector(limit=0)\n".to_string()
            } else {
                "    connector = aiohttp.TCPConnector(limit=100)\n".to_string()
            },
        ),
    };
    let body = if limit.is_some() {
        "    async with semaphore:\n        began = time.perf_counter() - start\n        \
         async with session.get(URL) as response:\n            body = await response.read()\n        \
         ended = time.perf_counter() - start\n"
    } else {
        "    began = time.perf_counter() - start\n    async with session.get(URL) as response:\n        \
         body = await response.read()\n    ended = time.perf_counter() - start\n"
    };
    format!(
        r#"# {label}: {intro}
import asyncio
import time

import aiohttp

URL = {url}
COUNT = {count}


async def fetch({fetch_args}):
{body}    print(f"request {{number}}: {{response.status}}, {{len(body)}} bytes, "
          f"started {{began:.2f}} s, finished {{ended:.2f}} s")


async def main():
    start = time.perf_counter()
{semaphore_line}{connector}    timeout = aiohttp.ClientTimeout(total=None)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(fetch({call_args}) for number in range(1, COUNT + 1)))
    print(f"total {{time.perf_counter() - start:.2f}} s")


asyncio.run(main())
"#,
        label = plan.label(),
        count = plan.count,
    )
}

fn websockets(plan: &Plan, origin: &str) -> String {
    let url = literal(&format!("{}/ws/echo", origin.replacen("https://", "wss://", 1).replacen("http://", "ws://", 1)));
    format!(
        r#"# {label}: aiohttp's ws_connect, gathered. Each socket stays open until all are,
# so the last line says how many were open at once.
import asyncio
import time

import aiohttp

URL = {url}
COUNT = {count}


async def open_socket(session, number, start):
    began = time.perf_counter() - start
    socket = await session.ws_connect(URL)
    opened = time.perf_counter() - start
    print(f"socket {{number}}: handshake {{(opened - began) * 1000:.1f}} ms, "
          f"started {{began:.2f}} s, open {{opened:.2f}} s")
    return socket


async def main():
    start = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        sockets = await asyncio.gather(*(open_socket(session, n, start) for n in range(1, COUNT + 1)))
        print(f"open at once: {{sum(not socket.closed for socket in sockets)}}")
        await asyncio.gather(*(socket.close() for socket in sockets))
    print(f"total {{time.perf_counter() - start:.2f}} s")


asyncio.run(main())
"#,
        label = plan.label(),
        count = plan.count,
    )
}
