//! What a CLI's users and packagers expect besides the commands: shell completion
//! scripts that know every command and flag, man pages that render, and a
//! `--version` that names the index format. The expected commands and flags are
//! read from the real binary's `--help`, so a flag added later is checked too.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use crate::util::{Output, Workdir, run_command, skip};

/// The subcommands `newsearch --help` lists (with `help`), in its order.
fn subcommands(wd: &Workdir) -> Vec<String> {
    let help = wd.run(&["--help"]).success();
    let names: Vec<String> = help
        .stdout
        .lines()
        .skip_while(|line| line.trim() != "Commands:")
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        // A command's line is indented by two spaces; a wrapped description, by more.
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    for known in ["index", "query", "stats", "aliases", "completions", "man", "show", "help"] {
        assert!(names.iter().any(|n| n == known), "no {known:?} in the commands {names:?}\n{help}");
    }
    names
}

/// The long flags that `newsearch SUB --help` lists, `--help` included.
fn long_flags(wd: &Workdir, sub: &str) -> Vec<String> {
    let help = wd.run(&[sub, "--help"]).success();
    // An option's line is `  -n, --limit <N>` or `      --index <DIR>`; its
    // description starts on the next line, indented further.
    let flag =
        regex::Regex::new(r"^(?:  -[[:alnum:]], |      )(--[[:alnum:]][[:alnum:]-]*)").unwrap();
    let flags: Vec<String> = help
        .stdout
        .lines()
        .filter_map(|line| flag.captures(line))
        .map(|captures| captures[1].to_owned())
        .collect();
    assert!(flags.iter().any(|f| f == "--help"), "no --help among {flags:?}\n{help}");
    flags
}

/// Every subcommand but `help`, with its long flags.
fn flags_by_subcommand(wd: &Workdir) -> BTreeMap<String, Vec<String>> {
    subcommands(wd)
        .into_iter()
        .filter(|sub| sub != "help")
        .map(|sub| {
            let flags = long_flags(wd, &sub);
            (sub, flags)
        })
        .collect()
}

#[test]
fn help_lists_completions_and_man_with_a_description() {
    let wd = Workdir::new();
    let help = wd.run(&["--help"]).success();
    for command in ["completions", "man"] {
        let line = help
            .stdout
            .lines()
            .find(|line| line.split_whitespace().next() == Some(command))
            .unwrap_or_else(|| panic!("--help lacks {command}\n{help}"));
        assert!(line.split_whitespace().count() > 3, "{command} has no description\n{help}");
    }
}

#[test]
fn bash_completion_names_every_subcommand_and_long_flag() {
    let wd = Workdir::new();
    let flags = flags_by_subcommand(&wd);
    // Sanity of the parse: a few flags each command is known to have.
    for (sub, flag) in [("index", "--rebuild"), ("query", "--snippet-chars"), ("stats", "--format")]
    {
        assert!(flags[sub].iter().any(|f| f == flag), "{sub}'s flags {:?} lack {flag}", flags[sub]);
    }
    let script = wd.run(&["completions", "bash"]).success();
    let words: Vec<&str> = script
        .stdout
        .split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '(' | ')' | '|'))
        .collect();
    for sub in subcommands(&wd) {
        assert!(words.contains(&sub.as_str()), "the script lacks the command {sub}\n{script}");
    }
    // Each command's flags in the `opts` its own case branch offers.
    for (sub, flags) in &flags {
        let offered = bash_opts(&script.stdout, sub)
            .unwrap_or_else(|| panic!("the script has no case for {sub}\n{script}"));
        for flag in flags {
            assert!(offered.contains(&flag.as_str()), "`{sub}` does not offer {flag}\n{script}");
        }
    }
}

/// The words of the first `opts="..."` in the bash script's case branch for
/// `newsearch SUB` (`clap_complete` names the branch `newsearch__subcmd__SUB)`;
/// older releases named it `newsearch__SUB)`).
fn bash_opts<'a>(script: &'a str, sub: &str) -> Option<Vec<&'a str>> {
    let labels = [format!("newsearch__subcmd__{sub})"), format!("newsearch__{sub})")];
    let mut lines = script.lines().skip_while(|line| !labels.iter().any(|l| line.trim() == l));
    lines.next()?;
    let opts = lines.find_map(|line| line.trim().strip_prefix("opts=\""))?;
    Some(opts.trim_end_matches('"').split_whitespace().collect())
}

#[test]
#[cfg(unix)]
fn bash_completes_a_subcommand_and_a_flag() {
    let wd = Workdir::new();
    let script = wd.write("newsearch.bash", wd.run(&["completions", "bash"]).success().stdout);
    // What bash does on Tab: the completion function sees the words so far.
    let complete = |words: &str| -> Output {
        let program = format!(
            "source {script:?} && COMP_WORDS=({words}) && COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)) \
             && COMP_LINE=\"${{COMP_WORDS[*]}}\" && COMP_POINT=${{#COMP_LINE}} \
             && _newsearch newsearch \"${{COMP_WORDS[COMP_CWORD]}}\" \
             \"${{COMP_WORDS[COMP_CWORD-1]}}\" && printf '%s\\n' \"${{COMPREPLY[@]}}\""
        );
        let mut bash = Command::new("bash");
        bash.args(["-c", &program]).stdin(Stdio::null());
        run_command(&mut bash, &["(bash)", words]).success()
    };
    let replies = complete("newsearch comp");
    assert_eq!(replies.stdout.lines().collect::<Vec<_>>(), ["completions"], "\n{replies}");
    let replies = complete("newsearch query --snip");
    assert_eq!(replies.stdout.lines().collect::<Vec<_>>(), ["--snippet-chars"], "\n{replies}");
    let replies = complete("newsearch completions ''");
    let mut shells: Vec<&str> =
        replies.stdout.lines().filter(|reply| !reply.starts_with('-')).collect();
    shells.sort_unstable();
    assert_eq!(shells, ["bash", "fish", "powershell", "zsh"], "\n{replies}");
}

#[test]
fn every_shell_gets_a_script_that_names_the_commands() {
    let wd = Workdir::new();
    let subs = subcommands(&wd);
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = wd.run(&["completions", shell]).success();
        for sub in &subs {
            assert!(script.stdout.contains(sub.as_str()), "{shell}: no {sub}\n{script}");
        }
        // fish writes a long flag as `-l snippet-chars`.
        assert!(script.stdout.contains("snippet-chars"), "{shell}: no query flags\n{script}");
    }
    wd.run(&["completions", "tcsh"]).code(2).stderr_has("tcsh");
}

/// `man -l -` on `page`, or `None` where `man` is missing (a failure when `CI` is
/// set: CI installs man-db).
fn render_man(page: &str) -> Option<Output> {
    let mut man = Command::new("man");
    man.args(["--warnings", "-l", "-"])
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "100")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match man.spawn() {
        Ok(child) => child,
        Err(err) => {
            skip(&format!("`man` cannot run ({err}); .ci/run installs man-db"));
            return None;
        }
    };
    let mut stdin = child.stdin.take().unwrap();
    let page = page.to_owned();
    // Write from another thread: man may start writing before it has read it all.
    let writer = std::thread::spawn(move || stdin.write_all(page.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    Some(Output {
        args: vec!["(man -l -)".to_owned()],
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

#[test]
fn man_pages_render_and_name_every_command_and_flag() {
    let wd = Workdir::new();
    let flags = flags_by_subcommand(&wd);
    let page = wd.run(&["man"]).success();
    assert!(page.stdout.lines().any(|l| l.starts_with(".TH newsearch 1 ")), "not roff\n{page}");
    let Some(rendered) = render_man(&page.stdout) else { return };
    let rendered = rendered.success();
    assert!(rendered.stderr.trim().is_empty(), "man warns\n{rendered}");
    for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "SUBCOMMANDS"] {
        assert!(rendered.stdout.contains(section), "no {section}\n{rendered}");
    }
    let version = format!("(index format {})", newsearch::store::FORMAT);
    assert!(rendered.stdout.contains(&version), "no {version}\n{rendered}");
    for sub in flags.keys() {
        let name = format!("newsearch-{sub}(1)");
        assert!(rendered.stdout.contains(&name), "no {name}\n{rendered}");
    }
    // Each command's own page, with every flag it takes.
    for (sub, flags) in &flags {
        let page = wd.run(&["man", sub]).success();
        let title = format!(".TH newsearch-{sub} 1 ");
        assert!(page.stdout.lines().any(|l| l.starts_with(&title)), "not {sub}'s page\n{page}");
        let rendered = render_man(&page.stdout).unwrap().success();
        assert!(rendered.stderr.trim().is_empty(), "man warns on {sub}'s page\n{rendered}");
        // man justifies lines: compare with single spaces.
        let text = rendered.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
        for line in [format!("NAME newsearch-{sub} - "), format!("SYNOPSIS newsearch {sub} ")] {
            assert!(text.contains(&line), "no {line:?}\n{rendered}");
        }
        for flag in flags {
            assert!(
                rendered.stdout.contains(flag.as_str()),
                "{sub}'s page lacks {flag}\n{rendered}"
            );
        }
    }
    wd.run(&["man", "nonesuch"]).code(2).stderr_has("nonesuch");
}

#[test]
fn version_names_the_index_format() {
    let wd = Workdir::new();
    let expected = format!(
        "newsearch {} (index format {})\n",
        env!("CARGO_PKG_VERSION"),
        newsearch::store::FORMAT
    );
    for flag in ["--version", "-V"] {
        let out = wd.run(&[flag]).success();
        assert_eq!(out.stdout, expected, "\n{out}");
    }
}

#[test]
#[cfg(unix)]
fn the_readme_install_block_installs_every_page_and_the_bash_script() {
    let readme = std::fs::read_to_string(crate::util::repo().join("README.md")).unwrap();
    let block = readme
        .split("```sh\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .find(|block| block.contains("newsearch completions bash >"))
        .expect("README has the install block");
    let wd = Workdir::new();
    let home = wd.join("home");
    std::fs::create_dir(&home).unwrap();
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_newsearch")).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut bash = Command::new("bash");
    bash.args(["-euo", "pipefail", "-c", block])
        .current_dir(wd.path())
        .env("HOME", &home)
        .env("PATH", path)
        .stdin(Stdio::null());
    run_command(&mut bash, &["(the README's install block)"]).success();
    let script =
        std::fs::read_to_string(home.join(".local/share/bash-completion/completions/newsearch"))
            .unwrap();
    assert!(script.contains("complete -F _newsearch"), "{script}");
    let man1 = home.join(".local/share/man/man1");
    let page = std::fs::read_to_string(man1.join("newsearch.1")).unwrap();
    assert!(page.lines().any(|l| l.starts_with(".TH newsearch 1 ")), "{page}");
    for sub in subcommands(&wd).into_iter().filter(|sub| sub != "help") {
        let page = std::fs::read_to_string(man1.join(format!("newsearch-{sub}.1")))
            .unwrap_or_else(|err| panic!("the README installs no page for {sub}: {err}"));
        let title = format!(".TH newsearch-{sub} 1 ");
        assert!(page.lines().any(|l| l.starts_with(&title)), "{page}");
    }
}
