//! Integration tests of the core library: one test binary, one module per
//! concern.

mod linear;
mod util;

mod hostile;
mod invariance;
mod lexicon;
mod pipeline;
mod properties;
mod quality;
mod reuse;
