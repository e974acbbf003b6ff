//! The MQTT tab's session as Python: a paho-mqtt 2.x subscriber and publisher that connect the
//! way the tab does (MQTT over WebSocket at the same URL, the same version, keep-alive, clean
//! session and will), each with its own client id (`…-sub`, `…-pub`: one id per connection, or
//! the broker drops the older one). Every string goes through [`python_str`], so what was typed
//! cannot break the code.

use url::Url;

use super::{QoS, Version};
use crate::codegen::python_str;

/// What the programs need, from the tab's form, subscriptions and publish draft.
#[derive(Clone, Debug, PartialEq)]
pub struct PythonSession {
    /// The broker's WebSocket URL (`ws://host:port/mqtt`).
    pub url: String,
    pub client_id: String,
    pub version: Version,
    pub keep_alive_s: u16,
    pub clean_start: bool,
    /// Topic, payload, QoS, retain.
    pub will: Option<(String, String, QoS, bool)>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub subscriptions: Vec<(String, QoS)>,
    pub publish_topic: String,
    pub publish_payload: String,
    pub publish_qos: QoS,
    pub publish_retain: bool,
}

/// Where paho connects: host, port, WebSocket path and whether over TLS.
struct Endpoint {
    host: String,
    port: u16,
    path: String,
    tls: bool,
}

fn endpoint(url: &str) -> Result<Endpoint, String> {
    let parsed = Url::parse(url.trim()).map_err(|error| format!("the broker URL is not a URL: {error}"))?;
    let tls = match parsed.scheme() {
        "ws" | "http" => false,
        "wss" | "https" => true,
        other => return Err(format!("the broker URL must start with ws:// or wss://, not {other}:")),
    };
    let host = parsed.host_str().filter(|host| !host.is_empty()).ok_or("the broker URL has no host")?;
    let port = parsed.port_or_known_default().unwrap_or(if tls { 443 } else { 80 });
    let mut path = parsed.path().to_owned();
    if let Some(query) = parsed.query() {
        path.push('?');
        path.push_str(query);
    }
    Ok(Endpoint { host: host.trim_matches(['[', ']']).to_owned(), port, path, tls })
}

fn qos_value(qos: QoS) -> u8 {
    qos.level()
}

fn py_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

/// The lines both programs share: the import, the broker and a function that builds and
/// connects the client.
fn client_setup(session: &PythonSession, endpoint: &Endpoint, role: &str) -> String {
    let protocol = match session.version {
        Version::V311 => "mqtt.MQTTv311",
        Version::V5 => "mqtt.MQTTv5",
    };
    // paho takes 3.1.1's clean session when the client is made, 5's clean start at connect.
    let (clean_session_arg, clean_start_arg) = match session.version {
        Version::V311 => (format!(",\n        clean_session={}", py_bool(session.clean_start)), String::new()),
        Version::V5 => (String::new(), format!(", clean_start={}", py_bool(session.clean_start))),
    };
    let client_id = python_str(&format!("{}-{role}", session.client_id));
    let mut out = format!(
        "HOST = {host}\nPORT = {port}\nPATH = {path}  # MQTT over WebSocket, subprotocol \"mqtt\"\n\n\n\
         def make_client(on_connect):\n    \
         client = mqtt.Client(\n        \
         mqtt.CallbackAPIVersion.VERSION2,\n        \
         client_id={client_id},\n        \
         protocol={protocol},\n        \
         transport=\"websockets\"{clean_session_arg},\n    )\n    \
         client.ws_set_options(path=PATH)\n",
        host = python_str(&endpoint.host),
        port = endpoint.port,
        path = python_str(&endpoint.path),
    );
    if endpoint.tls {
        out.push_str("    client.tls_set()\n");
    }
    if let Some((topic, payload, qos, retain)) = &session.will {
        out.push_str(&format!(
            "    client.will_set({}, {}, qos={}, retain={})\n",
            python_str(topic),
            python_str(payload),
            qos_value(*qos),
            py_bool(*retain)
        ));
    }
    if let Some(username) = &session.username {
        let password = session.password.as_deref().map_or("None".to_owned(), python_str);
        out.push_str(&format!("    client.username_pw_set({}, {password})\n", python_str(username)));
    }
    out.push_str(&format!(
        "    client.on_connect = on_connect\n    client.connect(HOST, PORT, keepalive={}{clean_start_arg})\n    return client\n",
        session.keep_alive_s
    ));
    out
}

/// A subscriber to the tab's subscriptions that prints each message; given a number on the
/// command line it stops after that many messages.
pub fn subscriber(session: &PythonSession) -> Result<String, String> {
    let endpoint = endpoint(&session.url)?;
    if session.subscriptions.is_empty() {
        return Err("subscribe to a topic filter first: the subscriber subscribes to the same ones".into());
    }
    let topics: Vec<String> = session
        .subscriptions
        .iter()
        .map(|(filter, qos)| format!("({}, {})", python_str(filter), qos_value(*qos)))
        .collect();
    Ok(format!(
        "\"\"\"Subscribes as the IoT lab's MQTT tab did and prints every message (paho-mqtt 2.x).\n\n\
         Run: python3 subscriber.py [N]  (stop after N messages; without N, run until Ctrl+C)\n\"\"\"\n\
         import sys\n\nimport paho.mqtt.client as mqtt\n\n\
         {setup}\n\
         TOPICS = [{topics}]\n\
         STOP_AFTER = int(sys.argv[1]) if len(sys.argv) > 1 else 0\n\
         received = 0\n\n\n\
         def on_connect(client, userdata, flags, reason_code, properties):\n    \
         if reason_code.is_failure:\n        \
         print(f\"connection refused: {{reason_code}}\", file=sys.stderr)\n        \
         client.disconnect()\n        \
         return\n    \
         client.subscribe(TOPICS)\n\n\n\
         def on_subscribe(client, userdata, mid, reason_codes, properties):\n    \
         print(\"subscribed:\", \", \".join(str(code) for code in reason_codes), flush=True)\n\n\n\
         def on_message(client, userdata, message):\n    \
         global received\n    \
         received += 1\n    \
         payload = message.payload.decode(\"utf-8\", \"replace\")\n    \
         print(f\"{{message.topic}} qos={{message.qos}} retain={{int(message.retain)}} {{payload}}\", flush=True)\n    \
         if STOP_AFTER and received >= STOP_AFTER:\n        \
         client.disconnect()\n\n\n\
         client = make_client(on_connect)\n\
         client.on_subscribe = on_subscribe\n\
         client.on_message = on_message\n\
         client.loop_forever()\n",
        setup = client_setup(session, &endpoint, "sub"),
        topics = topics.join(", "),
    ))
}

/// A publisher of the tab's publish draft: connects, publishes once, waits for the QoS
/// handshake to finish and disconnects.
pub fn publisher(session: &PythonSession) -> Result<String, String> {
    let endpoint = endpoint(&session.url)?;
    if session.publish_topic.is_empty() {
        return Err("type a topic to publish to first: the publisher publishes the same message".into());
    }
    Ok(format!(
        "\"\"\"Publishes the message the IoT lab's MQTT tab has ready (paho-mqtt 2.x).\"\"\"\n\
         import sys\nimport threading\n\nimport paho.mqtt.client as mqtt\n\n\
         {setup}\n\
         TOPIC = {topic}\n\
         PAYLOAD = {payload}\n\
         QOS = {qos}\n\
         RETAIN = {retain}\n\
         connected = threading.Event()\n\n\n\
         def on_connect(client, userdata, flags, reason_code, properties):\n    \
         if reason_code.is_failure:\n        \
         print(f\"connection refused: {{reason_code}}\", file=sys.stderr)\n    \
         else:\n        \
         connected.set()\n\n\n\
         client = make_client(on_connect)\n\
         client.loop_start()\n\
         if not connected.wait(timeout=10):\n    \
         sys.exit(\"not connected after 10 s\")\n\
         # QoS 1 waits for PUBACK; QoS 2 for PUBREC, then PUBREL out and PUBCOMP back.\n\
         info = client.publish(TOPIC, PAYLOAD, qos=QOS, retain=RETAIN)\n\
         info.wait_for_publish(timeout=10)\n\
         print(f\"published to {{TOPIC}} (QoS {{QOS}}, retain {{RETAIN}}): {{info.is_published()}}\", flush=True)\n\
         client.disconnect()\n\
         client.loop_stop()\n",
        setup = client_setup(session, &endpoint, "pub"),
        topic = python_str(&session.publish_topic),
        payload = python_str(&session.publish_payload),
        qos = qos_value(session.publish_qos),
        retain = py_bool(session.publish_retain),
    ))
}
