# sig: (f8,)
def f(v):
    p = Point(v)
    return p.z

# expect:
# error Typing 4:12-4:15: jitclass 'Point' has no attribute 'z'
