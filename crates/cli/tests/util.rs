//! Shared helpers: running the binary, temporary files, clear-cut ads.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The binary, with colour and terminal detection out of the way.
pub fn classify() -> Command {
    let mut cmd = Command::cargo_bin("classify").expect("binary built");
    cmd.env_remove("NO_COLOR");
    cmd
}

/// A clear-cut community manager ad.
pub const CM_TITLE: &str = "Community Manager H/F";
/// Its body: animation, moderation, publishing.
pub const CM_TEXT: &str = "Vous animez nos réseaux sociaux, modérez les commentaires et \
rédigez les publications du calendrier éditorial. Vous répondez aux messages privés.";

/// A clear-cut job with nothing to do with social media.
pub const BAKERY_TITLE: &str = "Vendeur en boulangerie H/F";
/// Its body.
pub const BAKERY_TEXT: &str = "Vous accueillez la clientèle, vendez le pain et les \
viennoiseries, tenez la caisse et veillez à la propreté du magasin.";

/// A run's standard error, as text.
pub fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A temporary folder.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary folder")
}

/// Writes `content` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, content).unwrap();
    path
}

/// One JSON Lines record.
pub fn jsonl_line(id: &str, title: &str, text: &str) -> String {
    serde_json::json!({"id": id, "title": title, "text": text}).to_string()
}

/// `n` alternating clear-cut ads as JSON Lines, ids `ad-0`, `ad-1`, …
pub fn many_ads(n: usize) -> String {
    (0..n)
        .map(|i| {
            let (t, x) = if i % 2 == 0 {
                (CM_TITLE, CM_TEXT)
            } else {
                (BAKERY_TITLE, BAKERY_TEXT)
            };
            jsonl_line(&format!("ad-{i}"), t, &format!("{x} Offre {i}."))
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Parses JSON Lines output into values.
pub fn parse_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8(stdout.to_vec())
        .expect("UTF-8 output")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

/// A fixture of labelled ads.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/ads")
        .join(name)
}
