//! The reusable part of the `classify` command line: its record readers.
//!
//! The `classify` binary (`src/main.rs`) is glue over `classify_core`; the
//! one piece of it worth using on its own is the [`input`] module, which
//! turns standard input, files, folders, JSON Lines and CSV into a stream of
//! ads, each located (`FILE:LINE`) and each failure reported in its place.
//! It is a library so that other programs, and the fuzz target
//! `fuzz/fuzz_targets/readers.rs`, use the readers exactly as the binary
//! does, instead of compiling a copy of the source file.
//!
//! ```no_run
//! use classify_cli::input::{ReadOptions, Records, Source};
//!
//! let sources = vec![Source::Path { path: "offres.jsonl".into(), explicit: true }];
//! for item in Records::new(sources, ReadOptions::default()) {
//!     match item {
//!         Ok(record) => println!("{}: {}", record.id, record.title),
//!         Err(e) => eprintln!("classify: {e}"),
//!     }
//! }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod input;
