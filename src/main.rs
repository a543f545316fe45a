use clap::Parser;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    if let Err(e) = portee::cli::run(portee::cli::Cli::parse()).await {
        eprintln!("error: {e:#}");
        std::process::exit(2);
    }
}
