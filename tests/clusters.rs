//! Near-duplicate clusters (issue 15): `dupes`, `query --collapse`, clusters
//! joined and merged by incremental runs, and the quality targets on the BBC
//! corpus's own duplicates and on a labelled set made from ../shared.

use std::collections::HashMap;

use serde_json::Value;

use crate::util::labelled;
use crate::util::{Workdir, shared};

const ORIGINAL: &str = "Aid convoy reaches besieged town\n\nSun Sep 4, 2016 10:00:00\n\n\
The ministry said on Sunday that the convoy reached the town after three days on the road, \
carrying food and medicine for twelve thousand people who had been cut off since the spring.\n\n\
Aid workers said the supplies would last a month, and that a second convoy was being \
prepared in the capital for the villages further north along the river valley.\n\n\
The governor thanked the agencies and asked for a third convoy before the winter, when \
the mountain roads close and the town is reached only by helicopter.\n";

/// The original cut from the bottom, with another title and a dateline.
const CUT_COPY: &str = "UPDATE 1-Convoy reaches town\n\nMon Sep 5, 2016 08:00:00\n\n\
BEIRUT (Reuters) - The ministry said on Sunday that the convoy reached the town after three \
days on the road, carrying food and medicine for twelve thousand people who had been cut \
off since the spring.\n\nAid workers said the supplies would last a month, and that a second \
convoy was being prepared in the capital for the villages further north along the river valley.\n";

const OTHER: &str = "Parliament extends emergency powers\n\nSat Sep 3, 2016 12:00:00\n\n\
Parliament voted late on Saturday to extend the emergency powers for another six months, \
after a debate in which the opposition walked out twice and the convoy to the town was \
mentioned by the minister.\n";

const ANOTHER_STORY: &str = "Oil prices rise on production cuts\n\nTue Sep 6, 2016 09:00:00\n\n\
Oil prices rose sharply on Tuesday as traders weighed new production cuts announced by the \
cartel over the weekend, while stock markets in Asia fell for a third day on worries about \
slowing growth in the region's largest economies and exporters of manufactured goods.\n";

/// The clusters `dupes --format json` lists, as sorted lists of ids.
fn clusters(wd: &Workdir) -> Vec<Vec<String>> {
    let report = wd.run(&["dupes", "--format", "json"]).success().json();
    assert_eq!(report["schema_version"], 1);
    let mut clusters: Vec<Vec<String>> = report["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let mut ids: Vec<String> = c["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            ids
        })
        .collect();
    clusters.sort();
    clusters
}

#[test]
fn a_cut_copy_collapses_into_its_story_and_counts_once() {
    let wd = Workdir::new();
    wd.write("corpus/AFP/convoy.txt", ORIGINAL);
    wd.write("corpus/Reuters/convoy.txt", CUT_COPY);
    wd.write("corpus/AFP/parliament.txt", OTHER);
    wd.run(&["index", "corpus", "--quiet"]).success();
    assert_eq!(
        clusters(&wd),
        vec![vec!["corpus/AFP/convoy.txt".to_owned(), "corpus/Reuters/convoy.txt".to_owned()]]
    );

    // Without --collapse, nothing changes: three hits, no story keys.
    let plain = wd.query_json(&["convoy", "--facet", "source"]);
    assert_eq!(plain["total_hits"], 3);
    assert!(plain.get("total_stories").is_none() && plain.get("total_articles").is_none());
    assert!(plain["hits"][0].get("copies").is_none());

    let collapsed =
        wd.query_json(&["convoy", "--collapse", "--facet", "source", "--timeline", "month"]);
    assert_eq!(collapsed["total_hits"], 2, "{collapsed:#}");
    assert_eq!(collapsed["total_stories"], 2);
    assert_eq!(collapsed["total_articles"], 3);
    let story = collapsed["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|hit| hit["copies"] == 1)
        .expect("the convoy story with its copy");
    let duplicates = story["duplicates"].as_array().unwrap();
    assert_eq!(duplicates.len(), 1);
    let copy_source = duplicates[0]["source"].as_str().unwrap();
    assert_ne!(copy_source, story["source"].as_str().unwrap());
    // Facets count stories, each under its earliest member (AFP, on the 4th).
    let sources: HashMap<&str, u64> = collapsed["facets"]["source"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["value"].as_str().unwrap(), c["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(sources, HashMap::from([("AFP", 2)]));
    let months: Vec<u64> = collapsed["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["count"].as_u64().unwrap())
        .collect();
    assert_eq!(months.iter().sum::<u64>(), 2);

    let human = wd.run(&["query", "convoy", "--collapse"]).success();
    assert!(human.stdout.contains("2 stories (3 articles)"), "{}", human.stdout);
    assert!(human.stdout.contains("+1 copy: "), "{}", human.stdout);
    let dupes = wd.run(&["dupes"]).success();
    assert!(
        dupes.stdout.contains("2 copies, 2016-09-04 to 2016-09-05 (0 days), first: AFP"),
        "{}",
        dupes.stdout
    );
}

#[test]
fn incremental_runs_join_copies_and_a_bridge_merges_two_stories() {
    let wd = Workdir::new();
    wd.write("corpus/AFP/convoy.txt", ORIGINAL);
    wd.write("corpus/AFP/oil.txt", ANOTHER_STORY);
    wd.run(&["index", "corpus", "--quiet"]).success();
    assert!(clusters(&wd).is_empty());

    wd.write("corpus/Reuters/convoy.txt", CUT_COPY);
    wd.write("corpus/AP/oil.txt", ANOTHER_STORY.replace("Oil prices", "OIL PRICES"));
    wd.run(&["index", "corpus", "--quiet"]).success();
    assert_eq!(
        clusters(&wd),
        vec![
            vec!["corpus/AFP/convoy.txt".to_owned(), "corpus/Reuters/convoy.txt".to_owned()],
            vec!["corpus/AFP/oil.txt".to_owned(), "corpus/AP/oil.txt".to_owned()],
        ]
    );

    // A round-up that holds both stories whole joins them: one cluster of five.
    let (_, convoy) = ORIGINAL.split_once("2016 10:00:00\n\n").unwrap();
    let (_, oil) = ANOTHER_STORY.split_once("09:00:00\n\n").unwrap();
    wd.write("corpus/Xinhua/roundup.txt", format!("Round-up\n\n{convoy}\n{oil}"));
    wd.run(&["index", "corpus", "--quiet"]).success();
    let merged = clusters(&wd);
    assert_eq!(merged.len(), 1, "{merged:?}");
    assert_eq!(merged[0].len(), 5);
    let collapsed = wd.query_json(&["convoy OR oil", "--collapse", "--any"]);
    assert_eq!(collapsed["total_stories"], 1, "{collapsed:#}");
    assert_eq!(collapsed["hits"][0]["copies"], 4);
}

#[test]
fn all_identical_bbc_duplicates_collapse() {
    let Some(bbc) = shared("corpora/bbc") else { return };
    let wd = Workdir::new();
    let bbc = bbc.to_str().unwrap();
    wd.run(&["index", bbc, "--quiet"]).success();
    // The duplicates, found by the files' bytes.
    let mut by_bytes: HashMap<Vec<u8>, Vec<String>> = HashMap::new();
    let root = std::path::Path::new(bbc);
    for entry in walk(root) {
        let relative = entry.strip_prefix(root.parent().unwrap()).unwrap();
        by_bytes
            .entry(std::fs::read(&entry).unwrap())
            .or_default()
            .push(relative.to_string_lossy().into_owned());
    }
    let duplicates: Vec<Vec<String>> = by_bytes.into_values().filter(|ids| ids.len() > 1).collect();
    let copies: usize = duplicates.iter().map(|ids| ids.len() - 1).sum();
    assert_eq!(copies, 98, "the BBC corpus holds 98 byte-identical duplicates");
    let found = clusters(&wd);
    let cluster_of: HashMap<&str, usize> = found
        .iter()
        .enumerate()
        .flat_map(|(i, ids)| ids.iter().map(move |id| (id.as_str(), i)))
        .collect();
    for ids in &duplicates {
        let first = cluster_of.get(ids[0].as_str());
        assert!(first.is_some(), "{ids:?} are in no cluster");
        assert!(ids.iter().all(|id| cluster_of.get(id.as_str()) == first), "{ids:?} are apart");
    }
}

/// `(source, id)` of every hit of `args` (with `--all`), and its facet
/// counts by source.
fn hits_and_sources(wd: &Workdir, args: &[&str]) -> (Value, HashMap<String, u64>) {
    let mut all = args.to_vec();
    all.extend(["--all", "--facet", "source", "--format", "json"]);
    let out = wd.run(&[&["query"][..], &all].concat()).success().json();
    let sources = out["facets"]["source"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["value"].as_str().unwrap().to_owned(), c["count"].as_u64().unwrap()))
        .collect();
    (out, sources)
}

#[test]
fn collapsed_counts_equal_the_hits_less_each_storys_later_members_on_bbc() {
    let Some(bbc) = shared("corpora/bbc") else { return };
    let wd = Workdir::new();
    wd.run(&["index", bbc.to_str().unwrap(), "--quiet"]).success();
    // Every cluster of the BBC corpus keeps to one category folder (its source),
    // so which member dates a story does not change the source it counts under.
    let report = wd.run(&["dupes", "--format", "json"]).success().json();
    let mut cluster_of: HashMap<String, (usize, String)> = HashMap::new();
    for (at, cluster) in report["clusters"].as_array().unwrap().iter().enumerate() {
        for member in cluster["members"].as_array().unwrap() {
            let (id, source) = (member["id"].as_str().unwrap(), member["source"].as_str().unwrap());
            cluster_of.insert(id.to_owned(), (at, source.to_owned()));
        }
    }
    assert!(cluster_of.len() > 300, "{} clustered articles", cluster_of.len());

    for query in ["*", "said", "government OR election"] {
        let (plain, mut expected) = hits_and_sources(&wd, &[query, "--any"]);
        let (collapsed, sources) = hits_and_sources(&wd, &[query, "--any", "--collapse"]);
        // Each cluster's members among the plain hits: all but one are taken back.
        let mut among_hits: HashMap<usize, (u64, String)> = HashMap::new();
        for hit in plain["hits"].as_array().unwrap() {
            if let Some((at, source)) = cluster_of.get(hit["id"].as_str().unwrap()) {
                among_hits.entry(*at).or_insert((0, source.clone())).0 += 1;
            }
        }
        let mut later = 0;
        for (members, source) in among_hits.values() {
            later += members - 1;
            *expected.get_mut(source).unwrap() -= members - 1;
        }
        let articles = plain["total_hits"].as_u64().unwrap();
        assert!(later > 0, "{query}: no story with copies among the hits");
        assert_eq!(collapsed["total_articles"].as_u64(), Some(articles), "{query}");
        assert_eq!(collapsed["total_stories"].as_u64(), Some(articles - later), "{query}");
        assert_eq!(sources, expected, "{query}");
        // The page shows one member of each story, and its copies are the rest.
        let hits = collapsed["hits"].as_array().unwrap();
        assert_eq!(hits.len() as u64, articles - later, "{query}");
        let shown: u64 = hits.iter().map(|hit| 1 + hit["copies"].as_u64().unwrap()).sum();
        assert_eq!(shown, articles, "{query}");
        let mut stories_shown = std::collections::HashSet::new();
        for hit in hits {
            if let Some((at, _)) = cluster_of.get(hit["id"].as_str().unwrap()) {
                assert!(stories_shown.insert(*at), "{query}: a story shown twice");
                assert_eq!(hit["copies"].as_u64(), Some(among_hits[at].0 - 1), "{query}");
            }
        }
    }
}

fn walk(folder: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "txt") {
            files.push(path);
        }
    }
    files
}

#[test]
fn labelled_copies_cluster_with_recall_and_precision_targets() {
    let Some(corpora) = shared("corpora") else { return };
    if !corpora.join("fakes-seedformat").is_dir() {
        crate::util::skip("../shared/corpora/fakes-seedformat is absent");
        return;
    }
    let wd = Workdir::new();
    let set = labelled::build(&corpora, wd.path());
    wd.run(&["index", set.corpus.to_str().unwrap(), "--quiet"]).success();
    let (recall, precision, truth, found) = labelled::pairwise(&set, &clusters(&wd));
    eprintln!(
        "labelled set: recall {recall:.4}, precision {precision:.4} ({truth} true pairs, {found} found)"
    );
    assert!(recall >= 0.95, "pairwise recall {recall:.4} < 0.95");
    assert!(precision >= 0.99, "pairwise precision {precision:.4} < 0.99");
}

#[test]
fn dupes_json_follows_its_schema() {
    let wd = Workdir::new();
    wd.write("corpus/AFP/convoy.txt", ORIGINAL);
    wd.write("corpus/Reuters/convoy.txt", CUT_COPY);
    wd.run(&["index", "corpus", "--quiet"]).success();
    let report: Value = wd.run(&["dupes", "--format", "json"]).success().json();
    let validator = crate::util::schema_validator("dupes.v1.schema.json");
    assert!(validator.is_valid(&report), "{report:#}");
    assert_eq!(report["clusters"][0]["first_source"], "AFP");
    assert_eq!(report["clusters"][0]["span_days"], 0);
    let collapsed = wd.query_json(&["convoy", "--collapse"]);
    let validator = crate::util::schema_validator("query.v1.schema.json");
    assert!(validator.is_valid(&collapsed), "{collapsed:#}");
    // --min-size leaves out smaller clusters.
    let none = wd.run(&["dupes", "--min-size", "3"]).success();
    assert!(none.stdout.starts_with("no clusters"), "{}", none.stdout);
}

#[test]
fn similar_lists_the_copy_first_and_never_the_article_itself() {
    let wd = Workdir::new();
    wd.write("corpus/AFP/convoy.txt", ORIGINAL);
    wd.write("corpus/Reuters/convoy.txt", CUT_COPY);
    wd.write("corpus/AFP/parliament.txt", OTHER);
    wd.write("corpus/AFP/oil.txt", ANOTHER_STORY);
    wd.run(&["index", "corpus", "--quiet"]).success();
    let similar =
        wd.run(&["similar", "corpus/AFP/convoy.txt", "--format", "json"]).success().json();
    let hits = similar["hits"].as_array().unwrap();
    assert_eq!(hits[0]["id"], "corpus/Reuters/convoy.txt", "{similar:#}");
    assert_eq!(hits[0]["rank"], 1);
    assert!(hits[0]["score"].as_f64().unwrap() > 0.0);
    assert!(hits.iter().all(|hit| hit["id"] != "corpus/AFP/convoy.txt"));
    // Filters apply as in `query`.
    let filtered = wd
        .run(&["similar", "corpus/AFP/convoy.txt", "--filter", "source:AFP", "--format", "json"])
        .success()
        .json();
    assert!(filtered["hits"].as_array().unwrap().iter().all(|hit| hit["source"] == "AFP"));
    wd.run(&["similar", "corpus/AFP/nothing.txt"])
        .code(1)
        .stderr_has("\"corpus/AFP/nothing.txt\": no article with this id in the index");
}

#[test]
fn export_names_each_articles_cluster() {
    let wd = Workdir::new();
    wd.write("corpus/AFP/convoy.txt", ORIGINAL);
    wd.write("corpus/Reuters/convoy.txt", CUT_COPY);
    wd.write("corpus/AFP/oil.txt", ANOTHER_STORY);
    wd.run(&["index", "corpus", "--quiet"]).success();
    wd.run(&["export", "--to", "out", "--target", "ndjson"]).success();
    let docs = std::fs::read_to_string(wd.join("out/docs.ndjson")).unwrap();
    let clusters: HashMap<String, String> = docs
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .map(|doc| {
            (doc["id"].as_str().unwrap().to_owned(), doc["cluster"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(clusters["corpus/AFP/convoy.txt"], clusters["corpus/Reuters/convoy.txt"]);
    assert_ne!(clusters["corpus/AFP/convoy.txt"], clusters["corpus/AFP/oil.txt"]);
    let report = wd.run(&["dupes", "--format", "json"]).success().json();
    assert_eq!(report["clusters"][0]["cluster"], clusters["corpus/AFP/convoy.txt"].as_str());
}

/// A run killed before its commit leaves the clusters as the last commit left
/// them (the merges travel in the commit with the documents); the next run
/// makes them whole.
#[cfg(unix)]
#[test]
fn a_killed_run_leaves_the_clusters_of_the_last_commit() {
    use crate::crash::{signal, spawn_index, wait_for_writer, write_articles};
    let wd = Workdir::new();
    wd.write("corpus/AFP/convoy.txt", ORIGINAL);
    wd.write("corpus/AFP/oil.txt", ANOTHER_STORY);
    wd.write("corpus/AP/oil.txt", ANOTHER_STORY.replace("Oil prices", "OIL PRICES"));
    wd.run(&["index", "corpus", "--quiet"]).success();
    let before = clusters(&wd);
    assert_eq!(before.len(), 1);

    // A copy of the convoy story, a round-up that bridges both stories, and
    // enough other articles that the run is still at work when it is killed.
    wd.write("corpus/Reuters/convoy.txt", CUT_COPY);
    let (_, convoy) = ORIGINAL.split_once("2016 10:00:00\n\n").unwrap();
    let (_, oil) = ANOTHER_STORY.split_once("09:00:00\n\n").unwrap();
    wd.write("corpus/Xinhua/roundup.txt", format!("Round-up\n\n{convoy}\n{oil}"));
    write_articles(&wd.join("corpus/generated"), 0, 3000);
    for delay in [None, Some(400)] {
        let mut child = spawn_index(&wd, &["corpus", "--quiet"]);
        wait_for_writer(&wd, &mut child);
        match delay {
            None => signal(&child, "STOP"),
            Some(ms) => std::thread::sleep(std::time::Duration::from_millis(ms)),
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let now = clusters(&wd);
        // Killed mid-run, or (on a fast machine, after a delay) once committed:
        // never anything in between.
        let whole = now.len() == 1 && now[0].len() == 5;
        assert!(now == before || whole, "{now:?}");
    }
    wd.run(&["index", "corpus", "--quiet"]).success();
    let after = clusters(&wd);
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0].len(), 5);
}
