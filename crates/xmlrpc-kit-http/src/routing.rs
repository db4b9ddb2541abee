//! Which endpoint answers which path: a dispatcher for POST and, on a
//! documenting server, the documentation page for GET.

use std::collections::HashMap;

use bytes::Bytes;
use xmlrpc_kit_codec::wire::ContentCoding;
use xmlrpc_kit_server::{Dispatcher, Documentation};

/// What answers one path.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    pub(crate) dispatcher: Dispatcher,
    pub(crate) page: Option<Page>,
}

/// The documentation page, rendered once, plain and (with the `gzip`
/// feature) gzipped.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub(crate) html: Bytes,
    pub(crate) gzipped: Bytes,
}

impl Page {
    /// The page in `coding`.
    pub(crate) fn body(&self, coding: ContentCoding) -> &Bytes {
        match coding {
            ContentCoding::Identity => &self.html,
            ContentCoding::Gzip => &self.gzipped,
        }
    }
}

impl Endpoint {
    /// `dispatcher`, documented by `documentation` if given.
    pub(crate) fn new(dispatcher: Dispatcher, documentation: Option<&Documentation>) -> Self {
        let page = documentation.map(|doc| {
            let html = doc.render(dispatcher.methods()).into_bytes();
            let gzipped = if ContentCoding::GZIP_BUILT_IN {
                Bytes::from(ContentCoding::Gzip.encode(html.clone()))
            } else {
                Bytes::new()
            };
            Page {
                gzipped,
                html: Bytes::from(html),
            }
        });
        Endpoint { dispatcher, page }
    }
}

/// Which endpoint answers which path.
#[derive(Debug, Clone)]
pub(crate) struct Routes {
    by_path: HashMap<String, Endpoint>,
    /// Answers every path (`rpc_paths` empty).
    any_path: Option<Endpoint>,
}

impl Routes {
    /// One endpoint on `paths`, or on every path when `paths` is empty.
    pub(crate) fn single(endpoint: Endpoint, paths: &[String]) -> Self {
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
    pub(crate) fn multi(endpoints: Vec<(String, Endpoint)>) -> Self {
        Routes {
            by_path: endpoints.into_iter().collect(),
            any_path: None,
        }
    }

    pub(crate) fn get(&self, path: &str) -> Option<&Endpoint> {
        self.by_path.get(path).or(self.any_path.as_ref())
    }

    /// Whether any endpoint serves a documentation page.
    pub(crate) fn documents(&self) -> bool {
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
}
