# cpu.py: prints the CPU seconds used so far by process trees (for CPU-per-request figures).
#
# Usage: /usr/bin/python3 cpu.py NAME=PID[,PID...] ...
# Prints "NAME=SECONDS ..." in the order given: utime+stime of each PID and of all its live
# descendants, plus the CPU of children they have already reaped (cutime+cstime), so recycled
# FastCGI workers and exited PostgreSQL backends still count. Noise-robust where wall-clock
# figures are not: other load on the machine changes how fast work is done, not what it costs.
import os
import sys

TICK = os.sysconf("SC_CLK_TCK")


def read_stats():
	"""pid -> (ppid, own ticks, reaped children's ticks) for every process we can read."""
	procs = {}
	for name in os.listdir("/proc"):
		if not name.isdigit():
			continue
		try:
			with open("/proc/%s/stat" % name) as f:
				raw = f.read()
		except OSError:
			continue
		# The command name may hold spaces and parentheses: fields start after the last ')'.
		fields = raw[raw.rindex(")") + 2:].split()
		ppid = int(fields[1])
		own = int(fields[11]) + int(fields[12])
		reaped = int(fields[13]) + int(fields[14])
		procs[int(name)] = (ppid, own, reaped)
	return procs


def tree_ticks(procs, roots):
	children = {}
	for pid, (ppid, _, _) in procs.items():
		children.setdefault(ppid, []).append(pid)
	seen, todo, total = set(), list(roots), 0
	while todo:
		pid = todo.pop()
		if pid in seen or pid not in procs:
			continue
		seen.add(pid)
		_, own, reaped = procs[pid]
		total += own + reaped
		todo.extend(children.get(pid, []))
	return total


def main():
	procs = read_stats()
	out = []
	for arg in sys.argv[1:]:
		name, _, pids = arg.partition("=")
		roots = [int(p) for p in pids.split(",") if p.strip().isdigit()]
		out.append("%s=%.2f" % (name, tree_ticks(procs, roots) / TICK))
	print(" ".join(out))


if __name__ == "__main__":
	main()
