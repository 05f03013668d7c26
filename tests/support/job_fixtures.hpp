// Small jobs the tests share.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/spec.hpp"

namespace aisb::test {

// Layers, written as a lesson would, for the tests that build networks.
inline LayerSpec dense(int units, const std::string& activation = "relu") {
  return {.type = "dense", .units = units, .activation = activation};
}
inline LayerSpec conv(int filters, int kernel = 3, int stride = 1, const std::string& padding = "same",
                      const std::string& activation = "relu") {
  return {.type = "conv2d",
          .activation = activation,
          .filters = filters,
          .kernel = kernel,
          .stride = stride,
          .padding = padding};
}
inline LayerSpec layer(const std::string& type) {
  return {.type = type};
}
inline LayerSpec pool(int size) {
  return {.type = "maxpool2d", .size = size};
}
inline LayerSpec dropout(double rate) {
  return {.type = "dropout", .rate = rate};
}
inline LayerSpec recurrent(const std::string& type, int units) {
  return {.type = type, .units = units};
}

inline JobSpec xor_job(int epochs = 20) {
  JobSpec j;
  j.lesson = "test-xor";
  j.dataset.source = "xor";
  j.dataset.samples = 200;
  j.dataset.noise = 0.0;
  j.dataset.test_fraction = 0.5;
  j.dataset.seed = 7;
  j.model.task = "classification";
  j.model.inputs = {"x1", "x2"};
  j.model.layers = {{.type = "dense", .units = 8, .activation = "tanh"},
                    {.type = "dense", .units = 8, .activation = "tanh"}};
  j.training.optimizer = "sgd";
  j.training.learning_rate = 0.03;
  j.training.batch_size = 10;
  j.training.epochs = epochs;
  j.training.seed = 3;
  return j;
}

inline JobSpec plane_job(int epochs = 10) {
  JobSpec j = xor_job(epochs);
  j.lesson = "test-plane";
  j.dataset.source = "plane";
  j.dataset.noise = 0.1;
  j.model.task = "regression";
  j.model.layers = {{.type = "dense", .units = 4, .activation = "relu"}};
  return j;
}

// A small CNN on steel-defects photos (64x64 grey, six classes), Adam:
// `samples` photos, a quarter for testing, through `layers`.
inline JobSpec steel_job(int samples, int epochs, std::vector<LayerSpec> layers) {
  JobSpec j;
  j.lesson = "test-steel";
  j.dataset.source = "steel-defects";
  j.dataset.samples = samples;
  j.dataset.noise = 0.1;
  j.dataset.test_fraction = 0.25;
  j.dataset.seed = 3;
  j.model.task = "classification";
  j.model.inputs = {};
  j.model.layers = std::move(layers);
  j.training.optimizer = "adam";
  j.training.learning_rate = 0.005;
  j.training.batch_size = 32;
  j.training.epochs = epochs;
  j.training.seed = 1;
  return j;
}

}  // namespace aisb::test
