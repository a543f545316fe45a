use clap::Parser;

#[tokio::main]
async fn main() {
    // Large blocks (argon2's 19 MiB) are mapped and unmapped instead of kept in glibc's
    // per-thread arenas, where each blocking thread would otherwise retain its own copy.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes the allocator and takes its own locks.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    // PORTEE_LOG_FORMAT=json: one JSON object a line, for log collectors.
    if std::env::var("PORTEE_LOG_FORMAT").is_ok_and(|v| v == "json") {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    if let Err(e) = portee::cli::run(portee::cli::Cli::parse()).await {
        eprintln!("error: {e:#}");
        std::process::exit(2);
    }
}
