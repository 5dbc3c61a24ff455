//! The input: one job ad, as a title and a body.

use serde::{Deserialize, Serialize};

/// One job ad: an optional title and the body text, both as published
/// (HTML debris and all). Evidence spans point into these two strings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ad<'a> {
    /// The ad's title; empty when unknown.
    #[serde(borrow)]
    pub title: std::borrow::Cow<'a, str>,
    /// The ad's body: company blurb, missions, profile.
    #[serde(borrow)]
    pub text: std::borrow::Cow<'a, str>,
}

impl<'a> Ad<'a> {
    /// An ad with a title and a body.
    pub fn new(title: &'a str, text: &'a str) -> Self {
        Ad {
            title: title.into(),
            text: text.into(),
        }
    }

    /// An ad with only a body.
    pub fn from_text(text: &'a str) -> Self {
        Ad::new("", text)
    }
}

/// Which part of the ad a piece of evidence was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    /// The title: weighs more, since it says what the employer calls the job.
    Title,
    /// The body: where the missions are.
    Body,
}
