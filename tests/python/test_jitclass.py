"""`@jitclass` (Numba's compiled classes): the same class with and without the decorator must
behave the same in CPython; instances pass to and from jitted functions, fields are shared with
Python, array fields keep their memory alive, and objects are freed with their last reference.
"""

import gc
import resource

import numpy as np
import pytest

import ferrojit
from ferrojit import float64, int64, jit, types
from ferrojit._ferrojit import jitclass_live_objects
from ferrojit.errors import CompileError, TypingError, UnsupportedError
from ferrojit.experimental import jitclass
from diff import assert_same


def _load_cases(decorate):
    """``jitclass_cases.py`` as a fresh module, its classes decorated when ``decorate``."""
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).with_name("jitclass_cases.py")
    name = "jitclass_cases_compiled" if decorate else "jitclass_cases_plain"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if decorate:
        module.Point = jitclass([("x", float64), ("y", float64)])(module.Point)
        module.Buffer = jitclass([("n", int64), ("data", float64[:])])(module.Buffer)
        buffer_type = module.Buffer.class_type.instance_type
        module.Node = jitclass([("value", float64), ("buffer", buffer_type)])(module.Node)
        module.Ring = jitclass([("items", float64[:]), ("start", int64)])(module.Ring)
        pair = types.UniTuple(float64, 2)
        module.Rect = jitclass([("lo", pair), ("hi", pair)])(module.Rect)
        link_type = ferrojit.deferred_type()
        module.Link = jitclass([("value", int64), ("next", ferrojit.optional(link_type))])(
            module.Link
        )
        link_type.define(module.Link.class_type.instance_type)
    return module


plain = _load_cases(False)
compiled = _load_cases(True)
Point, Buffer, Node = compiled.Point, compiled.Buffer, compiled.Node


def test_the_class_behaves_as_in_cpython():
    assert_same(compiled.point_scenario(), plain.point_scenario())
    assert isinstance(Point(1.0), Point)
    assert type(Point(1.0)).__name__ == "Point"


def test_instances_passed_to_jitted_functions_are_mutated_in_place():
    p, q = Point(1.0, 2.0), plain.Point(1.0, 2.0)
    assert_same(jit(compiled.mutate_and_make)(p, 3.0), plain.mutate_and_make(q, 3.0))
    assert (p.x, p.y) == (q.x, q.y)


def test_instances_made_in_jitted_code_are_returned():
    assert_same(jit(compiled.make_points)(4), plain.make_points(4))

    @jit
    def made(n):
        return Point(float(n), 1.0)

    p = made(3)
    assert (p.x, p.y, p._ferrojit_refcount) == (3.0, 1.0, 1)

    @jit
    def same(p):
        return p

    assert same(p) is p  # an object keeps its one box


def test_spec_forms_dict_annotations_and_numba_names():
    import ferrojit as numba

    @numba.experimental.jitclass({"n": int64, "w": "float64"})
    class A:
        def __init__(self, n):
            self.n = n
            self.w = n / 2

    @ferrojit.jitclass
    class B:
        count: int64
        values: types.float64[:, :]

        def __init__(self, rows):
            self.count = rows
            self.values = np.ones((rows, 2))

        def total(self):
            return self.values.sum() + self.count

    a = A(3)
    assert (a.n, a.w) == (3, 1.5)
    assert B(3).total() == 9.0
    assert B(2).values.shape == (2, 2)


def test_array_fields_share_memory_with_python():
    assert_same(compiled.buffer_scenario(), plain.buffer_scenario())


def test_array_fields_outlive_the_call_and_the_object():
    @jit
    def filled(n):
        b = Buffer(n)
        for i in range(n):
            b.put(i, i * 1.5)
        return b

    b = filled(4)
    data = b.data
    del b
    gc.collect()
    assert data.tolist() == [0.0, 1.5, 3.0, 4.5]
    arr = np.ones(3)
    count = __import__("sys").getrefcount(arr)
    c = Buffer(1)
    c.data = arr
    assert __import__("sys").getrefcount(arr) == count + 1
    del c
    gc.collect()
    assert __import__("sys").getrefcount(arr) == count


def test_instance_fields_and_methods_on_them():
    assert_same(jit(compiled.node_scenario)(2.0), plain.node_scenario(2.0))

    @jit
    def holder():
        return Node(1.0, Buffer(2))

    node = holder()
    node.buffer.put(1, 5.0)
    assert node.buffer.data.tolist() == [0.0, 5.0]
    node.buffer = Buffer(5)
    assert node.weight() == 1.0


def test_len_getitem_setitem():
    assert_same(compiled.ring_scenario(5), plain.ring_scenario(5))
    assert_same(jit(compiled.ring_scenario)(5), plain.ring_scenario(5))

    @jit
    def no_len(p):
        return len(p)

    with pytest.raises(TypingError, match="jitclass 'Point' has no len"):
        no_len(compiled.Point(1.0))


def test_linked_structures_with_optional_deferred_fields():
    assert_same(compiled.link_scenario(6), plain.link_scenario(6))
    assert_same(jit(compiled.link_scenario)(6), plain.link_scenario(6))

    @jit
    def chain(n):
        head = compiled.Link(0, None)
        for i in range(1, n):
            head = compiled.Link(i, head)
        return head

    gc.collect()
    live = jitclass_live_objects()
    head = chain(4)
    assert (head.value, head.next.value, head.length()) == (3, 2, 4)
    assert head.next.next.next.next is None
    head.next = None  # the rest of the chain is freed
    gc.collect()
    assert jitclass_live_objects()[0] == live[0] + 1
    del head
    gc.collect()
    assert jitclass_live_objects() == live

    other = ferrojit.deferred_type()
    compiled_point = compiled.Point
    with pytest.raises(TypeError, match="may only refer to the class whose spec uses it"):

        @jitclass([("next", ferrojit.optional(other))])
        class Self:
            pass

        other.define(compiled_point.class_type.instance_type)


def test_tuple_fields():
    assert_same(compiled.rect_scenario(1.0), plain.rect_scenario(1.0))
    assert_same(jit(compiled.rect_scenario)(1.0), plain.rect_scenario(1.0))
    r = compiled.Rect((0.0, 0.0), (1.0, 1.0))
    r.hi = (3, 4.5)  # converted to the field's types
    assert r.hi == (3.0, 4.5) and r.area() == 13.5


def test_lists_of_instances_in_compiled_code_and_returned():
    assert_same(jit(compiled.list_of_points)(3), plain.list_of_points(3))

    @jit
    def grow(points):
        points[0].x += 1.0
        points.append(Point(9.0, 0.0))
        return len(points)

    first, second = Point(1.0), Point(2.0)
    points = [first, second]
    assert grow(points) == 3
    # Reflected like other list arguments; the items keep their identity.
    assert points[0] is first and points[1] is second and first.x == 2.0
    assert points[2].x == 9.0

    @jit
    def points(n):
        return [Point(float(i), 0.0) for i in range(n)]

    assert [p.x for p in points(3)] == [0.0, 1.0, 2.0]


def test_dict_values_of_instances():
    @jit
    def index(n):
        d = {}
        for i in range(n):
            d[i] = Point(i * 2.0, 0.0)
        return d, d[1].x

    @jit
    def bump(d):
        d[0].x += 1.0
        d[5] = Point(5.0, 0.0)
        return len(d)

    d, x = index(3)
    assert ({k: p.x for k, p in d.items()}, x) == ({0: 0.0, 1: 2.0, 2: 4.0}, 2.0)
    first = d[0]
    assert bump(d) == 4 and d[0] is first and first.x == 1.0 and d[5].x == 5.0

    @jit
    def size(s):
        return len(s)

    with pytest.raises(TypingError, match="has type set"):
        size({Point(1.0)})  # instances have no hash in compiled code


def test_no_leak_across_many_calls():
    @jit
    def churn(k):
        s = 0.0
        for i in range(k):
            b = Buffer(8)
            b.put(0, 1.0)
            n = Node(1.0, b)
            s += n.weight()
        return s, Point(s, 1.0)

    gc.collect()
    live_before = jitclass_live_objects()
    churn(2)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(100_000):
        s, p = churn(2)
    del p
    gc.collect()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert s == 4.0
    assert jitclass_live_objects() == live_before
    # 100,000 calls × 5 objects and 2 arrays would be well over 100 MB if anything leaked.
    assert after - before < 30_000


def test_reading_an_unassigned_field_raises():
    @jitclass([("x", float64), ("b", Buffer.class_type.instance_type)])
    class Lazy:
        def __init__(self):
            self.x = 1.0

        def peek(self):
            return self.b.n

    with pytest.raises(ValueError, match="field 'b' was read before it was assigned"):
        Lazy().peek()


def test_unsupported_class_features_are_clear_errors():
    class Base:
        pass

    with pytest.raises(UnsupportedError, match=r"test_jitclass.py:\d+: inheritance"):

        @jitclass([("x", float64)])
        class Derived(Base):
            pass

    with pytest.raises(UnsupportedError, match=r"test_jitclass.py:\d+: the special method '__add__'"):

        @jitclass([("x", float64)])
        class Adds:
            def __add__(self, other):
                return self.x + other.x

    with pytest.raises(TypeError, match=r"test_jitclass.py:\d+: jitclass Pairs: field 'pair'"):

        @jitclass([("pair", types.UniTuple(types.float64[:], 2))])
        class Pairs:
            pass

    @jitclass([("x", float64)])
    class Bare:  # no __init__: fields start at zero
        def get(self):
            return self.x + 1.0

    assert Bare().get() == 1.0


def test_typing_errors_name_the_line():
    @jit
    def unknown(p):
        return p.z

    with pytest.raises(TypingError, match="jitclass 'Point' has no attribute 'z'") as info:
        unknown(Point(1.0))
    assert "return p.z" in str(info.value)

    @jit
    def wrong(p, a):
        p.x = a

    with pytest.raises(TypingError, match="cannot store array.* in field 'x'"):
        wrong(Point(1.0), np.ones(2))

    @jit
    def not_an_instance(a):
        a.shape = (2,)

    with pytest.raises(CompileError, match="cannot assign to attribute 'shape'"):
        not_an_instance(np.ones(2))


def test_views_of_field_arrays_returned_with_the_object():
    @jitclass([("a", float64[:]), ("b", float64[:])])
    class Two:
        def __init__(self, n):
            self.a = np.arange(n * 1.0)
            self.b = self.a[::2]

    @jit
    def make(n):
        t = Two(n)
        for i in range(3):
            t.b = np.ones(2) * i  # replaced fields are released when the call ends
        return t, t.a, t.a[1:]

    gc.collect()
    live = jitclass_live_objects()
    t, a, view = make(6)
    assert (t.a.tolist(), t.b.tolist(), view.tolist()) == ([0, 1, 2, 3, 4, 5], [2, 2], [1, 2, 3, 4, 5])
    del t
    gc.collect()
    a[1] = 7.0  # the memory outlives the object; the view shares it
    assert view[0] == 7.0
    del a, view
    gc.collect()
    assert jitclass_live_objects() == live


def test_disable_jit_gives_the_plain_class():
    from ferrojit import config

    saved = config.DISABLE_JIT
    config.DISABLE_JIT = True
    try:
        link_type = ferrojit.deferred_type()

        @jitclass([("value", int64), ("next", ferrojit.optional(link_type))])
        class Link:
            def __init__(self, value, next):
                self.value = value
                self.next = next

        link_type.define(Link.class_type.instance_type)
        head = Link(1, Link(2, None))
        head.anything = "plain Python"
        assert (head.next.value, head.anything) == (2, "plain Python")
    finally:
        config.DISABLE_JIT = saved
