//! Parallel classification that keeps the input order.
//!
//! With one job, records are read, classified and rendered on the calling
//! thread, [`BATCH_SIZE`] at a time. With more, the work is a bounded
//! pipeline whose stages overlap:
//!
//! * a **reader** thread reads records and cuts them into chunks (at most
//!   [`CHUNK_RECORDS`] records or [`CHUNK_BYTES`] of text each);
//! * `jobs` **workers** take chunks as they come, classify them (each
//!   with its own [`Scratch`], kept for the whole run, sharing the one
//!   immutable [`Classifier`]) and, for the machine formats, render them
//!   (then each worker classifies every ad into one reused [`Verdict`],
//!   and the outcomes keep only its label and scalar scores);
//! * the calling thread puts the chunks back in input order and hands them
//!   on: as they are when rendered, in batches of [`BATCH_SIZE`] outcomes
//!   otherwise (as the one-job path does: the human format aligns its
//!   columns per batch).
//!
//! The reader takes a token before reading each chunk and the calling
//! thread gives it back once the chunk is handed on, so at most
//! [`IN_FLIGHT_PER_JOB`] × `jobs` chunks exist at any time, however slow
//! one chunk or the output is: memory stays flat. Output order is the input
//! order and every record gives exactly one outcome, whatever `jobs` is.

use std::any::Any;
use std::collections::BTreeMap;
use std::io;
use std::ops::ControlFlow;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Mutex;

use classify_core::{Ad, Classifier, Scratch, Verdict};

use crate::input::{InputKind, Location, ReadOptions, ReadResult, Record, RecordError, Source};

/// Outcomes per batch handed to the sink: what a human-format batch aligns
/// its columns over, and how often the output is flushed.
pub const BATCH_SIZE: usize = 256;

/// Records per chunk of parallel work: small enough to spread the work
/// evenly over the workers.
pub const CHUNK_RECORDS: usize = 32;

/// Bytes of text (title, body and the raw line) after which a chunk is
/// cut, so that a few huge records do not make a huge chunk.
pub const CHUNK_BYTES: usize = 512 * 1024;

/// Chunks in flight per worker (being read, queued, classified, or waiting
/// for their turn to be written).
pub const IN_FLIGHT_PER_JOB: usize = 3;

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

/// Renders one outcome (a machine format) into a buffer; runs on the
/// workers.
pub type Render<'a> = &'a (dyn Fn(&Outcome, &mut Vec<u8>) + Sync);

/// The bytes of consecutive outcomes, rendered on the workers.
#[derive(Debug, Default)]
pub struct Rendered {
    bytes: Vec<u8>,
    /// Where each outcome's bytes end.
    ends: Vec<usize>,
}

impl Rendered {
    /// How many outcomes were rendered.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Every outcome's bytes, in order.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes of outcome `i`.
    pub fn item(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }

    /// Keeps the first `n` outcomes.
    pub fn truncate(&mut self, n: usize) {
        if n < self.ends.len() {
            let end = if n == 0 { 0 } else { self.ends[n - 1] };
            self.bytes.truncate(end);
            self.ends.truncate(n);
        }
    }

    fn push(&mut self, o: &Outcome, render: Render<'_>) {
        render(o, &mut self.bytes);
        self.ends.push(self.bytes.len());
    }

    fn append(&mut self, other: Rendered) {
        if self.ends.is_empty() {
            *self = other;
            return;
        }
        let base = self.bytes.len();
        self.bytes.extend_from_slice(&other.bytes);
        self.ends.extend(other.ends.iter().map(|e| e + base));
    }

    /// Splits off the first `n` outcomes.
    fn take_front(&mut self, n: usize) -> Rendered {
        if n >= self.ends.len() {
            return std::mem::take(self);
        }
        let end = if n == 0 { 0 } else { self.ends[n - 1] };
        let rest_bytes = self.bytes.split_off(end);
        let rest_ends = self
            .ends
            .split_off(n)
            .into_iter()
            .map(|e| e - end)
            .collect();
        Rendered {
            bytes: std::mem::replace(&mut self.bytes, rest_bytes),
            ends: std::mem::replace(&mut self.ends, rest_ends),
        }
    }
}

/// Consecutive outcomes in input order, with their rendered bytes when a
/// renderer was given (then `rendered.len() == outcomes.len()`, and the
/// outcomes keep only their ids, sources, labels, scalar scores and
/// errors: see [`process`]).
#[derive(Debug, Default)]
pub struct Batch {
    /// The outcomes.
    pub outcomes: Vec<Outcome>,
    /// Their rendering, or nothing.
    pub rendered: Rendered,
}

impl Batch {
    /// Keeps the first `n` outcomes (and their rendering).
    pub fn truncate(&mut self, n: usize) {
        self.outcomes.truncate(n);
        self.rendered.truncate(n);
    }

    fn append(&mut self, other: Batch) {
        if self.outcomes.is_empty() {
            *self = other;
            return;
        }
        self.outcomes.extend(other.outcomes);
        self.rendered.append(other.rendered);
    }

    fn take_front(&mut self, n: usize) -> Batch {
        let n = n.min(self.outcomes.len());
        let rest = self.outcomes.split_off(n);
        Batch {
            outcomes: std::mem::replace(&mut self.outcomes, rest),
            rendered: self.rendered.take_front(n),
        }
    }
}

/// Classifies (and, with `render`, renders) every record of the iterator
/// `records()` builds, with `jobs` workers, handing the outcomes in input
/// order to `sink` (in batches of [`BATCH_SIZE`] when nothing is rendered);
/// stops early when the sink says so. Returns the sink's first error.
///
/// `records` is called on the thread that reads (the readers need not be
/// `Send`).
pub fn classify_all<R, I, F>(
    records: R,
    classifier: &Classifier,
    jobs: usize,
    render: Option<Render<'_>>,
    mut sink: F,
) -> io::Result<()>
where
    R: FnOnce() -> I + Send,
    I: Iterator<Item = ReadResult>,
    F: FnMut(Batch) -> io::Result<ControlFlow<()>>,
{
    if jobs <= 1 {
        let mut records = records();
        let mut worker = Worker::default();
        loop {
            let chunk: Vec<ReadResult> = records.by_ref().take(BATCH_SIZE).collect();
            if chunk.is_empty() {
                return Ok(());
            }
            if sink(process(chunk, classifier, &mut worker, render))?.is_break() {
                return Ok(());
            }
        }
    }
    pipeline(records, classifier, jobs, render, &mut sink)
}

/// The workers worth starting for `sources`: one when they hold a single
/// ad (standard input or one file read whole, as text or HTML), where
/// starting threads would only add to the latency; `jobs` otherwise.
pub fn jobs_for(sources: &[Source], options: &ReadOptions, jobs: usize) -> usize {
    let whole =
        |kind: Option<InputKind>| matches!(kind, None | Some(InputKind::Text | InputKind::Html));
    let single = match sources {
        [Source::Stdin] => whole(options.forced),
        [Source::Path { path, explicit }] => {
            let by_extension = InputKind::from_path(path);
            let kind = if *explicit {
                options.forced.or(by_extension)
            } else {
                by_extension
            };
            path.is_file() && whole(kind)
        }
        _ => false,
    };
    if single {
        1
    } else {
        jobs
    }
}

/// What one thread keeps for the whole run: the classifier's buffers and,
/// when outcomes are rendered as they are classified, the one verdict
/// every ad is classified into.
#[derive(Debug, Default)]
struct Worker {
    scratch: Scratch,
    verdict: Verdict,
}

/// Classifies one chunk on the current thread.
///
/// Without `render`, each outcome holds its record and full verdict (the
/// formats for people, the delimited ones and `evaluate` read them in the
/// sink). With `render`, each ad is classified into the worker's one
/// verdict, reusing its allocations, and rendered from it; the outcome
/// then keeps only what the sink still reads (see [`slim`]).
fn process(
    chunk: Vec<ReadResult>,
    classifier: &Classifier,
    worker: &mut Worker,
    render: Option<Render<'_>>,
) -> Batch {
    let Some(render) = render else {
        let outcomes = chunk
            .into_iter()
            .map(|record| match record {
                Ok(r) => {
                    let ad = Ad::new(&r.title, &r.text);
                    let verdict = classifier.classify_with(&ad, &mut worker.scratch);
                    Outcome::Classified(r, verdict)
                }
                Err(e) => Outcome::Failed(e),
            })
            .collect();
        return Batch {
            outcomes,
            rendered: Rendered::default(),
        };
    };
    let mut rendered = Rendered::default();
    let outcomes = chunk
        .into_iter()
        .map(|record| {
            let mut o = match record {
                Ok(r) => {
                    let ad = Ad::new(&r.title, &r.text);
                    let mut verdict = std::mem::take(&mut worker.verdict);
                    classifier.classify_into(&ad, &mut worker.scratch, &mut verdict);
                    Outcome::Classified(r, verdict)
                }
                Err(e) => Outcome::Failed(e),
            };
            rendered.push(&o, render);
            slim(&mut o, &mut worker.verdict);
            o
        })
        .collect();
    Batch { outcomes, rendered }
}

/// The scalars of `v` (label, confidence, social scores) without its
/// details: a verdict that allocates nothing.
fn summary(v: &Verdict) -> Verdict {
    Verdict {
        label: v.label,
        confidence: v.confidence,
        social: v.social,
        social_share: v.social_share,
        ..Verdict::default()
    }
}

/// Takes out of a rendered outcome what the sink no longer needs: the
/// record's texts (dropped) and the verdict's details (the full verdict
/// goes back to `reuse`, for the worker's next ad; the outcome keeps its
/// [`summary`]). The sink of a rendered batch reads only ids, sources,
/// labels and errors (and writes the rendered bytes); freeing the texts
/// here, on the worker that allocated them, keeps that work off the
/// writing thread (it was 60 % of it).
fn slim(o: &mut Outcome, reuse: &mut Verdict) {
    match o {
        Outcome::Classified(record, verdict) => {
            record.title = String::new();
            record.text = String::new();
            record.raw = None;
            *reuse = std::mem::replace(verdict, summary(verdict));
        }
        Outcome::Failed(e) => e.raw = None,
    }
}

/// The next chunk of records: up to [`CHUNK_RECORDS`] records or
/// [`CHUNK_BYTES`] of text.
fn next_chunk(records: &mut impl Iterator<Item = ReadResult>) -> Vec<ReadResult> {
    let mut chunk = Vec::with_capacity(CHUNK_RECORDS);
    let mut bytes = 0;
    while chunk.len() < CHUNK_RECORDS && bytes < CHUNK_BYTES {
        let Some(record) = records.next() else { break };
        if let Ok(r) = &record {
            bytes += r.title.len() + r.text.len() + r.raw.as_ref().map_or(0, String::len);
        }
        chunk.push(record);
    }
    chunk
}

/// What a worker sends back: a classified chunk, or the panic that stopped
/// it.
type Done = (u64, Result<Batch, Box<dyn Any + Send>>);

fn pipeline<R, I, F>(
    records: R,
    classifier: &Classifier,
    jobs: usize,
    render: Option<Render<'_>>,
    sink: &mut F,
) -> io::Result<()>
where
    R: FnOnce() -> I + Send,
    I: Iterator<Item = ReadResult>,
    F: FnMut(Batch) -> io::Result<ControlFlow<()>>,
{
    let in_flight = IN_FLIGHT_PER_JOB * jobs;
    let (token_tx, token_rx) = mpsc::sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        token_tx
            .send(())
            .expect("the channel has room for every token");
    }
    let (work_tx, work_rx) = mpsc::sync_channel::<(u64, Vec<ReadResult>)>(in_flight);
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::channel::<Done>();
    // Set when the output stops early: the workers then skip what is left.
    let stop = AtomicBool::new(false);

    let mut result = Ok(());
    let mut panicked = None;
    std::thread::scope(|s| {
        s.spawn(move || {
            let mut records = records();
            let mut seq = 0u64;
            // No token: the writer stopped, or is far behind.
            while token_rx.recv().is_ok() {
                let chunk = next_chunk(&mut records);
                if chunk.is_empty() || work_tx.send((seq, chunk)).is_err() {
                    break;
                }
                seq += 1;
            }
        });
        for _ in 0..jobs {
            let done_tx = done_tx.clone();
            let (work_rx, stop) = (&work_rx, &stop);
            s.spawn(move || {
                let mut worker = Worker::default();
                loop {
                    let next = work_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok((seq, chunk))) = next else { break };
                    if stop.load(Ordering::Relaxed) {
                        continue;
                    }
                    let batch = panic::catch_unwind(AssertUnwindSafe(|| {
                        process(chunk, classifier, &mut worker, render)
                    }));
                    let failed = batch.is_err();
                    if done_tx.send((seq, batch)).is_err() || failed {
                        break;
                    }
                }
            });
        }
        drop(done_tx);

        // Put the chunks back in order and hand them on in full batches.
        let mut waiting: BTreeMap<u64, Batch> = BTreeMap::new();
        let mut next = 0u64;
        let mut pending = Batch::default();
        let mut token_tx = Some(token_tx);
        let mut stopped = false;
        for (seq, batch) in done_rx.iter() {
            if stopped {
                continue;
            }
            match batch {
                Ok(batch) => {
                    waiting.insert(seq, batch);
                }
                Err(payload) => {
                    panicked = Some(payload);
                    stopped = true;
                }
            }
            while !stopped {
                let Some(batch) = waiting.remove(&next) else {
                    break;
                };
                next += 1;
                pending.append(batch);
                // Rendered chunks go out as they are (their bytes do not
                // depend on the batch boundaries); the others in full
                // batches, as with one job.
                let full = if render.is_some() { 1 } else { BATCH_SIZE };
                while !stopped && pending.outcomes.len() >= full {
                    let size = if render.is_some() {
                        pending.outcomes.len()
                    } else {
                        BATCH_SIZE
                    };
                    match sink(pending.take_front(size)) {
                        Ok(ControlFlow::Continue(())) => {}
                        Ok(ControlFlow::Break(())) => stopped = true,
                        Err(e) => {
                            result = Err(e);
                            stopped = true;
                        }
                    }
                }
                if let Some(tx) = &token_tx {
                    let _ = tx.send(());
                }
            }
            if stopped {
                // Let the reader run dry and the workers skip the rest.
                stop.store(true, Ordering::Relaxed);
                token_tx = None;
            }
        }
        if !stopped && !pending.outcomes.is_empty() {
            result = sink(pending).map(|_| ());
        }
    });
    if let Some(payload) = panicked {
        panic::resume_unwind(payload);
    }
    result
}
