//! The one request path: what any front end received before the body
//! (method, path, headers or CGI variables) checked in one order
//! ([`admit`]), leading to a refusal, an answer without a body, or a call
//! for a dispatcher.

use std::time::Instant;

use xmlrpc_kit_server::context::{Identity, RequestContext};
use xmlrpc_kit_server::{Dispatcher, Protocol};
use xmlrpc_kit_transport::{BodyLimits, ContentCoding, accepts_gzip};

use crate::auth::Authenticator;
use crate::body::BodyPlan;
use crate::host::check_host;
use crate::length::content_length;
use crate::rate_limit::{RateKey, RateLimit};
use crate::rejection::Rejection;
use crate::routing::{Page, Routes};

/// The request fields the path reads, by their HTTP names. A front end
/// without HTTP headers maps them to what it has (CGI and SCGI:
/// `CONTENT_LENGTH` and the `HTTP_*` variables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `Host`.
    Host,
    /// `Content-Length` (CGI: `CONTENT_LENGTH`).
    ContentLength,
    /// `Transfer-Encoding`: the body comes in chunks.
    TransferEncoding,
    /// `Content-Encoding`: the body's coding.
    ContentEncoding,
    /// `Accept-Encoding`: the codings the client reads.
    AcceptEncoding,
    /// `Content-Type`: the body's media type, which tells XML-RPC from
    /// JSON-RPC (CGI and SCGI: `CONTENT_TYPE`).
    ContentType,
}

/// What a front end received before the body, as the one request path
/// reads it.
pub trait RequestHead {
    /// The HTTP method (CGI and SCGI: `REQUEST_METHOD`).
    fn method(&self) -> &str;

    /// The path requested, without its query.
    fn path(&self) -> &str;

    /// `Some(is_http_1_1)` for a request that came over HTTP itself, whose
    /// `Host` lines [`check_host`] checks; `None` when a web server in
    /// front already did (CGI, SCGI).
    fn http_1_1(&self) -> Option<bool>;

    /// Every value of `field`, in order (several lines are one list).
    fn values(&self, field: Field) -> impl Iterator<Item = &[u8]>;

    /// Whether the body is all the input that follows, with no length
    /// (a CGI program run by hand). Default: no.
    fn body_runs_to_end(&self) -> bool {
        false
    }

    /// Whether the client reads gzip answers.
    fn accepts_gzip(&self) -> bool {
        accepts_gzip(self.values(Field::AcceptEncoding))
    }
}

/// What a front end serves: its routes and the settings the request path
/// applies.
#[derive(Debug, Clone, Copy)]
pub struct Site<'s> {
    /// Which dispatcher (and page) answers which path.
    pub routes: &'s Routes,
    /// The path whose GET answers whether the server is ready for
    /// requests ([`health`]: 503 once it stops), if any.
    pub health_path: Option<&'s str>,
    /// The path whose GET answers 200 for as long as the server answers at
    /// all, draining included (a liveness check), if any.
    pub liveness_path: Option<&'s str>,
    /// The path whose GET answers the server's metrics, if any: after
    /// authentication, so a scraper authenticates as any client does.
    pub metrics_path: Option<&'s str>,
    /// The rate limit per caller, if any.
    pub rate_limit: Option<&'s RateLimit>,
    /// How requests authenticate, if they must.
    pub authenticator: Option<&'s Authenticator>,
    /// The limits on the request body.
    pub limits: &'s BodyLimits,
}

/// Where a request goes once its head has passed every check.
#[derive(Debug)]
pub enum Admitted<'s> {
    /// The health path: the front end answers its server's [`Readiness`]
    /// (it is asked only here, not per request).
    Health,
    /// The liveness path: the front end answers [`Readiness::Ready`].
    Alive,
    /// The metrics path: the front end answers its metrics' text.
    Metrics,
    /// The documentation page.
    Page(&'s Page),
    /// A call: its body is to be read as the plan says, then dispatched.
    Call(Call<'s>),
}

/// An admitted call, before its body is read.
#[derive(Debug)]
pub struct Call<'s> {
    /// The dispatcher of the request's path.
    pub dispatcher: &'s Dispatcher,
    /// Who the request authenticated as, when the site authenticates.
    pub identity: Option<Identity>,
    /// How to read the body.
    pub body: BodyPlan,
    /// The protocol the body speaks (told by its `Content-Type` and the
    /// path), which the dispatcher answers in.
    pub protocol: Protocol,
}

impl<'s> Call<'s> {
    /// The dispatcher, the request's context with the identity it
    /// authenticated as (if any), the body's plan and its protocol.
    pub fn into_parts(
        self,
        context: RequestContext,
    ) -> (&'s Dispatcher, RequestContext, BodyPlan, Protocol) {
        let context = match self.identity {
            Some(identity) => context.with_identity(identity),
            None => context,
        };
        (self.dispatcher, context, self.body, self.protocol)
    }
}

/// The media type of the metrics path's answer: the OpenMetrics text
/// that Prometheus scrapes.
pub const METRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Whether a server is ready for more requests: what its health path
/// (readiness) answers.
///
/// ```
/// use xmlrpc_kit::front::Readiness;
///
/// assert_eq!(Readiness::Ready.answer(), (200, "ok\n"));
/// assert_eq!(Readiness::Stopping.answer(), (503, "stopping\n"));
/// assert_eq!(Readiness::Shedding.answer(), (503, "shedding load\n"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// Serving.
    Ready,
    /// Stopping (draining included): take it out of rotation.
    Stopping,
    /// Refusing requests for want of capacity lately (503): send fewer.
    Shedding,
}

impl Readiness {
    /// The status and the line of text the health path answers.
    pub fn answer(self) -> (u16, &'static str) {
        match self {
            Readiness::Ready => (200, "ok\n"),
            Readiness::Stopping => (503, "stopping\n"),
            Readiness::Shedding => (503, "shedding load\n"),
        }
    }
}

/// The health path's answer: `200 ok` while serving, `503 stopping` once
/// the server stops.
///
/// ```
/// assert_eq!(xmlrpc_kit::front::health(true), (200, "ok\n"));
/// assert_eq!(xmlrpc_kit::front::health(false), (503, "stopping\n"));
/// ```
pub fn health(serving: bool) -> (u16, &'static str) {
    if serving {
        Readiness::Ready.answer()
    } else {
        Readiness::Stopping.answer()
    }
}

/// Runs the checks on `head` in their one order; `context` is what
/// handlers may know of the request, its client already resolved behind
/// trusted proxies (an authenticator reads it). The order:
///
/// 1. `Host` (400), for requests that came over HTTP itself;
/// 2. the health path (GET or HEAD): `200 ok`, or `503 stopping` once the
///    server stops; the liveness path: `200 ok` while it answers at all;
/// 3. the rate limit per client address (429), the client's identity
///    when the site authenticates (401), the rate limit per user (429);
/// 4. the metrics path (GET or HEAD);
/// 5. the route and the method: POST on a route is a call, GET or HEAD on
///    a documented route the page; an unknown path 404 (for POST, and for
///    GET on a site with a page); any other method 501 with `Allow`;
/// 6. the body's protocol, by its `Content-Type` (400 when its lines name
///    both XML-RPC and JSON-RPC, 415 when the path does not answer the one
///    it names), its coding (415), then its length (411, 413, 400).
///
/// # Errors
/// The refusal the front end answers with, in its own form.
pub fn admit<'s>(
    site: Site<'s>,
    head: &impl RequestHead,
    context: &RequestContext,
) -> Result<Admitted<'s>, Rejection> {
    if let Some(http_1_1) = head.http_1_1() {
        check_host(http_1_1, head.values(Field::Host))?;
    }
    let method = head.method();
    let path = head.path();
    let is_get = matches!(method, "GET" | "HEAD");
    if is_get && site.health_path == Some(path) {
        return Ok(Admitted::Health);
    }
    if is_get && site.liveness_path == Some(path) {
        return Ok(Admitted::Alive);
    }
    let limited = |key: RateKey| site.rate_limit.filter(|limit| limit.key() == key);
    if let Some(limit) = limited(RateKey::Peer) {
        limit.check_caller(context.peer(), None, Instant::now())?;
    }
    let identity = match site.authenticator {
        None => None,
        Some(authenticator) => Some(authenticator.check(context)?),
    };
    if let Some(limit) = limited(RateKey::User) {
        limit.check_caller(context.peer(), identity.as_ref(), Instant::now())?;
    }
    if is_get && site.metrics_path == Some(path) {
        return Ok(Admitted::Metrics);
    }
    let endpoint = site.routes.get(path);
    let endpoint = match endpoint {
        Some(endpoint) if method == "POST" => endpoint,
        Some(endpoint) if is_get && endpoint.page.is_some() => {
            return Ok(Admitted::Page(endpoint.page.as_deref().expect("checked")));
        }
        None if method == "POST" || (is_get && site.routes.documents()) => {
            return Err(Rejection::not_found());
        }
        _ => {
            let documented = endpoint.map_or(site.routes.documents(), |e| e.page.is_some());
            let allow = if documented {
                "POST, GET, HEAD"
            } else {
                "POST"
            };
            return Err(Rejection::unsupported_method(method, allow));
        }
    };
    let protocol = endpoint
        .protocols
        .of_request(head.values(Field::ContentType))
        .map_err(|refusal| Rejection::protocol(&refusal))?;
    let coding = ContentCoding::from_headers(head.values(Field::ContentEncoding))
        .map_err(|e| Rejection::unsupported_coding(&e))?;
    // Repeated lines must agree (RFC 9110 §8.6); hyper has refused those
    // that do not already.
    let mut lengths = head.values(Field::ContentLength);
    let first = lengths.next();
    if let Some(other) = lengths.find(|&other| Some(other) != first) {
        return Err(Rejection::bad_length(&String::from_utf8_lossy(other)));
    }
    let declared = match first.map(std::str::from_utf8) {
        Some(Ok(text)) => Some(text),
        Some(Err(_)) => {
            return Err(Rejection::bad_length(&String::from_utf8_lossy(
                first.unwrap_or_default(),
            )));
        }
        None => None,
    };
    // A length, or chunks (HTTP drops the length of a chunked body), or
    // all the input (a CGI program run by hand).
    let unframed = declared.is_none()
        && (head.values(Field::TransferEncoding).next().is_some() || head.body_runs_to_end());
    let declared = content_length(declared, unframed, site.limits)?;
    Ok(Admitted::Call(Call {
        dispatcher: &endpoint.dispatcher,
        identity,
        body: BodyPlan::new(coding, declared),
        protocol,
    }))
}
