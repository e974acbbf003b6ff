//! The messages a load connection sends, and the check that every echo is the message sent: the
//! same type (text or binary) and the same bytes, in the order sent. Each message carries its
//! number in hex at its start, so an echo of another message (repeated, reordered, stale) differs
//! too. A mismatch is an error that names the message and its first differing byte.

/// Hex digits of a message's number at its start (its last digits if the message is shorter).
const NUMBER_DIGITS: usize = 16;
const HEX: &[u8; 16] = b"0123456789abcdef";

/// One connection's messages: all `len()` bytes long, numbered from 0.
#[derive(Clone, Debug)]
pub struct Messages {
    text: bool,
    /// Message 0 without its number: printable ASCII, so the same bytes are valid text.
    template: Vec<u8>,
    /// How many of the leading bytes hold the number.
    digits: usize,
}

impl Messages {
    pub fn new(text: bool, size: usize) -> Messages {
        let template = (0..size).map(|index| b'a' + (index % 26) as u8).collect();
        Messages { text, template, digits: size.min(NUMBER_DIGITS) }
    }

    pub fn len(&self) -> usize {
        self.template.len()
    }

    pub fn is_text(&self) -> bool {
        self.text
    }

    /// Appends message number `index` to `out`.
    pub fn append(&self, index: u64, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&self.template);
        self.renumber(index, &mut out[start..]);
    }

    /// Turns `slot`, which holds one of these messages, into message `index`: only the number
    /// changes.
    pub fn renumber(&self, index: u64, slot: &mut [u8]) {
        slot[..self.digits].copy_from_slice(self.number(index).as_slice());
    }

    /// Writes message `index` over `out` (as long as a message) with `copy(to, from)`, which may
    /// change the bytes on the way as long as it treats each from its offset in the message
    /// (masking does).
    pub fn write_through(&self, index: u64, out: &mut [u8], copy: impl Fn(&mut [u8], &[u8])) {
        copy(out, &self.template);
        copy(&mut out[..self.digits], self.number(index).as_slice());
    }

    /// Message number `index` on its own.
    pub fn message(&self, index: u64) -> Vec<u8> {
        let mut message = Vec::with_capacity(self.len());
        self.append(index, &mut message);
        message
    }

    /// The leading bytes of message `index`: its number in lower-case hex.
    fn number(&self, index: u64) -> Number {
        let mut hex = [0u8; NUMBER_DIGITS];
        for (position, digit) in hex.iter_mut().enumerate() {
            let shift = 4 * (NUMBER_DIGITS - 1 - position);
            *digit = HEX[((index >> shift) & 0xf) as usize];
        }
        Number { hex, skip: NUMBER_DIGITS - self.digits }
    }
}

/// A message's number as it is written at the message's start.
#[derive(Clone, Copy, Debug)]
struct Number {
    hex: [u8; NUMBER_DIGITS],
    /// Leading digits left out because the message is shorter than [`NUMBER_DIGITS`].
    skip: usize,
}

impl Number {
    fn as_slice(&self) -> &[u8] {
        &self.hex[self.skip..]
    }
}

/// Follows one connection's echoes as their bytes arrive, against the messages it sent.
#[derive(Debug)]
pub struct EchoCheck {
    messages: Messages,
    /// The number of the message whose echo is expected next or is under way.
    index: u64,
    number: Number,
    /// Bytes of that echo checked so far.
    offset: usize,
}

impl EchoCheck {
    pub fn new(messages: Messages) -> EchoCheck {
        let number = messages.number(0);
        EchoCheck { messages, index: 0, number, offset: 0 }
    }

    /// The echo of the next message begins, as a text or a binary message.
    pub fn start(&mut self, text: bool) -> Result<(), String> {
        if text == self.messages.text {
            return Ok(());
        }
        Err(format!(
            "the echo of message {} is a {} message, the message was {}",
            self.index,
            kind(text),
            kind(self.messages.text)
        ))
    }

    /// The next bytes of the echo under way.
    pub fn bytes(&mut self, bytes: &[u8]) -> Result<(), String> {
        let size = self.messages.len();
        if bytes.len() > size - self.offset {
            return Err(format!(
                "the echo of message {} is longer than the message ({size} bytes): byte {size} came back",
                self.index
            ));
        }
        let end = self.offset + bytes.len();
        // The number's bytes still to come, then the rest against the template in one comparison.
        let number = self.number.as_slice().get(self.offset..).unwrap_or_default();
        let in_number = number.len().min(bytes.len());
        let same = bytes[..in_number] == number[..in_number]
            && bytes[in_number..] == self.messages.template[self.offset + in_number..end];
        if !same {
            return Err(self.difference(bytes));
        }
        self.offset = end;
        Ok(())
    }

    /// The echo under way ends here: it must have been the whole message.
    pub fn end(&mut self) -> Result<(), String> {
        let size = self.messages.len();
        if self.offset != size {
            return Err(format!(
                "the echo of message {} ended after {} bytes, the message has {size}",
                self.index, self.offset
            ));
        }
        self.index += 1;
        self.number = self.messages.number(self.index);
        self.offset = 0;
        Ok(())
    }

    /// One whole echoed message.
    pub fn whole(&mut self, text: bool, payload: &[u8]) -> Result<(), String> {
        self.start(text)?;
        self.bytes(payload)?;
        self.end()
    }

    /// Bytes of a stream of echoes with no framing (raw TCP), one message after the other;
    /// returns how many echoes ended in them.
    pub fn stream(&mut self, mut bytes: &[u8]) -> Result<usize, String> {
        let mut ended = 0;
        while !bytes.is_empty() {
            let take = bytes.len().min(self.messages.len() - self.offset);
            self.bytes(&bytes[..take])?;
            bytes = &bytes[take..];
            if self.offset == self.messages.len() {
                self.end()?;
                ended += 1;
            }
        }
        Ok(ended)
    }

    /// Names the first byte of `bytes` (the echo from `offset` on) that is not the message's.
    fn difference(&self, bytes: &[u8]) -> String {
        let message = self.messages.message(self.index);
        let expected = &message[self.offset..self.offset + bytes.len()];
        let Some(at) = bytes.iter().zip(expected).position(|(got, sent)| got != sent) else {
            return format!("the echo of message {} differs from the message", self.index);
        };
        format!(
            "the echo of message {} differs at byte {} of {}: sent {}, got {}",
            self.index,
            self.offset + at,
            message.len(),
            shown(expected[at]),
            shown(bytes[at])
        )
    }
}

fn kind(text: bool) -> &'static str {
    if text { "text" } else { "binary" }
}

#[cfg(test)]
impl EchoCheck {
    /// How many echoes have ended and matched.
    pub fn matched(&self) -> u64 {
        self.index
    }
}

/// `0x61 'a'`, or `0x07` for a byte that is not printable.
fn shown(byte: u8) -> String {
    if byte.is_ascii_graphic() || byte == b' ' {
        format!("0x{byte:02x} '{}'", byte as char)
    } else {
        format!("0x{byte:02x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_numbered_printable_and_of_their_size() {
        let cases: [(usize, u64, &[u8]); 4] = [
            (20, 0, b"0000000000000000qrst"),
            (20, 0x1f, b"000000000000001fqrst"),
            (4, 0x12345, b"2345"),
            (1, 10, b"a"),
        ];
        for (size, index, expected) in cases {
            let message = Messages::new(true, size).message(index);
            assert_eq!(message, expected, "size {size}, message {index}");
        }
    }

    /// One echo as it arrives after `after` good ones: its type, its bytes in pieces, and
    /// whether its end came.
    struct Echo {
        text: bool,
        after: u64,
        pieces: Vec<Vec<u8>>,
        ends: bool,
    }

    /// A whole text echo in `pieces`.
    fn echo(after: u64, pieces: &[&[u8]]) -> Echo {
        Echo { text: true, after, pieces: pieces.iter().map(|piece| piece.to_vec()).collect(), ends: true }
    }

    impl Echo {
        fn binary(self) -> Echo {
            Echo { text: false, ..self }
        }

        fn unfinished(self) -> Echo {
            Echo { ends: false, ..self }
        }

        /// Feeds the echo to a check of 20-byte text messages; the first error, if any.
        fn check(&self) -> Result<(), String> {
            let messages = Messages::new(true, 20);
            let mut check = EchoCheck::new(messages.clone());
            for index in 0..self.after {
                check.whole(true, &messages.message(index))?;
            }
            check.start(self.text)?;
            for piece in &self.pieces {
                check.bytes(piece)?;
            }
            if self.ends { check.end() } else { Ok(()) }
        }
    }

    #[test]
    fn echoes_are_checked_for_type_bytes_length_and_order() {
        let messages = Messages::new(true, 20);
        let (first, second) = (messages.message(0), messages.message(1));
        let mut corrupted = second.clone();
        corrupted[18] = 0x07;
        let mut in_the_number = second.clone();
        in_the_number[15] = b'x';
        let cases = [
            ("whole", echo(0, &[&first]), Ok(())),
            ("split anywhere", echo(1, &[&second[..3], &second[3..17], &second[17..]]), Ok(())),
            ("not ended yet", echo(0, &[&first[..5]]).unfinished(), Ok(())),
            (
                "binary for text",
                echo(0, &[&first]).binary(),
                Err("the echo of message 0 is a binary message, the message was text"),
            ),
            (
                "a byte changed",
                echo(1, &[&corrupted]),
                Err("the echo of message 1 differs at byte 18 of 20: sent 0x73 's', got 0x07"),
            ),
            (
                "a byte changed, in a later piece",
                echo(1, &[&in_the_number[..4], &in_the_number[4..]]),
                Err("the echo of message 1 differs at byte 15 of 20: sent 0x31 '1', got 0x78 'x'"),
            ),
            (
                "the previous message again",
                echo(1, &[&first]),
                Err("the echo of message 1 differs at byte 15 of 20: sent 0x31 '1', got 0x30 '0'"),
            ),
            (
                "too short",
                echo(0, &[&first[..19]]),
                Err("the echo of message 0 ended after 19 bytes, the message has 20"),
            ),
            (
                "too long",
                echo(0, &[&first, b"!"]),
                Err("the echo of message 0 is longer than the message (20 bytes): byte 20 came back"),
            ),
            ("empty", echo(0, &[]), Err("the echo of message 0 ended after 0 bytes, the message has 20")),
        ];
        for (name, echo, expected) in cases {
            assert_eq!(echo.check(), expected.map_err(str::to_owned), "{name}");
        }
    }

    #[test]
    fn unframed_streams_are_cut_at_message_boundaries() {
        let messages = Messages::new(false, 5);
        let mut stream = Vec::new();
        for index in 0..3 {
            messages.append(index, &mut stream);
        }
        let mut check = EchoCheck::new(messages.clone());
        assert_eq!(check.stream(&stream[..7]), Ok(1));
        assert_eq!(check.stream(&stream[7..]), Ok(2));
        assert_eq!(check.matched(), 3);
        let mut reordered = messages.message(1);
        reordered.extend(messages.message(0));
        assert_eq!(
            EchoCheck::new(messages).stream(&reordered),
            Err("the echo of message 0 differs at byte 4 of 5: sent 0x30 '0', got 0x31 '1'".to_owned())
        );
    }
}
