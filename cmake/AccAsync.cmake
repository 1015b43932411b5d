# add_async_sources(<target> <file.ac>...): transpiles each .ac file with acc
# into the build tree, adds the generated .c to <target>, passes the target's
# include directories and compile definitions to acc, tracks the headers an
# .ac file includes through a depfile, and links acc::runtime.
#
# Used from the build tree (add_subdirectory) and from an installed prefix
# (find_package(acc)), where ACC_EXECUTABLE names the installed acc.
function(add_async_sources target)
  if(TARGET acc::acc)
    set(_acc_exe $<TARGET_FILE:acc::acc>)
    set(_acc_dep acc::acc)
  else()
    set(_acc_exe ${ACC_EXECUTABLE})
    set(_acc_dep ${ACC_EXECUTABLE})
  endif()
  set(_incs "$<TARGET_PROPERTY:${target},INCLUDE_DIRECTORIES>")
  set(_defs "$<TARGET_PROPERTY:${target},COMPILE_DEFINITIONS>")
  foreach(src IN LISTS ARGN)
    get_filename_component(_abs "${src}" ABSOLUTE)
    file(RELATIVE_PATH _rel "${CMAKE_CURRENT_SOURCE_DIR}" "${_abs}")
    string(REPLACE "../" "__/" _rel "${_rel}")
    string(REPLACE ":" "_" _rel "${_rel}")
    set(_out "${CMAKE_CURRENT_BINARY_DIR}/acc_gen/${_rel}.c")
    get_filename_component(_outdir "${_out}" DIRECTORY)
    file(MAKE_DIRECTORY "${_outdir}")
    add_custom_command(
      OUTPUT "${_out}"
      COMMAND ${_acc_exe} "$<$<BOOL:${_incs}>:-I$<JOIN:${_incs},;-I>>"
              "$<$<BOOL:${_defs}>:-D$<JOIN:${_defs},;-D>>"
              -MD -MF "${_out}.d" "${_abs}" -o "${_out}"
      DEPENDS "${_abs}" ${_acc_dep}
      DEPFILE "${_out}.d"
      COMMENT "acc ${src}"
      COMMAND_EXPAND_LISTS
      VERBATIM)
    target_sources(${target} PRIVATE "${_out}")
    # the generated .c lives in the build tree: quoted #includes must still
    # find the headers beside the .ac
    get_filename_component(_srcdir "${_abs}" DIRECTORY)
    set_source_files_properties("${_out}" PROPERTIES GENERATED TRUE
                                INCLUDE_DIRECTORIES "${_srcdir}")
  endforeach()
  target_link_libraries(${target} PRIVATE acc::runtime)
endfunction()
