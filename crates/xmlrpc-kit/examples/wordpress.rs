//! WordPress's `xmlrpc.php` (what blog editors, Jetpack and publishing
//! scripts call), typed: list the user's blogs, publish a post, read it
//! back, list the posts, and batch calls in one `system.multicall`.
//!
//! Run with: `WORDPRESS_USER=… WORDPRESS_PASSWORD=… cargo run -p xmlrpc-kit --features serde --example wordpress -- http://127.0.0.1:8080/xmlrpc.php`
//! (`tests/interop/peers/wordpress/serve.sh PORT DIR` installs and serves
//! a fresh WordPress; `tests/interop/run.py` runs this program against it
//! and judges the lines it prints: `CHECK<TAB>ok`, or what was wrong).
//!
//! WordPress takes the user name and password as the first parameters of
//! every `wp.*` call (after the blog id), not through HTTP authentication;
//! a wrong one is fault 403. Ids are strings.

mod checks;

use serde::{Deserialize, Serialize};
use xmlrpc_kit::blocking::Client;
use xmlrpc_kit::client::Error;
use xmlrpc_kit::serde::Serde;
use xmlrpc_kit::{DateTime, Value};

use checks::{report, same};

/// One of `wp.getUsersBlogs`.
#[derive(Debug, Deserialize)]
struct Blog {
    blogid: String,
    #[serde(rename = "blogName")]
    blog_name: String,
    #[serde(rename = "isAdmin")]
    is_admin: bool,
    xmlrpc: String,
}

/// What `wp.newPost` takes.
#[derive(Serialize)]
struct NewPost<'a> {
    post_title: &'a str,
    post_content: &'a str,
    post_status: &'a str,
}

/// A post, as `wp.getPost` answers for these fields.
#[derive(Debug, Deserialize)]
struct Post {
    post_id: String,
    post_title: String,
    post_content: String,
    post_status: String,
    post_date_gmt: DateTime,
    terms: Vec<Term>,
}

/// A category or tag of a post.
#[derive(Debug, Deserialize)]
struct Term {
    name: String,
    taxonomy: String,
}

const TITLE: &str = "Interop: café <&>";
const CONTENT: &str = "Hello from <b>Rust</b>, ünïcode & \"quotes\".";

fn main() {
    let url = std::env::args()
        .nth(1)
        .expect("usage: WORDPRESS_USER=… WORDPRESS_PASSWORD=… wordpress URL");
    let user = std::env::var("WORDPRESS_USER").expect("WORDPRESS_USER: who writes");
    let password = std::env::var("WORDPRESS_PASSWORD").expect("WORDPRESS_PASSWORD");
    let (user, password) = (user.as_str(), password.as_str());
    let c = Client::new(&url).expect("a valid URL");
    let e = |e: Error| e.to_string();

    report(
        "demo.sayHello",
        c.call::<String>("demo.sayHello", ())
            .map_err(e)
            .and_then(|s| same(s.as_str(), "Hello!")),
    );
    report(
        "wp.getUsersBlogs",
        c.call::<Serde<Vec<Blog>>>("wp.getUsersBlogs", (user, password))
            .map_err(e)
            .and_then(|Serde(blogs)| match blogs.as_slice() {
                [blog] => {
                    same(
                        (blog.blogid.as_str(), blog.blog_name.as_str(), blog.is_admin),
                        ("1", "Interop", true),
                    )?;
                    same(blog.xmlrpc.as_str(), url.as_str())
                }
                other => Err(format!("expected one blog, got {other:?}")),
            }),
    );
    let created = c
        .call::<String>(
            "wp.newPost",
            (
                1,
                user,
                password,
                Serde(NewPost {
                    post_title: TITLE,
                    post_content: CONTENT,
                    post_status: "publish",
                }),
            ),
        )
        .map_err(e);
    report(
        "wp.newPost",
        created.as_ref().map_err(Clone::clone).and_then(|id| {
            id.parse::<u32>()
                .map(|_| ())
                .map_err(|_| format!("expected a numeric id, got {id:?}"))
        }),
    );
    let id = created.unwrap_or_default();
    report(
        "wp.getPost",
        c.call::<Serde<Post>>(
            "wp.getPost",
            (
                1,
                user,
                password,
                id.as_str(),
                vec![
                    "post_id",
                    "post_title",
                    "post_content",
                    "post_status",
                    "post_date_gmt",
                    "terms",
                ],
            ),
        )
        .map_err(e)
        .and_then(|Serde(post)| {
            same(
                (
                    post.post_id.as_str(),
                    post.post_title.as_str(),
                    post.post_content.as_str(),
                    post.post_status.as_str(),
                ),
                (id.as_str(), TITLE, CONTENT, "publish"),
            )?;
            same(post.post_date_gmt.year() >= 2022, true)?;
            same(
                post.terms
                    .iter()
                    .map(|t| (t.name.as_str(), t.taxonomy.as_str()))
                    .collect::<Vec<_>>(),
                vec![("Uncategorized", "category")],
            )
        }),
    );
    report(
        "wp.getPosts",
        c.call::<Serde<Vec<std::collections::BTreeMap<String, String>>>>(
            "wp.getPosts",
            (
                1,
                user,
                password,
                Value::Struct([("number".to_owned(), Value::Int(10))].into()),
                vec!["post_id", "post_title"],
            ),
        )
        .map_err(e)
        .and_then(|Serde(posts)| {
            let titles: Vec<(&str, &str)> = posts
                .iter()
                .map(|p| (p["post_id"].as_str(), p["post_title"].as_str()))
                .collect();
            // Newest first; the installation's own post last.
            same(titles, vec![(id.as_str(), TITLE), ("1", "Hello world!")])
        }),
    );
    report(
        "fault.wrong-password",
        match c.call::<Value>("wp.getPost", (1, user, "not the password", id.as_str())) {
            Err(Error::Fault(f)) => same(
                (f.code, f.string.as_str()),
                (403, "Incorrect username or password."),
            ),
            other => Err(format!("expected fault 403, got {other:?}")),
        },
    );
    let mut batch = c.batch();
    batch
        .add("demo.addTwoNumbers", (2, 3))
        .add(
            "wp.getPost",
            (1, user, password, 999_999, vec!["post_title"]),
        )
        .add(
            "wp.getPost",
            (1, user, password, id.as_str(), vec!["post_title"]),
        );
    report(
        "system.multicall",
        batch
            .send()
            .map_err(e)
            .and_then(|results| match results.as_slice() {
                [Ok(Value::Int(5)), Err(fault), Ok(Value::Struct(post))]
                    if fault.code == 404 && fault.string == "Invalid post ID." =>
                {
                    same(post.get("post_title"), Some(&Value::String(TITLE.into())))
                }
                other => Err(format!("expected [5, fault 404, the post], got {other:?}")),
            }),
    );
    report(
        "introspection.list",
        c.list_methods().map_err(e).and_then(|names| {
            let missing: Vec<&str> = [
                "wp.getPosts",
                "wp.newPost",
                "system.multicall",
                "metaWeblog.newPost",
            ]
            .into_iter()
            .filter(|m| !names.iter().any(|n| n == m))
            .collect();
            same(missing, vec![])
        }),
    );
}
