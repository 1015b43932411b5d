# add_async_sources(<target> <file.ac>...): the CMake entry point of acc.
#
# For each .ac file, a custom command runs acc into the build tree
# (<current binary dir>/acc_gen/<target>/<path of the .ac>.c) with the
# target's include directories and compile definitions (its own and those of
# the libraries it links, as the C compiler sees them), and a depfile, so
# that editing a header an .ac file includes re-runs acc for that file only.
# The generated .c is added to <target>, which is linked with acc::runtime.
#
# The paths may be relative (to the current source directory) or absolute,
# and name files in subdirectories; two .ac files of the same name in
# different directories get different outputs.  Call it in the directory
# that creates <target> (generated sources belong to their directory).
#
# Loaded by acc's own CMakeLists.txt (build tree, add_subdirectory(acc)) and
# by accConfig.cmake (find_package(acc)), where acc::acc is the imported,
# installed acc.  Without an acc::acc target, ACC_EXECUTABLE (a cache
# variable, found on the PATH) names the acc to run.
include_guard(GLOBAL)

# The function keeps the policies in force here (DEPFILE handling by Ninja,
# CMP0116) whatever the calling project asks for.
cmake_policy(PUSH)
cmake_policy(VERSION 3.20...3.31)

# _acc_command(<out-var> <out-depends>): how to run acc, and what the
# generated files depend on so that a rebuilt (or reinstalled) acc re-runs.
function(_acc_command out_cmd out_dep)
  if(TARGET acc::acc)
    get_target_property(_real acc::acc ALIASED_TARGET)
    if(_real)
      # acc built in this build: the target name in COMMAND is replaced by
      # its path and orders the build; DEPENDS on it re-runs acc after a rebuild
      set(${out_cmd} ${_real} PARENT_SCOPE)
      set(${out_dep} ${_real} PARENT_SCOPE)
    else()
      set(${out_cmd} acc::acc PARENT_SCOPE)
      set(${out_dep} "$<TARGET_FILE:acc::acc>" PARENT_SCOPE)
    endif()
    return()
  endif()
  find_program(ACC_EXECUTABLE acc DOC "The acc transpiler add_async_sources runs")
  if(NOT ACC_EXECUTABLE)
    message(FATAL_ERROR "add_async_sources: no acc::acc target and no acc on the PATH "
                        "(use find_package(acc) or add_subdirectory(acc), or set ACC_EXECUTABLE)")
  endif()
  set(${out_cmd} ${ACC_EXECUTABLE} PARENT_SCOPE)
  set(${out_dep} ${ACC_EXECUTABLE} PARENT_SCOPE)
endfunction()

# _acc_output(<out-var> <target> <abs-source>): the generated .c of one .ac,
# mirroring its path below the current source directory ("../" becomes
# "__/", so files outside the directory stay apart too).
function(_acc_output out target abs)
  file(RELATIVE_PATH _rel "${CMAKE_CURRENT_SOURCE_DIR}" "${abs}")
  string(REPLACE "../" "__/" _rel "${_rel}")
  string(REPLACE ":" "_" _rel "${_rel}")
  set(${out} "${CMAKE_CURRENT_BINARY_DIR}/acc_gen/${target}/${_rel}.c" PARENT_SCOPE)
endfunction()

function(add_async_sources target)
  if(NOT TARGET ${target})
    message(FATAL_ERROR "add_async_sources: '${target}' is not a target")
  endif()
  if(NOT TARGET acc::runtime)
    message(FATAL_ERROR "add_async_sources: no acc::runtime target "
                        "(use find_package(acc) or add_subdirectory(acc))")
  endif()
  _acc_command(_acc _acc_dep)
  # evaluated at generation time, transitively over linked libraries
  set(_incs "$<TARGET_PROPERTY:${target},INCLUDE_DIRECTORIES>")
  set(_defs "$<TARGET_PROPERTY:${target},COMPILE_DEFINITIONS>")
  foreach(src IN LISTS ARGN)
    get_filename_component(_abs "${src}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    _acc_output(_out ${target} "${_abs}")
    get_filename_component(_outdir "${_out}" DIRECTORY)
    file(MAKE_DIRECTORY "${_outdir}")
    add_custom_command(
      OUTPUT "${_out}"
      COMMAND ${_acc} "$<$<BOOL:${_incs}>:-I$<JOIN:${_incs},;-I>>"
              "$<$<BOOL:${_defs}>:-D$<JOIN:${_defs},;-D>>"
              -MD -MF "${_out}.d" "${_abs}" -o "${_out}"
      DEPENDS "${_abs}" ${_acc_dep}
      DEPFILE "${_out}.d"
      COMMENT "acc ${src}"
      COMMAND_EXPAND_LISTS
      VERBATIM)
    target_sources(${target} PRIVATE "${_out}")
    # the generated .c lives in the build tree: its quoted #includes must
    # still find the headers beside the .ac
    get_filename_component(_srcdir "${_abs}" DIRECTORY)
    set_source_files_properties("${_out}" PROPERTIES GENERATED TRUE
                                INCLUDE_DIRECTORIES "${_srcdir}")
  endforeach()
  # set_property, unlike target_link_libraries, works whichever signature
  # (plain or PRIVATE/PUBLIC) the project uses for this target elsewhere
  get_target_property(_type ${target} TYPE)
  set_property(TARGET ${target} APPEND PROPERTY LINK_LIBRARIES acc::runtime)
  if(_type STREQUAL "STATIC_LIBRARY")
    set_property(TARGET ${target} APPEND PROPERTY INTERFACE_LINK_LIBRARIES
                 "$<LINK_ONLY:acc::runtime>")
  endif()
endfunction()

cmake_policy(POP)
