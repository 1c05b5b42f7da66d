//! Walking paths into the list of files to scan, with the `ignore` crate's parallel
//! walker: `.gitignore`/`.ignore` honoured, hidden files skipped, include/exclude globs,
//! a size limit, symlinks not followed unless asked. FIFOs, sockets and devices are
//! never opened (a read could block forever); they are listed as skipped.

use std::path::PathBuf;
use std::sync::Mutex;

use ignore::overrides::OverrideBuilder;
use ignore::{WalkBuilder, WalkState};

/// Walking settings (from `piimap scan` flags).
#[derive(Clone, Debug, Default)]
pub struct WalkOptions {
    /// Include hidden files and directories.
    pub hidden: bool,
    /// Do not honour `.gitignore`/`.ignore` files.
    pub no_ignore: bool,
    /// Follow symbolic links.
    pub follow_links: bool,
    /// Only files matching one of these globs.
    pub include: Vec<String>,
    /// Never files matching these globs.
    pub exclude: Vec<String>,
    /// Skip files larger than this many bytes.
    pub max_filesize: Option<u64>,
    /// Walker threads (0: automatic).
    pub threads: usize,
}

/// A file to scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEntry {
    /// The path as walked (relative if the root was).
    pub path: PathBuf,
    /// Size in bytes on disk.
    pub size: u64,
}

/// A path that was not scanned, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The path.
    pub path: PathBuf,
    /// Why it was skipped.
    pub reason: String,
}

/// What the walk produced: files to scan, paths skipped on purpose, and errors
/// (unreadable directories, missing roots, symlink loops).
#[derive(Debug, Default)]
pub struct Walked {
    /// Files to scan, sorted by path.
    pub files: Vec<FileEntry>,
    /// Skipped paths.
    pub skipped: Vec<Skipped>,
    /// Paths that could not be walked, with the error.
    pub errors: Vec<(PathBuf, String)>,
}

/// Walks `roots`.
pub fn walk(roots: &[PathBuf], opts: &WalkOptions) -> Result<Walked, String> {
    let Some((first, rest)) = roots.split_first() else {
        return Ok(Walked::default());
    };
    let mut builder = WalkBuilder::new(first);
    for r in rest {
        builder.add(r);
    }
    builder
        .hidden(!opts.hidden)
        .ignore(!opts.no_ignore)
        .git_ignore(!opts.no_ignore)
        .git_global(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .parents(!opts.no_ignore)
        .require_git(false)
        .follow_links(opts.follow_links)
        .threads(opts.threads);
    if !opts.include.is_empty() || !opts.exclude.is_empty() {
        let mut ob = OverrideBuilder::new(".");
        for g in &opts.include {
            ob.add(g).map_err(|e| format!("--include {g:?}: {e}"))?;
        }
        for g in &opts.exclude {
            ob.add(&format!("!{g}"))
                .map_err(|e| format!("--exclude {g:?}: {e}"))?;
        }
        builder.overrides(ob.build().map_err(|e| e.to_string())?);
    }
    let out = Mutex::new(Walked::default());
    builder.build_parallel().run(|| {
        let out = &out;
        Box::new(move |result| {
            match result {
                Ok(entry) => {
                    let Some(ft) = entry.file_type() else {
                        return WalkState::Continue;
                    };
                    if ft.is_dir() {
                        return WalkState::Continue;
                    }
                    let path = entry.path().to_path_buf();
                    let verdict = classify_entry(&entry, ft, opts);
                    let mut out = out.lock().unwrap_or_else(|p| p.into_inner());
                    match verdict {
                        Ok(size) => out.files.push(FileEntry { path, size }),
                        Err(reason) => out.skipped.push(Skipped { path, reason }),
                    }
                }
                Err(err) => {
                    let path = error_path(&err).unwrap_or_default();
                    out.lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .errors
                        .push((path, err.to_string()));
                }
            }
            WalkState::Continue
        })
    });
    let mut walked = out.into_inner().unwrap_or_else(|p| p.into_inner());
    walked.files.sort_by(|a, b| a.path.cmp(&b.path));
    walked.files.dedup_by(|a, b| a.path == b.path);
    walked.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    walked.errors.sort();
    Ok(walked)
}

fn classify_entry(
    entry: &ignore::DirEntry,
    ft: std::fs::FileType,
    opts: &WalkOptions,
) -> Result<u64, String> {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_symlink() {
        return Err("symbolic link (use --follow to scan its target)".into());
    }
    if ft.is_fifo() {
        return Err("FIFO (named pipe): not read, a read could block".into());
    }
    if ft.is_socket() {
        return Err("socket: not read".into());
    }
    if ft.is_block_device() || ft.is_char_device() {
        return Err("device file: not read".into());
    }
    let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
    if let Some(max) = opts.max_filesize {
        if size > max {
            return Err(format!("larger than --max-filesize ({size} > {max} bytes)"));
        }
    }
    Ok(size)
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_respecting_ignore_hidden_globs_and_size() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::write(p.join("a.csv"), "x").unwrap();
        std::fs::write(p.join("b.log"), "yy").unwrap();
        std::fs::write(p.join(".hidden.csv"), "x").unwrap();
        std::fs::write(p.join("big.log"), vec![b'x'; 100]).unwrap();
        std::fs::create_dir(p.join("skipme")).unwrap();
        std::fs::write(p.join("skipme/c.csv"), "x").unwrap();
        std::fs::write(p.join(".ignore"), "skipme/\n").unwrap();
        let opts = WalkOptions {
            max_filesize: Some(50),
            ..Default::default()
        };
        let w = walk(&[p.to_path_buf()], &opts).unwrap();
        let names: Vec<_> = w
            .files
            .iter()
            .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.csv", "b.log"]);
        assert_eq!(w.skipped.len(), 1);
        assert!(w.skipped[0].reason.contains("max-filesize"));

        let opts = WalkOptions {
            hidden: true,
            no_ignore: true,
            include: vec!["*.csv".into()],
            ..Default::default()
        };
        let w = walk(&[p.to_path_buf()], &opts).unwrap();
        assert_eq!(w.files.len(), 3, "{:?}", w.files);
        let opts = WalkOptions {
            exclude: vec!["*.log".into()],
            ..Default::default()
        };
        assert_eq!(walk(&[p.to_path_buf()], &opts).unwrap().files.len(), 1);
    }

    #[test]
    fn fifos_and_symlinks_are_skipped_not_opened() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::write(p.join("real.txt"), "x").unwrap();
        std::os::unix::fs::symlink(p.join("real.txt"), p.join("link.txt")).unwrap();
        let fifo = p.join("pipe");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        let w = walk(&[p.to_path_buf()], &WalkOptions::default()).unwrap();
        assert_eq!(w.files.len(), 1);
        assert!(w.skipped.iter().any(|s| s.reason.contains("symbolic link")));
        if ok {
            assert!(
                w.skipped.iter().any(|s| s.reason.contains("FIFO")),
                "{:?}",
                w.skipped
            );
        }
    }

    #[test]
    fn symlink_loops_are_errors_not_hangs() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir(p.join("d")).unwrap();
        std::os::unix::fs::symlink(p.join("d"), p.join("d/loop")).unwrap();
        std::fs::write(p.join("d/f.txt"), "x").unwrap();
        let w = walk(
            &[p.to_path_buf()],
            &WalkOptions {
                follow_links: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(w.files.len(), 1);
        assert!(
            w.errors.iter().any(|(_, e)| e.contains("loop")),
            "{:?}",
            w.errors
        );
        let w = walk(&[p.join("missing")], &WalkOptions::default()).unwrap();
        assert_eq!(w.errors.len(), 1);
    }
}
