//! The store at the size the BTQL targets are set for: a million spans,
//! "latest conversations" in ≤ 50 ms and a per-tool aggregate in ≤ 1 s.
//! Ignored by default (it writes a few hundred MB); run with
//! `cargo test -p trellis-trace --release --test all -- --ignored store_scale --nocapture`
//! and `TRELLIS_SCALE_SPANS` to change the size.

use std::time::Duration;

use crate::scale_data::{filled_store, timed};

#[test]
#[ignore = "writes a million spans; run explicitly"]
fn store_scale() {
    let (store, _dir, insert) = filled_store();
    let count = store.count().unwrap();
    println!("inserted {count} spans in {insert:?}");

    let reader = store.reader().unwrap();
    let (latest, q1) = timed(|| {
        let mut stmt = reader
            .prepare(
                "SELECT span_id, json_extract(output, '$.patient_query') FROM spans \
                 WHERE object_type = 'project_logs' AND project = 'trellis-demo' \
                 AND name = 'client_conversation' ORDER BY created DESC LIMIT 10",
            )
            .unwrap();
        stmt.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .count()
    });
    println!("latest 10 conversations: {q1:?}");
    assert_eq!(latest, 10);
    assert!(
        q1 <= Duration::from_millis(50),
        "latest conversations took {q1:?}"
    );

    let (groups, q2) = timed(|| {
        let mut stmt = reader
            .prepare(
                "SELECT name, count(*), avg(end_time - start_time), \
                 avg(json_extract(scores, '$.health_risk')) FROM spans \
                 WHERE object_type = 'project_logs' AND project = 'trellis-demo' \
                 AND type = 'tool' GROUP BY name",
            )
            .unwrap();
        stmt.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .count()
    });
    println!("tool group-by: {q2:?}");
    assert_eq!(groups, 2);
    assert!(q2 <= Duration::from_secs(1), "tool aggregate took {q2:?}");
}
