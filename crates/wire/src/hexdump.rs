//! Hex dumps: offset, hex bytes and an ASCII column, the classic view of binary data.
//!
//! Rows are produced lazily so a view can show the first screenful of a 16 MiB message without
//! formatting all of it.

/// Bytes per row in every hex view of the app.
pub const ROW_WIDTH: usize = 16;

/// One row of a hex dump.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HexRow {
    /// Offset of the row's first byte.
    pub offset: usize,
    /// The row's bytes as two-digit lowercase hex, space separated, with an extra space after the
    /// eighth byte; padded so the ASCII column of a short last row lines up.
    pub hex: String,
    /// Printable ASCII as itself, everything else as `.`.
    pub ascii: String,
}

/// The rows of a hex dump of `bytes`, `width` bytes a row (0 is treated as [`ROW_WIDTH`]).
pub fn hex_rows(bytes: &[u8], width: usize) -> impl Iterator<Item = HexRow> + '_ {
    let width = if width == 0 { ROW_WIDTH } else { width };
    bytes.chunks(width).enumerate().map(move |(index, chunk)| HexRow {
        offset: index * width,
        hex: hex_cells(chunk, width),
        ascii: chunk.iter().map(|&b| ascii_char(b)).collect(),
    })
}

/// Number of rows a dump of `len` bytes has at `width` bytes a row.
pub fn row_count(len: usize, width: usize) -> usize {
    let width = if width == 0 { ROW_WIDTH } else { width };
    len.div_ceil(width)
}

/// A whole hex dump as text, one row a line: `00000000  de ad be ef  |....|`.
pub fn hex_dump(bytes: &[u8]) -> String {
    let mut out = String::new();
    for row in hex_rows(bytes, ROW_WIDTH) {
        out.push_str(&format!("{:08x}  {}  |{}|\n", row.offset, row.hex, row.ascii));
    }
    out
}

/// The bytes as plain space-separated hex (`de ad be ef`), as a person would type them.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (index, byte) in bytes.iter().enumerate() {
        if index > 0 {
            out.push(' ');
        }
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// How a byte shows in the ASCII column.
pub fn ascii_char(byte: u8) -> char {
    if byte.is_ascii_graphic() || byte == b' ' { byte as char } else { '.' }
}

fn hex_cells(chunk: &[u8], width: usize) -> String {
    let mut out = String::with_capacity(width * 3 + 1);
    for column in 0..width {
        if column > 0 {
            out.push(' ');
            if column == 8 {
                out.push(' ');
            }
        }
        match chunk.get(column) {
            Some(byte) => out.push_str(&format!("{byte:02x}")),
            None => out.push_str("  "),
        }
    }
    out
}
