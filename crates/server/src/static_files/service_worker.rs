//! `/sw.js`: the app's service worker (`www/sw.js`) with the build it must precache written in
//! above it, worked out from the static directory when the server starts.
//!
//! Why the server and not the build: the list then always names exactly the files this server
//! sends, whatever made the directory (`cargo xtask run`, a bare `trunk build`, a copied dist),
//! and a dist changed by hand gets a new version on the next start without any tool to rerun.
//! The cost is one read and hash of the app's files at start (about 7 MB: 0.4 s in a debug build,
//! where sha2 is not optimised).
//!
//! Each file is listed with its SHA-256 as a Subresource Integrity value, and the worker fetches
//! it with that `integrity`: a file from another build (the server restarted on a new dist while
//! a worker was installing) fails the install instead of entering the cache, so a cache never
//! holds two builds. The version is a hash of the whole list, so the script's bytes change when
//! any file does, which is how a browser learns that a new build exists.

use std::fs;
use std::io;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The worker's own code; [`AppBuild::script`] puts the build above it.
const WORKER_SOURCE: &str = include_str!("../../../../www/sw.js");

/// Suffixes of the copies `cargo xtask precompress` writes beside a file: the same content as
/// the file they sit beside, so never listed on their own.
const COPY_SUFFIXES: &[&str] = &[".br", ".gz"];
/// The suffix of a copy being written (renamed into place when whole).
const PARTIAL_SUFFIX: &str = ".partial";

/// One build of the app, as the service worker precaches it.
#[derive(Clone, Debug, Serialize)]
pub(super) struct AppBuild {
    /// A hash of every file's path and contents: a new build has a new version.
    pub version: String,
    /// Every file of the build, by URL path, in path order.
    pub assets: Vec<Asset>,
}

#[derive(Clone, Debug, Serialize)]
pub(super) struct Asset {
    pub url: String,
    /// `sha256-…`, as `fetch`'s `integrity` option takes it.
    pub integrity: String,
}

impl AppBuild {
    /// Reads every file under `static_dir` except hidden ones (trunk's `.stage`) and precompressed
    /// copies.
    pub fn scan(static_dir: &Path) -> io::Result<Self> {
        let mut assets = Vec::new();
        collect(static_dir, "", &mut assets)?;
        assets.sort_by(|a, b| a.url.cmp(&b.url));
        let mut whole = Sha256::new();
        for asset in &assets {
            whole.update(format!("{} {}\n", asset.url, asset.integrity));
        }
        let version = whole.finalize().iter().take(8).map(|byte| format!("{byte:02x}")).collect();
        Ok(Self { version, assets })
    }

    /// The text served as `/sw.js`: `self.WIRELAB_BUILD = {…};` and then the worker.
    pub fn script(&self) -> String {
        let build = serde_json::to_string(self).unwrap_or_else(|_| "null".to_owned());
        format!("self.WIRELAB_BUILD = {build};\n{WORKER_SOURCE}")
    }
}

fn collect(dir: &Path, url_prefix: &str, assets: &mut Vec<Asset>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else { continue };
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let url = format!("{url_prefix}/{name}");
        if entry.file_type()?.is_dir() {
            collect(&path, &url, assets)?;
        } else if !is_copy(dir, &name) {
            let digest = Sha256::digest(fs::read(&path)?);
            assets.push(Asset { url, integrity: format!("sha256-{}", BASE64.encode(digest)) });
        }
    }
    Ok(())
}

/// Whether `name` is a precompressed copy of a file beside it, or a copy being written.
fn is_copy(dir: &Path, name: &str) -> bool {
    name.ends_with(PARTIAL_SUFFIX)
        || COPY_SUFFIXES
            .iter()
            .any(|suffix| name.strip_suffix(suffix).is_some_and(|original| dir.join(original).is_file()))
}
