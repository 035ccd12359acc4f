//! BTQL over a fixture store: golden queries in both dialects, datasets and
//! experiments, exact parse errors, the HTTP route, property tests that
//! nothing but one read-only SELECT reaches SQLite, and the million-span
//! timing check.

#[path = "btql_api.rs"]
mod api;
#[path = "btql_errors.rs"]
mod errors;
#[path = "btql_fixture.rs"]
mod fixture;
#[path = "btql_golden.rs"]
mod golden;
#[path = "btql_objects.rs"]
mod objects;
#[path = "btql_props.rs"]
mod props;
#[path = "btql_scale.rs"]
mod scale;
