/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Every command of the CLI, one table each; main.c dispatches to them. */
#ifndef FPBPF_COMMANDS_H
#define FPBPF_COMMANDS_H

#include "cli/opts.h"

extern const struct cmd cmd_run, cmd_attach;			/* cmd_session.c */
extern const struct cmd cmd_set, cmd_off, cmd_status, cmd_wait, cmd_reload;	/* cmd_control.c */
extern const struct cmd cmd_list, cmd_check;			/* cmd_inspect.c */
extern const struct cmd cmd_doctor;				/* cmd_doctor.c */
extern const struct cmd cmd_explore;				/* cmd_explore.c */

#endif
