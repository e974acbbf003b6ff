//! The load generator behind `cargo xtask bench-server`, and the raw TCP echo it compares against.
//!
//! ```text
//! wirelab-loadgen tcp-echo --port 0
//! wirelab-loadgen run --target ws://127.0.0.1:8080/ws/echo --connections 64 --size 64
//! wirelab-loadgen run --target tcp://127.0.0.1:9000 --mode pipelined --in-flight 16
//! wirelab-loadgen run --target 'ws://127.0.0.1:8080/ws/tcp?to=echo' --bridge --kind binary --size 65536
//! wirelab-loadgen idle --target ws://127.0.0.1:8080/ws/echo --counts 1000,5000 --server-pid PID
//! wirelab-loadgen reconnect --target ws://127.0.0.1:8080/ws/echo --connections 30 --rate 50 --secs 10
//! wirelab-loadgen soak churn --target ws://127.0.0.1:8080/ws/echo --server-pid PID --connections 5000
//! ```
//!
//! Every server says where it listens on a line of its own; `run` and `idle` print one
//! tab-separated `RESULT` or `IDLE` line of `key=value` fields that the xtask reads, and `soak`
//! (for `cargo xtask soak`) one `CHECK` line per verdict. The client
//! runs on one thread (the xtask pins it to one core, and the server to the other), so figures
//! from different servers are comparable.

mod client;
mod frames;
mod http_clients;
mod idle;
mod messages;
mod procfs;
mod reconnect;
mod soak;
mod target;
mod tcp_echo;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::target::Target;

#[derive(Debug, Parser)]
#[command(name = "wirelab-loadgen", about = "Load generator and raw TCP echo for cargo xtask bench-server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// A raw TCP echo server (bytes back as they come): the upper bound the WebSocket servers are
    /// compared with. Prints `listening on HOST:PORT`.
    TcpEcho {
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// 0 picks a free port.
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
    /// Echo load against a server for a fixed time; prints one RESULT line.
    Run(RunArgs),
    /// Holds idle connections and reads the server's resident memory; prints an IDLE line per count.
    Idle(IdleArgs),
    /// One soak or fault check against a server on this machine; prints a CHECK line per verdict.
    Soak(soak::SoakArgs),
    /// Echo clients that reconnect whenever the server closes them (cargo xtask scale-test);
    /// prints one RECONNECT line.
    Reconnect(reconnect::ReconnectArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Send one message, wait for its echo, repeat.
    RequestResponse,
    /// Keep `--in-flight` messages outstanding per connection: send as many as came back, flush once.
    Pipelined,
    /// Full duplex: send messages back to back while reading their echoes at the same time, as a
    /// byte pipe is used (what the sending side has in flight is up to TCP). Lean client or TCP.
    Stream,
}

/// How the WebSocket client sends and reads (the handshake is tungstenite's either way).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Client {
    /// Frames written straight into a send buffer, each with its own masking key, and echoes
    /// checked as they stream through a fixed buffer (see frames.rs).
    Lean,
    /// tokio-tungstenite's Stream and Sink, which costs the client about twice the CPU.
    Tungstenite,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Text,
    Binary,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// `ws://HOST:PORT/PATH` for a WebSocket echo, `tcp://HOST:PORT` for the raw TCP echo.
    #[arg(long)]
    target: Target,
    #[arg(long, value_enum, default_value_t = Mode::RequestResponse)]
    mode: Mode,
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Payload bytes per message (on TCP: bytes sent and read back per message).
    #[arg(long, default_value_t = 64)]
    size: usize,
    /// WebSocket message type.
    #[arg(long, value_enum, default_value_t = Kind::Text)]
    kind: Kind,
    /// The WebSocket client's data path.
    #[arg(long, value_enum, default_value_t = Client::Lean)]
    client: Client,
    /// Messages outstanding per connection in pipelined mode.
    #[arg(long, default_value_t = 16)]
    in_flight: usize,
    /// Load before the measured window starts.
    #[arg(long, default_value_t = 1.0)]
    warmup_secs: f64,
    /// The measured window.
    #[arg(long, default_value_t = 3.0)]
    secs: f64,
    /// The server's process id, to report its CPU use during the window (Linux /proc).
    #[arg(long)]
    server_pid: Option<u32>,
    /// The target is wirelab-server's TCP bridge to an echo (`ws://HOST:PORT/ws/tcp?to=echo`):
    /// wait for its `connected` event, send binary messages, and read the echo as one byte
    /// stream across the binary messages that come back, skipping the bridge's text events.
    #[arg(long)]
    bridge: bool,
}

#[derive(Debug, clap::Args)]
pub struct IdleArgs {
    #[arg(long)]
    target: Target,
    /// Connection counts to measure at, ascending, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1000,5000")]
    counts: Vec<usize>,
    /// The server's process id (its VmRSS is read from /proc).
    #[arg(long)]
    server_pid: u32,
    /// Connection attempts at once.
    #[arg(long, default_value_t = 100)]
    concurrency: usize,
    /// Wait after opening, before reading the memory, so the server settles.
    #[arg(long, default_value_t = 1000)]
    settle_ms: u64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        // The echo server uses the same runtime flavour as wirelab-server (multi-threaded, one
        // worker per core it may run on), so the comparison isolates the WebSocket layer.
        Command::TcpEcho { host, port } => runtime(true).and_then(|rt| rt.block_on(tcp_echo::serve(&host, port))),
        Command::Run(args) => runtime(false).and_then(|rt| rt.block_on(client::run(args))),
        Command::Idle(args) => {
            raise_open_file_limit();
            runtime(false).and_then(|rt| rt.block_on(idle::run(args)))
        }
        Command::Reconnect(args) => {
            raise_open_file_limit();
            runtime(false).and_then(|rt| rt.block_on(reconnect::run(args)))
        }
        Command::Soak(args) => {
            raise_open_file_limit();
            runtime(false).and_then(|rt| rt.block_on(soak::run(args)))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("wirelab-loadgen: {message}");
            ExitCode::FAILURE
        }
    }
}

fn runtime(multi_thread: bool) -> Result<tokio::runtime::Runtime, String> {
    let mut builder = if multi_thread {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    builder.enable_all().build().map_err(|error| format!("cannot start the async runtime: {error}"))
}

fn raise_open_file_limit() {
    if let Err(error) = rlimit::increase_nofile_limit(u64::MAX) {
        eprintln!("wirelab-loadgen: cannot raise the open file limit: {error}");
    }
}
