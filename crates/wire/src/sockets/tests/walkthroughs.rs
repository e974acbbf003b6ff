//! The built-in walkthroughs as lists of actions, their edits, and how expected statuses match.

use super::*;

fn outline(walkthrough: &Walkthrough) -> Vec<String> {
    walkthrough.steps.iter().map(|step| format!("{} · {}", step.action_text(), step.expect.text())).collect()
}

#[test]
fn the_builtin_walkthroughs_do_what_the_course_does() {
    let cases: [(&str, Vec<&str>); 4] = [
        (
            "smtp",
            vec![
                "Connect to smtp over TCP · expect 220",
                "Send \"EHLO learner.wirelab.test\" + CRLF ␍␊ · expect 250",
                "Send \"MAIL FROM:<learner@wirelab.test>\" + CRLF ␍␊ · expect 250",
                "Send \"RCPT TO:<friend@wirelab.test>\" + CRLF ␍␊ · expect 250",
                "Send \"DATA\" + CRLF ␍␊ · expect 354",
                "Send \"From: Learner <learner@wirelab.test>\\nTo: Friend <friend@wirelab.test>\\nSubject: Hello by hand\\n\\nI typed every line of this mail myself.\" + CRLF ␍␊ · no reply expected",
                "Send \".\" + CRLF ␍␊ · expect 250",
                "Send \"QUIT\" + CRLF ␍␊ · expect 221",
                "Open the server's mailbox · no reply expected",
            ],
        ),
        (
            "pop3",
            vec![
                "Connect to pop3 over TCP · expect +OK",
                "Send \"USER learner\" + CRLF ␍␊ · expect +OK",
                "Send \"PASS wirelab\" + CRLF ␍␊ · expect +OK",
                "Send \"STAT\" + CRLF ␍␊ · expect +OK",
                "Send \"LIST\" + CRLF ␍␊ · expect +OK",
                "Send \"RETR 1\" + CRLF ␍␊ · expect +OK",
                "Send \"QUIT\" + CRLF ␍␊ · expect +OK",
            ],
        ),
        (
            "ftp",
            vec![
                "Connect to ftp over TCP · expect 220",
                "Send \"USER anonymous\" + CRLF ␍␊ · expect 331",
                "Send \"PASS learner@wirelab.test\" + CRLF ␍␊ · expect 230",
                "Send \"PASV\" + CRLF ␍␊ · expect 227",
                "Open the data connection (address from the 227 reply) · expect: connected",
                "Send \"LIST\" + CRLF ␍␊ · expect 150, then 226",
                "Send \"PASV\" + CRLF ␍␊ · expect 227",
                "Open the data connection (address from the 227 reply) · expect: connected",
                "Send \"RETR readme.txt\" + CRLF ␍␊ · expect 150, then 226",
                "Send \"QUIT\" + CRLF ␍␊ · expect 221",
            ],
        ),
        (
            "stream",
            vec![
                "Connect to echo over TCP · expect: connected",
                "Send \"one\", \"two\", \"three\" at once · expect the same bytes back",
                "Disconnect · no reply expected",
                "Connect to echo over UDP · expect: connected",
                "Send \"one\", \"two\", \"three\" at once · expect the same bytes back",
            ],
        ),
    ];
    for (id, expected) in cases {
        let walkthrough = by_id(id);
        assert_eq!(walkthrough.as_ref().map(outline), Some(expected.into_iter().map(String::from).collect()), "{id}");
        assert!(
            walkthrough.is_some_and(|walkthrough| walkthrough.steps.iter().all(|step| !step.explanation.is_empty()))
        );
    }
    assert_eq!(builtin().len(), 4);
}

#[test]
fn steps_can_be_edited() {
    let extra =
        Step::new(Action::Send { text: "NOOP".into(), line_ending: LineEnding::CrLf }, Expect::replies(&["250"]), "x");
    let cases: Vec<(StepEdit, Vec<&str>)> = vec![
        (
            StepEdit::Text(1, "HELO me".into()),
            vec!["Connect to echo over TCP", "Send \"HELO me\" + CRLF ␍␊", "Disconnect"],
        ),
        (
            StepEdit::LineEnding(1, LineEnding::Lf),
            vec!["Connect to echo over TCP", "Send \"HELO me\" + LF ␊", "Disconnect"],
        ),
        (
            StepEdit::Text(0, "ignored: not a send".into()),
            vec!["Connect to echo over TCP", "Send \"HELO me\" + LF ␊", "Disconnect"],
        ),
        (
            StepEdit::Insert(2, extra),
            vec!["Connect to echo over TCP", "Send \"HELO me\" + LF ␊", "Send \"NOOP\" + CRLF ␍␊", "Disconnect"],
        ),
        (
            StepEdit::MoveUp(3),
            vec!["Connect to echo over TCP", "Send \"HELO me\" + LF ␊", "Disconnect", "Send \"NOOP\" + CRLF ␍␊"],
        ),
        (StepEdit::Remove(0), vec!["Send \"HELO me\" + LF ␊", "Disconnect", "Send \"NOOP\" + CRLF ␍␊"]),
        (StepEdit::Remove(9), vec!["Send \"HELO me\" + LF ␊", "Disconnect", "Send \"NOOP\" + CRLF ␍␊"]),
        (StepEdit::MoveUp(0), vec!["Send \"HELO me\" + LF ␊", "Disconnect", "Send \"NOOP\" + CRLF ␍␊"]),
    ];
    let mut walkthrough = Walkthrough {
        id: "mine".into(),
        title: "Mine".into(),
        summary: String::new(),
        steps: vec![
            Step::new(Action::Connect { target: "echo".into(), transport: Transport::Tcp }, Expect::Connected, "a"),
            Step::new(Action::Send { text: "EHLO".into(), line_ending: LineEnding::CrLf }, Expect::Echo, "b"),
            Step::new(Action::Disconnect, Expect::Nothing, "c"),
        ],
    };
    for (edit, expected) in cases {
        walkthrough.edit(edit.clone());
        let actions: Vec<String> = walkthrough.steps.iter().map(Step::action_text).collect();
        assert_eq!(actions, expected, "{edit:?}");
    }
}

#[test]
fn send_each_takes_one_piece_per_line() {
    let mut walkthrough = by_id("stream").unwrap_or_else(|| panic!("no stream walkthrough"));
    walkthrough.edit(StepEdit::Text(1, "a\nb".into()));
    assert_eq!(walkthrough.steps[1].action_text(), "Send \"a\", \"b\" at once");
}

#[test]
fn statuses_match_patterns() {
    let cases = [
        ("250", "250", true),
        ("2xx", "250", true),
        ("2XX", "221", true),
        ("2xx", "354", false),
        ("+OK", "+OK", true),
        ("+ok", "+OK", true),
        ("+OK", "-ERR", false),
        ("25", "250", false),
        ("xxx", "+OK", false),
    ];
    for (pattern, status, matches) in cases {
        assert_eq!(status_matches(pattern, status), matches, "{pattern} {status}");
    }
}
