//! Ingest Lambda of the `venue-update` queue: all logic is in the shared pipeline.

fn main() -> Result<(), lambda_runtime::Error> {
    lambda_glue::ingest_main(domain::EventType::VenueUpdate)
}
