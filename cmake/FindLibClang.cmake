# FindLibClang: locates libclang's C API (clang-c/Index.h and libclang.so).
# Prefers the newest LLVM found; Debian's libclang-19-dev is the reference,
# any version with clang_getCursorUnaryOperatorKind (LLVM 17+) works.
# Sets LibClang_FOUND and the imported target LibClang::libclang.
set(_acc_llvm_versions 22 21 20 19 18 17)
set(_acc_hints)
foreach(v ${_acc_llvm_versions})
  list(APPEND _acc_hints /usr/lib/llvm-${v} /usr/local/opt/llvm@${v} /opt/llvm-${v})
endforeach()
find_program(LLVM_CONFIG NAMES llvm-config-22 llvm-config-21 llvm-config-20 llvm-config-19
             llvm-config-18 llvm-config-17 llvm-config)
if(LLVM_CONFIG)
  execute_process(COMMAND ${LLVM_CONFIG} --prefix OUTPUT_VARIABLE _acc_llvm_prefix
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  list(INSERT _acc_hints 0 ${_acc_llvm_prefix})
endif()
find_path(LibClang_INCLUDE_DIR clang-c/Index.h HINTS ${_acc_hints} PATH_SUFFIXES include NO_DEFAULT_PATH)
find_path(LibClang_INCLUDE_DIR clang-c/Index.h)
find_library(LibClang_LIBRARY NAMES clang libclang HINTS ${_acc_hints} PATH_SUFFIXES lib NO_DEFAULT_PATH)
find_library(LibClang_LIBRARY NAMES clang libclang)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LibClang REQUIRED_VARS LibClang_LIBRARY LibClang_INCLUDE_DIR)
if(LibClang_FOUND AND NOT TARGET LibClang::libclang)
  add_library(LibClang::libclang UNKNOWN IMPORTED)
  set_target_properties(LibClang::libclang PROPERTIES
    IMPORTED_LOCATION ${LibClang_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${LibClang_INCLUDE_DIR})
endif()
