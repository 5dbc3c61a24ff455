//! Stage 4: turn matches into evidence, family scores and the features the
//! decision reads.
//!
//! Each match becomes one [`Evidence`] item tied to its byte span in the
//! original text. Scoped cues change the entries that follow them in the
//! same unit: a negation (`sans`, `pas de`, `ne … pas`, `aucun`, but not
//! `ne … que`, which means "only") makes an entry count against its
//! family; a deference (`appliquer`, `respecter`, `participer à`) turns
//! someone else's strategy into execution; an ownership verb (`définir`,
//! `élaborer`, `piloter`) makes strategy weigh more. The title weighs more
//! than the body. Repeats of one entry count less and less, so an ad cannot
//! win by repeating a word.
//!
//! Besides family and axis scores, this stage measures how much of the ad is
//! about social media: the share of mission units (lines, bullets,
//! sentences holding a mission) that are social-media missions. That share
//! is what tells a community manager ad from a communication job that
//! mentions Instagram once.

use crate::ad::Section;
use crate::label::Label;
use crate::lexicon::{Axis, CueEffect, Entry, EntryKind, Lexicon, FEATURES, SOCIAL_FEATURES};
use crate::matcher::Match;
use crate::normalize::Normalized;
use crate::tokenize::Token;
use crate::verdict::{set_str, Evidence, EvidenceKind, Refill};

/// One analysed section: its normalized words, tokens and matches.
pub(crate) struct SectionInput<'a> {
    pub section: Section,
    pub normalized: &'a Normalized,
    pub tokens: &'a [Token],
    pub matches: &'a [Match],
}

/// Everything the decision needs (the evidence that explains it goes to
/// the caller's vector, the family scores stay in [`ScoreScratch`]).
#[derive(Clone, Debug)]
pub(crate) struct Scored {
    /// Values of [`FEATURES`].
    pub features: [f64; FEATURES.len()],
    /// Values of [`SOCIAL_FEATURES`].
    pub social_features: [f64; SOCIAL_FEATURES.len()],
    /// Share of mission units about social media.
    pub share: f64,
}

/// The working buffers of [`score`], kept between ads so that scoring one
/// allocates nothing once they have grown.
#[derive(Debug, Default)]
pub(crate) struct ScoreScratch {
    /// Raw sum per family, in lexicon order (valid after [`score`]).
    pub family_raw: Vec<f64>,
    /// Squashed score per family (valid after [`score`]).
    pub family_score: Vec<f64>,
    /// Occurrences so far of each lexicon entry.
    seen: Vec<u32>,
    /// The cue scopes open in the current section.
    scopes: Vec<Scope>,
    /// Evidence items parked between ads (see [`Refill`]).
    spare_evidence: Vec<Evidence>,
}

/// Mission evidence a unit needs to count as a mission unit: one weak,
/// generic word (`projets`, `médias`) does not make a line a mission.
const MISSION_UNIT_WEIGHT: f64 = 1.0;

/// Counts a finished unit: a mission unit when it holds enough mission
/// evidence or a social-media term, a social unit when it holds the latter.
fn close_unit(weight: f64, social: bool, mission_units: &mut u32, social_units: &mut u32) {
    if weight >= MISSION_UNIT_WEIGHT || social {
        *mission_units += 1;
    }
    if social {
        *social_units += 1;
    }
}

/// A title entry this strong names a social-media role by itself
/// (`community manager`, `social media strategist`), which `ROLES.md` takes
/// as enough to put social media at the heart of the ad.
const ROLE_TITLE_WEIGHT: f64 = 2.0;

/// Pseudo-count added to the mission units when computing the share.
const SHARE_PSEUDO_UNITS: f64 = 2.0;

fn squash(raw: f64, saturation: f64) -> f64 {
    if raw <= 0.0 {
        0.0
    } else {
        1.0 - (-raw / saturation).exp()
    }
}

/// The words that turn the particle `ne` into a restriction: `que` (which
/// `qu’` becomes in `normalize`), and a `qu` left alone before a space.
/// French grammar, like the stop words, not vocabulary.
const RESTRICTIVE_QUE: [&str; 2] = ["que", "qu"];

/// True when the negation cue `m` is the particle `ne` of `ne … que`
/// (`vous ne gérerez que les réseaux`, `vous n'aurez qu'à publier`), which
/// means "only" and negates nothing: `que` follows it in its unit, within
/// its scope, after at least one word and with no other negation cue
/// between (`ne … pas que` stays a negation). `later` are the matches
/// after `m`.
fn restricts(
    input: &SectionInput<'_>,
    m: &Match,
    later: &[Match],
    entries: &[Entry],
    scope: u32,
) -> bool {
    let words = input.normalized.words();
    let Some(cue) = input.tokens.get(m.start as usize) else {
        return false;
    };
    if m.end != m.start + 1 || input.normalized.text(&words[cue.word as usize]) != "ne" {
        return false;
    }
    // The last token the cue's scope covers bounds the search.
    let last = (m.end + scope).min(input.tokens.len() as u32);
    let Some(limit) = last.checked_sub(1).map(|t| input.tokens[t as usize].word) else {
        return false;
    };
    let from = cue.word as usize + 1;
    let que = words
        .get(from + 1..=limit as usize)
        .unwrap_or_default()
        .iter()
        .take_while(|w| w.unit == cue.unit)
        .position(|w| RESTRICTIVE_QUE.contains(&input.normalized.text(w)));
    let Some(que) = que.map(|p| (from + 1 + p) as u32) else {
        return false;
    };
    // No other negation (`pas`, `jamais`, `aucun`) before the `que`.
    !later
        .iter()
        .take_while(|n| input.tokens[n.start as usize].word < que)
        .any(|n| entries[n.entry as usize].kind == EntryKind::Cue(CueEffect::Negation))
}

/// An open cue scope: covers tokens `from..until` of one unit.
#[derive(Debug)]
struct Scope {
    effect: CueEffect,
    unit: u32,
    until: u32,
}

/// Scores the matches of `sections`, overwriting `evidence` with one item
/// per match (reusing its items) and `scratch`'s family scores.
pub(crate) fn score(
    lexicon: &Lexicon,
    sections: &[SectionInput<'_>],
    scratch: &mut ScoreScratch,
    evidence: &mut Vec<Evidence>,
) -> Scored {
    let decision = lexicon.decision().def();
    let families = lexicon.families();
    let entries = lexicon.entries();
    let ScoreScratch {
        family_raw,
        family_score,
        seen,
        scopes,
        spare_evidence,
    } = scratch;
    family_raw.clear();
    family_raw.resize(families.len(), 0.0);
    seen.clear();
    seen.resize(entries.len(), 0);
    // One evidence item per match.
    let matches = sections.iter().map(|s| s.matches.len()).sum();
    let mut evidence = Refill::new(evidence, spare_evidence, matches);
    let mut axis_extra = [0.0; 9];
    let mut title_sum = [0.0f64; 5];
    let mut cue_count = [0u32; 5]; // agency, advertiser, alone, junior, senior
    let mut title_social = false;
    let mut title_none = false;
    let mut title_role: f64 = 0.0;
    let mut social_units = 0u32;
    let mut mission_units = 0u32;

    for input in sections {
        scopes.clear();
        // Per-unit flags for the share of social-media missions (body only).
        let mut current_unit: Option<u32> = None;
        let mut unit_weight = 0.0;
        let mut unit_social = false;
        for (i, m) in input.matches.iter().enumerate() {
            let entry = &entries[m.entry as usize];
            let first = input.tokens[m.start as usize];
            let last = input.tokens[m.end as usize - 1];
            let words = input.normalized.words();
            let span = words[first.word as usize].span.start..words[last.word as usize].span.end;
            let unit = first.unit;
            if input.section == Section::Body && current_unit != Some(unit) {
                if current_unit.is_some() {
                    close_unit(
                        unit_weight,
                        unit_social,
                        &mut mission_units,
                        &mut social_units,
                    );
                }
                current_unit = Some(unit);
                unit_weight = 0.0;
                unit_social = false;
            }
            scopes.retain(|s| s.unit == unit && s.until > m.start);
            let covered = |effect: CueEffect| scopes.iter().any(|s| s.effect == effect);
            let negated = covered(CueEffect::Negation);
            let nth = {
                let n = &mut seen[m.entry as usize];
                *n += 1;
                *n
            };
            let repeat = if nth > decision.max_repeats {
                0.0
            } else {
                decision.repeat_decay.powi(nth as i32 - 1)
            };
            let sign = if negated { -1.0 } else { 1.0 };
            let mut deferred = false;
            let contribution = match entry.kind {
                EntryKind::Mission(f) => {
                    let axis = families[f].axis;
                    let section_weight = match input.section {
                        Section::Title => decision.title_section_weight,
                        Section::Body => 1.0,
                    };
                    let mut c = entry.weight * section_weight * repeat * sign;
                    let strategic = matches!(axis, Axis::Strategy | Axis::Consulting);
                    if strategic && !negated && covered(CueEffect::Defer) {
                        deferred = true;
                        axis_extra[Axis::Execution.index()] += c * decision.deferred_weight;
                        c = 0.0;
                    } else if strategic && !negated && covered(CueEffect::Own) {
                        c *= decision.owned_weight;
                    }
                    family_raw[f] += c;
                    if !negated {
                        if input.section == Section::Title && entry.social {
                            title_social = true;
                        }
                        if axis != Axis::Social {
                            unit_weight += c;
                        }
                        if entry.social {
                            unit_social = true;
                        }
                    }
                    c
                }
                EntryKind::Title(label) => {
                    let section_weight = match input.section {
                        Section::Title => 1.0,
                        Section::Body => decision.title_in_body_weight,
                    };
                    let c = entry.weight * section_weight * repeat * sign;
                    title_sum[label.index()] += c;
                    if input.section == Section::Title && !negated {
                        if label == Label::None {
                            title_none = true;
                        } else {
                            title_social = true;
                            title_role = title_role.max(entry.weight);
                        }
                    }
                    if input.section == Section::Body && !negated && label != Label::None {
                        unit_social = true;
                    }
                    c
                }
                EntryKind::Cue(effect) => {
                    let only = effect == CueEffect::Negation
                        && restricts(
                            input,
                            m,
                            &input.matches[i + 1..],
                            entries,
                            decision.cue_scope,
                        );
                    if effect.is_scoped() && !only {
                        scopes.push(Scope {
                            effect,
                            unit,
                            until: m.end + decision.cue_scope,
                        });
                    } else if effect == CueEffect::Cancel {
                        scopes.clear();
                    } else if !negated {
                        let slot = match effect {
                            CueEffect::Agency => 0,
                            CueEffect::Advertiser => 1,
                            CueEffect::Alone => 2,
                            CueEffect::Junior => 3,
                            _ => 4,
                        };
                        cue_count[slot] += 1;
                    }
                    0.0
                }
            };
            let e = evidence.next(Evidence::blank);
            set_str(&mut e.entry, &entry.term);
            e.index = m.entry as usize;
            e.kind = EvidenceKind::of(&entry.kind);
            set_str(&mut e.family, lexicon.evidence_family(entry));
            e.weight = entry.weight;
            e.contribution = contribution;
            e.negated = negated;
            e.deferred = deferred;
            e.section = input.section;
            e.span = span;
        }
        if input.section == Section::Body && current_unit.is_some() {
            close_unit(
                unit_weight,
                unit_social,
                &mut mission_units,
                &mut social_units,
            );
        }
    }

    evidence.finish();

    let saturation = decision.saturation;
    family_score.clear();
    family_score.extend(family_raw.iter().map(|&r| squash(r, saturation)));
    let mut axis_raw = axis_extra;
    for (f, family) in families.iter().enumerate() {
        axis_raw[family.axis.index()] += family_raw[f];
    }
    let axes: [f64; 9] = std::array::from_fn(|i| squash(axis_raw[i], saturation));
    let a = |axis: Axis| axes[axis.index()];
    let title = |label: Label| squash(title_sum[label.index()], saturation);
    let cue = |slot: usize| (cue_count[slot].min(2) as f64) / 2.0;
    let features = std::array::from_fn(|i| match FEATURES[i] {
        "execution" => a(Axis::Execution),
        "strategy" => a(Axis::Strategy),
        "levers" => a(Axis::Levers),
        "team" => a(Axis::Team),
        "consulting" => a(Axis::Consulting),
        "breadth" => a(Axis::Breadth),
        "measure" => a(Axis::Measure),
        "watch" => a(Axis::Watch),
        "execution_x_strategy" => a(Axis::Execution).min(a(Axis::Strategy)),
        "strategy_no_execution" => a(Axis::Strategy) * (1.0 - a(Axis::Execution)),
        "title_cm" => title(Label::Cm),
        "title_smm" => title(Label::Smm),
        "title_strategist" => title(Label::Strategist),
        "title_hybrid" => title(Label::Hybrid),
        "agency" => cue(0),
        "advertiser" => cue(1),
        "alone" => cue(2),
        "junior" => cue(3),
        "senior" => cue(4),
        other => unreachable!("feature {other} is listed in FEATURES"),
    });
    // Two pseudo-units keep one Instagram line in a three-line ad from
    // reading as "all missions are social media".
    let share = social_units as f64 / (mission_units as f64 + SHARE_PSEUDO_UNITS);
    let max_units = decision.max_social_units;
    let social_features = std::array::from_fn(|i| match SOCIAL_FEATURES[i] {
        "share" => share,
        "units" => social_units.min(max_units) as f64 / max_units as f64,
        "title_social" => f64::from(u8::from(title_social)),
        "title_none" => f64::from(u8::from(title_none && !title_social)),
        "title_role" => f64::from(u8::from(title_role >= ROLE_TITLE_WEIGHT)),
        other => unreachable!("feature {other} is listed in SOCIAL_FEATURES"),
    });
    Scored {
        features,
        social_features,
        share,
    }
}
