//! What a panic prints. A panic is a bug, or an index damaged behind
//! newsearch's back (tantivy asserts on a truncated segment file): either way
//! one `newsearch:` line on stderr, with the way out, instead of a backtrace.
//! The run then exits with code 1.

/// Installs [`report_panic`] as the process's panic hook.
pub fn install() {
    std::panic::set_hook(Box::new(report_panic));
}

fn report_panic(info: &std::panic::PanicHookInfo<'_>) {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned());
    let at = info.location().map(|l| format!(" ({}:{})", l.file(), l.line())).unwrap_or_default();
    eprintln!(
        "newsearch: internal error: {}{at}. If the index was damaged (a file truncated or \
         edited), `newsearch index CORPUS --rebuild` makes it anew; otherwise this is a bug",
        message.replace(['\n', '\r'], " ")
    );
}
