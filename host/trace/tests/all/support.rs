//! A collector served on a loopback port with its own store, and polling
//! with a deadline instead of sleeping.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use trellis_trace::{routes, Collector, CollectorConfig, TraceStore};

pub(crate) struct TestCollector {
    pub(crate) store: Arc<TraceStore>,
    pub(crate) addr: SocketAddr,
    server: JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl TestCollector {
    /// Serves a fresh collector on `listener`.
    pub(crate) fn serve(listener: TcpListener) -> TestCollector {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(TraceStore::open(dir.path().join("traces.db")).unwrap());
        let app = routes(Collector::new(store.clone(), CollectorConfig::default()));
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        TestCollector {
            store,
            addr,
            server,
            _dir: dir,
        }
    }

    /// Serves a fresh collector on a free loopback port.
    pub(crate) async fn start() -> TestCollector {
        TestCollector::serve(TcpListener::bind("127.0.0.1:0").await.unwrap())
    }

    pub(crate) fn endpoint(&self) -> String {
        format!("http://{}/v1/traces", self.addr)
    }

    pub(crate) fn count(&self) -> u64 {
        self.store.count().unwrap()
    }
}

impl Drop for TestCollector {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A loopback port with nothing listening on it (it was free a moment ago).
pub(crate) async fn unused_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// Polls `check` until it returns true, failing the test with `what` if
/// that takes longer than `limit`.
pub(crate) async fn eventually<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    loop {
        if check().await {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
