//! The writer the two text encoders (JSON and XML) share: text appended piece by piece, each
//! piece mapped to its field as it is written, pretty (two-space indent, what the lab shows) or
//! compact (what goes over the wire), with the losses met on the way.

use super::{ByteMap, Encoded, Format, Loss, Path, Role};

/// Pretty (two-space indent, what the lab shows) or compact (what goes over the wire).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Pretty,
    Compact,
}

pub(super) struct TextWriter {
    pub(super) out: String,
    map: ByteMap,
    losses: Vec<Loss>,
    pub(super) style: Style,
}

impl TextWriter {
    pub(super) fn new(style: Style) -> TextWriter {
        TextWriter { out: String::new(), map: ByteMap::new(), losses: Vec::new(), style }
    }

    /// Writes `text` as the bytes of `path` doing `role`.
    pub(super) fn push(&mut self, text: &str, role: Role, path: &Path, detail: &str) {
        self.map.push(self.out.len(), text.len(), role, path, detail);
        self.out.push_str(text);
    }

    /// A line break and `indent` levels of indentation when pretty; nothing when compact.
    pub(super) fn newline(&mut self, indent: usize) {
        if self.style == Style::Pretty {
            self.out.push('\n');
            for _ in 0..indent {
                self.out.push_str("  ");
            }
        }
    }

    /// Notes something the format could not carry at `path`.
    pub(super) fn loss(&mut self, path: &Path, what: impl Into<String>) {
        self.losses.push(Loss::new(path, what));
    }

    pub(super) fn add_loss(&mut self, loss: Loss) {
        self.losses.push(loss);
    }

    pub(super) fn finish(self, format: Format) -> Encoded {
        Encoded { format, bytes: self.out.into_bytes(), map: self.map.finish(), losses: self.losses }
    }
}
