// The core's settings on a MicroPython port, derived from the port's own
// configuration; named by micropython.mk / micropython.cmake as
// TFLM_CONFIG_FILE, so the core itself includes nothing of MicroPython.
#ifndef TFLM_MP_CONFIG_H
#define TFLM_MP_CONFIG_H

#include "py/mpconfig.h"

// A terse build (MICROPY_ERROR_REPORTING at TERSE or NONE) leaves the core's
// message texts out too; errors keep their exception class and a short code.
#ifndef TFLM_ERROR_TEXT
#define TFLM_ERROR_TEXT (MICROPY_ERROR_REPORTING > MICROPY_ERROR_REPORTING_TERSE)
#endif

// tflm.AudioFrontend's tables are computed in double precision, which a
// native module (no libm, part of libgcc dropped on Armv6-M) is not given.
#if MICROPY_ENABLE_DYNRUNTIME
#define MICROPY_TFLM_FRONTEND (0)
#endif

#endif // TFLM_MP_CONFIG_H
