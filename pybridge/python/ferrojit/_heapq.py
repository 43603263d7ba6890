"""Python's ``heapq`` inside compiled code, as Numba provides it: ``heappush``, ``heappop``,
``heapreplace``, ``heappushpop``, ``heapify``, ``nsmallest`` and ``nlargest`` on a list (of
numbers or of tuples). Each is an ``@overload`` of the ``heapq`` function, implemented with
CPython's own algorithm (``Lib/heapq.py``'s ``_siftdown``/``_siftup``), so a heap built in
compiled code has its items in exactly the order CPython would give."""

import heapq

from .extending import overload, register_jitable


@register_jitable
def _siftdown(heap, startpos, pos):
    newitem = heap[pos]
    while pos > startpos:
        parentpos = (pos - 1) >> 1
        parent = heap[parentpos]
        if newitem < parent:
            heap[pos] = parent
            pos = parentpos
            continue
        break
    heap[pos] = newitem


@register_jitable
def _siftup(heap, pos):
    endpos = len(heap)
    startpos = pos
    newitem = heap[pos]
    childpos = 2 * pos + 1
    while childpos < endpos:
        rightpos = childpos + 1
        if rightpos < endpos and not heap[childpos] < heap[rightpos]:
            childpos = rightpos
        heap[pos] = heap[childpos]
        pos = childpos
        childpos = 2 * pos + 1
    heap[pos] = newitem
    _siftdown(heap, startpos, pos)


@register_jitable
def _heapify(x):
    for i in range(len(x) // 2 - 1, -1, -1):
        _siftup(x, i)


@overload(heapq.heappush)
def _heappush(heap, item):
    def impl(heap, item):
        heap.append(item)
        _siftdown(heap, 0, len(heap) - 1)

    return impl


@overload(heapq.heappop)
def _heappop(heap):
    def impl(heap):
        lastelt = heap.pop()
        if len(heap) > 0:
            returnitem = heap[0]
            heap[0] = lastelt
            _siftup(heap, 0)
            return returnitem
        return lastelt

    return impl


@overload(heapq.heapreplace)
def _heapreplace(heap, item):
    def impl(heap, item):
        returnitem = heap[0]
        heap[0] = item
        _siftup(heap, 0)
        return returnitem

    return impl


@overload(heapq.heappushpop)
def _heappushpop(heap, item):
    def impl(heap, item):
        if len(heap) > 0 and heap[0] < item:
            top = heap[0]
            heap[0] = item
            _siftup(heap, 0)
            return top
        return item

    return impl


@overload(heapq.heapify)
def _heapify_overload(x):
    def impl(x):
        _heapify(x)

    return impl


@overload(heapq.nsmallest)
def _nsmallest(n, iterable):
    def impl(n, iterable):
        items = list(iterable)
        items.sort()
        return items[:max(n, 0)]

    return impl


@overload(heapq.nlargest)
def _nlargest(n, iterable):
    def impl(n, iterable):
        items = list(iterable)
        items.sort()
        items.reverse()
        return items[:max(n, 0)]

    return impl
