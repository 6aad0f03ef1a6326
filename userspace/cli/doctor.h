/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef FPBPF_DOCTOR_H
#define FPBPF_DOCTOR_H

/* "integrity", "confidentiality", "none", or NULL when the kernel has no lockdown LSM. */
const char *doctor_lockdown_mode(char *buf, int len);

#endif
