// `export --to onnx`: one graph with the input `input` (raw values; the
// standardisation is its first two nodes) and the output `output` (class
// probabilities, or the value in the data's units). The messages are
// Debian's libonnx-dev protobuf classes; IR version 8 and opset 17, what
// python3-onnx 1.12 checks and ONNX Runtime runs. GELU is composed from Erf
// (opset 20 has it as an operator). LSTM and GRU weights are reordered from
// torch's gate order to ONNX's.
#ifdef AISB_HAVE_ONNX
#include <onnx/onnx_pb.h>
#endif

#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/json_text.hpp"
#include "export/export.hpp"
#include "export/export_internal.hpp"

namespace aisb::export_detail {

namespace fs = std::filesystem;

#ifdef AISB_HAVE_ONNX

namespace {

constexpr int64_t kIrVersion = 8;
constexpr int64_t kOpset = 17;

class Graph {
 public:
  explicit Graph(onnx::GraphProto* g) : g_(g) {}

  void constant(const std::string& name, const Shape& shape, const std::vector<float>& values) {
    onnx::TensorProto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (const int64_t d : shape) t->add_dims(d);
    t->set_raw_data(float32_le_bytes(values));
  }

  void constant_i64(const std::string& name, const std::vector<int64_t>& values) {
    onnx::TensorProto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(values.size()));
    for (const int64_t v : values) t->add_int64_data(v);
  }

  // A node; returns its (first) output's name.
  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs) {
    onnx::NodeProto* n = g_->add_node();
    n->set_op_type(op);
    n->set_name(outputs.empty() ? op : op + ":" + outputs.back());
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    return n;
  }

  std::string unary(const std::string& op, const std::string& in, const std::string& out) {
    node(op, {in}, {out});
    return out;
  }

  std::string binary(const std::string& op, const std::string& a, const std::string& b, const std::string& out) {
    node(op, {a, b}, {out});
    return out;
  }

  static void attr(onnx::NodeProto* n, const std::string& name, int64_t v) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr(onnx::NodeProto* n, const std::string& name, float v) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void attr(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (const int64_t x : v) a->add_ints(x);
  }

  static void tensor_type(onnx::ValueInfoProto* v, const std::string& name, const Shape& per_sample) {
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    auto* shape = t->mutable_shape();
    shape->add_dim()->set_dim_param("N");
    for (const int64_t d : per_sample) shape->add_dim()->set_dim_value(d);
  }

 private:
  onnx::GraphProto* g_;
};

// The rows of `w` (gates blocks of `rows` rows each) in the order `order`
// names them: ONNX wants LSTM gates i,o,f,c where torch has i,f,g,o, and
// GRU gates z,r,h where torch has r,z,n.
std::vector<float> reorder_gates(const std::vector<float>& w, const std::vector<int>& order) {
  const size_t block = w.size() / order.size();
  std::vector<float> out;
  out.reserve(w.size());
  for (const int g : order) {
    out.insert(out.end(), w.begin() + static_cast<ptrdiff_t>(block * static_cast<size_t>(g)),
               w.begin() + static_cast<ptrdiff_t>(block * static_cast<size_t>(g + 1)));
  }
  return out;
}

std::string activation(Graph& g, const std::string& act, const std::string& in, const std::string& module) {
  if (act == "relu") return g.unary("Relu", in, module + ".relu");
  if (act == "tanh") return g.unary("Tanh", in, module + ".tanh");
  if (act == "sigmoid") return g.unary("Sigmoid", in, module + ".sigmoid");
  if (act == "leaky_relu") {
    const std::string out = module + ".leaky_relu";
    Graph::attr(g.node("LeakyRelu", {in}, {out}), "alpha", 0.01F);
    return out;
  }
  if (act == "gelu") {
    // 0.5 x (1 + erf(x / sqrt 2)), as torch's exact GELU.
    const std::string s = g.binary("Mul", in, "gelu.inv_sqrt2", module + ".gelu_scaled");
    const std::string e = g.unary("Erf", s, module + ".gelu_erf");
    const std::string p = g.binary("Add", e, "gelu.one", module + ".gelu_plus1");
    const std::string x = g.binary("Mul", in, p, module + ".gelu_times_x");
    return g.binary("Mul", x, "gelu.half", module + ".gelu");
  }
  return in;
}

onnx::ModelProto build(const Plan& plan, const std::string& lang) {
  const TrainedModel& m = *plan.model;
  onnx::ModelProto model;
  model.set_ir_version(kIrVersion);
  model.set_producer_name("aisandbox");
  model.set_producer_version(m.app);
  model.set_model_version(1);
  model.set_doc_string(std::string(say(lang, "AI Sandbox lesson ", "AI Sandbox 수업 ")) + m.job.lesson + ": " +
                       (plan.classification ? say(lang, "raw inputs in, class probabilities out",
                                                  "raw 입력을 받아 클래스마다 확률을 내요")
                                            : say(lang, "raw inputs in, the value (in the data's units) out",
                                                  "raw 입력을 받아 값(데이터의 단위)을 내요")));
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOpset);
  for (const auto& [key, value] : model_metadata(plan)) {
    if (key == "format") continue;
    onnx::StringStringEntryProto* p = model.add_metadata_props();
    p->set_key(key);
    p->set_value(value);
  }

  onnx::GraphProto* gp = model.mutable_graph();
  gp->set_name(m.job.lesson.empty() ? "aisandbox" : m.job.lesson);
  Graph g(gp);
  Graph::tensor_type(gp->add_input(), "input", plan.input);

  std::string x = "input";
  for (const auto& t : standardization_tensors(plan)) g.constant(t.name, t.shape, t.data);
  if (!m.standardization.mean.empty()) {
    x = g.binary("Sub", x, "input_mean", "standardized.centred");
    x = g.binary("Div", x, "input_scale", "standardized");
  }
  bool gelu = false;
  for (size_t i = 0; i < plan.hidden(); ++i) gelu = gelu || plan.layer(i).spec.activation == "gelu";
  if (gelu) {
    g.constant("gelu.inv_sqrt2", {}, {0.70710678118654752F});
    g.constant("gelu.one", {}, {1.0F});
    g.constant("gelu.half", {}, {0.5F});
  }
  const auto weight = [&](const std::string& name) {
    const NamedTensor& t = tensor(m, name);
    g.constant(name, t.shape, t.data);
    return name;
  };
  for (size_t i = 0; i < plan.hidden(); ++i) {
    const LayerInfo& li = plan.layer(i);
    const LayerSpec& l = li.spec;
    const std::string module = "layers." + std::to_string(i);
    if (l.type == "dense") {
      auto* n = g.node("Gemm", {x, weight(module + ".weight"), weight(module + ".bias")}, {module});
      Graph::attr(n, "transB", int64_t{1});
      x = activation(g, l.activation, module, module);
    } else if (l.type == "conv2d") {
      const int64_t pad = l.padding == "same" ? (l.kernel - 1) / 2 : 0;
      auto* n = g.node("Conv", {x, weight(module + ".weight"), weight(module + ".bias")}, {module});
      Graph::attr(n, "kernel_shape", std::vector<int64_t>{l.kernel, l.kernel});
      Graph::attr(n, "strides", std::vector<int64_t>{l.stride, l.stride});
      Graph::attr(n, "pads", std::vector<int64_t>{pad, pad, pad, pad});
      x = activation(g, l.activation, module, module);
    } else if (l.type == "maxpool2d") {
      auto* n = g.node("MaxPool", {x}, {module});
      Graph::attr(n, "kernel_shape", std::vector<int64_t>{l.size, l.size});
      Graph::attr(n, "strides", std::vector<int64_t>{l.size, l.size});
      x = module;
    } else if (l.type == "flatten") {
      Graph::attr(g.node("Flatten", {x}, {module}), "axis", int64_t{1});
      x = module;
    } else if (l.type == "dropout") {
      // Identity when predicting.
    } else if (l.type == "batchnorm") {
      auto* n = g.node("BatchNormalization",
                       {x, weight(module + ".weight"), weight(module + ".bias"), weight(module + ".running_mean"),
                        weight(module + ".running_var")},
                       {module});
      Graph::attr(n, "epsilon", 1e-5F);
      x = module;
    } else {
      // torch's batch_first [N, T, F] to ONNX's [T, N, F]; the final hidden
      // state Y_h [1, N, H] is the output after the last time step.
      const bool lstm = l.type == "lstm";
      const int64_t h = l.units;
      const std::vector<int> order = lstm ? std::vector<int>{0, 3, 1, 2} : std::vector<int>{1, 0, 2};
      const auto& wi = tensor(m, module + ".weight_ih_l0");
      const auto& wh = tensor(m, module + ".weight_hh_l0");
      const auto& bi = tensor(m, module + ".bias_ih_l0");
      const auto& bh = tensor(m, module + ".bias_hh_l0");
      const auto gates = static_cast<int64_t>(order.size());
      g.constant(module + ".W", {1, gates * h, li.in[1]}, reorder_gates(wi.data, order));
      g.constant(module + ".R", {1, gates * h, h}, reorder_gates(wh.data, order));
      std::vector<float> b = reorder_gates(bi.data, order);
      const std::vector<float> bh_ordered = reorder_gates(bh.data, order);
      b.insert(b.end(), bh_ordered.begin(), bh_ordered.end());
      g.constant(module + ".B", {1, 2 * gates * h}, b);
      Graph::attr(g.node("Transpose", {x}, {module + ".time_major"}), "perm", std::vector<int64_t>{1, 0, 2});
      auto* n = g.node(lstm ? "LSTM" : "GRU", {module + ".time_major", module + ".W", module + ".R", module + ".B"},
                       {"", module + ".last"});
      Graph::attr(n, "hidden_size", h);
      if (!lstm) Graph::attr(n, "linear_before_reset", int64_t{1});
      g.constant_i64(module + ".axes", {0});
      g.node("Squeeze", {module + ".last", module + ".axes"}, {module});
      x = module;
    }
  }
  auto* out = g.node("Gemm", {x, weight("output.weight"), weight("output.bias")},
                     {plan.classification ? "logits" : "value.standardized"});
  Graph::attr(out, "transB", int64_t{1});
  if (plan.classification) {
    Graph::attr(g.node("Softmax", {"logits"}, {"output"}), "axis", int64_t{1});
  } else {
    g.binary("Mul", "value.standardized", "target_scale", "value.scaled");
    g.binary("Add", "value.scaled", "target_mean", "output");
  }
  Graph::tensor_type(gp->add_output(), "output", {plan.output().out[0]});
  return model;
}

}  // namespace

void write_onnx(const Plan& plan, const fs::path& file, const std::string& lang) {
  const onnx::ModelProto model = build(plan, lang);
  std::string bytes;
  if (!model.SerializeToString(&bytes)) throw ExportError("the ONNX model could not be serialized");
  write_file(file, bytes);
}

#else

void write_onnx(const Plan&, const fs::path&, const std::string&) {
  throw ExportError("this build of AI Sandbox cannot export to ONNX (it was built without libonnx-dev)");
}

#endif

}  // namespace aisb::export_detail
