//! Stage 5: decide the label and its confidence from the scored features.
//!
//! The order is the one `ROLES.md` prescribes. First, is social media at the
//! heart of the ad? A logistic model over the share of social-media mission
//! units, their count and the title answers; below the lexicon's threshold
//! the ad is `NONE`. Then each social-media label has its own logistic model
//! over axis scores (execution, strategy, levers, team, consulting,
//! breadth…), title evidence and context cues; its score is the product of
//! the social score and its own. Scores are independent: a hybrid ad scores
//! high on several labels at once.
//!
//! Confidence is one small pure function, [`confidence`], of how far the
//! social score is from the threshold and of the margin between the two
//! best labels.

use crate::label::Label;
use crate::lexicon::Decision;

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

fn logit(model: &(f64, Vec<f64>), features: &[f64]) -> f64 {
    model.0
        + model
            .1
            .iter()
            .zip(features)
            .map(|(w, x)| w * x)
            .sum::<f64>()
}

/// The outcome of the decision, before evidence is attached.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Decided {
    pub label: Label,
    pub confidence: f64,
    /// Scores in [`Label::ALL`] order.
    pub scores: [f64; 5],
    pub social: f64,
}

pub(crate) fn decide(decision: &Decision, features: &[f64], social_features: &[f64]) -> Decided {
    let social = sigmoid(logit(&decision.social_model, social_features));
    let logits: [f64; 4] = std::array::from_fn(|i| logit(&decision.label_models[i], features));
    let own = logits.map(sigmoid);
    let mut scores = [0.0; 5];
    for (i, label) in Label::SOCIAL.iter().enumerate() {
        scores[label.index()] = social * own[i];
    }
    scores[Label::None.index()] = 1.0 - social;
    let threshold = decision.def.social_threshold;
    if social < threshold {
        return Decided {
            label: Label::None,
            confidence: confidence(social, threshold, None),
            scores,
            social,
        };
    }
    let (label, gap) = choose(logits);
    let relative_margin = 2.0 * sigmoid(gap / decision.def.confidence_margin) - 1.0;
    Decided {
        label,
        confidence: confidence(social, threshold, Some(relative_margin)),
        scores,
        social,
    }
}

/// Picks the label from the four logits (`CM`, `SMM`, `STRATEGIST`,
/// `HYBRID`) and returns it with its lead, in logit units, over the closest
/// alternative.
///
/// The CM score says "this ad has the community manager's hands-on
/// profile", which a hybrid ad has too; so `HYBRID` is decided first, when
/// its own model says yes (logit above 0) and it beats `SMM` and
/// `STRATEGIST`; otherwise the best of the other three wins.
fn choose(logits: [f64; 4]) -> (Label, f64) {
    let [cm, smm, strategist, hybrid] = logits;
    let owners = smm.max(strategist);
    if hybrid > 0.0 && hybrid >= owners {
        return (Label::Hybrid, hybrid.min(hybrid - owners));
    }
    let mut others = [
        (Label::Cm, cm),
        (Label::Smm, smm),
        (Label::Strategist, strategist),
    ];
    // Rank by logit: sigmoids saturate, logits keep the distance.
    others.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (label, top) = others[0];
    let lead_over_hybrid = if label == Label::Cm {
        -hybrid
    } else {
        top - hybrid
    };
    (label, (top - others[1].1).min(lead_over_hybrid))
}

/// Confidence in `[0, 1]`.
///
/// * `social`: the social score; `threshold`: where `NONE` ends.
/// * `relative_margin`: for a social-media label, the margin between its own
///   score and the runner-up's divided by the margin that gives full
///   confidence; `None` when the label is `NONE`.
///
/// The gate part is 0.5 at the threshold and 1 at either end; the label
/// part is 0.5 for a tie and 1 at full margin. Confidence is their product,
/// so a label barely social *and* barely ahead is a coin toss twice over.
pub fn confidence(social: f64, threshold: f64, relative_margin: Option<f64>) -> f64 {
    let social = social.clamp(0.0, 1.0);
    let threshold = threshold.clamp(1e-9, 1.0 - 1e-9);
    match relative_margin {
        None => 0.5 + 0.5 * ((threshold - social) / threshold).clamp(0.0, 1.0),
        Some(m) => {
            let gate = 0.5 + 0.5 * ((social - threshold) / (1.0 - threshold)).clamp(0.0, 1.0);
            let label = 0.5 + 0.5 * m.clamp(0.0, 1.0);
            gate * label
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_grows_with_the_margin_and_the_distance_to_the_threshold() {
        assert_eq!(confidence(1.0, 0.5, Some(1.0)), 1.0);
        assert_eq!(confidence(0.0, 0.5, None), 1.0);
        assert_eq!(confidence(0.5, 0.5, None), 0.5);
        assert_eq!(confidence(0.5, 0.5, Some(0.0)), 0.25);
        let mut last = 0.0;
        for step in 0..=10 {
            let c = confidence(0.9, 0.5, Some(step as f64 / 10.0));
            assert!(c >= last, "confidence must not fall as the margin grows");
            last = c;
        }
        assert!(confidence(0.9, 0.5, Some(0.5)) > confidence(0.6, 0.5, Some(0.5)));
        assert!(confidence(0.1, 0.5, None) > confidence(0.4, 0.5, None));
    }

    #[test]
    fn hybrid_is_decided_before_the_hands_on_profile() {
        // A hybrid ad has the CM profile too: CM high, HYBRID yes → HYBRID.
        assert_eq!(choose([5.0, -1.0, -2.0, 1.0]), (Label::Hybrid, 1.0));
        // HYBRID says no: the best of the others.
        assert_eq!(choose([5.0, -1.0, -2.0, -0.5]).0, Label::Cm);
        // An SMM profile stronger than the hybrid one wins.
        assert_eq!(choose([1.0, 3.0, -2.0, 2.0]), (Label::Smm, 1.0));
        assert_eq!(choose([-3.0, -1.0, 2.0, -4.0]), (Label::Strategist, 3.0));
    }

    #[test]
    fn confidence_stays_in_range_on_wild_input() {
        for social in [-1.0, 0.0, 0.3, 1.0, 2.0, f64::INFINITY] {
            for m in [None, Some(-3.0), Some(0.0), Some(0.4), Some(7.0)] {
                let c = confidence(social, 0.5, m);
                assert!((0.0..=1.0).contains(&c), "{social} {m:?} → {c}");
            }
        }
    }
}
