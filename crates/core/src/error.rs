//! Errors of lexicon loading, the only fallible part of the library.
//!
//! Classifying is infallible; loading a lexicon is not, because lexicons are
//! data that people edit. Every error names the source (a file name, or the
//! name given to a string), the entry when there is one, and the reason, so
//! that the person who edited the file can go straight to the mistake.

use std::fmt;

/// What went wrong while loading a lexicon.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum LexiconErrorKind {
    /// The source could not be read.
    Io,
    /// The source is not valid JSON, or does not follow the schema.
    Json {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
    },
    /// An entry refers to a family that no source defines.
    UnknownFamily,
    /// A family is defined twice.
    DuplicateFamily,
    /// The same term appears twice.
    DuplicateEntry,
    /// Two entries reduce to the same stems (so the matcher could not tell
    /// them apart) but belong to different families or kinds.
    StemCollision,
    /// A term is empty, or made only of stop words.
    EmptyEntry,
    /// A phrase keeps a single word once stop words are dropped (`ton de la
    /// marque` is `marque`), so it would match far more than it says.
    PhraseOfOneWord,
    /// A term has more content words than [`MAX_ENTRY_WORDS`]: entries are
    /// phrases, and the cap keeps matching linear in the ad's length.
    ///
    /// [`MAX_ENTRY_WORDS`]: crate::lexicon::MAX_ENTRY_WORDS
    EntryTooLong,
    /// A weight is not a finite number in the allowed range.
    WeightOutOfRange,
    /// A provenance is neither `ads` nor a seed reference.
    BadSource,
    /// The decision section is missing or refers to unknown features.
    BadDecision,
}

/// An error while loading a lexicon, naming the file and the entry.
#[derive(Clone, Debug, PartialEq)]
pub struct LexiconError {
    kind: LexiconErrorKind,
    source_name: String,
    entry: Option<String>,
    message: String,
}

impl LexiconError {
    pub(crate) fn new(
        kind: LexiconErrorKind,
        source_name: &str,
        entry: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        LexiconError {
            kind,
            source_name: source_name.to_string(),
            entry: entry.map(str::to_string),
            message: message.into(),
        }
    }

    /// The kind of error, for programs that react to it.
    pub fn kind(&self) -> &LexiconErrorKind {
        &self.kind
    }

    /// The file (or source name) the error is in.
    pub fn source_name(&self) -> &str {
        &self.source_name
    }

    /// The entry the error is about, when there is one.
    pub fn entry(&self) -> Option<&str> {
        self.entry.as_deref()
    }

    /// The reason, in lower case, quoting the bad value.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for LexiconError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source_name)?;
        if let LexiconErrorKind::Json { line, column } = self.kind {
            write!(f, ":{line}:{column}")?;
        }
        if let Some(entry) = &self.entry {
            write!(f, ": entry {entry:?}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for LexiconError {}
