//! Integration tests of trellis-agent, one binary: the Anthropic client
//! against a protocol-faithful fake Messages API, the tool-use loop against a
//! fake worker, the offline planner end to end, and the HTTP server.

mod anthropic;
mod conversation;
mod fakes;
mod offline;
mod server;
mod traced;
