//! `cargo xtask precompress [DIR]` (and every app build): writes `X.br` and `X.gz` beside each
//! compressible file of the built app, at the highest levels, so wirelab-server sends files
//! compressed once at build time instead of compressing them on every request.
//!
//! Brotli at quality 11 with a 16 MiB window (24 bits, the largest a browser decodes: brotli's
//! "large window" mode is not part of `Content-Encoding: br`), gzip at level 9. A copy that would
//! not be smaller than its file is not written (and an old one is removed), so the server sends
//! the file itself. Copies are written under a temporary name and renamed into place, so a server
//! running on the directory never sends half a file.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use brotli::enc::BrotliEncoderParams;
use flate2::Compression;
use flate2::write::GzEncoder;
use rayon::prelude::*;

use crate::process::root;

/// Extensions of files worth compressing: text and wasm. Images, fonts and archives are
/// compressed already.
const COMPRESSIBLE: &[&str] = &[
    "html",
    "htm",
    "js",
    "mjs",
    "cjs",
    "css",
    "wasm",
    "svg",
    "json",
    "webmanifest",
    "map",
    "txt",
    "md",
    "proto",
    "xml",
    "csv",
    "ico",
    "ttf",
    "otf",
];

/// Brotli's highest quality.
const BROTLI_QUALITY: i32 = 11;
/// Brotli's largest standard window: 2^24 bytes.
const BROTLI_WINDOW_BITS: i32 = 24;

/// What `precompress_dir` did to one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Precompressed {
    /// The file, relative to the directory.
    pub path: PathBuf,
    pub original_bytes: u64,
    /// The `.br` copy's size, if one was worth writing.
    pub brotli_bytes: Option<u64>,
    /// The `.gz` copy's size, if one was worth writing.
    pub gzip_bytes: Option<u64>,
}

/// What `precompress_dir` did: one row per compressible file, in path order.
#[derive(Clone, Debug)]
pub struct Report {
    pub dir: PathBuf,
    pub files: Vec<Precompressed>,
    pub elapsed: Duration,
}

/// One compressed copy: its file name suffix and how to make it.
struct Encoding {
    suffix: &'static str,
    compress: fn(&[u8]) -> std::io::Result<Vec<u8>>,
}

const ENCODINGS: [Encoding; 2] =
    [Encoding { suffix: "br", compress: brotli }, Encoding { suffix: "gz", compress: gzip }];

/// `cargo xtask precompress [DIR]`: DIR defaults to the workspace's `dist/`.
pub fn precompress(args: &[String]) -> Result<(), String> {
    let dir = match args {
        [] => root().join("dist"),
        [dir] => PathBuf::from(dir),
        _ => return Err("usage: cargo xtask precompress [DIR]".to_owned()),
    };
    let report = precompress_dir(&dir)?;
    print!("{report}");
    Ok(())
}

/// Writes `X.br` and `X.gz` beside every compressible file `X` under `dir`, replacing old ones.
pub fn precompress_dir(dir: &Path) -> Result<Report, String> {
    let started = Instant::now();
    let mut paths = Vec::new();
    collect_compressible(dir, &mut paths)?;
    paths.sort();
    // One file per core at a time: brotli 11 keeps one busy for seconds on a big module.
    let files = paths.par_iter().map(|path| precompress_file(dir, path)).collect::<Result<_, _>>()?;
    Ok(Report { dir: dir.to_path_buf(), files, elapsed: started.elapsed() })
}

/// Every file under `dir` (recursively) whose extension is in [`COMPRESSIBLE`]. Hidden folders
/// are skipped: trunk stages a build in `dist/.stage`, and a failed build leaves it behind.
fn collect_compressible(dir: &Path, paths: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|error| format!("cannot read {}: {error}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|error| format!("cannot read {}: {error}", dir.display()))?.path();
        let hidden = path.file_name().and_then(|name| name.to_str()).is_some_and(|name| name.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            collect_compressible(&path, paths)?;
        } else if is_compressible(&path) {
            paths.push(path);
        }
    }
    Ok(())
}

fn is_compressible(path: &Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| COMPRESSIBLE.contains(&extension.to_ascii_lowercase().as_str()))
}

fn precompress_file(dir: &Path, path: &Path) -> Result<Precompressed, String> {
    let original = fs::read(path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    let mut sizes = [None, None];
    for (size, encoding) in sizes.iter_mut().zip(&ENCODINGS) {
        let copy = with_suffix(path, encoding.suffix);
        let compressed = (encoding.compress)(&original)
            .map_err(|error| format!("cannot compress {} ({}): {error}", path.display(), encoding.suffix))?;
        if compressed.len() < original.len() {
            write_atomically(&copy, &compressed)?;
            *size = Some(compressed.len() as u64);
        } else if copy.exists() {
            fs::remove_file(&copy).map_err(|error| format!("cannot remove {}: {error}", copy.display()))?;
        }
    }
    let [brotli_bytes, gzip_bytes] = sizes;
    Ok(Precompressed {
        path: path.strip_prefix(dir).unwrap_or(path).to_path_buf(),
        original_bytes: original.len() as u64,
        brotli_bytes,
        gzip_bytes,
    })
}

/// `dir/name.ext` → `dir/name.ext.{suffix}`.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let partial = with_suffix(path, "partial");
    fs::write(&partial, bytes)
        .and_then(|()| fs::rename(&partial, path))
        .map_err(|error| format!("cannot write {}: {error}", path.display()))
}

fn brotli(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let params = BrotliEncoderParams {
        quality: BROTLI_QUALITY,
        lgwin: BROTLI_WINDOW_BITS,
        size_hint: bytes.len(),
        ..BrotliEncoderParams::default()
    };
    let mut compressed = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut compressed, &params)?;
    Ok(compressed)
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes)?;
    encoder.finish()
}

impl Report {
    fn total(&self, size: impl Fn(&Precompressed) -> u64) -> u64 {
        self.files.iter().map(size).sum()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |size: Option<u64>| size.map_or_else(|| "-".to_owned(), |size| size.to_string());
        writeln!(
            f,
            "precompressed {} files in {} ({:.1} s; br quality {BROTLI_QUALITY}, gzip level 9):",
            self.files.len(),
            self.dir.display(),
            self.elapsed.as_secs_f64()
        )?;
        writeln!(f, "{:<48} {:>10} {:>10} {:>10}", "file", "bytes", "br", "gz")?;
        for file in &self.files {
            writeln!(
                f,
                "{:<48} {:>10} {:>10} {:>10}",
                file.path.display(),
                file.original_bytes,
                shown(file.brotli_bytes),
                shown(file.gzip_bytes)
            )?;
        }
        // A file without a copy is sent as it is, so it counts at its own size.
        let original = self.total(|file| file.original_bytes);
        let brotli = self.total(|file| file.brotli_bytes.unwrap_or(file.original_bytes));
        let gzip = self.total(|file| file.gzip_bytes.unwrap_or(file.original_bytes));
        writeln!(f, "{:<48} {original:>10} {brotli:>10} {gzip:>10}", "total")
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    /// A fresh directory under the system's temporary one, removed when dropped.
    struct ScratchDir(PathBuf);

    impl ScratchDir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("wirelab-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }
    }

    impl Drop for ScratchDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn unbrotli(bytes: &[u8]) -> Vec<u8> {
        let mut plain = Vec::new();
        brotli::Decompressor::new(bytes, 4096).read_to_end(&mut plain).unwrap();
        plain
    }

    fn ungzip(bytes: &[u8]) -> Vec<u8> {
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(bytes).read_to_end(&mut plain).unwrap();
        plain
    }

    #[test]
    fn compressible_files_get_both_copies_and_others_none() {
        let scratch = ScratchDir::new("precompress");
        let text = "<p>wirelab</p>\n".repeat(500);
        let wasm: Vec<u8> = (0..20_000u32).flat_map(|i| [0, 97, 115, 109, (i % 13) as u8]).collect();
        let png = [0x89, b'P', b'N', b'G'].repeat(300);
        // (file, its bytes, whether it gets copies)
        let cases: Vec<(&str, Vec<u8>, bool)> = vec![
            ("index.html", text.clone().into_bytes(), true),
            ("wirelab-1a2b3c4d5e6f7a8b_bg.wasm", wasm, true),
            ("labs/http.js", text.replace("p>", "b>").into_bytes(), true),
            ("style-0f1e2d3c4b5a6978.CSS", text.replace("p>", "i>").into_bytes(), true),
            ("tiny.txt", b"a".to_vec(), false),
            ("logo.png", png, false),
        ];
        for (name, bytes, _) in &cases {
            let path = scratch.0.join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, bytes).unwrap();
        }
        // A stale copy of a file that no longer shrinks goes away.
        fs::write(scratch.0.join("tiny.txt.br"), b"stale").unwrap();

        for run in ["first", "again"] {
            let report = precompress_dir(&scratch.0).unwrap();
            for (name, bytes, copied) in &cases {
                let path = scratch.0.join(name);
                let row = report.files.iter().find(|file| file.path == Path::new(name));
                let br = fs::read(with_suffix(&path, "br")).ok();
                let gz = fs::read(with_suffix(&path, "gz")).ok();
                assert_eq!((br.is_some(), gz.is_some()), (*copied, *copied), "{run}: {name}");
                if let (Some(br), Some(gz), Some(row)) = (br, gz, row) {
                    assert_eq!(&unbrotli(&br), bytes, "{run}: {name}");
                    assert_eq!(&ungzip(&gz), bytes, "{run}: {name}");
                    assert_eq!((row.brotli_bytes, row.gzip_bytes), (Some(br.len() as u64), Some(gz.len() as u64)));
                    assert!(br.len() < bytes.len() / 5 && gz.len() < bytes.len() / 5, "{run}: {name}");
                }
            }
            // Copies are not compressed again, and png is not compressible.
            let listed: Vec<String> = report.files.iter().map(|file| file.path.display().to_string()).collect();
            assert_eq!(
                listed,
                [
                    "index.html",
                    "labs/http.js",
                    "style-0f1e2d3c4b5a6978.CSS",
                    "tiny.txt",
                    "wirelab-1a2b3c4d5e6f7a8b_bg.wasm"
                ],
                "{run}"
            );
            assert!(report.to_string().lines().last().unwrap().starts_with("total"), "{report}");
        }
        assert!(!scratch.0.join("tiny.txt.br").exists());
        assert!(!scratch.0.join("index.html.br.partial").exists());
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_it() {
        let error = precompress_dir(Path::new("/nonexistent/wirelab-dist")).unwrap_err();
        assert!(error.contains("/nonexistent/wirelab-dist"), "{error}");
    }
}
