//! nginx configurations for runs on loopback, made from `deploy/nginx.conf` so the tested recipe
//! is the shipped one: `render` points its listen port and upstream servers elsewhere (and marks
//! servers `down`, as a /readyz-polling agent does before `nginx -s reload`), and `main_conf`
//! writes the top-level nginx.conf around it with every file nginx writes inside one prefix.
//! Pure and std-only: used by `cargo xtask scale-test` and by crates/server/tests/deploy.rs
//! (through `#[path]`).

#![allow(dead_code)] // Each user (xtask, the deploy test) calls a different subset.

use std::path::Path;

/// The comment line after which the template's `listen` line follows.
pub const LISTEN_MARKER: &str = "# wirelab:listen";
/// The comment lines around the template's upstream `server` lines.
pub const SERVERS_BEGIN: &str = "# wirelab:servers begin";
pub const SERVERS_END: &str = "# wirelab:servers end";

/// One wirelab-server on loopback, as an upstream server line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Upstream {
    pub port: u16,
    /// Written with nginx's `down` parameter: no new requests go to it.
    pub down: bool,
}

/// `template` (deploy/nginx.conf) with its listen port set to `listen_port` and its upstream
/// server lines replaced by one `server 127.0.0.1:PORT ...;` line per entry of `upstreams`, each
/// with the template's first server line's parameters (without its `down`, if any), plus `down`
/// where asked. An error when the template lost a marker or its server lines, or `upstreams` is
/// empty (nginx refuses an upstream block without servers).
pub fn render(template: &str, listen_port: u16, upstreams: &[Upstream]) -> Result<String, String> {
    if upstreams.is_empty() {
        return Err("no upstream servers to write".to_owned());
    }
    for marker in [LISTEN_MARKER, SERVERS_BEGIN, SERVERS_END] {
        let count = template.lines().filter(|line| line.trim_start().starts_with(marker)).count();
        if count != 1 {
            return Err(format!("the template has {count} lines starting with `{marker}` (needs exactly one)"));
        }
    }
    let mut output = String::with_capacity(template.len() + 64 * upstreams.len());
    let mut lines = template.lines();
    let mut in_servers = false;
    let mut servers_written = false;
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        if trimmed.starts_with(LISTEN_MARKER) {
            push_line(&mut output, line);
            let listen = lines.next().unwrap_or_default();
            if !listen.trim_start().starts_with("listen ") {
                return Err(format!("the line after `{LISTEN_MARKER}` is not a listen directive: `{listen}`"));
            }
            let listen_indent = &listen[..listen.len() - listen.trim_start().len()];
            push_line(&mut output, &format!("{listen_indent}listen {listen_port};"));
        } else if trimmed.starts_with(SERVERS_BEGIN) {
            in_servers = true;
            push_line(&mut output, line);
        } else if trimmed.starts_with(SERVERS_END) {
            if !in_servers {
                return Err(format!("`{SERVERS_END}` comes before `{SERVERS_BEGIN}`"));
            }
            if !servers_written {
                return Err("no `server ...;` line between the servers markers".to_owned());
            }
            in_servers = false;
            push_line(&mut output, line);
        } else if in_servers && trimmed.starts_with("server ") {
            if !servers_written {
                let parameters = server_parameters(trimmed)?;
                for upstream in upstreams {
                    let down = if upstream.down { " down" } else { "" };
                    push_line(&mut output, &format!("{indent}server 127.0.0.1:{}{parameters}{down};", upstream.port));
                }
                servers_written = true;
            }
        } else {
            push_line(&mut output, line);
        }
    }
    Ok(output)
}

/// The parameters after the address of a `server ADDRESS PARAMETERS;` line, with a leading space
/// (empty when there are none), without `down`.
fn server_parameters(line: &str) -> Result<String, String> {
    let directive = line.split('#').next().unwrap_or_default().trim();
    let Some(body) = directive.strip_suffix(';') else {
        return Err(format!("the server line does not end with `;`: `{line}`"));
    };
    let mut words = body.split_whitespace().skip(1); // "server"
    if words.next().is_none() {
        return Err(format!("the server line has no address: `{line}`"));
    }
    Ok(words.filter(|word| *word != "down").map(|word| format!(" {word}")).collect())
}

fn push_line(output: &mut String, line: &str) {
    output.push_str(line);
    output.push('\n');
}

/// A whole nginx.conf for a run on loopback: in the foreground (`daemon off`), `workers` worker
/// processes, the pid file, error log and every temporary folder inside `prefix`, no access log,
/// and `site_conf` (a rendered deploy/nginx.conf) included in `http { }`. Needs no mime.types:
/// nginx only proxies here. Run it with `nginx -p PREFIX -e PREFIX/error.log -c THIS_FILE` (`-e`
/// keeps nginx from first opening the system's error log). When nginx starts as root, its workers
/// run as `nobody`, so `prefix` must be readable and searchable by others (mode 0755).
pub fn main_conf(prefix: &Path, site_conf: &Path, workers: u32) -> String {
    let inside = |name: &str| quoted(&prefix.join(name));
    let workers = workers.max(1);
    format!(
        "# nginx.conf for a wirelab run on loopback (xtask/src/nginx_conf.rs: main_conf).\n\
         daemon off;\n\
         worker_processes {workers};\n\
         pid {pid};\n\
         error_log {error_log} warn;\n\
         \n\
         events {{\n    worker_connections 4096;\n}}\n\
         \n\
         http {{\n\
         \x20   access_log off;\n\
         \x20   client_body_temp_path {client_body};\n\
         \x20   proxy_temp_path {proxy};\n\
         \x20   fastcgi_temp_path {fastcgi};\n\
         \x20   uwsgi_temp_path {uwsgi};\n\
         \x20   scgi_temp_path {scgi};\n\
         \x20   include {site};\n\
         }}\n",
        pid = inside("nginx.pid"),
        error_log = inside("error.log"),
        client_body = inside("client_body_temp"),
        proxy = inside("proxy_temp"),
        fastcgi = inside("fastcgi_temp"),
        uwsgi = inside("uwsgi_temp"),
        scgi = inside("scgi_temp"),
        site = quoted(site_conf),
    )
}

/// A path as an nginx string in double quotes (`"` and `\` escaped).
fn quoted(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{text}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "\
upstream wirelab {
    least_conn;
    # wirelab:servers begin
    server 127.0.0.1:8081 max_fails=1 fail_timeout=10s;
    server 127.0.0.1:8082 max_fails=1 fail_timeout=10s;
    # wirelab:servers end
    keepalive 32;
}
server {
    # wirelab:listen
    listen 8080;
}
";

    fn up(port: u16) -> Upstream {
        Upstream { port, down: false }
    }

    fn down(port: u16) -> Upstream {
        Upstream { port, down: true }
    }

    #[test]
    fn render_rewrites_the_listen_port_and_the_server_lines() {
        let cases: [(u16, &[Upstream], &[&str]); 3] = [
            (9000, &[up(9001)], &["    server 127.0.0.1:9001 max_fails=1 fail_timeout=10s;", "    listen 9000;"]),
            (
                9100,
                &[up(9101), down(9102), up(9103)],
                &[
                    "    server 127.0.0.1:9101 max_fails=1 fail_timeout=10s;",
                    "    server 127.0.0.1:9102 max_fails=1 fail_timeout=10s down;",
                    "    server 127.0.0.1:9103 max_fails=1 fail_timeout=10s;",
                    "    listen 9100;",
                ],
            ),
            (80, &[down(81)], &["    server 127.0.0.1:81 max_fails=1 fail_timeout=10s down;", "    listen 80;"]),
        ];
        for (listen, upstreams, expected_lines) in cases {
            let rendered = render(TEMPLATE, listen, upstreams).expect("renders");
            let written: Vec<&str> = rendered
                .lines()
                .filter(|line| line.trim_start().starts_with("server 127") || line.trim_start().starts_with("listen"))
                .collect();
            assert_eq!(written, expected_lines, "listen {listen}, {upstreams:?}");
            for kept in ["least_conn;", "keepalive 32;", SERVERS_BEGIN, SERVERS_END, LISTEN_MARKER] {
                assert!(rendered.contains(kept), "{kept} kept");
            }
        }
    }

    #[test]
    fn render_is_stable_when_applied_to_its_own_output() {
        let once = render(TEMPLATE, 9000, &[up(9001), down(9002)]).expect("renders");
        let twice = render(&once, 9000, &[up(9001), down(9002)]).expect("renders again");
        assert_eq!(once, twice);
        let back_up = render(&once, 9000, &[up(9001), up(9002)]).expect("renders again");
        assert!(!back_up.contains("down"), "a server marked down comes back: {back_up}");
    }

    #[test]
    fn render_refuses_a_template_that_lost_its_markers() {
        let cases: [(&str, String, &[Upstream]); 7] = [
            ("no listen marker", TEMPLATE.replace(LISTEN_MARKER, "# listen"), &[up(1)]),
            ("no begin marker", TEMPLATE.replace(SERVERS_BEGIN, "# begin"), &[up(1)]),
            ("no end marker", TEMPLATE.replace(SERVERS_END, "# end"), &[up(1)]),
            (
                "markers swapped",
                TEMPLATE.replace(SERVERS_BEGIN, "#x").replace(SERVERS_END, SERVERS_BEGIN).replace("#x", SERVERS_END),
                &[up(1)],
            ),
            ("no listen line after its marker", TEMPLATE.replace("listen 8080;", "server_name _;"), &[up(1)]),
            ("no server lines", TEMPLATE.replace("    server 127.0.0.1", "    # was "), &[up(1)]),
            ("no upstreams", TEMPLATE.to_owned(), &[]),
        ];
        for (what, template, upstreams) in cases {
            assert!(render(&template, 8080, upstreams).is_err(), "{what}: accepted");
        }
    }

    #[test]
    fn the_shipped_template_renders() {
        let template = include_str!("../../deploy/nginx.conf");
        let rendered = render(template, 18080, &[up(18081), down(18082)]).expect("deploy/nginx.conf renders");
        assert!(rendered.contains("    listen 18080;\n"));
        assert!(rendered.contains("    server 127.0.0.1:18081 max_fails=1 fail_timeout=10s;\n"));
        assert!(rendered.contains("    server 127.0.0.1:18082 max_fails=1 fail_timeout=10s down;\n"));
        assert!(!rendered.contains(":8083"));
    }

    #[test]
    fn main_conf_keeps_every_written_file_inside_the_prefix() {
        let conf = main_conf(Path::new("/tmp/run one"), Path::new("/tmp/run one/wirelab.conf"), 2);
        let expected = [
            "daemon off;",
            "worker_processes 2;",
            "pid \"/tmp/run one/nginx.pid\";",
            "error_log \"/tmp/run one/error.log\" warn;",
            "access_log off;",
            "client_body_temp_path \"/tmp/run one/client_body_temp\";",
            "proxy_temp_path \"/tmp/run one/proxy_temp\";",
            "fastcgi_temp_path \"/tmp/run one/fastcgi_temp\";",
            "uwsgi_temp_path \"/tmp/run one/uwsgi_temp\";",
            "scgi_temp_path \"/tmp/run one/scgi_temp\";",
            "include \"/tmp/run one/wirelab.conf\";",
        ];
        for line in expected {
            assert!(conf.lines().any(|written| written.trim() == line), "missing `{line}` in:\n{conf}");
        }
        assert!(main_conf(Path::new("/p"), Path::new("/p/s"), 0).contains("worker_processes 1;"));
    }
}
