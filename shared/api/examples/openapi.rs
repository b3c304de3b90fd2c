//! Prints the OpenAPI document: `cargo run -p api --example openapi > openapi.json`.

fn main() {
    let doc = api::openapi::document();
    println!(
        "{}",
        serde_json::to_string_pretty(doc).expect("the document serialises")
    );
}
