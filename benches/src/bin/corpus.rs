//! Builds the throughput corpus: `corpus OUT MEGABYTES INPUT.jsonl...`
//! writes the ads of the inputs (`id`, `title`, `text`; other fields
//! dropped) to `OUT` as JSON Lines, over and over, until the file holds at
//! least `MEGABYTES` × 10⁶ bytes. Copy `n` of an ad gets the id `ID#n`.
//! Prints the bytes and ads written.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use classify_benches::JsonAd;
use serde::Serialize;

#[derive(Serialize)]
struct Line<'a> {
    id: String,
    title: &'a str,
    text: &'a str,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: corpus OUT MEGABYTES INPUT.jsonl...");
        return ExitCode::from(2);
    }
    let target: u64 = match args[1].parse::<u64>() {
        Ok(mb) => mb * 1_000_000,
        Err(e) => {
            eprintln!("corpus: bad size {:?}: {e}", args[1]);
            return ExitCode::from(2);
        }
    };
    let mut contents = Vec::new();
    for path in &args[2..] {
        match std::fs::read_to_string(path) {
            Ok(c) => contents.push(c),
            Err(e) => {
                eprintln!("corpus: cannot read {path}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let mut ads: Vec<JsonAd<'_>> = Vec::new();
    for (path, content) in args[2..].iter().zip(&contents) {
        for (n, line) in content.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str(line) {
                Ok(ad) => ads.push(ad),
                Err(e) => {
                    eprintln!("corpus: {path}:{}: {e}", n + 1);
                    return ExitCode::from(2);
                }
            }
        }
    }
    if ads.is_empty() {
        eprintln!("corpus: no ad in the inputs");
        return ExitCode::from(2);
    }
    let file = match File::create(&args[0]) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("corpus: cannot create {}: {e}", args[0]);
            return ExitCode::from(2);
        }
    };
    let mut out = BufWriter::new(file);
    let (mut bytes, mut count, mut copy) = (0u64, 0u64, 0u64);
    let mut line = Vec::new();
    while bytes < target {
        copy += 1;
        for ad in &ads {
            line.clear();
            let record = Line {
                id: format!("{}#{copy}", ad.id),
                title: &ad.title,
                text: &ad.text,
            };
            serde_json::to_writer(&mut line, &record).expect("strings serialize");
            line.push(b'\n');
            if let Err(e) = out.write_all(&line) {
                eprintln!("corpus: cannot write: {e}");
                return ExitCode::from(2);
            }
            bytes += line.len() as u64;
            count += 1;
        }
    }
    if let Err(e) = out.flush() {
        eprintln!("corpus: cannot write: {e}");
        return ExitCode::from(2);
    }
    println!("bytes={bytes} ads={count}");
    ExitCode::SUCCESS
}
