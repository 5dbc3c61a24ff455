//! Prints the confusion matrix of the built-in lexicon over a JSON Lines
//! file of labelled ads (`title`, `text`, `label`), with the misclassified
//! ads and their strongest evidence. `cargo run --example eval -- FILE...`
use classify_core::evaluation::Confusion;
use classify_core::{Ad, Classifier, Label};

fn main() {
    let classifier = Classifier::new();
    let mut confusion = Confusion::new();
    let verbose = std::env::var_os("VERBOSE").is_some();
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).expect("readable file");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("json line");
            let title = v["title"].as_str().unwrap_or("");
            let body = v["text"].as_str().unwrap_or("");
            let expected: Label = v["label"].as_str().unwrap().parse().unwrap();
            let verdict = classifier.classify(&Ad::new(title, body));
            confusion.add(expected, verdict.label);
            if verbose && verdict.label != expected {
                let f = |n: &str| {
                    verdict
                        .families
                        .iter()
                        .filter(|f| f.axis == n)
                        .map(|f| f.raw)
                        .sum::<f64>()
                };
                println!(
                    "{} expected {} got {} conf {:.2} social {:.2} share {:.2} | E {:.1} S {:.1} L {:.1} T {:.1} C {:.1} B {:.1} M {:.1} | {}",
                    v["id"].as_str().unwrap_or("?"), expected, verdict.label, verdict.confidence, verdict.social,
                    verdict.social_share, f("execution"), f("strategy"), f("levers"), f("team"), f("consulting"), f("breadth"), f("measure"),
                    title
                );
                let scores: Vec<String> = verdict
                    .scores
                    .iter()
                    .map(|s| format!("{} {:.2}", s.label, s.score))
                    .collect();
                println!("    scores: {}", scores.join(", "));
            }
        }
    }
    println!("{confusion}");
}
