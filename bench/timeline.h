// What a traced call's threads did (RunOptions::trace_tasks): how much of the
// call each thread spent running the pipeline's code, how long the serial
// parts and the pool's hand-offs took, and a chart of it. wino_profile
// --timeline prints these; the test checks them on made-up traces.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "wino/wino.h"

namespace wino::bench {

struct TraceSummary {
    double call_us = 0;
    int threads = 0;       // the call's threads (RunOptions::threads)
    int threads_seen = 0;  // of them, those that ran at least one task
    int pooled_loops = 0;  // loops handed to the pool (fork_joins), nested or not
    int nested_pooled_loops = 0;
    int inline_loops = 0;  // loops of one thread or one iteration, run in order by their starter
    int tasks = 0;
    double median_task_us = 0;  // a pooled loop's task: its own work (TaskSpan::work_us)
    // The calling thread outside the pipeline's own parallel loops (depth 0):
    // code only it runs, whatever the thread count.
    double serial_us = 0;
    std::vector<double> work_us;  // per thread: its tasks' work, and thread 0's serial time
    // Sum of work_us over threads x call_us: 1 when every thread works all call long.
    double utilization = 0;
    // Each pooled loop another thread took a task of, from its start to the
    // first of its tasks each other thread ran: the median over those loops of
    // the latest such start. How long the pool took to hand out work.
    double median_join_lag_us = 0;
    int alone_loops = 0;  // pooled loops whose tasks all ran on the thread that started them
};

namespace detail {

using Intervals = std::vector<std::pair<double, double>>;

// `span` less the `holes` in it.
inline Intervals subtract(std::pair<double, double> span, Intervals holes) {
    std::sort(holes.begin(), holes.end());
    Intervals out;
    double at = span.first;
    for (const auto &h : holes) {
        if (h.first > at) out.push_back({at, std::min(h.first, span.second)});
        at = std::max(at, h.second);
    }
    if (at < span.second) out.push_back({at, span.second});
    return out;
}

// The calling thread's time outside the pipeline's own (depth-0) loops.
inline Intervals serial_intervals(const RunStats &s) {
    Intervals top;
    for (const LoopSpan &l : s.loops)
        if (l.depth == 0) top.push_back({l.start_us, l.end_us});
    return subtract({0, s.compute_ms * 1000}, top);
}

// A thread's intervals of its own work: its tasks less the loops they started
// (whose tasks are intervals of their own), and thread 0's serial time.
inline std::vector<Intervals> work_intervals(const RunStats &s, int threads) {
    std::vector<Intervals> busy(size_t(std::max(threads, 1)));
    for (const TaskSpan &t : s.tasks) {
        if (t.thread < 0 || size_t(t.thread) >= busy.size()) continue;
        const int depth = s.loops[size_t(t.loop)].depth;
        Intervals holes;
        for (const LoopSpan &l : s.loops)
            if (l.thread == t.thread && l.depth == depth + 1 && l.start_us >= t.start_us && l.end_us <= t.end_us)
                holes.push_back({l.start_us, l.end_us});
        for (const auto &i : subtract({t.start_us, t.end_us}, holes)) busy[size_t(t.thread)].push_back(i);
    }
    for (const auto &i : serial_intervals(s)) busy[0].push_back(i);
    return busy;
}

inline double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace detail

inline TraceSummary summarize_trace(const RunStats &s, int threads) {
    TraceSummary r;
    r.call_us = s.compute_ms * 1000;
    r.threads = threads;
    r.tasks = int(s.tasks.size());
    for (const LoopSpan &l : s.loops) {
        if (l.pooled) (l.depth ? r.nested_pooled_loops : r.pooled_loops)++;
        else r.inline_loops++;
    }
    r.pooled_loops += r.nested_pooled_loops;
    for (const auto &[a, b] : detail::serial_intervals(s)) r.serial_us += b - a;

    std::vector<double> task_us;
    std::vector<bool> seen(size_t(std::max(threads, 1)), false);
    for (const TaskSpan &t : s.tasks) {
        if (s.loops[size_t(t.loop)].pooled) task_us.push_back(t.work_us);
        if (t.thread >= 0 && size_t(t.thread) < seen.size()) seen[size_t(t.thread)] = true;
    }
    r.threads_seen = int(std::count(seen.begin(), seen.end(), true));
    r.median_task_us = detail::median(task_us);

    const auto busy = detail::work_intervals(s, threads);
    double total = 0;
    for (const auto &intervals : busy) {
        double us = 0;
        for (const auto &i : intervals) us += i.second - i.first;
        r.work_us.push_back(us);
        total += us;
    }
    r.utilization = r.call_us > 0 && threads > 0 ? total / (threads * r.call_us) : 0;

    std::vector<double> lags;
    for (size_t i = 0; i < s.loops.size(); i++) {
        const LoopSpan &l = s.loops[i];
        if (!l.pooled) continue;
        std::vector<double> first(size_t(std::max(threads, 1)), -1);
        for (const TaskSpan &t : s.tasks) {
            if (size_t(t.loop) != i || t.thread < 0 || size_t(t.thread) >= first.size() || t.thread == l.thread)
                continue;
            double &f = first[size_t(t.thread)];
            if (f < 0 || t.start_us < f) f = t.start_us;
        }
        double lag = -1;
        for (double f : first)
            if (f >= 0) lag = std::max(lag, f - l.start_us);
        if (lag < 0) r.alone_loops++;
        else lags.push_back(lag);
    }
    r.median_join_lag_us = detail::median(lags);
    return r;
}

// Of `cur`'s tasks of outer pooled loops (those not started inside a task
// of another pooled loop), the share that ran on the same thread of the
// process as the same iteration of `prev`'s matching loop (the k-th such
// loop of each, of equal size): how often a thread gets the same work, and
// so the same data, call after call. -1 when no loop matches.
inline double same_thread_share(const RunStats &prev, const RunStats &cur) {
    auto top_loops = [](const RunStats &s) {
        std::vector<int> ids;
        for (size_t i = 0; i < s.loops.size(); i++) {
            const LoopSpan &l = s.loops[i];
            const bool nested = std::any_of(s.tasks.begin(), s.tasks.end(), [&](const TaskSpan &t) {
                return size_t(t.loop) != i && s.loops[size_t(t.loop)].pooled && t.thread == l.thread &&
                       t.start_us <= l.start_us && l.end_us <= t.end_us;
            });
            if (l.pooled && !nested) ids.push_back(int(i));
        }
        return ids;
    };
    auto worker = [](const RunStats &s, const TaskSpan &t) {
        return t.thread >= 0 && size_t(t.thread) < s.thread_workers.size() ? s.thread_workers[size_t(t.thread)] : -1;
    };
    const std::vector<int> p = top_loops(prev), c = top_loops(cur);
    int same = 0, compared = 0;
    for (size_t k = 0; k < std::min(p.size(), c.size()); k++) {
        if (prev.loops[size_t(p[k])].size != cur.loops[size_t(c[k])].size) continue;
        std::vector<std::pair<int, int>> before;  // (iteration, worker) of prev's loop
        for (const TaskSpan &t : prev.tasks)
            if (t.loop == p[k]) before.push_back({t.iteration, worker(prev, t)});
        for (const TaskSpan &t : cur.tasks) {
            if (t.loop != c[k]) continue;
            for (const auto &[iteration, w] : before)
                if (iteration == t.iteration) {
                    compared++;
                    same += w >= 0 && w == worker(cur, t);
                    break;
                }
        }
    }
    return compared ? double(same) / compared : -1;
}

// One line per thread, `width` columns across the call: '#' a column the
// thread spent at least 3/4 working, '+' at least half, '-' at least a
// quarter, '.' less, ' ' not at all. A first line marks where the pipeline's
// own loops begin ('|').
inline std::vector<std::string> trace_chart(const RunStats &s, int threads, int width) {
    const double call_us = s.compute_ms * 1000;
    std::vector<std::string> lines;
    if (width < 1 || call_us <= 0) return lines;
    const double col = call_us / width;
    std::string ruler(size_t(width), ' ');
    for (const LoopSpan &l : s.loops)
        if (l.depth == 0) ruler[size_t(std::clamp(int(l.start_us / col), 0, width - 1))] = '|';
    lines.push_back(ruler);
    for (const auto &intervals : detail::work_intervals(s, threads)) {
        std::vector<double> filled(size_t(width), 0);
        for (const auto &[a, b] : intervals)
            for (int c = std::max(0, int(a / col)); c < width && c * col < b; c++)
                filled[size_t(c)] += std::max(0.0, std::min(b, (c + 1) * col) - std::max(a, c * col));
        std::string line;
        for (double f : filled) {
            const double x = f / col;
            line += x >= 0.75 ? '#' : x >= 0.5 ? '+' : x >= 0.25 ? '-' : x > 0 ? '.' : ' ';
        }
        lines.push_back(line);
    }
    return lines;
}

}  // namespace wino::bench
