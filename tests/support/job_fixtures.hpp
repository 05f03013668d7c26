// Small jobs the tests share.
#pragma once

#include "core/spec.hpp"

namespace aisb::test {

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

}  // namespace aisb::test
