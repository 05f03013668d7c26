// The one validator. Reading a job spec from JSON applies every rule and limit
// of SPEC.md section 2 and answers with key paths; validate() runs the same
// rules over a spec built in code, so the checker, the app and the center can
// never disagree.
#pragma once

#include "core/diagnostics.hpp"
#include "core/reader.hpp"
#include "core/shape.hpp"
#include "core/spec.hpp"

namespace aisb {

// Limits of format 1, named so that messages, docs and tests share them.
namespace limits {
inline constexpr int64_t max_samples = 200000;
inline constexpr int64_t max_units = 4096;
inline constexpr int64_t max_layers = 64;
inline constexpr int64_t max_filters = 1024;
inline constexpr int64_t max_kernel = 15;
inline constexpr int64_t max_batch = 1024;
inline constexpr int64_t max_epochs = 100000;
inline constexpr double max_learning_rate = 10.0;
// What a school laptop (8 GB) can hold: the generated data, and a model with
// its gradients, optimizer state and one batch of activations.
inline constexpr int64_t max_data_bytes = int64_t{512} << 20;
inline constexpr int64_t max_parameters = 20'000'000;
inline constexpr int64_t max_training_bytes = int64_t{2} << 30;
// A file source's facts and windows.
inline constexpr int64_t max_input_names = 4096;
inline constexpr int64_t max_classes = 100;
inline constexpr int64_t max_window = 1000;
}  // namespace limits

DatasetSpec read_dataset(JsonReader& r);
ModelSpec read_model(JsonReader& r);
TrainingSpec read_training(JsonReader& r);

// Reads the tables of a job or lesson (dataset, model, training) from `r` and
// checks the rules that join them (task against source, shapes).
void read_job_tables(JsonReader& r, JobSpec& job);

// The rules that need the model's shapes: layers fit the input, parameters,
// data and training memory within the limits. read_job_tables runs them; a
// lesson whose data is a file runs them again once resolve_data has read it.
void check_shapes(const JobSpec& job, Diagnostics& diags, const std::string& dataset_path = "dataset",
                  const std::string& model_path = "model", const std::string& training_path = "training");

// A whole job spec (SPEC.md section 3).
JobSpec read_job(const json& j, Diagnostics& diags);

// The same rules over a spec built in code.
Diagnostics validate(const JobSpec& job);

// Per-sample input shape and output units of a job's model.
Shape input_shape(const JobSpec& job);
int64_t output_units(const JobSpec& job);
ModelInfo describe_model(const JobSpec& job, Diagnostics& diags);

// Lesson ids: [a-z0-9-]+
bool is_valid_id(const std::string& id);

// True for "csv:..." paths that stay inside the lesson folder.
bool is_safe_relative_path(const std::string& path);

}  // namespace aisb
