# Rules for the bundled demo (examples/kvdemo.c): `make demo` runs them.
# fail-rs style triggers: [P%][COUNT*]ACTION[(ARG)], joined by '->'; filters follow.

# Writes 2 and 3 hit "disk full", then the disk recovers.
db_write     = 2*error(ENOSPC)->off        after=1
# Key 6's WAL append fails once with EIO; the program's retry succeeds.
wal_append   = 1*error(EIO)                arg1=6
# The 4th write stalls for 20 ms inside the hitting thread.
before_write = sleep(20)                   when=4
