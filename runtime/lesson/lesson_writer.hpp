// Lesson files written back: what the app saves when a student keeps the
// network they built ("save as lesson") so that a classmate opens exactly
// that. The text reads like a hand-written lesson (SPEC.md section 2) and
// parse_lesson() gives back the same lesson (its [solution] is not written:
// a saved network is a starting point, not an answer key). A csv: or images:
// source is written by its path and what is taken from it (columns, target,
// size); what the file holds (its hash, inputs, classes and samples) is the
// file's to say, read again when the lesson opens (load_lesson).
#pragma once

#include <string>

#include "lesson/lesson.hpp"

namespace aisb {

std::string write_lesson(const Lesson& lesson);

// A lesson id from any name: lowercase a-z, 0-9 and '-', never empty.
std::string lesson_id_from(const std::string& name);

}  // namespace aisb
