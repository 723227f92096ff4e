# cmake -DSRC_DIR=... -P coq_no_admits.cmake
#
# Fails if a Coq file of SRC_DIR leaves a proof unfinished or adds an assumption: one of the
# words listed in `forbidden` below (unfinished proofs, assumptions, the attribute that skips
# a kernel check) or an "Unset ... Checking" command, as a whole word outside comments and
# string literals (comments nest in Coq).

if(NOT DEFINED SRC_DIR)
  message(FATAL_ERROR "coq_no_admits.cmake: -DSRC_DIR=... is required")
endif()

set(forbidden Admitted admit Admit give_up Abort Axiom Axioms Parameter Parameters
              Conjecture bypass_check)
string(REPLACE ";" "|" forbidden_alt "${forbidden}")
set(word_re "(^|[^A-Za-z0-9_'])(${forbidden_alt})([^A-Za-z0-9_']|$)")
set(unset_re "Unset[ \t\r\n]+(Guard|Positivity|Universe)[ \t\r\n]+Checking")

file(GLOB vfiles "${SRC_DIR}/*.v")
if(NOT vfiles)
  message(FATAL_ERROR "coq_no_admits.cmake: no .v file in ${SRC_DIR}")
endif()

set(failures "")
foreach(vfile IN LISTS vfiles)
  file(READ "${vfile}" text)
  # CMake lists split on ';' and treat brackets and backslashes specially: none of them
  # matters for the words looked for, so they are blanked before the text is cut into tokens.
  string(REGEX REPLACE "[][;\\]" " " text "${text}")
  # Tokens: comment openers and closers, string quotes, and everything else.
  string(REGEX MATCHALL "\\(\\*|\\*\\)|\"|[^(*\"]+|[(*]" tokens "${text}")
  set(depth 0)
  set(in_string FALSE)
  set(code "")
  foreach(tok IN LISTS tokens)
    if(in_string)
      if(tok STREQUAL "\"")
        set(in_string FALSE)
      endif()
      string(APPEND code " ")
    elseif(tok STREQUAL "(*")
      math(EXPR depth "${depth} + 1")
    elseif(tok STREQUAL "*)" AND depth GREATER 0)
      math(EXPR depth "${depth} - 1")
      string(APPEND code " ")
    elseif(depth GREATER 0)
      # inside a comment
    elseif(tok STREQUAL "\"")
      set(in_string TRUE)
      string(APPEND code " ")
    else()
      string(APPEND code "${tok}")
    endif()
  endforeach()
  if(depth GREATER 0)
    list(APPEND failures "${vfile}: unterminated comment")
  endif()
  foreach(re IN ITEMS "${word_re}" "${unset_re}")
    string(REGEX MATCHALL "${re}" hits "${code}")
    foreach(hit IN LISTS hits)
      string(STRIP "${hit}" hit)
      list(APPEND failures "${vfile}: '${hit}'")
    endforeach()
  endforeach()
endforeach()

if(failures)
  list(JOIN failures "\n  " msg)
  message(FATAL_ERROR "unfinished proofs or added assumptions in the Coq files:\n  ${msg}")
endif()
list(LENGTH vfiles n)
list(JOIN forbidden ", " forbidden_text)
message("coq_no_admits: ${n} Coq files, none with ${forbidden_text} outside comments.")
