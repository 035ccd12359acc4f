//! Integration tests of the runtime against real components: one test
//! binary (links once), one module per subject.

mod reload;
mod scorer;
mod support;
