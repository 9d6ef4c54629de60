//! The grouping lease as the engine uses it: group only while holding it, rebuild the in-memory
//! grouper from the archive whenever it is (re)taken, and give it back on exit.

use super::{ApiResult, Engine};
use crate::store::{Lease, LeaseHolder, LeaseOutcome};

/// This engine instance as a lease holder: a random token, this process and this host.
pub(super) fn new_holder() -> LeaseHolder {
    LeaseHolder {
        token: format!("{:016x}", rand::random::<u64>()),
        pid: std::process::id(),
        host: host_name(),
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into())
}

/// Whether a process with this pid runs on this machine.
fn pid_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = i32::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only checks that the process exists; nothing is sent.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

impl Engine {
    /// Take or renew the grouping lease. `false`: another live process groups this archive;
    /// leave the items stored for it.
    pub fn hold_grouping_lease(&self) -> ApiResult<bool> {
        let me = &self.inner.lease_holder;
        let outcome = self.with_store(|s| s.try_lease(me, chrono::Utc::now(), &pid_alive))?;
        match outcome {
            LeaseOutcome::Renewed => Ok(true),
            LeaseOutcome::Acquired { took_over } => {
                if let Some(prev) = took_over {
                    tracing::info!(
                        "grouping lease taken over from pid {} on {} (gone or silent)",
                        prev.pid,
                        prev.host
                    );
                }
                // Others may have grouped meanwhile: the live state comes from the archive.
                self.reset_grouper();
                Ok(true)
            }
            LeaseOutcome::HeldBy(_) => Ok(false),
        }
    }

    /// Who groups this archive now, if anyone.
    pub fn grouping_lease(&self) -> ApiResult<Option<Lease>> {
        self.with_store(|s| s.lease())
    }

    /// Whether another process wrote to the archive since the last call; if so, tell listeners
    /// to reload (the app polls this so it shows what `parallax watch` or a cron job stored).
    pub fn poll_external_changes(&self) -> ApiResult<bool> {
        use std::sync::atomic::Ordering;
        let v = self.with_store(|s| s.data_version())?;
        let before = self.inner.data_version.swap(v, Ordering::Relaxed);
        let changed = before != 0 && before != v;
        if changed {
            self.emit(super::Change::StoriesUpdated { ids: Vec::new() });
        }
        Ok(changed)
    }
}
