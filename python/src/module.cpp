/// _shoal: the pybind11 extension module under shoal.numpy. A thin layer over shoal::runtime
/// and shoal::array (actors/array.hpp): every function that can wait releases the GIL, and
/// shoal::error becomes NumPy's exception for its code (errors.cpp).
#include "common.hpp"

PYBIND11_MODULE(_shoal, m) {
  m.doc() = "shoal's C++ runtime and sharded arrays (use shoal / shoal.numpy instead)";
  shoal::pyshoal::bind_errors(m);
  shoal::pyshoal::bind_runtime(m);
  shoal::pyshoal::bind_array(m);
  shoal::pyshoal::bind_ops(m);
  shoal::pyshoal::bind_kernels(m);
  shoal::pyshoal::bind_cluster(m);
  shoal::pyshoal::bind_elastic(m);
  shoal::pyshoal::bind_membership(m);
}
