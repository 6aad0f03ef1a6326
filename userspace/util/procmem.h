/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef FPBPF_PROCMEM_H
#define FPBPF_PROCMEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Reads another process's memory (faulting pages in): process_vm_readv, or /proc/PID/mem
 * where the kernel has no CONFIG_CROSS_MEMORY_ATTACH. Bytes read (a short read stops at
 * an unmapped page), or -1. */
ssize_t proc_read_memory(pid_t pid, uint64_t addr, void *out, size_t len);

#endif
