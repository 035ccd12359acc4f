//! End-to-end tests: each starts the real `trellis` binary on `127.0.0.1:0`,
//! waits for its `listening on` line, and talks to it over HTTP the way a
//! user or another Trellis process would.

mod auth;
mod bad_input;
mod btql;
mod busy;
mod conversation;
mod evals;
mod faults;
mod hostile;
mod objects;
mod support;
mod torture;
mod tracing;
mod worker;
