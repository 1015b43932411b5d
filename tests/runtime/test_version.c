/*
 * test_version.c: acc_version() is project(VERSION) of the top-level
 * CMakeLists.txt, given to this test as ACC_EXPECTED_VERSION.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "acc.h"

static void test_version_is_the_projects(void **state) {
    (void)state;
    assert_string_equal(acc_version(), ACC_EXPECTED_VERSION);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_is_the_projects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
