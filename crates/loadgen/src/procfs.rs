//! What Linux's /proc says about a process: resident memory, CPU time, open file descriptors and
//! which TCP connection a socket descriptor is, for the figures.

/// VmRSS of `pid` in KiB.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User plus system CPU seconds `pid` (all its threads) has used; `None` for this process's own.
pub fn cpu_seconds(pid: Option<u32>) -> Option<f64> {
    let path = pid.map_or_else(|| "/proc/self/stat".to_owned(), |pid| format!("/proc/{pid}/stat"));
    let stat = std::fs::read_to_string(path).ok()?;
    let ticks = ticks_from_stat(&stat)?;
    // SAFETY: sysconf only reads a configuration value.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    (per_second > 0).then(|| ticks as f64 / per_second as f64)
}

/// utime + stime from the text of /proc/PID/stat (fields 14 and 15; the command name in
/// parentheses may hold spaces, so fields are counted after its closing parenthesis).
fn ticks_from_stat(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(user + system)
}

/// The one core this process may run on (it is pinned, e.g. by `taskset -c N`), if it is.
pub fn pinned_core() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|line| line.strip_prefix("Cpus_allowed_list:"))?;
    line.trim().parse().ok()
}

/// Busy and total time of one core so far, in ticks, from /proc/stat: what every process did
/// on it, not only this one.
pub fn core_ticks(core: usize) -> Option<CoreTicks> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    core_ticks_from_stat(&stat, core)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoreTicks {
    pub busy: u64,
    pub total: u64,
}

/// The `cpuN` line of /proc/stat: user nice system idle iowait irq softirq steal ...; idle and
/// iowait are the time the core had nothing to run.
fn core_ticks_from_stat(stat: &str, core: usize) -> Option<CoreTicks> {
    let name = format!("cpu{core}");
    let line = stat.lines().find(|line| line.split_whitespace().next() == Some(name.as_str()))?;
    let ticks: Vec<u64> = line.split_whitespace().skip(1).take(8).map(str::parse).collect::<Result<_, _>>().ok()?;
    let [_, _, _, idle, iowait, ..] = ticks[..] else { return None };
    let total: u64 = ticks.iter().sum();
    Some(CoreTicks { busy: total - idle - iowait, total })
}

/// How many file descriptors `pid` has open.
pub fn fd_count(pid: u32) -> Option<usize> {
    Some(std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count())
}

/// Whether `pid` holds a descriptor for the socket with this inode.
pub fn holds_socket(pid: u32, inode: u64) -> Option<bool> {
    let wanted = format!("socket:[{inode}]");
    let entries = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
    Some(
        entries.filter_map(Result::ok).any(|entry| {
            std::fs::read_link(entry.path()).is_ok_and(|link| link.as_os_str().to_string_lossy() == wanted)
        }),
    )
}

/// The inode of the TCP socket (in this network namespace) whose local port is `local_port` and
/// whose peer's port is `remote_port`: on loopback, the server's end of one client connection.
pub fn socket_inode(local_port: u16, remote_port: u16) -> Option<u64> {
    ["/proc/net/tcp", "/proc/net/tcp6"].iter().find_map(|path| {
        let table = std::fs::read_to_string(path).ok()?;
        table.lines().skip(1).find_map(|line| inode_in_line(line, local_port, remote_port))
    })
}

/// The inode of one `/proc/net/tcp` row if its ports match (0, for a socket already closed, is none).
fn inode_in_line(line: &str, local_port: u16, remote_port: u16) -> Option<u64> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let port = |field: &str| u16::from_str_radix(field.rsplit(':').next()?, 16).ok();
    if port(fields.get(1)?)? != local_port || port(fields.get(2)?)? != remote_port {
        return None;
    }
    fields.get(9)?.parse().ok().filter(|inode| *inode != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_ticks_are_read_after_the_command_name() {
        let stat = "42 (a b) c) S 1 42 42 0 -1 4194560 100 0 0 0 250 17 0 0 20 0 1 0 5 1000 200";
        assert_eq!(ticks_from_stat(stat), Some(267));
        assert_eq!(ticks_from_stat("garbage"), None);
        assert!(cpu_seconds(None).is_some());
        assert!(rss_kib(std::process::id()).is_some_and(|kib| kib > 0));
        assert!(fd_count(std::process::id()).is_some_and(|count| count > 0));
    }

    #[test]
    fn core_ticks_are_read_from_the_cores_own_line() {
        let stat =
            "cpu  300 0 30 1000 20 0 5 0 0 0\ncpu0 100 0 10 500 10 0 2 0 0 0\ncpu1 200 0 20 500 10 0 3 0 0 0\nintr 5";
        let cases =
            [(0, Some(CoreTicks { busy: 112, total: 622 })), (1, Some(CoreTicks { busy: 223, total: 733 })), (2, None)];
        for (core, expected) in cases {
            assert_eq!(core_ticks_from_stat(stat, core), expected, "cpu{core}");
        }
        assert_eq!(core_ticks_from_stat("cpu0 1 2", 0), None);
        assert!(core_ticks(0).is_some_and(|ticks| ticks.total >= ticks.busy));
    }

    #[test]
    fn socket_rows_are_matched_by_port() {
        let row = "   3: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 \
                   123456 1 0000000000000000 20 4 30 10 -1";
        assert_eq!(inode_in_line(row, 8080, 54321), Some(123456));
        assert_eq!(inode_in_line(row, 54321, 8080), None);
        assert_eq!(inode_in_line("garbage", 1, 2), None);
    }
}
