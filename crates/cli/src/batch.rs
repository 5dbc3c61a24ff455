//! Parallel classification that keeps the input order.
//!
//! Records are read in batches of [`BATCH_SIZE`]; each batch is split into
//! one contiguous chunk per thread (scoped threads sharing the one
//! immutable [`Classifier`], each with its own [`Scratch`]), and the
//! verdicts are put back in their records' places before the batch is handed
//! on. Output order is therefore the input order, whatever `--jobs` is, and
//! memory holds one batch at a time.

use std::io;
use std::ops::ControlFlow;

use classify_core::{Ad, Classifier, Scratch, Verdict};

use crate::input::{Location, ReadResult, Record, RecordError};

/// Records per batch: large enough to keep every core busy, small enough to
/// keep memory flat and output flowing.
pub const BATCH_SIZE: usize = 256;

/// Below this many records in a batch, threads cost more than they save.
const MIN_PARALLEL: usize = 8;

/// A record with its verdict, or the error that kept it from one.
#[derive(Debug)]
pub enum Outcome {
    /// Read and classified.
    Classified(Record, Verdict),
    /// Could not be read.
    Failed(RecordError),
}

impl Outcome {
    /// The record's id.
    pub fn id(&self) -> &str {
        match self {
            Outcome::Classified(r, _) => &r.id,
            Outcome::Failed(e) => &e.id,
        }
    }

    /// Where the record came from.
    pub fn source(&self) -> &Location {
        match self {
            Outcome::Classified(r, _) => &r.source,
            Outcome::Failed(e) => &e.source,
        }
    }
}

/// Classifies every record of `records` with `jobs` threads, handing each
/// batch of outcomes, in input order, to `sink`; stops early when the sink
/// says so. Returns the sink's first error.
pub fn classify_all<I, F>(
    records: I,
    classifier: &Classifier,
    jobs: usize,
    mut sink: F,
) -> io::Result<()>
where
    I: Iterator<Item = ReadResult>,
    F: FnMut(Vec<Outcome>) -> io::Result<ControlFlow<()>>,
{
    let mut records = records.peekable();
    // One scratch per thread for the whole run: its word cache then spans
    // every batch, so each distinct word is stemmed once per thread.
    let mut scratches: Vec<Scratch> = Vec::new();
    scratches.resize_with(jobs.max(1), Scratch::default);
    while records.peek().is_some() {
        let batch: Vec<ReadResult> = records.by_ref().take(BATCH_SIZE).collect();
        if sink(classify_batch(batch, classifier, &mut scratches))?.is_break() {
            break;
        }
    }
    Ok(())
}

/// Classifies one batch, keeping its order, with one thread per scratch.
pub fn classify_batch(
    batch: Vec<ReadResult>,
    classifier: &Classifier,
    scratches: &mut [Scratch],
) -> Vec<Outcome> {
    let mut verdicts: Vec<Option<Verdict>> = Vec::new();
    verdicts.resize_with(batch.len(), || None);
    let work = |records: &[ReadResult], out: &mut [Option<Verdict>], scratch: &mut Scratch| {
        for (record, slot) in records.iter().zip(out) {
            if let Ok(r) = record {
                *slot = Some(classifier.classify_with(&Ad::new(&r.title, &r.text), scratch));
            }
        }
    };
    let jobs = scratches.len();
    if jobs <= 1 || batch.len() < MIN_PARALLEL {
        work(&batch, &mut verdicts, &mut scratches[0]);
    } else {
        let chunk = batch.len().div_ceil(jobs);
        std::thread::scope(|s| {
            for ((records, out), scratch) in batch
                .chunks(chunk)
                .zip(verdicts.chunks_mut(chunk))
                .zip(scratches.iter_mut())
            {
                s.spawn(move || work(records, out, scratch));
            }
        });
    }
    batch
        .into_iter()
        .zip(verdicts)
        .map(|(record, verdict)| match (record, verdict) {
            (Ok(r), Some(v)) => Outcome::Classified(r, v),
            (Ok(_), None) => unreachable!("every read record is classified"),
            (Err(e), _) => Outcome::Failed(e),
        })
        .collect()
}
