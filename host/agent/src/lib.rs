//! The conversation server of Trellis: model providers, the tool-use loop,
//! the client of the tool worker, the server's HTTP surface, and the chat
//! client behind `trellis ask`.
//!
//! - [`messages`]: the Anthropic Messages API types every provider speaks.
//! - [`provider`]: the [`ModelProvider`] trait, `--model` parsing ([`ModelChoice`]) and [`build_provider`].
//! - [`anthropic`]: Claude over the Messages API, with retries and backoff.
//! - [`offline`]: the deterministic offline planner (no network, no LLM).
//! - [`worker_client`]: lists and calls the worker's tools; failures become error tool results.
//! - [`conversation`]: the tool-use loop ([`Agent::run_turn`]) and the conversation store.
//! - [`server`]: `POST /api/chat` and `GET /healthz`: [`app`] and [`serve`].
//! - [`client`]: [`ChatClient`] and [`render_response`] for the CLI.

pub mod anthropic;
pub mod client;
pub mod conversation;
pub mod messages;
pub mod offline;
pub mod provider;
pub mod server;
pub mod worker_client;

pub use client::{render_response, ChatClient, ClientError};
pub use conversation::{Agent, TurnError, TurnOutcome};
pub use provider::{
    build_provider, ApiKey, ModelChoice, ModelProvider, ProviderError, ProviderFactory,
};
pub use server::{app, serve, AppState, ServerConfig, ServerError};
