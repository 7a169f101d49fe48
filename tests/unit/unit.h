/*
 * unit: what every Check test binary shares.  unit_run() runs a suite the
 * same way everywhere (forked tests, normal verbosity) and turns the
 * result into the exit status ctest reads.
 */
#ifndef SHOAL_UNIT_H
#define SHOAL_UNIT_H

#include <check.h>

int	unit_run(Suite *);

#endif /* SHOAL_UNIT_H */
