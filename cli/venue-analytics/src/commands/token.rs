//! `venue-analytics token`: a JWT for the local API (HS256 with `ANALYTICS_JWT_SECRET`).

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Venue the token may read (repeatable).
    #[arg(long = "venue")]
    venues: Vec<String>,
    /// Admin token: every venue, plus flow health.
    #[arg(long)]
    admin: bool,
    /// Subject claim.
    #[arg(long, default_value = "local-user")]
    sub: String,
    /// Lifetime in hours.
    #[arg(long, default_value_t = 12)]
    ttl_hours: i64,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if args.venues.is_empty() && !args.admin {
        anyhow::bail!("name at least one --venue ID, or pass --admin");
    }
    let cfg = api::auth::AuthConfig::local()?;
    println!(
        "{}",
        api::auth::issue_token(
            &cfg,
            &args.sub,
            &args.venues,
            args.admin,
            chrono::Duration::hours(args.ttl_hours)
        )
    );
    Ok(ExitCode::SUCCESS)
}
