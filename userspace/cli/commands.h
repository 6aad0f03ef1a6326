/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The control commands of the CLI, dispatched from main's command table. */
#ifndef FPBPF_CTL_H
#define FPBPF_CTL_H

#include <stdio.h>

int do_set(int argc, char **argv);
int do_off(int argc, char **argv);
int do_status(int argc, char **argv);
int do_wait(int argc, char **argv);
int do_reload(int argc, char **argv);
void usage_set(FILE *f);
void usage_off(FILE *f);
void usage_status(FILE *f);
void usage_wait(FILE *f);
void usage_reload(FILE *f);

#endif
