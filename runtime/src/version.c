/*
 * version.c: acc_version, the version of this build of the runtime: the
 * top-level CMakeLists.txt's project(VERSION), given as ACC_VERSION_STRING
 * (the one place the version is written).
 */
#include "acc_int.h"

const char *acc_version(void) {
    return ACC_VERSION_STRING;
}
