#include "scheduler/lineage.hpp"

#include <algorithm>
#include <functional>
#include <unordered_set>

namespace shoal {

void lineage::record(op&& o) {
  auto n = std::make_shared<node>();
  auto p = std::make_shared<const op>(std::move(o));
  n->producer = p;
  for (const auto& x : p->ins) {
    auto it = live_.find(x.id);
    if (it == live_.end()) continue;
    const std::pair<array_id, std::shared_ptr<node>> in{x.id, it->second};
    if (std::find(n->inputs.begin(), n->inputs.end(), in) == n->inputs.end()) n->inputs.push_back(in);
    n->depth = std::max(n->depth, it->second->depth + 1);
  }
  for (auto id : p->outs) {
    live_[id] = n;  // outputs of one op share its node
    if (n->depth >= every_) due_.insert(id);
  }
}

void lineage::release(array_id id) {
  live_.erase(id);
  due_.erase(id);
}

void lineage::checkpointed(array_id id, std::shared_ptr<const op> replica) {
  auto it = live_.find(id);
  if (it == live_.end()) return;
  // A fresh root for this array alone (another output of the same op keeps the old node).
  due_.erase(id);
  auto n = std::make_shared<node>();
  n->producer = replica ? std::move(replica) : it->second->producer;
  it->second = n;
}

std::vector<std::shared_ptr<const op>> lineage::history(array_id id) const {
  return replay(id, [](array_id) { return false; });  // every ancestor
}

std::vector<std::shared_ptr<const op>> lineage::replay(array_id id,
                                                       const std::function<bool(array_id)>& have) const {
  std::vector<std::shared_ptr<const op>> out;
  auto it = live_.find(id);
  if (it == live_.end()) return out;
  std::unordered_set<const node*> seen;
  std::function<void(const std::shared_ptr<node>&)> visit = [&](const std::shared_ptr<node>& n) {
    if (!seen.insert(n.get()).second) return;
    for (const auto& [in, from] : n->inputs)
      if (!have(in)) visit(from);
    out.push_back(n->producer);
  };
  visit(it->second);
  return out;
}

std::vector<array_id> lineage::due() const { return {due_.begin(), due_.end()}; }

int lineage::depth(array_id id) const {
  auto it = live_.find(id);
  return it == live_.end() ? -1 : it->second->depth;
}

std::size_t lineage::ops_held() const {
  std::unordered_set<const node*> seen;
  std::vector<const node*> stack;
  for (const auto& [id, n] : live_) stack.push_back(n.get());
  while (!stack.empty()) {
    const node* n = stack.back();
    stack.pop_back();
    if (!seen.insert(n).second) continue;
    for (const auto& i : n->inputs) stack.push_back(i.second.get());
  }
  return seen.size();
}

}  // namespace shoal
