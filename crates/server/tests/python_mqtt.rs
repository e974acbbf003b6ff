//! The IoT lab's MQTT "As Python" programs (`wire::mqtt::python`), generated from the tab's
//! state and run with paho-mqtt 2.x against the server's broker over /mqtt, in MQTT 3.1.1 and 5:
//! the publisher's retained QoS 2 message completes its handshake, and the subscriber, started
//! after it, receives it as retained. What the tab offers to copy must work as written.

mod support;

use std::path::PathBuf;
use std::process::{Command, Output};

use support::{TestServer, required_file, venv_python, within};
use wire::lab::LabState;
use wire::mqtt::QoS;
use wire::mqtt::Version;
use wire::mqtt::lab::{FormEdit, MqttEvent, MqttLabState, PublishEdit, PythonProgram, SubscribeEdit};
use wirelab_server::Config;

/// paho-mqtt's Python: `WIRELAB_PYTHON` (set by `cargo xtask test`), else the venv xtask makes.
/// `None` when it is missing and `WIRELAB_OPTIONAL_TOOLS=1` allows skipping.
fn python() -> Option<PathBuf> {
    required_file(venv_python("WIRELAB_PYTHON", "py-mqtt"), "paho-mqtt Python")
}

/// Runs `program` with `args`, stopped by coreutils' `timeout` after 20 s; its standard output.
async fn run_python(python: &PathBuf, program: &str, args: &[&str]) -> String {
    let mut command = Command::new("timeout");
    command.arg("20").arg(python).arg("-c").arg(program).args(args);
    let output = within("the Python program", tokio::task::spawn_blocking(move || command.output()))
        .await
        .expect("the child's task");
    let Output { status, stdout, stderr } = output.unwrap_or_else(|error| panic!("cannot run python: {error}"));
    let stdout = String::from_utf8_lossy(&stdout).into_owned();
    assert!(
        status.success(),
        "the program failed ({status}):\nstdout:\n{stdout}\nstderr:\n{}\nprogram:\n{program}",
        String::from_utf8_lossy(&stderr)
    );
    stdout
}

/// The tab as a person leaves it: connected to `url` in `version`, a QoS 2 subscription draft
/// for `filter`, a retained QoS 2 message to `topic` ready.
fn tab(url: &str, version: Version, filter: &str, topic: &str, payload: &str) -> MqttLabState {
    let mut state = MqttLabState::new("http:", "unused", 0x13);
    for event in [
        MqttEvent::Form(FormEdit::Url(url.into())),
        MqttEvent::Form(FormEdit::Version(version)),
        MqttEvent::Form(FormEdit::WillTopic(format!("{topic}/will"))),
        MqttEvent::SubscribeEdit(SubscribeEdit::Filter(filter.into())),
        MqttEvent::SubscribeEdit(SubscribeEdit::Qos(QoS::ExactlyOnce)),
        MqttEvent::PublishEdit(PublishEdit::Topic(topic.into())),
        MqttEvent::PublishEdit(PublishEdit::Payload(payload.into())),
        MqttEvent::PublishEdit(PublishEdit::Qos(QoS::ExactlyOnce)),
        MqttEvent::PublishEdit(PublishEdit::Retain(true)),
    ] {
        state.apply(event, 0.0);
    }
    state
}

#[tokio::test]
async fn the_publisher_and_subscriber_exchange_a_retained_qos_2_message_over_the_servers_broker() {
    let Some(python) = python() else { return };
    let server =
        TestServer::start(Config { static_dir: "/nonexistent/wirelab-test-dist".into(), ..Config::default() }).await;
    let url = server.url("/mqtt");
    let cases = [(Version::V311, "3.1.1"), (Version::V5, "5")];
    for (version, label) in cases {
        let filter = format!("wirelab/python-test/v{label}/+");
        let topic = format!("wirelab/python-test/v{label}/hello");
        let payload = format!("{{\"from\": \"paho\", \"version\": \"{label}\"}}");
        let state = tab(&url, version, &filter, &topic, &payload);
        let publisher = state.python(PythonProgram::Publisher).expect("a publisher");
        let published = run_python(&python, &publisher, &[]).await;
        assert_eq!(published.trim(), format!("published to {topic} (QoS 2, retain True): True"), "MQTT {label}");

        let subscriber = state.python(PythonProgram::Subscriber).expect("a subscriber");
        let received = run_python(&python, &subscriber, &["1"]).await;
        let lines: Vec<&str> = received.lines().collect();
        assert_eq!(lines.first().copied(), Some("subscribed: Granted QoS 2"), "MQTT {label}:\n{received}");
        assert!(
            lines.iter().any(|line| *line == format!("{topic} qos=2 retain=1 {payload}")),
            "MQTT {label}: the retained message did not arrive:\n{received}"
        );
    }
}
