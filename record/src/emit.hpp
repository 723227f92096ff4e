// Making the Program from a recorder's tape (emit.cpp).
#pragma once

#include "selgrad/fast/tape.hpp"
#include "selgrad/program/program.hpp"
#include "selgrad/record.hpp"

namespace selgrad::detail {

/// The program of a finished recording, built with ProgramBuilder and validated: the inputs, the
/// entries the outputs and named entries depend on, affine fusion (RecorderOptions), the outputs.
Program emit_program(const RecordTape& tape, const RecorderOptions& options);

/// The same nodes compiled for the double engine straight from the recording (Recorder::compile).
fast::Tape emit_tape(const RecordTape& tape, const RecorderOptions& options, const fast::CompileLimits& limits);

}  // namespace selgrad::detail
