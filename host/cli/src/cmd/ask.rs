//! `trellis ask`: one conversation of one or more turns with the server,
//! printed for a terminal (or as raw JSON with `--json`).

use std::process::ExitCode;

use clap::Args;
use trellis_agent::{render_response, ChatClient, ClientError};

#[derive(Debug, Args)]
pub(crate) struct AskArgs {
    /// Base URL of the conversation server.
    #[arg(long, env = "TRELLIS_SERVER", default_value = trellis_agent::client::DEFAULT_SERVER_URL)]
    server: String,
    /// Print each raw `/api/chat` response as a line of JSON.
    #[arg(long)]
    json: bool,
    /// The question, then any follow-ups, each a turn of one conversation.
    #[arg(required = true, value_name = "QUESTION")]
    questions: Vec<String>,
}

pub(crate) async fn run(args: AskArgs) -> anyhow::Result<ExitCode> {
    let client = ChatClient::new(&args.server)?;
    let mut conversation: Option<String> = None;
    for (turn, question) in args.questions.iter().enumerate() {
        let response = match client.chat(question, conversation.as_deref()).await {
            Ok(response) => response,
            Err(err @ ClientError::ServerUnreachable { .. }) => {
                // One line, saying how to fix it: no error chain.
                eprintln!("error: {err}");
                return Ok(ExitCode::FAILURE);
            }
            Err(err) => return Err(err.into()),
        };
        conversation = Some(response.conversation_id.clone());
        if args.json {
            println!("{}", serde_json::to_string(&response)?);
            continue;
        }
        if args.questions.len() > 1 {
            println!("── turn {} ─ {question}", turn + 1);
        }
        println!("{}", render_response(&response));
    }
    if let (Some(id), false) = (&conversation, args.json) {
        println!("conversation: {id}");
    }
    Ok(ExitCode::SUCCESS)
}
