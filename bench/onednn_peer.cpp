#include "onednn_peer.h"

#include <stdexcept>

#include "wino/aligned.h"

#ifdef WINO_HAVE_DNNL
#include <omp.h>

#include "oneapi/dnnl/dnnl.hpp"
#endif

namespace wino::bench {

#ifdef WINO_HAVE_DNNL

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

struct OneDnnConv::State {
    engine eng{engine::kind::cpu, 0};
    stream strm{eng};
    convolution_forward::primitive_desc pd;
    convolution_forward conv;
    memory src, wei, dst;
    memory::desc dst_user;
    int threads = 1;
    // nchw_calls: the input as the caller holds it, an NCHW output, and the
    // reorders between them and the primitive's layouts, made once.
    bool nchw_calls = false;
    memory src_nchw, dst_nchw;
    AlignedFloats out_nchw;  // aligned as a caller's tensor (wino/aligned.h)
    dnnl::reorder src_in, dst_out;
};

OneDnnConv::OneDnnConv(const std::string &algorithm, const ConvProblem &p, const float *input,
                       const float *weights, int threads, bool nchw_calls)
    : s_(new State) {
    s_->threads = threads;
    s_->nchw_calls = nchw_calls;
    // Before the primitive exists: its kernels split their work for the
    // threads OpenMP offers now, and later calls cannot change that.
    omp_set_num_threads(threads);
    const memory::dims src_dims{p.N, p.C, p.H, p.W}, wei_dims{p.K, p.C, 3, 3},
        dst_dims{p.N, p.K, p.out_h(), p.out_w()}, strides{1, 1}, pad{p.padding, p.padding};
    // format `any`: let oneDNN pick the blocked layouts its fastest kernel wants.
    memory::desc src_any(src_dims, dt::f32, tag::any), wei_any(wei_dims, dt::f32, tag::any),
        dst_any(dst_dims, dt::f32, tag::any);
    const dnnl::algorithm alg =
        algorithm == "winograd" ? dnnl::algorithm::convolution_winograd : dnnl::algorithm::convolution_direct;
    try {
        convolution_forward::desc desc(prop_kind::forward_inference, alg, src_any, wei_any, dst_any, strides, pad, pad);
        s_->pd = convolution_forward::primitive_desc(desc, s_->eng);
    } catch (const dnnl::error &e) {
        throw std::runtime_error("oneDNN has no " + algorithm + " convolution for this CPU/shape (" + e.what() + ")");
    }
    s_->conv = convolution_forward(s_->pd);
    memory::desc src_user(src_dims, dt::f32, tag::nchw), wei_user(wei_dims, dt::f32, tag::oihw);
    s_->dst_user = memory::desc(dst_dims, dt::f32, tag::nchw);
    memory src_mem(src_user, s_->eng, const_cast<float *>(input));
    memory wei_mem(wei_user, s_->eng, const_cast<float *>(weights));
    s_->src = memory(s_->pd.src_desc(), s_->eng);
    s_->wei = memory(s_->pd.weights_desc(), s_->eng);
    s_->dst = memory(s_->pd.dst_desc(), s_->eng);
    reorder(src_mem, s_->src).execute(s_->strm, src_mem, s_->src);
    reorder(wei_mem, s_->wei).execute(s_->strm, wei_mem, s_->wei);
    if (nchw_calls) {
        s_->src_nchw = src_mem;
        s_->out_nchw.resize(s_->dst_user.get_size() / sizeof(float));
        s_->dst_nchw = memory(s_->dst_user, s_->eng, s_->out_nchw.data());
        s_->src_in = reorder(s_->src_nchw, s_->src);
        s_->dst_out = reorder(s_->dst, s_->dst_nchw);
    }
    s_->strm.wait();
}

OneDnnConv::~OneDnnConv() = default;

void OneDnnConv::run() {
    omp_set_num_threads(s_->threads);
    if (s_->nchw_calls) s_->src_in.execute(s_->strm, s_->src_nchw, s_->src);
    s_->conv.execute(s_->strm, {{DNNL_ARG_SRC, s_->src}, {DNNL_ARG_WEIGHTS, s_->wei}, {DNNL_ARG_DST, s_->dst}});
    if (s_->nchw_calls) s_->dst_out.execute(s_->strm, s_->dst, s_->dst_nchw);
    s_->strm.wait();
}

std::vector<float> OneDnnConv::output_nkhw() {
    std::vector<float> out(s_->dst_user.get_size() / sizeof(float));
    memory user(s_->dst_user, s_->eng, out.data());
    reorder(s_->dst, user).execute(s_->strm, s_->dst, user);
    s_->strm.wait();
    return out;
}

std::string OneDnnConv::implementation() const { return s_->pd.impl_info_str(); }

bool OneDnnConv::available() { return true; }

#else

struct OneDnnConv::State {};
OneDnnConv::OneDnnConv(const std::string &, const ConvProblem &, const float *, const float *, int, bool) {
    throw std::runtime_error("built without oneDNN (install libdnnl-dev and reconfigure)");
}
OneDnnConv::~OneDnnConv() = default;
void OneDnnConv::run() {}
std::vector<float> OneDnnConv::output_nkhw() { return {}; }
std::string OneDnnConv::implementation() const { return ""; }
bool OneDnnConv::available() { return false; }

#endif

}  // namespace wino::bench
