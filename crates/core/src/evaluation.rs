//! Measuring the classifier against labelled ads: confusion matrix,
//! per-label precision, recall and F1, accuracy and macro-F1.
//!
//! Used by the quality tests and by `classify evaluate`, so that both report
//! the same figures the same way.

use std::fmt;

use serde::Serialize;

use crate::label::Label;

/// Counts of (expected, predicted) pairs over the five labels.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Confusion {
    /// `counts[expected][predicted]`, indexed by [`Label::index`].
    pub counts: [[u32; 5]; 5],
}

/// Precision, recall and F1 of one label.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LabelMetrics {
    /// The label.
    pub label: Label,
    /// Ads with this label in the reference.
    pub support: u32,
    /// Of the ads predicted with this label, the share that has it.
    pub precision: f64,
    /// Of the ads that have this label, the share predicted with it.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

impl Confusion {
    /// An empty matrix.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one ad.
    pub fn add(&mut self, expected: Label, predicted: Label) {
        self.counts[expected.index()][predicted.index()] += 1;
    }

    /// How many ads were recorded.
    pub fn total(&self) -> u32 {
        self.counts.iter().flatten().sum()
    }

    /// Share of ads whose prediction is right.
    pub fn accuracy(&self) -> f64 {
        let right: u32 = (0..5).map(|i| self.counts[i][i]).sum();
        ratio(right, self.total())
    }

    /// Metrics of one label. A label never predicted has precision 0; one
    /// absent from the reference has recall 0.
    pub fn metrics(&self, label: Label) -> LabelMetrics {
        let i = label.index();
        let tp = self.counts[i][i];
        let predicted: u32 = (0..5).map(|e| self.counts[e][i]).sum();
        let support: u32 = self.counts[i].iter().sum();
        let precision = ratio(tp, predicted);
        let recall = ratio(tp, support);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        LabelMetrics {
            label,
            support,
            precision,
            recall,
            f1,
        }
    }

    /// Mean F1 over the labels present in the reference.
    pub fn macro_f1(&self) -> f64 {
        let present: Vec<f64> = Label::ALL
            .iter()
            .map(|&l| self.metrics(l))
            .filter(|m| m.support > 0)
            .map(|m| m.f1)
            .collect();
        if present.is_empty() {
            0.0
        } else {
            present.iter().sum::<f64>() / present.len() as f64
        }
    }
}

fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 {
        0.0
    } else {
        f64::from(a) / f64::from(b)
    }
}

/// A plain-text report: the matrix (rows: expected, columns: predicted),
/// then per-label metrics, accuracy and macro-F1.
impl fmt::Display for Confusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<12}", "expected")?;
        for label in Label::ALL {
            write!(f, "{:>11}", label.as_str())?;
        }
        writeln!(f)?;
        for expected in Label::ALL {
            write!(f, "{:<12}", expected.as_str())?;
            for predicted in Label::ALL {
                write!(
                    f,
                    "{:>11}",
                    self.counts[expected.index()][predicted.index()]
                )?;
            }
            writeln!(f)?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "{:<12}{:>9}{:>11}{:>9}{:>9}",
            "label", "support", "precision", "recall", "f1"
        )?;
        for label in Label::ALL {
            let m = self.metrics(label);
            writeln!(
                f,
                "{:<12}{:>9}{:>11.3}{:>9.3}{:>9.3}",
                label.as_str(),
                m.support,
                m.precision,
                m.recall,
                m.f1
            )?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "ads {}  accuracy {:.3}  macro-F1 {:.3}",
            self.total(),
            self.accuracy(),
            self.macro_f1()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_match_a_hand_computed_example() {
        let mut c = Confusion::new();
        // 3 CM: 2 right, 1 called SMM. 1 SMM: right. 2 NONE: 1 right, 1 called CM.
        c.add(Label::Cm, Label::Cm);
        c.add(Label::Cm, Label::Cm);
        c.add(Label::Cm, Label::Smm);
        c.add(Label::Smm, Label::Smm);
        c.add(Label::None, Label::None);
        c.add(Label::None, Label::Cm);
        assert_eq!(c.total(), 6);
        assert!((c.accuracy() - 4.0 / 6.0).abs() < 1e-12);
        let cm = c.metrics(Label::Cm);
        assert!((cm.precision - 2.0 / 3.0).abs() < 1e-12);
        assert!((cm.recall - 2.0 / 3.0).abs() < 1e-12);
        let smm = c.metrics(Label::Smm);
        assert!((smm.precision - 0.5).abs() < 1e-12);
        assert_eq!(smm.recall, 1.0);
        // Macro-F1 over the three labels present: CM 2/3, SMM 2/3, NONE 2/3.
        assert!((c.macro_f1() - 2.0 / 3.0).abs() < 1e-12);
        let text = c.to_string();
        assert!(text.contains("macro-F1 0.667"), "{text}");
    }
}
