//! The TLS port's certificate: the PEM files given with `--tls-cert`/`--tls-key`, or a self-signed
//! certificate for localhost, 127.0.0.1 and ::1 made once (rcgen) and kept in the data folder, so
//! a browser's exception for it survives restarts. Also what identifies it to a person or a
//! browser: the SHA-256 fingerprint of the certificate and of its public key (SPKI).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair};
use rustls::ServerConfig;
use rustls::crypto::CryptoProvider;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};

/// The names the generated certificate is valid for.
pub const GENERATED_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];
/// The generated certificate and key, inside the data folder.
const GENERATED_CERT_FILE: &str = "tls/localhost-cert.pem";
const GENERATED_KEY_FILE: &str = "tls/localhost-key.pem";
/// The protocols offered by ALPN, preferred first.
const ALPN_PROTOCOLS: [&[u8]; 2] = [b"h2", b"http/1.1"];

/// Where the certificate comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateSource {
    /// `--tls-cert` and `--tls-key`: PEM files (the certificate file may hold a chain).
    Files { cert: PathBuf, key: PathBuf },
    /// The self-signed certificate in `data_dir`, made on first use.
    Generated { data_dir: PathBuf },
}

/// A certificate ready to serve, and how to recognise it.
#[derive(Clone, Debug)]
pub struct TlsIdentity {
    pub(crate) server_config: Arc<ServerConfig>,
    /// The PEM file of the certificate (what a client is told to trust).
    pub cert_path: PathBuf,
    /// SHA-256 of the certificate's DER, as `AB:CD:...` (what `openssl x509 -fingerprint -sha256`
    /// and browsers' certificate viewers show).
    pub certificate_sha256: String,
    /// SHA-256 of the public key (SubjectPublicKeyInfo), base64: what Chromium's
    /// `--ignore-certificate-errors-spki-list` takes.
    pub spki_sha256_base64: String,
    /// Whether this start made the certificate (false when it was read from files).
    pub generated_now: bool,
}

impl TlsIdentity {
    /// Reads the certificate from `source`, making the self-signed one first if it is missing.
    pub fn load(source: &CertificateSource) -> io::Result<TlsIdentity> {
        let (cert_path, key_path, generated_now) = match source {
            CertificateSource::Files { cert, key } => (cert.clone(), key.clone(), false),
            CertificateSource::Generated { data_dir } => {
                let cert = data_dir.join(GENERATED_CERT_FILE);
                let key = data_dir.join(GENERATED_KEY_FILE);
                let generate = !(cert.exists() && key.exists());
                if generate {
                    write_self_signed(&cert, &key)?;
                }
                (cert, key, generate)
            }
        };
        let chain = read_chain(&cert_path)?;
        let key = PrivateKeyDer::from_pem_file(&key_path)
            .map_err(|error| invalid(format!("cannot read a private key from {}: {error}", key_path.display())))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let spki = public_key_info(&provider, &key, &key_path)?;
        let certificate_sha256 = colon_hex(&Sha256::digest(&chain[0]));
        let spki_sha256_base64 = STANDARD.encode(Sha256::digest(&spki));
        let mut server_config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| invalid(format!("TLS settings: {error}")))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|error| {
                invalid(format!(
                    "the certificate {} and the key {} do not go together: {error}",
                    cert_path.display(),
                    key_path.display()
                ))
            })?;
        server_config.alpn_protocols = ALPN_PROTOCOLS.iter().map(|protocol| protocol.to_vec()).collect();
        Ok(TlsIdentity {
            server_config: Arc::new(server_config),
            cert_path,
            certificate_sha256,
            spki_sha256_base64,
            generated_now,
        })
    }
}

/// `$XDG_DATA_HOME/wirelab`, else `~/.local/share/wirelab`, else `.wirelab` in the current folder.
pub fn default_data_dir() -> PathBuf {
    let non_empty = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty()).map(PathBuf::from);
    if let Some(data_home) = non_empty("XDG_DATA_HOME") {
        return data_home.join("wirelab");
    }
    match non_empty("HOME") {
        Some(home) => home.join(".local/share/wirelab"),
        None => PathBuf::from(".wirelab"),
    }
}

fn write_self_signed(cert_path: &Path, key_path: &Path) -> io::Result<()> {
    let names: Vec<String> = GENERATED_NAMES.iter().map(|name| (*name).to_owned()).collect();
    let generation = || -> Result<(String, String), rcgen::Error> {
        let mut params = CertificateParams::new(names)?;
        let mut subject = DistinguishedName::new();
        subject.push(DnType::CommonName, "Wirelab local certificate (localhost)");
        params.distinguished_name = subject;
        let key = KeyPair::generate()?;
        let cert = params.self_signed(&key)?;
        Ok((cert.pem(), key.serialize_pem()))
    };
    let (cert_pem, key_pem) =
        generation().map_err(|error| io::Error::other(format!("cannot make a certificate: {error}")))?;
    for path in [cert_path, key_path] {
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder).map_err(|error| {
                io::Error::new(error.kind(), format!("cannot create {}: {error}", folder.display()))
            })?;
        }
    }
    write_private(key_path, key_pem.as_bytes())?;
    fs::write(cert_path, cert_pem)
        .map_err(|error| io::Error::new(error.kind(), format!("cannot write {}: {error}", cert_path.display())))
}

/// Writes the key readable by its owner only (Unix).
fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|error| io::Error::new(error.kind(), format!("cannot write {}: {error}", path.display())))?;
    file.write_all(contents)
}

fn read_chain(path: &Path) -> io::Result<Vec<CertificateDer<'static>>> {
    let unreadable =
        |error: &dyn std::fmt::Display| invalid(format!("cannot read certificates from {}: {error}", path.display()));
    let chain = CertificateDer::pem_file_iter(path)
        .map_err(|error| unreadable(&error))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| unreadable(&error))?;
    if chain.is_empty() {
        return Err(invalid(format!("no certificate (-----BEGIN CERTIFICATE-----) in {}", path.display())));
    }
    Ok(chain)
}

/// The DER SubjectPublicKeyInfo of `key`'s public half, as the crypto provider computes it.
fn public_key_info(provider: &CryptoProvider, key: &PrivateKeyDer<'static>, path: &Path) -> io::Result<Vec<u8>> {
    let signing_key = provider
        .key_provider
        .load_private_key(key.clone_key())
        .map_err(|error| invalid(format!("unusable private key in {}: {error}", path.display())))?;
    match signing_key.public_key() {
        Some(spki) => Ok(spki.as_ref().to_vec()),
        None => Err(invalid(format!("cannot compute the public key of {}", path.display()))),
    }
}

/// `AB:CD:EF...`
fn colon_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02X}")).collect::<Vec<_>>().join(":")
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_certificate_is_made_once_and_reused() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let source = CertificateSource::Generated { data_dir: folder.path().to_owned() };
        let first = TlsIdentity::load(&source).expect("a first start");
        let second = TlsIdentity::load(&source).expect("a second start");
        assert_eq!((first.generated_now, second.generated_now), (true, false));
        assert_eq!(first.certificate_sha256, second.certificate_sha256);
        assert_eq!(first.spki_sha256_base64, second.spki_sha256_base64);
        assert_eq!(first.certificate_sha256.len(), 32 * 3 - 1);
        assert_eq!(first.server_config.alpn_protocols, [b"h2".to_vec(), b"http/1.1".to_vec()]);
    }

    #[test]
    fn unreadable_files_are_named_in_the_error() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let empty = folder.path().join("empty.pem");
        fs::write(&empty, "").expect("a file");
        let missing = folder.path().join("missing.pem");
        let cases = [(&empty, &empty, "no certificate"), (&missing, &missing, "missing.pem")];
        for (cert, key, expected) in cases {
            let source = CertificateSource::Files { cert: cert.clone(), key: key.clone() };
            let error = TlsIdentity::load(&source).map(|_| ()).expect_err("an error");
            assert!(error.to_string().contains(expected), "{error}");
        }
    }
}
