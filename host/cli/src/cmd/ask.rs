//! `trellis ask`: one conversation of one or more turns with the server,
//! printed for a terminal (or as raw JSON with `--json`).
//!
//! The conversation is traced: a `client_conversation` root span whose
//! output aggregates every turn, a `client_turn` span per question whose
//! context travels to the server in the request headers, all flushed to the
//! collector before the command exits.

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use http::HeaderMap;
use serde_json::{json, Value};
use trellis_agent::client::DEFAULT_SERVER_URL;
use trellis_agent::{render_response, ChatClient, ClientError};
use trellis_trace::propagation::DEFAULT_PROJECT;
use trellis_trace::{inject_trace_context, Span, SpanType};

use super::export;

/// The root span of a conversation.
const CONVERSATION_SPAN: &str = "client_conversation";
/// The span of one question and its answer.
const TURN_SPAN: &str = "client_turn";
const SERVICE_NAME: &str = "trellis-client";
/// How long the client keeps trying to deliver its spans before it exits.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(10);
/// The client lives briefly: retry a collector that is down often enough to
/// catch it coming back within the flush.
const MAX_EXPORT_BACKOFF: Duration = Duration::from_secs(1);

#[derive(Debug, Args)]
pub(crate) struct AskArgs {
    /// Base URL of the conversation server.
    #[arg(long, env = "TRELLIS_SERVER", default_value = DEFAULT_SERVER_URL)]
    server: String,
    /// OTLP/HTTP traces URL to send the client's spans to. Default: the
    /// OTEL_EXPORTER_OTLP_* variables if set, else the server's collector;
    /// `none` turns export off
    /// (<server>/v1/traces). `none` turns export off.
    #[arg(long, value_name = "URL")]
    collector: Option<String>,
    /// The project the conversation's trace is logged to.
    #[arg(long, env = "TRELLIS_PROJECT", default_value = DEFAULT_PROJECT)]
    project: String,
    /// Print each raw `/api/chat` response as a line of JSON.
    #[arg(long)]
    json: bool,
    /// The question, then any follow-ups, each a turn of one conversation.
    #[arg(required = true, value_name = "QUESTION")]
    questions: Vec<String>,
}

pub(crate) async fn run(args: AskArgs) -> anyhow::Result<ExitCode> {
    let token = super::token()?;
    let client = ChatClient::new(&args.server)?.with_token(token.clone());
    let own_collector = format!("{}{}", client.base_url(), export::OTLP_TRACES_PATH);
    let collector = (!export::disabled(args.collector.as_deref())).then(|| {
        export::chosen_endpoint(args.collector.as_deref()).unwrap_or_else(|| own_collector.clone())
    });
    let mut destinations: Vec<_> = collector
        .iter()
        .map(|url| {
            let config = export::otlp(url, SERVICE_NAME, token.as_ref());
            // Spans for the server's own collector travel on the connection
            // the conversation already opened, so the final flush does not
            // set up a new one.
            if *url == own_collector {
                config.with_http_client(client.http().clone())
            } else {
                config
            }
        })
        .collect();
    destinations.extend(export::braintrust(SERVICE_NAME, &args.project));
    for destination in &mut destinations {
        destination.max_backoff = MAX_EXPORT_BACKOFF;
    }
    let exporter = export::start(destinations, false)?;

    let mut conversation =
        Span::root(CONVERSATION_SPAN, SpanType::Task).with_project(args.project.as_str());
    conversation.log_input(json!(args.questions));
    let mut conversation_id: Option<String> = None;
    let mut turns: Vec<Value> = Vec::new();
    let mut failure: Option<ClientError> = None;
    for (turn_index, question) in args.questions.iter().enumerate() {
        let mut turn = conversation.child(TURN_SPAN, SpanType::Task);
        turn.log_input(json!(question));
        let mut headers = HeaderMap::new();
        inject_trace_context(turn.context(), &mut headers);
        let response = match client
            .chat_with_headers(question, conversation_id.as_deref(), &headers)
            .await
        {
            Ok(response) => response,
            Err(err @ ClientError::ServerUnreachable { .. }) => {
                // One line, saying how to fix it: no error chain. With the
                // server down its collector is too; the spans are let go
                // rather than waited on.
                eprintln!("error: {err}");
                if collector.as_ref().is_some_and(|c| *c != own_collector) {
                    turn.set_error(err.to_string());
                    exporter.export(turn.end());
                    conversation.set_error(err.to_string());
                    exporter.export(conversation.end());
                    export::flush(&exporter, FLUSH_TIMEOUT).await;
                }
                return Ok(ExitCode::FAILURE);
            }
            Err(err) => {
                turn.set_error(err.to_string());
                exporter.export(turn.end());
                failure = Some(err);
                break;
            }
        };
        conversation_id = Some(response.conversation_id.clone());
        turn.log_output(json!(response.response));
        turn.log_metadata_value(json!({
            "conversation_id": response.conversation_id,
            "turn": turn_index + 1,
            "model": response.model,
            "tool_calls": response.tool_calls.len(),
        }));
        exporter.export(turn.end());
        turns.push(json!({"query": question, "response": response.response}));

        if args.json {
            println!("{}", serde_json::to_string(&response)?);
            continue;
        }
        if args.questions.len() > 1 {
            println!("── turn {} ─ {question}", turn_index + 1);
        }
        println!("{}", render_response(&response));
    }

    // The root span carries the whole conversation, so one query over
    // `client_conversation` spans sees every question and answer.
    conversation.log_output(json!({
        "conversation_id": conversation_id,
        "total_turns": turns.len(),
        "patient_query": args.questions.first(),
        "final_response": turns.last().map(|t| t["response"].clone()),
        "turns": turns,
    }));
    if let Some(id) = &conversation_id {
        conversation.log_metadata_value(json!({ "conversation_id": id }));
    }
    if let Some(err) = &failure {
        conversation.set_error(err.to_string());
    }
    let trace_id = conversation.trace_id().to_owned();
    exporter.export(conversation.end());

    if let (Some(id), false) = (&conversation_id, args.json) {
        println!("conversation: {id}");
    }
    // Flushed before the trace is offered, so the command below finds it.
    export::flush(&exporter, FLUSH_TIMEOUT).await;
    if let Some(err) = failure {
        return Err(err.into());
    }
    if !args.json {
        let server_flag = if client.base_url() == DEFAULT_SERVER_URL {
            String::new()
        } else {
            format!(" --server {}", client.base_url())
        };
        println!("conversation trace {trace_id} · view it with `trellis traces show {trace_id}{server_flag}`");
    }
    Ok(ExitCode::SUCCESS)
}
