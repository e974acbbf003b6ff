//! The command line of `wirelab-server`, kept in the library so tests can check it.

use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use ipnet::IpNet;

use crate::bridge::host_and_port;
use crate::forwarded::TrustedProxies;
use crate::mqtt::{
    DEFAULT_MQTT_DEVICE_RATE_HZ, DEFAULT_MQTT_DEVICES, DEFAULT_MQTT_MAX_CONNECTIONS, MAX_MQTT_DEVICE_RATE_HZ,
    MAX_MQTT_DEVICES, MqttConfig,
};
use crate::telemetry::{
    DEFAULT_TELEMETRY_MAX_DEVICES, DEFAULT_TELEMETRY_MAX_RATE_HZ, DEFAULT_TELEMETRY_MAX_TOTAL_RATE,
    DEFAULT_TELEMETRY_QUEUE, MIN_RATE_HZ, TelemetryConfig,
};
use crate::tls::{CertificateSource, default_data_dir};
use crate::websocket::SERVER_WINDOW_BITS;
use crate::{
    BridgeConfig, CaptureConfig, Config, DEFAULT_BRIDGE_CONNECT_TIMEOUT, DEFAULT_BRIDGE_IDLE_TIMEOUT,
    DEFAULT_BRIDGE_MAX_BYTES, DEFAULT_CAPTURE_SESSION_BYTES, DEFAULT_CAPTURE_SESSIONS, DEFAULT_CAPTURE_TOTAL_BYTES,
    DEFAULT_FTP_MAX_UPLOAD_BYTES, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAILBOX_CAPACITY,
    DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_BRIDGES, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_DELAY, DEFAULT_MAX_MAIL_BYTES,
    DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_PEER_IDLE_TIMEOUT, DEFAULT_WRITE_TIMEOUT, DeflateConfig, OriginPolicy,
    PeerPorts, PeersConfig,
};

/// How the log is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One line of text per event.
    Text,
    /// One JSON object per event and line (tracing-subscriber's JSON format).
    Json,
}

/// A switch given as `on` or `off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

impl Switch {
    fn is_on(self) -> bool {
        self == Switch::On
    }
}

/// Wirelab's server: serves the built app, `/api/info`, the WebSocket echo at `/ws/echo` and
/// httpbin-style HTTP test endpoints (`/anything`, `/status/{codes}`, `/delay/{seconds}`, ...).
#[derive(Clone, Debug, Parser)]
#[command(name = "wirelab-server", version)]
pub struct Cli {
    /// Address to listen on (an IP address or a host name).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on; 0 picks a free port and the start-up line says which.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,

    /// Directory of the built app (trunk's output), relative to the current directory.
    #[arg(long, default_value = "dist")]
    pub static_dir: PathBuf,

    /// Also serve everything over HTTPS and WSS on this port (HTTP/2 or HTTP/1.1 by ALPN); 0 picks
    /// a free port. Off unless given.
    #[arg(long, help_heading = "TLS")]
    pub tls_port: Option<u16>,

    /// The TLS port's certificate (PEM; may hold the chain after it). Without --tls-cert and
    /// --tls-key, a self-signed certificate for localhost, 127.0.0.1 and ::1 is made once and kept
    /// in the data directory.
    #[arg(long, requires = "tls_key", help_heading = "TLS")]
    pub tls_cert: Option<PathBuf>,

    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, requires = "tls_cert", help_heading = "TLS")]
    pub tls_key: Option<PathBuf>,

    /// Where the server keeps what outlives a run (the generated certificate, in tls/).
    /// [default: $XDG_DATA_HOME/wirelab, else ~/.local/share/wirelab]
    #[arg(long, help_heading = "TLS")]
    pub data_dir: Option<PathBuf>,

    /// Largest WebSocket message (and frame) in bytes; larger ones are closed with 1009.
    #[arg(long, default_value_t = DEFAULT_MAX_MESSAGE_BYTES, value_parser = parse_limit)]
    pub max_message_bytes: usize,

    /// Largest HTTP request body in bytes the test endpoints read; larger ones get 413.
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_BYTES, value_parser = parse_limit)]
    pub max_body_bytes: usize,

    /// Longest wait in seconds (fractions allowed) that /delay and /drip may be asked for.
    #[arg(long, default_value_t = DEFAULT_MAX_DELAY.as_secs_f64(), value_parser = parse_seconds)]
    pub max_delay: f64,

    /// Accept a client's permessage-deflate offer (RFC 7692) on /ws/echo.
    #[arg(long, value_enum, default_value_t = Switch::On)]
    pub permessage_deflate: Switch,

    /// Largest deflate window the server compresses with, in bits (server_max_window_bits); a
    /// client asking for a smaller one gets it.
    #[arg(long, default_value_t = DeflateConfig::default().window_bits,
          value_parser = clap::value_parser!(u8).range(i64::from(*SERVER_WINDOW_BITS.start())..=i64::from(*SERVER_WINDOW_BITS.end())))]
    pub deflate_window_bits: u8,

    /// Most WebSocket connections open at once; an upgrade over the cap gets 503 (with
    /// Retry-After) before the handshake.
    #[arg(long, default_value_t = DEFAULT_MAX_CONNECTIONS, value_parser = parse_limit)]
    pub max_connections: usize,

    /// Page origin allowed to open WebSockets, as scheme://host[:port]; repeat for more, or '*'
    /// for any. The server's own origin and loopback origins (localhost, 127.0.0.1, [::1]) are
    /// always allowed, and so are clients that send no Origin (programs, not pages).
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,

    /// Seconds a new connection has to send its first request head before it is dropped
    /// (against slowloris clients dripping headers). For a WebSocket this is the opening
    /// handshake's timeout: the upgrade request must be complete in time; after the 101, a
    /// client that stays silent meets --idle-timeout.
    #[arg(long, visible_alias = "handshake-timeout", default_value_t = DEFAULT_HEADER_READ_TIMEOUT.as_secs_f64(), value_parser = parse_seconds)]
    pub header_read_timeout: f64,

    /// Seconds of silence from a WebSocket client before the server pings it; silent as long
    /// again, it is closed with 1001. 0 never times out.
    #[arg(long, default_value_t = DEFAULT_IDLE_TIMEOUT.as_secs_f64(), value_parser = parse_seconds)]
    pub idle_timeout: f64,

    /// Seconds the server's writes may stay stuck because the client reads nothing (its receive
    /// window is full) before the connection is dropped; echoes wait in a bounded buffer
    /// meanwhile, never in a growing queue. Linux only (TCP_USER_TIMEOUT). 0 leaves the
    /// system's default.
    #[arg(long, default_value_t = DEFAULT_WRITE_TIMEOUT.as_secs_f64(), value_parser = parse_seconds)]
    pub write_timeout: f64,

    /// Let both sides keep their deflate context between messages: better compression of
    /// similar messages, but about 300 KiB per connection that has sent one, for as long as it
    /// stays open. Off answers with server_no_context_takeover and client_no_context_takeover.
    #[arg(long, value_enum, default_value_t = Switch::Off)]
    pub deflate_context_takeover: Switch,

    /// Start none of the built-in peers (echo, smtp, pop3, ftp), which otherwise listen on
    /// 127.0.0.1 only and are listed in /api/info under "peers".
    #[arg(long, help_heading = "Built-in peers")]
    pub no_peers: bool,

    /// Port of the echo peer (RFC 862), the same number over TCP and UDP; 0 picks a free port.
    #[arg(long, default_value_t = 0, help_heading = "Built-in peers")]
    pub echo_port: u16,

    /// Port of the SMTP peer; 0 picks a free port.
    #[arg(long, default_value_t = 0, help_heading = "Built-in peers")]
    pub smtp_port: u16,

    /// Port of the POP3 peer; 0 picks a free port.
    #[arg(long, default_value_t = 0, help_heading = "Built-in peers")]
    pub pop3_port: u16,

    /// Port of the FTP peer's control connection; 0 picks a free port.
    #[arg(long, default_value_t = 0, help_heading = "Built-in peers")]
    pub ftp_port: u16,

    /// Seconds a connection to a built-in peer may stay silent before the peer closes it (more
    /// than 0).
    #[arg(long, default_value_t = DEFAULT_PEER_IDLE_TIMEOUT.as_secs_f64(), value_parser = parse_positive_seconds, help_heading = "Built-in peers")]
    pub peer_idle_timeout: f64,

    /// Most messages the SMTP peer's mailbox keeps (in memory); the oldest is dropped, and
    /// counted in /api/mailbox, to make room for a new one.
    #[arg(long, default_value_t = DEFAULT_MAILBOX_CAPACITY, value_parser = parse_limit, help_heading = "Built-in peers")]
    pub mailbox_capacity: usize,

    /// Largest message in bytes the SMTP peer accepts; a larger one is answered 552.
    #[arg(long, default_value_t = DEFAULT_MAX_MAIL_BYTES, value_parser = parse_limit, help_heading = "Built-in peers")]
    pub max_mail_bytes: usize,

    /// Largest file in bytes one upload to the FTP peer may make; past it the upload gets 552
    /// and is removed. The folder holds at most 16 times as much in all (452 past it).
    #[arg(long, default_value_t = DEFAULT_FTP_MAX_UPLOAD_BYTES, value_parser = parse_byte_limit, help_heading = "Built-in peers")]
    pub ftp_max_upload_bytes: u64,

    /// Ports the FTP peer's passive data connections listen on (127.0.0.1 only), as FIRST-LAST.
    #[arg(long, default_value = "49152-65535", value_parser = parse_port_range, help_heading = "Built-in peers")]
    pub ftp_passive_ports: RangeInclusive<u16>,

    /// A HOST:PORT (an IPv6 address in brackets) the bridge (/ws/tcp, /ws/udp) may connect to
    /// beside the built-in peers; repeat for more. Nothing else is reachable: a target is
    /// resolved and must resolve to an address this entry resolves to, and the bridge connects
    /// to that address.
    #[arg(long = "allow-connect", value_name = "HOST:PORT", value_parser = parse_host_port, help_heading = "Bridge")]
    pub allow_connect: Vec<String>,

    /// Most sessions kept as captures (each /ws/inspect session and each bridge, downloadable as
    /// /api/captures/{id}.pcap); the oldest is dropped for a new one. 0 turns capturing off.
    #[arg(long, default_value_t = DEFAULT_CAPTURE_SESSIONS, help_heading = "Captures")]
    pub capture_sessions: usize,

    /// Bytes one session's capture may hold (payloads, and 64 per event); past it the capture
    /// ends there.
    #[arg(long, default_value_t = DEFAULT_CAPTURE_SESSION_BYTES, value_parser = parse_limit, help_heading = "Captures")]
    pub capture_session_bytes: usize,

    /// Bytes all captures together may hold; the oldest sessions are dropped to make room (raised
    /// to --capture-session-bytes if lower).
    #[arg(long, default_value_t = DEFAULT_CAPTURE_TOTAL_BYTES, value_parser = parse_limit, help_heading = "Captures")]
    pub capture_total_bytes: usize,

    /// Most bridges open at once; one more gets 503 (with Retry-After) before the upgrade.
    #[arg(long, default_value_t = DEFAULT_MAX_BRIDGES, value_parser = parse_limit, help_heading = "Bridge")]
    pub max_bridges: usize,

    /// Bytes one bridge may carry, both ways together; then it ends with a "closed" event
    /// (reason byte_limit).
    #[arg(long, default_value_t = DEFAULT_BRIDGE_MAX_BYTES, value_parser = parse_byte_limit, help_heading = "Bridge")]
    pub bridge_max_bytes: u64,

    /// Seconds a bridge may carry nothing either way before it ends with a "timeout" event.
    #[arg(long, default_value_t = DEFAULT_BRIDGE_IDLE_TIMEOUT.as_secs_f64(), value_parser = parse_positive_seconds, help_heading = "Bridge")]
    pub bridge_idle_timeout: f64,

    /// Seconds a TCP peer has to accept the bridge's connection before it ends with a "timeout" event.
    #[arg(long, default_value_t = DEFAULT_BRIDGE_CONNECT_TIMEOUT.as_secs_f64(), value_parser = parse_positive_seconds, help_heading = "Bridge")]
    pub bridge_connect_timeout: f64,

    /// Most simulated devices one /ws/telemetry stream may ask for; more get 400.
    #[arg(long, default_value_t = DEFAULT_TELEMETRY_MAX_DEVICES, value_parser = parse_limit, help_heading = "Telemetry")]
    pub telemetry_max_devices: usize,

    /// Most readings per second per device a /ws/telemetry stream may ask for (on opening or
    /// later); more get 400 (or an error status on the open stream).
    #[arg(long, default_value_t = DEFAULT_TELEMETRY_MAX_RATE_HZ, value_parser = parse_rate, help_heading = "Telemetry")]
    pub telemetry_max_rate: f64,

    /// Most readings per second of one /ws/telemetry stream, all its devices together.
    #[arg(long, default_value_t = DEFAULT_TELEMETRY_MAX_TOTAL_RATE, value_parser = parse_rate, help_heading = "Telemetry")]
    pub telemetry_max_total_rate: f64,

    /// Readings that may wait for a /ws/telemetry client that reads slowly; those that do not fit
    /// are dropped and counted in the stream's status (never buffered without bound).
    #[arg(long, default_value_t = DEFAULT_TELEMETRY_QUEUE, value_parser = parse_limit, help_heading = "Telemetry")]
    pub telemetry_queue: usize,

    /// Start no MQTT broker: no loopback MQTT port, no /mqtt, no simulated devices ("mqtt" is
    /// null in /api/info).
    #[arg(long, help_heading = "MQTT")]
    pub no_mqtt: bool,

    /// Port of the MQTT broker (MQTT 3.1.1 and 5, on 127.0.0.1 only); 0 picks a free port.
    /// MQTT over WebSocket is at /mqtt on the HTTP port(s).
    #[arg(long, default_value_t = 0, help_heading = "MQTT")]
    pub mqtt_port: u16,

    /// Simulated devices publishing readings to the broker, each on its own connection
    /// (wirelab/devices/<id>/telemetry, retained status, a will); 0 for none.
    #[arg(long, default_value_t = DEFAULT_MQTT_DEVICES, value_parser = parse_device_count, help_heading = "MQTT")]
    pub mqtt_devices: usize,

    /// Readings per second of each simulated device (more than 0, at most 100).
    #[arg(long, default_value_t = DEFAULT_MQTT_DEVICE_RATE_HZ, value_parser = parse_device_rate, help_heading = "MQTT")]
    pub mqtt_device_rate: f64,

    /// Most MQTT connections at once, over the port and /mqtt together.
    #[arg(long, default_value_t = DEFAULT_MQTT_MAX_CONNECTIONS, value_parser = parse_limit, help_heading = "MQTT")]
    pub mqtt_max_connections: usize,

    /// Serve Prometheus metrics at /metrics on this port (on --metrics-host), apart from the app's
    /// ports; 0 picks a free port and the start-up lines say which. Off unless given.
    #[arg(long, help_heading = "Operations")]
    pub metrics_port: Option<u16>,

    /// Address the metrics port listens on. Loopback by default: the metrics are operational
    /// data, not for the learners the app's ports serve.
    #[arg(long, default_value = "127.0.0.1", help_heading = "Operations")]
    pub metrics_host: String,

    /// How the log (on stderr) is written: text for people, json for a log collector (one
    /// object per line).
    #[arg(long, value_enum, default_value_t = LogFormat::Text, help_heading = "Operations")]
    pub log_format: LogFormat,

    /// Seconds between SIGTERM and the shutdown: /readyz answers 503 at once, so a balancer
    /// stops sending new connections, while everything open keeps working; then WebSockets get
    /// their 1001. SIGINT (Ctrl-C) shuts down at once.
    #[arg(long, default_value_t = 0.0, value_parser = parse_seconds, help_heading = "Operations")]
    pub drain_delay: f64,

    /// A proxy in front of this server (an address, or a network such as 10.0.0.0/8); repeat for
    /// more. A request from one has its client read from X-Forwarded-For (the first address
    /// from the right that is not a trusted proxy) and its scheme from X-Forwarded-Proto, for
    /// /ip, the echoes' origin and url. From anyone else those headers are not believed.
    #[arg(long = "trusted-proxy", value_name = "NETWORK", value_parser = TrustedProxies::parse_network, help_heading = "Operations")]
    pub trusted_proxies: Vec<IpNet>,
}

impl Cli {
    /// The app configuration these arguments describe.
    pub fn config(&self) -> Config {
        Config {
            static_dir: self.static_dir.clone(),
            max_message_bytes: self.max_message_bytes,
            max_body_bytes: self.max_body_bytes,
            // `parse_seconds` only lets through values this conversion accepts.
            max_delay: Duration::try_from_secs_f64(self.max_delay).unwrap_or(DEFAULT_MAX_DELAY),
            deflate: DeflateConfig {
                enabled: self.permessage_deflate.is_on(),
                window_bits: self.deflate_window_bits,
                context_takeover: self.deflate_context_takeover.is_on(),
            },
            max_connections: self.max_connections,
            origins: if self.allow_origins.iter().any(|origin| origin == "*") {
                OriginPolicy::Any
            } else {
                OriginPolicy::Listed(self.allow_origins.clone())
            },
            idle_timeout: Duration::try_from_secs_f64(self.idle_timeout).ok().filter(|timeout| !timeout.is_zero()),
            write_timeout: Duration::try_from_secs_f64(self.write_timeout).ok().filter(|timeout| !timeout.is_zero()),
            header_read_timeout: Duration::try_from_secs_f64(self.header_read_timeout)
                .unwrap_or(DEFAULT_HEADER_READ_TIMEOUT),
            peers: self.peers_config(),
            bridge: self.bridge_config(),
            telemetry: self.telemetry_config(),
            mqtt: self.mqtt_config(),
            capture: CaptureConfig {
                max_sessions: self.capture_sessions,
                max_session_bytes: self.capture_session_bytes,
                max_total_bytes: self.capture_total_bytes,
            },
            trusted_proxies: TrustedProxies::new(self.trusted_proxies.clone()),
            ..Config::default()
        }
    }
}

impl Cli {
    /// The wait between SIGTERM and the shutdown (`--drain-delay`).
    pub fn drain_delay(&self) -> Duration {
        // `parse_seconds` only lets through values this conversion accepts.
        Duration::try_from_secs_f64(self.drain_delay).unwrap_or_default()
    }
}

impl Cli {
    /// Where the TLS port's certificate comes from (used only with --tls-port).
    pub fn certificate_source(&self) -> CertificateSource {
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => CertificateSource::Files { cert: cert.clone(), key: key.clone() },
            _ => CertificateSource::Generated { data_dir: self.data_dir.clone().unwrap_or_else(default_data_dir) },
        }
    }
}

impl Cli {
    fn peers_config(&self) -> PeersConfig {
        PeersConfig {
            enabled: !self.no_peers,
            ports: PeerPorts { echo: self.echo_port, smtp: self.smtp_port, pop3: self.pop3_port, ftp: self.ftp_port },
            // `parse_positive_seconds` only lets through values this conversion accepts.
            idle_timeout: Duration::try_from_secs_f64(self.peer_idle_timeout).unwrap_or(DEFAULT_PEER_IDLE_TIMEOUT),
            mailbox_capacity: self.mailbox_capacity,
            max_mail_bytes: self.max_mail_bytes,
            ftp_max_upload_bytes: self.ftp_max_upload_bytes,
            ftp_passive_ports: self.ftp_passive_ports.clone(),
        }
    }
}

impl Cli {
    fn bridge_config(&self) -> BridgeConfig {
        // `parse_positive_seconds` only lets through values these conversions accept.
        let seconds = |seconds: f64, default: Duration| Duration::try_from_secs_f64(seconds).unwrap_or(default);
        BridgeConfig {
            allow_connect: self.allow_connect.clone(),
            max_bridges: self.max_bridges,
            max_bytes: self.bridge_max_bytes,
            idle_timeout: seconds(self.bridge_idle_timeout, DEFAULT_BRIDGE_IDLE_TIMEOUT),
            connect_timeout: seconds(self.bridge_connect_timeout, DEFAULT_BRIDGE_CONNECT_TIMEOUT),
        }
    }
}

impl Cli {
    fn mqtt_config(&self) -> MqttConfig {
        MqttConfig {
            enabled: !self.no_mqtt,
            port: self.mqtt_port,
            devices: self.mqtt_devices,
            device_rate_hz: self.mqtt_device_rate,
            max_connections: self.mqtt_max_connections,
        }
    }
}

fn parse_device_count(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(count) if count <= MAX_MQTT_DEVICES => Ok(count),
        Ok(_) => Err(format!("must be at most {MAX_MQTT_DEVICES}")),
        Err(error) => Err(error.to_string()),
    }
}

fn parse_device_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate > 0.0 && rate <= MAX_MQTT_DEVICE_RATE_HZ => Ok(rate),
        Ok(_) => Err(format!("must be more than 0 and at most {MAX_MQTT_DEVICE_RATE_HZ} readings per second")),
        Err(error) => Err(error.to_string()),
    }
}

impl Cli {
    fn telemetry_config(&self) -> TelemetryConfig {
        TelemetryConfig {
            max_devices: self.telemetry_max_devices,
            max_rate_hz: self.telemetry_max_rate,
            max_total_rate: self.telemetry_max_total_rate,
            queue: self.telemetry_queue,
        }
    }
}

/// Readings per second: a finite number, at least the slowest rate a stream may ask for.
fn parse_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate >= MIN_RATE_HZ => Ok(rate),
        Ok(_) => Err(format!("must be a number of readings per second, at least {MIN_RATE_HZ}")),
        Err(error) => Err(error.to_string()),
    }
}

fn parse_host_port(text: &str) -> Result<String, String> {
    match host_and_port(text) {
        Some(_) => Ok(text.to_owned()),
        None => Err("must be HOST:PORT, with a port from 1 to 65535 (an IPv6 address in brackets: [::1]:7)".to_owned()),
    }
}

fn parse_byte_limit(text: &str) -> Result<u64, String> {
    parse_limit(text).map(|limit| limit as u64)
}

fn parse_limit(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_owned()),
        Ok(limit) => Ok(limit),
        Err(error) => Err(error.to_string()),
    }
}

/// `FIRST-LAST`, 1 to 65535, FIRST not above LAST.
fn parse_port_range(text: &str) -> Result<RangeInclusive<u16>, String> {
    let ports =
        text.split_once('-').and_then(|(first, last)| Some((first.parse::<u16>().ok()?, last.parse::<u16>().ok()?)));
    match ports {
        Some((first, last)) if first >= 1 && first <= last => Ok(first..=last),
        _ => Err("must be FIRST-LAST, two ports from 1 to 65535, FIRST not above LAST (e.g. 50000-50099)".to_owned()),
    }
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if Duration::try_from_secs_f64(seconds).is_ok() => Ok(seconds),
        Ok(_) => Err("must be a number of seconds, 0 or more".to_owned()),
        Err(error) => Err(error.to_string()),
    }
}

fn parse_positive_seconds(text: &str) -> Result<f64, String> {
    match parse_seconds(text)? {
        0.0 => Err("must be more than 0 seconds".to_owned()),
        seconds => Ok(seconds),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn command_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn defaults_match_the_documented_ones() {
        let cli = Cli::try_parse_from(["wirelab-server"]).unwrap();
        assert_eq!(cli.host, "127.0.0.1");
        assert_eq!(cli.port, 8080);
        assert_eq!(cli.static_dir, PathBuf::from("dist"));
        assert_eq!(cli.max_message_bytes, 16_777_216);
        assert_eq!(cli.max_body_bytes, 16_777_216);
        assert_eq!(cli.max_delay, 10.0);
        let config = cli.config();
        assert_eq!((config.max_body_bytes, config.max_delay), (16_777_216, Duration::from_secs(10)));
        assert_eq!(config.deflate, DeflateConfig { enabled: true, window_bits: 15, context_takeover: false });
        assert_eq!(config.max_connections, 10_000);
        assert_eq!(config.origins, OriginPolicy::Listed(Vec::new()));
        assert_eq!(config.header_read_timeout, Duration::from_secs(10));
        assert_eq!(config.idle_timeout, Some(Duration::from_secs(60)));
        assert_eq!(config.write_timeout, Some(Duration::from_secs(30)));
        let alias = Cli::try_parse_from(["wirelab-server", "--handshake-timeout", "2.5"]);
        assert_eq!(alias.map(|cli| cli.config().header_read_timeout).ok(), Some(Duration::from_millis(2500)));
        let never = Cli::try_parse_from(["wirelab-server", "--idle-timeout", "0"]);
        assert_eq!(never.map(|cli| cli.config().idle_timeout).ok(), Some(None));
        let open =
            Cli::try_parse_from(["wirelab-server", "--allow-origin", "https://a.example", "--allow-origin", "*"]);
        assert_eq!(open.map(|cli| cli.config().origins).ok(), Some(OriginPolicy::Any));
        assert!(config.trusted_proxies.is_empty(), "no proxy is trusted by default");
        let proxies =
            Cli::try_parse_from(["wirelab-server", "--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "::1"])
                .map(|cli| cli.config().trusted_proxies);
        let expected = ["10.0.0.0/8", "::1"].map(|text| TrustedProxies::parse_network(text).ok());
        assert_eq!(proxies.ok(), Some(TrustedProxies::new(expected.into_iter().flatten().collect())));
        let wrong = Cli::try_parse_from(["wirelab-server", "--trusted-proxy", "nginx"]).err().map(|e| e.to_string());
        assert!(wrong.is_some_and(|error| error.contains("'nginx' is not an IP address or network")));
    }

    #[test]
    fn help_describes_every_option_with_its_default() {
        let help = Cli::command().render_long_help().to_string();
        for needle in [
            "--host <HOST>",
            "[default: 127.0.0.1]",
            "--port <PORT>",
            "[default: 8080]",
            "--static-dir <STATIC_DIR>",
            "[default: dist]",
            "--max-message-bytes <MAX_MESSAGE_BYTES>",
            "[default: 16777216]",
            "--max-body-bytes <MAX_BODY_BYTES>",
            "--max-delay <MAX_DELAY>",
            "[default: 10]",
            "--permessage-deflate <PERMESSAGE_DEFLATE>",
            "[default: on]",
            "--deflate-window-bits <DEFLATE_WINDOW_BITS>",
            "[default: 15]",
            "--deflate-context-takeover <DEFLATE_CONTEXT_TAKEOVER>",
            "[default: off]",
            "--max-connections <MAX_CONNECTIONS>",
            "[default: 10000]",
            "--allow-origin <ORIGIN>",
            "--header-read-timeout <HEADER_READ_TIMEOUT>",
            "--idle-timeout <IDLE_TIMEOUT>",
            "[default: 60]",
            "Built-in peers:",
            "--no-peers",
            "--echo-port <ECHO_PORT>",
            "--smtp-port <SMTP_PORT>",
            "--pop3-port <POP3_PORT>",
            "--ftp-port <FTP_PORT>",
            "[default: 0]",
            "--peer-idle-timeout <PEER_IDLE_TIMEOUT>",
            "[default: 300]",
            "--mailbox-capacity <MAILBOX_CAPACITY>",
            "[default: 100]",
            "--max-mail-bytes <MAX_MAIL_BYTES>",
            "[default: 1048576]",
            "--ftp-max-upload-bytes <FTP_MAX_UPLOAD_BYTES>",
            "--ftp-passive-ports <FTP_PASSIVE_PORTS>",
            "[default: 49152-65535]",
            "Captures:",
            "--capture-sessions <CAPTURE_SESSIONS>",
            "--capture-session-bytes <CAPTURE_SESSION_BYTES>",
            "[default: 4194304]",
            "--capture-total-bytes <CAPTURE_TOTAL_BYTES>",
            "[default: 67108864]",
            "Bridge:",
            "--allow-connect <HOST:PORT>",
            "--max-bridges <MAX_BRIDGES>",
            "[default: 64]",
            "--bridge-max-bytes <BRIDGE_MAX_BYTES>",
            "[default: 67108864]",
            "--bridge-idle-timeout <BRIDGE_IDLE_TIMEOUT>",
            "--bridge-connect-timeout <BRIDGE_CONNECT_TIMEOUT>",
            "[default: 10]",
            "MQTT:",
            "--no-mqtt",
            "--mqtt-port <MQTT_PORT>",
            "--mqtt-devices <MQTT_DEVICES>",
            "[default: 2]",
            "--mqtt-device-rate <MQTT_DEVICE_RATE>",
            "--mqtt-max-connections <MQTT_MAX_CONNECTIONS>",
            "[default: 1000]",
            "TLS:",
            "--tls-port <TLS_PORT>",
            "--tls-cert <TLS_CERT>",
            "--tls-key <TLS_KEY>",
            "--data-dir <DATA_DIR>",
            "~/.local/share/wirelab",
        ] {
            assert!(help.contains(needle), "{needle} missing from:\n{help}");
        }
    }

    #[test]
    fn telemetry_flags_are_checked_and_reach_the_config() {
        let defaults = Cli::try_parse_from(["wirelab-server"]).map(|cli| cli.config().telemetry).ok();
        assert_eq!(defaults, Some(TelemetryConfig::default()));
        let given = [
            "wirelab-server",
            "--telemetry-max-devices",
            "8",
            "--telemetry-max-rate",
            "50.5",
            "--telemetry-max-total-rate",
            "200",
            "--telemetry-queue",
            "16",
        ];
        let expected = TelemetryConfig { max_devices: 8, max_rate_hz: 50.5, max_total_rate: 200.0, queue: 16 };
        assert_eq!(Cli::try_parse_from(given).map(|cli| cli.config().telemetry).ok(), Some(expected));
        let refused = [
            ["--telemetry-max-devices", "0"],
            ["--telemetry-max-rate", "0"],
            ["--telemetry-max-rate", "inf"],
            ["--telemetry-max-total-rate", "-5"],
            ["--telemetry-queue", "0"],
        ];
        for [flag, value] in refused {
            assert!(Cli::try_parse_from(["wirelab-server", flag, value]).is_err(), "{flag} {value}");
        }
    }

    #[test]
    fn rejects_a_zero_or_malformed_limit() {
        for bad in ["0", "-1", "lots"] {
            assert!(Cli::try_parse_from(["wirelab-server", "--max-message-bytes", bad]).is_err());
        }
        let cli = Cli::try_parse_from(["wirelab-server", "--port", "0", "--max-message-bytes", "10"]).unwrap();
        assert_eq!((cli.port, cli.config().max_message_bytes), (0, 10));
    }

    #[test]
    fn body_limit_and_delay_cap_are_checked_and_reach_the_config() {
        for (flag, bad) in
            [("--max-body-bytes", "0"), ("--max-body-bytes", "-5"), ("--max-delay", "-1"), ("--max-delay", "NaN")]
        {
            assert!(Cli::try_parse_from(["wirelab-server", flag, bad]).is_err(), "{flag} {bad}");
        }
        let cli = Cli::try_parse_from(["wirelab-server", "--max-body-bytes", "100", "--max-delay", "2.5"]).unwrap();
        let config = cli.config();
        assert_eq!((config.max_body_bytes, config.max_delay), (100, Duration::from_millis(2500)));
    }

    #[test]
    fn peer_flags_are_checked_and_reach_the_config() {
        for (flag, bad) in [
            ("--echo-port", "65536"),
            ("--smtp-port", "-1"),
            ("--peer-idle-timeout", "soon"),
            ("--peer-idle-timeout", "0"),
            ("--mailbox-capacity", "0"),
            ("--max-mail-bytes", "0"),
            ("--ftp-max-upload-bytes", "0"),
            ("--ftp-passive-ports", "50000"),
            ("--ftp-passive-ports", "0-10"),
            ("--ftp-passive-ports", "60000-50000"),
            ("--ftp-passive-ports", "1-65536"),
        ] {
            assert!(Cli::try_parse_from(["wirelab-server", flag, bad]).is_err(), "{flag} {bad}");
        }
        let cases = [
            (vec![], PeersConfig::default()),
            (vec!["--no-peers"], PeersConfig { enabled: false, ..PeersConfig::default() }),
            (
                vec!["--echo-port", "7007", "--smtp-port", "2525", "--pop3-port", "1110", "--ftp-port", "2121"],
                PeersConfig {
                    ports: PeerPorts { echo: 7007, smtp: 2525, pop3: 1110, ftp: 2121 },
                    ..PeersConfig::default()
                },
            ),
            (
                vec!["--peer-idle-timeout", "1.5"],
                PeersConfig { idle_timeout: Duration::from_millis(1500), ..PeersConfig::default() },
            ),
            (
                vec!["--mailbox-capacity", "3", "--max-mail-bytes", "2000"],
                PeersConfig { mailbox_capacity: 3, max_mail_bytes: 2000, ..PeersConfig::default() },
            ),
            (
                vec!["--ftp-max-upload-bytes", "4096", "--ftp-passive-ports", "50000-50009"],
                PeersConfig { ftp_max_upload_bytes: 4096, ftp_passive_ports: 50000..=50009, ..PeersConfig::default() },
            ),
        ];
        for (args, expected) in cases {
            let cli = Cli::try_parse_from(std::iter::once("wirelab-server").chain(args.iter().copied())).unwrap();
            assert_eq!(cli.config().peers, expected, "{args:?}");
        }
    }

    #[test]
    fn deflate_flags_are_checked_and_reach_the_config() {
        for (flag, bad) in [
            ("--permessage-deflate", "yes"),
            ("--deflate-window-bits", "8"),
            ("--deflate-window-bits", "16"),
            ("--deflate-context-takeover", "maybe"),
        ] {
            assert!(Cli::try_parse_from(["wirelab-server", flag, bad]).is_err(), "{flag} {bad}");
        }
        let cases = [
            (vec!["--permessage-deflate", "off"], DeflateConfig { enabled: false, ..DeflateConfig::default() }),
            (vec!["--deflate-window-bits", "9"], DeflateConfig { window_bits: 9, ..DeflateConfig::default() }),
            (
                vec!["--deflate-context-takeover", "on"],
                DeflateConfig { context_takeover: true, ..DeflateConfig::default() },
            ),
        ];
        for (args, expected) in cases {
            let cli = Cli::try_parse_from(std::iter::once("wirelab-server").chain(args.iter().copied())).unwrap();
            assert_eq!(cli.config().deflate, expected, "{args:?}");
        }
    }

    #[test]
    fn tls_flags_choose_the_certificate() {
        let generated_in = |folder: &str| CertificateSource::Generated { data_dir: PathBuf::from(folder) };
        let cases: Vec<(Vec<&str>, Option<CertificateSource>)> = vec![
            (vec!["--tls-port", "8443", "--data-dir", "/d"], Some(generated_in("/d"))),
            (
                vec!["--tls-cert", "c.pem", "--tls-key", "k.pem", "--data-dir", "/d"],
                Some(CertificateSource::Files { cert: "c.pem".into(), key: "k.pem".into() }),
            ),
            (vec!["--tls-cert", "c.pem"], None),
            (vec!["--tls-key", "k.pem"], None),
            (vec!["--tls-port", "https"], None),
        ];
        for (args, expected) in cases {
            let cli = Cli::try_parse_from(std::iter::once("wirelab-server").chain(args.iter().copied()));
            assert_eq!(cli.map(|cli| cli.certificate_source()).ok(), expected, "{args:?}");
        }
    }

    #[test]
    fn mqtt_flags_are_checked_and_reach_the_config() {
        for (flag, bad) in [
            ("--mqtt-port", "65536"),
            ("--mqtt-devices", "101"),
            ("--mqtt-devices", "-1"),
            ("--mqtt-device-rate", "0"),
            ("--mqtt-device-rate", "101"),
            ("--mqtt-device-rate", "NaN"),
            ("--mqtt-max-connections", "0"),
        ] {
            assert!(Cli::try_parse_from(["wirelab-server", flag, bad]).is_err(), "{flag} {bad}");
        }
        let cases = [
            (vec![], MqttConfig::default()),
            (vec!["--no-mqtt"], MqttConfig { enabled: false, ..MqttConfig::default() }),
            (
                vec!["--mqtt-port", "1883", "--mqtt-devices", "0", "--mqtt-device-rate", "2.5"],
                MqttConfig { port: 1883, devices: 0, device_rate_hz: 2.5, ..MqttConfig::default() },
            ),
            (vec!["--mqtt-max-connections", "5"], MqttConfig { max_connections: 5, ..MqttConfig::default() }),
        ];
        for (args, expected) in cases {
            let cli = Cli::try_parse_from(std::iter::once("wirelab-server").chain(args.iter().copied()));
            assert_eq!(cli.map(|cli| cli.config().mqtt).ok(), Some(expected), "{args:?}");
        }
    }

    #[test]
    fn bridge_flags_are_checked_and_reach_the_config() {
        for (flag, bad) in [
            ("--allow-connect", "localhost"),
            ("--allow-connect", "localhost:0"),
            ("--allow-connect", "::1:25"),
            ("--max-bridges", "0"),
            ("--bridge-max-bytes", "0"),
            ("--bridge-idle-timeout", "0"),
            ("--bridge-connect-timeout", "-1"),
        ] {
            assert!(Cli::try_parse_from(["wirelab-server", flag, bad]).is_err(), "{flag} {bad}");
        }
        let cases = [
            (vec![], BridgeConfig::default()),
            (
                vec!["--allow-connect", "localhost:9000", "--allow-connect", "[::1]:25"],
                BridgeConfig {
                    allow_connect: vec!["localhost:9000".into(), "[::1]:25".into()],
                    ..BridgeConfig::default()
                },
            ),
            (
                vec!["--max-bridges", "2", "--bridge-max-bytes", "1000"],
                BridgeConfig { max_bridges: 2, max_bytes: 1000, ..BridgeConfig::default() },
            ),
            (
                vec!["--bridge-idle-timeout", "1.5", "--bridge-connect-timeout", "0.25"],
                BridgeConfig {
                    idle_timeout: Duration::from_millis(1500),
                    connect_timeout: Duration::from_millis(250),
                    ..BridgeConfig::default()
                },
            ),
        ];
        for (args, expected) in cases {
            let cli = Cli::try_parse_from(std::iter::once("wirelab-server").chain(args.iter().copied()));
            assert_eq!(cli.map(|cli| cli.config().bridge).ok(), Some(expected), "{args:?}");
        }
    }
}
