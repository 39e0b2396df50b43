//! Deterministic synthetic news corpus for the `newsearch` benchmarks.
//!
//! ```text
//! cargo run --release --example gen-corpus -- --docs 100000 --seed 1 --out DIR [--threads N]
//! ```
//!
//! Writes `DIR/<source>/<NNNN>/<NNNNNNN>.txt`: `<source>` is one of six invented outlets with
//! Zipf-like shares, `<NNNN>` an outlet-local folder of 1,000 files and `<NNNNNNN>` the
//! corpus-wide article index. Existing files are overwritten, nothing is deleted. A one-line
//! summary goes to stderr; bad flags or an unwritable `DIR` print `gen-corpus: ...` and exit 2.
//!
//! Articles mimic the scraped seed corpus: the title, a blank line, the title again above a date
//! such as `Sun Sep 4, 2016 15:14:55`, then paragraphs of 1-4 sentences; half of them end with
//! a PHP dump of related items, `string(N) "[{...} ,{...} ]"`, N being the JSON's byte length.
//! Words follow a Zipf law (s = 1) over 150 English function words and 50,000 syllable-built
//! pseudo-words. Each article names places from a list of 62 and some armed groups and powers,
//! under their real spelling variants (`ISIS`, `ISIL`, `Daesh`, `Islamic State`, ...), which is
//! what alias-aware search must cope with.
//!
//! The output is byte-identical for the same `--docs` and `--seed` on every platform and Rust
//! version: the PRNG is `SplitMix64`, all tables use integer arithmetic (no `exp` or `powf`, whose
//! last bits vary between libms), and no hash map is iterated. Article `i` depends only on
//! `(seed, i)`, so a 10,000-article corpus is exactly the first 10,000 files of a larger one.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::num::NonZero;
use std::ops::{Range, RangeInclusive};
use std::path::{Path, PathBuf};
use std::time::Instant;
use std::{env, fs, panic, process::ExitCode, thread};

/// `write!` to a `String`, whose `fmt::Write` never fails (so there is no `Result` to handle).
macro_rules! push {
    ($out:expr, $($format:tt)*) => {{
        let _ = write!($out, $($format)*);
    }};
}

const USAGE: &str = "\
usage: gen-corpus --out DIR [--docs N] [--seed S] [--threads T]
  --out DIR     output directory, created if missing
  --docs N      number of articles, at most 9999999 (default 1000)
  --seed S      64-bit seed; equal docs and seed give identical output (default 1)
  --threads T   writer threads; does not change the output (default: all cores)";

const MAX_DOCS: u64 = 9_999_999; // file names have 7 digits
const FILES_PER_FOLDER: u64 = 1_000;
const PSEUDO_WORDS: usize = 50_000;
const VOCABULARY_SEED: u64 = 0x6E65_7773_6561_7263; // fixed: every --seed shares one vocabulary
const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// Invented outlets, most prolific first (Zipf shares 1, 1/2, ... 1/6: 41% down to 7%).
const SOURCES: [&str; 6] = [
    "Levant Wire",
    "Sahel Monitor",
    "Gulf Courier",
    "Desert Dispatch",
    "Tigris Times",
    "Orontes Daily",
];

/// Ranks `0..FUNCTION_WORDS_COUNT` of the vocabulary.
const FUNCTION_WORDS_COUNT: usize = 150;
/// The most frequent ranks of the vocabulary, roughly in news-text frequency order.
const FUNCTION_WORDS: &str = "\
    the of to and a in said is that for on was with by as it at from he his be have are has \
    were an not its which they this but will had been their who also after more would or than \
    about we there could all one two over against into other new some up out when them she her \
    while during since last where no if three so can what before under between such many only \
    most any our these those us him you do did does should may might must being through because \
    both each very even still now then here how why whether until without within toward among \
    several another further however although already again around near across including \
    according told says added saying reported early later first second four five ten hundred \
    thousand dozens my your just well back down off own same much";

/// Places in Middle East reporting, most reported first (drawn with Zipf weights).
const PLACES: &str = "\
    Syria, Iraq, Aleppo, Mosul, Libya, Yemen, Damascus, Raqqa, Baghdad, Idlib, Turkey, Iran, \
    Sirte, Homs, Tripoli, Lebanon, Benghazi, Sanaa, Deir ez-Zor, Fallujah, Ramadi, Kirkuk, \
    Palmyra, Hama, Egypt, Jordan, Misrata, Hodeidah, Tikrit, Erbil, Manbij, Kobani, Afrin, \
    Eastern Ghouta, Daraa, Latakia, Aden, Taiz, Beirut, Basra, Anbar, Nineveh, Tal Afar, al-Bab, \
    Jarablus, Qamishli, Hasakah, Tartus, Derna, Sabratha, Sinai, Marib, Saada, Diyala, Gaza, \
    Golan Heights, Arsal, Amman, Ankara, Tehran, Riyadh, Cairo";

/// An actor: the percentage of articles naming it, the most mentions in one article, and its
/// spellings with relative weights.
struct Entity(u64, u64, &'static [(&'static str, u64)]);

/// Bare `IS` reads as the verb, so real copy (and this corpus) only uses it attached.
const ISIS_VARIANTS: &[(&str, u64)] = &[
    ("ISIS", 30),
    ("ISIL", 15),
    ("IS fighters", 5),
    ("IS group", 5),
    ("Daesh", 15),
    ("Da'esh", 4),
    ("Daish", 4),
    ("Islamic State", 16),
    ("Islamic State of Iraq and the Levant", 6),
];

const ENTITIES: [Entity; 13] = [
    Entity(30, 6, ISIS_VARIANTS),
    Entity(10, 3, &[("al-Qaeda", 3), ("Al Qaida", 1)]),
    Entity(6, 3, &[("Nusra Front", 1)]),
    Entity(10, 3, &[("Hezbollah", 4), ("Hizbollah", 1)]),
    Entity(6, 3, &[("Free Syrian Army", 1), ("FSA", 2)]),
    Entity(6, 3, &[("Syrian Democratic Forces", 1), ("SDF", 2)]),
    Entity(4, 2, &[("YPG", 1)]),
    Entity(4, 2, &[("PKK", 1)]),
    Entity(6, 3, &[("Houthis", 3), ("Ansarullah", 1)]),
    Entity(4, 3, &[("Government of National Accord", 1), ("GNA", 2)]),
    Entity(15, 3, &[("United Nations", 1), ("UN", 2)]),
    Entity(20, 3, &[("United States", 1), ("US", 2)]),
    Entity(15, 3, &[("Russia", 1)]),
];

/// Inverse CDF of body length in words, as knots (millionths, words) interpolated linearly:
/// right-skewed like a log-normal (median 450 words) but computed without `exp`.
const BODY_QUANTILES: [u64; 8] =
    [0, 100_000, 250_000, 500_000, 750_000, 900_000, 975_000, 1_000_000];
const BODY_WORDS: [u64; 8] = [150, 230, 320, 450, 610, 820, 1100, 1440];

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const FIRST_DAY: u64 = days_from_civil(2012, 1, 1);
const LAST_DAY: u64 = days_from_civil(2018, 12, 31);
const SECONDS_PER_DAY: u64 = 86_400;
/// .NET ticks (100 ns since 0001-01-01) at the Unix epoch: the seed's media files embed ticks.
const TICKS_AT_UNIX_EPOCH: u64 = 621_355_968_000_000_000;

fn main() -> ExitCode {
    let outcome = match parse_args(env::args().skip(1)) {
        Ok(Some(config)) => run(&config),
        Ok(None) => {
            println!("{USAGE}");
            Ok(())
        }
        Err(message) => Err(message),
    };
    if let Err(message) = outcome {
        eprintln!("gen-corpus: {message}");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

struct Config {
    docs: u64,
    seed: u64,
    out: PathBuf,
    threads: u64,
}

/// Returns `None` when help was requested.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Config>, String> {
    let (mut docs, mut seed, mut out, mut threads) = (1_000, 1, None, None);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--docs" => docs = parse_number(&flag, &value()?, &(0..=MAX_DOCS))?,
            "--seed" => seed = parse_number(&flag, &value()?, &(0..=u64::MAX))?,
            "--threads" => threads = Some(parse_number(&flag, &value()?, &(1..=256))?),
            "--out" => out = Some(PathBuf::from(value()?)),
            _ => return Err(format!("unknown argument '{flag}' (see --help)")),
        }
    }
    let out = out.ok_or("missing --out DIR (see --help)")?;
    let cores = thread::available_parallelism().map_or(1, NonZero::get) as u64;
    let threads = threads.unwrap_or(cores).min(docs.max(1));
    Ok(Some(Config { docs, seed, out, threads }))
}

fn parse_number(flag: &str, text: &str, allowed: &RangeInclusive<u64>) -> Result<u64, String> {
    let number = text.parse().ok().filter(|n| allowed.contains(n));
    number.ok_or_else(|| format!("{flag} expects an integer in {allowed:?}, got '{text}'"))
}

fn run(config: &Config) -> Result<(), String> {
    let started = Instant::now();
    let corpus = Corpus::new();
    create_folders(&corpus, config)?;
    let chunk = config.docs.div_ceil(config.threads);
    let bytes = thread::scope(|scope| {
        // Spawn every worker before joining any, or they would run one after another.
        let workers: Vec<_> = (0..config.threads)
            .map(|t| (t * chunk).min(config.docs)..((t + 1) * chunk).min(config.docs))
            .map(|range| scope.spawn(|| write_range(&corpus, config, range)))
            .collect();
        // A worker panic is a bug in this program, not a user error: surface it as one.
        let joined =
            workers.into_iter().map(|w| w.join().unwrap_or_else(|e| panic::resume_unwind(e)));
        joined.sum::<Result<u64, String>>()
    })?;
    eprintln!(
        "gen-corpus: wrote {} docs, {bytes} bytes ({} B/doc) to {} in {:.2} s",
        config.docs,
        bytes.checked_div(config.docs).unwrap_or(0),
        config.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Creates every folder up front so that workers never race on `create_dir_all`.
fn create_folders(corpus: &Corpus, config: &Config) -> Result<(), String> {
    let create = |path: &Path| {
        fs::create_dir_all(path).map_err(|e| format!("cannot create {}: {e}", path.display()))
    };
    create(&config.out)?;
    let totals = corpus.articles_per_source(config.seed, 0..config.docs);
    for (source, total) in SOURCES.iter().zip(totals) {
        for folder in 0..total.div_ceil(FILES_PER_FOLDER) {
            create(&config.out.join(source).join(format!("{folder:04}")))?;
        }
    }
    Ok(())
}

/// Writes the articles in `range` and returns their total size in bytes.
fn write_range(corpus: &Corpus, config: &Config, range: Range<u64>) -> Result<u64, String> {
    // Folders count articles per outlet, so they depend on all earlier articles' outlets;
    // recounting the prefix costs one hash per article and keeps the workers independent.
    let mut ordinals = corpus.articles_per_source(config.seed, 0..range.start);
    let mut scratch = Scratch::default();
    let mut bytes = 0;
    for index in range {
        let (source, mut rng) = corpus.source_of(config.seed, index);
        let folder = ordinals[source] / FILES_PER_FOLDER;
        ordinals[source] += 1;
        corpus.write_article(&mut rng, &mut scratch);
        let name = format!("{}/{folder:04}/{index:07}.txt", SOURCES[source]);
        let path = config.out.join(name);
        // The article is complete in memory, so one `write_all` does what a `BufWriter` would,
        // minus a copy.
        fs::write(&path, &scratch.text)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        bytes += scratch.text.len() as u64;
    }
    Ok(bytes)
}

/// `SplitMix64` (Steele, Lea & Flood 2014): tiny, fast and fully specified, so the corpus does
/// not depend on a crate's version.
struct Rng(u64);

const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Maps a uniform 64-bit `random` onto `0..n` by Lemire's multiply-shift, which keeps order
/// (the guide table in [`Zipf`] relies on that); its bias, below n / 2^64, is immaterial here.
fn scale(random: u64, n: u64) -> u64 {
    ((u128::from(random) * u128::from(n)) >> 64) as u64
}

impl Rng {
    /// Hashing `(seed, index)` rather than drawing from one stream makes each article
    /// independent of all others: smaller corpora are prefixes, and threads need no coordination.
    /// The outer hash matters: a state linear in `index` would make article i + 1's stream a
    /// shifted copy of article i's.
    fn for_article(seed: u64, index: u64) -> Self {
        Self(mix64(mix64(seed) ^ index))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN_GAMMA);
        mix64(self.0)
    }

    fn below(&mut self, n: u64) -> u64 {
        scale(self.next_u64(), n)
    }

    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high - low + 1)
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize] // below len, so the cast is lossless
    }

    fn weighted(&mut self, items: &[(&'static str, u64)]) -> &'static str {
        let mut ticket = self.below(items.iter().map(|&(_, weight)| weight).sum());
        for &(item, weight) in items {
            if ticket < weight {
                return item;
            }
            ticket -= weight;
        }
        unreachable!("the ticket is below the total weight")
    }
}

/// Zipf (s = 1) over ranks `0..n`: rank r weighs 1/(r + 1). The cumulative table is integral,
/// so it is identical everywhere. A draw binary-searches it, but only between two guide entries:
/// the top bits of the random number already fix which few ranks its ticket can fall in. That
/// halved the generator's run time compared with searching all 50,000 words.
struct Zipf {
    cumulative: Vec<u64>,
    guide: Vec<usize>,
}

/// 2^14 guide buckets: fewer made draws measurably slower, more gained next to nothing.
const GUIDE_BITS: u32 = 14;

impl Zipf {
    fn new(n: usize) -> Self {
        let mut cumulative = Vec::with_capacity(n);
        let mut total = 0;
        for rank in 1..=n as u64 {
            total += (1 << 40) / rank;
            cumulative.push(total);
        }
        // Entry b is the rank holding the lowest ticket that random numbers in bucket b yield.
        let guide = (0..=1 << GUIDE_BITS)
            .map(|bucket: u64| ((u128::from(bucket) * u128::from(total)) >> GUIDE_BITS) as u64)
            .map(|ticket| cumulative.partition_point(|&c| c <= ticket).min(n - 1))
            .collect();
        Self { cumulative, guide }
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let random = rng.next_u64();
        let total = self.cumulative[self.cumulative.len() - 1];
        let ticket = scale(random, total); // uniform in 0..total, like `rng.below(total)`
        let bucket = (random >> (64 - GUIDE_BITS)) as usize;
        let (low, high) = (self.guide[bucket], self.guide[bucket + 1]);
        low + self.cumulative[low..=high].partition_point(|&c| c <= ticket)
    }
}

/// Vocabulary and samplers, built once and shared read-only by the workers.
struct Corpus {
    /// Every word back to back in rank order, so that frequent words share cache lines rather
    /// than sit in 50,000 scattered allocations (copying words was the hot spot).
    vocabulary: String,
    /// Word r is `vocabulary[word_bounds[r]..word_bounds[r + 1]]`.
    word_bounds: Vec<usize>,
    word_ranks: Zipf,
    place_ranks: Zipf,
    places: Vec<&'static str>,
    source_ranks: Zipf,
}

/// Per-worker buffers reused across articles, so the hot loop does not allocate.
#[derive(Default)]
struct Scratch {
    text: String,
    json: String,
    mentions: Vec<Mention>,
}

/// A phrase for the body, due once the running word count reaches `at`.
struct Mention {
    at: u64,
    phrase: &'static str,
}

impl Corpus {
    fn new() -> Self {
        let words = build_vocabulary();
        let (mut vocabulary, mut word_bounds) = (String::new(), vec![0]);
        for word in &words {
            vocabulary.push_str(word);
            word_bounds.push(vocabulary.len());
        }
        let places: Vec<_> = PLACES.split(", ").collect();
        Self {
            vocabulary,
            word_bounds,
            word_ranks: Zipf::new(words.len()),
            place_ranks: Zipf::new(places.len()),
            places,
            source_ranks: Zipf::new(SOURCES.len()),
        }
    }

    fn word(&self, rank: usize) -> &str {
        &self.vocabulary[self.word_bounds[rank]..self.word_bounds[rank + 1]]
    }

    /// The outlet is an article's first draw, so it can be recomputed cheaply on its own.
    fn source_of(&self, seed: u64, index: u64) -> (usize, Rng) {
        let mut rng = Rng::for_article(seed, index);
        (self.source_ranks.sample(&mut rng), rng)
    }

    fn articles_per_source(&self, seed: u64, range: Range<u64>) -> [u64; SOURCES.len()] {
        let mut counts = [0; SOURCES.len()];
        range.for_each(|index| counts[self.source_of(seed, index).0] += 1);
        counts
    }

    fn write_article(&self, rng: &mut Rng, scratch: &mut Scratch) {
        let day = FIRST_DAY + rng.below(LAST_DAY - FIRST_DAY + 1);
        let time = day * SECONDS_PER_DAY + rng.below(SECONDS_PER_DAY);
        let place = self.places[self.place_ranks.sample(rng)];
        let target = body_words(rng);
        plan_mentions(rng, place, target, &mut scratch.mentions);
        let mentions = &scratch.mentions;
        let actor = mentions.iter().map(|m| m.phrase).find(|&p| p != place);

        let text = &mut scratch.text;
        text.clear();
        self.write_title(rng, place, actor, text);
        let title_end = text.len();
        text.push_str("\n\n");
        text.extend_from_within(..title_end);
        text.push('\n');
        write_timestamp(time, text);
        text.push_str("\n\n");
        self.write_body(rng, target, mentions, text);
        if rng.percent(50) {
            self.write_related_json(rng, time, actor, &mut scratch.json);
            let json = &scratch.json;
            push!(text, "\n\n\nstring({}) \"{json}\"", json.len());
        } else {
            text.push('\n');
        }
    }

    /// A headline of 5-15 words in title case, naming the place and, if it fits, the actor.
    fn write_title(&self, rng: &mut Rng, place: &str, actor: Option<&str>, out: &mut String) {
        let length = rng.between(5, 15);
        let (place_at, actor_at) = (rng.below(length), rng.below(length));
        let mut slot = 0;
        while slot < length {
            if slot > 0 {
                out.push(' ');
            }
            let phrase = Some(place).filter(|_| slot == place_at);
            let phrase = phrase.or(actor.filter(|_| slot == actor_at));
            if let Some(phrase) = phrase.filter(|p| slot + word_count(p) <= length) {
                out.push_str(phrase);
                slot += word_count(phrase);
            } else {
                let mut rank = self.word_ranks.sample(rng);
                if rank < FUNCTION_WORDS_COUNT && rng.percent(60) {
                    rank = self.word_ranks.sample(rng); // headlines are denser in content words
                }
                let capitalized = slot == 0 || rank >= FUNCTION_WORDS_COUNT;
                push_word(out, self.word(rank), capitalized);
                slot += 1;
            }
        }
    }

    /// Paragraphs of 1-4 sentences until `target` words are written and every mention placed.
    fn write_body(&self, rng: &mut Rng, target: u64, mentions: &[Mention], out: &mut String) {
        let (mut written, mut pending) = (0, mentions);
        while written < target || !pending.is_empty() {
            if written > 0 {
                out.push_str("\n\n");
            }
            for sentence in 0..*rng.pick(&[1, 2, 2, 2, 3, 3, 4]) {
                if sentence > 0 {
                    out.push(' ');
                }
                written += self.write_sentence(rng, written, &mut pending, out);
                if written >= target && pending.is_empty() {
                    break;
                }
            }
        }
    }

    /// Writes a sentence of 8-30 words and returns its length. A due mention goes where it
    /// fits whole but never first (so `al-Qaeda` keeps its case); otherwise it waits.
    fn write_sentence(
        &self,
        rng: &mut Rng,
        written: u64,
        pending: &mut &[Mention],
        out: &mut String,
    ) -> u64 {
        let length = rng.between(8, 30);
        let mut slot = 0;
        while slot < length {
            if slot > 0 {
                out.push_str(if rng.percent(6) { ", " } else { " " });
            }
            let due = pending.first().filter(|m| slot > 0 && m.at <= written + slot);
            if let Some(mention) = due.filter(|m| slot + word_count(m.phrase) <= length) {
                out.push_str(mention.phrase);
                slot += word_count(mention.phrase);
                *pending = &pending[1..];
            } else if slot > 0 && rng.percent(2) {
                push_number(rng, out);
                slot += 1;
            } else {
                push_word(out, self.word(self.word_ranks.sample(rng)), slot == 0);
                slot += 1;
            }
        }
        out.push('.');
        length
    }

    /// The seed's "related items": 2-6 objects with rising ids whose media file names encode
    /// .NET ticks from the fortnight before the article.
    fn write_related_json(&self, rng: &mut Rng, time: u64, actor: Option<&str>, json: &mut String) {
        json.clear();
        json.push('[');
        let mut id = rng.between(1_000_000, 8_999_999);
        let sort = rng.between(3_000_000, 3_999_999);
        for item in 0..rng.between(2, 6) {
            id += rng.between(1, 1_500);
            let media_time = time - rng.below(14 * SECONDS_PER_DAY);
            let ticks = TICKS_AT_UNIX_EPOCH + media_time * 10_000_000 + rng.below(10_000_000);
            let (year, month, day) = civil_from_days(media_time / SECONDS_PER_DAY);
            let extension = if rng.percent(70) { "mp4" } else { "jpg" };
            json.push_str(if item == 0 { "{" } else { " ,{" });
            push!(json, r#""id":"{id}","sort":"{}","#, sort + item);
            push!(json, r#""contenttypeid":"21","pic":"/{year}/{month:02}/{day:02}/"#);
            push!(json, r#"alalam_{ticks}_25f_4x3.{extension}","title":""#);
            let label = *rng.pick(&["", "", "", "VIDEO: ", "STILLS: ", "Frontline VIDEO: "]);
            json.push_str(label);
            let place = self.places[self.place_ranks.sample(rng)];
            let actor = actor.filter(|_| item % 3 == 0); // related items share the main story
            self.write_title(rng, place, actor, json);
            json.push_str("\"}");
        }
        json.push_str(" ]");
    }
}

/// Decides what the body names and roughly where: the place once in the lede and up to four
/// more times, then each actor the article covers, mostly in one "house" spelling with
/// occasional alternatives, as in real copy. Nothing is due in the last 30 words, so that
/// mentions seldom have to extend the body past its target length.
fn plan_mentions(rng: &mut Rng, place: &'static str, target: u64, mentions: &mut Vec<Mention>) {
    let span = target - 30;
    mentions.clear();
    let phrase = place;
    let at = rng.below(span.min(40));
    mentions.push(Mention { at, phrase });
    for _ in 0..rng.below(5) {
        let at = rng.below(span);
        mentions.push(Mention { at, phrase });
    }
    for &Entity(percent, max_mentions, variants) in &ENTITIES {
        if rng.percent(percent) {
            let house = rng.weighted(variants);
            for _ in 0..rng.between(1, max_mentions) {
                let phrase = if rng.percent(70) { house } else { rng.weighted(variants) };
                let at = rng.below(span);
                mentions.push(Mention { at, phrase });
            }
        }
    }
    // Stable sort: its result is fully specified, unlike the order of ties in an unstable one.
    mentions.sort_by_key(|m| m.at);
}

fn body_words(rng: &mut Rng) -> u64 {
    let ticket = rng.below(1_000_000);
    let upper = BODY_QUANTILES.partition_point(|&q| q <= ticket); // 1..=7: knots span 0..1e6
    let (q0, q1) = (BODY_QUANTILES[upper - 1], BODY_QUANTILES[upper]);
    let (w0, w1) = (BODY_WORDS[upper - 1], BODY_WORDS[upper]);
    w0 + (w1 - w0) * (ticket - q0) / (q1 - q0)
}

/// Function words first, then pseudo-words that get longer with rank, as real words do.
fn build_vocabulary() -> Vec<String> {
    const ONSETS: [&str; 20] = [
        "b", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "sh",
        "kh", "th",
    ];
    const VOWELS: [&str; 12] = ["a", "e", "i", "o", "u", "a", "e", "i", "o", "u", "ai", "ou"];
    const CODAS: [&str; 13] = ["", "", "", "", "", "n", "r", "s", "l", "m", "t", "k", "st"];
    let mut words: Vec<_> = FUNCTION_WORDS.split(' ').map(str::to_owned).collect();
    assert_eq!(words.len(), FUNCTION_WORDS_COUNT);
    // Reserve every real token so that no pseudo-word can pass for an alias or a place.
    let mut seen: HashSet<String> = words.iter().cloned().collect();
    let variants = ENTITIES.iter().flat_map(|&Entity(.., variants)| variants);
    let phrases = PLACES.split(", ").chain(variants.map(|&(name, _)| name));
    seen.extend(phrases.flat_map(|p| p.split(' ')).map(str::to_lowercase));
    let mut rng = Rng::for_article(VOCABULARY_SEED, 0);
    while words.len() < FUNCTION_WORDS_COUNT + PSEUDO_WORDS {
        let syllables = match words.len() {
            0..2_000 => rng.between(1, 2),
            2_000..20_000 => 2,
            _ => rng.between(2, 3),
        };
        let mut word = String::new();
        for _ in 0..syllables {
            word.extend([&ONSETS[..], &VOWELS, &CODAS].map(|part| *rng.pick(part)));
        }
        if seen.insert(word.clone()) {
            words.push(word);
        }
    }
    words
}

fn push_number(rng: &mut Rng, out: &mut String) {
    match rng.below(20) {
        0..10 => push!(out, "{}", rng.between(2, 99)),
        10..15 => push!(out, "{}", rng.between(100, 999)),
        15..18 => push!(out, "{},{:03}", rng.between(1, 99), rng.below(100) * 10),
        _ => push!(out, "{}", rng.between(1990, 2018)),
    }
}

fn push_word(out: &mut String, word: &str, capitalized: bool) {
    let start = out.len();
    out.push_str(word);
    if let Some(initial) = out.get_mut(start..=start).filter(|_| capitalized) {
        initial.make_ascii_uppercase();
    }
}

fn word_count(phrase: &str) -> u64 {
    phrase.split(' ').count() as u64
}

/// `Sun Sep 4, 2016 15:14:55`, the seed corpus's date line (day of month not zero-padded).
fn write_timestamp(time: u64, out: &mut String) {
    let (days, second) = (time / SECONDS_PER_DAY, time % SECONDS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let weekday = WEEKDAYS[((days + 4) % 7) as usize]; // 1970-01-01 was a Thursday
    let month = MONTHS[month as usize - 1];
    let (h, m, s) = (second / 3_600, second / 60 % 60, second % 60);
    push!(out, "{weekday} {month} {day}, {year} {h:02}:{m:02}:{s:02}");
}

/// Days since 1970-01-01 of a later Gregorian date (Howard Hinnant's `days_from_civil`).
const fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let year = if month <= 2 { year - 1 } else { year }; // years start in March: leap day last
    let (era, year_of_era) = (year / 400, year % 400);
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`]: `(year, month 1-12, day 1-31)`.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let days = days + 719_468;
    let (era, day_of_era) = (days / 146_097, days % 146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let march_based_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * march_based_month + 2) / 5 + 1;
    let month = (march_based_month + 2) % 12 + 1;
    (year_of_era + era * 400 + u64::from(month <= 2), month, day)
}
