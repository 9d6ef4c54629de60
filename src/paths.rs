//! Where Parallax keeps its files: one platform data directory for the archive and the model.

use std::path::PathBuf;

/// The platform data directory for Parallax (`~/.local/share/parallax` on Linux,
/// `%APPDATA%\parallax\data` on Windows, `~/Library/Application Support/parallax` on macOS).
pub fn data_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "parallax")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".parallax"))
}
