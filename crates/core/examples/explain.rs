//! Prints the evidence of one ad of a JSON Lines file, by id:
//! `cargo run --example explain -- FILE ID`.
use classify_core::{Ad, Classifier, Section};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let classifier = Classifier::new();
    let text = std::fs::read_to_string(&args[0]).expect("readable file");
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json line");
        if v["id"].as_str() != Some(args[1].as_str()) {
            continue;
        }
        let ad = Ad::new(
            v["title"].as_str().unwrap_or(""),
            v["text"].as_str().unwrap_or(""),
        );
        let verdict = classifier.classify(&ad);
        println!(
            "{} {:.2} social {:.2}",
            verdict.label, verdict.confidence, verdict.social
        );
        for e in &verdict.evidence {
            let src = if e.section == Section::Title {
                &ad.title
            } else {
                &ad.text
            };
            println!(
                "  {:<6} {:<14} {:<32} {:>5.2} {}{} «{}»",
                format!("{:?}", e.section),
                e.family,
                e.entry,
                e.contribution,
                if e.negated { "NEG " } else { "" },
                if e.deferred { "DEF " } else { "" },
                &src[e.span.clone()]
            );
        }
    }
}
