//! HTTP/2 over TLS, chosen by ALPN: the client against nginx with
//! `http2` on its TLS port, proxying to our server, as services behind
//! CDNs and proxies answer. nginx's access log says which protocol each
//! call came in.

mod common;

use std::process::{Command, Stdio};

use common::our_server;
use xmlrpc_kit::Client;
use xmlrpc_kit::client::Proxy;
use xmlrpc_kit_test_support::pki::pki;
use xmlrpc_kit_test_support::ports::on_its_own_port;
use xmlrpc_kit_test_support::process::{Running, TempDir};

/// nginx, stopped when dropped as its manual says (SIGTERM to the master,
/// which stops its workers; a SIGKILL would leave them running).
struct Nginx(Running);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.0.pid().to_string())
            .status();
        let _ = self.0.0.wait();
    }
}

/// nginx on a TLS port of its own offering HTTP/2 and HTTP/1.1, in front
/// of `upstream`; its folder holds the access log.
fn nginx_h2(upstream: std::net::SocketAddr, cert: &str, key: &str) -> (Nginx, u16, TempDir) {
    let dir = TempDir::new("client-http2-nginx");
    std::fs::write(dir.join("cert.pem"), cert).unwrap();
    std::fs::write(dir.join("key.pem"), key).unwrap();
    let d = dir.display();
    let (nginx, port) = on_its_own_port(|port| {
        std::fs::write(
            dir.join("nginx.conf"),
            format!(
                "user root;\nworker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log info;\n\
                 events {{ worker_connections 64; }}\n\
                 http {{\n  log_format protocol '$request_method $request_uri $server_protocol $status';\n\
                   access_log {d}/access.log protocol;\n  client_body_temp_path {d}/client_body;\n  proxy_temp_path {d}/proxy;\n\
                   fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
                   server {{ listen 127.0.0.1:{port} ssl http2;\n    ssl_certificate {d}/cert.pem;\n    ssl_certificate_key {d}/key.pem;\n\
                     location / {{ proxy_pass http://{upstream}; }} }}\n}}\n"
            ),
        )
        .unwrap();
        Running(
            Command::new("nginx")
                .arg("-p")
                .arg(&*dir)
                .arg("-c")
                .arg(dir.join("nginx.conf"))
                .stdout(Stdio::null())
                .spawn()
                .expect("nginx is required (scripts/test.sh installs it)"),
        )
    });
    (Nginx(nginx), port, dir)
}

#[tokio::test]
async fn a_server_offering_http2_is_called_over_it_unless_told_not_to() {
    let server = our_server();
    let certificates = pki();
    let (_nginx, port, dir) = nginx_h2(
        server.addr,
        &certificates.server_cert,
        &certificates.server_key,
    );
    let url = format!("https://localhost:{port}/RPC2");
    let client = |http2: bool| {
        Client::builder(&url)
            .add_root_certificates_pem(certificates.ca.as_bytes())
            .proxy(Proxy::none())
            .http2(http2)
            .build()
            .unwrap()
    };
    let h2 = client(true);
    // Several calls at once: streams of one connection.
    let (a, b, c) = tokio::join!(
        h2.call::<i64>("add", (2, 3)),
        h2.call::<i64>("pow", (2, 10)),
        h2.call::<String>("echo", ("é".repeat(100_000),)),
    );
    assert_eq!((a.unwrap(), b.unwrap()), (5, 1024));
    assert_eq!(c.unwrap(), "é".repeat(100_000));
    let h1 = client(false);
    assert_eq!(h1.call::<i64>("add", (1, 1)).await.unwrap(), 2);
    // nginx writes a line once a request is done.
    let log = std::fs::read_to_string(dir.join("access.log")).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 4, "{log}");
    assert_eq!(
        lines
            .iter()
            .filter(|l| **l == "POST /RPC2 HTTP/2.0 200")
            .count(),
        3,
        "{log}"
    );
    assert_eq!(lines[3], "POST /RPC2 HTTP/1.1 200", "{log}");
}
