# run_nested.cmake: the driver of the cmake.* tests (see CMakeLists.txt
# here).  Run as `cmake -DMODE=... -P run_nested.cmake`; fails (FATAL_ERROR,
# with the output of the step that failed) when a check does not hold.
#
#   MODE=project  configure SOURCE into WORK with GENERATOR (with ACC_SOURCE_DIR
#                 or CMAKE_PREFIX_PATH=PREFIX_PATH), build, run PROGRAM
#   MODE=install  cmake --install BUILD --prefix PREFIX, check what is there
#   MODE=make     consumer/Makefile with make, pkg-config and PREFIX's acc
#   MODE=netmake  netconsumer/Makefile with make and pkg-config acc-net (and --static)
#   MODE=deps     build deps/, touch a/a.h, check acc re-ran for a/one.ac only
#   MODE=editor   the .ac files of SOURCE parse with the editor flags
#
# Common inputs: WORK (scratch directory, emptied first), COMPILER, CFLAGS
# (sanitizer flags of a sanitized build, also used to link), JOBS, EXPECTED.
cmake_minimum_required(VERSION 3.20)

# run(<command>...): runs it in WORKING_DIR (default WORK); OUT gets its
# stdout and stderr; a nonzero exit fails the test.
function(run)
  if(NOT WORKING_DIR)
    set(WORKING_DIR ${WORK})
  endif()
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY ${WORKING_DIR}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "command failed (${rc}): ${cmd}\n${out}")
  endif()
  set(OUT "${out}" PARENT_SCOPE)
endfunction()

# check_program(<path> <expected-file>): runs the program, compares stdout.
function(check_program path expected)
  execute_process(COMMAND ${path} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  file(READ ${expected} want)
  if(NOT rc EQUAL 0 OR NOT out STREQUAL want)
    message(FATAL_ERROR "${path}: exit ${rc}\n--- expected:\n${want}--- got:\n${out}--- stderr:\n${err}")
  endif()
  message(STATUS "${path}: output as expected")
endfunction()

# configure(<source> <build> <extra cmake args>...)
function(configure src bin)
  set(args -S ${src} -B ${bin} -G ${GENERATOR} -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}
           -DCMAKE_C_COMPILER=${COMPILER})
  if(CFLAGS)
    list(APPEND args "-DCMAKE_C_FLAGS=${CFLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${CFLAGS}"
                     "-DCMAKE_SHARED_LINKER_FLAGS=${CFLAGS}")
  endif()
  run(${CMAKE_COMMAND} ${args} ${ARGN})
endfunction()

function(build bin)
  run(${CMAKE_COMMAND} --build ${bin} --parallel ${JOBS})
  set(OUT "${OUT}" PARENT_SCOPE)
endfunction()

function(require_file path)
  if(NOT EXISTS ${path})
    message(FATAL_ERROR "missing: ${path}")
  endif()
endfunction()

# ---- MODE=project -------------------------------------------------------------
function(mode_project)
  set(extra)
  if(ACC_SOURCE_DIR)
    list(APPEND extra -DACC_SOURCE_DIR=${ACC_SOURCE_DIR})
  endif()
  if(PREFIX_PATH)
    list(APPEND extra -DCMAKE_PREFIX_PATH=${PREFIX_PATH} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
  endif()
  configure(${SOURCE} ${WORK}/build ${extra})
  if(PREFIX_PATH)
    # the acc found is the one asked for, not one installed on the system
    file(STRINGS ${WORK}/build/CMakeCache.txt dir REGEX "^acc_DIR:")
    if(NOT dir MATCHES "=${PREFIX_PATH}(/|$)")
      message(FATAL_ERROR "find_package(acc) found ${dir}, not the one in ${PREFIX_PATH}")
    endif()
  endif()
  build(${WORK}/build)
  check_program(${WORK}/build/${PROGRAM} ${EXPECTED})
endfunction()

# ---- MODE=install -------------------------------------------------------------
function(mode_install)
  file(REMOVE_RECURSE ${PREFIX})
  run(${CMAKE_COMMAND} --install ${BUILD} --prefix ${PREFIX})
  set(lib ${PREFIX}/${LIBDIR})
  foreach(f bin/acc include/acc.h include/acc_editor.h ${LIBDIR}/libacc.a ${LIBDIR}/libacc.so
            ${LIBDIR}/cmake/acc/accConfig.cmake ${LIBDIR}/cmake/acc/accConfigVersion.cmake
            ${LIBDIR}/cmake/acc/accTargets.cmake ${LIBDIR}/cmake/acc/AccAsync.cmake
            ${LIBDIR}/pkgconfig/acc.pc share/man/man1/acc.1)
    require_file(${PREFIX}/${f})
  endforeach()
  # the prefix of acc.pc is the install-time one
  file(STRINGS ${PREFIX}/${LIBDIR}/pkgconfig/acc.pc line REGEX "^prefix=")
  if(NOT line STREQUAL "prefix=${PREFIX}")
    message(FATAL_ERROR "acc.pc: '${line}', expected 'prefix=${PREFIX}'")
  endif()
  if(EXISTS ${BUILD}/accNet.cmake) # built with acc::net
    foreach(f include/acc-net/http_client.h include/acc-net/http_server.h include/acc-net/tls.h
              include/acc-net/stream.h include/acc-net/http_parse.h ${LIBDIR}/libacc_net.a
              ${LIBDIR}/libacc_http_parse.a ${LIBDIR}/cmake/acc/accNet.cmake
              ${LIBDIR}/pkgconfig/acc-net.pc)
      require_file(${PREFIX}/${f})
    endforeach()
  endif()
  run(${CMAKE_COMMAND} -E env --unset=ACC_INCLUDE_DIR ${PREFIX}/bin/acc --version)
  message(STATUS "installed acc: ${OUT}")
endfunction()

# ---- MODE=make ----------------------------------------------------------------
function(mode_make)
  set(env PKG_CONFIG_PATH=${PREFIX}/${LIBDIR}/pkgconfig --unset=ACC_INCLUDE_DIR
          --unset=MAKEFLAGS --unset=MFLAGS)
  if(CFLAGS)
    list(APPEND env "CFLAGS=${CFLAGS}" "LDFLAGS=${CFLAGS}")
  endif()
  set(make ${CMAKE_COMMAND} -E env ${env} ${MAKE_PROGRAM} -f ${SOURCE}/Makefile SRC=${SOURCE}
           CC=${COMPILER} PKG_CONFIG=${PKG_CONFIG})
  run(${make})
  string(FIND "${OUT}" "${PREFIX}/bin/acc " at)
  if(at EQUAL -1)
    message(FATAL_ERROR "make did not run the installed acc (${PREFIX}/bin/acc):\n${OUT}")
  endif()
  # the installed acc parsed with the installed acc.h, found beside its binary
  file(READ ${WORK}/main.c.d dep)
  string(FIND "${dep}" "${PREFIX}/bin/../include/acc.h" at)
  string(FIND "${dep}" "${PREFIX}/include/acc.h" at2)
  if(at EQUAL -1 AND at2 EQUAL -1)
    message(FATAL_ERROR "main.c.d does not name ${PREFIX}/include/acc.h:\n${dep}")
  endif()
  check_program(${WORK}/app ${EXPECTED})
  # nothing to redo: the depfiles name only files that exist
  run(${make})
  string(FIND "${OUT}" "/bin/acc " at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "make re-ran acc with nothing changed:\n${OUT}")
  endif()
endfunction()

# ---- MODE=netmake -------------------------------------------------------------
function(mode_netmake)
  set(env PKG_CONFIG_PATH=${PREFIX}/${LIBDIR}/pkgconfig --unset=ACC_INCLUDE_DIR
          --unset=MAKEFLAGS --unset=MFLAGS)
  if(CFLAGS)
    list(APPEND env "CFLAGS=${CFLAGS}" "LDFLAGS=${CFLAGS}")
  endif()
  foreach(static "" "--static")
    file(REMOVE ${WORK}/netapp ${WORK}/main.o ${WORK}/main.c)
    run(${CMAKE_COMMAND} -E env ${env} ${MAKE_PROGRAM} -f ${SOURCE}/Makefile SRC=${SOURCE}
        CC=${COMPILER} PKG_CONFIG=${PKG_CONFIG} STATIC=${static})
    if(NOT OUT MATCHES "-lacc_net" OR NOT OUT MATCHES "-lssl")
      message(FATAL_ERROR "pkg-config ${static} --libs acc-net did not give -lacc_net and -lssl:\n${OUT}")
    endif()
    check_program(${WORK}/netapp ${EXPECTED})
  endforeach()
endfunction()

# ---- MODE=deps ----------------------------------------------------------------
function(mtime out path)
  require_file(${path})
  file(TIMESTAMP ${path} t "%s")
  set(${out} ${t} PARENT_SCOPE)
endfunction()

function(mode_deps)
  # a copy: the test touches one of its headers
  file(COPY ${SOURCE}/ DESTINATION ${WORK}/src)
  configure(${WORK}/src ${WORK}/build -DCMAKE_PREFIX_PATH=${PREFIX_PATH}
            -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
  build(${WORK}/build)
  set(gen ${WORK}/build/acc_gen/deps)
  if(NOT OUT MATCHES "acc a/one\\.ac" OR NOT OUT MATCHES "acc [^\n]*/b/one\\.ac")
    message(FATAL_ERROR "the first build did not run acc on both files:\n${OUT}")
  endif()
  execute_process(COMMAND ${WORK}/build/deps OUTPUT_VARIABLE got RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR NOT got STREQUAL "a=1 b=2\n")
    message(FATAL_ERROR "deps: exit ${rc}, output '${got}'")
  endif()

  build(${WORK}/build)
  if(OUT MATCHES "acc [^\n]*one\\.ac")
    message(FATAL_ERROR "a build with nothing changed re-ran acc:\n${OUT}")
  endif()

  mtime(a0 ${gen}/a/one.ac.c)
  mtime(b0 ${gen}/b/one.ac.c)
  execute_process(COMMAND ${CMAKE_COMMAND} -E sleep 1.1)
  file(TOUCH ${WORK}/src/a/a.h)
  build(${WORK}/build)
  if(NOT OUT MATCHES "acc a/one\\.ac")
    message(FATAL_ERROR "touching a/a.h did not re-run acc on a/one.ac:\n${OUT}")
  endif()
  if(OUT MATCHES "acc [^\n]*b/one\\.ac")
    message(FATAL_ERROR "touching a/a.h re-ran acc on b/one.ac too:\n${OUT}")
  endif()
  mtime(a1 ${gen}/a/one.ac.c)
  mtime(b1 ${gen}/b/one.ac.c)
  if(a1 EQUAL a0 OR NOT b1 EQUAL b0)
    message(FATAL_ERROR "generated files' mtimes: a/one.ac.c ${a0} -> ${a1} "
                        "(must change), b/one.ac.c ${b0} -> ${b1} (must not)")
  endif()
  message(STATUS "touching a/a.h re-ran acc on a/one.ac only")
endfunction()

# ---- MODE=editor --------------------------------------------------------------
# The compile_flags.txt of README.md's "Editor support", as a user writes it
# beside their .ac files (here with the source tree's include directories).
function(mode_editor)
  file(COPY ${SOURCE}/ DESTINATION ${WORK}/consumer)
  set(dir ${WORK}/consumer)
  set(flags -xc -I${EDITOR_INCLUDE} -I${ACC_INCLUDE} -include acc_editor.h -Iinclude
            "-DCONSUMER_GREETING=\"hi\"" -Wall -Wextra)
  string(REPLACE ";" "\n" text "${flags}")
  file(WRITE ${dir}/compile_flags.txt "${text}\n")
  foreach(f main.ac src/util.ac)
    set(WORKING_DIR ${dir})
    run(${CLANG} -fsyntax-only ${flags} ${f})
    if(NOT OUT STREQUAL "")
      message(FATAL_ERROR "clang -fsyntax-only ${f}: diagnostics:\n${OUT}")
    endif()
    if(CLANGD)
      # clangd reads compile_flags.txt itself; --check exits nonzero on errors
      run(${CLANGD} --check=${dir}/${f})
    endif()
    message(STATUS "${f}: parses cleanly with the editor flags")
  endforeach()
  # the .clangd of README.md (clangd only): the same flags added to .ac files
  if(CLANGD)
    file(REMOVE ${dir}/compile_flags.txt)
    file(WRITE ${dir}/.clangd "If:\n  PathMatch: .*\\.ac\nCompileFlags:\n  Add: [-xc, -include, acc_editor.h, -I${EDITOR_INCLUDE}, -I${ACC_INCLUDE}, -I${dir}/include, '-DCONSUMER_GREETING=\"hi\"']\n")
    foreach(f main.ac src/util.ac)
      run(${CLANGD} --check=${dir}/${f})
    endforeach()
    message(STATUS "main.ac, src/util.ac: clangd reads them with .clangd")
  endif()
  # and the file must not parse without them (the test would prove nothing)
  execute_process(COMMAND ${CLANG} -fsyntax-only -xc -Iinclude main.ac
                  WORKING_DIRECTORY ${dir} RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(rc EQUAL 0)
    message(FATAL_ERROR "main.ac parses as plain C without the editor flags")
  endif()
endfunction()

# -------------------------------------------------------------------------------
foreach(v MODE WORK)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "run_nested.cmake: -D${v}=... missing")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
if(NOT JOBS)
  set(JOBS 2)
endif()
cmake_language(CALL mode_${MODE})
