//! The text a tree row shows: a preview builder that stops at a length, and XML text with its
//! entities decoded one character at a time, so a row over a 5 MB string costs only what it shows.

/// A string builder that stops at `max` characters, ending in `…` when something was cut.
pub(super) struct Limited {
    out: String,
    count: usize,
    max: usize,
    full: bool,
}

impl Limited {
    pub(super) fn new(max: usize) -> Limited {
        Limited { out: String::new(), count: 0, max, full: false }
    }

    /// Adds a character; false once the limit is reached.
    pub(super) fn push(&mut self, ch: char) -> bool {
        if self.full {
            return false;
        }
        if self.count < self.max {
            self.out.push(ch);
            self.count += 1;
            return true;
        }
        self.full = true;
        if self.max > 0 {
            self.out.pop();
            self.out.push('…');
        }
        false
    }

    pub(super) fn push_str(&mut self, text: &str) {
        for ch in text.chars() {
            if !self.push(ch) {
                return;
            }
        }
    }

    /// Adds characters with control characters escaped, stopping early when full (so a 5 MB string costs only
    /// the characters shown).
    pub(super) fn push_escaped(&mut self, chars: impl Iterator<Item = char>) {
        for ch in chars {
            let ok = match ch {
                '\n' => self.push_str_ok("\\n"),
                '\r' => self.push_str_ok("\\r"),
                '\t' => self.push_str_ok("\\t"),
                c if c.is_control() => self.push_str_ok(&format!("\\u{:04x}", c as u32)),
                c => self.push(c),
            };
            if !ok {
                return;
            }
        }
    }

    fn push_str_ok(&mut self, text: &str) -> bool {
        self.push_str(text);
        !self.full
    }

    pub(super) fn finish(self) -> String {
        self.out
    }
}

/// The characters of XML text or an attribute value, with the predefined entities and character references decoded
/// (unknown entities stay as written), or raw for CDATA.
pub(super) struct XmlChars<'a> {
    pub(super) rest: &'a str,
    pub(super) decode: bool,
}

impl Iterator for XmlChars<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        let mut chars = self.rest.chars();
        let ch = chars.next()?;
        // The longest reference worth decoding is `&#x10FFFF;`; the `;` is ASCII, so slicing at it is safe.
        if self.decode
            && ch == '&'
            && let Some(end) = self.rest.bytes().take(12).position(|byte| byte == b';')
        {
            let name = &self.rest[1..end];
            let decoded = match name {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name
                    .strip_prefix("#x")
                    .map(|hex| u32::from_str_radix(hex, 16))
                    .or_else(|| name.strip_prefix('#').map(str::parse::<u32>))
                    .and_then(Result::ok)
                    .and_then(char::from_u32),
            };
            if let Some(decoded) = decoded {
                self.rest = &self.rest[end + 1..];
                return Some(decoded);
            }
        }
        self.rest = chars.as_str();
        Some(ch)
    }
}
