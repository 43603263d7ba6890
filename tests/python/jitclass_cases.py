"""Plain classes and the scenarios that use them, for test_jitclass.py.

The test loads this file twice: once as it is (CPython's classes), and once with the classes
decorated by ``@jitclass`` using ``SPECS`` (so the methods' global names, ``Point`` included,
refer to the compiled classes). Every scenario must give the same log with both.
"""

import numpy as np


class Point:
    def __init__(self, x, y=2.0):
        self.x = x
        self.y = y

    def norm2(self):
        return self.x * self.x + self.y * self.y

    def scale(self, k):
        self.x *= k
        self.y = self.y * k
        return self.norm2()

    def moved(self, dx, dy):
        return Point(self.x + dx, self.y + dy)

    def as_tuple(self):
        return (self.x, self.y)

    def dot(self, other):
        return self.x * other.x + self.y * other.y

    @property
    def total(self):
        return self.x + self.y

    @property
    def first(self):
        return self.x

    @first.setter
    def first(self, value):
        self.x = value

    @staticmethod
    def origin_distance(x, y):
        return (x * x + y * y) ** 0.5


class Buffer:
    def __init__(self, n):
        self.n = n
        self.data = np.zeros(n)

    def put(self, i, v):
        self.data[i] = v

    def total(self):
        return self.data.sum()

    def doubled(self):
        return self.data * 2.0


class Node:
    def __init__(self, value, buffer):
        self.value = value
        self.buffer = buffer

    def weight(self):
        return self.value + self.buffer.total()

    def swap(self, other):
        mine = self.buffer
        self.buffer = other
        return mine.total()


class Ring:
    """Container protocol: `len(r)`, `r[i]`, `r[i] = v`."""

    def __init__(self, n):
        self.items = np.zeros(n)
        self.start = 0

    def __len__(self):
        return self.items.shape[0]

    def __getitem__(self, i):
        return self.items[(self.start + i) % self.items.shape[0]]

    def __setitem__(self, i, value):
        self.items[(self.start + i) % self.items.shape[0]] = value

    def rotate(self, k):
        self.start = (self.start + k) % len(self)


def ring_scenario(n):
    """Jitted in the compiled copy too: the protocol from compiled code."""
    r = Ring(n)
    for i in range(len(r)):
        r[i] = i * 1.5
    r.rotate(2)
    r[0] = -1.0
    total = 0.0
    for i in range(len(r)):
        total += r[i] * (i + 1)
    return total, r[1], len(r)


class Link:
    """A linked list: `next` is another Link or None (Numba's `optional(deferred_type)`)."""

    def __init__(self, value, next):
        self.value = value
        self.next = next

    def length(self):
        count = 0
        node = self
        while node is not None:
            count += 1
            node = node.next
        return count


def link_scenario(n):
    """Jitted in the compiled copy too."""
    head = Link(0, None)
    for i in range(1, n):
        head = Link(i, head)
    total = 0
    node = head
    while node is not None:
        total += node.value
        node = node.next
    length = head.length()
    head.next.next = None
    return total, length, head.length(), head.next.next is None


class Rect:
    """Tuple fields."""

    def __init__(self, lo, hi):
        self.lo = lo
        self.hi = hi

    def area(self):
        return (self.hi[0] - self.lo[0]) * (self.hi[1] - self.lo[1])

    def grow(self, d):
        self.lo = (self.lo[0] - d, self.lo[1] - d)
        self.hi = (self.hi[0] + d, self.hi[1] + d)
        return self.hi


def rect_scenario(d):
    """Jitted in the compiled copy too."""
    r = Rect((0.0, 0.0), (2.0, 3.0))
    before = r.area()
    hi = r.grow(d)
    x0, y0 = r.lo
    return before, hi, r.area(), x0 + y0, r.lo


def point_scenario():
    """What a Python user does with the class."""
    p = Point(3.0, 4.0)
    log = [p.x, p.y, p.norm2(), p.total, p.as_tuple()]
    log.append(p.scale(2))
    p.first = 1.5
    log += [p.first, p.x, Point.origin_distance(3.0, 4.0), p.origin_distance(6.0, 8.0)]
    q = p.moved(1.0, -1.0)
    log += [q.x, q.y, p.dot(q), Point(7.0).y, Point(x=1.0, y=5.0).norm2()]
    p.y = 3  # an int stored in a float field (the compiled field converts it)
    log += [float(p.y)]
    return log


def mutate_and_make(p, k):
    """Jitted in the compiled copy: mutates its argument, makes and returns instances."""
    p.x += k
    p.scale(2.0)
    q = Point(p.x, k)
    return q.norm2() + p.total, q.as_tuple(), p.dot(q)


def make_points(n):
    first = Point(0.0, 0.0)
    last = first
    for i in range(n):
        last = last.moved(float(i), 1.0)
    return first.as_tuple(), last.as_tuple()


def buffer_scenario():
    b = Buffer(4)
    b.put(1, 2.5)
    b.put(-1, 1.0)
    log = [b.data.copy(), b.total(), b.doubled(), b.n]
    shared = np.arange(3.0)
    b.data = shared
    shared[0] = 10.0  # the field and the caller's array are one array
    log.append(b.total())
    b.data[2] = -1.0
    log.append(shared.copy())
    return log


def node_scenario(k):
    """Jitted in the compiled copy: instances in fields, methods called through them."""
    b = Buffer(3)
    b.put(0, k)
    n = Node(1.0, b)
    other = Buffer(2)
    other.put(1, 5.0)
    old = n.swap(other)
    return n.weight(), old, n.buffer.n


def list_of_points(n):
    points = [Point(0.0, 0.0)]
    for i in range(n):
        points.append(Point(float(i), 1.0))
    total = 0.0
    for p in points:
        total += p.norm2()
    return total, len(points)
