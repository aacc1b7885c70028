# pbkdf2_rate.py: measures the machine's raw PBKDF2-HMAC-SHA256 rate (hashes/s over all cores).
#
# The ceiling for login throughput: one login costs one such hash. hashlib.pbkdf2_hmac is
# OpenSSL's PKCS5_PBKDF2_HMAC, the same call common/hashers.c makes.
# Usage: /usr/bin/python3 pbkdf2_rate.py [--iterations N] [--procs P] [--seconds S]
# Prints one line: "PBKDF2 iterations=N procs=P hashes=H seconds=S rate=R cpu_ms_per_hash=C".
import argparse
import hashlib
import multiprocessing
import os
import time


def one_process(args):
	iterations, seconds = args
	# A Django-like password and 22-character salt; their length hardly matters at this cost.
	password, salt = b"bench-password-123", b"abcdefghijklmnopqrstuv"
	count = 0
	start, cpu_start = time.perf_counter(), time.process_time()
	while True:
		hashlib.pbkdf2_hmac("sha256", password, salt, iterations)
		count += 1
		elapsed = time.perf_counter() - start
		if elapsed >= seconds:
			return count, elapsed, time.process_time() - cpu_start


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("--iterations", type=int, default=870000)
	ap.add_argument("--procs", type=int, default=os.cpu_count() or 1)
	ap.add_argument("--seconds", type=float, default=5.0)
	a = ap.parse_args()
	with multiprocessing.Pool(a.procs) as pool:
		results = pool.map(one_process, [(a.iterations, a.seconds)] * a.procs, chunksize=1)
	# Each process's own count/elapsed, summed: no partial hash is lost at the window's end.
	rate = sum(c / e for c, e, _ in results)
	hashes = sum(c for c, _, _ in results)
	longest = max(e for _, e, _ in results)
	# CPU time per hash does not depend on what else the machine is doing (wall time does).
	cpu_ms = 1000 * sum(cpu for _, _, cpu in results) / hashes
	print("PBKDF2 iterations=%d procs=%d hashes=%d seconds=%.2f rate=%.3f cpu_ms_per_hash=%.1f"
		% (a.iterations, a.procs, hashes, longest, rate, cpu_ms))


if __name__ == "__main__":
	main()
