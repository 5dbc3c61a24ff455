//! Shared helpers: loading the labelled fixtures and the real corpus.

use std::path::PathBuf;

use classify_core::Label;

/// One labelled ad.
#[derive(Clone, Debug)]
pub struct Labelled {
    pub id: String,
    pub title: String,
    pub text: String,
    pub label: Label,
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// Reads a JSON Lines file of labelled ads.
pub fn read_labelled(path: &std::path::Path) -> Vec<Labelled> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            let v: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1));
            let field = |name: &str| v[name].as_str().unwrap_or("").to_string();
            Labelled {
                id: field("id"),
                title: field("title"),
                text: field("text"),
                label: field("label")
                    .parse()
                    .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1)),
            }
        })
        .collect()
}

/// Every fixture ad, in file order (files sorted by name).
pub fn fixtures() -> Vec<Labelled> {
    let dir = root().join("fixtures/ads");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    files.iter().flat_map(|f| read_labelled(f)).collect()
}

/// The real corpus beside the repository (`../shared/corpus/real.jsonl`),
/// when it is there.
pub fn real_corpus() -> Option<Vec<Labelled>> {
    let path = root().join("../shared/corpus/real.jsonl");
    path.exists().then(|| read_labelled(&path))
}
