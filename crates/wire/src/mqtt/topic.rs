//! Topic names and topic filters (§4.7): which a client may publish to or subscribe with, and
//! whether a filter's `+` (one level) and `#` (this level and all below) match a topic. Topics
//! that start with `$` are the broker's own and match no filter that starts with a wildcard.

use crate::diagnostic::Diagnostic;

/// Checks a topic name to publish to: not empty, no wildcards, no U+0000, at most 65,535 bytes.
pub fn check_topic(topic: &str) -> Result<(), Diagnostic> {
    check_text(topic, "topic")?;
    if let Some(at) = topic.find(['+', '#']) {
        return Err(Diagnostic::in_text(
            topic,
            at,
            "a topic to publish to cannot hold + or # (they are wildcards for subscribing)",
        ));
    }
    Ok(())
}

/// Checks a topic filter: `+` must fill a whole level, `#` too and only as the last one.
pub fn check_filter(filter: &str) -> Result<(), Diagnostic> {
    check_text(filter, "topic filter")?;
    let mut offset = 0;
    let levels: Vec<&str> = filter.split('/').collect();
    for (index, level) in levels.iter().enumerate() {
        if let Some(at) = level.find('#') {
            if *level != "#" {
                return Err(Diagnostic::in_text(filter, offset + at, "# must be a whole level: a/#, not a#"));
            }
            if index + 1 != levels.len() {
                return Err(Diagnostic::in_text(filter, offset + at, "# must be the last level of a filter"));
            }
        }
        if let Some(at) = level.find('+')
            && *level != "+"
        {
            return Err(Diagnostic::in_text(filter, offset + at, "+ must be a whole level: a/+/c, not a/b+/c"));
        }
        offset += level.len() + 1;
    }
    Ok(())
}

fn check_text(text: &str, what: &str) -> Result<(), Diagnostic> {
    if text.is_empty() {
        return Err(Diagnostic::new(format!("the {what} is empty")));
    }
    if let Some(at) = text.find('\0') {
        return Err(Diagnostic::in_text(text, at, format!("the {what} holds U+0000, which MQTT forbids")));
    }
    if text.len() > usize::from(u16::MAX) {
        return Err(Diagnostic::new(format!("the {what} is {} bytes, over MQTT's limit of 65,535", text.len())));
    }
    Ok(())
}

/// Whether `filter` (already checked) matches the topic name `topic`.
pub fn matches(filter: &str, topic: &str) -> bool {
    if topic.starts_with('$') && filter.starts_with(['+', '#']) {
        return false;
    }
    let mut topic_levels = topic.split('/');
    for level in filter.split('/') {
        match level {
            "#" => return true,
            "+" => {
                if topic_levels.next().is_none() {
                    return false;
                }
            }
            literal => {
                if topic_levels.next() != Some(literal) {
                    return false;
                }
            }
        }
    }
    topic_levels.next().is_none()
}
