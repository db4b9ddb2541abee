//! Real services on the transports they use, each from Debian's packages
//! (scripts/test.sh installs them), started with its own configuration in
//! a temporary folder and stopped by PID:
//! - supervisord on a Unix socket: our CLI and client call it, and
//!   supervisor's own Python transport calls our server on a Unix socket;
//! - rTorrent over SCGI, on a Unix socket and on TCP;
//! - nginx in front of our SCGI listeners (Unix and TCP, `scgi_pass`) and
//!   of our HTTP listener on a Unix socket (`proxy_pass http://unix:…`),
//!   called by Python's `xmlrpc.client`.
//!
//! A missing package fails these tests.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use xmlrpc_kit_test_support::ports::{on_its_own_port, on_its_own_ports};
use xmlrpc_kit_test_support::process::{Demo, Running, TempDir};

/// `xmlrpc-kit demo --quiet` on an OS-picked TCP port and on `addresses`.
fn demo_listening(addresses: &[&str]) -> Demo {
    let mut args = vec!["--quiet", "--listen", "http://127.0.0.1:0"];
    for address in addresses {
        args.extend(["--listen", address]);
    }
    Demo::start(Path::new(env!("CARGO_BIN_EXE_xmlrpc-kit")), &args).expect("start xmlrpc-kit demo")
}

/// Runs `xmlrpc-kit ARGS…`.
fn xmlrpc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xmlrpc-kit"))
        .args(args)
        .output()
        .expect("run xmlrpc")
}

fn stdout_ok(out: Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Calls `method` until it succeeds (the peer is starting) or 20 s pass.
fn wait_for(url: &str, method: &str, process: &mut Running) -> String {
    let started = Instant::now();
    loop {
        let out = xmlrpc(&["call", url, method]);
        if out.status.success() {
            return String::from_utf8_lossy(&out.stdout).into_owned();
        }
        assert!(
            process.0.try_wait().unwrap().is_none(),
            "the peer exited: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{url} never answered {method}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn stop(mut process: Running, signal: &str) {
    let pid = process.pid().to_string();
    let _ = Command::new("kill").args([signal, &pid]).status();
    let started = Instant::now();
    while process.0.try_wait().unwrap().is_none() && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// supervisord with its socket in `dir` and one program (`sleep`);
/// returns it and the socket's address.
fn supervisord(dir: &Path) -> (Running, String) {
    let sock = dir.join("supervisor.sock");
    std::fs::write(
        dir.join("supervisord.conf"),
        format!(
            "[unix_http_server]\nfile={sock}\nchmod=0700\n\n\
             [supervisord]\nnodaemon=true\nuser=root\nlogfile={d}/supervisord.log\npidfile={d}/supervisord.pid\nchilddir={d}\nchildlogdir={d}\n\n\
             [rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n\
             [program:sleeper]\ncommand=sleep 1000\nautostart=true\nautorestart=false\nstartsecs=0\n",
            sock = sock.display(),
            d = dir.display()
        ),
    )
    .unwrap();
    let process = Running(
        Command::new("supervisord")
            .arg("-c")
            .arg(dir.join("supervisord.conf"))
            .stdout(Stdio::null())
            .spawn()
            .expect("supervisord is required (scripts/test.sh installs the supervisor package)"),
    );
    (process, format!("unix://{}", sock.display()))
}

#[test]
fn supervisord_on_a_unix_socket() {
    let dir = TempDir::new("peer-supervisord");
    let (mut supervisord, url) = supervisord(&dir);
    let state = wait_for(&url, "supervisor.getState", &mut supervisord);
    assert!(state.contains("\"statename\": \"RUNNING\""), "{state}");
    let started = Instant::now();
    let processes = loop {
        let processes = stdout_ok(xmlrpc(&["call", &url, "supervisor.getAllProcessInfo"]));
        if processes.contains("\"statename\": \"RUNNING\"")
            || started.elapsed() > Duration::from_secs(10)
        {
            break processes;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(processes.contains("\"name\": \"sleeper\""), "{processes}");
    assert!(
        processes.contains("\"statename\": \"RUNNING\""),
        "{processes}"
    );
    // supervisord's multicall answers bare results beside standard faults.
    let out = xmlrpc(&[
        "multicall",
        &url,
        "supervisor.getPID()",
        "supervisor.getProcessInfo(\"nosuch\")",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a fault makes the exit status 1"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let pid = supervisord.pid().to_string();
    assert!(
        text.contains(&format!("supervisor.getPID(): {pid}\n")),
        "{text}"
    );
    assert!(
        text.contains("supervisor.getProcessInfo(\"nosuch\"): fault 10: BAD_NAME: nosuch"),
        "{text}"
    );
    stop(supervisord, "-TERM");
}

#[test]
fn our_client_library_calls_supervisord() {
    let dir = TempDir::new("peer-supervisord-lib");
    let (mut supervisord, url) = supervisord(&dir);
    wait_for(&url, "supervisor.getState", &mut supervisord);
    let client = xmlrpc_kit::blocking::Client::new(&url).unwrap();
    let pid: i64 = client.call("supervisor.getPID", ()).unwrap();
    assert_eq!(pid, i64::from(supervisord.pid()));
    let mut batch = client.batch();
    batch
        .add("supervisor.getPID", ())
        .add("supervisor.getAPIVersion", ());
    let results = batch.send().unwrap();
    assert_eq!(results[0], Ok(xmlrpc_kit::Value::Int(pid as i32)));
    assert!(matches!(&results[1], Ok(xmlrpc_kit::Value::String(v)) if !v.is_empty()));
    stop(supervisord, "-TERM");
}

#[test]
fn supervisors_python_transport_calls_our_server_on_a_unix_socket() {
    let dir = TempDir::new("peer-supervisor-transport");
    let sock = dir.join("demo.sock");
    let address = format!("unix://{}", sock.display());
    let demo = demo_listening(&[&address]);
    let program = format!(
        "import xmlrpc.client\n\
         from supervisor.xmlrpc import SupervisorTransport\n\
         t = SupervisorTransport(None, None, serverurl={address:?})\n\
         p = xmlrpc.client.ServerProxy('http://127.0.0.1/RPC2', transport=t)\n\
         print(p.pow(2, 10), p.add(2, 3), len(p.system.listMethods()))\n\
         m = xmlrpc.client.MultiCall(p); m.pow(2, 3); m.mul(5, 2)\n\
         print(list(m()))\n"
    );
    // Debian's python3: supervisor is installed for it.
    let out = Command::new("/usr/bin/python3")
        .args(["-c", &program])
        .output()
        .expect("/usr/bin/python3 with supervisor");
    assert_eq!(stdout_ok(out), "1024 5 10\n[8, 10]\n");
    drop(demo);
}

/// rTorrent, headless, with its SCGI listener at `scgi` (a setting line).
fn rtorrent(dir: &Path, scgi: &str) -> Running {
    std::fs::create_dir_all(dir.join("session")).unwrap();
    std::fs::create_dir_all(dir.join("download")).unwrap();
    std::fs::write(
        dir.join("rtorrent.rc"),
        format!(
            "system.daemon.set = true\nsession.path.set = {d}/session\ndirectory.default.set = {d}/download\n\
             {scgi}\nnetwork.bind_address.set = 127.0.0.1\nnetwork.port_open.set = no\n\
             network.xmlrpc.size_limit.set = 4M\ndht.mode.set = disable\n\
             protocol.pex.set = no\ntrackers.use_udp.set = no\n",
            d = dir.display()
        ),
    )
    .unwrap();
    Running(
        Command::new("rtorrent")
            .arg("-n")
            .arg("-o")
            .arg(format!("import={}", dir.join("rtorrent.rc").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("rtorrent is required (scripts/test.sh installs it)"),
    )
}

fn call_rtorrent(url: &str, process: &mut Running) {
    assert_eq!(wait_for(url, "system.client_version", process), "0.9.8\n");
    let listed = stdout_ok(xmlrpc(&["list", url]));
    assert!(listed.lines().count() > 500, "{listed}");
    assert!(listed.lines().any(|l| l == "d.multicall2"));
    assert_eq!(
        stdout_ok(xmlrpc(&[
            "call",
            url,
            "d.multicall2",
            "s/",
            "main",
            "d.hash="
        ])),
        "[]\n"
    );
    let pid = process.pid().to_string();
    assert_eq!(
        stdout_ok(xmlrpc(&["call", url, "system.pid"])),
        format!("{pid}\n")
    );
    // Its multicall is the standard one, and its faults come through.
    let out = xmlrpc(&["multicall", url, "system.pid()", "no.such.method()"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("system.pid(): {pid}")), "{text}");
    assert!(text.contains("no.such.method(): fault -506"), "{text}");
}

#[test]
fn rtorrent_over_scgi_on_a_unix_socket() {
    let dir = TempDir::new("peer-rtorrent-unix");
    let sock = dir.join("rpc.sock");
    let mut rtorrent = rtorrent(
        &dir,
        &format!("network.scgi.open_local = {}", sock.display()),
    );
    call_rtorrent(&format!("scgi://{}", sock.display()), &mut rtorrent);
    // Our client library too.
    let client = xmlrpc_kit::blocking::Client::new(&format!("scgi://{}", sock.display())).unwrap();
    let version: String = client.call("system.library_version", ()).unwrap();
    assert_eq!(version, "0.13.8");
    stop(rtorrent, "-TERM");
}

#[test]
fn rtorrent_over_scgi_on_tcp() {
    let dir = TempDir::new("peer-rtorrent-tcp");
    // Its SCGI port is checked to be its own (a parallel test may take a
    // port found free first).
    let (mut rtorrent, port) = on_its_own_port(|port| {
        rtorrent(&dir, &format!("network.scgi.open_port = 127.0.0.1:{port}"))
    });
    call_rtorrent(&format!("scgi://127.0.0.1:{port}"), &mut rtorrent);
    stop(rtorrent, "-TERM");
}

#[test]
fn nginx_in_front_of_our_scgi_and_unix_listeners() {
    let dir = TempDir::new("peer-nginx");
    let scgi_sock = dir.join("scgi.sock");
    let http_sock = dir.join("http.sock");
    let demo = demo_listening(&[
        &format!("scgi://{}", scgi_sock.display()),
        "scgi://127.0.0.1:0",
        &format!("unix://{}", http_sock.display()),
    ]);
    // The port the OS picked for SCGI, from the line that announces it.
    let scgi_port: u16 = (0..3)
        .map(|_| demo.stderr.recv_timeout(Duration::from_secs(5)).unwrap())
        .find_map(|line| {
            line.strip_prefix("xmlrpc-kit demo: serving on scgi://127.0.0.1:")?
                .parse()
                .ok()
        })
        .expect("the SCGI address is announced");
    let d = dir.display();
    // Its three ports are checked to be its own (a parallel test may take
    // a port found free first).
    let (nginx, ports) = on_its_own_ports(3, |ports| {
        std::fs::write(
            dir.join("nginx.conf"),
            format!(
                "user root;\nworker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log info;\n\
                 events {{ worker_connections 64; }}\n\
                 http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/client_body;\n  proxy_temp_path {d}/proxy;\n\
                   fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
                   client_max_body_size 16m;\n  client_body_buffer_size 2m;\n\
                   server {{ listen 127.0.0.1:{a}; location /RPC2 {{ include /etc/nginx/scgi_params; scgi_pass unix:{scgi}; }} }}\n\
                   server {{ listen 127.0.0.1:{b}; location /RPC2 {{ include /etc/nginx/scgi_params; scgi_pass 127.0.0.1:{scgi_port}; }} }}\n\
                   server {{ listen 127.0.0.1:{c}; location /RPC2 {{ proxy_pass http://unix:{http}:/RPC2; }} }}\n}}\n",
                a = ports[0],
                b = ports[1],
                c = ports[2],
                scgi = scgi_sock.display(),
                http = http_sock.display(),
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
    for port in ports {
        let program = format!(
            "import xmlrpc.client\n\
             p = xmlrpc.client.ServerProxy('http://127.0.0.1:{port}/RPC2')\n\
             big = 'é' * (512 * 1024)\n\
             print(p.pow(2, 5), p.echo(big) == big)\n\
             try:\n    p.div(1, 0)\nexcept xmlrpc.client.Fault as f:\n    print(f.faultCode, f.faultString)\n"
        );
        let out = Command::new("python3")
            .args(["-c", &program])
            .output()
            .unwrap();
        assert_eq!(
            stdout_ok(out),
            "32 True\n-32500 integer division or modulo by zero\n",
            "through nginx on port {port}"
        );
    }
    stop(nginx, "-QUIT");
    drop(demo);
}
