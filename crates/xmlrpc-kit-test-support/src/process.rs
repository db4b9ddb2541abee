//! Processes the tests start, stopped (killed by PID and reaped) when
//! dropped, `xmlrpc-kit demo` started as its users start it, and the
//! words of a command line as a shell splits them.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A process stopped when dropped.
#[derive(Debug)]
pub struct Running(pub Child);

impl Running {
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running `xmlrpc-kit demo`: the process, the address it said it serves
/// on, and the rest of its stderr, line by line, as it writes it (read on
/// a thread of its own, so the server never blocks on a full pipe).
#[derive(Debug)]
pub struct Demo {
    /// The process.
    pub process: Running,
    /// Where it serves (from its first line).
    pub addr: SocketAddr,
    /// Its stderr after the first line.
    pub stderr: mpsc::Receiver<String>,
}

impl Demo {
    /// Starts `bin demo --port 0 ARGS…` (without `--port 0` when ARGS hold
    /// `--listen`; the first address must then be `http://`) and waits for
    /// the line saying where it serves.
    pub fn start(bin: &Path, args: &[&str]) -> std::io::Result<Demo> {
        let port: &[&str] = if args.contains(&"--listen") {
            &[]
        } else {
            &["--port", "0"]
        };
        let mut child = Command::new(bin)
            .arg("demo")
            .args(port)
            .args(args)
            .stderr(Stdio::piped())
            .spawn()?;
        let stderr = child.stderr.take().expect("piped");
        let process = Running(child);
        let (lines_tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let first = lines
            .recv_timeout(Duration::from_secs(20))
            .map_err(|_| std::io::Error::other("xmlrpc-kit demo said nothing within 20 s"))?;
        let addr = first
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|a| a.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("no address in {first:?}")))?;
        Ok(Demo {
            process,
            addr,
            stderr: lines,
        })
    }

    /// The port it serves on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }
}

/// A fresh folder under the system's temporary folder, removed (with
/// everything in it) when dropped, even when the test fails.
#[derive(Debug)]
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    /// `xmlrpc-<name>-<pid>`, emptied if it was there.
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("xmlrpc-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a temporary folder");
        TempDir(dir)
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A shell command line's words: blanks separate them; '…' and "…" quote
/// (a backslash escapes `"` and `\` inside "…"), as the examples of the
/// `--help` texts use them.
///
/// ```
/// use xmlrpc_kit_test_support::process::shell_words;
///
/// assert_eq!(
///     shell_words(r#"python3 -c "print('a b')" 'x y'"#),
///     ["python3", "-c", "print('a b')", "x y"]
/// );
/// ```
pub fn shell_words(line: &str) -> Vec<String> {
    let (mut words, mut word, mut in_word) = (Vec::new(), String::new(), false);
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' if !in_word => {}
            ' ' => {
                words.push(std::mem::take(&mut word));
                in_word = false;
            }
            '\'' => {
                in_word = true;
                word.extend(chars.by_ref().take_while(|&c| c != '\''));
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => word.extend(chars.next()),
                        c => word.push(c),
                    }
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// The examples of `bin COMMAND --help` (the lines after `Examples:`, up
/// to a blank one), each without its comment (what follows `  #`).
pub fn help_examples(bin: &Path, command: &str) -> Vec<String> {
    let out = Command::new(bin)
        .args([command, "--help"])
        .output()
        .expect("run --help");
    assert!(out.status.success(), "{command} --help failed");
    let help = String::from_utf8(out.stdout).expect("UTF-8 help");
    let section = help
        .split("Examples:\n")
        .nth(1)
        .expect("an Examples section");
    section
        .lines()
        .take_while(|l| !l.is_empty())
        .map(|l| l.split("  #").next().unwrap_or_default().trim().to_owned())
        .collect()
}
