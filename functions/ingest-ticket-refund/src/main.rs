//! Ingest Lambda of the `ticket-refund` queue: all logic is in the shared pipeline.

fn main() -> Result<(), lambda_runtime::Error> {
    lambda_glue::ingest_main(domain::EventType::TicketRefund)
}
