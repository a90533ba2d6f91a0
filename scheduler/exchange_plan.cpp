#include "scheduler/exchange_plan.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>

#include "arrays/errors.hpp"

namespace shoal {
namespace {

int rank_of(const std::vector<int>& group, int actor) {
  auto it = std::find(group.begin(), group.end(), actor);
  if (it == group.end())
    throw_error(errc::runtime_error, "shoal: actor " + std::to_string(actor) + " is not in the NCCL group");
  return static_cast<int>(it - group.begin());
}

/// Pieces that read the same elements of the same shard carry the same bytes.
using source_id = std::tuple<int, shard_key, std::int64_t, shape_t, shape_t, dtype>;

source_id source_of(const gpu_piece& p) {
  return {p.from, p.src.key, p.src.offset, p.src.strides, p.extent, p.type};
}

}  // namespace

std::vector<std::pair<int, exchange_task>> plan_exchange(const std::vector<gpu_piece>& pieces,
                                                         const std::vector<int>& group,
                                                         std::uint64_t seq) {
  const std::size_t ranks = group.size();
  // Pieces by source, sources in order of first appearance (the same on every rank).
  std::map<source_id, std::size_t> index;
  std::vector<std::vector<const gpu_piece*>> sources;
  for (const auto& p : pieces) {
    auto [it, fresh] = index.emplace(source_of(p), sources.size());
    if (fresh) sources.emplace_back();
    sources[it->second].push_back(&p);
  }
  std::vector<exchange_task> tasks(ranks);
  std::vector<const gpu_piece*> p2p;
  for (const auto& src : sources) {
    const gpu_piece& first = *src.front();
    const int root = rank_of(group, first.from);
    std::vector<bool> takes(ranks, false);
    for (const gpu_piece* p : src) takes[static_cast<std::size_t>(rank_of(group, p->to))] = true;
    bool everyone = src.size() >= 2;
    for (std::size_t r = 0; r < ranks; ++r) everyone = everyone && (takes[r] || static_cast<int>(r) == root);
    if (!everyone) {
      p2p.insert(p2p.end(), src.begin(), src.end());
      continue;
    }
    for (std::size_t r = 0; r < ranks; ++r) {
      xfer x;
      x.k = xfer::kind::bcast;
      x.peer = root;
      x.type = first.type;
      x.extent = first.extent;
      for (const gpu_piece* p : src)
        if (rank_of(group, p->to) == static_cast<int>(r)) x.tags.push_back(p->tag);
      if (static_cast<int>(r) == root) {
        x.src = first.src;
        for (const gpu_piece* p : src) x.notify.push_back({p->to, p->tag});
      }
      tasks[r].xfers.push_back(std::move(x));
    }
  }
  // Between two ranks NCCL pairs sends with receives in the order they were issued: tag order
  // on both sides.
  std::sort(p2p.begin(), p2p.end(), [](const gpu_piece* a, const gpu_piece* b) { return a->tag < b->tag; });
  for (const gpu_piece* p : p2p) {
    const int from = rank_of(group, p->from), to = rank_of(group, p->to);
    xfer s;
    s.k = xfer::kind::send;
    s.peer = to;
    s.type = p->type;
    s.extent = p->extent;
    s.src = p->src;
    s.notify.push_back({p->to, p->tag});
    tasks[static_cast<std::size_t>(from)].xfers.push_back(std::move(s));
    xfer r;
    r.k = xfer::kind::recv;
    r.peer = from;
    r.type = p->type;
    r.extent = p->extent;
    r.tags.push_back(p->tag);
    tasks[static_cast<std::size_t>(to)].xfers.push_back(std::move(r));
  }
  std::vector<std::pair<int, exchange_task>> out;
  for (std::size_t r = 0; r < ranks; ++r) {
    if (tasks[r].xfers.empty()) continue;
    tasks[r].collective = seq;
    out.emplace_back(group[r], std::move(tasks[r]));
  }
  return out;
}

}  // namespace shoal
