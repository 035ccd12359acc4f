//! Trace propagation between processes: the only code that reads or writes
//! trace headers. Outgoing calls carry W3C `traceparent` (plus `tracestate`
//! and `baggage` when present) and Braintrust's `x-bt-parent-span` slug
//! (version 4, see [`crate::slug`]); incoming calls accept either. A
//! malformed header never fails a request: [`extract_trace_context`] says
//! what was wrong and the caller starts a new root.

use http::header::{HeaderMap, HeaderName, HeaderValue};

use crate::slug::SpanComponents;
use crate::span::{Span, SpanContext, SpanType};

/// W3C Trace Context parent header.
pub const TRACEPARENT: &str = "traceparent";
/// W3C Trace Context vendor state header.
pub const TRACESTATE: &str = "tracestate";
/// W3C Baggage header.
pub const BAGGAGE: &str = "baggage";
/// Braintrust's span-export slug header.
pub const X_BT_PARENT_SPAN: &str = "x-bt-parent-span";
/// The project written into the slug when a context names none.
pub const DEFAULT_PROJECT: &str = "trellis-demo";

/// The baggage key Braintrust's OTel integration uses to carry the parent
/// object (`project_name:<p>`).
const BAGGAGE_PARENT_KEY: &str = "braintrust.parent";

/// Which header an extracted parent came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParentSource {
    /// W3C `traceparent`.
    Traceparent,
    /// Braintrust `x-bt-parent-span`.
    BraintrustSlug,
}

impl ParentSource {
    /// The header name.
    pub fn header(self) -> &'static str {
        match self {
            ParentSource::Traceparent => TRACEPARENT,
            ParentSource::BraintrustSlug => X_BT_PARENT_SPAN,
        }
    }
}

/// What [`extract_trace_context`] found on an incoming request.
#[derive(Debug, Clone, PartialEq)]
pub enum Extracted {
    /// A valid parent span.
    Parent {
        /// The parent to continue.
        context: SpanContext,
        /// The header it came from.
        source: ParentSource,
        /// Something worth a log line even though a parent was found: the
        /// other header was malformed, or the two headers disagreed
        /// (`traceparent` wins).
        note: Option<String>,
    },
    /// No trace headers at all: this request starts a trace.
    None,
    /// Trace headers were present but none was usable; start a new root and
    /// log `reason`.
    Malformed { reason: String },
}

impl Extracted {
    /// The parent context, if one was found.
    pub fn context(&self) -> Option<&SpanContext> {
        match self {
            Extracted::Parent { context, .. } => Some(context),
            _ => None,
        }
    }

    /// Opens the span for the incoming request: a child of the extracted
    /// parent, or a new root when there is none. Logs a warning for a
    /// malformed header and the note of a usable one, so callers do not each
    /// have to.
    pub fn start_span(&self, name: impl Into<String>, span_type: SpanType) -> Span {
        let name = name.into();
        match self {
            Extracted::Parent {
                context,
                source,
                note,
            } => {
                if let Some(note) = note {
                    tracing::warn!(span = %name, header = source.header(), "trace context: {note}");
                }
                Span::child_of(context, name, span_type)
            }
            Extracted::None => Span::root(name, span_type),
            Extracted::Malformed { reason } => {
                tracing::warn!(span = %name, "ignoring malformed trace context, starting a new trace: {reason}");
                Span::root(name, span_type)
            }
        }
    }
}

/// Writes `ctx` into outgoing request headers: `traceparent`, `tracestate`
/// and `baggage` when present, and the `x-bt-parent-span` v4 slug (project
/// logs of `ctx.project`, or [`DEFAULT_PROJECT`]). Replaces any values
/// already there. A `tracestate` or `baggage` that is not a valid header
/// value is left out rather than failing the call.
pub fn inject_trace_context(ctx: &SpanContext, headers: &mut HeaderMap) {
    let traceparent = format_traceparent(ctx);
    if let Ok(v) = HeaderValue::from_str(&traceparent) {
        headers.insert(HeaderName::from_static(TRACEPARENT), v);
    }
    for (name, value) in [(TRACESTATE, &ctx.tracestate), (BAGGAGE, &ctx.baggage)] {
        let name = HeaderName::from_static(name);
        match value.as_deref().map(HeaderValue::from_str) {
            Some(Ok(v)) => {
                headers.insert(name, v);
            }
            Some(Err(_)) => {
                tracing::warn!(header = %name, "not propagating a value that is not a valid header");
                headers.remove(name);
            }
            None => {
                headers.remove(name);
            }
        }
    }
    let project = ctx.project.as_deref().unwrap_or(DEFAULT_PROJECT);
    let slug =
        SpanComponents::for_project_span(project, &ctx.span_id_hex(), &ctx.trace_id_hex()).encode();
    if let Ok(v) = HeaderValue::from_str(&slug) {
        headers.insert(HeaderName::from_static(X_BT_PARENT_SPAN), v);
    }
}

/// Reads the parent span context from incoming request headers. Prefers a
/// valid `traceparent`; falls back to a valid `x-bt-parent-span` (version 3
/// or 4). Never fails: see [`Extracted`].
pub fn extract_trace_context(headers: &HeaderMap) -> Extracted {
    let from_traceparent = header_value(headers, TRACEPARENT).map(|raw| {
        raw.and_then(|tp| {
            let parsed = parse_traceparent(&tp)
                .map_err(|e| format!("traceparent `{}`: {e}", shorten(&tp)))?;
            Ok(SpanContext {
                trace_id: parsed.trace_id,
                span_id: parsed.span_id,
                sampled: parsed.sampled,
                tracestate: joined_values(headers, TRACESTATE),
                baggage: joined_values(headers, BAGGAGE),
                project: None,
            })
        })
    });
    let from_slug = header_value(headers, X_BT_PARENT_SPAN)
        .map(|raw| raw.and_then(|slug| context_from_slug(&slug, headers)));

    match (from_traceparent, from_slug) {
        (None, None) => Extracted::None,
        (Some(Ok(mut tp)), slug) => {
            let note = match slug {
                None => None,
                Some(Err(reason)) => Some(format!("{reason}; using traceparent")),
                Some(Ok(bt)) => {
                    // The slug is the only carrier of the project name.
                    tp.project = bt.project.clone();
                    (bt.trace_id != tp.trace_id || bt.span_id != tp.span_id).then(|| {
                        format!(
                            "traceparent names span {}/{} but x-bt-parent-span names {}/{}; traceparent wins",
                            tp.trace_id_hex(),
                            tp.span_id_hex(),
                            bt.trace_id_hex(),
                            bt.span_id_hex()
                        )
                    })
                }
            };
            if tp.project.is_none() {
                tp.project = baggage_project(tp.baggage.as_deref());
            }
            Extracted::Parent {
                context: tp,
                source: ParentSource::Traceparent,
                note,
            }
        }
        (tp, Some(Ok(bt))) => Extracted::Parent {
            context: bt,
            source: ParentSource::BraintrustSlug,
            note: tp
                .and_then(Result::err)
                .map(|r| format!("{r}; using x-bt-parent-span")),
        },
        (Some(Err(tp)), Some(Err(bt))) => Extracted::Malformed {
            reason: format!("{tp}; {bt}"),
        },
        (Some(Err(reason)), None) | (None, Some(Err(reason))) => Extracted::Malformed { reason },
    }
}

/// A parsed `traceparent` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceParent {
    /// `00` today; later versions are read by their first four fields.
    pub version: u8,
    /// The trace id; never all zero.
    pub trace_id: [u8; 16],
    /// The caller's span (W3C "parent id").
    pub span_id: [u8; 8],
    /// The raw trace flags.
    pub flags: u8,
    /// Bit 0 of the flags.
    pub sampled: bool,
}

/// Why a `traceparent` value is invalid (W3C Trace Context level 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TraceparentError {
    /// Not the length the version requires.
    #[error("has {0} characters, version 00 needs exactly 55")]
    WrongLength(usize),
    /// Not four dash-separated fields.
    #[error("is not `version-traceid-parentid-flags`")]
    WrongShape,
    /// A field is not lowercase hex of the right length.
    #[error("{field} is not {len} lowercase hex digits")]
    NotLowercaseHex { field: &'static str, len: usize },
    /// Version `ff`, which W3C reserves as invalid.
    #[error("version ff is forbidden")]
    ForbiddenVersion,
    /// The trace id is all zeros.
    #[error("trace id is all zeros")]
    ZeroTraceId,
    /// The parent id is all zeros.
    #[error("parent id is all zeros")]
    ZeroSpanId,
}

/// `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`.
pub fn format_traceparent(ctx: &SpanContext) -> String {
    format!(
        "00-{}-{}-{:02x}",
        ctx.trace_id_hex(),
        ctx.span_id_hex(),
        u8::from(ctx.sampled)
    )
}

/// Parses a `traceparent` value per W3C Trace Context: lowercase hex only,
/// version `ff` invalid, all-zero ids invalid, version `00` exactly 55
/// characters, a later version at least 55 with more fields after a `-`.
pub fn parse_traceparent(value: &str) -> Result<TraceParent, TraceparentError> {
    let value = value.trim_matches([' ', '\t']);
    let field = |s: &str, name: &'static str, len: usize| -> Result<Vec<u8>, TraceparentError> {
        if crate::span::is_lower_hex(s, len) {
            Ok(hex::decode(s).expect("checked hex"))
        } else {
            Err(TraceparentError::NotLowercaseHex { field: name, len })
        }
    };
    if !value.is_ascii() {
        return Err(TraceparentError::WrongShape);
    }
    let version = field(value.get(..2).unwrap_or(value), "version", 2)?[0];
    if version == 0xff {
        return Err(TraceparentError::ForbiddenVersion);
    }
    if version == 0 && value.len() != 55 {
        return Err(TraceparentError::WrongLength(value.len()));
    }
    if value.len() < 55 || (value.len() > 55 && value.as_bytes()[55] != b'-') {
        return Err(TraceparentError::WrongShape);
    }
    let parts: Vec<&str> = value[..55].split('-').collect();
    let [_, trace, span, flags] = parts[..] else {
        return Err(TraceparentError::WrongShape);
    };
    let trace: [u8; 16] = field(trace, "trace id", 32)?.try_into().expect("16 bytes");
    let span: [u8; 8] = field(span, "parent id", 16)?.try_into().expect("8 bytes");
    let flags = field(flags, "flags", 2)?[0];
    if trace == [0; 16] {
        return Err(TraceparentError::ZeroTraceId);
    }
    if span == [0; 8] {
        return Err(TraceparentError::ZeroSpanId);
    }
    Ok(TraceParent {
        version,
        trace_id: trace,
        span_id: span,
        flags,
        sampled: flags & 1 == 1,
    })
}

/// `None` when the header is absent; `Some(Err)` when it is present but
/// unusable as a single text value.
fn header_value(headers: &HeaderMap, name: &str) -> Option<Result<String, String>> {
    let mut values = headers.get_all(name).iter();
    let first = values.next()?;
    if values.next().is_some() {
        return Some(Err(format!("{name} appears more than once")));
    }
    Some(
        first
            .to_str()
            .map(|s| s.trim().to_owned())
            .map_err(|_| format!("{name} is not visible ASCII")),
    )
}

/// A list-valued header (tracestate, baggage) may be split over several
/// header lines; they join with commas.
fn joined_values(headers: &HeaderMap, name: &str) -> Option<String> {
    let parts: Vec<&str> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(","))
}

fn context_from_slug(slug: &str, headers: &HeaderMap) -> Result<SpanContext, String> {
    let components = SpanComponents::decode(slug).map_err(|e| e.to_string())?;
    let (Some(span_id), Some(root_span_id)) = (&components.span_id, &components.root_span_id)
    else {
        return Err("x-bt-parent-span names a project but no parent span".to_owned());
    };
    let trace_id = id_bytes::<16>(root_span_id).ok_or_else(|| {
        format!(
            "x-bt-parent-span root_span_id `{}` is not a trace id",
            shorten(root_span_id)
        )
    })?;
    let span_id = id_bytes::<8>(span_id).ok_or_else(|| {
        format!(
            "x-bt-parent-span span_id `{}` is not a span id",
            shorten(span_id)
        )
    })?;
    let baggage = joined_values(headers, BAGGAGE);
    let project = components
        .project_name()
        .map(str::to_owned)
        .or_else(|| baggage_project(baggage.as_deref()));
    Ok(SpanContext {
        trace_id,
        span_id,
        sampled: true,
        tracestate: None,
        baggage,
        project,
    })
}

/// An id of `N` bytes from the text a slug carries: `2N` hex digits (v4 and
/// OTel-mode SDKs), or a UUID (v3 SDKs), which for an 8-byte span id keeps
/// its first 8 bytes. That truncation means a child of a v3 UUID span links
/// to the right trace but names a parent span id that Braintrust will not
/// find; the trace tree still shows the child, as a root of the trace.
fn id_bytes<const N: usize>(s: &str) -> Option<[u8; N]> {
    let compact: String = s.chars().filter(|c| *c != '-').collect();
    let bytes = if compact.len() == N * 2 {
        hex::decode(&compact).ok()?
    } else if s.len() == 36 && compact.len() == 32 {
        hex::decode(&compact).ok()?[..N].to_vec()
    } else {
        return None;
    };
    let id: [u8; N] = bytes.try_into().ok()?;
    (id != [0; N]).then_some(id)
}

/// `braintrust.parent=project_name:<p>` in W3C baggage names the project.
fn baggage_project(baggage: Option<&str>) -> Option<String> {
    baggage?.split(',').find_map(|member| {
        let (key, value) = member.split_once('=')?;
        if key.trim() != BAGGAGE_PARENT_KEY {
            return None;
        }
        let value = value.split(';').next()?.trim();
        value
            .strip_prefix("project_name:")
            .or_else(|| value.strip_prefix("project_name%3A"))
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
    })
}

/// Header values go into log lines; a hostile one must not flood them.
fn shorten(s: &str) -> String {
    const MAX: usize = 80;
    if s.len() <= MAX {
        s.to_owned()
    } else {
        let mut end = MAX;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &s[..end])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TP: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn valid_traceparent_parses() {
        let tp = parse_traceparent(TP).unwrap();
        assert_eq!(hex::encode(tp.trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(hex::encode(tp.span_id), "00f067aa0ba902b7");
        assert!(tp.sampled);
        let unsampled = parse_traceparent(&TP.replace("-01", "-00")).unwrap();
        assert!(!unsampled.sampled);
    }

    #[test]
    fn future_version_with_extra_fields_parses() {
        let tp = parse_traceparent(&format!("cc{}-extra", &TP[2..])).unwrap();
        assert_eq!(tp.version, 0xcc);
    }

    #[test]
    fn invalid_traceparents_are_rejected_with_reasons() {
        let cases: &[(&str, TraceparentError)] = &[
            (&TP[..54], TraceparentError::WrongLength(54)),
            (&format!("{TP}-x"), TraceparentError::WrongLength(57)),
            (
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                TraceparentError::ZeroTraceId,
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                TraceparentError::ZeroSpanId,
            ),
            (
                &format!("ff{}", &TP[2..]),
                TraceparentError::ForbiddenVersion,
            ),
            (
                &TP.to_uppercase(),
                TraceparentError::NotLowercaseHex {
                    field: "trace id",
                    len: 32,
                },
            ),
            (
                "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                TraceparentError::WrongShape,
            ),
            (
                "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                TraceparentError::NotLowercaseHex {
                    field: "version",
                    len: 2,
                },
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(parse_traceparent(value).as_ref(), Err(expected), "{value}");
        }
    }

    #[test]
    fn inject_then_extract_round_trips() {
        let mut ctx = SpanContext::new_root();
        ctx.tracestate = Some("congo=t61rcWkgMzE".into());
        ctx.baggage = Some("userId=alice".into());
        ctx.project = Some("clinic".into());
        let mut h = HeaderMap::new();
        inject_trace_context(&ctx, &mut h);
        assert_eq!(h[TRACEPARENT], format_traceparent(&ctx).as_str());
        assert!(h.contains_key(X_BT_PARENT_SPAN));
        match extract_trace_context(&h) {
            Extracted::Parent {
                context,
                source,
                note,
            } => {
                assert_eq!(context, ctx);
                assert_eq!(source, ParentSource::Traceparent);
                assert_eq!(note, None);
            }
            other => panic!("expected a parent, got {other:?}"),
        }
        // The slug alone carries the same parent and project.
        h.remove(TRACEPARENT);
        let extracted = extract_trace_context(&h);
        let context = extracted.context().unwrap();
        assert_eq!(context.trace_id, ctx.trace_id);
        assert_eq!(context.span_id, ctx.span_id);
        assert_eq!(context.project.as_deref(), Some("clinic"));
    }

    #[test]
    fn no_headers_means_no_parent() {
        assert_eq!(extract_trace_context(&HeaderMap::new()), Extracted::None);
        let span = Extracted::None.start_span("root", SpanType::Task);
        assert!(span.record().span_parents.is_empty());
    }

    #[test]
    fn malformed_only_header_starts_a_new_root() {
        let extracted = extract_trace_context(&headers(&[(TRACEPARENT, "00-zz")]));
        let Extracted::Malformed { reason } = &extracted else {
            panic!("expected malformed, got {extracted:?}");
        };
        assert!(reason.contains("traceparent"), "{reason}");
        let span = extracted.start_span("server_process_turn", SpanType::Task);
        assert!(span.record().span_parents.is_empty());

        let extracted = extract_trace_context(&headers(&[(X_BT_PARENT_SPAN, "%%%")]));
        let Extracted::Malformed { reason } = extracted else {
            panic!("expected malformed");
        };
        assert!(reason.contains("x-bt-parent-span"), "{reason}");
    }

    #[test]
    fn traceparent_wins_when_headers_disagree() {
        let other = SpanContext::new_root();
        let mut h = HeaderMap::new();
        inject_trace_context(&other, &mut h);
        h.insert(TRACEPARENT, HeaderValue::from_static(TP));
        let Extracted::Parent {
            context,
            source,
            note,
        } = extract_trace_context(&h)
        else {
            panic!("expected parent");
        };
        assert_eq!(source, ParentSource::Traceparent);
        assert_eq!(hex::encode(context.span_id), "00f067aa0ba902b7");
        assert!(note.unwrap().contains("traceparent wins"));
    }

    #[test]
    fn valid_slug_rescues_a_malformed_traceparent() {
        let ctx = SpanContext::new_root();
        let mut h = HeaderMap::new();
        inject_trace_context(&ctx, &mut h);
        h.insert(TRACEPARENT, HeaderValue::from_static("garbage"));
        let Extracted::Parent {
            context,
            source,
            note,
        } = extract_trace_context(&h)
        else {
            panic!("expected parent");
        };
        assert_eq!(source, ParentSource::BraintrustSlug);
        assert_eq!(context.span_id, ctx.span_id);
        assert_eq!(context.project.as_deref(), Some(DEFAULT_PROJECT));
        assert!(note.unwrap().contains("using x-bt-parent-span"));
    }

    #[test]
    fn v3_uuid_slug_gives_a_parent_in_the_same_trace() {
        let slug = "AwEEAStanhxfDkuOnz0aKzxNXm8CERERESIiQzOERFVVVVVVVQOqqqqqu7tMzI3d7u7u7u7uBAr3ZRkWzUPdhEjrIRyAMZw=";
        let extracted = extract_trace_context(&headers(&[(X_BT_PARENT_SPAN, slug)]));
        let ctx = extracted.context().expect("parent");
        assert_eq!(ctx.trace_id_hex(), "0af7651916cd43dd8448eb211c80319c");
        assert_eq!(ctx.span_id_hex(), "aaaaaaaabbbb4ccc");
    }

    #[test]
    fn project_from_baggage_when_no_slug() {
        let h = headers(&[
            (TRACEPARENT, TP),
            (BAGGAGE, "a=1, braintrust.parent=project_name:clinic"),
        ]);
        assert_eq!(
            extract_trace_context(&h)
                .context()
                .unwrap()
                .project
                .as_deref(),
            Some("clinic")
        );
    }

    #[test]
    fn duplicate_traceparent_is_malformed() {
        let h = headers(&[(TRACEPARENT, TP), (TRACEPARENT, TP)]);
        assert!(matches!(
            extract_trace_context(&h),
            Extracted::Malformed { .. }
        ));
    }
}
