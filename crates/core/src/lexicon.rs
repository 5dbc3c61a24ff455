//! The lexicon: mission families, role titles, context cues and decision
//! thresholds, as data that a recruiter can read and edit.
//!
//! A lexicon is made of one or more JSON *sources* (the built-in one is the
//! files of the repository's `lexicon/` folder, embedded at compile time).
//! Each source may hold any of the sections `families`, `entries` (entries
//! added to a family defined in another source), `titles`, `cues` and
//! `decision`; the sources are merged, then validated and compiled: every
//! term goes through the same normalization, stemming and folding as ad
//! text, so an entry matches exactly the words it would match in an ad.
//!
//! Loading rejects, with the source, the entry and the reason: malformed
//! JSON (with line and column), unknown fields, an unknown family, a family
//! defined twice, an empty entry (nothing left after stop words), a phrase
//! left with one word by the stop words (`ton de la marque` would match
//! every `marque`), a duplicate entry, two entries that reduce to the same
//! stems in different families, a weight out of range, a bad provenance, and a decision section
//! that is missing or names unknown features.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{LexiconError, LexiconErrorKind};
use crate::label::Label;
use crate::normalize::normalize;
use crate::tokenize::{fold, Stemmer, Vocabulary};

/// The highest weight an entry may carry.
pub const MAX_WEIGHT: f64 = 10.0;

/// The most content words (stop words excluded) an entry may have. The
/// longest built-in entry has five; the cap bounds the matcher's work per
/// token, so that classifying stays linear in the ad's length whatever
/// lexicon a user loads.
pub const MAX_ENTRY_WORDS: usize = 12;

/// What a mission family tells about the job; label models weigh axes, not
/// single families.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Axis {
    /// Social platforms and their vocabulary: says the ad is about social
    /// media, not what the job does there.
    Social,
    /// Hands-on work: animate, moderate, publish, reply.
    Execution,
    /// Owning the social-media strategy and editorial line.
    Strategy,
    /// Marketing levers: budget, paid campaigns, acquisition, ROI.
    Levers,
    /// People: supervising community managers, agencies, freelancers.
    Team,
    /// Consulting: audits, benchmarks, recommendations to clients.
    Consulting,
    /// Breadth beyond social media: projects, web, SEO, e-reputation, events.
    Breadth,
    /// Measuring: KPIs, reporting, dashboards.
    Measure,
    /// Watch (veille) and listening.
    Watch,
}

impl Axis {
    /// Every axis, in a fixed order.
    pub const ALL: [Axis; 9] = [
        Axis::Social,
        Axis::Execution,
        Axis::Strategy,
        Axis::Levers,
        Axis::Team,
        Axis::Consulting,
        Axis::Breadth,
        Axis::Measure,
        Axis::Watch,
    ];

    /// The axis as written in data files.
    pub fn as_str(self) -> &'static str {
        match self {
            Axis::Social => "social",
            Axis::Execution => "execution",
            Axis::Strategy => "strategy",
            Axis::Levers => "levers",
            Axis::Team => "team",
            Axis::Consulting => "consulting",
            Axis::Breadth => "breadth",
            Axis::Measure => "measure",
            Axis::Watch => "watch",
        }
    }

    /// Position in [`Axis::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// What a context cue does to the words around it or to the ad.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CueEffect {
    /// `sans`, `pas de`, `ne … pas`: the entries that follow count against.
    Negation,
    /// `appliquer`, `respecter`, `participer à`: the strategy that follows
    /// is someone else's; it counts as execution.
    Defer,
    /// `définir`, `élaborer`, `piloter`: the strategy that follows is owned.
    Own,
    /// Cancels a cue it overlaps (`sans oublier` is no negation).
    Cancel,
    /// An agency context (`agence`, `nos clients`).
    Agency,
    /// An in-house context (`annonceur`, `au sein de notre entreprise`).
    Advertiser,
    /// One person holds it all (`seul(e)`, `polyvalent`, `couteau suisse`).
    Alone,
    /// Junior level (`stage`, `alternance`, `junior`).
    Junior,
    /// Senior level (`senior`, `head`, `10 ans`).
    Senior,
}

impl CueEffect {
    /// The effect as written in data files.
    pub fn as_str(self) -> &'static str {
        match self {
            CueEffect::Negation => "negation",
            CueEffect::Defer => "defer",
            CueEffect::Own => "own",
            CueEffect::Cancel => "cancel",
            CueEffect::Agency => "agency",
            CueEffect::Advertiser => "advertiser",
            CueEffect::Alone => "alone",
            CueEffect::Junior => "junior",
            CueEffect::Senior => "senior",
        }
    }

    /// True for the cues that modify the entries following them.
    pub fn is_scoped(self) -> bool {
        matches!(
            self,
            CueEffect::Negation | CueEffect::Defer | CueEffect::Own
        )
    }
}

// ---------------------------------------------------------------------------
// The schema of a source file.
// ---------------------------------------------------------------------------

/// One lexicon source file, as written by people. Every section is optional;
/// sources are merged.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LexiconSource {
    /// Mission families with their entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub families: Vec<FamilyDef>,
    /// Entries added to families defined in another source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<FlatEntryDef>,
    /// Role titles: evidence for a label, strongest in the ad's title.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub titles: Vec<TitleDef>,
    /// Context and negation cues.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cues: Vec<CueDef>,
    /// Scoring parameters and decision thresholds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionDef>,
}

/// A mission family: a kind of task an ad may describe.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilyDef {
    /// Short identifier, such as `moderation`.
    pub id: String,
    /// What the family tells about the job.
    pub axis: Axis,
    /// True when the family's entries are social-media missions by
    /// themselves (moderating comments is; writing a press release is not).
    #[serde(default)]
    pub social: bool,
    /// One sentence for the people who edit the file.
    #[serde(default)]
    pub description: String,
    /// The terms of the family.
    pub entries: Vec<EntryDef>,
}

/// One term of a mission family.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryDef {
    /// A word or phrase, written as in an ad (`répondre aux commentaires`).
    pub term: String,
    /// How much one occurrence weighs, in (0, 10].
    pub weight: f64,
    /// Provenance: `seeds/NNN` (a seed article), `roles` (ROLES.md) or
    /// `ads` (real ad vocabulary).
    pub source: String,
    /// Overrides the family's `social` flag for this entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub social: Option<bool>,
}

/// An entry added to a family defined elsewhere.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlatEntryDef {
    /// The family the entry belongs to.
    pub family: String,
    /// The entry itself.
    #[serde(flatten)]
    pub entry: EntryDef,
}

/// A role title, evidence for one label (or for `NONE`, for the usual near
/// misses such as `chargé de communication`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TitleDef {
    /// The title as written in ads.
    pub term: String,
    /// The label the title names.
    pub label: Label,
    /// How strongly the title names it, in (0, 10].
    pub weight: f64,
    /// Provenance, as for entries.
    pub source: String,
}

/// A context or negation cue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CueDef {
    /// The cue as written in ads.
    pub term: String,
    /// What it does.
    pub effect: CueEffect,
    /// Provenance, as for entries.
    pub source: String,
}

/// A linear model: a bias plus weighted features, squashed by a logistic.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelDef {
    /// The value of the logit when every feature is zero.
    pub bias: f64,
    /// Weight of each feature, by feature name (see [`FEATURES`]).
    pub weights: BTreeMap<String, f64>,
}

/// Scoring parameters and decision thresholds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionDef {
    /// Multiplier of mission entries found in the title.
    pub title_section_weight: f64,
    /// Multiplier of role titles found in the body ("vous encadrerez les
    /// community managers" is weak evidence for CM).
    pub title_in_body_weight: f64,
    /// Each further occurrence of an entry counts this much of the previous.
    pub repeat_decay: f64,
    /// Occurrences of one entry beyond this count add nothing.
    pub max_repeats: u32,
    /// Raw family sums are squashed as `1 - exp(-sum / saturation)`.
    pub saturation: f64,
    /// How many tokens after a scoped cue (negation, defer, own) it covers.
    pub cue_scope: u32,
    /// Share of a deferred strategy entry that counts as execution.
    pub deferred_weight: f64,
    /// Multiplier of a strategy entry under an ownership cue.
    pub owned_weight: f64,
    /// Is social media at the heart of the ad? Features: `share` (of
    /// mission units about social media), `units` (how many, capped),
    /// `title_social`, `title_none`, `title_role`.
    pub social: ModelDef,
    /// Units beyond this count add nothing to the `units` feature.
    pub max_social_units: u32,
    /// Below this social score the ad is `NONE`.
    pub social_threshold: f64,
    /// One model per social-media label.
    pub labels: BTreeMap<Label, ModelDef>,
    /// Confidence grows with the margin between the two best labels: a
    /// margin of this much gives full confidence.
    pub confidence_margin: f64,
}

/// Feature names that label models may weigh.
pub const FEATURES: &[&str] = &[
    "execution",
    "strategy",
    "levers",
    "team",
    "consulting",
    "breadth",
    "measure",
    "watch",
    "execution_x_strategy",
    "strategy_no_execution",
    "title_cm",
    "title_smm",
    "title_strategist",
    "title_hybrid",
    "agency",
    "advertiser",
    "alone",
    "junior",
    "senior",
];

/// Feature names of the social model.
pub const SOCIAL_FEATURES: &[&str] =
    &["share", "units", "title_social", "title_none", "title_role"];

// ---------------------------------------------------------------------------
// The compiled lexicon.
// ---------------------------------------------------------------------------

/// A compiled mission family.
#[derive(Clone, Debug, PartialEq)]
pub struct Family {
    /// Identifier, as in the data file.
    pub id: String,
    /// What the family tells about the job.
    pub axis: Axis,
    /// One sentence for people.
    pub description: String,
}

/// What kind of evidence an entry gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// A mission term, by family index (see [`Lexicon::families`]).
    Mission(usize),
    /// A role title naming a label.
    Title(Label),
    /// A context or negation cue.
    Cue(CueEffect),
}

/// A compiled entry: the term, what it is evidence of, and its keys.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The term as written in the data file.
    pub term: String,
    /// What it is evidence of.
    pub kind: EntryKind,
    /// Its weight (1 for cues).
    pub weight: f64,
    /// Its provenance.
    pub source: String,
    /// True when it marks a unit as a social-media mission.
    pub social: bool,
    /// Stem keys, in order, that the matcher looks for.
    pub keys: Vec<u32>,
}

/// Scoring parameters in the form the scorer uses.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub(crate) def: DecisionDef,
    /// Label models as dense weight vectors over [`FEATURES`].
    pub(crate) label_models: [(f64, Vec<f64>); 4],
    /// Social model as a dense weight vector over [`SOCIAL_FEATURES`].
    pub(crate) social_model: (f64, Vec<f64>),
}

impl Decision {
    /// The parameters as written in the data file.
    pub fn def(&self) -> &DecisionDef {
        &self.def
    }
}

/// A validated, compiled lexicon. Immutable; share it (or the
/// [`Classifier`](crate::Classifier) holding it) between threads.
#[derive(Clone, Debug)]
pub struct Lexicon {
    families: Vec<Family>,
    entries: Vec<Entry>,
    vocabulary: Vocabulary,
    decision: Decision,
    document: LexiconSource,
}

/// The built-in lexicon sources: the files of `lexicon/`, in load order.
pub const EMBEDDED_SOURCES: &[(&str, &str)] = &[
    (
        "lexicon/social.json",
        include_str!("../lexicon/social.json"),
    ),
    (
        "lexicon/execution.json",
        include_str!("../lexicon/execution.json"),
    ),
    (
        "lexicon/strategy.json",
        include_str!("../lexicon/strategy.json"),
    ),
    (
        "lexicon/levers.json",
        include_str!("../lexicon/levers.json"),
    ),
    (
        "lexicon/breadth.json",
        include_str!("../lexicon/breadth.json"),
    ),
    (
        "lexicon/titles.json",
        include_str!("../lexicon/titles.json"),
    ),
    ("lexicon/cues.json", include_str!("../lexicon/cues.json")),
    (
        "lexicon/decision.json",
        include_str!("../lexicon/decision.json"),
    ),
];

impl Lexicon {
    /// The built-in lexicon. Tests prove it valid, hence no `Result`.
    pub fn embedded() -> Lexicon {
        let mut builder = LexiconBuilder::new();
        for (name, text) in EMBEDDED_SOURCES {
            builder
                .add_json(name, text)
                .expect("the embedded lexicon is valid (tested)");
        }
        builder
            .build()
            .expect("the embedded lexicon is valid (tested)")
    }

    /// A lexicon from one JSON document holding every section (such as the
    /// output of [`Lexicon::to_json`]). `name` is used in error messages.
    pub fn from_json(name: &str, json: &str) -> Result<Lexicon, LexiconError> {
        let mut builder = LexiconBuilder::new();
        builder.add_json(name, json)?;
        builder.build()
    }

    /// A lexicon from a file, or from every `.json` file of a folder (in
    /// name order).
    pub fn from_path(path: &Path) -> Result<Lexicon, LexiconError> {
        let mut builder = LexiconBuilder::new();
        builder.add_path(path)?;
        builder.build()
    }

    /// The mission families, in definition order.
    pub fn families(&self) -> &[Family] {
        &self.families
    }

    /// Every compiled entry: mission terms, titles and cues.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The stems the entries use.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// The scoring parameters.
    pub fn decision(&self) -> &Decision {
        &self.decision
    }

    /// The merged lexicon as one source document.
    pub fn document(&self) -> &LexiconSource {
        &self.document
    }

    /// What an evidence item of `entry` says it is evidence of, in
    /// [`Evidence::family`](crate::Evidence::family): the family id of a
    /// mission term, the label of a title, the effect of a cue.
    pub fn evidence_family<'a>(&'a self, entry: &Entry) -> &'a str {
        match entry.kind {
            EntryKind::Mission(f) => self.families.get(f).map_or("", |f| f.id.as_str()),
            EntryKind::Title(label) => label.as_str(),
            EntryKind::Cue(effect) => effect.as_str(),
        }
    }

    /// The merged lexicon as one pretty-printed JSON document, loadable by
    /// [`Lexicon::from_json`]: a starting point for a custom lexicon.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.document).expect("lexicon documents serialize")
    }
}

/// Collects lexicon sources, then validates and compiles them.
#[derive(Clone, Debug, Default)]
pub struct LexiconBuilder {
    names: Vec<String>,
    sources: Vec<LexiconSource>,
}

impl LexiconBuilder {
    /// A builder with no source.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one JSON source; `name` (usually the file name) is used in
    /// error messages.
    pub fn add_json(&mut self, name: &str, json: &str) -> Result<&mut Self, LexiconError> {
        let source: LexiconSource = serde_json::from_str(json).map_err(|e| json_error(name, &e))?;
        self.names.push(name.to_string());
        self.sources.push(source);
        Ok(self)
    }

    /// Adds a file, or every `.json` file of a folder in name order.
    pub fn add_path(&mut self, path: &Path) -> Result<&mut Self, LexiconError> {
        let name = path.display().to_string();
        let io = |e: std::io::Error| {
            LexiconError::new(
                LexiconErrorKind::Io,
                &name,
                None,
                e.to_string().to_lowercase(),
            )
        };
        if path.is_dir() {
            let mut files: Vec<_> = std::fs::read_dir(path)
                .map_err(io)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(LexiconError::new(
                    LexiconErrorKind::Io,
                    &name,
                    None,
                    "folder holds no .json file",
                ));
            }
            for file in files {
                self.add_path(&file)?;
            }
            return Ok(self);
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        self.add_json(&name, &text)
    }

    /// Validates and compiles the sources.
    pub fn build(&self) -> Result<Lexicon, LexiconError> {
        Compiler::new(&self.names).compile(&self.sources)
    }
}

fn json_error(name: &str, e: &serde_json::Error) -> LexiconError {
    let full = e.to_string();
    let message = match full.rfind(" at line ") {
        Some(k) => full[..k].to_string(),
        None => full,
    };
    LexiconError::new(
        LexiconErrorKind::Json {
            line: e.line(),
            column: e.column(),
        },
        name,
        None,
        message,
    )
}

fn check_source(origin: &str, term: &str, source: &str) -> Result<(), LexiconError> {
    let ok = source == "ads"
        || source == "roles"
        || source
            .strip_prefix("seeds/")
            .is_some_and(|n| n.len() == 3 && n.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(LexiconError::new(
            LexiconErrorKind::BadSource,
            origin,
            Some(term),
            format!("provenance {source:?} is not \"ads\", \"roles\" or \"seeds/NNN\""),
        ))
    }
}

fn check_weight(origin: &str, term: &str, weight: f64) -> Result<(), LexiconError> {
    if weight.is_finite() && weight > 0.0 && weight <= MAX_WEIGHT {
        Ok(())
    } else {
        Err(LexiconError::new(
            LexiconErrorKind::WeightOutOfRange,
            origin,
            Some(term),
            format!("weight {weight} is out of range (0, {MAX_WEIGHT}]"),
        ))
    }
}

struct Compiler<'n> {
    names: &'n [String],
    stemmer: Stemmer,
    vocabulary: Vocabulary,
    entries: Vec<Entry>,
    /// Where each entry came from (source index), for error messages.
    origins: Vec<usize>,
    by_keys: HashMap<Vec<u32>, usize>,
    scratch: String,
}

impl<'n> Compiler<'n> {
    fn new(names: &'n [String]) -> Self {
        Compiler {
            names,
            stemmer: Stemmer::new(),
            vocabulary: Vocabulary::default(),
            entries: Vec::new(),
            origins: Vec::new(),
            by_keys: HashMap::new(),
            scratch: String::new(),
        }
    }

    fn name(&self, origin: usize) -> &str {
        self.names.get(origin).map_or("<lexicon>", String::as_str)
    }

    fn compile(mut self, sources: &[LexiconSource]) -> Result<Lexicon, LexiconError> {
        // Merge: families first (from every source), so that flat entries
        // may refer to a family defined in a later source.
        let mut families: Vec<Family> = Vec::new();
        let mut family_defs: Vec<(usize, FamilyDef)> = Vec::new();
        for (origin, source) in sources.iter().enumerate() {
            for def in &source.families {
                if families.iter().any(|f| f.id == def.id) {
                    return Err(LexiconError::new(
                        LexiconErrorKind::DuplicateFamily,
                        self.name(origin),
                        None,
                        format!("family {:?} is defined twice", def.id),
                    ));
                }
                if def.id.trim().is_empty() {
                    return Err(LexiconError::new(
                        LexiconErrorKind::EmptyEntry,
                        self.name(origin),
                        None,
                        "a family has an empty id",
                    ));
                }
                families.push(Family {
                    id: def.id.clone(),
                    axis: def.axis,
                    description: def.description.clone(),
                });
                family_defs.push((origin, def.clone()));
            }
        }
        // Entries of each family, its own then the flat ones, keeping the
        // source each came from.
        let mut per_family: Vec<Vec<(usize, EntryDef)>> = family_defs
            .iter()
            .map(|(origin, def)| def.entries.iter().map(|e| (*origin, e.clone())).collect())
            .collect();
        for (origin, source) in sources.iter().enumerate() {
            for flat in &source.entries {
                let Some(index) = families.iter().position(|f| f.id == flat.family) else {
                    return Err(LexiconError::new(
                        LexiconErrorKind::UnknownFamily,
                        self.name(origin),
                        Some(&flat.entry.term),
                        format!("unknown family {:?}", flat.family),
                    ));
                };
                per_family[index].push((origin, flat.entry.clone()));
            }
        }
        for (index, entries) in per_family.iter().enumerate() {
            let family_social = family_defs[index].1.social;
            for (origin, def) in entries {
                let name = self.name(*origin).to_string();
                check_weight(&name, &def.term, def.weight)?;
                check_source(&name, &def.term, &def.source)?;
                self.add(
                    *origin,
                    Entry {
                        term: def.term.clone(),
                        kind: EntryKind::Mission(index),
                        weight: def.weight,
                        source: def.source.clone(),
                        social: def.social.unwrap_or(family_social),
                        keys: Vec::new(),
                    },
                    &families,
                )?;
            }
        }
        for (origin, source) in sources.iter().enumerate() {
            let name = self.name(origin).to_string();
            for def in &source.titles {
                check_weight(&name, &def.term, def.weight)?;
                check_source(&name, &def.term, &def.source)?;
                self.add(
                    origin,
                    Entry {
                        term: def.term.clone(),
                        kind: EntryKind::Title(def.label),
                        weight: def.weight,
                        source: def.source.clone(),
                        social: def.label != Label::None,
                        keys: Vec::new(),
                    },
                    &families,
                )?;
            }
            for def in &source.cues {
                check_source(&name, &def.term, &def.source)?;
                self.add(
                    origin,
                    Entry {
                        term: def.term.clone(),
                        kind: EntryKind::Cue(def.effect),
                        weight: 1.0,
                        source: def.source.clone(),
                        social: false,
                        keys: Vec::new(),
                    },
                    &families,
                )?;
            }
        }
        let mut decisions = sources
            .iter()
            .enumerate()
            .filter_map(|(origin, s)| s.decision.as_ref().map(|d| (origin, d)));
        let (decision_origin, decision_def) = decisions.next().ok_or_else(|| {
            LexiconError::new(
                LexiconErrorKind::BadDecision,
                self.names.last().map_or("<lexicon>", String::as_str),
                None,
                "no source has a \"decision\" section",
            )
        })?;
        if let Some((origin, _)) = decisions.next() {
            return Err(LexiconError::new(
                LexiconErrorKind::BadDecision,
                self.name(origin),
                None,
                format!(
                    "a second \"decision\" section (the first is in {})",
                    self.name(decision_origin)
                ),
            ));
        }
        let decision = compile_decision(self.name(decision_origin), decision_def)?;

        let document = LexiconSource {
            families: family_defs
                .iter()
                .zip(&per_family)
                .map(|((_, def), entries)| FamilyDef {
                    entries: entries.iter().map(|(_, e)| e.clone()).collect(),
                    ..def.clone()
                })
                .collect(),
            entries: Vec::new(),
            titles: sources
                .iter()
                .flat_map(|s| s.titles.iter().cloned())
                .collect(),
            cues: sources
                .iter()
                .flat_map(|s| s.cues.iter().cloned())
                .collect(),
            decision: Some(decision_def.clone()),
        };
        Ok(Lexicon {
            families,
            entries: self.entries,
            vocabulary: self.vocabulary,
            decision,
            document,
        })
    }

    /// Compiles the term of `entry` into keys and checks it against every
    /// entry compiled so far.
    fn add(
        &mut self,
        origin: usize,
        mut entry: Entry,
        families: &[Family],
    ) -> Result<(), LexiconError> {
        let name = self.name(origin).to_string();
        let normalized = normalize(&entry.term);
        let mut folded = String::new();
        // The last word that got a key (the only one, when the error below
        // names it).
        let mut kept = "";
        for word in normalized.words() {
            let text = normalized.text(word);
            if !self.stemmer.key(text, &mut self.scratch) {
                continue;
            }
            kept = text;
            let id = self.vocabulary.intern(&self.scratch);
            // An ad typed without accents stems differently: make that stem
            // another key of the same id.
            folded.clear();
            folded.push_str(&fold(text));
            if self.stemmer.key(&folded, &mut self.scratch) {
                self.vocabulary.alias(&self.scratch, id);
            }
            entry.keys.push(id);
        }
        if entry.keys.is_empty() {
            return Err(LexiconError::new(
                LexiconErrorKind::EmptyEntry,
                &name,
                Some(&entry.term),
                "the term is empty, or only stop words",
            ));
        }
        if normalized.words().len() > 1 && entry.keys.len() == 1 {
            return Err(LexiconError::new(
                LexiconErrorKind::PhraseOfOneWord,
                &name,
                Some(&entry.term),
                format!(
                    "the phrase keeps one word, {kept:?}, once stop words are dropped, so it would match every {kept:?}; write that word alone, or a phrase with two words that are not stop words"
                ),
            ));
        }
        if entry.keys.len() > MAX_ENTRY_WORDS {
            return Err(LexiconError::new(
                LexiconErrorKind::EntryTooLong,
                &name,
                Some(&entry.term),
                format!(
                    "the term has {} words besides stop words; at most {MAX_ENTRY_WORDS} are allowed (an entry is a phrase, not a passage)",
                    entry.keys.len()
                ),
            ));
        }
        if let Some(&other) = self.by_keys.get(&entry.keys) {
            let prior = &self.entries[other];
            let prior_origin = self.name(self.origins[other]).to_string();
            let same_place = prior.kind == entry.kind;
            let (kind, message) = if same_place {
                (
                    LexiconErrorKind::DuplicateEntry,
                    format!(
                        "duplicates {:?} ({prior_origin}) in {}: both reduce to the same stems",
                        prior.term,
                        describe(entry.kind, families)
                    ),
                )
            } else {
                (
                    LexiconErrorKind::StemCollision,
                    format!(
                        "in {} reduces to the same stems as {:?} in {} ({prior_origin}); the matcher cannot tell them apart",
                        describe(entry.kind, families),
                        prior.term,
                        describe(prior.kind, families)
                    ),
                )
            };
            return Err(LexiconError::new(kind, &name, Some(&entry.term), message));
        }
        self.by_keys.insert(entry.keys.clone(), self.entries.len());
        self.entries.push(entry);
        self.origins.push(origin);
        Ok(())
    }
}

fn describe(kind: EntryKind, families: &[Family]) -> String {
    match kind {
        EntryKind::Mission(i) => format!("family {:?}", families[i].id),
        EntryKind::Title(label) => format!("titles of {label}"),
        EntryKind::Cue(effect) => format!("{} cues", effect.as_str()),
    }
}

fn compile_model(
    origin: &str,
    what: &str,
    def: &ModelDef,
    features: &[&str],
) -> Result<(f64, Vec<f64>), LexiconError> {
    let mut weights = vec![0.0; features.len()];
    let bad = |message: String| {
        LexiconError::new(LexiconErrorKind::BadDecision, origin, Some(what), message)
    };
    if !def.bias.is_finite() {
        return Err(bad(format!("bias {} is not a finite number", def.bias)));
    }
    for (name, &w) in &def.weights {
        let Some(i) = features.iter().position(|f| f == name) else {
            return Err(bad(format!(
                "unknown feature {name:?} (expected one of {})",
                features.join(", ")
            )));
        };
        if !w.is_finite() {
            return Err(bad(format!("weight of {name:?} is not a finite number")));
        }
        weights[i] = w;
    }
    Ok((def.bias, weights))
}

fn compile_decision(origin: &str, def: &DecisionDef) -> Result<Decision, LexiconError> {
    let bad =
        |message: String| LexiconError::new(LexiconErrorKind::BadDecision, origin, None, message);
    let positives = [
        ("title_section_weight", def.title_section_weight),
        ("title_in_body_weight", def.title_in_body_weight),
        ("saturation", def.saturation),
        ("owned_weight", def.owned_weight),
        ("confidence_margin", def.confidence_margin),
    ];
    for (name, value) in positives {
        if !(value.is_finite() && value > 0.0 && value <= 100.0) {
            return Err(bad(format!("{name} {value} must be in (0, 100]")));
        }
    }
    let fractions = [
        ("repeat_decay", def.repeat_decay),
        ("deferred_weight", def.deferred_weight),
        ("social_threshold", def.social_threshold),
    ];
    for (name, value) in fractions {
        if !(0.0..=1.0).contains(&value) {
            return Err(bad(format!("{name} {value} must be in [0, 1]")));
        }
    }
    if def.max_repeats == 0 || def.cue_scope == 0 || def.max_social_units == 0 {
        return Err(bad(
            "max_repeats, cue_scope and max_social_units must be at least 1".into(),
        ));
    }
    let social_model = compile_model(origin, "social", &def.social, SOCIAL_FEATURES)?;
    let mut models = Vec::new();
    for label in Label::SOCIAL {
        let model = def
            .labels
            .get(&label)
            .ok_or_else(|| bad(format!("no model for label {label}")))?;
        models.push(compile_model(origin, label.as_str(), model, FEATURES)?);
    }
    if def.labels.contains_key(&Label::None) {
        return Err(bad(
            "NONE has no model: it is decided by the social model".into()
        ));
    }
    let label_models: [(f64, Vec<f64>); 4] = models.try_into().expect("four social labels");
    Ok(Decision {
        def: def.clone(),
        label_models,
        social_model,
    })
}
