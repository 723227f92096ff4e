# cmake -DCOQC=... -DSRC_DIR=... -DOUT_DIR=... -DFILES=a.v,b.v,... [-DTHEOREMS=t1,t2,...]
#       -P coq_compile.cmake
#
# Copies the Coq files FILES (comma-separated, in dependency order) from SRC_DIR into a fresh
# OUT_DIR and compiles them there with coqc, so that no .vo/.glob file lands next to the
# sources. The standard output of the last file (Assumptions.v, which runs Print Assumptions)
# is written to OUT_DIR/assumptions.txt.
#
# With THEOREMS: fails unless every theorem in THEOREMS is the subject of a
# "Print Assumptions NAME." line of the last file, and every such line answered
# "Closed under the global context" (no axiom, no unfinished proof behind it).

foreach(var COQC SRC_DIR OUT_DIR FILES)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "coq_compile.cmake: -D${var}=... is required")
  endif()
endforeach()
string(REPLACE "," ";" files "${FILES}")

file(REMOVE_RECURSE "${OUT_DIR}")
file(MAKE_DIRECTORY "${OUT_DIR}")

# MathComp's own notations and coercions trigger these two warnings on every import.
set(flags -q -w -notation-overridden,-ambiguous-paths -Q . SelgradProofs)

set(last_output "")
set(last_file "")
foreach(f IN LISTS files)
  if(NOT EXISTS "${SRC_DIR}/${f}")
    message(FATAL_ERROR "coq_compile.cmake: ${SRC_DIR}/${f} does not exist")
  endif()
  file(COPY "${SRC_DIR}/${f}" DESTINATION "${OUT_DIR}")
  execute_process(
    COMMAND "${COQC}" ${flags} "${f}"
    WORKING_DIRECTORY "${OUT_DIR}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "coqc failed on ${SRC_DIR}/${f} (compiled as a copy in ${OUT_DIR}):\n"
                        "${out}${err}")
  endif()
  set(last_output "${out}")
  set(last_file "${f}")
endforeach()
file(WRITE "${OUT_DIR}/assumptions.txt" "${last_output}")

if(NOT DEFINED THEOREMS)
  return()
endif()

# The theorems Assumptions.v asks about, one "Print Assumptions NAME." per line.
file(STRINGS "${SRC_DIR}/${last_file}" print_lines REGEX "^Print Assumptions [A-Za-z0-9_']+\\.")
set(printed "")
foreach(line IN LISTS print_lines)
  string(REGEX REPLACE "^Print Assumptions ([A-Za-z0-9_']+)\\..*$" "\\1" name "${line}")
  list(APPEND printed "${name}")
endforeach()
list(LENGTH printed n_printed)

string(REPLACE "," ";" theorems "${THEOREMS}")
set(missing "")
foreach(t IN LISTS theorems)
  list(FIND printed "${t}" at)
  if(at EQUAL -1)
    list(APPEND missing "${t}")
  endif()
endforeach()
if(missing)
  message(FATAL_ERROR "${SRC_DIR}/${last_file} has no \"Print Assumptions NAME.\" line for: "
                      "${missing}")
endif()

string(REGEX MATCHALL "Closed under the global context" closed "${last_output}")
list(LENGTH closed n_closed)
message("Print Assumptions of ${printed}:\n${last_output}")
if(n_printed EQUAL 0 OR NOT n_closed EQUAL n_printed)
  message(FATAL_ERROR "${n_printed} theorems printed, ${n_closed} closed under the global "
                      "context: some theorem depends on an axiom or an unfinished proof (see "
                      "the Print Assumptions output above).")
endif()
message("coq_proofs: ${n_closed} of ${n_printed} theorems closed under the global context.")
