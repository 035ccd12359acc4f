//! The optional manifest `NAME.toml` beside `NAME.wasm`: raises or lowers the
//! plugin's limits and grants read-only directories. Absent, a plugin gets the
//! defaults: no filesystem, no network, no environment, no stdio, 64 MiB of
//! memory and 2 s per call. Unknown keys are errors, so a typo cannot silently
//! leave a limit at its default.
//!
//! ```toml
//! memory_mib = 128          # 1..=512
//! timeout_ms = 5000         # 1..=60000
//! max_output_bytes = 65536  # 1..=16 MiB
//!
//! [[read_only_dirs]]
//! host = "data"             # relative to this file's directory
//! guest = "/data"           # where the plugin sees it
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::error::LoadError;

pub const DEFAULT_MEMORY_MIB: u32 = 64;
pub const DEFAULT_TIMEOUT_MS: u64 = 2_000;
pub const DEFAULT_MAX_OUTPUT_BYTES: usize = 1024 * 1024;
pub const MAX_MEMORY_MIB: u32 = 512;
pub const MAX_TIMEOUT_MS: u64 = 60_000;
pub const MAX_OUTPUT_BYTES: usize = 16 * 1024 * 1024;

/// The resource limits of every call to one plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub memory_bytes: usize,
    pub timeout: Duration,
    pub max_output_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: DEFAULT_MEMORY_MIB as usize * 1024 * 1024,
            timeout: Duration::from_millis(DEFAULT_TIMEOUT_MS),
            max_output_bytes: DEFAULT_MAX_OUTPUT_BYTES,
        }
    }
}

/// A host directory the plugin may read, and where it appears in the guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirGrant {
    pub host: PathBuf,
    pub guest: String,
}

/// A validated manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    pub limits: Limits,
    pub read_only_dirs: Vec<DirGrant>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    memory_mib: Option<u32>,
    timeout_ms: Option<u64>,
    max_output_bytes: Option<usize>,
    #[serde(default)]
    read_only_dirs: Vec<RawGrant>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGrant {
    host: PathBuf,
    guest: String,
}

impl Manifest {
    /// Parses and validates manifest text. `path` is the manifest's own path:
    /// it names the file in errors and anchors relative `host` directories.
    pub fn parse(text: &str, path: &Path) -> Result<Manifest, LoadError> {
        let invalid = |reason: String| LoadError::Manifest {
            path: path.to_path_buf(),
            reason,
        };
        let raw: RawManifest = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let mut limits = Limits::default();
        if let Some(mib) = raw.memory_mib {
            if !(1..=MAX_MEMORY_MIB).contains(&mib) {
                return Err(invalid(format!(
                    "memory_mib = {mib} is outside 1..={MAX_MEMORY_MIB}"
                )));
            }
            limits.memory_bytes = mib as usize * 1024 * 1024;
        }
        if let Some(ms) = raw.timeout_ms {
            if !(1..=MAX_TIMEOUT_MS).contains(&ms) {
                return Err(invalid(format!(
                    "timeout_ms = {ms} is outside 1..={MAX_TIMEOUT_MS}"
                )));
            }
            limits.timeout = Duration::from_millis(ms);
        }
        if let Some(bytes) = raw.max_output_bytes {
            if !(1..=MAX_OUTPUT_BYTES).contains(&bytes) {
                return Err(invalid(format!(
                    "max_output_bytes = {bytes} is outside 1..={MAX_OUTPUT_BYTES}"
                )));
            }
            limits.max_output_bytes = bytes;
        }
        let base = path.parent().unwrap_or(Path::new("."));
        let mut read_only_dirs = Vec::new();
        for grant in raw.read_only_dirs {
            if !grant.guest.starts_with('/') {
                return Err(invalid(format!(
                    "read_only_dirs: guest path `{}` must be absolute",
                    grant.guest
                )));
            }
            let host = base.join(&grant.host);
            let host = host.canonicalize().map_err(|e| {
                invalid(format!(
                    "read_only_dirs: host directory `{}` cannot be opened: {e}",
                    host.display()
                ))
            })?;
            if !host.is_dir() {
                return Err(invalid(format!(
                    "read_only_dirs: `{}` is not a directory",
                    host.display()
                )));
            }
            read_only_dirs.push(DirGrant {
                host,
                guest: grant.guest,
            });
        }
        Ok(Manifest {
            limits,
            read_only_dirs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_manifest_gives_the_defaults() {
        let m = Manifest::parse("", Path::new("/tmp/x.toml")).unwrap();
        assert_eq!(m, Manifest::default());
        assert_eq!(m.limits.memory_bytes, 64 * 1024 * 1024);
        assert_eq!(m.limits.timeout, Duration::from_secs(2));
    }

    #[test]
    fn limits_are_read_and_checked() {
        let m = Manifest::parse(
            "memory_mib = 128\ntimeout_ms = 500\nmax_output_bytes = 10",
            Path::new("/tmp/x.toml"),
        )
        .unwrap();
        assert_eq!(m.limits.memory_bytes, 128 * 1024 * 1024);
        assert_eq!(m.limits.timeout, Duration::from_millis(500));
        assert_eq!(m.limits.max_output_bytes, 10);

        let err = Manifest::parse("memory_mib = 4096", Path::new("/p/x.toml")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "manifest `/p/x.toml` is invalid: memory_mib = 4096 is outside 1..=512"
        );
    }

    #[test]
    fn unknown_keys_are_rejected_by_name() {
        let err = Manifest::parse("memory_mb = 10", Path::new("/p/x.toml")).unwrap_err();
        assert!(err.to_string().contains("memory_mb"), "{err}");
    }

    #[test]
    fn grants_resolve_relative_to_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        let path = dir.path().join("tool.toml");
        let m = Manifest::parse(
            "[[read_only_dirs]]\nhost = \"data\"\nguest = \"/data\"",
            &path,
        )
        .unwrap();
        assert_eq!(m.read_only_dirs.len(), 1);
        assert_eq!(
            m.read_only_dirs[0].host,
            dir.path().join("data").canonicalize().unwrap()
        );

        let err = Manifest::parse(
            "[[read_only_dirs]]\nhost = \"missing\"\nguest = \"/data\"",
            &path,
        )
        .unwrap_err();
        assert!(err.to_string().contains("cannot be opened"), "{err}");
        let err = Manifest::parse(
            "[[read_only_dirs]]\nhost = \"data\"\nguest = \"data\"",
            &path,
        )
        .unwrap_err();
        assert!(err.to_string().contains("must be absolute"), "{err}");
    }
}
