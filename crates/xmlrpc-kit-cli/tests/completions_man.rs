//! Issue 26: `xmlrpc-kit completions SHELL` and `xmlrpc-kit man`, made
//! from the same definitions as `--help` (clap_complete, clap_mangen).
//! Every example of their `--help` runs as written, `~` being a temporary
//! folder: bash reads the script it wrote and completes the commands,
//! zsh's and fish's scripts name them, and the manual page holds every
//! command with its help.

use std::path::Path;
use std::process::Command;

use xmlrpc_kit_test_support::process::{TempDir, help_examples, shell_words};

const BIN: &str = env!("CARGO_BIN_EXE_xmlrpc-kit");

/// Runs `xmlrpc-kit ARGS > FILE` as the example says, `~` being `home`;
/// returns what it wrote.
fn run_into_file(example: &str, home: &std::path::Path) -> String {
    let (command, file) = example.split_once(" > ").expect(example);
    let file = home.join(file.trim().trim_start_matches("~/"));
    let words = shell_words(command);
    assert_eq!(words[0], "xmlrpc-kit", "{example}");
    let out = Command::new(BIN).args(&words[1..]).output().unwrap();
    assert!(
        out.status.success(),
        "{example}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, &out.stdout).unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_example_of_completions_writes_a_script_its_shell_reads() {
    let home = TempDir::new("completions");
    let examples = help_examples(Path::new(BIN), "completions");
    assert_eq!(examples.len(), 3, "{examples:#?}");
    let scripts: Vec<String> = examples.iter().map(|e| run_into_file(e, &home)).collect();
    // bash: the script, sourced, registers a function for `xmlrpc-kit`
    // (`complete -p`), which completes the commands after `xmlrpc-kit `
    // and `demo`'s options after `xmlrpc-kit demo --l`.
    let bash_file = home.join(".local/share/bash-completion/completions/xmlrpc-kit");
    let complete = |line: &str| {
        let words: Vec<&str> = line.split(' ').collect();
        let program = format!(
            "source {file:?}\n\
             COMP_WORDS=({words})\n\
             COMP_CWORD={last}\n\
             COMP_LINE={line:?}\n\
             COMP_POINT=${{#COMP_LINE}}\n\
             complete=$(complete -p xmlrpc-kit)\n\
             function=${{complete##*-F }}\n\
             \"${{function%% *}}\" xmlrpc-kit {current:?} {previous:?}\n\
             printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
            file = bash_file,
            words = words
                .iter()
                .map(|w| format!("{w:?}"))
                .collect::<Vec<_>>()
                .join(" "),
            last = words.len() - 1,
            current = words[words.len() - 1],
            previous = words[words.len() - 2],
        );
        let out = Command::new("bash")
            .args(["-c", &program])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut offered: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        offered.sort();
        offered
    };
    let commands = complete("xmlrpc-kit ");
    for command in [
        "call",
        "completions",
        "demo",
        "help",
        "list",
        "man",
        "multicall",
    ] {
        assert!(
            commands.contains(&command.to_owned()),
            "{command}: {commands:?}"
        );
    }
    assert_eq!(
        complete("xmlrpc-kit demo --l"),
        ["--listen", "--liveness-path", "--log-format"]
    );
    // zsh and fish: a script in their own form, naming every command.
    assert!(
        scripts[1].starts_with("#compdef xmlrpc-kit"),
        "{}",
        &scripts[1][..80]
    );
    assert!(
        scripts[2].contains("complete -c xmlrpc-kit"),
        "{}",
        &scripts[2][..80]
    );
    for script in &scripts[1..] {
        for command in ["call", "demo", "list", "multicall", "man", "completions"] {
            assert!(script.contains(command), "{command}");
        }
    }
}

#[test]
fn every_example_of_man_writes_a_page() {
    let home = TempDir::new("man");
    let examples = help_examples(Path::new(BIN), "man");
    assert_eq!(
        examples,
        [
            "xmlrpc-kit man > ~/.local/share/man/man1/xmlrpc-kit.1",
            "xmlrpc-kit man demo > ~/.local/share/man/man1/xmlrpc-kit-demo.1",
        ]
    );
    // The program's page: what it is, and every command's page named.
    let page = run_into_file(&examples[0], &home);
    assert!(page.contains(".TH xmlrpc-kit 1"), "{page}");
    assert!(
        page.contains("XML\\-RPC from the command line: servers and calls"),
        "{page}"
    );
    for command in [
        "demo",
        "call",
        "list",
        "help",
        "multicall",
        "completions",
        "man",
    ] {
        assert!(
            page.contains(&format!("xmlrpc\\-kit\\-{command}(1)")),
            "{command} missing from the manual page"
        );
    }
    // A command's page: its options, as its --help has them.
    let demo = run_into_file(&examples[1], &home);
    assert!(demo.contains(".TH xmlrpc-kit-demo 1"), "{demo}");
    for option in [
        "\\-\\-listen",
        "\\-\\-tls\\-cert",
        "\\-\\-log\\-format",
        "\\-\\-cgi",
    ] {
        assert!(
            demo.contains(option),
            "{option} missing from xmlrpc-kit-demo(1)"
        );
    }
    assert!(home.join(".local/share/man/man1/xmlrpc-kit.1").is_file());
    assert!(
        home.join(".local/share/man/man1/xmlrpc-kit-demo.1")
            .is_file()
    );
    // No page for a command that does not exist.
    let out = Command::new(BIN).args(["man", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "xmlrpc-kit man: no command named 'nope'\n"
    );
}
