//! `piimap completions SHELL` and `piimap man`, generated from the clap definition.

use crate::util::{run, stderr, stdout, tempdir};

/// The subcommands every generated document must name.
const SUBCOMMANDS: &[&str] = &[
    "scan", "rules", "check", "diff", "init", "dispose", "merge", "notice",
];

#[test]
fn bash_completion_names_subcommands_and_flags_and_parses() {
    let o = run(&["completions", "bash"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let script = stdout(&o);
    for word in SUBCOMMANDS.iter().copied().chain([
        "--findings",
        "--findings-format",
        "--db",
        "--min-confidence",
    ]) {
        assert!(
            script.contains(word),
            "{word} missing from the bash completion"
        );
    }
    assert!(
        script.contains("jsonl sarif"),
        "the format values are offered"
    );
    let dir = tempdir();
    let path = dir.path().join("piimap.bash");
    std::fs::write(&path, &script).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .expect("bash runs");
    assert!(check.status.success(), "bash -n: {}", stderr(&check));
}

#[test]
fn every_shell_gets_a_script() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = run(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        assert!(stdout(&o).contains("findings-format"), "{shell}");
    }
    let o = run(&["completions", "tcsh"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn the_man_page_is_roff_and_names_the_subcommands() {
    let o = run(&["man"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.starts_with('.'), "a roff request first: {page:.80}");
    assert!(
        page.lines().take(5).any(|l| l.starts_with(".TH piimap 1")),
        "a .TH header: {page:.200}"
    );
    assert!(page.contains(".SH SUBCOMMANDS"));
    for sub in SUBCOMMANDS {
        // roff escapes the hyphen of piimap-scan(1).
        assert!(
            page.contains(&format!("piimap\\-{sub}(1)")),
            "{sub} missing"
        );
    }
}

#[test]
fn man_out_writes_one_page_per_subcommand() {
    let dir = tempdir();
    let out = dir.path().join("man1");
    let o = run(&["man", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for sub in SUBCOMMANDS {
        let page = std::fs::read_to_string(out.join(format!("piimap-{sub}.1")))
            .unwrap_or_else(|e| panic!("piimap-{sub}.1: {e}"));
        assert!(
            page.contains(&format!(".TH piimap-{sub} 1")),
            "{sub}: {page:.200}"
        );
    }
    let scan = std::fs::read_to_string(out.join("piimap-scan.1")).unwrap();
    assert!(
        scan.contains("findings\\-format"),
        "the scan page documents its flags"
    );
    assert!(out.join("piimap.1").exists());
    assert!(
        out.join("piimap-rules-list.1").exists(),
        "nested subcommands too"
    );
}
