//! Planning an incremental run: the files the walk found and the files the
//! index knows (from its fast fields) → what the run does to each: parse it as
//! new, parse it again as changed (its old documents are replaced), leave it
//! (unchanged, or out of this run's reach), or remove its documents (gone from
//! the corpus). Nothing here writes the index; [`super::index_corpus`] carries
//! the plan out. Deciding is kept apart from doing so that the rules (which
//! files count as gone, which keep their documents) are tested on their own.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use tantivy::schema::Facet;

use crate::corpus::{self, CorpusFile};
use crate::error::{Error, Result};
use crate::store;

/// What the index knew about one file at its last commit.
#[derive(Clone, Debug)]
pub(super) struct KnownFile {
    pub(super) modified_ns: i64,
    pub(super) len: u64,
    pub(super) documents: u64,
    /// Its folder facet (encoded), which the root of the run that indexed it
    /// named; shared among the files of one folder.
    pub(super) folder: Option<Arc<str>>,
}

impl KnownFile {
    /// Whether `file` is as the index has it: same size and modification time,
    /// and not named from a narrower root than this run's. A run over a wider
    /// root than the one that indexed the file (`corpus` after `corpus/FNA`)
    /// names it anew (id, folder, and a source taken from the folder) as a
    /// fresh index would; a run over a narrower one (`corpus/FNA`, to pick up
    /// one outlet's new files) keeps the names the wider root gave.
    fn unchanged(&self, file: &CorpusFile) -> bool {
        if self.len != file.len || self.modified_ns != file.modified_ns {
            return false;
        }
        let folder = (!file.folder.is_empty())
            .then(|| Facet::from_path(file.folder.iter().map(String::as_str)));
        let (old, new) = (self.folder.as_deref(), folder.as_ref().map(Facet::encoded_str));
        let depth = |encoded: Option<&str>| encoded.map_or(0, |e| e.split('\0').count());
        old == new || depth(old) > depth(new)
    }
}

/// The walked files sorted by what the run does with them.
pub(super) struct Plan {
    /// Files to parse, each with whether the index holds an older copy.
    pub to_parse: Vec<(CorpusFile, bool)>,
    /// The walked files' keys, to tell which files the index knows are gone. An
    /// index that knows none (a first run, or `--rebuild`) has nothing to look
    /// for, and a million keys held through the whole run would cost some 100 MB.
    pub seen: BTreeSet<String>,
    /// Documents of walked files that are as the index has them.
    pub unchanged: u64,
}

/// Sorts the walked `files`: unchanged files cost nothing more; changed ones
/// lose their old documents (the delete is ordered before the new documents'
/// adds).
pub(super) fn classify(files: Vec<CorpusFile>, known: &HashMap<String, KnownFile>) -> Plan {
    let mut plan = Plan { to_parse: Vec::new(), seen: BTreeSet::new(), unchanged: 0 };
    for file in files {
        let old = known.get(&file.key);
        if !known.is_empty() {
            plan.seen.insert(file.key.clone());
        }
        match old {
            Some(old) if old.unchanged(&file) => plan.unchanged += old.documents,
            Some(_) => plan.to_parse.push((file, true)),
            None => plan.to_parse.push((file, false)),
        }
    }
    plan
}

/// The folders of a run: as given (absolute), canonical, and those the walk
/// could not read.
pub(super) struct Roots<'r> {
    pub(super) canonical: &'r [PathBuf],
    pub(super) given: &'r [PathBuf],
    pub(super) unread: &'r [PathBuf],
}

/// What becomes of the files the index knows and this run did not walk.
pub(super) struct Unwalked<'k> {
    /// Files whose documents go.
    pub(super) gone: Vec<(&'k String, &'k KnownFile)>,
    /// Documents that stay as they are.
    pub(super) kept_documents: u64,
    /// Files gone from outside the run's folders that keep their documents.
    pub(super) missing_elsewhere: MissingFolders,
}

/// What becomes of the files the index knows that this run did not walk.
pub(super) fn unwalked_files<'k>(
    known: &'k HashMap<String, KnownFile>,
    seen: &BTreeSet<String>,
    roots: &Roots<'_>,
    prune: bool,
) -> Unwalked<'k> {
    let mut unwalked = Unwalked {
        gone: Vec::new(),
        kept_documents: 0,
        missing_elsewhere: MissingFolders::default(),
    };
    for (path, old) in known {
        if seen.contains(path) {
            continue;
        }
        if under_any_root(Path::new(path), roots.unread) {
            // The walk could not look where the file was (a folder it may not read, for
            // now): the file is probably still there, and deleting its documents would
            // take them out of every search until a run after the folder is readable
            // again. The folder is listed as skipped, and keeps its documents as an
            // unreadable file does.
            unwalked.kept_documents += old.documents;
        } else if left_the_corpus(Path::new(path), roots.canonical, roots.given, seen) {
            unwalked.gone.push((path, old));
        } else if let Some(top) = unwalked.missing_elsewhere.gone_folder(&corpus::key_path(path)) {
            // Outside this run's folders, and its folder is gone: a corpus moved or
            // deleted. Its documents go only when asked (`--prune`), as the folder
            // may only be out of reach for now (a disk not mounted). A file deleted
            // from a folder that is still there goes when its own corpus is indexed.
            if prune {
                unwalked.gone.push((path, old));
            } else {
                let entry = unwalked.missing_elsewhere.tops.entry(top).or_default();
                entry.0 += 1;
                entry.1 += old.documents;
                unwalked.kept_documents += old.documents;
            }
        } else {
            // Another corpus the index holds: kept as it is.
            unwalked.kept_documents += old.documents;
        }
    }
    unwalked
}

/// Files the index knows whose folders are gone, outside this run's folders,
/// counted under the highest folder that is gone with them (a moved corpus is
/// one line, not a line per file).
#[derive(Default)]
pub(super) struct MissingFolders {
    /// Highest missing folder → (files, documents).
    pub(super) tops: BTreeMap<PathBuf, (u64, u64)>,
    /// Whether a folder is gone, as looked up so far: one look per folder, not
    /// per file, so a run beside a large corpus stays cheap.
    gone: HashMap<PathBuf, bool>,
}

impl MissingFolders {
    /// The highest gone folder above `file`, if its own folder is gone. Only
    /// "not found" is gone: a folder that cannot be read now (permissions, a
    /// failing disk) may hold its files still.
    fn gone_folder(&mut self, file: &Path) -> Option<PathBuf> {
        let mut is_gone = |folder: &Path| {
            *self.gone.entry(folder.to_path_buf()).or_insert_with(|| {
                folder
                    .symlink_metadata()
                    .is_err_and(|err| err.kind() == std::io::ErrorKind::NotFound)
            })
        };
        let mut top = file.parent()?;
        if !is_gone(top) {
            return None;
        }
        while let Some(parent) = top.parent() {
            if !is_gone(parent) {
                break;
            }
            top = parent;
        }
        Some(top.to_path_buf())
    }
}

/// Whether a file the index knows and this run did not walk has left the corpus, rather
/// than belonging to a corpus this run was not asked about.
fn left_the_corpus(
    key: &Path,
    canonical: &[PathBuf],
    given: &[PathBuf],
    seen: &BTreeSet<String>,
) -> bool {
    // Keys written before roots were canonical hold the root as the user spelled it:
    // under this run's own spelling, they are replaced by the canonical keys.
    if under_any_root(key, canonical) || under_any_root(key, given) {
        return true;
    }
    // They could also hold `..` (`/w/sub/../corpus/a.txt`), which put a second copy of
    // each file in the index when the corpus was later named from elsewhere: that copy
    // goes once the file is indexed under its canonical key. Only such keys pay for the
    // system call.
    key.components().any(|component| component == Component::ParentDir)
        && std::fs::canonicalize(key)
            .is_ok_and(|resolved| seen.contains(corpus::path_text(&resolved).as_ref()))
}

pub(super) fn under_any_root(path: &Path, roots: &[PathBuf]) -> bool {
    roots.iter().any(|root| path.starts_with(root))
}

/// What the index knows about each file, from its fast fields.
pub(super) fn known_files(store: &store::Store) -> Result<HashMap<String, KnownFile>> {
    let mut known: HashMap<String, KnownFile> = HashMap::new();
    let reader = store.index.reader().map_err(Error::index(&store.dir))?;
    let searcher = reader.searcher();
    let names = (crate::fields::PATH, crate::fields::FILE_MODIFIED, crate::fields::FILE_LEN);
    // Folder facets are few; each is made once.
    let mut folders: HashMap<String, Arc<str>> = HashMap::new();
    for segment in searcher.segment_readers() {
        let facets =
            segment.facet_reader(crate::fields::FOLDER).map_err(Error::index(&store.dir))?;
        let mut by_ord: HashMap<u64, Arc<str>> = HashMap::new();
        let mut facet = Facet::root();
        let fast = segment.fast_fields();
        let columns = (|| {
            Ok::<_, tantivy::TantivyError>((
                fast.str(names.0)?,
                fast.i64(names.1)?.first_or_default_col(0),
                fast.u64(names.2)?.first_or_default_col(0),
            ))
        })()
        .map_err(Error::index(&store.dir))?;
        let (Some(paths), modified, lens) = columns else { continue };
        let mut path = String::new();
        for doc in segment.doc_ids_alive() {
            let Some(ord) = paths.term_ords(doc).next() else { continue };
            path.clear();
            if !paths.ord_to_str(ord, &mut path).unwrap_or(false) {
                continue;
            }
            let entry = known.entry(path.clone()).or_insert_with(|| {
                let folder = facets.facet_ords(doc).next().and_then(|ord| {
                    if let Some(folder) = by_ord.get(&ord) {
                        return Some(Arc::clone(folder));
                    }
                    facets.facet_from_ord(ord, &mut facet).ok()?;
                    let encoded = facet.encoded_str();
                    let shared =
                        folders.entry(encoded.to_owned()).or_insert_with(|| encoded.into());
                    by_ord.insert(ord, Arc::clone(shared));
                    Some(Arc::clone(shared))
                });
                KnownFile {
                    modified_ns: modified.get_val(doc),
                    len: lens.get_val(doc),
                    documents: 0,
                    folder,
                }
            });
            entry.documents += 1;
        }
    }
    Ok(known)
}

/// How many documents the index holds for `file`.
pub(super) fn documents_of(known: &HashMap<String, KnownFile>, file: &CorpusFile) -> u64 {
    known.get(&file.key).map_or(0, |k| k.documents)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashMap};
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    use tantivy::schema::Facet;

    use super::{KnownFile, MissingFolders, Roots, classify, unwalked_files};
    use crate::corpus::CorpusFile;

    /// A walked file at `path` (a key), named from a root whose folder facet is `folder`.
    fn walked(path: &str, folder: &[&str], len: u64, modified_ns: i64) -> CorpusFile {
        CorpusFile {
            path: PathBuf::from(path),
            key: path.to_owned(),
            folder: folder.iter().map(|&f| f.to_owned()).collect(),
            relative: path.trim_start_matches('/').to_owned(),
            len,
            modified_ns,
        }
    }

    /// What the index knows of a file: `documents` of them, under `folder`.
    fn known(folder: &[&str], len: u64, modified_ns: i64, documents: u64) -> KnownFile {
        let folder = (!folder.is_empty())
            .then(|| Arc::from(Facet::from_path(folder.iter().copied()).encoded_str()));
        KnownFile { modified_ns, len, documents, folder }
    }

    #[test]
    fn a_file_is_unchanged_only_with_the_same_size_time_and_no_narrower_naming() {
        let file = walked("/c/FNA/a.txt", &["c", "FNA"], 10, 5);
        assert!(known(&["c", "FNA"], 10, 5, 1).unchanged(&file));
        assert!(!known(&["c", "FNA"], 11, 5, 1).unchanged(&file), "size");
        assert!(!known(&["c", "FNA"], 10, 6, 1).unchanged(&file), "time");
        // Indexed from `FNA` alone, now walked from `c`: named anew.
        assert!(!known(&["FNA"], 10, 5, 1).unchanged(&file));
        // Indexed from `c`, now walked from `FNA` alone: keeps the wider names.
        let narrower = walked("/c/FNA/a.txt", &["FNA"], 10, 5);
        assert!(known(&["c", "FNA"], 10, 5, 1).unchanged(&narrower));
    }

    #[test]
    fn new_files_are_parsed_changed_ones_replaced_unchanged_ones_counted() {
        let index: HashMap<String, KnownFile> = [
            ("/c/same.txt".to_owned(), known(&["c"], 1, 1, 3)),
            ("/c/changed.txt".to_owned(), known(&["c"], 1, 1, 2)),
        ]
        .into();
        let files = vec![
            walked("/c/same.txt", &["c"], 1, 1),
            walked("/c/changed.txt", &["c"], 2, 1),
            walked("/c/new.txt", &["c"], 1, 1),
        ];
        let plan = classify(files, &index);
        let to_parse: Vec<(&str, bool)> =
            plan.to_parse.iter().map(|(f, changed)| (f.key.as_str(), *changed)).collect();
        assert_eq!(to_parse, [("/c/changed.txt", true), ("/c/new.txt", false)]);
        assert_eq!(plan.unchanged, 3);
        assert_eq!(plan.seen.len(), 3);
    }

    #[test]
    fn a_first_run_remembers_no_keys() {
        let plan = classify(vec![walked("/c/a.txt", &["c"], 1, 1)], &HashMap::new());
        assert!(plan.seen.is_empty());
        assert_eq!(plan.to_parse.len(), 1);
    }

    /// Missing folders with the files and documents they keep.
    type Missing = Vec<(PathBuf, (u64, u64))>;

    /// The fate of each file the index knows and the run did not walk:
    /// (gone, kept documents, missing folders with their files and documents).
    fn fates(
        known: &HashMap<String, KnownFile>,
        roots: &Roots<'_>,
        prune: bool,
    ) -> (Vec<String>, u64, Missing) {
        let unwalked = unwalked_files(known, &BTreeSet::new(), roots, prune);
        let mut gone: Vec<String> = unwalked.gone.iter().map(|(k, _)| (*k).clone()).collect();
        gone.sort();
        let missing = unwalked.missing_elsewhere.tops.into_iter().collect();
        (gone, unwalked.kept_documents, missing)
    }

    #[test]
    fn unwalked_files_go_only_from_the_runs_own_folders_or_with_prune() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("corpus");
        let other = dir.path().join("other");
        let unread = root.join("locked");
        std::fs::create_dir_all(&unread).unwrap();
        std::fs::create_dir_all(&other).unwrap();
        let key = |path: &Path| path.to_str().unwrap().to_owned();
        let moved = dir.path().join("moved/deep/a.txt");
        let index: HashMap<String, KnownFile> = [
            (key(&root.join("deleted.txt")), known(&["corpus"], 1, 1, 1)),
            (key(&unread.join("a.txt")), known(&["corpus", "locked"], 1, 1, 2)),
            (key(&other.join("b.txt")), known(&["other"], 1, 1, 4)),
            (key(&moved), known(&["moved", "deep"], 1, 1, 8)),
        ]
        .into();
        let roots = [root.clone()];
        let unread_roots = [unread.clone()];
        let run = Roots { canonical: &roots, given: &roots, unread: &unread_roots };

        let (gone, kept, missing) = fates(&index, &run, false);
        assert_eq!(gone, [key(&root.join("deleted.txt"))]);
        // The unreadable folder's 2, the other corpus's 4, the moved corpus's 8.
        assert_eq!(kept, 14);
        assert_eq!(missing, [(dir.path().join("moved"), (1, 8))]);

        let (gone, kept, missing) = fates(&index, &run, true);
        assert_eq!(gone, [key(&root.join("deleted.txt")), key(&moved)]);
        assert_eq!(kept, 6);
        assert!(missing.is_empty());
    }

    #[test]
    fn a_missing_folder_is_counted_under_the_highest_folder_gone_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut folders = MissingFolders::default();
        let file = dir.path().join("a/b/c/file.txt");
        assert_eq!(folders.gone_folder(&file), Some(dir.path().join("a")));
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        // Each folder is looked at once per run (the first answer is kept), so a
        // later state of the disk needs a fresh lookup.
        let mut fresh = MissingFolders::default();
        assert_eq!(fresh.gone_folder(&file), Some(dir.path().join("a/b/c")));
        std::fs::create_dir_all(dir.path().join("a/b/c")).unwrap();
        assert_eq!(MissingFolders::default().gone_folder(&file), None);
    }
}
