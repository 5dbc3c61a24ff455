//! End-to-end tests of the `classify` binary: one test binary, one module
//! per concern.

mod errors;
mod hostile;
mod inputs;
// The linear-time check is the library suite's, shared by path.
#[path = "../../core/tests/linear.rs"]
mod linear;
mod outputs;
mod subcommands;
mod util;
