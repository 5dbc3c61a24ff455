//! Parallel classification that keeps the input order.
//!
//! With one job, records are read, classified and rendered on the calling
//! thread, [`BATCH_SIZE`] at a time. With more, the work is a bounded
//! pipeline whose stages overlap:
//!
//! * a **reader** thread reads records and cuts them into chunks (at most
//!   [`CHUNK_RECORDS`] records or [`CHUNK_BYTES`] of text each); when the
//!   chunks in flight are at their bound it classifies a queued one rather
//!   than wait, so it is one of the workers: `jobs` threads classify, not
//!   `jobs + 1` competing for `jobs` cores (reading is a tenth of the work);
//! * `jobs - 1` more **workers** take chunks as they come, classify them (each
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
use std::io::{self, Write};
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

/// Classifies every record of `records()` for a sub-command that reads the
/// verdicts itself (`evaluate`, `lexicon words`), handing each record and
/// its verdict to `each`, in input order. A record that cannot be read, or
/// that `each` refuses (`Err` with the message), is reported on stderr as
/// `classify: …` and counted; with `strict` the run stops there.
pub fn each_verdict<R, I>(
    records: R,
    classifier: &Classifier,
    jobs: usize,
    strict: bool,
    mut each: impl FnMut(Record, Verdict) -> Result<(), String>,
) -> io::Result<Tally>
where
    R: FnOnce() -> I + Send,
    I: Iterator<Item = ReadResult>,
{
    let mut tally = Tally::default();
    classify_all(records, classifier, jobs, None, |batch| {
        for o in batch.outcomes {
            let refused = match o {
                Outcome::Classified(record, verdict) => each(record, verdict).err(),
                Outcome::Failed(e) => Some(e.to_string()),
            };
            let Some(message) = refused else {
                tally.taken += 1;
                continue;
            };
            let _ = writeln!(io::stderr(), "classify: {message}");
            tally.failed += 1;
            if strict {
                return Ok(ControlFlow::Break(()));
            }
        }
        Ok(ControlFlow::Continue(()))
    })?;
    Ok(tally)
}

/// What [`each_verdict`] did with the records.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    /// Records `each` took.
    pub taken: u64,
    /// Records that could not be read, or that `each` refused.
    pub failed: u64,
}

impl Tally {
    /// When `each` took nothing, says so on stderr (`classify: no {what} in
    /// the input (N records failed)`) and gives the exit code: a report
    /// over no ad would read as a real one.
    pub fn refuse_empty(&self, what: &str) -> Option<u8> {
        if self.taken > 0 {
            return None;
        }
        let _ = writeln!(
            io::stderr(),
            "classify: no {what} in the input ({} records failed)",
            self.failed
        );
        Some(crate::EXIT_FAILED)
    }
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
    // Classifies one chunk and sends it on; `false` when the thread should
    // stop (the writer is gone, or the chunk panicked).
    let run =
        &|worker: &mut Worker, seq: u64, chunk: Vec<ReadResult>, done: &mpsc::Sender<Done>| {
            if stop.load(Ordering::Relaxed) {
                return true;
            }
            let batch = panic::catch_unwind(AssertUnwindSafe(|| {
                process(chunk, classifier, worker, render)
            }));
            let failed = batch.is_err();
            done.send((seq, batch)).is_ok() && !failed
        };
    // A chunk from the queue, if one waits. A worker that holds the lock is
    // blocked in `recv` on an empty queue: then there is none.
    let next_work = || work_rx.try_lock().ok().and_then(|rx| rx.try_recv().ok());
    std::thread::scope(|s| {
        // The reading thread is a worker too: while the chunks in flight
        // are at their bound it classifies one of them instead of waiting,
        // so `jobs` threads share the cores rather than `jobs + 1`.
        let done = done_tx.clone();
        s.spawn(move || {
            let mut records = records();
            let mut worker = Worker::default();
            let mut seq = 0u64;
            loop {
                match token_rx.try_recv() {
                    Ok(()) => {}
                    Err(mpsc::TryRecvError::Disconnected) => break,
                    Err(mpsc::TryRecvError::Empty) => {
                        if let Some((n, chunk)) = next_work() {
                            if !run(&mut worker, n, chunk, &done) {
                                return;
                            }
                            continue;
                        }
                        // Nothing queued: wait for the writer.
                        if token_rx.recv().is_err() {
                            break;
                        }
                    }
                }
                let chunk = next_chunk(&mut records);
                if chunk.is_empty() || work_tx.send((seq, chunk)).is_err() {
                    break;
                }
                seq += 1;
            }
            // Everything is read: help with what is queued.
            drop(work_tx);
            while let Some((n, chunk)) = next_work() {
                if !run(&mut worker, n, chunk, &done) {
                    return;
                }
            }
        });
        for _ in 1..jobs {
            let done = done_tx.clone();
            let work_rx = &work_rx;
            s.spawn(move || {
                let mut worker = Worker::default();
                loop {
                    let next = work_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok((seq, chunk))) = next else { break };
                    if !run(&mut worker, seq, chunk, &done) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn location(line: u64) -> Location {
        Location {
            file: Arc::from("t.jsonl"),
            line: Some(line),
        }
    }

    /// `n` records, every seventh an error and every eleventh a long ad, so
    /// chunks differ in size and cost.
    fn records(n: u64) -> impl Iterator<Item = ReadResult> + Send {
        (0..n).map(|i| {
            if i % 7 == 3 {
                return Err(RecordError {
                    source: location(i + 1),
                    id: format!("e{i}"),
                    message: "malformed JSON".into(),
                    raw: None,
                });
            }
            let text = if i % 11 == 0 {
                "Animer la communauté, modérer les commentaires. ".repeat(400)
            } else {
                format!("Annonce {i} : vous animez nos réseaux sociaux.")
            };
            Ok(Record {
                id: format!("r{i}"),
                title: "Community manager".into(),
                text,
                source: location(i + 1),
                label: None,
                raw: None,
            })
        })
    }

    fn render(o: &Outcome, out: &mut Vec<u8>) {
        out.extend_from_slice(o.id().as_bytes());
        out.push(b'\n');
    }

    /// Runs `classify_all` and returns the ids the sink saw, in order, with
    /// and without rendering.
    fn ids(n: u64, jobs: usize, rendered: bool) -> Vec<String> {
        let classifier = Classifier::new();
        let mut seen = Vec::new();
        let render: Option<Render<'_>> = rendered.then_some(&render);
        classify_all(
            || records(n),
            &classifier,
            jobs,
            render,
            |batch| {
                if rendered {
                    assert_eq!(batch.rendered.len(), batch.outcomes.len());
                    let text = String::from_utf8(batch.rendered.bytes().to_vec()).unwrap();
                    seen.extend(text.lines().map(str::to_string));
                } else {
                    seen.extend(batch.outcomes.iter().map(|o| o.id().to_string()));
                }
                Ok(ControlFlow::Continue(()))
            },
        )
        .unwrap();
        seen
    }

    #[test]
    fn every_record_once_in_input_order_whatever_the_jobs() {
        let n = 2_000;
        let expected: Vec<String> = records(n)
            .map(|r| match r {
                Ok(r) => r.id,
                Err(e) => e.id,
            })
            .collect();
        for jobs in [1, 2, 3, 5] {
            for rendered in [false, true] {
                assert_eq!(ids(n, jobs, rendered), expected, "jobs {jobs}");
            }
        }
    }

    #[test]
    fn a_sink_that_stops_ends_the_run() {
        let classifier = Classifier::new();
        for jobs in [1, 2, 4] {
            let mut calls = 0;
            let mut outcomes = 0;
            let render: Option<Render<'_>> = Some(&render);
            classify_all(
                || records(5_000),
                &classifier,
                jobs,
                render,
                |batch| {
                    calls += 1;
                    outcomes += batch.outcomes.len();
                    Ok(if calls == 3 {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    })
                },
            )
            .unwrap();
            assert_eq!(calls, 3, "jobs {jobs}");
            assert!(outcomes < 5_000, "jobs {jobs}: {outcomes}");
        }
    }

    #[test]
    fn a_sink_error_is_returned() {
        let classifier = Classifier::new();
        for jobs in [1, 2, 4] {
            let result = classify_all(
                || records(3_000),
                &classifier,
                jobs,
                None,
                |_| Err(io::Error::other("disk full")),
            );
            assert_eq!(result.unwrap_err().to_string(), "disk full", "jobs {jobs}");
        }
    }

    #[test]
    fn a_panicking_worker_panics_the_caller_instead_of_hanging() {
        let classifier = Classifier::new();
        let bomb = |o: &Outcome, out: &mut Vec<u8>| {
            assert_ne!(o.id(), "r1000", "boom");
            render(o, out);
        };
        for jobs in [2, 3] {
            let caught = panic::catch_unwind(AssertUnwindSafe(|| {
                let render: Option<Render<'_>> = Some(&bomb);
                classify_all(
                    || records(3_000),
                    &classifier,
                    jobs,
                    render,
                    |_| Ok(ControlFlow::Continue(())),
                )
            }));
            let payload = caught.expect_err("the panic reaches the caller");
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_default();
            assert!(message.contains("boom"), "jobs {jobs}: {message}");
        }
    }
}
