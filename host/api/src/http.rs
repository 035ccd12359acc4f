//! The server side of the error contract (feature `server`): every failure an
//! axum handler or extractor can produce becomes `{"error": {"kind",
//! "message"}}` with a status that says what went wrong, never a bare 500.
//! Also the access-control middleware both servers share ([`with_bearer_auth`]).

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::de::DeserializeOwned;

use crate::{BearerToken, ErrorBody, ErrorKind, ErrorResponse};

/// The one route open without a token: liveness probes carry no secrets.
pub const HEALTH_PATH: &str = "/healthz";

/// An error answered to the caller: a status and an [`ErrorBody`].
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: ErrorKind, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: ErrorBody::new(kind, message),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorKind::BadRequest, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorKind::NotFound, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, ErrorKind::Conflict, message)
    }

    pub fn payload_too_large(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::PayloadTooLarge,
            message,
        )
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Unavailable,
            message,
        )
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorKind::Unauthorized, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(ErrorResponse { error: self.body })).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let detail = rejection.body_text();
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::payload_too_large(format!("request body too large: {detail}"))
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorKind::UnsupportedMediaType,
                "expected a JSON body with `Content-Type: application/json`",
            ),
            _ => ApiError::bad_request(detail),
        }
    }
}

/// `axum::Json`, with rejections answered as [`ApiError`]s: malformed JSON and
/// wrong or missing fields → 400 naming the problem, a body over the route's
/// limit → 413, a non-JSON content type → 415.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await?;
        Ok(JsonBody(value))
    }
}

/// `axum::extract::Path`, with rejections (a segment that is not valid
/// UTF-8 once percent-decoded, or does not parse as `T`) answered as a 400
/// [`ApiError`] instead of axum's plain-text body.
#[derive(Debug, Clone, Copy, Default)]
pub struct PathParam<T>(pub T);

impl<S, T> FromRequestParts<S> for PathParam<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(value) = axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map_err(|rejection: PathRejection| ApiError::bad_request(rejection.body_text()))?;
        Ok(PathParam(value))
    }
}

/// Router fallback: an unknown route is a 404 that names it.
pub async fn unknown_route(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(format!("no route for {method} {}", uri.path()))
}

/// Method fallback: a known route with the wrong method is a 405 that says so.
pub async fn wrong_method(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorKind::MethodNotAllowed,
        format!("method {method} is not allowed on {}", uri.path()),
    )
}

/// `router` with every route but [`HEALTH_PATH`] (unknown routes included)
/// behind `token`; unchanged when there is none. Layered last, so it covers
/// routes merged in before.
pub fn with_bearer_auth<S>(router: Router<S>, token: Option<BearerToken>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    match token {
        Some(token) => router.layer(from_fn_with_state(token, require_bearer)),
        None => router,
    }
}

/// Middleware (`axum::middleware::from_fn_with_state`): passes a request on
/// only if it is for [`HEALTH_PATH`] or carries `Authorization: Bearer
/// <token>`; otherwise 401 `unauthorized`, with `WWW-Authenticate: Bearer`.
/// The answer never repeats what was presented.
pub async fn require_bearer(
    State(token): State<BearerToken>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().path() == HEALTH_PATH {
        return next.run(request).await;
    }
    let message = match request.headers().get(header::AUTHORIZATION) {
        None => "this endpoint requires `Authorization: Bearer <token>` (the TRELLIS_TOKEN)",
        Some(value) if token.is_presented_by(value.as_bytes()) => {
            return next.run(request).await;
        }
        Some(_) => "the bearer token was rejected: it is not this deployment's TRELLIS_TOKEN",
    };
    let mut response = ApiError::unauthorized(message).into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    const TOKEN: &str = "test-token-0123456789";

    fn app() -> Router {
        let router = Router::new()
            .route("/v1/tools", get(|| async { "tools" }))
            .route(HEALTH_PATH, get(|| async { "ok" }))
            .fallback(unknown_route);
        with_bearer_auth(router, Some(BearerToken::new(TOKEN).unwrap()))
    }

    async fn get_with(path: &str, authorization: Option<&str>) -> (StatusCode, Response) {
        let mut request = Request::get(path);
        if let Some(value) = authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        let response = app()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        (response.status(), response)
    }

    async fn error_of(response: Response) -> ErrorBody {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        serde_json::from_slice::<ErrorResponse>(&bytes)
            .unwrap()
            .error
    }

    #[tokio::test]
    async fn a_request_without_a_token_is_unauthorized() {
        let (status, response) = get_with("/v1/tools", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
        let error = error_of(response).await;
        assert_eq!(error.kind, ErrorKind::Unauthorized);
        assert!(error.message.contains("requires"), "{}", error.message);
    }

    #[tokio::test]
    async fn a_wrong_token_is_rejected_without_being_echoed() {
        for wrong in [
            "Bearer not-the-token",
            "Bearer test-token-012345678",
            "Basic dGVzdA==",
            TOKEN,
        ] {
            let (status, response) = get_with("/v1/tools", Some(wrong)).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{wrong}");
            let error = error_of(response).await;
            assert_eq!(error.kind, ErrorKind::Unauthorized);
            assert!(!error.message.contains("not-the-token"));
            assert!(!error.message.contains(TOKEN));
        }
    }

    #[tokio::test]
    async fn the_right_token_passes() {
        let (status, response) = get_with("/v1/tools", Some(&format!("Bearer {TOKEN}"))).await;
        assert_eq!(status, StatusCode::OK);
        let bytes = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        assert_eq!(&bytes[..], b"tools");
    }

    #[tokio::test]
    async fn unknown_routes_are_guarded_too() {
        let (status, _) = get_with("/nope", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = get_with("/nope", Some(&format!("Bearer {TOKEN}"))).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn healthz_stays_open() {
        let (status, _) = get_with(HEALTH_PATH, None).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = get_with(HEALTH_PATH, Some("Bearer wrong")).await;
        assert_eq!(status, StatusCode::OK);
    }

    #[tokio::test]
    async fn without_a_token_nothing_is_guarded() {
        let router = Router::new().route("/v1/tools", get(|| async { "tools" }));
        let response = with_bearer_auth(router, None)
            .oneshot(Request::get("/v1/tools").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}
