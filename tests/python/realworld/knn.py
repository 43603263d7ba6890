"""Nearest-neighbour search in the style of pynndescent / scikit-learn numba helpers: distance
functions chosen by a metric string, max-heaps kept in arrays, brute-force k-NN in `prange`,
random-projection splits, list- and heapq-based priority queues."""

import heapq

import numpy as np

import ferrojit as numba
from ferrojit import njit, prange

from . import Case


@numba.njit(fastmath=True, cache=True)
def euclidean(x, y):
    result = 0.0
    for i in range(x.shape[0]):
        result += (x[i] - y[i]) ** 2
    return np.sqrt(result)


@numba.njit(fastmath=True, cache=True)
def squared_euclidean(x, y):
    result = 0.0
    dim = x.shape[0]
    for i in range(dim):
        diff = x[i] - y[i]
        result += diff * diff
    return result


@numba.njit(fastmath=True)
def manhattan(x, y):
    result = 0.0
    for i in range(x.shape[0]):
        result += np.abs(x[i] - y[i])
    return result


@numba.njit(fastmath=True)
def chebyshev(x, y):
    result = 0.0
    for i in range(x.shape[0]):
        result = max(result, np.abs(x[i] - y[i]))
    return result


@numba.njit(fastmath=True)
def minkowski(x, y, p=2.0):
    result = 0.0
    for i in range(x.shape[0]):
        result += (np.abs(x[i] - y[i])) ** p
    return result ** (1.0 / p)


@numba.njit(fastmath=True)
def cosine(x, y):
    result = 0.0
    norm_x = 0.0
    norm_y = 0.0
    for i in range(x.shape[0]):
        result += x[i] * y[i]
        norm_x += x[i] ** 2
        norm_y += y[i] ** 2
    if norm_x == 0.0 and norm_y == 0.0:
        return 0.0
    elif norm_x == 0.0 or norm_y == 0.0:
        return 1.0
    else:
        return 1.0 - (result / np.sqrt(norm_x * norm_y))


@njit
def named_distance(x, y, metric="euclidean"):
    if metric == "euclidean":
        return euclidean(x, y)
    elif metric == "manhattan":
        return manhattan(x, y)
    elif metric == "cosine":
        return cosine(x, y)
    elif metric == "chebyshev":
        return chebyshev(x, y)
    else:
        raise ValueError("unknown metric")


@njit
def pairwise_distances(X, metric="euclidean"):
    n = X.shape[0]
    out = np.zeros((n, n), dtype=np.float64)
    for i in range(n):
        for j in range(i + 1, n):
            d = named_distance(X[i], X[j], metric=metric)
            out[i, j] = d
            out[j, i] = d
    return out


@njit(parallel=True)
def brute_knn(data, queries, k):
    n_queries = queries.shape[0]
    indices = np.empty((n_queries, k), dtype=np.int64)
    dists = np.empty((n_queries, k), dtype=np.float64)
    for i in prange(n_queries):
        d = np.empty(data.shape[0])
        for j in range(data.shape[0]):
            d[j] = squared_euclidean(queries[i], data[j])
        order = np.argsort(d, kind="mergesort")[:k]
        for m in range(k):
            indices[i, m] = order[m]
            dists[i, m] = np.sqrt(d[order[m]])
    return indices, dists


@njit
def make_heap(n_points, size):
    indices = np.full((n_points, size), -1, dtype=np.int32)
    distances = np.full((n_points, size), np.inf, dtype=np.float32)
    flags = np.zeros((n_points, size), dtype=np.uint8)
    return indices, distances, flags


@njit(fastmath=True)
def simple_heap_push(priorities, indices, p, n):
    if p >= priorities[0]:
        return 0

    size = priorities.shape[0]
    # an element already in the heap is not pushed twice
    for i in range(size):
        if n == indices[i]:
            return 0

    priorities[0] = p
    indices[0] = n

    # sift the new root down until the max-heap property holds again
    i = 0
    while True:
        ic1 = 2 * i + 1
        ic2 = ic1 + 1
        if ic1 >= size:
            break
        elif ic2 >= size:
            if priorities[ic1] > p:
                i_swap = ic1
            else:
                break
        elif priorities[ic1] >= priorities[ic2]:
            if p < priorities[ic1]:
                i_swap = ic1
            else:
                break
        else:
            if p < priorities[ic2]:
                i_swap = ic2
            else:
                break
        priorities[i] = priorities[i_swap]
        indices[i] = indices[i_swap]
        i = i_swap

    priorities[i] = p
    indices[i] = n
    return 1


@njit
def siftdown(heap1, heap2, elt):
    while elt * 2 + 1 < heap1.shape[0]:
        left_child = elt * 2 + 1
        right_child = left_child + 1
        swap = elt
        if heap1[swap] < heap1[left_child]:
            swap = left_child
        if right_child < heap1.shape[0] and heap1[swap] < heap1[right_child]:
            swap = right_child
        if swap == elt:
            break
        else:
            heap1[elt], heap1[swap] = heap1[swap], heap1[elt]
            heap2[elt], heap2[swap] = heap2[swap], heap2[elt]
            elt = swap


@njit
def deheap_sort(indices, distances):
    for i in range(indices.shape[0]):
        ind_heap = indices[i]
        dist_heap = distances[i]
        for j in range(ind_heap.shape[0] - 1):
            last = ind_heap.shape[0] - j - 1
            ind_heap[0], ind_heap[last] = ind_heap[last], ind_heap[0]
            dist_heap[0], dist_heap[last] = dist_heap[last], dist_heap[0]
            siftdown(dist_heap[:last], ind_heap[:last], 0)
    return indices, distances


@njit
def knn_graph(data, k):
    n = data.shape[0]
    indices, distances, flags = make_heap(n, k)
    pushes = 0
    for i in range(n):
        for j in range(n):
            if i != j:
                d = squared_euclidean(data[i], data[j])
                pushes += simple_heap_push(distances[i], indices[i], d, j)
    indices, distances = deheap_sort(indices, distances)
    return indices, distances, pushes


@njit
def heap_push(heap, item):
    heap.append(item)
    pos = len(heap) - 1
    while pos > 0:
        parent = (pos - 1) >> 1
        if heap[pos][0] < heap[parent][0]:
            heap[pos], heap[parent] = heap[parent], heap[pos]
            pos = parent
        else:
            break


@njit
def heap_pop(heap):
    last = heap.pop()
    if len(heap) == 0:
        return last
    top = heap[0]
    heap[0] = last
    pos = 0
    n = len(heap)
    while True:
        child = 2 * pos + 1
        if child >= n:
            break
        if child + 1 < n and heap[child + 1][0] < heap[child][0]:
            child += 1
        if heap[child][0] < heap[pos][0]:
            heap[pos], heap[child] = heap[child], heap[pos]
            pos = child
        else:
            break
    return top


@njit
def grid_shortest_paths(cost):
    n, m = cost.shape
    dist = np.full((n, m), np.inf)
    dist[0, 0] = cost[0, 0]
    heap = [(cost[0, 0], 0, 0)]
    while len(heap) > 0:
        d, i, j = heap_pop(heap)
        if d > dist[i, j]:
            continue
        for di, dj in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            ni = i + di
            nj = j + dj
            if 0 <= ni < n and 0 <= nj < m:
                nd = d + cost[ni, nj]
                if nd < dist[ni, nj]:
                    dist[ni, nj] = nd
                    heap_push(heap, (nd, ni, nj))
    return dist


@njit
def k_smallest_heapq(values, k):
    heap = [-values[0]]
    heap.pop()
    for v in values:
        if len(heap) < k:
            heapq.heappush(heap, -v)
        elif -v > heap[0]:
            heapq.heapreplace(heap, -v)
    out = np.empty(len(heap))
    for i in range(len(heap) - 1, -1, -1):
        out[i] = -heapq.heappop(heap)
    return out


@njit
def radius_neighbors(data, query, radius):
    result = []
    for i in range(data.shape[0]):
        if euclidean(data[i], query) <= radius:
            result.append(i)
    return result


@njit
def rp_split(data, indices, seed):
    np.random.seed(seed)
    left_index = np.random.randint(indices.shape[0])
    right_index = np.random.randint(indices.shape[0])
    right_index += left_index == right_index
    right_index = right_index % indices.shape[0]
    left = indices[left_index]
    right = indices[right_index]

    dim = data.shape[1]
    hyperplane_vector = np.empty(dim, dtype=np.float64)
    hyperplane_offset = 0.0
    for d in range(dim):
        hyperplane_vector[d] = data[left, d] - data[right, d]
        hyperplane_offset -= hyperplane_vector[d] * (data[left, d] + data[right, d]) / 2.0

    n_left = 0
    n_right = 0
    side = np.empty(indices.shape[0], np.int8)
    for i in range(indices.shape[0]):
        margin = hyperplane_offset
        for d in range(dim):
            margin += hyperplane_vector[d] * data[indices[i], d]
        if abs(margin) < 1e-8:
            side[i] = np.random.randint(2)
            if side[i] == 0:
                n_left += 1
            else:
                n_right += 1
        elif margin > 0:
            side[i] = 0
            n_left += 1
        else:
            side[i] = 1
            n_right += 1

    indices_left = np.empty(n_left, dtype=np.int64)
    indices_right = np.empty(n_right, dtype=np.int64)
    n_left = 0
    n_right = 0
    for i in range(side.shape[0]):
        if side[i] == 0:
            indices_left[n_left] = indices[i]
            n_left += 1
        else:
            indices_right[n_right] = indices[i]
            n_right += 1
    return indices_left, indices_right


@njit("float64[:](float64[:, ::1], float64[::1])", cache=True)
def distances_to_point(data, point):
    out = np.empty(data.shape[0])
    for i in range(data.shape[0]):
        out[i] = squared_euclidean(data[i], point)
    return out


@njit
def nearest_by_searchsorted(sorted_keys, queries):
    pos = np.searchsorted(sorted_keys, queries, side="left")
    out = np.empty(queries.shape[0], dtype=np.int64)
    for i in range(queries.shape[0]):
        p = pos[i]
        if p == 0:
            out[i] = 0
        elif p == sorted_keys.shape[0]:
            out[i] = p - 1
        elif queries[i] - sorted_keys[p - 1] <= sorted_keys[p] - queries[i]:
            out[i] = p - 1
        else:
            out[i] = p
    return out


@njit
def neighbor_counts(indices):
    counts = {}
    for i in range(indices.shape[0]):
        for j in range(indices.shape[1]):
            key = indices[i, j]
            if key in counts:
                counts[key] += 1
            else:
                counts[key] = 1
    hubs = set()
    for key, c in counts.items():
        if c >= 3:
            hubs.add(key)
    return len(counts), sorted(hubs)


_rng = np.random.default_rng(10)
X = _rng.standard_normal((30, 4))
Q = _rng.standard_normal((5, 4))
COST = _rng.uniform(1.0, 5.0, (6, 7))
KEYS = np.sort(_rng.uniform(0, 10, 40))

CASES = [
    Case(euclidean, X[0], X[1], rtol=1e-12),
    Case(squared_euclidean, X[2], X[3], rtol=1e-12),
    Case(manhattan, X[0], X[4], rtol=1e-12),
    Case(chebyshev, X[5], X[6]),
    Case(minkowski, X[0], X[1], rtol=1e-12),
    Case(minkowski, X[0], X[1], kwargs={"p": 3.0}, rtol=1e-12, label="p=3"),
    Case(cosine, X[0], X[1], rtol=1e-12),
    Case(cosine, np.zeros(4), X[1], label="zero"),
    Case(named_distance, X[0], X[1], "cosine", rtol=1e-12),
    Case(pairwise_distances, X[:8], rtol=1e-12),
    Case(pairwise_distances, X[:8], kwargs={"metric": "chebyshev"}, label="chebyshev"),
    Case(pairwise_distances, X[:3], "minkowski", label="unknown-metric"),
    Case(brute_knn, X, Q, 4, rtol=1e-12),
    Case(make_heap, 3, 4),
    Case(simple_heap_push, np.full(4, np.inf, dtype=np.float32), np.full(4, -1, np.int32), 0.5, 3),
    Case(knn_graph, X[:12], 3, rtol=1e-6),
    Case(grid_shortest_paths, COST),
    Case(k_smallest_heapq, X[:, 0], 5),
    Case(radius_neighbors, X, Q[0], 2.0, rtol=1e-12),
    Case(rp_split, X, np.arange(30), 42),
    Case(distances_to_point, X, Q[1], rtol=1e-12),
    Case(nearest_by_searchsorted, KEYS, _rng.uniform(-1, 11, 12)),
    Case(neighbor_counts, np.array([[1, 2, 3], [2, 3, 4], [3, 2, 0], [5, 3, 2]])),
]
