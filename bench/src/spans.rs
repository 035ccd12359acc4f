//! Generated spans for the trace benchmarks (B5, B6): the trace crate's
//! synthetic conversations, the same data its scale tests use.

pub(crate) use trellis_trace::synthetic::{fill, spans, SPANS_PER_CONVERSATION, T0};
