"""What every Python measuring child reports about itself: its own peak memory and CPU time."""
import resource


def peak_rss_bytes():
    """This process's own peak resident set. Linux's ru_maxrss also counts the resident set the parent
    had when it started us (exec keeps the forked copy's high-water mark; see peakRssBytes in
    measure-worker.ts); /proc/self/status's VmHWM does not. Elsewhere ru_maxrss is all there is."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def cpu_ms():
    """CPU time of this process and of the helpers its imports start (CPU-count probes): ours too,
    not other load on the machine."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    helpers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (own.ru_utime + own.ru_stime + helpers.ru_utime + helpers.ru_stime) * 1000
