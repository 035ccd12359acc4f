//! What the tool-use loop needs from a model: [`ModelProvider`] answers one
//! Messages request. [`ModelChoice`] is the validated `--model` setting and
//! [`build_provider`] turns it (plus an API key) into a provider.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;

use crate::anthropic::{AnthropicClient, AnthropicConfig};
use crate::messages::{Message, MessagesResponse, ToolDefinition};
use crate::offline::OfflineModel;

/// The Anthropic model used when `anthropic` is chosen without a model name.
pub const DEFAULT_ANTHROPIC_MODEL: &str = "claude-sonnet-4-5";

/// One model call's input: the conversation so far and the tools on offer.
/// The provider adds what it owns (model name, token limit, system prompt).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRequest {
    /// Alternating user/assistant messages, starting and ending with a user
    /// message.
    pub messages: Vec<Message>,
    pub tools: Vec<ToolDefinition>,
}

/// A model that answers Messages requests: Claude over the API, or the
/// offline planner.
///
/// The future is boxed so providers can sit behind `Arc<dyn ModelProvider>`
/// and be chosen at run time.
pub trait ModelProvider: Send + Sync {
    /// What answers, as shown to users and recorded in traces: `offline` or
    /// the Anthropic model name (e.g. `claude-sonnet-4-5`).
    fn name(&self) -> &str;

    /// Make one model call.
    fn create(
        &self,
        request: ModelRequest,
    ) -> BoxFuture<'_, Result<MessagesResponse, ProviderError>>;
}

/// Why a model call failed. Messages never contain the API key.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The API answered 401.
    #[error("the Anthropic API key was rejected (401): check ANTHROPIC_API_KEY")]
    InvalidApiKey,
    /// An Anthropic model was chosen but no API key was given.
    #[error("model `{model}` needs an Anthropic API key: set ANTHROPIC_API_KEY or choose `--model offline`")]
    MissingApiKey { model: String },
    /// The API kept answering 429.
    #[error(
        "the Anthropic API is rate limiting requests (429); gave up after {attempts} attempts"
    )]
    RateLimited { attempts: u32 },
    /// The API kept answering 5xx or 529 (overloaded).
    #[error(
        "the Anthropic API is overloaded or failing ({status}); gave up after {attempts} attempts"
    )]
    Overloaded { status: u16, attempts: u32 },
    /// The API rejected the request with an error body.
    #[error("Anthropic API error {status} {error_type}: {message}")]
    Api {
        status: u16,
        error_type: String,
        message: String,
    },
    /// The API could not be reached (connect error, timeout, broken connection).
    #[error("cannot reach the Anthropic API at {url} after {attempts} attempts: {reason}")]
    Transport {
        url: String,
        attempts: u32,
        reason: String,
    },
    /// The API answered 200 with a body that is not a Messages response.
    #[error("the Anthropic API sent a response that could not be read: {reason}")]
    Decode { reason: String },
}

/// Which model answers: the validated form of `--model`.
///
/// Accepted: `offline`; `anthropic` (the default Claude model);
/// `anthropic:<model>`; or any `claude-*` model name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelChoice {
    /// The deterministic offline planner (no network, no LLM).
    Offline,
    /// Claude through the Anthropic Messages API.
    Anthropic { model: String },
}

impl ModelChoice {
    /// The provider name this choice produces (`offline` or the model).
    pub fn name(&self) -> &str {
        match self {
            ModelChoice::Offline => "offline",
            ModelChoice::Anthropic { model } => model,
        }
    }
}

impl fmt::Display for ModelChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelChoice::Offline => f.write_str("offline"),
            ModelChoice::Anthropic { model } => write!(f, "anthropic:{model}"),
        }
    }
}

/// A `--model` value that is none of the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown model `{value}`: expected `offline`, `anthropic`, `anthropic:<model>` \
     or a Claude model name such as `{DEFAULT_ANTHROPIC_MODEL}`"
)]
pub struct ModelChoiceError {
    /// The value as given.
    pub value: String,
}

impl FromStr for ModelChoice {
    type Err = ModelChoiceError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let trimmed = value.trim();
        let lower = trimmed.to_ascii_lowercase();
        let anthropic = |model: &str| ModelChoice::Anthropic {
            model: model.to_string(),
        };
        if lower == "offline" {
            return Ok(ModelChoice::Offline);
        }
        if lower == "anthropic" {
            return Ok(anthropic(DEFAULT_ANTHROPIC_MODEL));
        }
        if lower.starts_with("anthropic:") {
            let model = trimmed["anthropic:".len()..].trim();
            if !model.is_empty() && !model.contains(char::is_whitespace) {
                return Ok(anthropic(model));
            }
        } else if lower.starts_with("claude-")
            && lower.len() > "claude-".len()
            && !trimmed.contains(char::is_whitespace)
        {
            return Ok(anthropic(trimmed));
        }
        Err(ModelChoiceError {
            value: value.to_string(),
        })
    }
}

/// Build the provider for `choice`. `api_key` is required for Anthropic
/// models; `base_url` overrides `https://api.anthropic.com` (for
/// `ANTHROPIC_BASE_URL` or a test double). For finer control (token limit,
/// retries) build an [`AnthropicConfig`] directly.
pub fn build_provider(
    choice: &ModelChoice,
    api_key: Option<ApiKey>,
    base_url: Option<String>,
) -> Result<Arc<dyn ModelProvider>, ProviderError> {
    match choice {
        ModelChoice::Offline => Ok(Arc::new(OfflineModel::new())),
        ModelChoice::Anthropic { model } => {
            let api_key = api_key.ok_or_else(|| ProviderError::MissingApiKey {
                model: model.clone(),
            })?;
            let mut config = AnthropicConfig::new(api_key, model.clone());
            if let Some(base_url) = base_url {
                config.base_url = base_url;
            }
            Ok(Arc::new(AnthropicClient::new(config)?))
        }
    }
}

/// Builds the providers of models chosen per request (`"model"` in a chat
/// request, used by `trellis eval --task live --model ...`), sharing one API
/// key and base URL, and keeps each one built so its HTTP connections are
/// reused.
#[derive(Clone, Default)]
pub struct ProviderFactory {
    api_key: Option<ApiKey>,
    base_url: Option<String>,
    built: Arc<Mutex<HashMap<String, Arc<dyn ModelProvider>>>>,
}

impl ProviderFactory {
    /// A factory for Anthropic models with `api_key` (none: only `offline`
    /// can be built) and an optional API root.
    pub fn new(api_key: Option<ApiKey>, base_url: Option<String>) -> Self {
        ProviderFactory {
            api_key,
            base_url,
            built: Arc::default(),
        }
    }

    /// The provider for `choice`, built on first use.
    pub fn provider(&self, choice: &ModelChoice) -> Result<Arc<dyn ModelProvider>, ProviderError> {
        let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(provider) = built.get(choice.name()) {
            return Ok(provider.clone());
        }
        let provider = build_provider(choice, self.api_key.clone(), self.base_url.clone())?;
        built.insert(choice.name().to_string(), provider.clone());
        Ok(provider)
    }
}

impl fmt::Debug for ProviderFactory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderFactory")
            .field("api_key", &self.api_key)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// An API key. It is only ever sent in the `x-api-key` header: `Debug`
/// prints `[redacted]` and there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wrap a key.
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }

    /// The key itself, for the one header that carries it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str) -> Result<ModelChoice, ModelChoiceError> {
        value.parse()
    }

    #[test]
    fn accepted_forms() {
        assert_eq!(parse("offline"), Ok(ModelChoice::Offline));
        assert_eq!(parse(" Offline "), Ok(ModelChoice::Offline));
        let claude = |m: &str| {
            Ok(ModelChoice::Anthropic {
                model: m.to_string(),
            })
        };
        assert_eq!(parse("anthropic"), claude(DEFAULT_ANTHROPIC_MODEL));
        assert_eq!(
            parse("anthropic:claude-opus-4-1"),
            claude("claude-opus-4-1")
        );
        assert_eq!(parse("claude-haiku-4-5"), claude("claude-haiku-4-5"));
    }

    #[test]
    fn bad_values_list_the_accepted_forms() {
        for bad in ["gpt-4", "", "anthropic:", "claude-", "anthropic:a b"] {
            let message = parse(bad).unwrap_err().to_string();
            assert!(message.contains(&format!("`{bad}`")), "{message}");
            assert!(message.contains("`offline`"), "{message}");
            assert!(message.contains("`anthropic:<model>`"), "{message}");
        }
    }

    #[test]
    fn display_round_trips() {
        for value in ["offline", "anthropic:claude-sonnet-4-5"] {
            assert_eq!(parse(value).unwrap().to_string(), value);
        }
    }

    #[test]
    fn api_key_debug_is_redacted() {
        let key = ApiKey::new("sk-ant-secret");
        assert_eq!(format!("{key:?}"), "[redacted]");
    }

    #[test]
    fn anthropic_without_key_is_refused() {
        let choice = parse("anthropic").unwrap();
        let error = build_provider(&choice, None, None).err().unwrap();
        assert!(error.to_string().contains("ANTHROPIC_API_KEY"));
    }
}
