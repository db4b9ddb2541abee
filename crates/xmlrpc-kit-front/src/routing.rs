//! Which endpoint answers which path: a dispatcher for POST and, on a
//! documenting server, the documentation page for GET.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use xmlrpc_kit_server::{Dispatcher, Documentation, Protocols};
use xmlrpc_kit_transport::ContentCoding;

/// What answers one path.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The dispatcher of POST requests.
    pub dispatcher: Dispatcher,
    /// The documentation page of GET requests, if the path has one.
    pub page: Option<Arc<Page>>,
    /// The protocols POST requests may speak: the dispatcher's, or
    /// JSON-RPC alone on a path of its own.
    pub protocols: Protocols,
}

/// The documentation page of a dispatcher's methods, rendered on its first
/// request (a CGI program that answers a POST never renders it), plain and
/// (with the `gzip` feature) gzipped, then kept.
#[derive(Debug)]
pub struct Page {
    documentation: Documentation,
    dispatcher: Dispatcher,
    html: OnceLock<Bytes>,
    gzipped: OnceLock<Bytes>,
}

impl Page {
    /// The page in `coding`.
    pub fn body(&self, coding: ContentCoding) -> &Bytes {
        let html = self.html.get_or_init(|| {
            Bytes::from(
                self.documentation
                    .render(self.dispatcher.methods())
                    .into_bytes(),
            )
        });
        match coding {
            ContentCoding::Identity => html,
            gzip => self
                .gzipped
                .get_or_init(|| Bytes::from(gzip.encode(html.to_vec()))),
        }
    }

    /// The length of the plain page, which decides whether it is worth
    /// gzipping.
    pub fn len(&self) -> usize {
        self.body(ContentCoding::Identity).len()
    }

    /// Whether the plain page is empty (it never is: it has a title).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Endpoint {
    /// `dispatcher`, documented by `documentation` if given.
    pub fn new(dispatcher: Dispatcher, documentation: Option<&Documentation>) -> Self {
        let page = documentation.map(|documentation| {
            Arc::new(Page {
                documentation: documentation.clone(),
                dispatcher: dispatcher.clone(),
                html: OnceLock::new(),
                gzipped: OnceLock::new(),
            })
        });
        let protocols = dispatcher.protocols();
        Endpoint {
            dispatcher,
            page,
            protocols,
        }
    }

    /// `dispatcher` answering JSON-RPC alone, without a page: a path of
    /// its own for JSON-RPC (the dispatcher must answer it: see
    /// [`Dispatcher::protocols`]).
    pub fn json_rpc_only(dispatcher: Dispatcher) -> Self {
        Endpoint {
            dispatcher,
            page: None,
            protocols: Protocols::JsonRpc,
        }
    }
}

/// Which endpoint answers which path.
#[derive(Debug, Clone)]
pub struct Routes {
    by_path: HashMap<String, Endpoint>,
    /// Answers every path (`rpc_paths` empty).
    any_path: Option<Endpoint>,
}

impl Routes {
    /// One endpoint on `paths`, or on every path when `paths` is empty.
    pub fn single(endpoint: Endpoint, paths: &[String]) -> Self {
        if paths.is_empty() {
            return Routes {
                by_path: HashMap::new(),
                any_path: Some(endpoint),
            };
        }
        Routes {
            by_path: paths
                .iter()
                .map(|p| (p.clone(), endpoint.clone()))
                .collect(),
            any_path: None,
        }
    }

    /// One endpoint per path.
    pub fn multi(endpoints: Vec<(String, Endpoint)>) -> Self {
        Routes {
            by_path: endpoints.into_iter().collect(),
            any_path: None,
        }
    }

    /// These routes with `endpoints` on their paths too (in place of what
    /// answered them).
    #[must_use]
    pub fn with_paths(mut self, endpoints: impl IntoIterator<Item = (String, Endpoint)>) -> Self {
        self.by_path.extend(endpoints);
        self
    }

    /// The endpoint that answers `path`.
    pub fn get(&self, path: &str) -> Option<&Endpoint> {
        self.by_path.get(path).or(self.any_path.as_ref())
    }

    /// Whether any endpoint serves a documentation page.
    pub fn documents(&self) -> bool {
        self.by_path
            .values()
            .chain(&self.any_path)
            .any(|e| e.page.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_pick_by_path() {
        let e = Endpoint::new(Dispatcher::new(xmlrpc_kit_server::Methods::new()), None);
        let r = Routes::single(e.clone(), &["/RPC2".into()]);
        assert!(r.get("/RPC2").is_some() && r.get("/").is_none());
        assert!(!r.documents());
        assert!(Routes::single(e, &[]).get("/anything").is_some());
    }

    #[test]
    fn a_page_is_rendered_once_on_demand() {
        let dispatcher = Dispatcher::new(xmlrpc_kit_server::Methods::new());
        let documentation = Documentation::default().server_title("Adder");
        let e = Endpoint::new(dispatcher, Some(&documentation));
        let page = e.page.as_ref().unwrap();
        assert!(page.html.get().is_none());
        let html = page.body(ContentCoding::Identity).clone();
        assert_eq!(
            std::str::from_utf8(&html).unwrap(),
            documentation.render(&xmlrpc_kit_server::Methods::new())
        );
        assert!(std::ptr::eq(
            page.body(ContentCoding::Identity),
            page.html.get().unwrap()
        ));
    }
}
