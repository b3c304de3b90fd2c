//! Links the Lambda as a non-PIE executable on Linux. A PIE keeps a dynamic
//! relocation for every pointer in static data (utoipa's OpenAPI tables, the
//! SDKs' endpoint rules, time zones): ~1.2 MB of `.rela.dyn` here, which kept
//! the binary over the 10 MB bar. Lambda runs one process per sandbox, so
//! address randomisation of the executable buys little; shared libraries and
//! the stack are still randomised.
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
