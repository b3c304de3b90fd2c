//! `venue-analytics token`: a JWT for the local API (HS256 with `ANALYTICS_JWT_SECRET`).

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Venue the token may read (repeatable).
    #[arg(long = "venue")]
    venues: Vec<String>,
    /// Admin token: every venue, plus flow health (same as `--role admin`).
    #[arg(long)]
    admin: bool,
    /// What the token may do with its venues: `manager` (read and write) or
    /// `viewer` (read only).
    #[arg(long, value_enum, default_value_t = RoleArg::Manager)]
    role: RoleArg,
    /// Subject claim.
    #[arg(long, default_value = "local-user")]
    sub: String,
    /// Lifetime in hours.
    #[arg(long, default_value_t = 12)]
    ttl_hours: i64,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RoleArg {
    Viewer,
    Manager,
    Admin,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let role = match (args.admin, args.role) {
        (true, _) | (_, RoleArg::Admin) => api::Role::Admin,
        (false, RoleArg::Manager) => api::Role::Manager,
        (false, RoleArg::Viewer) => api::Role::Viewer,
    };
    if args.venues.is_empty() && role != api::Role::Admin {
        anyhow::bail!("name at least one --venue ID, or pass --admin");
    }
    let cfg = api::auth::AuthConfig::local()?;
    println!(
        "{}",
        api::auth::issue_token_as(
            &cfg,
            &args.sub,
            &args.venues,
            role,
            chrono::Duration::hours(args.ttl_hours)
        )
    );
    Ok(ExitCode::SUCCESS)
}
