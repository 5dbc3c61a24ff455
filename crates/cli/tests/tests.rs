//! End-to-end tests of the `classify` binary: one test binary, one module
//! per concern.

mod errors;
mod hostile;
mod inputs;
mod outputs;
mod subcommands;
mod util;
