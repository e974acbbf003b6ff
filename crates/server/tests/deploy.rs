//! The deployment recipes in deploy/, run or linted here: the nginx site config passes `nginx -t`
//! and carries WebSocket echoes, MQTT upgrades and HTTP requests to two real servers, a draining
//! server's new upgrades land on the other one, the Containerfile passes hadolint and the
//! Kubernetes manifests pass kubernetes-validate's strict schema check (no container engine or
//! cluster runs here, so those two are only linted).

mod support;

#[path = "../../../xtask/src/nginx_conf.rs"]
mod nginx_conf;

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use nginx_conf::Upstream;
use support::{STEP, TestServer, header_in, required_file, upgrade_request, venv_python, within};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use wirelab_server::{Config, Metrics, TrustedProxies};

const NGINX: &str = "/usr/sbin/nginx";
const DEPLOY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy");
/// The response header deploy/nginx.conf adds: the server(s) nginx tried, in order.
const UPSTREAM_HEADER: &str = "x-wirelab-upstream";
/// The Kubernetes version whose schemas the manifests are checked against (kubernetes-validate
/// 1.37.0 bundles 1.37 as its newest).
const KUBERNETES_VERSION: &str = "1.37.0";

/// A program in the py-ops venv's bin/: beside `WIRELAB_OPS_PYTHON` (set by `cargo xtask test`),
/// else in the venv xtask makes.
fn ops_tool(name: &str) -> Option<PathBuf> {
    let python = venv_python("WIRELAB_OPS_PYTHON", "py-ops");
    let bin = python.parent().map(Path::to_path_buf).unwrap_or_default();
    required_file(bin.join(name), name)
}

fn run(command: &mut Command) -> Output {
    command.output().unwrap_or_else(|error| panic!("cannot run {command:?}: {error}"))
}

fn describe(output: &Output) -> String {
    format!(
        "{}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// deploy/nginx.conf rendered for these servers, with a top-level nginx.conf around it, in a
/// folder of its own.
struct NginxConfig {
    prefix: tempfile::TempDir,
    main_conf: PathBuf,
    listen: SocketAddr,
}

impl NginxConfig {
    fn new(servers: &[SocketAddr]) -> NginxConfig {
        let prefix = tempfile::tempdir().expect("a temporary folder");
        // nginx started as root runs its workers as nobody, who must reach the temporary folders.
        std::fs::set_permissions(prefix.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let listen = free_port();
        let template = std::fs::read_to_string(Path::new(DEPLOY).join("nginx.conf")).expect("deploy/nginx.conf");
        let upstreams: Vec<Upstream> = servers.iter().map(|addr| Upstream { port: addr.port(), down: false }).collect();
        let site = nginx_conf::render(&template, listen.port(), &upstreams).expect("deploy/nginx.conf renders");
        let site_conf = prefix.path().join("wirelab.conf");
        std::fs::write(&site_conf, site).expect("write the site config");
        let main_conf = prefix.path().join("nginx.conf");
        std::fs::write(&main_conf, nginx_conf::main_conf(prefix.path(), &site_conf, 2)).expect("write nginx.conf");
        NginxConfig { prefix, main_conf, listen }
    }

    fn command(&self, nginx: &Path) -> Command {
        let mut command = Command::new(nginx);
        command
            .arg("-p")
            .arg(self.prefix.path())
            .arg("-e")
            .arg(self.prefix.path().join("error.log"))
            .arg("-c")
            .arg(&self.main_conf);
        command
    }

    fn error_log(&self) -> String {
        std::fs::read_to_string(self.prefix.path().join("error.log")).unwrap_or_default()
    }
}

/// A loopback port nothing listens on right now.
fn free_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("its address")
}

/// nginx running in the foreground on a [`NginxConfig`]; stopped (SIGTERM) when dropped.
struct Nginx {
    config: NginxConfig,
    child: Child,
}

impl Nginx {
    async fn start(nginx: &Path, servers: &[SocketAddr]) -> Nginx {
        let config = NginxConfig::new(servers);
        let child = config
            .command(nginx)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", nginx.display()));
        let mut nginx = Nginx { config, child };
        let deadline = Instant::now() + STEP;
        while TcpStream::connect(nginx.config.listen).await.is_err() {
            if let Ok(Some(status)) = nginx.child.try_wait() {
                panic!("nginx exited ({status}):\n{}", nginx.config.error_log());
            }
            assert!(Instant::now() < deadline, "nginx did not listen within {STEP:?}:\n{}", nginx.config.error_log());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        nginx
    }

    fn addr(&self) -> SocketAddr {
        self.config.listen
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its workers; a SIGKILL would leave them holding the port.
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

fn test_config() -> Config {
    Config { static_dir: "/nonexistent/wirelab-test-dist".into(), ..Config::default() }
}

/// One HTTP/1.1 request (closing the connection) to `addr`: the response head and body.
async fn http(addr: SocketAddr, method: &str, target: &str, body: &str) -> (String, String) {
    let mut stream = within("connect", TcpStream::connect(addr)).await.expect("connect");
    let request = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    within("send the request", stream.write_all(request.as_bytes())).await.expect("send");
    let mut response = Vec::new();
    within("read the response", stream.read_to_end(&mut response)).await.expect("read");
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (head.to_owned(), body.to_owned())
}

/// The servers nginx tried for a response, from the header deploy/nginx.conf adds.
fn upstreams_tried(value: Option<&str>) -> Vec<String> {
    value.unwrap_or_default().split(',').map(|addr| addr.trim().to_owned()).filter(|addr| !addr.is_empty()).collect()
}

#[test]
fn nginx_accepts_the_rendered_recipe() {
    let Some(nginx) = required_file(PathBuf::from(NGINX), "nginx") else { return };
    let config = NginxConfig::new(&[free_port(), free_port(), free_port()]);
    let output = run(config.command(&nginx).arg("-t"));
    assert!(output.status.success(), "nginx -t failed: {}", describe(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("test is successful"), "{}", describe(&output));
}

#[tokio::test]
async fn websocket_echoes_and_http_requests_pass_through_nginx() {
    let Some(nginx_binary) = required_file(PathBuf::from(NGINX), "nginx") else { return };
    let servers = [TestServer::start(test_config()).await, TestServer::start(test_config()).await];
    let server_addrs: Vec<String> = servers.iter().map(|server| server.addr.to_string()).collect();
    let nginx = Nginx::start(&nginx_binary, &servers.iter().map(|server| server.addr).collect::<Vec<_>>()).await;

    let url = format!("ws://{}/ws/echo", nginx.addr());
    let (mut socket, response) = within("the upgrade through nginx", tokio_tungstenite::connect_async(&url))
        .await
        .unwrap_or_else(|error| panic!("no WebSocket through nginx: {error}"));
    let tried = upstreams_tried(response.headers().get(UPSTREAM_HEADER).and_then(|value| value.to_str().ok()));
    assert!(tried.len() == 1 && server_addrs.contains(&tried[0]), "answered by {tried:?}, servers {server_addrs:?}");
    let messages = [
        Message::text("hello through nginx"),
        Message::binary(vec![0u8, 1, 2, 255]),
        Message::binary(vec![0x5a; 1 << 20]),
        Message::text("é ✓ 🚀"),
    ];
    for message in messages {
        within("send", socket.send(message.clone())).await.expect("send through nginx");
        let echoed = within("the echo", socket.next()).await.expect("an echo").expect("a message");
        assert_eq!(echoed, message);
    }
    within("close", socket.close(None)).await.expect("close");

    // MQTT over WebSocket has its own location.
    let mut stream = TcpStream::connect(nginx.addr()).await.expect("connect to nginx");
    let (head, _) = within(
        "the /mqtt upgrade",
        upgrade_request(&mut stream, nginx.addr(), "/mqtt", &["Sec-WebSocket-Protocol: mqtt"]),
    )
    .await;
    assert!(head.starts_with("HTTP/1.1 101"), "/mqtt through nginx: {head}");
    assert_eq!(header_in(&head, "sec-websocket-protocol"), Some("mqtt"));

    let nginx_host = nginx.addr().to_string();
    // (method, target, body, status, a piece of the body)
    let cases = [
        ("GET", "/healthz", "", "200", "\"ok\""),
        ("GET", "/readyz", "", "200", "\"ready\""),
        ("GET", "/get?lab=deploy", "", "200", "\"lab\""),
        ("POST", "/post", "{\"sent\":\"through nginx\"}", "200", "through nginx"),
        ("GET", "/headers", "", "200", "X-Forwarded-For"),
        ("GET", "/headers", "", "200", nginx_host.as_str()),
        ("GET", "/status/418", "", "418", ""),
        // A 503 is a real answer on plain HTTP: passed on, never retried on the other server.
        ("GET", "/status/503", "", "503", ""),
        ("DELETE", "/status/503", "", "503", ""),
    ];
    for (method, target, body, status, body_piece) in cases {
        let (head, response_body) = http(nginx.addr(), method, target, body).await;
        let status_line = head.lines().next().unwrap_or_default();
        assert!(status_line.starts_with(&format!("HTTP/1.1 {status}")), "{method} {target}: {status_line}");
        assert!(response_body.contains(body_piece), "{method} {target}: no {body_piece:?} in {response_body}");
        let tried = upstreams_tried(header_in(&head, UPSTREAM_HEADER));
        assert_eq!(tried.len(), 1, "{method} {target} went to {tried:?}");
    }
}

#[tokio::test]
async fn a_draining_servers_new_upgrades_land_on_the_other_server() {
    let Some(nginx_binary) = required_file(PathBuf::from(NGINX), "nginx") else { return };
    let draining = TestServer::start(test_config()).await;
    let ready = TestServer::start(test_config()).await;
    let nginx = Nginx::start(&nginx_binary, &[draining.addr, ready.addr]).await;
    draining.shutdown.start_draining();
    let drain_started = Instant::now();

    let url = format!("ws://{}/ws/echo", nginx.addr());
    let mut sockets = Vec::new();
    let mut retried = 0;
    for index in 0..4 {
        let (mut socket, response) = within("an upgrade through nginx", tokio_tungstenite::connect_async(&url))
            .await
            .unwrap_or_else(|error| panic!("upgrade {index} failed through nginx: {error}"));
        let tried = upstreams_tried(response.headers().get(UPSTREAM_HEADER).and_then(|value| value.to_str().ok()));
        assert_eq!(tried.last(), Some(&ready.addr.to_string()), "upgrade {index} answered by {tried:?}");
        if tried.len() > 1 {
            assert_eq!(tried, [draining.addr.to_string(), ready.addr.to_string()], "upgrade {index}");
            retried += 1;
        }
        let message = Message::text(format!("socket {index}"));
        within("send", socket.send(message.clone())).await.expect("send");
        assert_eq!(within("the echo", socket.next()).await.expect("an echo").expect("a message"), message);
        sockets.push(socket);
    }
    // least_conn sends one of the first two upgrades to the draining server, whose 503 nginx
    // retries on the other one and counts as its one allowed failure (max_fails=1): the later
    // upgrades skip it for fail_timeout.
    assert_eq!(retried, 1, "upgrades refused by the draining server and retried");
    assert_eq!(draining.shutdown.open_connections(), 0, "WebSockets on the draining server");
    assert_eq!(ready.shutdown.open_connections(), sockets.len(), "WebSockets on the ready server");
    for mut socket in sockets {
        within("close", socket.close(None)).await.expect("close");
    }
    // Plain HTTP meanwhile: every request answered. The upgrade's 503 counted as the draining
    // server's failure, so for fail_timeout (10 s) nginx sends it no HTTP either.
    for index in 0..6 {
        let (head, _) = http(nginx.addr(), "GET", &format!("/get?request={index}"), "").await;
        assert!(head.starts_with("HTTP/1.1 200"), "request {index} during the drain: {head}");
        if drain_started.elapsed() < Duration::from_secs(9) {
            let tried = upstreams_tried(header_in(&head, UPSTREAM_HEADER));
            assert_eq!(tried, [ready.addr.to_string()], "request {index} during the drain");
        }
    }
}

/// `GET target` through nginx from the loopback address `source` (Linux routes all of
/// 127.0.0.0/8 to lo), with `extra` header lines: the response body as JSON.
async fn get_from(source: [u8; 4], nginx: SocketAddr, target: &str, extra: &str) -> serde_json::Value {
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket.bind(SocketAddr::from((source, 0))).expect("bind the source address");
    let mut stream = within("connect", socket.connect(nginx)).await.expect("connect to nginx");
    let request = format!("GET {target} HTTP/1.1\r\nHost: {nginx}\r\n{extra}Connection: close\r\n\r\n");
    within("send the request", stream.write_all(request.as_bytes())).await.expect("send");
    let mut response = Vec::new();
    within("read the response", stream.read_to_end(&mut response)).await.expect("read");
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    assert!(head.starts_with("HTTP/1.1 200"), "{target} from {source:?}: {head}");
    serde_json::from_str(body).unwrap_or_else(|error| panic!("{target}: {error} in {body}"))
}

#[tokio::test]
async fn behind_nginx_a_trusted_proxy_shows_the_real_client_and_a_forged_header_does_not() {
    let Some(nginx_binary) = required_file(PathBuf::from(NGINX), "nginx") else { return };
    let trusting = TestServer::start(Config {
        trusted_proxies: TrustedProxies::new(vec![TrustedProxies::parse_network("127.0.0.1").expect("a network")]),
        ..test_config()
    })
    .await;
    let plain = TestServer::start(test_config()).await;
    // The client is 127.0.0.3, nginx reaches the servers from 127.0.0.1: only nginx is trusted.
    let client = [127, 0, 0, 3];
    let forged = "X-Forwarded-For: 198.51.100.66\r\n";
    let nginx = Nginx::start(&nginx_binary, &[trusting.addr]).await;
    // (target, extra header lines, field, expected)
    let cases = [
        ("/ip", "", "origin", "127.0.0.3"),
        // nginx appends the address it saw; the forged entry is further out, never reached.
        ("/ip", forged, "origin", "127.0.0.3"),
        ("/get", forged, "origin", "127.0.0.3"),
        ("/anything", "", "origin", "127.0.0.3"),
        // nginx sets X-Forwarded-Proto to its own scheme: plain HTTP here.
        ("/anything/path?x=1", "X-Forwarded-Proto: https\r\n", "url", "http://{nginx}/anything/path?x=1"),
    ];
    for (target, extra, field, expected) in cases {
        let body = get_from(client, nginx.addr(), target, extra).await;
        let expected = expected.replace("{nginx}", &nginx.addr().to_string());
        assert_eq!(body[field].as_str(), Some(expected.as_str()), "{target} with {extra:?}: {body}");
    }
    drop(nginx);
    // Without --trusted-proxy the header is not believed: the client is nginx.
    let nginx = Nginx::start(&nginx_binary, &[plain.addr]).await;
    let body = get_from(client, nginx.addr(), "/ip", forged).await;
    assert_eq!(body["origin"].as_str(), Some("127.0.0.1"), "/ip without --trusted-proxy: {body}");
}

/// The value of the sample `name_and_labels` (e.g. `metric{label="x"}`) in a Prometheus text
/// exposition.
fn sample(exposition: &str, name_and_labels: &str) -> Option<f64> {
    exposition.lines().find_map(|line| line.strip_prefix(name_and_labels)?.trim().parse().ok())
}

#[tokio::test]
async fn nginx_keeps_its_connections_to_a_server_alive_across_http_requests() {
    let Some(nginx_binary) = required_file(PathBuf::from(NGINX), "nginx") else { return };
    let metrics = Metrics::default();
    let server = TestServer::start(Config { metrics: metrics.clone(), ..test_config() }).await;
    let nginx = Nginx::start(&nginx_binary, &[server.addr]).await;
    const REQUESTS: usize = 20;
    for index in 0..REQUESTS {
        // Each client connection to nginx closes after its request; nginx's to the server stay.
        let (head, _) = http(nginx.addr(), "GET", &format!("/get?request={index}"), "").await;
        assert!(head.starts_with("HTTP/1.1 200"), "request {index}: {head}");
    }
    let accepted = sample(&metrics.encode(), "wirelab_http_connections_accepted_total{listener=\"http\"}");
    // At most one kept-alive connection per nginx worker (main_conf starts 2); without upstream
    // keepalive (or with `Connection: close` sent upstream) it would be one per request.
    let accepted = accepted.expect("the accepted-connections counter in the server's metrics");
    assert!((1.0..=2.0).contains(&accepted), "{accepted} connections for {REQUESTS} requests");
}

#[test]
fn hadolint_finds_nothing_in_the_containerfile() {
    let Some(hadolint) = ops_tool("hadolint") else { return };
    let containerfile = Path::new(DEPLOY).join("Containerfile");
    // The strictest threshold: style findings fail too.
    let output = run(Command::new(hadolint).arg("--failure-threshold").arg("style").arg(&containerfile));
    assert!(output.status.success(), "hadolint: {}", describe(&output));
}

#[test]
fn the_kubernetes_manifests_match_their_schemas_strictly() {
    let Some(validate) = ops_tool("kubernetes-validate") else { return };
    let mut manifests: Vec<PathBuf> = std::fs::read_dir(Path::new(DEPLOY).join("k8s"))
        .expect("deploy/k8s")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|extension| extension == "yaml"))
        .collect();
    manifests.sort();
    let names: Vec<String> =
        manifests.iter().filter_map(|path| path.file_name()).map(|name| name.to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["deployment.yaml", "poddisruptionbudget.yaml", "service.yaml"]);
    let output = run(Command::new(validate)
        .arg("--strict")
        .arg("--kubernetes-version")
        .arg(KUBERNETES_VERSION)
        .args(&manifests));
    assert!(output.status.success(), "kubernetes-validate: {}", describe(&output));
    let report = String::from_utf8_lossy(&output.stdout);
    // One "INFO FILE passed for resource KIND/NAME against version 1.37" line per resource; a
    // WARNING line would mean a deprecated or unknown API.
    assert_eq!(report.matches(" passed for resource ").count(), manifests.len(), "{}", describe(&output));
    assert!(!report.contains("WARN"), "{}", describe(&output));
}
