//! The FTP peer: libunftp (a real FTP server) over a temporary folder of sample files, with
//! unftp-sbe-fs as its storage (confined to the folder by cap-std) behind a wrapper that caps
//! uploads. Passive mode only (active mode would make the server connect wherever a client's
//! `PORT` says: the "FTP bounce"), data ports from `--ftp-passive-ports` on loopback, any name and
//! password accepted (libunftp's anonymous authenticator), `SITE MD5` off.
//!
//! The peer accepts connections itself, like the other peers (its port is known before the app
//! starts, and the per-peer connection cap applies), and hands each to libunftp's
//! `Server::service` inside the server's tokio runtime. libunftp gives a serviced connection no
//! way to be told to stop, so the peer keeps a second handle on the socket and shuts it down when
//! the server's shutdown is triggered: the control loop reads the end of the stream and finishes.

use std::fmt::Debug;
use std::io;
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use libunftp::ServerBuilder;
use libunftp::options::{ActivePassiveMode, PassiveHost, SiteMd5};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use unftp_core::auth::DefaultUser;
use unftp_core::storage::{Error, ErrorKind, FEATURE_RESTART, Fileinfo, Result, StorageBackend};
use unftp_sbe_fs::{Filesystem, Meta};

use super::Connection;

/// The default cap on one upload: 1 MiB.
pub const DEFAULT_FTP_MAX_UPLOAD_BYTES: u64 = 1024 * 1024;
/// The default passive data ports: IANA's dynamic range.
pub const DEFAULT_FTP_PASSIVE_PORTS: RangeInclusive<u16> = 49152..=65535;
/// The folder holds at most this many uploads' worth of bytes in all; past it STOR gets 452.
const UPLOADS_PER_FOLDER: u64 = 16;
/// Entries the folder-size walk looks at before it stops counting (and calls the folder full).
const MAX_ENTRIES_COUNTED: usize = 10_000;
/// How long a session may take to end after its socket is shut down at the server's shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

const GREETING: &str = "Wirelab's lab FTP server: any name and password will do (try anonymous)";

/// The sample files the folder starts with: (path, contents).
const SAMPLES: &[(&str, &[u8])] = &[
    (
        "readme.txt",
        b"Welcome to Wirelab's FTP peer.\r\n\
          This folder is temporary: it is made when the server starts and removed when it stops.\r\n\
          Try LIST, RETR readme.txt, CWD docs, and STOR something small.\r\n",
    ),
    ("bytes.bin", &SIXTEEN_BY_SIXTEEN),
    ("docs/protocol.txt", b"FTP: RFC 959. Passive mode: PASV (RFC 959), EPSV (RFC 2428).\r\n"),
];

/// Every byte value once, 0 to 255: the small binary sample.
const SIXTEEN_BY_SIXTEEN: [u8; 256] = {
    let mut bytes = [0u8; 256];
    let mut index = 0;
    while index < 256 {
        bytes[index] = index as u8;
        index += 1;
    }
    bytes
};

/// What every FTP session is made from: the folder, its caps and the passive ports.
#[derive(Clone, Debug)]
pub(crate) struct FtpSetup {
    folder: CappedFolder,
    passive_ports: RangeInclusive<u16>,
    idle_timeout: Duration,
}

impl FtpSetup {
    /// Fills `root` with the sample files and prepares the sessions' settings.
    pub(crate) fn new(
        root: &Path,
        max_upload_bytes: u64,
        passive_ports: RangeInclusive<u16>,
        idle_timeout: Duration,
    ) -> io::Result<Self> {
        for (path, contents) in SAMPLES {
            let path = root.join(path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, contents)?;
        }
        let folder = CappedFolder {
            filesystem: Arc::new(Filesystem::new(root)?),
            root: root.to_path_buf(),
            max_upload_bytes,
            max_folder_bytes: max_upload_bytes.saturating_mul(UPLOADS_PER_FOLDER),
        };
        Ok(Self { folder, passive_ports, idle_timeout })
    }
}

/// Serves one FTP control connection with libunftp until it ends or the server shuts down.
pub(super) async fn serve(stream: TcpStream, client: SocketAddr, connection: Connection, setup: Arc<FtpSetup>) {
    let context = &connection.context;
    let folder = setup.folder.clone();
    let server = ServerBuilder::new(Box::new(move || folder.clone()))
        .greeting(GREETING)
        .passive_ports(setup.passive_ports.clone())
        .passive_host(PassiveHost::FromConnection)
        .active_passive_mode(ActivePassiveMode::PassiveOnly)
        .sitemd5(SiteMd5::None)
        .idle_session_timeout(setup.idle_timeout.as_secs().max(1))
        .build();
    let server = match server {
        Ok(server) => server,
        Err(error) => {
            tracing::error!(peer = context.name, %client, %error, "cannot set up the FTP session");
            return;
        }
    };
    // A second handle on the socket, to end the session at shutdown (see the module's comment).
    let (stream, handle) = match stream.into_std().and_then(|std| Ok((std.try_clone()?, std))) {
        Ok((handle, std)) => match TcpStream::from_std(std) {
            Ok(stream) => (stream, handle),
            Err(error) => {
                tracing::warn!(peer = context.name, %client, %error, "cannot take over the connection");
                return;
            }
        },
        Err(error) => {
            tracing::warn!(peer = context.name, %client, %error, "cannot take over the connection");
            return;
        }
    };
    let session = server.service(stream);
    tokio::pin!(session);
    let ended = tokio::select! {
        ended = &mut session => ended,
        () = context.shutdown.triggered() => {
            if let Err(error) = handle.shutdown(std::net::Shutdown::Both) {
                tracing::debug!(peer = context.name, %client, %error, "shutting the FTP socket down failed");
            }
            match tokio::time::timeout(SHUTDOWN_GRACE, session).await {
                Ok(ended) => ended,
                Err(_) => {
                    tracing::warn!(peer = context.name, %client, "FTP session still running after the shutdown");
                    return;
                }
            }
        }
    };
    match ended {
        Ok(()) => tracing::debug!(peer = context.name, %client, "FTP connection closed"),
        Err(error) => tracing::debug!(peer = context.name, %client, %error, "FTP connection failed"),
    }
}

/// unftp-sbe-fs's folder with caps on uploads: one upload (STOR, APPE, or a REST restart, counted
/// to the file's end) may be at most `max_upload_bytes` (552 past it, and the file is removed),
/// and no upload starts once the folder holds `max_folder_bytes` (452).
#[derive(Clone, Debug)]
struct CappedFolder {
    filesystem: Arc<Filesystem>,
    root: PathBuf,
    max_upload_bytes: u64,
    max_folder_bytes: u64,
}

impl CappedFolder {
    fn inner(&self) -> &Filesystem {
        &self.filesystem
    }
}

#[async_trait]
impl StorageBackend<DefaultUser> for CappedFolder {
    type Metadata = Meta;

    fn name(&self) -> &str {
        "wirelab-capped-folder"
    }

    fn supported_features(&self) -> u32 {
        FEATURE_RESTART
    }

    async fn metadata<P: AsRef<Path> + Send + Debug>(&self, user: &DefaultUser, path: P) -> Result<Meta> {
        self.inner().metadata(user, path).await
    }

    async fn list<P>(&self, user: &DefaultUser, path: P) -> Result<Vec<Fileinfo<PathBuf, Meta>>>
    where
        P: AsRef<Path> + Send + Debug,
    {
        self.inner().list(user, path).await
    }

    async fn get<P: AsRef<Path> + Send + Debug>(
        &self,
        user: &DefaultUser,
        path: P,
        start_pos: u64,
    ) -> Result<Box<dyn tokio::io::AsyncRead + Send + Sync + Unpin>> {
        self.inner().get(user, path, start_pos).await
    }

    async fn put<P: AsRef<Path> + Send + Debug, R: tokio::io::AsyncRead + Send + Sync + Unpin + 'static>(
        &self,
        user: &DefaultUser,
        input: R,
        path: P,
        start_pos: u64,
    ) -> Result<u64> {
        let root = self.root.clone();
        let used = tokio::task::spawn_blocking(move || folder_bytes(&root)).await.unwrap_or(u64::MAX);
        if used >= self.max_folder_bytes {
            tracing::info!(peer = "ftp", used, cap = self.max_folder_bytes, "upload refused: the folder is full");
            return Err(Error::from(ErrorKind::InsufficientStorageSpaceError));
        }
        let path = path.as_ref().to_path_buf();
        let allowed = self.max_upload_bytes.saturating_sub(start_pos);
        // One byte more than allowed tells an upload over the cap from one that just fits.
        let written = self.inner().put(user, input.take(allowed.saturating_add(1)), &path, start_pos).await?;
        if written > allowed {
            tracing::info!(peer = "ftp", path = ?path, cap = self.max_upload_bytes, "upload over the cap: removed");
            if let Err(error) = self.inner().del(user, &path).await {
                tracing::warn!(peer = "ftp", path = ?path, %error, "cannot remove an upload over the cap");
            }
            return Err(Error::from(ErrorKind::ExceededStorageAllocationError));
        }
        tracing::info!(peer = "ftp", path = ?path, bytes = written, "upload stored");
        Ok(written)
    }

    async fn del<P: AsRef<Path> + Send + Debug>(&self, user: &DefaultUser, path: P) -> Result<()> {
        self.inner().del(user, path).await
    }

    async fn mkd<P: AsRef<Path> + Send + Debug>(&self, user: &DefaultUser, path: P) -> Result<()> {
        self.inner().mkd(user, path).await
    }

    async fn rename<P: AsRef<Path> + Send + Debug>(&self, user: &DefaultUser, from: P, to: P) -> Result<()> {
        self.inner().rename(user, from, to).await
    }

    async fn rmd<P: AsRef<Path> + Send + Debug>(&self, user: &DefaultUser, path: P) -> Result<()> {
        self.inner().rmd(user, path).await
    }

    async fn cwd<P: AsRef<Path> + Send + Debug>(&self, user: &DefaultUser, path: P) -> Result<()> {
        self.inner().cwd(user, path).await
    }
}

/// The bytes of every file under `root` (symbolic links not followed); past
/// [`MAX_ENTRIES_COUNTED`] entries the folder counts as full.
fn folder_bytes(root: &Path) -> u64 {
    let mut total: u64 = 0;
    let mut entries = 0;
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(listing) = std::fs::read_dir(&folder) else { continue };
        for entry in listing.flatten() {
            entries += 1;
            if entries > MAX_ENTRIES_COUNTED {
                return u64::MAX;
            }
            match entry.metadata() {
                Ok(metadata) if metadata.is_dir() => folders.push(entry.path()),
                Ok(metadata) => total = total.saturating_add(metadata.len()),
                Err(_) => {}
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_samples_are_written_and_counted() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let setup = FtpSetup::new(root.path(), 100, DEFAULT_FTP_PASSIVE_PORTS, Duration::from_secs(1));
        assert!(setup.is_ok());
        let expected: u64 = SAMPLES.iter().map(|(_, contents)| contents.len() as u64).sum();
        assert_eq!(folder_bytes(root.path()), expected);
        assert_eq!(std::fs::read(root.path().join("bytes.bin")).ok(), Some((0..=255).collect::<Vec<u8>>()));
    }
}
