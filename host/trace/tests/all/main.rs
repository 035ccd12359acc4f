//! Integration tests of `trellis-trace` through its public API: exporters
//! sending to a real collector on a loopback socket, and a trace crossing a
//! process boundary through headers. One binary, so it links once.

mod btql;
mod exporter;
mod scale_data;
mod store_scale;
mod support;
