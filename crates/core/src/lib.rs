//! Reads French job ads and says which social-media role they really
//! describe, with a confidence and the evidence behind it.
//!
//! Employers mix up *community manager* and *social media manager*: the same
//! missions appear under both titles. This crate reads the missions, not just
//! the title, and decides one of five [`Label`]s: [`Label::Cm`],
//! [`Label::Smm`], [`Label::Strategist`], [`Label::Hybrid`] or
//! [`Label::None`] for ads that are not social-media roles.
//!
//! # Overview
//!
//! * [`Classifier`]: built once from a [`Lexicon`] (the built-in one by
//!   default), immutable, `Send + Sync`; [`Classifier::classify`] takes an
//!   [`Ad`] and returns a [`Verdict`].
//! * [`Verdict`]: the label, a confidence, the ROME 4.0 codes, the score of
//!   every label and every mission family, and the [`Evidence`]: which
//!   lexicon entries matched, where (byte spans into the original title or
//!   body), and whether a negation covered them.
//! * [`Lexicon`]: mission families, role titles, context cues and decision
//!   thresholds, as JSON data validated on load ([`LexiconError`] names the
//!   file, the entry and the reason).
//!
//! The pipeline has one module per stage, data flowing one way:
//! [`normalize`] → [`tokenize`] → [`matcher`] → `score` → `decide`.
//!
//! # Example
//!
//! ```
//! use classify_core::{Ad, Classifier, Label};
//!
//! let classifier = Classifier::new();
//! let ad = Ad::new(
//!     "Social Media Manager (F/H)",
//!     "Vous définissez la stratégie social media, pilotez le budget des \
//!      campagnes Facebook Ads et LinkedIn Ads et encadrez deux community \
//!      managers. Vous présentez le ROI à la direction.",
//! );
//! let verdict = classifier.classify(&ad);
//! assert_eq!(verdict.label, Label::Smm);
//! assert_eq!(verdict.rome, ["E1124"]);
//! // Every piece of evidence points back into the original text.
//! for e in &verdict.evidence {
//!     let text = match e.section {
//!         classify_core::Section::Title => &ad.title,
//!         classify_core::Section::Body => &ad.text,
//!     };
//!     assert!(text.get(e.span.clone()).is_some());
//! }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod ad;
mod classifier;
mod decide;
mod error;
pub mod evaluation;
mod hash;
mod label;
pub mod lexicon;
pub mod matcher;
pub mod normalize;
mod score;
pub mod tokenize;
mod verdict;

pub use ad::{Ad, Section};
pub use classifier::{Classifier, Scratch};
pub use decide::confidence;
pub use error::{LexiconError, LexiconErrorKind};
pub use label::{Label, ParseLabelError};
pub use lexicon::{Lexicon, LexiconBuilder};
pub use verdict::{Evidence, EvidenceKind, FamilyScore, LabelScore, Verdict};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
