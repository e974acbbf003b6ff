//! The Sockets lab in a real browser against the wirelab-server that `cargo xtask test` started:
//! the bridge's WebSocket and requests (`net::bridge`) on their own, then the lab: the peer list,
//! an echo with its line ending visible, SMTP replies explained in place, a hex dump on demand,
//! and refusals (the server's and the composer's) shown where they happened with the text kept.

#![cfg(target_arch = "wasm32")]

mod support;

use std::cell::RefCell;
use std::rc::Rc;

use support::{Page, mount_point, server_host, settle, wait_until};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wirelab::net::bridge::{self, BridgeSignal, BridgeSocket};
use wirelab::sockets_lab::SocketsLabOn;

wasm_bindgen_test_configure!(run_in_browser);

fn origin() -> String {
    format!("http://{}", server_host())
}

/// Mounts a fresh lab on the test server and waits for its peer list.
async fn mount_lab() -> Page {
    let root = mount_point();
    yew::Renderer::<SocketsLabOn>::with_root_and_props(
        root.clone(),
        wirelab::sockets_lab::SocketsLabOnProps { server: Some(server_host().into()) },
    )
    .render();
    settle().await;
    let page = Page::new(root);
    wait_until("the peer list", 10, || page.first("option[value=smtp]").is_some()).await;
    page
}

/// The texts of the transcript's chunks in `direction` (`sent` or `received`).
fn chunks(page: &Page, direction: &str) -> Vec<String> {
    let list = page.root.query_selector_all(&format!(
        "[data-testid=transcript-chunk][data-direction={direction}] [data-testid=chunk-text]"
    ));
    let list = list.expect("a valid selector");
    (0..list.length())
        .filter_map(|index| list.get(index))
        .filter_map(|node| node.text_content())
        .map(|text| text.trim_end_matches('\n').to_string())
        .collect()
}

/// The statuses of the replies explained so far.
fn replies(page: &Page) -> Vec<String> {
    let list = page.root.query_selector_all("[data-testid=reply]").expect("a valid selector");
    (0..list.length())
        .filter_map(|index| list.get(index))
        .filter_map(|node| node.dyn_into::<web_sys::Element>().ok())
        .filter_map(|element| element.get_attribute("data-status"))
        .collect()
}

async fn connect_to(page: &Page, peer: &str) {
    page.select("Peer", peer);
    settle().await;
    page.click("Connect");
    wait_until("the bridge to connect", 10, || page.status() == "connected").await;
}

async fn send(page: &Page, text: &str) {
    page.set_field("Message", text);
    settle().await;
    page.click("Send");
}

#[wasm_bindgen_test]
async fn the_bridge_socket_reports_connected_then_the_echo() {
    let signals: Rc<RefCell<Vec<BridgeSignal>>> = Rc::default();
    let seen = signals.clone();
    let socket = BridgeSocket::open(
        &format!("ws://{}/ws/tcp?to=echo", server_host()),
        Rc::new(move |signal| seen.borrow_mut().push(signal)),
    )
    .expect("the browser opens the WebSocket");
    let connected = |signals: &[BridgeSignal]| {
        signals.iter().any(|signal| matches!(signal, BridgeSignal::Event(json) if json.contains("\"connected\"")))
    };
    wait_until("the bridge's connected event", 10, || connected(&signals.borrow())).await;
    assert_eq!(signals.borrow().first(), Some(&BridgeSignal::Opened), "the WebSocket opens before any event");
    socket.send_bytes(b"ping\r\n").expect("a send");
    wait_until("the echo", 5, || signals.borrow().contains(&BridgeSignal::Bytes(b"ping\r\n".to_vec()))).await;
    socket.close().expect("a close");
    wait_until("the close", 5, || signals.borrow().iter().any(|signal| matches!(signal, BridgeSignal::Closed { .. })))
        .await;
}

#[wasm_bindgen_test]
async fn the_server_says_why_a_target_is_refused() {
    let cases = [
        ("/ws/tcp?to=10.1.2.3%3A25", 403, "--allow-connect 10.1.2.3:25"),
        ("/ws/udp?to=smtp", 403, "no built-in udp peer called 'smtp'"),
    ];
    for (path, status, words) in cases {
        let (got_status, body) = bridge::refusal(&format!("{}{path}", origin())).await.expect("an answer");
        assert_eq!(got_status, status, "{path}: {body}");
        assert!(body.contains(words), "{path}: {body}");
    }
}

#[wasm_bindgen_test]
async fn the_peers_and_the_mailbox_are_read_from_the_server() {
    let peers = bridge::fetch_peers(&origin()).await.expect("the peer list");
    let names: Vec<String> = peers.iter().map(|peer| format!("{} {}", peer.name, peer.transport)).collect();
    for expected in ["echo tcp", "echo udp", "smtp tcp", "pop3 tcp", "ftp tcp"] {
        assert!(names.iter().any(|name| name == expected), "{expected} in {names:?}");
    }
    let mailbox = bridge::fetch_mailbox(&origin()).await.expect("the mailbox");
    assert!(mailbox.capacity > 0, "{mailbox:?}");
}

#[wasm_bindgen_test]
async fn an_echo_shows_what_was_sent_with_its_line_ending_visible() {
    let page = mount_lab().await;
    connect_to(&page, "echo").await;
    assert!(page.status_detail().contains("Echo over TCP in"), "{}", page.status_detail());
    send(&page, "hello").await;
    wait_until("the echo", 5, || chunks(&page, "received").iter().any(|text| text == "hello␍␊")).await;
    assert_eq!(chunks(&page, "sent"), vec!["hello␍␊".to_string()]);
    assert_eq!(page.field_value("Message"), "", "a sent message leaves the composer");
    page.first("[data-testid=hex-toggle]")
        .and_then(|button| button.dyn_into::<web_sys::HtmlElement>().ok())
        .expect("a Hex button")
        .click();
    wait_until("the hex dump", 2, || page.first("[data-testid=hex-view]").is_some()).await;
    let dump = page.text("[data-testid=hex-view]");
    assert!(dump.contains("68 65 6c 6c 6f 0d 0a"), "{dump}");
}

#[wasm_bindgen_test]
async fn smtp_replies_are_explained_where_they_arrive() {
    let page = mount_lab().await;
    connect_to(&page, "smtp").await;
    wait_until("the greeting", 5, || replies(&page) == ["220"]).await;
    send(&page, "EHLO learner.wirelab.test").await;
    wait_until("the EHLO reply", 5, || replies(&page) == ["220", "250"]).await;
    let ehlo = page.text("[data-testid=reply][data-status='250']");
    assert!(ehlo.contains("answers EHLO learner.wirelab.test"), "{ehlo}");
    send(&page, "RCPT TO:<someone@wirelab.test>").await;
    wait_until("the refusal of RCPT before MAIL", 5, || replies(&page).len() == 3).await;
    let refused = replies(&page)[2].clone();
    assert!(refused.starts_with('5'), "RCPT before MAIL is a sequence error: {refused}");
}

#[wasm_bindgen_test]
async fn a_refused_target_says_why_and_keeps_the_typed_text() {
    let page = mount_lab().await;
    page.select("Peer", "other");
    settle().await;
    page.set_field("Address", "10.1.2.3:25");
    page.set_field("Message", "EHLO me");
    settle().await;
    page.click("Connect");
    wait_until("the refusal", 10, || page.text("[data-testid=connection-problem]").contains("--allow-connect")).await;
    let problem = page.text("[data-testid=connection-problem]");
    assert!(problem.starts_with("The server refused the connection (403)"), "{problem}");
    assert_eq!(page.field_value("Message"), "EHLO me");
    assert_eq!(page.status(), "closed");
}

#[wasm_bindgen_test]
async fn bad_hex_is_refused_in_place_and_nothing_is_sent() {
    let page = mount_lab().await;
    connect_to(&page, "echo").await;
    page.select("Send as", "hex");
    settle().await;
    send(&page, "de ad zz").await;
    wait_until("the composer's error", 2, || !page.text("[data-testid=composer-error]").is_empty()).await;
    assert_eq!(
        page.text("[data-testid=composer-error]"),
        "Nothing was sent: 'z' is not a hex digit at line 1, column 7"
    );
    assert_eq!(page.field_value("Message"), "de ad zz");
    assert!(chunks(&page, "sent").is_empty());
}
