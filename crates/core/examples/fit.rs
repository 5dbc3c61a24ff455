//! Fits the decision models of the lexicon to labelled ads, reproducibly.
//!
//! ```text
//! cargo run --release -p classify-core --example fit -- fixtures/ads/*.jsonl
//! cargo run --release -p classify-core --example fit -- --write fixtures/ads/*.jsonl
//! ```
//!
//! Features come from the lexicon as it is (entries, weights, cues); only
//! the logistic models of `lexicon/decision.json` are fitted (starting from
//! the hand-set `lexicon/fit/decision-prior.json`, so that a rerun gives
//! the same file): the social
//! model on every ad (social-media role or not), and one model per
//! social-media label, one-versus-rest, on the social-media ads (the CM
//! model counts hybrid ads as positive: they have the hands-on profile). The
//! penalty pulls each weight towards the hand-set prior, not towards zero, so a weight moves only as far as
//! the data asks. The fit is deterministic: full-batch gradient descent,
//! fixed step count, no randomness.
//!
//! Before writing, it reports a 5-fold cross-validation (folds by position
//! in the input): the figures to quote, since fitted and tested on the same
//! ads the in-sample figures flatter the model.

use std::borrow::Cow;
use std::collections::BTreeMap;

use classify_core::evaluation::Confusion;
use classify_core::lexicon::{DecisionDef, ModelDef, FEATURES, SOCIAL_FEATURES};
use classify_core::{Ad, Classifier, Label, Lexicon};

/// Strength of the pull towards the prior.
const LAMBDA: f64 = 0.02;
const STEPS: usize = 4000;
const RATE: f64 = 0.5;

struct Sample {
    label: Label,
    title: String,
    text: String,
    features: BTreeMap<Cow<'static, str>, f64>,
}

fn vector(sample: &Sample, names: &[&str]) -> Vec<f64> {
    names.iter().map(|n| sample.features[*n]).collect()
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Logistic regression with an L2 pull towards `prior`.
fn fit(xs: &[Vec<f64>], ys: &[f64], prior: &ModelDef, names: &[&str]) -> ModelDef {
    let n = xs.len().max(1) as f64;
    let prior_w: Vec<f64> = names
        .iter()
        .map(|f| prior.weights.get(*f).copied().unwrap_or(0.0))
        .collect();
    let mut bias = prior.bias;
    let mut w = prior_w.clone();
    for _ in 0..STEPS {
        let mut grad_b = 0.0;
        let mut grad_w = vec![0.0; w.len()];
        for (x, &y) in xs.iter().zip(ys) {
            let z = bias + w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>();
            let err = sigmoid(z) - y;
            grad_b += err / n;
            for (g, xi) in grad_w.iter_mut().zip(x) {
                *g += err * xi / n;
            }
        }
        bias -= RATE * grad_b;
        for i in 0..w.len() {
            w[i] -= RATE * (grad_w[i] + LAMBDA * (w[i] - prior_w[i]));
        }
    }
    let round = |v: f64| (v * 100.0).round() / 100.0;
    ModelDef {
        bias: round(bias),
        weights: names
            .iter()
            .zip(&w)
            .filter(|(_, &v)| round(v) != 0.0)
            .map(|(name, &v)| (name.to_string(), round(v)))
            .collect(),
    }
}

fn fit_all(samples: &[&Sample], prior: &DecisionDef) -> DecisionDef {
    let mut def = prior.clone();
    let xs: Vec<Vec<f64>> = samples.iter().map(|s| vector(s, SOCIAL_FEATURES)).collect();
    let ys: Vec<f64> = samples
        .iter()
        .map(|s| f64::from(u8::from(s.label != Label::None)))
        .collect();
    def.social = fit(&xs, &ys, &prior.social, SOCIAL_FEATURES);
    let social: Vec<&&Sample> = samples.iter().filter(|s| s.label != Label::None).collect();
    let xs: Vec<Vec<f64>> = social.iter().map(|s| vector(s, FEATURES)).collect();
    for label in Label::SOCIAL {
        // The CM score is the hands-on profile, which hybrid ads have too.
        let ys: Vec<f64> = social
            .iter()
            .map(|s| {
                f64::from(u8::from(
                    s.label == label || (label == Label::Cm && s.label == Label::Hybrid),
                ))
            })
            .collect();
        def.labels
            .insert(label, fit(&xs, &ys, &prior.labels[&label], FEATURES));
    }
    def
}

fn with_decision(base: &Lexicon, def: &DecisionDef) -> Classifier {
    let mut doc = base.document().clone();
    doc.decision = Some(def.clone());
    let json = serde_json::to_string(&doc).expect("serializable");
    Classifier::with_lexicon(Lexicon::from_json("fitted", &json).expect("fitted lexicon is valid"))
}

fn main() {
    let mut write = false;
    let mut paths = Vec::new();
    for arg in std::env::args().skip(1) {
        if arg == "--write" {
            write = true;
        } else {
            paths.push(arg);
        }
    }
    let base = Lexicon::embedded();
    let classifier = Classifier::with_lexicon(base.clone());
    let mut samples = Vec::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("json line");
            let title = v["title"].as_str().unwrap_or("").to_string();
            let body = v["text"].as_str().unwrap_or("").to_string();
            let label: Label = v["label"]
                .as_str()
                .expect("label")
                .parse()
                .expect("valid label");
            let features = classifier.classify(&Ad::new(&title, &body)).features;
            samples.push(Sample {
                label,
                title,
                text: body,
                features,
            });
        }
    }
    let prior_path = "lexicon/fit/decision-prior.json";
    let prior_text =
        std::fs::read_to_string(prior_path).unwrap_or_else(|e| panic!("{prior_path}: {e}"));
    let prior_doc: classify_core::lexicon::LexiconSource =
        serde_json::from_str(&prior_text).unwrap_or_else(|e| panic!("{prior_path}: {e}"));
    let prior = prior_doc
        .decision
        .expect("the prior has a decision section");

    let mut before = Confusion::new();
    for s in &samples {
        before.add(
            s.label,
            classifier.classify(&Ad::new(&s.title, &s.text)).label,
        );
    }
    let mut cross = Confusion::new();
    for fold in 0..5 {
        let train: Vec<&Sample> = samples
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 5 != fold)
            .map(|(_, s)| s)
            .collect();
        let fitted = with_decision(&base, &fit_all(&train, &prior));
        for (_, s) in samples.iter().enumerate().filter(|(i, _)| i % 5 == fold) {
            cross.add(s.label, fitted.classify(&Ad::new(&s.title, &s.text)).label);
        }
    }
    let all: Vec<&Sample> = samples.iter().collect();
    let def = fit_all(&all, &prior);
    let fitted = with_decision(&base, &def);
    let mut after = Confusion::new();
    for s in &samples {
        after.add(s.label, fitted.classify(&Ad::new(&s.title, &s.text)).label);
    }
    println!("== current lexicon/decision.json, in sample\n{before}");
    println!("== fitted, 5-fold cross-validation\n{cross}");
    println!("== fitted, in sample\n{after}");
    if write {
        let section = serde_json::json!({ "decision": def });
        let text = serde_json::to_string_pretty(&section).expect("serializable") + "\n";
        std::fs::write("lexicon/decision.json", text).expect("lexicon/decision.json is writable");
        println!("wrote lexicon/decision.json");
    }
}
